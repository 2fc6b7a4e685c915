// The expression half of the SQL parser: precedence climbing over the operator table in
// parser.h, primary expressions, and deep copies of trees (see parser.h).
#include <cstdlib>

#include "core/strings.h"
#include "systems/sql/parser.h"

namespace sfs::sql {

using core::Result;
using core::Status;

namespace {

// Binding power of a binary operator token, or 0 when the token is not one.
int binary_precedence(const Token& t, Op* op) {
  if (t.kind == TokenKind::kIdentifier) {
    switch (t.keyword) {
      case kw::kOR: *op = Op::kOr; return 1;
      case kw::kAND: *op = Op::kAnd; return 2;
      default: return 0;
    }
  }
  if (t.kind != TokenKind::kOperator) return 0;
  // Operator tokens are one or two characters: dispatch on them instead of comparing strings.
  std::string_view s = t.text;
  if (s.empty() || s.size() > 2) return 0;
  char a = s[0];
  char b = s.size() == 2 ? s[1] : '\0';
  auto set = [op](Op o, int precedence) {
    *op = o;
    return precedence;
  };
  switch (a) {
    case '=': return b == '\0' || b == '=' ? set(Op::kEq, 4) : 0;
    case '!': return b == '=' ? set(Op::kNe, 4) : 0;
    case '<':
      if (b == '\0') return set(Op::kLt, 5);
      if (b == '=') return set(Op::kLe, 5);
      if (b == '>') return set(Op::kNe, 4);
      if (b == '<') return set(Op::kShl, 6);
      return 0;
    case '>':
      if (b == '\0') return set(Op::kGt, 5);
      if (b == '=') return set(Op::kGe, 5);
      if (b == '>') return set(Op::kShr, 6);
      return 0;
    case '&': return b == '\0' ? set(Op::kBitAnd, 6) : 0;
    case '|':
      if (b == '\0') return set(Op::kBitOr, 6);
      if (b == '|') return set(Op::kConcat, 9);
      return 0;
    case '+': return b == '\0' ? set(Op::kAdd, 7) : 0;
    case '-': return b == '\0' ? set(Op::kSub, 7) : 0;
    case '*': return b == '\0' ? set(Op::kMul, 8) : 0;
    case '/': return b == '\0' ? set(Op::kDiv, 8) : 0;
    case '%': return b == '\0' ? set(Op::kMod, 8) : 0;
    default: return 0;
  }
}

ExprPtr make_expr(ExprKind kind, uint32_t offset) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->offset = offset;
  return e;
}

// An integer literal's value; decimal literals too big for 64 bits become REAL (as in SQLite).
Value integer_literal(const std::string& text, bool* ok) {
  *ok = true;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    if (text.size() - 2 > 16) {
      *ok = false;
      return Value();
    }
    uint64_t v = std::strtoull(text.c_str() + 2, nullptr, 16);
    return Value::integer(static_cast<int64_t>(v));
  }
  if (auto v = core::parse_int64(text)) return Value::integer(*v);
  return Value::real(std::strtod(text.c_str(), nullptr));
}

}  // namespace

// ---- expressions -----------------------------------------------------------------------------

Result<ExprPtr> Parser::parse_expr() { return parse_binary(1); }

