// Expression evaluation: a recursive walk over the annotated AST (see engine.h).
//
// Three-valued logic follows SQL: NULL AND false is false, NULL OR true is true, and any other
// combination with NULL is NULL; a comparison with NULL is NULL, except IS / IS NOT, which treat
// NULL as a value. Arithmetic on integers is exact and falls back to REAL on overflow; division
// or remainder by zero is NULL. Comparisons first apply the affinity the compiler worked out for
// them (comparison_affinity()), then compare with the collation it chose.
#include <algorithm>
#include <cmath>

#include "systems/sql/database.h"
#include "systems/sql/engine.h"

namespace sfs::sql {
namespace {

bool is_numeric_affinity(Affinity a) {
  return a == Affinity::kNumeric || a == Affinity::kInteger || a == Affinity::kReal;
}

// The operand of arithmetic as a number: INTEGER, REAL, or NULL.
Value to_number(const Value& v) {
  switch (v.type()) {
    case ValueType::kInteger:
    case ValueType::kReal:
    case ValueType::kNull:
      return v;
    default:
      return text_to_numeric(v.str());
  }
}

// Does a COLLATE clause appear in the expression's operands (SQLite's EP_Collate)?
bool has_collate(const Expr* e) {
  if (e == nullptr) return false;
  if (e->kind == ExprKind::kCollate) return true;
  if (e->kind == ExprKind::kSubquery || e->kind == ExprKind::kExists) return false;
  if (has_collate(e->left.get()) || has_collate(e->right.get())) return true;
  for (const auto& arg : e->args) {
    if (has_collate(arg.get())) return true;
  }
  return false;
}

}  // namespace

// sqlite3ExprCollSeq(): a COLLATE clause, or a column's collation, seen through CAST and unary
// +, or else the first operand that carries a COLLATE clause. False when there is none.
bool find_collation(const Expr* e, Collation* out) {
  while (e != nullptr) {
    if (e->kind == ExprKind::kCollate || e->kind == ExprKind::kColumn) {
      *out = e->collation;
      return true;
    }
    if (e->kind == ExprKind::kCast || (e->kind == ExprKind::kUnary && e->op == Op::kPlus)) {
      e = e->left.get();
      continue;
    }
    if (!has_collate(e)) return false;
    if (has_collate(e->left.get())) {
      e = e->left.get();
      continue;
    }
    const Expr* next = has_collate(e->right.get()) ? e->right.get() : nullptr;
    for (size_t i = 0; next == nullptr && i < e->args.size(); ++i) {
      if (has_collate(e->args[i].get())) next = e->args[i].get();
    }
    e = next;
  }
  return false;
}

// sqlite3CompareAffinity(): two operands with affinities (columns, CASTs, subqueries) convert
// only towards a numeric one; an operand with no affinity takes the other one's. So TEXT against
// a BLOB-affinity column converts nothing, TEXT against a literal converts the literal to text.
Affinity comparison_affinity(const Expr* a, const Expr* b) {
  Affinity x = a->affinity, y = b->affinity;
  if (x != Affinity::kNone && y != Affinity::kNone) {
    if (is_numeric_affinity(x) || is_numeric_affinity(y)) return Affinity::kNumeric;
    return Affinity::kBlob;
  }
  Affinity one = x == Affinity::kNone ? y : x;
  if (one == Affinity::kNone) return Affinity::kBlob;
  return is_numeric_affinity(one) ? Affinity::kNumeric : one;
}

// sqlite3BinaryCompareCollSeq(): an operand with a COLLATE clause wins, the left one first;
// otherwise the left operand's collation, then the right one's, then BINARY.
Collation comparison_collation(const Expr* a, const Expr* b) {
  Collation c = Collation::kBinary;
  if (a->explicit_collation || (a->kind != ExprKind::kColumn && has_collate(a))) {
    find_collation(a, &c);
  } else if (b->explicit_collation || (b->kind != ExprKind::kColumn && has_collate(b))) {
    find_collation(b, &c);
  } else if (!find_collation(a, &c)) {
    find_collation(b, &c);
  }
  return c;
}

Collation expression_collation(const Expr* e) {
  Collation c = Collation::kBinary;
  find_collation(e, &c);
  return c;
}

int compare_for_sql(const Value& a, const Value& b, Affinity affinity, Collation collation,
                    bool* is_null) {
  if (a.is_null() || b.is_null()) {
    *is_null = true;
    return 0;
  }
  *is_null = false;
  if (affinity == Affinity::kNumeric) {
    if (a.type() == ValueType::kText || b.type() == ValueType::kText) {
      Value x = a, y = b;
      apply_numeric_affinity(&x);
      apply_numeric_affinity(&y);
      return compare_values(x, y, collation);
    }
  } else if (affinity == Affinity::kText) {
    if (a.is_numeric() || b.is_numeric()) {
      Value x = a, y = b;
      apply_affinity(&x, Affinity::kText);
      apply_affinity(&y, Affinity::kText);
      return compare_values(x, y, collation);
    }
  }
  return compare_values(a, b, collation);
}

int Runtime::test(const Expr* e) {
  Value v;
  if (!eval(e, &v)) return -1;
  return !v.is_null() && v.is_true() ? 1 : 0;
}

bool Runtime::eval(const Expr* e, Value* out) {
  switch (e->kind) {
    case ExprKind::kLiteral:
      *out = e->value;
      return true;
    case ExprKind::kColumn:
      if (e->capture_owner != nullptr && e->capture_owner->output_phase) {
        *out = e->capture_owner->current_group->captured[e->capture];
        return true;
      }
      return e->source->read(*this, e->column, out);
    case ExprKind::kParameter:
      if (parameters_ != nullptr && e->param >= 1 &&
          static_cast<size_t>(e->param) <= parameters_->size()) {
        *out = (*parameters_)[e->param - 1];
      } else {
        *out = Value();
      }
      return true;
    case ExprKind::kUnary: {
      Value v;
      if (!eval(e->left.get(), &v)) return false;
      switch (e->op) {
        case Op::kPlus:
          *out = std::move(v);
          return true;
        case Op::kNot:
          *out = v.is_null() ? Value() : Value::boolean(!v.is_true());
          return true;
        case Op::kBitNot:
          *out = v.is_null() ? Value() : Value::integer(~v.to_int());
          return true;
        case Op::kNeg: {
          Value n = to_number(v);
          if (n.type() == ValueType::kInteger) {
            if (n.int_value() == INT64_MIN) {
              *out = Value::real(9223372036854775808.0);
            } else {
              *out = Value::integer(-n.int_value());
            }
          } else if (n.type() == ValueType::kReal) {
            *out = Value::real(-n.real_value());
          } else {
            *out = Value();
          }
          return true;
        }
        default:
          return fail(Status::internal("bad unary operator"));
      }
    }
    case ExprKind::kBinary:
      return eval_binary(e, out);
    case ExprKind::kFunction:
      return eval_function(e, out);
    case ExprKind::kCase: {
      size_t pairs = e->args.size() / 2;
      if (e->left) {
        Value base;
        if (!eval(e->left.get(), &base)) return false;
        for (size_t i = 0; i < pairs; ++i) {
          Value when;
          if (!eval(e->args[2 * i].get(), &when)) return false;
          bool is_null;
          int c = compare_for_sql(base, when, comparison_affinity(e->left.get(), e->args[2 * i].get()),
                                  comparison_collation(e->left.get(), e->args[2 * i].get()), &is_null);
          if (!is_null && c == 0) return eval(e->args[2 * i + 1].get(), out);
        }
      } else {
        for (size_t i = 0; i < pairs; ++i) {
          int t = test(e->args[2 * i].get());
          if (t < 0) return false;
          if (t == 1) return eval(e->args[2 * i + 1].get(), out);
        }
      }
      if (e->right) return eval(e->right.get(), out);
      *out = Value();
      return true;
    }
    case ExprKind::kCast: {
      Value v;
      if (!eval(e->left.get(), &v)) return false;
      *out = cast_value(v, e->affinity);
      return true;
    }
    case ExprKind::kIn:
      return eval_in(e, out);
    case ExprKind::kBetween: {
      Value x, low, high;
      if (!eval(e->left.get(), &x) || !eval(e->args[0].get(), &low) ||
          !eval(e->args[1].get(), &high)) {
        return false;
      }
      bool null1, null2;
      int c1 = compare_for_sql(x, low, comparison_affinity(e->left.get(), e->args[0].get()),
                               comparison_collation(e->left.get(), e->args[0].get()), &null1);
      int c2 = compare_for_sql(x, high, comparison_affinity(e->left.get(), e->args[1].get()),
                               comparison_collation(e->left.get(), e->args[1].get()), &null2);
      // x >= low AND x <= high, in three-valued logic.
      int a = null1 ? -1 : (c1 >= 0 ? 1 : 0);
      int b = null2 ? -1 : (c2 <= 0 ? 1 : 0);
      int r = (a == 0 || b == 0) ? 0 : (a == -1 || b == -1) ? -1 : 1;
      if (r == -1) {
        *out = Value();
      } else {
        *out = Value::boolean(e->negated ? r == 0 : r == 1);
      }
      return true;
    }
    case ExprKind::kLike: {
      Value text, pattern, escape;
      if (!eval(e->left.get(), &text) || !eval(e->right.get(), &pattern)) return false;
      if (e->escape && !eval(e->escape.get(), &escape)) return false;
      // A BLOB never matches LIKE or GLOB, even against NULL: the reference SQLite (Debian's
      // 3.40) is built with SQLITE_LIKE_DOESNT_MATCH_BLOBS, one of SQLite's recommended options.
      if (text.type() == ValueType::kBlob || pattern.type() == ValueType::kBlob) {
        *out = Value::boolean(e->negated);
        return true;
      }
      if (text.is_null() || pattern.is_null() || (e->escape && escape.is_null())) {
        *out = Value();
        return true;
      }
      bool match;
      if (e->name == "glob") {
        match = glob_match(pattern.to_text(), text.to_text());
      } else if (e->name == "like") {
        uint32_t esc = 0;
        if (e->escape) {
          std::string s = escape.to_text();
          if (s.empty()) return fail(Status::invalid_argument("ESCAPE expression must be a single character"));
          esc = static_cast<unsigned char>(s[0]);
          if (esc >= 0x80) {
            // Decode the UTF-8 escape character.
            size_t extra = esc >= 0xF0 ? 3 : esc >= 0xE0 ? 2 : 1;
            esc &= 0x3F >> extra;
            for (size_t k = 1; k <= extra && k < s.size(); ++k) esc = (esc << 6) | (s[k] & 0x3F);
          }
        }
        match = like_match(pattern.to_text(), text.to_text(), esc,
                           !connection_->case_sensitive_like());
      } else {
        return fail(Status::invalid_argument("no such function: " + e->name));
      }
      *out = Value::boolean(e->negated ? !match : match);
      return true;
    }
    case ExprKind::kIsNull: {
      Value v;
      if (!eval(e->left.get(), &v)) return false;
      *out = Value::boolean(e->negated ? !v.is_null() : v.is_null());
      return true;
    }
    case ExprKind::kExists:
      if (!run_subquery(*this, e->subquery)) return false;
      *out = Value::boolean(e->negated ? !e->subquery->exists : e->subquery->exists);
      return true;
    case ExprKind::kSubquery:
      if (!run_subquery(*this, e->subquery)) return false;
      *out = e->subquery->scalar;
      return true;
    case ExprKind::kCollate:
      return eval(e->left.get(), out);
    case ExprKind::kRaise:
      if (e->name == "ignore") return fail(Status(core::Code::kNotFound, "RAISE(IGNORE)"));
      return fail(Status::invalid_argument(e->value.to_text()));
    case ExprKind::kVector:
      return fail(Status::invalid_argument("row value misused"));
  }
  return fail(Status::internal("bad expression"));
}

bool Runtime::eval_comparison(const Expr* e, Value* out) {
  Value a, b;
  if (!eval(e->left.get(), &a) || !eval(e->right.get(), &b)) return false;
  if (e->op == Op::kIs || e->op == Op::kIsNot) {
    bool equal;
    if (a.is_null() || b.is_null()) {
      equal = a.is_null() && b.is_null();
    } else {
      bool is_null;
      equal = compare_for_sql(a, b, e->compare_affinity, e->collation, &is_null) == 0;
    }
    *out = Value::boolean(e->op == Op::kIs ? equal : !equal);
    return true;
  }
  bool is_null;
  int c = compare_for_sql(a, b, e->compare_affinity, e->collation, &is_null);
  if (is_null) {
    *out = Value();
    return true;
  }
  bool r = false;
  switch (e->op) {
    case Op::kEq: r = c == 0; break;
    case Op::kNe: r = c != 0; break;
    case Op::kLt: r = c < 0; break;
    case Op::kLe: r = c <= 0; break;
    case Op::kGt: r = c > 0; break;
    case Op::kGe: r = c >= 0; break;
    default: break;
  }
  *out = Value::boolean(r);
  return true;
}

bool Runtime::eval_binary(const Expr* e, Value* out) {
  switch (e->op) {
    case Op::kAnd:
    case Op::kOr: {
      Value a;
      if (!eval(e->left.get(), &a)) return false;
      int x = a.is_null() ? -1 : a.is_true() ? 1 : 0;
      bool is_and = e->op == Op::kAnd;
      if (is_and && x == 0) {
        *out = Value::integer(0);
        return true;
      }
      if (!is_and && x == 1) {
        *out = Value::integer(1);
        return true;
      }
      Value b;
      if (!eval(e->right.get(), &b)) return false;
      int y = b.is_null() ? -1 : b.is_true() ? 1 : 0;
      if (is_and) {
        if (y == 0) {
          *out = Value::integer(0);
        } else if (x == -1 || y == -1) {
          *out = Value();
        } else {
          *out = Value::integer(1);
        }
      } else {
        if (y == 1) {
          *out = Value::integer(1);
        } else if (x == -1 || y == -1) {
          *out = Value();
        } else {
          *out = Value::integer(0);
        }
      }
      return true;
    }
    case Op::kEq:
    case Op::kNe:
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe:
    case Op::kIs:
    case Op::kIsNot:
      return eval_comparison(e, out);
    default:
      break;
  }
  Value a, b;
  if (!eval(e->left.get(), &a) || !eval(e->right.get(), &b)) return false;
  if (a.is_null() || b.is_null()) {
    *out = Value();
    return true;
  }
  if (e->op == Op::kConcat) {
    std::string text = a.to_text();
    text += b.to_text();
    *out = Value::text(std::move(text));
    return true;
  }
  // Bit operations, and % on anything but two integers, read their operands as integers the
  // way SQLite's sqlite3VdbeIntValue() does: text by its leading integer ('1e2' is 1, not 100).
  switch (e->op) {
    case Op::kBitAnd:
      *out = Value::integer(a.to_int() & b.to_int());
      return true;
    case Op::kBitOr:
      *out = Value::integer(a.to_int() | b.to_int());
      return true;
    case Op::kShl:
    case Op::kShr: {
      int64_t v = a.to_int(), shift = b.to_int();
      bool left = e->op == Op::kShl;
      if (shift < 0) {
        left = !left;
        shift = shift == INT64_MIN ? 64 : -shift;
      }
      if (shift >= 64) {
        *out = Value::integer(!left && v < 0 ? -1 : 0);
      } else if (left) {
        *out = Value::integer(static_cast<int64_t>(static_cast<uint64_t>(v) << shift));
      } else {
        *out = Value::integer(v >> shift);
      }
      return true;
    }
    default:
      break;
  }
  Value x = to_number(a), y = to_number(b);
  if (x.type() == ValueType::kInteger && y.type() == ValueType::kInteger) {
    int64_t i = x.int_value(), j = y.int_value(), r;
    switch (e->op) {
      case Op::kAdd:
        if (!__builtin_add_overflow(i, j, &r)) {
          *out = Value::integer(r);
          return true;
        }
        break;
      case Op::kSub:
        if (!__builtin_sub_overflow(i, j, &r)) {
          *out = Value::integer(r);
          return true;
        }
        break;
      case Op::kMul:
        if (!__builtin_mul_overflow(i, j, &r)) {
          *out = Value::integer(r);
          return true;
        }
        break;
      case Op::kDiv:
        if (j == 0) {
          *out = Value();
          return true;
        }
        if (i == INT64_MIN && j == -1) break;
        *out = Value::integer(i / j);
        return true;
      case Op::kMod:
        if (j == 0) {
          *out = Value();
          return true;
        }
        *out = Value::integer(j == -1 ? 0 : i % j);
        return true;
      default:
        break;
    }
  }
  double p = x.to_real(), q = y.to_real();
  switch (e->op) {
    case Op::kAdd:
      *out = Value::real(p + q);
      return true;
    case Op::kSub:
      *out = Value::real(p - q);
      return true;
    case Op::kMul:
      *out = Value::real(p * q);
      return true;
    case Op::kDiv:
      if (q == 0) {
        *out = Value();
      } else {
        *out = Value::real(p / q);
      }
      return true;
    case Op::kMod: {
      int64_t i = a.to_int(), j = b.to_int();
      if (j == 0) {
        *out = Value();
        return true;
      }
      if (j == -1) j = 1;
      *out = Value::real(static_cast<double>(i % j));
      return true;
    }
    default:
      return fail(Status::internal("bad binary operator"));
  }
}

bool Runtime::eval_function(const Expr* e, Value* out) {
  if (e->aggregate >= 0) {
    CorePlan* owner = e->aggregate_owner;
    if (owner == nullptr || owner->current_group == nullptr) {
      *out = Value();
      return true;
    }
    *out = owner->current_group->results[e->aggregate];
    return true;
  }
  const std::string& name = e->name;
  // Functions that must not evaluate every argument.
  if (name == "coalesce" || name == "ifnull") {
    for (const auto& arg : e->args) {
      if (!eval(arg.get(), out)) return false;
      if (!out->is_null()) return true;
    }
    return true;
  }
  if (name == "iif") {
    int t = test(e->args[0].get());
    if (t < 0) return false;
    return eval(e->args[t == 1 ? 1 : 2].get(), out);
  }
  if (name == "nullif") {
    Value a, b;
    if (!eval(e->args[0].get(), &a) || !eval(e->args[1].get(), &b)) return false;
    bool is_null;
    int c = compare_for_sql(a, b, Affinity::kBlob,
                            comparison_collation(e->args[0].get(), e->args[1].get()), &is_null);
    *out = (!is_null && c == 0) ? Value() : std::move(a);
    return true;
  }
  Value stack[4];
  std::vector<Value> heap;
  Value* args = stack;
  int count = static_cast<int>(e->args.size());
  if (count > 4) {
    heap.resize(count);
    args = heap.data();
  }
  for (int i = 0; i < count; ++i) {
    if (!eval(e->args[i].get(), &args[i])) return false;
  }
  return e->function->scalar(*this, e, args, count, out);
}

bool Runtime::eval_in(const Expr* e, Value* out) {
  Value x;
  if (e->subquery == nullptr && e->args.empty()) {
    *out = Value::boolean(e->negated);
    return true;
  }
  if (!eval(e->left.get(), &x)) return false;
  int result;  // 1 found, 0 not found, -1 NULL
  if (e->subquery != nullptr) {
    if (!run_subquery(*this, e->subquery)) return false;
    Subquery* sq = e->subquery;
    if (sq->values.empty() && !sq->has_null) {
      result = 0;
    } else if (x.is_null()) {
      result = -1;
    } else {
      if (sq->in_affinity == Affinity::kNumeric) {
        apply_numeric_affinity(&x);
      } else if (sq->in_affinity == Affinity::kText) {
        apply_affinity(&x, Affinity::kText);
      }
      Collation collation = sq->in_collation;
      auto it = std::lower_bound(sq->values.begin(), sq->values.end(), x,
                                 [collation](const Value& a, const Value& b) {
                                   return compare_values(a, b, collation) < 0;
                                 });
      bool found = it != sq->values.end() && compare_values(*it, x, collation) == 0;
      result = found ? 1 : (sq->has_null ? -1 : 0);
    }
  } else {
    if (x.is_null()) {
      result = -1;
    } else {
      bool has_null = false;
      result = 0;
      for (const auto& item : e->args) {
        Value v;
        if (!eval(item.get(), &v)) return false;
        bool is_null;
        int c = compare_for_sql(x, v, e->compare_affinity, e->collation, &is_null);
        if (is_null) {
          has_null = true;
        } else if (c == 0) {
          result = 1;
          break;
        }
      }
      if (result == 0 && has_null) result = -1;
    }
  }
  if (result == -1) {
    *out = Value();
  } else {
    *out = Value::boolean(e->negated ? result == 0 : result == 1);
  }
  return true;
}

}  // namespace sfs::sql
