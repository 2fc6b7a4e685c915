// The compiler's first half: from a parsed SELECT to a QueryPlan whose expressions are bound to
// their sources (name resolution), with aggregates, subqueries, views and CTEs set up. The
// second half, choosing join order and access paths, is planner.cc.
//
// Name resolution walks scopes from the innermost query outwards, as SQL requires: a column
// found in an enclosing query makes every subquery in between *correlated* (re-run per outer
// row instead of once). Unqualified names must be unique across a query's FROM items; result
// column aliases can stand in WHERE, GROUP BY, HAVING and ORDER BY (an SQLite extension), and a
// "double-quoted" name that matches nothing is a string, as SQLite has always allowed.
//
// In an aggregate query, a column read outside any aggregate's argument (a "bare" column, or a
// correlated reference from a subquery in the select list) is *captured*: each group keeps the
// value from its first row, as SQLite 3.40 does — or, when the query's only aggregate is min()
// or max(), from the row that supplied the extreme, which is SQLite's documented behaviour.
#include <algorithm>

#include "core/strings.h"
#include "systems/sql/database.h"
#include "systems/sql/engine.h"

namespace sfs::sql {


namespace {

bool contains_aggregate(const Expr* e) {
  if (e == nullptr) return false;
  if (e->kind == ExprKind::kFunction) {
    int count = e->star ? 0 : static_cast<int>(e->args.size());
    if (is_aggregate_function(e->name, count)) return true;
  }
  if (e->kind == ExprKind::kSubquery || e->kind == ExprKind::kExists) return false;
  if (contains_aggregate(e->left.get()) || contains_aggregate(e->right.get()) ||
      contains_aggregate(e->escape.get())) {
    return true;
  }
  for (const auto& arg : e->args) {
    if (contains_aggregate(arg.get())) return true;
  }
  return false;
}

ExprPtr column_expr(Source* source, int column, const std::string& name) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kColumn;
  e->name = name;
  e->table = source->name;
  e->source = source;
  e->column = column;
  e->affinity = column >= 0 ? source->affinities[column] : Affinity::kInteger;
  e->collation = column >= 0 ? source->collations[column] : Collation::kBinary;
  return e;
}

int find_source_column(const Source* source, std::string_view name, bool include_hidden) {
  for (size_t i = 0; i < source->columns.size(); ++i) {
    if ((include_hidden || !source->hidden[i]) && core::iequals(source->columns[i], name)) {
      return static_cast<int>(i);
    }
  }
  if (source->table != nullptr && !source->pseudo) {
    if (core::iequals(name, "rowid") || core::iequals(name, "oid") ||
        core::iequals(name, "_rowid_")) {
      return kRowidColumn;
    }
  }
  if (source->pseudo && source->table != nullptr &&
      (core::iequals(name, "rowid") || core::iequals(name, "oid") ||
       core::iequals(name, "_rowid_"))) {
    return kRowidColumn;
  }
  return -1;
}

class Resolver {
 public:
  explicit Resolver(Compiler* compiler) : compiler_(compiler) {}

  Status resolve(Expr* e, Scope* scope);

 private:
  Status resolve_column(Expr* e, Scope* scope);
  Status resolve_function(Expr* e, Scope* scope);
  Status compile_subquery(Expr* e, Scope* scope, Subquery::Kind kind);