Result<ExprPtr> Parser::parse_binary(int min_precedence) {
  if (++depth_ > kMaxDepth) return error_at(peek(), "expression nested too deeply");
  ExprPtr left;
  if (at(kw::kNOT) && min_precedence <= 3) {
    uint32_t offset = advance().offset;
    SFS_ASSIGN_OR_RETURN(ExprPtr operand, parse_binary(3));
    left = make_expr(ExprKind::kUnary, offset);
    left->op = Op::kNot;
    left->left = std::move(operand);
  } else {
    SFS_ASSIGN_OR_RETURN(left, parse_unary());
  }
  while (true) {
    const Token& t = peek();
    uint32_t offset = t.offset;
    Op op = Op::kNone;
    int precedence = binary_precedence(t, &op);
    if (precedence > 0) {
      if (precedence < min_precedence) break;
      advance();
      SFS_ASSIGN_OR_RETURN(ExprPtr right, parse_binary(precedence + 1));
      ExprPtr e = make_expr(ExprKind::kBinary, offset);
      e->op = op;
      e->left = std::move(left);
      e->right = std::move(right);
      left = std::move(e);
      continue;
    }
    // The comparison-level forms: IS, IN, LIKE, GLOB, BETWEEN, ISNULL, NOTNULL, NOT ...
    if (t.kind != TokenKind::kIdentifier || min_precedence > 4) break;
    bool negated = false;
    int look = 0;
    if (t.keyword == kw::kNOT) {
      uint16_t after = peek(1).kind == TokenKind::kIdentifier ? peek(1).keyword : 0;
      if (after != kw::kIN && after != kw::kLIKE && after != kw::kGLOB &&
          after != kw::kBETWEEN && after != kw::kNULL && after != kw::kREGEXP &&
          after != kw::kMATCH) {
        break;
      }
      negated = true;
      look = 1;
    }
    uint16_t keyword = peek(look).keyword;
    if (keyword == kw::kIS && !negated) {
      advance();
      bool is_not = accept(kw::kNOT);
      if (accept(kw::kDISTINCT)) {
        SFS_TRY(expect(kw::kFROM));
        is_not = !is_not;
      }
      SFS_ASSIGN_OR_RETURN(ExprPtr right, parse_binary(5));
      ExprPtr e = make_expr(ExprKind::kBinary, offset);
      e->op = is_not ? Op::kIsNot : Op::kIs;
      e->left = std::move(left);
      e->right = std::move(right);
      left = std::move(e);
    } else if (keyword == kw::kISNULL || keyword == kw::kNOTNULL ||
               (keyword == kw::kNULL && negated)) {
      for (int i = 0; i <= look; ++i) advance();
      ExprPtr e = make_expr(ExprKind::kIsNull, offset);
      e->negated = keyword != kw::kISNULL;
      e->left = std::move(left);
      left = std::move(e);
    } else if (keyword == kw::kBETWEEN) {
      for (int i = 0; i <= look; ++i) advance();
      SFS_ASSIGN_OR_RETURN(ExprPtr low, parse_binary(5));
      SFS_TRY(expect(kw::kAND));
      SFS_ASSIGN_OR_RETURN(ExprPtr high, parse_binary(5));
      ExprPtr e = make_expr(ExprKind::kBetween, offset);
      e->negated = negated;
      e->left = std::move(left);
      e->args.push_back(std::move(low));
      e->args.push_back(std::move(high));
      left = std::move(e);
    } else if (keyword == kw::kLIKE || keyword == kw::kGLOB || keyword == kw::kREGEXP ||
               keyword == kw::kMATCH) {
      for (int i = 0; i <= look; ++i) advance();
      SFS_ASSIGN_OR_RETURN(ExprPtr pattern, parse_binary(5));
      ExprPtr e = make_expr(ExprKind::kLike, offset);
      e->negated = negated;
      e->name = core::to_lower(keyword_name(keyword));
      e->left = std::move(left);
      e->right = std::move(pattern);
      if (accept(kw::kESCAPE)) {
        SFS_ASSIGN_OR_RETURN(e->escape, parse_binary(5));
      }
      left = std::move(e);
    } else if (keyword == kw::kIN) {
      for (int i = 0; i <= look; ++i) advance();
      ExprPtr e = make_expr(ExprKind::kIn, offset);
      e->negated = negated;
      e->left = std::move(left);
      if (accept_op("(")) {
        if (at(kw::kSELECT) || at(kw::kVALUES) || at(kw::kWITH)) {
          SFS_ASSIGN_OR_RETURN(e->select, parse_select());
        } else if (!at_op(")")) {
          do {
            SFS_ASSIGN_OR_RETURN(ExprPtr item, parse_expr());
            e->args.push_back(std::move(item));
          } while (accept_op(","));
        }
        SFS_TRY(expect_op(")"));
      } else if (is_name_token(peek())) {
        SFS_ASSIGN_OR_RETURN(e->table, parse_qualified_name());
        if (at_op("(")) return error_at(peek(), "table-valued functions are not supported");
      } else {
        return syntax_error();
      }
      left = std::move(e);
    } else {
      break;
    }
  }
  --depth_;
  return left;
}

