// The query planner: join order and access paths for one SELECT core.
//
// Every WHERE (and ON) conjunct is analysed once: which sources it reads (a bitmask), and whether
// it has an indexable shape — column = expr, column < expr (or >, <=, >=, BETWEEN), column IN
// (list or uncorrelated subquery) — where expr only reads *other* sources. For one source and a
// set of already-positioned sources, best_path() prices the possible access paths:
//
//   rowid = v, rowid IN (...)        a B-tree seek per value
//   rowid range                      a seek, then a scan over the range
//   index: equality on a prefix of its columns (one of them may be an IN list), then optionally
//          a range on the next column; "covering" when the index holds every column the query
//          reads, so the table row is never fetched
//   full scan                        every row
//
// Costs use ANALYZE's statistics (sqlite_stat1: rows per table, average rows per index prefix)
// when they exist and SQLite-like defaults when not (a table is assumed big; an equality on an
// index column leaves ~10 rows). The join order is then chosen by dynamic programming over
// subsets of sources (Selinger-style, left-deep): the cheapest way to have positioned each set
// of sources, extended one source at a time; with more than 12 sources, greedily. LEFT JOINs
// keep their written order. Each remaining conjunct is checked at the first loop level where
// everything it reads is positioned.
//
// Two more decisions: a plan whose rows already come out in ORDER BY order (rowid order, or an
// index's column order after its equality prefix) skips the sort, and min(x)/max(x) over a
// column that leads an index reads one index entry instead of the table.
#include <algorithm>
#include <cmath>

#include "systems/sql/database.h"
#include "systems/sql/engine.h"