  Compiler* compiler_;
};

Status Resolver::resolve_column(Expr* e, Scope* scope) {
  Scope* found_scope = nullptr;
  Source* found = nullptr;
  int column = -1;
  for (Scope* s = scope; s != nullptr && found == nullptr; s = s->parent) {
    if (!e->table.empty()) {
      for (Source* source : s->sources) {
        if (!core::iequals(source->name, e->table)) continue;
        int c = find_source_column(source, e->name, true);
        if (c == -1) return Status::invalid_argument("no such column: " + e->table + "." + e->name);
        found = source;
        column = c;
        found_scope = s;
        break;
      }
      continue;
    }
    int matches = 0;
    for (Source* source : s->sources) {
      int c = find_source_column(source, e->name, false);
      if (c == -1) continue;
      if (c == kRowidColumn && source->subplan != nullptr) continue;
      if (matches++ == 0) {
        found = source;
        column = c;
        found_scope = s;
      }
    }
    if (matches > 1) {
      // rowid with several tables is ambiguous too
      return Status::invalid_argument("ambiguous column name: " + e->name);
    }
    if (found == nullptr && s->aliases != nullptr && s->alias_depth < 8) {
      for (ResultColumn& rc : *s->aliases) {
        if (!rc.alias.empty() && core::iequals(rc.alias, e->name) && rc.expr) {
          // Replace this node with a copy of the aliased expression, resolved here.
          ExprPtr copy = rc.expr->clone();
          uint32_t offset = e->offset;
          *e = std::move(*copy);
          e->offset = offset;
          ++s->alias_depth;
          Status status = resolve(e, scope);
          --s->alias_depth;
          return status;
        }
      }
    }
  }
  if (found == nullptr) {
    if (e->table.empty() && e->double_quoted) {
      // SQLite's legacy rule: a "quoted" name that is no column is a string literal.
      std::string text = e->name;
      e->kind = ExprKind::kLiteral;
      e->value = Value::text(text);
      e->constant = true;
      return Status::ok();
    }
    return Status::invalid_argument("no such column: " +
                                    (e->table.empty() ? e->name : e->table + "." + e->name));
  }
  e->source = found;
  e->column = column;
  if (column >= 0) {
    e->affinity = found->affinities[column];
    e->collation = found->collations[column];
  } else {
    e->affinity = Affinity::kInteger;
    e->collation = Collation::kBinary;
  }
  // Everything between here and where the column lives is correlated.
  for (Scope* s = scope; s != found_scope; s = s->parent) {
    if (s->subquery != nullptr) s->subquery->correlated = true;
  }
  CorePlan* core = found_scope->core;
  if (core != nullptr && core->aggregate && found_scope->in_output &&
      !found_scope->in_aggregate_arg) {
    e->capture_owner = core;
    e->capture = static_cast<int>(core->captures.size());
    core->captures.push_back(e);
  }
  return Status::ok();
}

Status Resolver::resolve_function(Expr* e, Scope* scope) {
  int count = e->star ? 0 : static_cast<int>(e->args.size());
  bool wrong_count = false;
  const FunctionDef* def = find_function(e->name, count, &wrong_count);
  if (def == nullptr) {
    if (wrong_count) {
      return Status::invalid_argument("wrong number of arguments to function " + e->name + "()");
    }
    return Status::invalid_argument("no such function: " + e->name);
  }
  e->function = def;
  if (def->aggregate == AggregateKind::kNone) {
    if (e->star) return Status::invalid_argument("wrong number of arguments to function " + e->name + "()");
    if (e->distinct) {
      return Status::invalid_argument("DISTINCT aggregates must have exactly one argument");
    }
    for (auto& arg : e->args) SFS_TRY(resolve(arg.get(), scope));
    if ((e->name == "min" || e->name == "max") && !e->args.empty()) {
      e->collation = e->args[0]->collation;
      for (const auto& arg : e->args) {
        if (arg->explicit_collation) {
          e->collation = arg->collation;
          break;
        }
      }
    }
    bool all_constant = def->deterministic;
    for (const auto& arg : e->args) all_constant = all_constant && arg->constant;
    e->constant = all_constant;
    return Status::ok();
  }
  if (!scope->allow_aggregates || scope->in_aggregate_arg || scope->core == nullptr) {
    return Status::invalid_argument("misuse of aggregate function " + e->name + "()");
  }
  if (e->distinct && e->args.size() != 1) {
    return Status::invalid_argument("DISTINCT aggregates must have exactly one argument");
  }
  bool saved_arg = scope->in_aggregate_arg;
  scope->in_aggregate_arg = true;
  for (auto& arg : e->args) {
    Status status = resolve(arg.get(), scope);
    if (!status.is_ok()) {
      scope->in_aggregate_arg = saved_arg;
      return status;
    }
  }
  scope->in_aggregate_arg = saved_arg;
  AggregateCall call;
  call.function = def;
  call.call = e;
  call.distinct = e->distinct;
  if (!e->args.empty()) call.collation = e->args[0]->collation;
  e->aggregate = static_cast<int>(scope->core->aggregates.size());
  e->aggregate_owner = scope->core;
  if (e->star || (def->aggregate == AggregateKind::kCount && e->args.empty())) {
    // count(*) — count() behaves the same.
  }
  if (!e->args.empty()) e->collation = e->args[0]->collation;
  scope->core->aggregates.push_back(call);
  return Status::ok();
}

Status Resolver::compile_subquery(Expr* e, Scope* scope, Subquery::Kind kind) {
  auto subquery = std::make_unique<Subquery>();
  subquery->kind = kind;
  Scope bridge;  // carries the link to the enclosing scopes and marks correlation
  bridge.parent = scope;
  bridge.subquery = subquery.get();
  std::unique_ptr<Select> table_select;
  Select* select = e->select.get();
  if (select == nullptr) {
    // x IN table: the same as x IN (SELECT * FROM table).
    table_select = std::make_unique<Select>();
    SelectCore core;
    ResultColumn star;
    star.star = true;
    core.columns.push_back(std::move(star));
    core.from = std::make_unique<FromItem>();
    core.from->name = e->table;
    table_select->cores.push_back(std::move(core));
    select = table_select.get();
  }
  SFS_ASSIGN_OR_RETURN(subquery->plan, compiler_->compile_select(select, &bridge));
  if (table_select) subquery->plan->owned_selects.push_back(std::move(table_select));
  size_t columns = subquery->plan->names.size();
  if (kind != Subquery::Kind::kExists && columns != 1) {
    return Status::invalid_argument("sub-select returns " + std::to_string(columns) +
                                    " columns - expected 1");
  }
  if (kind == Subquery::Kind::kScalar) {
    e->affinity = subquery->plan->affinities[0];
    e->collation = subquery->plan->collations[0];
  } else if (kind == Subquery::Kind::kIn) {
    // The affinity of "x = column" (sqlite3CompareAffinity) and x's collation.
    Expr probe;
    probe.affinity = subquery->plan->affinities[0];
    probe.collation = subquery->plan->collations[0];
    probe.kind = ExprKind::kColumn;
    subquery->in_affinity = comparison_affinity(e->left.get(), &probe);
    subquery->in_collation = comparison_collation(e->left.get(), &probe);
  }
  e->subquery = subquery.get();
  Scope* owner_scope = scope;
  while (owner_scope != nullptr && owner_scope->subquery_owner == nullptr) owner_scope = owner_scope->parent;
  if (owner_scope == nullptr) return Status::internal("no owner for a subquery");
  owner_scope->subquery_owner->push_back(std::move(subquery));
  return Status::ok();
}

Status Resolver::resolve(Expr* e, Scope* scope) {
  switch (e->kind) {
    case ExprKind::kLiteral:
      e->constant = true;
      return Status::ok();
    case ExprKind::kParameter:
      return Status::ok();
    case ExprKind::kColumn:
      return resolve_column(e, scope);
    case ExprKind::kFunction:
      return resolve_function(e, scope);
    case ExprKind::kUnary:
      SFS_TRY(resolve(e->left.get(), scope));
      e->constant = e->left->constant;
      e->affinity = Affinity::kNone;  // even +column: "any operator" removes the affinity
      // ... but not the collation: +x and CAST(x AS ...) keep x's (sqlite3ExprCollSeq()).
      if (e->op == Op::kPlus) e->collation = expression_collation(e->left.get());
      return Status::ok();
    case ExprKind::kBinary:
      SFS_TRY(resolve(e->left.get(), scope));
      SFS_TRY(resolve(e->right.get(), scope));
      e->constant = e->left->constant && e->right->constant;
      switch (e->op) {
        case Op::kEq: case Op::kNe: case Op::kLt: case Op::kLe: case Op::kGt: case Op::kGe:
        case Op::kIs: case Op::kIsNot:
          e->compare_affinity = comparison_affinity(e->left.get(), e->right.get());
          e->collation = comparison_collation(e->left.get(), e->right.get());
          break;
        default:
          break;
      }
      return Status::ok();
    case ExprKind::kCase: {
      bool constant = true;
      if (e->left) {
        SFS_TRY(resolve(e->left.get(), scope));
        constant = e->left->constant;
      }
      for (auto& arg : e->args) {
        SFS_TRY(resolve(arg.get(), scope));
        constant = constant && arg->constant;
      }
      if (e->right) {
        SFS_TRY(resolve(e->right.get(), scope));
        constant = constant && e->right->constant;
      }
      e->constant = constant;
      return Status::ok();
    }
    case ExprKind::kCast:
      SFS_TRY(resolve(e->left.get(), scope));
      e->constant = e->left->constant;
      e->affinity = affinity_from_declared_type(e->name);
      e->collation = expression_collation(e->left.get());
      return Status::ok();
    case ExprKind::kCollate: {
      SFS_TRY(resolve(e->left.get(), scope));
      bool known;
      e->collation = collation_from_name(e->name, &known);
      if (!known) return Status::invalid_argument("no such collation sequence: " + e->name);
      e->explicit_collation = true;
      e->affinity = e->left->affinity;
      e->constant = e->left->constant;
      return Status::ok();
    }
    case ExprKind::kIn: {
      SFS_TRY(resolve(e->left.get(), scope));
      if (e->select || !e->table.empty()) {
        return compile_subquery(e, scope, Subquery::Kind::kIn);
      }
      bool constant = e->left->constant;
      for (auto& arg : e->args) {
        SFS_TRY(resolve(arg.get(), scope));
        constant = constant && arg->constant;
      }
      e->constant = constant;
      Affinity left = e->left->affinity;
      e->compare_affinity = (left == Affinity::kInteger || left == Affinity::kReal ||
                             left == Affinity::kNumeric)
                                ? Affinity::kNumeric
                                : left;
      e->collation = expression_collation(e->left.get());
      return Status::ok();
    }
    case ExprKind::kBetween:
      SFS_TRY(resolve(e->left.get(), scope));
      SFS_TRY(resolve(e->args[0].get(), scope));
      SFS_TRY(resolve(e->args[1].get(), scope));
      e->constant = e->left->constant && e->args[0]->constant && e->args[1]->constant;
      return Status::ok();
    case ExprKind::kLike:
      SFS_TRY(resolve(e->left.get(), scope));
      SFS_TRY(resolve(e->right.get(), scope));
      if (e->escape) SFS_TRY(resolve(e->escape.get(), scope));
      if (e->name == "regexp" || e->name == "match") {
        return Status::invalid_argument("no such function: " + core::to_upper(e->name));
      }
      e->constant = e->left->constant && e->right->constant;
      return Status::ok();
    case ExprKind::kIsNull:
      SFS_TRY(resolve(e->left.get(), scope));
      e->constant = e->left->constant;
      return Status::ok();
    case ExprKind::kExists:
      return compile_subquery(e, scope, Subquery::Kind::kExists);
    case ExprKind::kSubquery:
      return compile_subquery(e, scope, Subquery::Kind::kScalar);
    case ExprKind::kRaise:
      return Status::ok();
    case ExprKind::kVector:
      for (auto& arg : e->args) SFS_TRY(resolve(arg.get(), scope));
      return Status::invalid_argument("row value misused");
  }
  return Status::internal("unknown expression kind");
}

Source* new_table_source(CorePlan* core, TableInfo* table, const std::string& alias) {
  auto source = std::make_unique<Source>();
  source->name = alias.empty() ? table->name : alias;
  source->table = table;
  size_t n = table->columns.size();
  source->columns.reserve(n);
  source->affinities.reserve(n);
  source->collations.reserve(n);
  source->hidden.assign(n, false);
  for (const ColumnInfo& column : table->columns) {
    source->columns.push_back(column.name);
    source->affinities.push_back(column.affinity);
    source->collations.push_back(column.collation);
  }
  source->index = static_cast<int>(core->sources.size());
  source->bit = uint64_t{1} << std::min(source->index, 63);
  core->sources.push_back(std::move(source));
  return core->sources.back().get();
}

Source* new_subquery_source(CorePlan* core, std::unique_ptr<QueryPlan> plan,
                            const std::string& name, const std::vector<std::string>& names) {
  auto source = std::make_unique<Source>();
  source->name = name;
  for (size_t i = 0; i < plan->names.size(); ++i) {
    source->columns.push_back(i < names.size() ? names[i] : plan->names[i]);
    source->affinities.push_back(plan->affinities[i]);
    source->collations.push_back(plan->collations[i]);
    source->hidden.push_back(false);
  }
  source->subplan = std::move(plan);
  source->index = static_cast<int>(core->sources.size());
  source->bit = uint64_t{1} << std::min(source->index, 63);
  core->sources.push_back(std::move(source));
  return core->sources.back().get();
}

}  // namespace