Result<ExprPtr> Parser::parse_unary() {
  if (++depth_ > kMaxDepth) return error_at(peek(), "expression nested too deeply");
  const Token& t = peek();
  ExprPtr result;
  if (t.kind == TokenKind::kOperator && (t.text == "-" || t.text == "+" || t.text == "~")) {
    uint32_t offset = t.offset;
    char sign = t.text[0];
    advance();
    const Token& next = peek();
    if (sign == '-' && next.kind == TokenKind::kInteger && next.text == "9223372036854775808") {
      advance();
      result = make_expr(ExprKind::kLiteral, offset);
      result->value = Value::integer(INT64_MIN);
    } else {
      SFS_ASSIGN_OR_RETURN(ExprPtr operand, parse_unary());
      result = make_expr(ExprKind::kUnary, offset);
      result->op = sign == '-' ? Op::kNeg : sign == '+' ? Op::kPlus : Op::kBitNot;
      result->left = std::move(operand);
    }
  } else if (t.kind == TokenKind::kIdentifier && t.keyword == kw::kNOT) {
    uint32_t offset = advance().offset;
    SFS_ASSIGN_OR_RETURN(ExprPtr operand, parse_binary(3));
    result = make_expr(ExprKind::kUnary, offset);
    result->op = Op::kNot;
    result->left = std::move(operand);
  } else {
    SFS_ASSIGN_OR_RETURN(result, parse_primary());
  }
  while (at(kw::kCOLLATE)) {
    uint32_t offset = advance().offset;
    ExprPtr e = make_expr(ExprKind::kCollate, offset);
    SFS_ASSIGN_OR_RETURN(e->name, parse_name());
    e->left = std::move(result);
    result = std::move(e);
  }
  --depth_;
  return result;
}

Result<ExprPtr> Parser::parse_parameter(const Token& t) {
  ExprPtr e = make_expr(ExprKind::kParameter, t.offset);
  if (t.text == "?") {
    parameter_names_.emplace_back();
    e->param = static_cast<int>(parameter_names_.size());
  } else if (t.text[0] == '?') {
    auto n = core::parse_int64(t.text.substr(1));
    if (!n || *n < 1 || *n > 32766) {
      return error_at(t, "variable number must be between ?1 and ?32766");
    }
    if (static_cast<size_t>(*n) > parameter_names_.size()) parameter_names_.resize(*n);
    e->param = static_cast<int>(*n);
  } else {
    for (size_t i = 0; i < parameter_names_.size(); ++i) {
      if (parameter_names_[i] == t.text) {
        e->param = static_cast<int>(i + 1);
        return e;
      }
    }
    parameter_names_.push_back(t.text);
    e->param = static_cast<int>(parameter_names_.size());
  }
  return e;
}