namespace sfs::sql {
namespace {

struct Usage {
  Expr* term = nullptr;
  Source* source = nullptr;
  int column = 0;
  Op op = Op::kEq;
  bool is_in = false;
  Expr* value = nullptr;  // the other operand (the whole IN expression for IN)
  uint64_t value_mask = 0;
  Collation collation = Collation::kBinary;
  Affinity affinity = Affinity::kBlob;
  int on_source = -1;  // >= 0: comes from the ON clause of that (left-joined) source
  double in_count = 1;
};

bool belongs(const Expr* e, const CorePlan* core) {
  return e->source != nullptr && e->source->index >= 0 &&
         static_cast<size_t>(e->source->index) < core->sources.size() &&
         core->sources[e->source->index].get() == e->source;
}

void mask_of_select(const Select* select, const CorePlan* core, uint64_t* mask, bool* volatile_fn);

void mask_of_expr(const Expr* e, const CorePlan* core, uint64_t* mask, bool* volatile_fn) {
  if (e == nullptr) return;
  if (e->kind == ExprKind::kColumn && belongs(e, core)) *mask |= e->source->bit;
  if (e->kind == ExprKind::kFunction && e->function != nullptr && !e->function->deterministic) {
    *volatile_fn = true;
  }
  mask_of_expr(e->left.get(), core, mask, volatile_fn);
  mask_of_expr(e->right.get(), core, mask, volatile_fn);
  mask_of_expr(e->escape.get(), core, mask, volatile_fn);
  for (const auto& arg : e->args) mask_of_expr(arg.get(), core, mask, volatile_fn);
  if (e->select) mask_of_select(e->select.get(), core, mask, volatile_fn);
}

void mask_of_from(const FromItem* item, const CorePlan* core, uint64_t* mask, bool* v) {
  if (item == nullptr) return;
  mask_of_expr(item->on.get(), core, mask, v);
  if (item->subquery) mask_of_select(item->subquery.get(), core, mask, v);
  mask_of_from(item->left.get(), core, mask, v);
  mask_of_from(item->right.get(), core, mask, v);
}

void mask_of_select(const Select* select, const CorePlan* core, uint64_t* mask, bool* v) {
  for (const auto& cte : select->with) mask_of_select(cte.select.get(), core, mask, v);
  for (const SelectCore& c : select->cores) {
    for (const auto& rc : c.columns) mask_of_expr(rc.expr.get(), core, mask, v);
    mask_of_from(c.from.get(), core, mask, v);
    mask_of_expr(c.where.get(), core, mask, v);
    for (const auto& g : c.group_by) mask_of_expr(g.get(), core, mask, v);
    mask_of_expr(c.having.get(), core, mask, v);
    for (const auto& row : c.values) {
      for (const auto& e : row) mask_of_expr(e.get(), core, mask, v);
    }
  }
  for (const auto& t : select->order_by) mask_of_expr(t.expr.get(), core, mask, v);
  mask_of_expr(select->limit.get(), core, mask, v);
  mask_of_expr(select->offset_expr.get(), core, mask, v);
}

// Columns of each source that the query reads (for covering indexes).
void used_columns_expr(const Expr* e, const CorePlan* core, std::vector<std::vector<bool>>* used);
void used_columns_select(const Select* s, const CorePlan* core, std::vector<std::vector<bool>>* used) {
  for (const auto& cte : s->with) used_columns_select(cte.select.get(), core, used);
  for (const SelectCore& c : s->cores) {
    for (const auto& rc : c.columns) used_columns_expr(rc.expr.get(), core, used);
    std::vector<const FromItem*> stack;
    if (c.from) stack.push_back(c.from.get());
    while (!stack.empty()) {
      const FromItem* item = stack.back();
      stack.pop_back();
      used_columns_expr(item->on.get(), core, used);
      if (item->subquery) used_columns_select(item->subquery.get(), core, used);
      if (item->left) stack.push_back(item->left.get());
      if (item->right) stack.push_back(item->right.get());
    }
    used_columns_expr(c.where.get(), core, used);
    for (const auto& g : c.group_by) used_columns_expr(g.get(), core, used);
    used_columns_expr(c.having.get(), core, used);
    for (const auto& row : c.values) {
      for (const auto& e : row) used_columns_expr(e.get(), core, used);
    }
  }
  for (const auto& t : s->order_by) used_columns_expr(t.expr.get(), core, used);
}

void used_columns_expr(const Expr* e, const CorePlan* core, std::vector<std::vector<bool>>* used) {
  if (e == nullptr) return;
  if (e->kind == ExprKind::kColumn && belongs(e, core) && e->column >= 0) {
    (*used)[e->source->index][e->column] = true;
  }
  used_columns_expr(e->left.get(), core, used);
  used_columns_expr(e->right.get(), core, used);
  used_columns_expr(e->escape.get(), core, used);
  for (const auto& arg : e->args) used_columns_expr(arg.get(), core, used);
  if (e->select) used_columns_select(e->select.get(), core, used);
}

const Expr* unwrap_collate(const Expr* e) {
  while (e->kind == ExprKind::kCollate) e = e->left.get();
  return e;
}

Op reverse_op(Op op) {
  switch (op) {
    case Op::kLt: return Op::kGt;
    case Op::kLe: return Op::kGe;
    case Op::kGt: return Op::kLt;
    case Op::kGe: return Op::kLe;
    default: return op;
  }
}

bool is_rowid(const Source* s, int column) {
  return column == kRowidColumn || (s->table != nullptr && column == s->table->rowid_alias);
}

bool numeric_affinity(Affinity a) {
  return a == Affinity::kNumeric || a == Affinity::kInteger || a == Affinity::kReal;
}

// sqlite3IndexAffinityOk(): may an index on a column of `column_affinity` answer the comparison?
bool affinity_ok(Affinity comparison, Affinity column_affinity) {
  if (comparison == Affinity::kBlob || comparison == Affinity::kNone) return true;
  if (comparison == Affinity::kText) return column_affinity == Affinity::kText;
  return numeric_affinity(column_affinity);
}

void collect_usages(Expr* term, const CorePlan* core, int on_source, std::vector<Usage>* out) {
  auto add_side = [&](Expr* column_side, Expr* other, Op op, Affinity affinity, Collation collation) {
    const Expr* c = unwrap_collate(column_side);
    if (c->kind != ExprKind::kColumn || !belongs(c, core)) return;
    if (c->source->table == nullptr) return;
    uint64_t mask = 0;
    bool volatile_fn = false;
    mask_of_expr(other, core, &mask, &volatile_fn);
    if ((mask & c->source->bit) != 0 || volatile_fn) return;
    Usage u;
    u.term = term;
    u.source = c->source;
    u.column = c->column;
    u.op = op;
    u.value = other;
    u.value_mask = mask;
    u.affinity = affinity;
    u.collation = collation;
    u.on_source = on_source;
    out->push_back(u);
  };
  switch (term->kind) {
    case ExprKind::kBinary:
      switch (term->op) {
        case Op::kEq: case Op::kLt: case Op::kLe: case Op::kGt: case Op::kGe:
          add_side(term->left.get(), term->right.get(), term->op, term->compare_affinity,
                   term->collation);
          add_side(term->right.get(), term->left.get(), reverse_op(term->op),
                   term->compare_affinity, term->collation);
          break;
        default:
          break;
      }
      break;
    case ExprKind::kBetween:
      if (!term->negated) {
        add_side(term->left.get(), term->args[0].get(), Op::kGe,
                 comparison_affinity(term->left.get(), term->args[0].get()),
                 comparison_collation(term->left.get(), term->args[0].get()));
        add_side(term->left.get(), term->args[1].get(), Op::kLe,
                 comparison_affinity(term->left.get(), term->args[1].get()),
                 comparison_collation(term->left.get(), term->args[1].get()));
      }
      break;
    case ExprKind::kIn: {
      if (term->negated) break;
      const Expr* c = unwrap_collate(term->left.get());
      if (c->kind != ExprKind::kColumn || !belongs(c, core) || c->source->table == nullptr) break;
      uint64_t mask = 0;
      bool volatile_fn = false;
      double count = 1;
      Affinity affinity = term->compare_affinity;
      Collation collation = term->collation;
      if (term->subquery != nullptr) {
        if (term->subquery->correlated) break;
        count = 10;
        affinity = term->subquery->in_affinity;
        collation = term->subquery->in_collation;
      } else {
        if (term->args.empty()) break;
        for (const auto& arg : term->args) mask_of_expr(arg.get(), core, &mask, &volatile_fn);
        count = static_cast<double>(term->args.size());
      }
      if ((mask & c->source->bit) != 0 || volatile_fn) break;
      Usage u;
      u.term = term;
      u.source = c->source;
      u.column = c->column;
      u.is_in = true;
      u.value = term;
      u.value_mask = mask;
      u.affinity = affinity;
      u.collation = collation;
      u.on_source = on_source;
      u.in_count = count;
      out->push_back(u);
      break;
    }
    default:
      break;
  }
}

struct Path {
  Access access = Access::kScan;
  IndexInfo* index = nullptr;
  std::vector<const Usage*> eq;
  int in_position = -1;
  const Usage* low = nullptr;
  const Usage* high = nullptr;
  bool covering = false;
  double cost = 0;
  double rows = 0;
};

class Planner {
 public:
  Planner(std::vector<Usage> usages, std::vector<std::vector<bool>> used)
      : usages_(std::move(usages)), used_(std::move(used)) {}