// ---- FROM clauses ----------------------------------------------------------------------------

namespace {

struct FromContext {
  Compiler* compiler;
  CorePlan* core;
  QueryPlan* plan;
  Scope* outer;
  std::vector<Expr*>* where;                  // ON terms of inner joins join the WHERE
  std::vector<std::vector<Expr*>>* on_terms;  // per source: ON terms of LEFT JOINs
};

Status add_from(FromContext& ctx, FromItem* item, Resolver& resolver);

Status add_leaf(FromContext& ctx, FromItem* item) {
  Compiler* compiler = ctx.compiler;
  Connection* connection = compiler->connection();
  if (item->kind == FromItem::Kind::kSubquery) {
    SFS_ASSIGN_OR_RETURN(std::unique_ptr<QueryPlan> plan,
                         compiler->compile_select(item->subquery.get(), ctx.outer));
    std::string name = item->alias.empty() ? "(subquery)" : item->alias;
    new_subquery_source(ctx.core, std::move(plan), name, {});
    return Status::ok();
  }
  // A common table expression, innermost WITH first.
  for (auto it = compiler->ctes.rbegin(); it != compiler->ctes.rend(); ++it) {
    for (const CommonTable& cte : *it->tables) {
      if (!core::iequals(cte.name, item->name)) continue;
      auto select = cte.select->clone();
      // A CTE that names itself would expand forever: recursive CTEs are not supported, and
      // the depth guard turns them into an error.
      static thread_local int depth = 0;
      if (depth > 32) return Status::invalid_argument("circular reference: " + cte.name);
      ++depth;
      auto plan = compiler->compile_select(select.get(), nullptr);
      --depth;
      if (!plan.is_ok()) return plan.status();
      if (!cte.columns.empty() && cte.columns.size() != (*plan)->names.size()) {
        return Status::invalid_argument("table " + cte.name + " has " +
                                        std::to_string((*plan)->names.size()) +
                                        " values for " + std::to_string(cte.columns.size()) +
                                        " columns");
      }
      (*plan)->owned_selects.push_back(std::move(select));
      new_subquery_source(ctx.core, std::move(*plan), item->alias.empty() ? cte.name : item->alias,
                          cte.columns);
      return Status::ok();
    }
  }
  Catalog& catalog = connection->catalog();
  if (TableInfo* table = catalog.find_table(item->name)) {
    if (!item->indexed_by.empty()) {
      // INDEXED BY is checked (the index must exist) but the planner still chooses freely.
      IndexInfo* index = catalog.find_index(item->indexed_by);
      if (index == nullptr || index->table != table) {
        return Status::invalid_argument("no such index: " + item->indexed_by);
      }
    }
    new_table_source(ctx.core, table, item->alias);
    return Status::ok();
  }
  if (ViewInfo* view = catalog.find_view(item->name)) {
    static thread_local int depth = 0;
    if (depth > 32) return Status::invalid_argument("view " + view->name + " is circularly defined");
    auto select = view->select->clone();
    ++depth;
    std::vector<Compiler::CteScope> saved;
    saved.swap(compiler->ctes);  // a view sees no CTEs of the query using it
    auto plan = compiler->compile_select(select.get(), nullptr);
    saved.swap(compiler->ctes);
    --depth;
    if (!plan.is_ok()) return plan.status();
    if (!view->columns.empty() && view->columns.size() != (*plan)->names.size()) {
      return Status::invalid_argument("expected " + std::to_string(view->columns.size()) +
                                      " columns for '" + view->name + "' but got " +
                                      std::to_string((*plan)->names.size()));
    }
    (*plan)->owned_selects.push_back(std::move(select));
    new_subquery_source(ctx.core, std::move(*plan), item->alias.empty() ? view->name : item->alias,
                        view->columns);
    return Status::ok();
  }
  return Status::invalid_argument("no such table: " + item->name);
}

Status add_from(FromContext& ctx, FromItem* item, Resolver& resolver) {
  if (item->kind != FromItem::Kind::kJoin) return add_leaf(ctx, item);
  SFS_TRY(add_from(ctx, item->left.get(), resolver));
  size_t left_end = ctx.core->sources.size();
  if (item->join == JoinType::kRight || item->join == JoinType::kFull) {
    return Status::unsupported("RIGHT and FULL OUTER JOINs are not supported");
  }
  if (item->right->kind == FromItem::Kind::kJoin && item->join == JoinType::kLeft) {
    return Status::unsupported("a LEFT JOIN onto a parenthesized join is not supported");
  }
  SFS_TRY(add_from(ctx, item->right.get(), resolver));
  Source* right = ctx.core->sources.back().get();
  bool left_join = item->join == JoinType::kLeft;
  if (left_join) right->left_join = true;
  ctx.on_terms->resize(ctx.core->sources.size());
  // The scope an ON clause sees: every source so far.
  Scope scope;
  scope.core = ctx.core;
  for (auto& s : ctx.core->sources) scope.sources.push_back(s.get());
  scope.parent = ctx.outer;
  scope.subquery_owner = &ctx.plan->subqueries;
  std::vector<Expr*> conditions;
  // NATURAL joins and USING name the shared columns; each becomes left.c = right.c.
  std::vector<std::string> using_columns = item->using_columns;
  if (item->natural) {
    for (size_t i = 0; i < right->columns.size(); ++i) {
      for (size_t s = 0; s < left_end; ++s) {
        if (find_source_column(ctx.core->sources[s].get(), right->columns[i], false) >= 0) {
          using_columns.push_back(right->columns[i]);
          break;
        }
      }
    }
  }
  for (const std::string& name : using_columns) {
    int right_column = find_source_column(right, name, true);
    Source* left = nullptr;
    int left_column = -1;
    for (size_t s = 0; s < left_end && left == nullptr; ++s) {
      int c = find_source_column(ctx.core->sources[s].get(), name, false);
      if (c >= 0) {
        left = ctx.core->sources[s].get();
        left_column = c;
      }
    }
    if (right_column < 0 || left == nullptr) {
      return Status::invalid_argument("cannot join using column " + name +
                                      " - column not present in both tables");
    }
    auto eq = std::make_unique<Expr>();
    eq->kind = ExprKind::kBinary;
    eq->op = Op::kEq;
    eq->left = column_expr(left, left_column, name);
    eq->right = column_expr(right, right_column, name);
    eq->compare_affinity = comparison_affinity(eq->left.get(), eq->right.get());
    eq->collation = comparison_collation(eq->left.get(), eq->right.get());
    conditions.push_back(eq.get());
    ctx.core->owned.push_back(std::move(eq));
    right->hidden[right_column] = true;
  }
  if (item->on) {
    SFS_TRY(resolver.resolve(item->on.get(), &scope));
    split_conjuncts(item->on.get(), &conditions);
  }
  for (Expr* condition : conditions) {
    if (left_join) {
      (*ctx.on_terms)[right->index].push_back(condition);
    } else {
      ctx.where->push_back(condition);
    }
  }
  return Status::ok();
}

// The name of a result column: its alias, the column's name, or the expression as written.
std::string result_name(const ResultColumn& rc) {
  if (!rc.alias.empty()) return rc.alias;
  const Expr* e = rc.expr.get();
  if (e->kind == ExprKind::kColumn && e->source != nullptr) {
    if (e->column >= 0) return e->source->columns[e->column];
    return e->name;
  }
  return rc.text;
}

bool is_integer_literal(const Expr* e, int64_t* value) {
  if (e->kind == ExprKind::kLiteral && e->value.type() == ValueType::kInteger) {
    *value = e->value.int_value();
    return true;
  }
  return false;
}

}  // namespace