Result<ExprPtr> Parser::parse_primary() {
  const Token& t = peek();
  uint32_t offset = t.offset;
  switch (t.kind) {
    case TokenKind::kInteger: {
      bool ok = true;
      ExprPtr e = make_expr(ExprKind::kLiteral, offset);
      e->value = integer_literal(t.text, &ok);
      if (!ok) return error_at(t, "hex literal too big: " + t.text);
      advance();
      return e;
    }
    case TokenKind::kFloat: {
      ExprPtr e = make_expr(ExprKind::kLiteral, offset);
      e->value = Value::real(std::strtod(t.text.c_str(), nullptr));
      advance();
      return e;
    }
    case TokenKind::kString: {
      ExprPtr e = make_expr(ExprKind::kLiteral, offset);
      e->value = Value::text(t.text);
      advance();
      return e;
    }
    case TokenKind::kBlob: {
      ExprPtr e = make_expr(ExprKind::kLiteral, offset);
      e->value = Value::blob(t.text);
      advance();
      return e;
    }
    case TokenKind::kParameter:
      advance();
      return parse_parameter(t);
    case TokenKind::kOperator: {
      if (t.text != "(") return syntax_error();
      advance();
      if (at(kw::kSELECT) || at(kw::kVALUES) || at(kw::kWITH)) {
        ExprPtr e = make_expr(ExprKind::kSubquery, offset);
        SFS_ASSIGN_OR_RETURN(e->select, parse_select());
        SFS_TRY(expect_op(")"));
        return e;
      }
      SFS_ASSIGN_OR_RETURN(ExprPtr inner, parse_expr());
      if (at_op(",")) {
        ExprPtr e = make_expr(ExprKind::kVector, offset);
        e->args.push_back(std::move(inner));
        while (accept_op(",")) {
          SFS_ASSIGN_OR_RETURN(ExprPtr item, parse_expr());
          e->args.push_back(std::move(item));
        }
        SFS_TRY(expect_op(")"));
        return e;
      }
      SFS_TRY(expect_op(")"));
      return inner;
    }
    case TokenKind::kQuotedIdentifier:
    case TokenKind::kIdentifier:
      break;
    case TokenKind::kEof:
      return syntax_error();
  }
  if (t.kind == TokenKind::kIdentifier) {
    switch (t.keyword) {
      case kw::kNULL: {
        advance();
        return make_expr(ExprKind::kLiteral, offset);
      }
      case kw::kCURRENT_TIME:
      case kw::kCURRENT_DATE:
      case kw::kCURRENT_TIMESTAMP: {
        ExprPtr e = make_expr(ExprKind::kFunction, offset);
        e->name = core::to_lower(t.text);
        advance();
        return e;
      }
      case kw::kCASE: {
        advance();
        ExprPtr e = make_expr(ExprKind::kCase, offset);
        if (!at(kw::kWHEN)) {
          SFS_ASSIGN_OR_RETURN(e->left, parse_expr());
        }
        if (!at(kw::kWHEN)) return syntax_error();
        while (accept(kw::kWHEN)) {
          SFS_ASSIGN_OR_RETURN(ExprPtr when, parse_expr());
          SFS_TRY(expect(kw::kTHEN));
          SFS_ASSIGN_OR_RETURN(ExprPtr then, parse_expr());
          e->args.push_back(std::move(when));
          e->args.push_back(std::move(then));
        }
        if (accept(kw::kELSE)) {
          SFS_ASSIGN_OR_RETURN(e->right, parse_expr());
        }
        SFS_TRY(expect(kw::kEND));
        return e;
      }
      case kw::kCAST: {
        advance();
        SFS_TRY(expect_op("("));
        ExprPtr e = make_expr(ExprKind::kCast, offset);
        SFS_ASSIGN_OR_RETURN(e->left, parse_expr());
        SFS_TRY(expect(kw::kAS));
        SFS_ASSIGN_OR_RETURN(e->name, parse_type_name());
        SFS_TRY(expect_op(")"));
        return e;
      }
      case kw::kEXISTS: {
        advance();
        SFS_TRY(expect_op("("));
        ExprPtr e = make_expr(ExprKind::kExists, offset);
        SFS_ASSIGN_OR_RETURN(e->select, parse_select());
        SFS_TRY(expect_op(")"));
        return e;
      }
      case kw::kRAISE: {
        advance();
        SFS_TRY(expect_op("("));
        ExprPtr e = make_expr(ExprKind::kRaise, offset);
        if (accept(kw::kIGNORE)) {
          e->name = "ignore";
        } else {
          if (accept(kw::kROLLBACK)) {
            e->name = "rollback";
          } else if (accept(kw::kABORT)) {
            e->name = "abort";
          } else if (accept(kw::kFAIL)) {
            e->name = "fail";
          } else {
            return syntax_error();
          }
          SFS_TRY(expect_op(","));
          if (peek().kind != TokenKind::kString) return syntax_error();
          e->value = Value::text(advance().text);
        }
        SFS_TRY(expect_op(")"));
        return e;
      }
      default:
        if (is_reserved(t.keyword)) return syntax_error();
        break;
    }
  }
  // A name: a column, table.column, or a function call.
  std::string name = advance().text;
  if (t.kind == TokenKind::kIdentifier && at_op("(")) {
    advance();
    ExprPtr e = make_expr(ExprKind::kFunction, offset);
    e->name = core::to_lower(name);
    if (accept_op("*")) {
      e->star = true;
    } else if (!at_op(")")) {
      if (accept(kw::kDISTINCT)) {
        e->distinct = true;
      } else {
        accept(kw::kALL);
      }
      do {
        SFS_ASSIGN_OR_RETURN(ExprPtr arg, parse_expr());
        e->args.push_back(std::move(arg));
      } while (accept_op(","));
    }
    SFS_TRY(expect_op(")"));
    if (at(kw::kOVER)) return error_at(peek(), "window functions are not supported");
    return e;
  }
  ExprPtr e = make_expr(ExprKind::kColumn, offset);
  e->name = std::move(name);
  e->double_quoted = t.kind == TokenKind::kQuotedIdentifier && !t.raw.empty() && t.raw[0] == '"';
  if (at_op(".")) {
    advance();
    if (!is_name_token(peek()) && !(peek().kind == TokenKind::kIdentifier)) return syntax_error();
    e->table = std::move(e->name);
    e->name = advance().text;
    if (at_op(".")) {  // schema.table.column
      advance();
      if (!is_name_token(peek()) && !(peek().kind == TokenKind::kIdentifier)) return syntax_error();
      e->table = std::move(e->name);
      e->name = advance().text;
    }
  }
  return e;
}