  double table_rows(const Source* s) const {
    if (s->table != nullptr) return s->table->stat_rows >= 0 ? std::max<double>(1, s->table->stat_rows) : 1e6;
    if (s->subplan) return 1000;
    return 1;
  }

  bool covers(const IndexInfo* index, const Source* s) const {
    const auto& used = used_[s->index];
    for (size_t c = 0; c < used.size(); ++c) {
      if (!used[c] || static_cast<int>(c) == s->table->rowid_alias) continue;
      bool found = false;
      for (const IndexColumn& ic : index->columns) found = found || ic.column == static_cast<int>(c);
      if (!found) return false;
    }
    return true;
  }

  bool available(const Usage& u, const Source* s, uint64_t bound) const {
    if (u.source != s || (u.value_mask & ~bound) != 0) return false;
    if (s->left_join) return u.on_source == s->index;
    return u.on_source < 0;
  }

  Path best_path(const Source* s, uint64_t bound) const {
    double n = table_rows(s);
    Path best;
    best.access = Access::kScan;
    best.cost = n;
    best.rows = n;
    if (s->table == nullptr) return best;
    const TableInfo* table = s->table;
    // rowid = / IN
    for (const Usage& u : usages_) {
      if (!available(u, s, bound) || !is_rowid(s, u.column)) continue;
      if (u.affinity == Affinity::kText) continue;
      if (u.op == Op::kEq || u.is_in) {
        Path p;
        p.access = Access::kRowidEq;
        p.eq.push_back(&u);
        p.in_position = u.is_in ? 0 : -1;
        p.rows = u.is_in ? u.in_count : 1;
        p.cost = 8 * p.rows;
        if (p.cost < best.cost) best = p;
      }
    }
    // rowid range
    {
      Path p;
      p.access = Access::kRowidRange;
      for (const Usage& u : usages_) {
        if (!available(u, s, bound) || !is_rowid(s, u.column) || u.is_in) continue;
        if (u.affinity == Affinity::kText) continue;
        if ((u.op == Op::kGt || u.op == Op::kGe) && p.low == nullptr) p.low = &u;
        if ((u.op == Op::kLt || u.op == Op::kLe) && p.high == nullptr) p.high = &u;
      }
      if (p.low != nullptr || p.high != nullptr) {
        p.rows = n / ((p.low ? 4 : 1) * (p.high ? 4 : 1));
        p.cost = 8 + p.rows;
        if (p.cost < best.cost) best = p;
      }
    }
    for (IndexInfo* index : table->indexes) {
      Path p;
      p.access = Access::kIndex;
      p.index = index;
      double probes = 1;
      size_t k = 0;
      for (; k < index->columns.size(); ++k) {
        const IndexColumn& ic = index->columns[k];
        const Usage* eq = nullptr;
        const Usage* in = nullptr;
        for (const Usage& u : usages_) {
          if (!available(u, s, bound) || u.column != ic.column) continue;
          if (ic.column < 0 && !is_rowid(s, u.column)) continue;
          if (u.collation != ic.collation && column_is_texty(s, ic.column)) continue;
          Affinity column_affinity = ic.column >= 0 ? table->columns[ic.column].affinity : Affinity::kInteger;
          if (!affinity_ok(u.affinity, column_affinity)) continue;
          if (u.op == Op::kEq && !u.is_in && eq == nullptr) eq = &u;
          if (u.is_in && in == nullptr) in = &u;
        }
        if (eq != nullptr) {
          p.eq.push_back(eq);
        } else if (in != nullptr && p.in_position < 0) {
          p.in_position = static_cast<int>(p.eq.size());
          p.eq.push_back(in);
          probes *= in->in_count;
        } else {
          break;
        }
      }
      if (k < index->columns.size()) {
        const IndexColumn& ic = index->columns[k];
        Affinity column_affinity = ic.column >= 0 ? table->columns[ic.column].affinity : Affinity::kInteger;
        for (const Usage& u : usages_) {
          if (!available(u, s, bound) || u.column != ic.column || u.is_in) continue;
          if (u.collation != ic.collation && column_is_texty(s, ic.column)) continue;
          if (!affinity_ok(u.affinity, column_affinity)) continue;
          if ((u.op == Op::kGt || u.op == Op::kGe) && p.low == nullptr) p.low = &u;
          if ((u.op == Op::kLt || u.op == Op::kLe) && p.high == nullptr) p.high = &u;
        }
      }
      if (p.eq.empty() && p.low == nullptr && p.high == nullptr) continue;
      double rows;
      size_t prefix = p.eq.size();
      if (prefix == index->columns.size() && index->unique) {
        rows = 1;
      } else if (prefix < index->stats.size() && prefix > 0) {
        rows = std::max<double>(1, index->stats[prefix]);
      } else if (prefix == 0) {
        rows = n;
      } else {
        rows = std::max(1.0, std::min(n, 10.0 / static_cast<double>(prefix)));
      }
      rows *= probes;
      if (p.low) rows /= 4;
      if (p.high) rows /= 4;
      p.covering = covers(index, s);
      p.rows = rows;
      p.cost = probes * 8 + rows * (p.covering ? 1.0 : 3.0);
      if (p.cost < best.cost) best = p;
    }
    return best;
  }