void split_conjuncts(Expr* e, std::vector<Expr*>* out) {
  if (e->kind == ExprKind::kBinary && e->op == Op::kAnd) {
    split_conjuncts(e->left.get(), out);
    split_conjuncts(e->right.get(), out);
  } else {
    out->push_back(e);
  }
}

// ---- SELECT ----------------------------------------------------------------------------------

Result<std::unique_ptr<QueryPlan>> Compiler::compile_select(Select* select, Scope* outer) {
  auto plan = std::make_unique<QueryPlan>();
  if (!select->with.empty()) ctes.push_back({&select->with, select->recursive});
  struct PopCtes {
    Compiler* compiler;
    bool active;
    ~PopCtes() {
      if (active) compiler->ctes.pop_back();
    }
  } pop{this, !select->with.empty()};
  Resolver resolver(this);
  bool single = select->cores.size() == 1;
  for (size_t i = 0; i < select->cores.size(); ++i) {
    SelectCore& c = select->cores[i];
    auto core = std::make_unique<CorePlan>();
    CorePlan* cp = core.get();
    plan->cores.push_back(std::move(core));
    Scope scope;
    scope.core = cp;
    scope.parent = outer;
    scope.subquery_owner = &plan->subqueries;
    if (!c.values.empty()) {
      for (auto& row : c.values) {
        std::vector<Expr*> exprs;
        for (auto& v : row) {
          SFS_TRY(resolver.resolve(v.get(), &scope));
          exprs.push_back(v.get());
        }
        cp->values.push_back(std::move(exprs));
      }
      for (size_t k = 0; k < c.values[0].size(); ++k) {
        cp->names.push_back("column" + std::to_string(k + 1));
        cp->columns.push_back(c.values[0][k].get());
      }
      if (single) {
        // ORDER BY of a bare VALUES: result column numbers only.
        for (size_t t = 0; t < select->order_by.size(); ++t) {
          OrderTerm& term = select->order_by[t];
          int64_t number;
          if (!is_integer_literal(term.expr.get(), &number) || number < 1 ||
              number > static_cast<int64_t>(cp->columns.size())) {
            return Status::invalid_argument("ORDER BY term does not match any column in the result set");
          }
          OrderKey key;
          key.column = static_cast<int>(number - 1);
          key.desc = term.desc;
          key.nulls = term.nulls;
          plan->order.push_back(key);
        }
      }
      continue;
    }
    std::vector<Expr*> where;
    std::vector<std::vector<Expr*>> on_terms;
    if (c.from) {
      FromContext ctx{this, cp, plan.get(), outer, &where, &on_terms};
      SFS_TRY(add_from(ctx, c.from.get(), resolver));
      if (cp->sources.size() > 64) return Status::limit_exceeded("at most 64 tables in a join");
    }
    on_terms.resize(cp->sources.size());
    for (auto& s : cp->sources) scope.sources.push_back(s.get());
    // Is this an aggregate query? (Decided before resolution: bare columns depend on it.)
    cp->aggregate = !c.group_by.empty() || contains_aggregate(c.having.get());
    for (const auto& rc : c.columns) cp->aggregate = cp->aggregate || contains_aggregate(rc.expr.get());
    if (single) {
      for (const auto& term : select->order_by) {
        cp->aggregate = cp->aggregate || contains_aggregate(term.expr.get());
      }
    }
    // Result columns, with * expanded.
    scope.in_output = true;
    scope.allow_aggregates = true;
    std::vector<ResultColumn> expanded_aliases;
    cp->columns.reserve(c.columns.size());
    cp->names.reserve(c.columns.size());
    for (ResultColumn& rc : c.columns) {
      if (rc.star) {
        bool any = false;
        for (auto& source : cp->sources) {
          if (!rc.star_table.empty() && !core::iequals(source->name, rc.star_table)) continue;
          any = true;
          for (size_t k = 0; k < source->columns.size(); ++k) {
            if (source->hidden[k]) continue;
            ExprPtr e = column_expr(source.get(), static_cast<int>(k), source->columns[k]);
            if (cp->aggregate) {
              e->capture_owner = cp;
              e->capture = static_cast<int>(cp->captures.size());
              cp->captures.push_back(e.get());
            }
            cp->columns.push_back(e.get());
            cp->names.push_back(source->columns[k]);
            cp->owned.push_back(std::move(e));
          }
        }
        if (!any) {
          if (rc.star_table.empty()) return Status::invalid_argument("no tables specified");
          return Status::invalid_argument("no such table: " + rc.star_table);
        }
        continue;
      }
      SFS_TRY(resolver.resolve(rc.expr.get(), &scope));
      cp->columns.push_back(rc.expr.get());
      cp->names.push_back(result_name(rc));
    }
    scope.in_output = false;
    scope.allow_aggregates = false;
    scope.aliases = &c.columns;
    if (c.where) {
      SFS_TRY(resolver.resolve(c.where.get(), &scope));
      split_conjuncts(c.where.get(), &where);
    }
    for (size_t g = 0; g < c.group_by.size(); ++g) {
      int64_t number;
      if (is_integer_literal(c.group_by[g].get(), &number)) {
        if (number < 1 || number > static_cast<int64_t>(c.columns.size()) ||
            !c.columns[number - 1].expr) {
          return Status::invalid_argument(std::to_string(g + 1) +
                                          (g == 0 ? "st" : g == 1 ? "nd" : g == 2 ? "rd" : "th") +
                                          " GROUP BY term out of range - should be between 1 and " +
                                          std::to_string(c.columns.size()));
        }
        c.group_by[g] = c.columns[number - 1].expr->clone();
      }
      if (contains_aggregate(c.group_by[g].get())) {
        return Status::invalid_argument("aggregate functions are not allowed in the GROUP BY clause");
      }
      SFS_TRY(resolver.resolve(c.group_by[g].get(), &scope));
      cp->group_by.push_back(c.group_by[g].get());
    }
    if (c.having) {
      if (!cp->aggregate) {
        return Status::invalid_argument("a GROUP BY clause is required before HAVING");
      }
      scope.in_output = true;
      scope.allow_aggregates = true;
      SFS_TRY(resolver.resolve(c.having.get(), &scope));
      scope.in_output = false;
      scope.allow_aggregates = false;
      cp->having = c.having.get();
    }
    cp->distinct = c.distinct;
    // ORDER BY of a simple select resolves against this core (aliases first).
    if (single) {
      for (size_t t = 0; t < select->order_by.size(); ++t) {
        OrderTerm& term = select->order_by[t];
        OrderKey key;
        key.desc = term.desc;
        key.nulls = term.nulls;
        Expr* e = term.expr.get();
        Expr* inner = e;
        while (inner->kind == ExprKind::kCollate) inner = inner->left.get();
        int64_t number;
        if (is_integer_literal(inner, &number)) {
          if (number < 1 || number > static_cast<int64_t>(cp->columns.size())) {
            return Status::invalid_argument(
                std::to_string(t + 1) + (t == 0 ? "st" : t == 1 ? "nd" : t == 2 ? "rd" : "th") +
                " ORDER BY term out of range - should be between 1 and " +
                std::to_string(cp->columns.size()));
          }
          key.column = static_cast<int>(number - 1);
        } else if (inner->kind == ExprKind::kColumn && inner->table.empty()) {
          for (size_t k = 0; k < c.columns.size() && k < cp->columns.size(); ++k) {
            if (!c.columns[k].alias.empty() && core::iequals(c.columns[k].alias, inner->name)) {
              key.column = static_cast<int>(k);
              break;
            }
          }
        }
        if (key.column < 0) {
          scope.in_output = cp->aggregate;
          scope.allow_aggregates = cp->aggregate;
          scope.aliases = nullptr;
          SFS_TRY(resolver.resolve(e, &scope));
          scope.in_output = false;
          scope.allow_aggregates = false;
          key.expr = e;
          key.collation = e->collation;
        } else {
          key.collation = cp->columns[key.column]->collation;
          if (e->kind == ExprKind::kCollate) {
            bool known;
            key.collation = collation_from_name(e->name, &known);
            if (!known) return Status::invalid_argument("no such collation sequence: " + e->name);
          }
        }
        plan->order.push_back(key);
      }
    }
    // min()/max() alone: bare columns come from the row holding the extreme.
    if (cp->aggregate && cp->aggregates.size() == 1) {
      AggregateKind kind = cp->aggregates[0].function->aggregate;
      if (kind == AggregateKind::kMin || kind == AggregateKind::kMax) cp->extreme = 0;
    }
    bool has_limit = select->limit != nullptr;
    SFS_TRY(plan_core(*this, cp, where, on_terms, plan.get(), has_limit && single));
  }
  for (size_t i = 1; i < plan->cores.size(); ++i) {
    if (plan->cores[i]->columns.size() != plan->cores[0]->columns.size()) {
      const char* op = "UNION";
      switch (select->ops[i - 1]) {
        case CompoundOp::kUnion: op = "UNION"; break;
        case CompoundOp::kUnionAll: op = "UNION ALL"; break;
        case CompoundOp::kIntersect: op = "INTERSECT"; break;
        case CompoundOp::kExcept: op = "EXCEPT"; break;
      }
      return Status::invalid_argument(std::string("SELECTs to the left and right of ") + op +
                                      " do not have the same number of result columns");
    }
  }
  plan->ops = select->ops;
  CorePlan* first = plan->cores[0].get();
  plan->names = first->names;
  plan->affinities.reserve(first->columns.size());
  plan->collations.reserve(first->columns.size());
  for (size_t i = 0; i < first->columns.size(); ++i) {
    Expr* e = first->columns[i];
    plan->affinities.push_back(e->affinity);
    plan->collations.push_back(e->collation);
    // A compound compares a column under the collation of its leftmost SELECT that has one
    // ('a' UNION SELECT 'A' COLLATE NOCASE is one row; SQLite's multiSelectCollSeq()).
    Collation collation = e->collation;
    for (size_t c = 0; c < plan->cores.size() && plan->cores.size() > 1; ++c) {
      if (find_collation(plan->cores[c]->columns[i], &collation)) break;
    }
    plan->compound_collations.push_back(collation);
  }
  if (!single) {
    // ORDER BY of a compound: result column numbers, aliases, or copies of a result column.
    for (size_t t = 0; t < select->order_by.size(); ++t) {
      OrderTerm& term = select->order_by[t];
      OrderKey key;
      key.desc = term.desc;
      key.nulls = term.nulls;
      Expr* e = term.expr.get();
      Expr* inner = e;
      while (inner->kind == ExprKind::kCollate) inner = inner->left.get();
      int64_t number;
      std::string ordinal = std::to_string(t + 1) +
                            (t == 0 ? "st" : t == 1 ? "nd" : t == 2 ? "rd" : "th");
      if (is_integer_literal(inner, &number)) {
        if (number < 1 || number > static_cast<int64_t>(plan->names.size())) {
          return Status::invalid_argument(ordinal +
                                          " ORDER BY term out of range - should be between 1 and " +
                                          std::to_string(plan->names.size()));
        }
        key.column = static_cast<int>(number - 1);
      } else if (inner->kind == ExprKind::kColumn) {
        for (size_t ci = 0; ci < select->cores.size() && key.column < 0; ++ci) {
          const SelectCore& sc = select->cores[ci];
          for (size_t k = 0; k < sc.columns.size(); ++k) {
            const ResultColumn& rc = sc.columns[k];
            bool alias_match = !rc.alias.empty() && inner->table.empty() &&
                               core::iequals(rc.alias, inner->name);
            bool column_match = rc.expr && rc.expr->kind == ExprKind::kColumn &&
                                core::iequals(rc.expr->name, inner->name) &&
                                (inner->table.empty() || core::iequals(rc.expr->table, inner->table));
            if (alias_match || column_match) {
              key.column = static_cast<int>(k);
              break;
            }
          }
        }
        if (key.column < 0) {
          // SELECT * cores: match the output names.
          for (size_t k = 0; k < plan->names.size(); ++k) {
            if (core::iequals(plan->names[k], inner->name)) {
              key.column = static_cast<int>(k);
              break;
            }
          }
        }
      }
      if (key.column < 0) {
        return Status::invalid_argument(ordinal +
                                        " ORDER BY term does not match any column in the result set");
      }
      key.collation = plan->compound_collations[key.column];
      if (e->kind == ExprKind::kCollate) {
        bool known;
        key.collation = collation_from_name(e->name, &known);
        if (!known) return Status::invalid_argument("no such collation sequence: " + e->name);
      }
      plan->order.push_back(key);
    }
  }
  if (!single) plan->order_satisfied = plan->order.empty();
  if (select->limit || select->offset_expr) {
    Scope scope;
    scope.parent = outer;
    scope.subquery_owner = &plan->subqueries;
    if (select->limit) {
      SFS_TRY(resolver.resolve(select->limit.get(), &scope));
      plan->limit = select->limit.get();
    }
    if (select->offset_expr) {
      SFS_TRY(resolver.resolve(select->offset_expr.get(), &scope));
      plan->offset = select->offset_expr.get();
    }
  }
  return plan;
}