// ---- cloning -------------------------------------------------------------------------------

std::unique_ptr<Expr> Expr::clone() const {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->op = op;
  e->negated = negated;
  e->distinct = distinct;
  e->star = star;
  e->double_quoted = double_quoted;
  e->offset = offset;
  e->value = value;
  e->param = param;
  e->table = table;
  e->name = name;
  if (left) e->left = left->clone();
  if (right) e->right = right->clone();
  if (escape) e->escape = escape->clone();
  for (const auto& arg : args) e->args.push_back(arg->clone());
  if (select) e->select = select->clone();
  return e;
}

namespace {
std::unique_ptr<FromItem> clone_from(const FromItem& item) {
  auto copy = std::make_unique<FromItem>();
  copy->kind = item.kind;
  copy->offset = item.offset;
  copy->name = item.name;
  copy->alias = item.alias;
  if (item.subquery) copy->subquery = item.subquery->clone();
  if (item.left) copy->left = clone_from(*item.left);
  if (item.right) copy->right = clone_from(*item.right);
  copy->join = item.join;
  copy->natural = item.natural;
  if (item.on) copy->on = item.on->clone();
  copy->using_columns = item.using_columns;
  copy->indexed_by = item.indexed_by;
  copy->not_indexed = item.not_indexed;
  return copy;
}
}  // namespace

std::unique_ptr<Select> Select::clone() const {
  auto copy = std::make_unique<Select>();
  copy->offset = offset;
  copy->recursive = recursive;
  for (const auto& cte : with) {
    CommonTable c;
    c.name = cte.name;
    c.columns = cte.columns;
    c.select = cte.select->clone();
    copy->with.push_back(std::move(c));
  }
  for (const auto& core : cores) {
    SelectCore c;
    c.distinct = core.distinct;
    for (const auto& column : core.columns) {
      ResultColumn rc;
      if (column.expr) rc.expr = column.expr->clone();
      rc.star = column.star;
      rc.star_table = column.star_table;
      rc.alias = column.alias;
      rc.text = column.text;
      c.columns.push_back(std::move(rc));
    }
    if (core.from) c.from = clone_from(*core.from);
    if (core.where) c.where = core.where->clone();
    for (const auto& g : core.group_by) c.group_by.push_back(g->clone());
    if (core.having) c.having = core.having->clone();
    for (const auto& row : core.values) {
      std::vector<ExprPtr> r;
      for (const auto& v : row) r.push_back(v->clone());
      c.values.push_back(std::move(r));
    }
    copy->cores.push_back(std::move(c));
  }
  copy->ops = ops;
  for (const auto& term : order_by) {
    OrderTerm t;
    t.expr = term.expr->clone();
    t.desc = term.desc;
    t.nulls = term.nulls;
    copy->order_by.push_back(std::move(t));
  }
  if (limit) copy->limit = limit->clone();
  if (offset_expr) copy->offset_expr = offset_expr->clone();
  return copy;
}

}  // namespace sfs::sql