  // Can the column hold text, so that its collation matters? Any column can, whatever its
  // affinity ('abc' stays text in an INTEGER column), except the rowid and its alias.
  static bool column_is_texty(const Source* s, int column) {
    return column >= 0 && column != s->table->rowid_alias;
  }

 private:
  std::vector<Usage> usages_;
  std::vector<std::vector<bool>> used_;

 public:
  const std::vector<Usage>& usages() const { return usages_; }
};

// Filters left after an access path reduce the rows it yields.
double filter_factor(const std::vector<Expr*>& terms, const std::vector<uint64_t>& masks,
                     uint64_t before, uint64_t bit) {
  double factor = 1;
  for (size_t i = 0; i < terms.size(); ++i) {
    uint64_t m = masks[i];
    if ((m & bit) == 0 || (m & ~(before | bit)) != 0) continue;
    const Expr* t = terms[i];
    bool equality = (t->kind == ExprKind::kBinary && (t->op == Op::kEq || t->op == Op::kIs)) ||
                    t->kind == ExprKind::kIn;
    factor *= equality ? 0.1 : 0.5;
  }
  return factor;
}

void apply_path(Level* level, const Path& path) {
  level->access = path.access;
  level->index = path.index;
  level->eq.clear();
  level->eq_affinity.clear();
  for (const Usage* u : path.eq) {
    level->eq.push_back(u->value);
    level->eq_affinity.push_back(u->affinity);
  }
  level->in_position = path.in_position;
  level->low = path.low ? path.low->value : nullptr;
  level->low_inclusive = path.low && path.low->op == Op::kGe;
  level->low_affinity = path.low ? path.low->affinity : Affinity::kBlob;
  level->high_affinity = path.high ? path.high->affinity : Affinity::kBlob;
  level->high = path.high ? path.high->value : nullptr;
  level->high_inclusive = path.high && path.high->op == Op::kLe;
  level->covering = path.covering;
  level->est_rows = path.rows;
}

// Does the level's access path produce rows in ORDER BY order? Sets level->reverse if so.
bool order_satisfied(const QueryPlan* plan, CorePlan* core, Level* level, const Path& path) {
  if (plan->order.empty()) return true;
  Source* s = level->source;
  if (s->table == nullptr) return false;
  std::vector<std::pair<int, const OrderKey*>> keys;  // (source column, key)
  for (const OrderKey& key : plan->order) {
    const Expr* e = key.expr != nullptr ? key.expr : core->columns[key.column];
    e = unwrap_collate(e);
    if (e->kind != ExprKind::kColumn || e->source != s) return false;
    if (key.nulls != 0 && key.nulls != (key.desc ? 2 : 1)) return false;
    keys.emplace_back(is_rowid(s, e->column) ? kRowidColumn : e->column, &key);
  }
  // The order the path yields: a list of (column, descending) and then the rowid.
  std::vector<std::pair<int, bool>> sequence;
  std::vector<int> constant;
  if (path.access == Access::kIndex) {
    IndexInfo* index = path.index;
    for (size_t k = 0; k < path.eq.size(); ++k) {
      if (static_cast<int>(k) == path.in_position) {
        sequence.emplace_back(index->columns[k].column, index->columns[k].desc);
      } else {
        constant.push_back(index->columns[k].column);
      }
    }
    for (size_t k = path.eq.size(); k < index->columns.size(); ++k) {
      int c = index->columns[k].column;
      sequence.emplace_back(c < 0 ? kRowidColumn : c, index->columns[k].desc);
    }
  } else if (path.access == Access::kRowidEq && path.in_position < 0) {
    return true;  // a single row
  }
  sequence.emplace_back(kRowidColumn, false);
  size_t position = 0;
  int direction = -1;  // 0 forward, 1 reverse
  for (const auto& [column, key] : keys) {
    if (std::find(constant.begin(), constant.end(), column) != constant.end()) continue;
    if (position >= sequence.size() || sequence[position].first != column) return false;
    if (path.access == Access::kIndex && column >= 0) {
      size_t k = 0;
      while (k < path.index->columns.size() && path.index->columns[k].column != column) ++k;
      if (k < path.index->columns.size() && path.index->columns[k].collation != key->collation &&
          Planner::column_is_texty(s, column)) {
        return false;
      }
    } else if (column >= 0 && key->collation != s->collations[column] &&
               Planner::column_is_texty(s, column)) {
      return false;
    }
    int d = (key->desc != sequence[position].second) ? 1 : 0;
    if (direction >= 0 && d != direction) return false;
    direction = d;
    ++position;
  }
  level->reverse = direction == 1;
  return true;
}

ExprPtr not_null_filter(Expr* column) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kIsNull;
  e->negated = true;
  e->left = column->clone();
  e->left->source = column->source;
  e->left->column = column->column;
  e->left->affinity = column->affinity;
  e->left->collation = column->collation;
  return e;
}

}  // namespace