Status Compiler::resolve_in(Expr* e, const std::vector<Source*>& sources, Scope* outer) {
  Resolver resolver(this);
  Scope scope;
  scope.sources = sources;
  scope.parent = outer;
  // Subqueries found here need an owner; DML programs pass one through `outer`.
  if (outer == nullptr || outer->subquery_owner == nullptr) {
    return Status::internal("resolve_in needs a scope that owns subqueries");
  }
  scope.subquery_owner = outer->subquery_owner;
  return resolver.resolve(e, &scope);
}


}  // namespace sfs::sql

namespace sfs::sql {

Result<std::unique_ptr<CorePlan>> Compiler::compile_table_scan(
    TableInfo* table, const std::string& alias, Expr* where, Scope* outer,
    std::vector<std::unique_ptr<Subquery>>* owner) {
  auto core = std::make_unique<CorePlan>();
  Source* source = new_table_source(core.get(), table, alias);
  Scope scope;
  scope.core = core.get();
  scope.sources.push_back(source);
  scope.parent = outer;
  scope.subquery_owner = owner;
  std::vector<Expr*> terms;
  if (where != nullptr) {
    Resolver resolver(this);
    SFS_TRY(resolver.resolve(where, &scope));
    if (contains_aggregate(where)) {
      return Status::invalid_argument("misuse of aggregate function in WHERE");
    }
    split_conjuncts(where, &terms);
  }
  QueryPlan plan;
  SFS_TRY(plan_core(*this, core.get(), terms, {}, &plan, false));
  return core;
}

}  // namespace sfs::sql