Status plan_core(Compiler& compiler, CorePlan* core, std::vector<Expr*>& where_terms,
                 const std::vector<std::vector<Expr*>>& on_terms, QueryPlan* plan, bool has_limit) {
  (void)compiler;
  size_t n = core->sources.size();
  // Terms: WHERE conjuncts, then ON conjuncts of left joins.
  std::vector<Expr*> terms = where_terms;
  std::vector<int> term_on(terms.size(), -1);
  for (size_t s = 0; s < on_terms.size(); ++s) {
    for (Expr* t : on_terms[s]) {
      terms.push_back(t);
      term_on.push_back(static_cast<int>(s));
    }
  }
  std::vector<uint64_t> masks(terms.size());
  std::vector<bool> volatile_term(terms.size());
  std::vector<Usage> usages;
  for (size_t i = 0; i < terms.size(); ++i) {
    bool v = false;
    mask_of_expr(terms[i], core, &masks[i], &v);
    volatile_term[i] = v;
    if (!v) collect_usages(terms[i], core, term_on[i], &usages);
  }
  std::vector<std::vector<bool>> used(n);
  for (size_t s = 0; s < n; ++s) used[s].assign(core->sources[s]->columns.size(), false);
  for (Expr* e : core->columns) used_columns_expr(e, core, &used);
  for (Expr* e : terms) used_columns_expr(e, core, &used);
  for (Expr* e : core->group_by) used_columns_expr(e, core, &used);
  used_columns_expr(core->having, core, &used);
  for (const OrderKey& k : plan->order) used_columns_expr(k.expr, core, &used);
  Planner planner(std::move(usages), std::move(used));

  // Join order.
  std::vector<int> order;
  std::vector<Path> paths;
  bool any_left = false;
  for (const auto& s : core->sources) any_left = any_left || s->left_join;
  if (n > 0) {
    if (any_left || n == 1) {
      uint64_t bound = 0;
      for (size_t s = 0; s < n; ++s) {
        order.push_back(static_cast<int>(s));
        paths.push_back(planner.best_path(core->sources[s].get(), bound));
        bound |= core->sources[s]->bit;
      }
    } else if (n <= 12) {
      struct State {
        double cost = -1;
        double rows = 1;
        int last = -1;
        uint64_t previous = 0;
        Path path;
      };
      std::vector<State> best(size_t{1} << n);
      best[0].cost = 0;
      best[0].rows = 1;
      for (uint64_t mask = 0; mask < (uint64_t{1} << n); ++mask) {
        if (best[mask].cost < 0) continue;
        for (size_t s = 0; s < n; ++s) {
          uint64_t bit = uint64_t{1} << s;
          if (mask & bit) continue;
          Path path = planner.best_path(core->sources[s].get(), mask);
          double rows = best[mask].rows * path.rows * filter_factor(terms, masks, mask, bit);
          double cost = best[mask].cost + best[mask].rows * path.cost;
          State& next = best[mask | bit];
          if (next.cost < 0 || cost < next.cost) {
            next.cost = cost;
            next.rows = std::max(rows, 1e-3);
            next.last = static_cast<int>(s);
            next.previous = mask;
            next.path = path;
          }
        }
      }
      uint64_t mask = (uint64_t{1} << n) - 1;
      while (mask != 0) {
        order.push_back(best[mask].last);
        paths.push_back(best[mask].path);
        mask = best[mask].previous;
      }
      std::reverse(order.begin(), order.end());
      std::reverse(paths.begin(), paths.end());
    } else {
      uint64_t bound = 0;
      double rows = 1;
      for (size_t step = 0; step < n; ++step) {
        int pick = -1;
        Path pick_path;
        double pick_cost = 0;
        for (size_t s = 0; s < n; ++s) {
          uint64_t bit = core->sources[s]->bit;
          if (bound & bit) continue;
          Path path = planner.best_path(core->sources[s].get(), bound);
          double cost = rows * path.cost;
          if (pick < 0 || cost < pick_cost) {
            pick = static_cast<int>(s);
            pick_path = path;
            pick_cost = cost;
          }
        }
        order.push_back(pick);
        paths.push_back(pick_path);
        rows = std::max(1e-3, rows * pick_path.rows);
        bound |= core->sources[pick]->bit;
      }
    }
  }

  core->levels.resize(n);
  std::vector<int> position(n);
  for (size_t i = 0; i < n; ++i) {
    Level& level = core->levels[i];
    level.source = core->sources[order[i]].get();
    apply_path(&level, paths[i]);
    position[order[i]] = static_cast<int>(i);
  }

  // Sorting avoided? (single-table simple selects)
  bool single_table = n == 1 && plan->cores.size() == 1 && !core->aggregate &&
                      core->sources[0]->table != nullptr;
  if (single_table && !plan->order.empty()) {
    Level& level = core->levels[0];
    if (order_satisfied(plan, core, &level, paths[0])) {
      plan->order_satisfied = true;
    } else if (paths[0].access == Access::kScan) {
      // An index in ORDER BY order, scanned whole, when that beats sorting.
      for (IndexInfo* index : core->sources[0]->table->indexes) {
        Path p;
        p.access = Access::kIndex;
        p.index = index;
        p.covering = planner.covers(index, core->sources[0].get());
        if (!has_limit && !p.covering) continue;
        if (order_satisfied(plan, core, &level, p)) {
          p.rows = paths[0].rows;
          apply_path(&level, p);
          paths[0] = p;
          plan->order_satisfied = true;
          break;
        }
      }
    }
  } else if (plan->order.empty()) {
    plan->order_satisfied = true;
  }

  // min(x) / max(x) from one end of an index.
  if (core->aggregate && core->group_by.empty() && core->aggregates.size() == 1 && n == 1 &&
      core->sources[0]->table != nullptr && !core->aggregates[0].distinct) {
    AggregateKind kind = core->aggregates[0].function->aggregate;
    Expr* arg = core->aggregates[0].call->args.empty() ? nullptr : core->aggregates[0].call->args[0].get();
    if ((kind == AggregateKind::kMin || kind == AggregateKind::kMax) && arg != nullptr &&
        arg->kind == ExprKind::kColumn && belongs(arg, core)) {
      Source* s = core->sources[0].get();
      Level& level = core->levels[0];
      bool is_max = kind == AggregateKind::kMax;
      bool done = false;
      if (is_rowid(s, arg->column) && paths[0].access == Access::kScan) {
        level.reverse = is_max;
        done = true;
      } else if (arg->column >= 0) {
        auto try_index = [&](IndexInfo* index, size_t prefix) {
          if (prefix >= index->columns.size()) return false;
          const IndexColumn& ic = index->columns[prefix];
          if (ic.column != arg->column || ic.collation != core->aggregates[0].collation) return false;
          level.reverse = is_max != ic.desc;
          return true;
        };
        if (paths[0].access == Access::kIndex && paths[0].low == nullptr &&
            paths[0].high == nullptr && paths[0].in_position < 0) {
          done = try_index(paths[0].index, paths[0].eq.size());
        } else if (paths[0].access == Access::kScan) {
          for (IndexInfo* index : s->table->indexes) {
            if (try_index(index, 0)) {
              Path p;
              p.access = Access::kIndex;
              p.index = index;
              p.covering = planner.covers(index, s);
              bool reverse = level.reverse;
              apply_path(&level, p);
              level.reverse = reverse;
              paths[0] = p;
              done = true;
              break;
            }
          }
        }
        if (done) {
          core->owned.push_back(not_null_filter(arg));
          level.filters.push_back(core->owned.back().get());
        }
      }
      if (done) core->stop_after_first = true;
    }
  }

  // Which terms the access paths answer exactly (equality keys), and where the rest go.
  // Equality keys are exact; so are the range bounds (rowid bounds are computed exactly, and an
  // index range is the byte range of the order-preserving encoding): both replace the term.
  std::vector<bool> consumed(terms.size(), false);
  for (size_t i = 0; i < n; ++i) {
    for (const Usage* u : paths[i].eq) {
      for (size_t t = 0; t < terms.size(); ++t) {
        if (terms[t] == u->term && (u->op == Op::kEq || u->is_in)) consumed[t] = true;
      }
    }
    for (size_t t = 0; t < terms.size(); ++t) {
      const Usage* low = paths[i].low;
      const Usage* high = paths[i].high;
      if (terms[t]->kind == ExprKind::kBetween) {
        consumed[t] = consumed[t] || (low && high && low->term == terms[t] && high->term == terms[t]);
      } else if ((low && low->term == terms[t]) || (high && high->term == terms[t])) {
        consumed[t] = true;
      }
    }
  }
  for (size_t t = 0; t < terms.size(); ++t) {
    if (consumed[t]) continue;
    if (term_on[t] >= 0) {
      core->levels[position[term_on[t]]].on_filters.push_back(terms[t]);
      continue;
    }
    if (volatile_term[t] && n > 0) {
      core->levels[n - 1].filters.push_back(terms[t]);
      continue;
    }
    if (masks[t] == 0) {
      core->constant_filters.push_back(terms[t]);
      continue;
    }
    int at = 0;
    for (size_t s = 0; s < n; ++s) {
      if (masks[t] & core->sources[s]->bit) at = std::max(at, position[s]);
    }
    Level& level = core->levels[at];
    if (masks[t] == level.source->bit && !volatile_term[t]) {
      // Terms on this source alone go first: they can be checked once and remembered.
      level.filters.insert(level.filters.begin() + static_cast<long>(level.self_filters), terms[t]);
      ++level.self_filters;
    } else {
      level.filters.push_back(terms[t]);
    }
  }
  uint64_t before = 0;
  for (size_t i = 0; i < n; ++i) {
    Level& level = core->levels[i];
    Source* s = level.source;
    bool eligible = i > 0 && level.access == Access::kScan && s->table != nullptr &&
                    !s->left_join && !core->stop_after_first;
    if (eligible) {
      for (const Usage& u : planner.usages()) {
        if (u.source != s || u.op != Op::kEq || u.is_in || u.column < 0 || u.on_source >= 0) continue;
        if ((u.value_mask & ~before) != 0) continue;
        level.hash_column = u.column;
        level.hash_probe = u.value;
        level.hash_affinity = u.affinity;
        level.hash_collation = u.collation;
        break;
      }
      level.cache_rows = level.self_filters > 0 || level.hash_column >= 0;
    }
    before |= s->bit;
  }
  return Status::ok();
}

}  // namespace sfs::sql
