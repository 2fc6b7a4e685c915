// Running a QueryPlan: the nested-loop join over access paths, then projection, aggregation,
// DISTINCT, compounds, ORDER BY and LIMIT (see engine.h for the shapes, planner.cc for how the
// loops were chosen).
//
//   query_next ─┬─ streaming: one core, no sort needed, no aggregate ── core_next → project
//               └─ otherwise: materialize every core's rows, combine compounds, sort, then hand
//                  rows out one by one
//
// core_next() is the join: levels[0..n) are nested loops; each level positions its source
// (level_start / level_next), skips rows failing the terms placed at that level, and a LEFT JOIN
// level that found no match produces one row of NULLs. Sources read columns lazily: a table row
// is decoded only when a column is asked for, and an index scan fetches the table row only for
// columns the index does not hold.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "systems/sql/database.h"
#include "systems/sql/engine.h"
#include "core/strings.h"
#include "systems/sql/key_encoding.h"
#include "systems/sql/row_writer.h"

namespace sfs::sql {

struct QueryPlan::Run {
  bool streaming = false;
  bool done = false;
  std::vector<std::vector<Value>> rows;
  size_t next = 0;
  std::vector<Value> row;
  int64_t limit = -1;
  int64_t offset = 0;
  int64_t emitted = 0;
  std::vector<std::vector<Value>> seen;  // DISTINCT while streaming (sorted)
};

QueryPlan::QueryPlan() = default;
QueryPlan::~QueryPlan() = default;

namespace {

// ---- row comparison and hashing --------------------------------------------------------------

int compare_rows(const std::vector<Value>& a, const std::vector<Value>& b, size_t columns,
                 const std::vector<Collation>& collations) {
  for (size_t i = 0; i < columns; ++i) {
    Collation c = i < collations.size() ? collations[i] : Collation::kBinary;
    int r = compare_values(a[i], b[i], c);
    if (r != 0) return r;
  }
  return 0;
}

size_t hash_value(const Value& v, Collation collation) {
  switch (v.type()) {
    case ValueType::kNull:
      return 0x9e3779b9;
    case ValueType::kInteger:
      return std::hash<int64_t>()(v.int_value());
    case ValueType::kReal: {
      double r = v.real_value();
      if (r == std::floor(r) && r >= -9.2e18 && r <= 9.2e18) {
        return std::hash<int64_t>()(static_cast<int64_t>(r));
      }
      return std::hash<double>()(r);
    }
    case ValueType::kText: {
      if (collation == Collation::kBinary) return std::hash<std::string>()(v.str()) ^ 0x51;
      std::string key;
      encode_key_value(v, collation, false, &key);
      return std::hash<std::string>()(key);
    }
    case ValueType::kBlob:
      return std::hash<std::string>()(v.str()) ^ 0xb10b;
  }
  return 0;
}

// Checks a level's filters (from `first` on); -1 on error.
int passes(Runtime& rt, const std::vector<Expr*>& filters, size_t first = 0) {
  for (size_t i = first; i < filters.size(); ++i) {
    int t = rt.test(filters[i]);
    if (t != 1) return t;
  }
  return 1;
}

Status materialize_sources(Runtime& rt, CorePlan* core) {
  for (auto& source : core->sources) {
    if (!source->subplan) continue;
    source->rows.clear();
    QueryPlan* sub = source->subplan.get();
    SFS_TRY(query_open(rt, sub));
    while (true) {
      bool has_row = false;
      SFS_TRY(query_next(rt, sub, &has_row));
      if (!has_row) break;
      source->rows.push_back(query_row(sub));
    }
    query_close(sub);
  }
  return Status::ok();
}

}  // namespace

Status core_open(Runtime& rt, CorePlan* core) {
  core->started = false;
  core->finished = false;
  core->values_row = 0;
  core->output_phase = false;
  core->current_group = nullptr;
  for (auto& source : core->sources) {
    source->null_row = false;
    source->on_index = false;
    source->moved();
  }
  for (Level& level : core->levels) {
    level.cache_ready = false;
    level.cache.clear();
    level.hash.clear();
  }
  SFS_TRY(materialize_sources(rt, core));
  core->constants_ok = true;
  for (Expr* f : core->constant_filters) {
    int t = rt.test(f);
    if (t < 0) return rt.error;
    if (t == 0) {
      core->constants_ok = false;
      break;
    }
  }
  return Status::ok();
}

// The next row of a core's FROM/WHERE (for a VALUES core: the next VALUES row).
Status core_next(Runtime& rt, CorePlan* core, bool* found) {
  *found = false;
  if (core->finished || !core->constants_ok) return Status::ok();
  if (!core->values.empty()) {
    if (core->values_row >= core->values.size()) {
      core->finished = true;
      return Status::ok();
    }
    ++core->values_row;
    *found = true;
    return Status::ok();
  }
  size_t n = core->levels.size();
  if (n == 0) {
    core->finished = true;
    *found = true;
    return Status::ok();
  }
  int i;
  bool resume;
  if (!core->started) {
    core->started = true;
    i = 0;
    resume = false;
  } else {
    i = static_cast<int>(n) - 1;
    resume = true;
  }
  while (true) {
    Level& L = core->levels[i];
    bool ok = false;
    if (!resume) {
      L.matched = false;
      L.null_emitted = false;
      SFS_TRY(level_start(rt, L, &ok));
    } else if (L.source->null_row) {
      ok = false;  // the NULL row of a LEFT JOIN was the last one
    } else {
      SFS_TRY(level_next(rt, L, &ok));
    }
    resume = true;
    while (ok) {
      int t = passes(rt, L.on_filters);
      if (t < 0) return rt.error;
      if (t == 1) {
        L.matched = true;
        t = passes(rt, L.filters, L.cache_rows ? L.self_filters : 0);
        if (t < 0) return rt.error;
        if (t == 1) break;
      }
      SFS_TRY(level_next(rt, L, &ok));
    }
    if (!ok && L.source->left_join && !L.matched && !L.null_emitted) {
      L.null_emitted = true;
      L.source->null_row = true;
      int t = passes(rt, L.filters);
      if (t < 0) return rt.error;
      ok = t == 1;
    }
    if (ok) {
      if (i == static_cast<int>(n) - 1) {
        *found = true;
        return Status::ok();
      }
      ++i;
      resume = false;
      continue;
    }
    if (i == 0) {
      core->finished = true;
      return Status::ok();
    }
    --i;
  }
}

namespace {

// Evaluates the output columns (and extra ORDER BY keys) into *row.
bool project(Runtime& rt, CorePlan* core, const QueryPlan* plan, bool with_keys,
             std::vector<Value>* row) {
  const std::vector<Expr*>& exprs =
      core->values.empty() ? core->columns : core->values[core->values_row - 1];
  size_t columns = exprs.size();
  size_t extra = 0;
  if (with_keys) {
    for (const OrderKey& key : plan->order) extra += key.expr != nullptr ? 1 : 0;
  }
  row->resize(columns + extra);
  for (size_t i = 0; i < columns; ++i) {
    if (!rt.eval(exprs[i], &(*row)[i])) return false;
  }
  if (with_keys) {
    size_t k = columns;
    for (const OrderKey& key : plan->order) {
      if (key.expr != nullptr && !rt.eval(key.expr, &(*row)[k++])) return false;
    }
  }
  return true;
}

// Groups by key: open addressing over a flat array of group numbers (linear probing, the hash
// kept in each group), which touches far less memory per row than a node-based map.
class GroupTable {
 public:
  explicit GroupTable(const std::vector<Collation>* collations) : collations_(collations) {
    slots_.assign(64, 0);
  }

  size_t hash(const std::vector<Value>& key) const {
    size_t h = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < key.size(); ++i) {
      h = (h ^ hash_value(key[i], (*collations_)[i])) * 0xff51afd7ed558ccdull;
      h ^= h >> 32;
    }
    return h;
  }

  // The group with this key, or nullptr; *hash_out receives the key's hash for add().
  Group* find(const std::vector<Value>& key, const std::vector<std::unique_ptr<Group>>& groups,
              size_t* hash_out) const {
    size_t h = hash(key);
    *hash_out = h;
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      uint32_t slot = slots_[i];
      if (slot == 0) return nullptr;
      Group* g = groups[slot - 1].get();
      if (g->hash == h && compare_rows(g->key, key, key.size(), *collations_) == 0) return g;
    }
  }

  void add(size_t index, size_t h, const std::vector<std::unique_ptr<Group>>& groups) {
    if ((count_ + 1) * 2 > slots_.size()) {
      std::vector<uint32_t> old;
      old.swap(slots_);
      slots_.assign(old.size() * 2, 0);
      for (uint32_t slot : old) {
        if (slot != 0) place(slot, groups[slot - 1]->hash);
      }
    }
    place(static_cast<uint32_t>(index + 1), h);
    ++count_;
  }

 private:
  void place(uint32_t slot, size_t h) {
    size_t mask = slots_.size() - 1;
    size_t i = h & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = slot;
  }

  const std::vector<Collation>* collations_;
  std::vector<uint32_t> slots_;
  size_t count_ = 0;
};

// Runs an aggregate core to completion, appending its output rows.
Status run_aggregate(Runtime& rt, CorePlan* core, const QueryPlan* plan, bool with_keys,
                     std::vector<std::vector<Value>>* out) {
  std::vector<Collation> collations;
  for (Expr* g : core->group_by) collations.push_back(g->collation);
  std::vector<std::unique_ptr<Group>> groups;
  GroupTable index(&collations);
  size_t aggregate_count = core->aggregates.size();
  auto new_group = [&]() {
    auto g = std::make_unique<Group>();
    g->values.resize(aggregate_count);
    g->captured.resize(core->captures.size());
    groups.push_back(std::move(g));
    return groups.back().get();
  };
  if (core->group_by.empty()) new_group();
  std::vector<Value> key(core->group_by.size());
  size_t max_args = 1;
  for (const AggregateCall& call : core->aggregates) max_args = std::max(max_args, call.call->args.size());
  std::vector<Value> args(max_args);
  while (true) {
    bool found = false;
    SFS_TRY(core_next(rt, core, &found));
    if (!found) break;
    for (size_t i = 0; i < key.size(); ++i) {
      if (!rt.eval(core->group_by[i], &key[i])) return rt.error;
    }
    Group* group;
    bool fresh = false;
    if (core->group_by.empty()) {
      group = groups[0].get();
      fresh = !group->results.empty() ? false : true;
    } else {
      size_t h = 0;
      group = index.find(key, groups, &h);
      if (group == nullptr) {
        group = new_group();
        group->key = key;
        group->hash = h;
        index.add(groups.size() - 1, h, groups);
        fresh = true;
      }
    }
    bool extreme_changed = false;
    for (size_t a = 0; a < aggregate_count; ++a) {
      const AggregateCall& call = core->aggregates[a];
      const Expr* e = call.call;
      for (size_t k = 0; k < e->args.size(); ++k) {
        if (!rt.eval(e->args[k].get(), &args[k])) return rt.error;
      }
      AggregateKind kind = call.function->aggregate;
      if (kind == AggregateKind::kCount && e->args.empty()) kind = AggregateKind::kCountStar;
      if (call.distinct && !args[0].is_null() &&
          aggregate_seen_before(&group->values[a], args[0], call.collation)) {
        continue;
      }
      bool changed = false;
      if (!aggregate_step(rt, kind, &group->values[a], args.data(), static_cast<int>(e->args.size()),
                          call.collation, &changed)) {
        return rt.error;
      }
      if (static_cast<int>(a) == core->extreme && changed) extreme_changed = true;
    }
    // Bare columns come from the group's first row, as in SQLite 3.40, or from the row that
    // set its min()/max().
    if (extreme_changed || fresh) {
      for (size_t c = 0; c < core->captures.size(); ++c) {
        if (!rt.eval(core->captures[c], &group->captured[c])) return rt.error;
      }
    }
    if (core->group_by.empty()) group->results.resize(1);  // marks "has seen a row"
    if (core->stop_after_first) break;
  }
  for (auto& g : groups) {
    g->results.resize(aggregate_count);
    for (size_t a = 0; a < aggregate_count; ++a) {
      AggregateKind kind = core->aggregates[a].function->aggregate;
      if (kind == AggregateKind::kCount && core->aggregates[a].call->args.empty()) {
        kind = AggregateKind::kCountStar;
      }
      g->results[a] = aggregate_final(kind, g->values[a]);
    }
  }
  if (!core->group_by.empty()) {
    std::sort(groups.begin(), groups.end(), [&](const auto& a, const auto& b) {
      return compare_rows(a->key, b->key, a->key.size(), collations) < 0;
    });
  }
  core->output_phase = true;
  for (auto& g : groups) {
    core->current_group = g.get();
    if (core->having != nullptr) {
      int t = rt.test(core->having);
      if (t < 0) {
        core->output_phase = false;
        return rt.error;
      }
      if (t == 0) continue;
    }
    std::vector<Value> row;
    if (!project(rt, core, plan, with_keys, &row)) {
      core->output_phase = false;
      return rt.error;
    }
    out->push_back(std::move(row));
  }
  core->output_phase = false;
  core->current_group = nullptr;
  return Status::ok();
}

// Every row of one core (DISTINCT applied), with ORDER BY key columns appended if asked.
Status core_rows(Runtime& rt, CorePlan* core, const QueryPlan* plan, bool with_keys,
                 std::vector<std::vector<Value>>* out) {
  SFS_TRY(core_open(rt, core));
  size_t start = out->size();
  if (core->aggregate) {
    SFS_TRY(run_aggregate(rt, core, plan, with_keys, out));
  } else {
    while (true) {
      bool found = false;
      SFS_TRY(core_next(rt, core, &found));
      if (!found) break;
      std::vector<Value> row;
      if (!project(rt, core, plan, with_keys, &row)) return rt.error;
      out->push_back(std::move(row));
    }
  }
  if (core->distinct) {
    size_t columns = core->columns.size();
    std::vector<Collation> collations;
    for (Expr* e : core->columns) collations.push_back(e->collation);
    std::vector<std::vector<Value>> kept;
    std::vector<std::vector<Value>> seen;
    for (size_t i = start; i < out->size(); ++i) {
      auto& row = (*out)[i];
      auto less = [&](const std::vector<Value>& a, const std::vector<Value>& b) {
        return compare_rows(a, b, columns, collations) < 0;
      };
      auto it = std::lower_bound(seen.begin(), seen.end(), row, less);
      if (it != seen.end() && compare_rows(*it, row, columns, collations) == 0) continue;
      seen.insert(it, row);
      kept.push_back(std::move(row));
    }
    out->resize(start);
    for (auto& row : kept) out->push_back(std::move(row));
  }
  return Status::ok();
}

// Sorts and drops duplicates, keeping the LAST of equal rows: SQLite inserts compound rows into
// an index where an equal key replaces the earlier one, so 1 UNION 1.0 is 1.0.
void sort_unique(std::vector<std::vector<Value>>* rows, size_t columns,
                 const std::vector<Collation>& collations) {
  std::stable_sort(rows->begin(), rows->end(), [&](const auto& a, const auto& b) {
    return compare_rows(a, b, columns, collations) < 0;
  });
  size_t kept = 0;
  for (size_t i = 0; i < rows->size(); ++i) {
    if (i + 1 < rows->size() && compare_rows((*rows)[i], (*rows)[i + 1], columns, collations) == 0) {
      continue;
    }
    if (kept != i) (*rows)[kept] = std::move((*rows)[i]);
    ++kept;
  }
  rows->resize(kept);
}

Status materialize(Runtime& rt, QueryPlan* plan, std::vector<std::vector<Value>>* result) {
  bool single = plan->cores.size() == 1;
  bool with_keys = single && !plan->order.empty();
  size_t columns = plan->names.size();
  SFS_TRY(core_rows(rt, plan->cores[0].get(), plan, with_keys, result));
  for (size_t i = 0; i < plan->ops.size(); ++i) {
    std::vector<std::vector<Value>> right;
    SFS_TRY(core_rows(rt, plan->cores[i + 1].get(), plan, false, &right));
    switch (plan->ops[i]) {
      case CompoundOp::kUnionAll:
        for (auto& row : right) result->push_back(std::move(row));
        break;
      case CompoundOp::kUnion:
        for (auto& row : right) result->push_back(std::move(row));
        sort_unique(result, columns, plan->compound_collations);
        break;
      case CompoundOp::kExcept:
      case CompoundOp::kIntersect: {
        sort_unique(result, columns, plan->compound_collations);
        sort_unique(&right, columns, plan->compound_collations);
        std::vector<std::vector<Value>> kept;
        size_t j = 0;
        for (auto& row : *result) {
          while (j < right.size() && compare_rows(right[j], row, columns, plan->compound_collations) < 0) ++j;
          bool in_right = j < right.size() && compare_rows(right[j], row, columns, plan->compound_collations) == 0;
          if (in_right == (plan->ops[i] == CompoundOp::kIntersect)) kept.push_back(std::move(row));
        }
        result->swap(kept);
        break;
      }
    }
  }
  if (!plan->order.empty() && !plan->order_satisfied) {
    // Sort by the ORDER BY keys: result columns, or extra key columns after them.
    std::vector<size_t> positions;
    size_t extra = columns;
    for (const OrderKey& key : plan->order) {
      positions.push_back(key.expr != nullptr ? extra++ : static_cast<size_t>(key.column));
    }
    std::stable_sort(result->begin(), result->end(), [&](const auto& a, const auto& b) {
      for (size_t k = 0; k < plan->order.size(); ++k) {
        const OrderKey& key = plan->order[k];
        const Value& x = a[positions[k]];
        const Value& y = b[positions[k]];
        int c;
        if (x.is_null() || y.is_null()) {
          if (x.is_null() && y.is_null()) continue;
          bool nulls_first = key.nulls == 0 ? !key.desc : key.nulls == 1;
          return x.is_null() ? nulls_first : !nulls_first;
        }
        c = compare_values(x, y, key.collation);
        if (c != 0) return key.desc ? c > 0 : c < 0;
      }
      return false;
    });
  }
  if (with_keys) {
    for (auto& row : *result) row.resize(columns);
  }
  return Status::ok();
}

Status eval_limit(Runtime& rt, Expr* e, int64_t* out) {
  Value v;
  if (!rt.eval(e, &v)) return rt.error;
  if (v.type() == ValueType::kText) apply_numeric_affinity(&v);
  if (v.type() == ValueType::kReal) {
    double r = v.real_value();
    if (r == std::floor(r)) v = Value::integer(static_cast<int64_t>(r));
  }
  if (v.type() != ValueType::kInteger) return Status::invalid_argument("datatype mismatch");
  *out = v.int_value();
  return Status::ok();
}

void reset_cursors(QueryPlan* plan);
void reset_cursors_core(CorePlan* core) {
  for (auto& source : core->sources) {
    if (source->cursor) source->cursor->reset();
    if (source->index_cursor) source->index_cursor->reset();
    if (source->subplan) reset_cursors(source->subplan.get());
    source->rows.clear();
    source->rows.shrink_to_fit();
  }
}
void reset_cursors(QueryPlan* plan) {
  for (auto& core : plan->cores) reset_cursors_core(core.get());
  for (auto& sq : plan->subqueries) reset_cursors(sq->plan.get());
}

}  // namespace

// ---- Source ----------------------------------------------------------------------------------

bool Source::load_table_row(Runtime& rt) {
  if (table_loaded) return true;
  BTreeCursor* c = cursor.get();
  if (on_index) {
    if (c == nullptr) {
      Connection* connection = rt.connection();
      cursor = std::make_unique<BTreeCursor>(connection->pager(), table->root, connection->registry());
      c = cursor.get();
    }
    bool exact = false;
    Status s = c->seek(encode_rowid_key(rowid), &exact);
    if (!s.is_ok()) return rt.fail(s);
    if (!exact) {
      return rt.fail(Status::corruption("database disk image is malformed: index entry for rowid " +
                                        std::to_string(rowid) + " has no table row"));
    }
  }
  auto value = c->value();
  if (!value.is_ok()) return rt.fail(value.status());
  Status s = record.reset_lazy(*value);
  if (!s.is_ok()) return rt.fail(s);
  table_loaded = true;
  return true;
}

bool Source::read(Runtime& rt, int column, Value* out) {
  if (null_row) {
    *out = Value();
    return true;
  }
  if (current != nullptr && (table == nullptr || pseudo)) {
    if (column == kRowidColumn || (table != nullptr && column == table->rowid_alias && pseudo &&
                                   column >= static_cast<int>(current->size()))) {
      *out = Value::integer(rowid);
      return true;
    }
    if (column >= 0 && static_cast<size_t>(column) < current->size()) {
      *out = (*current)[column];
    } else {
      *out = Value();
    }
    return true;
  }
  if (column == kRowidColumn || column == table->rowid_alias) {
    *out = Value::integer(rowid);
    return true;
  }
  if (on_index) {
    int position = index_position[column];
    if (position >= 0) {
      if (!index_parsed) {
        auto key = index_cursor->key();
        if (!key.is_ok()) return rt.fail(key.status());
        std::string_view key_bytes = *key;
        auto value = index_cursor->value();
        if (!value.is_ok()) return rt.fail(value.status());
        Status s = decode_index_entry(*scan_index, key_bytes, *value, &index_values);
        if (!s.is_ok()) return rt.fail(s);
        index_parsed = true;
      }
      if (static_cast<size_t>(position) >= index_values.size()) {
        return rt.fail(Status::corruption("database disk image is malformed: short index entry"));
      }
      *out = index_values[position];
      return true;
    }
  }
  if (!load_table_row(rt)) return false;
  bool present = false;
  Status s = record.read_column(static_cast<size_t>(column), out, &present);
  if (!s.is_ok()) return rt.fail(s);
  if (!present) {
    // A column added by ALTER TABLE after this row was written: its default.
    const ColumnInfo& info = table->columns[column];
    if (info.default_value) return rt.eval(info.default_value.get(), out);
    *out = Value();
  }
  return true;
}

// ---- the public entry points -----------------------------------------------------------------

Status query_open(Runtime& rt, QueryPlan* plan) {
  if (!plan->run) plan->run = std::make_unique<QueryPlan::Run>();
  QueryPlan::Run& run = *plan->run;
  run.streaming = false;
  run.done = false;
  run.rows.clear();
  run.next = 0;
  run.emitted = 0;
  run.seen.clear();
  run.limit = -1;
  run.offset = 0;
  if (plan->limit != nullptr) {
    SFS_TRY(eval_limit(rt, plan->limit, &run.limit));
    if (run.limit < 0) run.limit = -1;
  }
  if (plan->offset != nullptr) {
    SFS_TRY(eval_limit(rt, plan->offset, &run.offset));
    if (run.offset < 0) run.offset = 0;
  }
  if (run.limit == 0) {
    run.done = true;
    return Status::ok();
  }
  CorePlan* core = plan->cores[0].get();
  if (plan->cores.size() == 1 && !core->aggregate && plan->order_satisfied) {
    run.streaming = true;
    return core_open(rt, core);
  }
  return materialize(rt, plan, &run.rows);
}

Status query_next(Runtime& rt, QueryPlan* plan, bool* has_row) {
  QueryPlan::Run& run = *plan->run;
  *has_row = false;
  if (run.done) return Status::ok();
  if (run.limit >= 0 && run.emitted >= run.limit) {
    run.done = true;
    return Status::ok();
  }
  if (!run.streaming) {
    while (run.offset > 0 && run.next < run.rows.size()) {
      --run.offset;
      ++run.next;
    }
    if (run.next >= run.rows.size()) {
      run.done = true;
      return Status::ok();
    }
    run.row = std::move(run.rows[run.next++]);
    ++run.emitted;
    *has_row = true;
    return Status::ok();
  }
  CorePlan* core = plan->cores[0].get();
  while (true) {
    bool found = false;
    Status status = core_next(rt, core, &found);
    if (!status.is_ok() || !found) {
      run.done = true;
      return status;
    }
    if (!project(rt, core, plan, false, &run.row)) return rt.error;
    if (core->distinct) {
      std::vector<Collation> collations;
      for (Expr* e : core->columns) collations.push_back(e->collation);
      size_t columns = run.row.size();
      auto less = [&](const std::vector<Value>& a, const std::vector<Value>& b) {
        return compare_rows(a, b, columns, collations) < 0;
      };
      auto it = std::lower_bound(run.seen.begin(), run.seen.end(), run.row, less);
      if (it != run.seen.end() && compare_rows(*it, run.row, columns, collations) == 0) continue;
      run.seen.insert(it, run.row);
    }
    if (run.offset > 0) {
      --run.offset;
      continue;
    }
    ++run.emitted;
    *has_row = true;
    return Status::ok();
  }
}

const std::vector<Value>& query_row(const QueryPlan* plan) { return plan->run->row; }

void query_close(QueryPlan* plan) {
  if (plan->run) {
    plan->run->rows.clear();
    plan->run->rows.shrink_to_fit();
    plan->run->seen.clear();
  }
  reset_cursors(plan);
}

bool run_subquery(Runtime& rt, Subquery* sq) {
  if (!sq->correlated && sq->epoch == rt.epoch) return true;
  QueryPlan* plan = sq->plan.get();
  Status status = query_open(rt, plan);
  if (!status.is_ok()) return rt.fail(status);
  bool has_row = false;
  switch (sq->kind) {
    case Subquery::Kind::kScalar:
      status = query_next(rt, plan, &has_row);
      if (!status.is_ok()) return rt.fail(status);
      sq->scalar = has_row ? query_row(plan)[0] : Value();
      break;
    case Subquery::Kind::kExists:
      status = query_next(rt, plan, &has_row);
      if (!status.is_ok()) return rt.fail(status);
      sq->exists = has_row;
      break;
    case Subquery::Kind::kIn: {
      sq->values.clear();
      sq->has_null = false;
      while (true) {
        status = query_next(rt, plan, &has_row);
        if (!status.is_ok()) return rt.fail(status);
        if (!has_row) break;
        Value v = query_row(plan)[0];
        if (v.is_null()) {
          sq->has_null = true;
          continue;
        }
        if (sq->in_affinity == Affinity::kNumeric) {
          apply_numeric_affinity(&v);
        } else if (sq->in_affinity == Affinity::kText) {
          apply_affinity(&v, Affinity::kText);
        }
        sq->values.push_back(std::move(v));
      }
      Collation c = sq->in_collation;
      std::sort(sq->values.begin(), sq->values.end(),
                [c](const Value& a, const Value& b) { return compare_values(a, b, c) < 0; });
      sq->values.erase(std::unique(sq->values.begin(), sq->values.end(),
                                   [c](const Value& a, const Value& b) {
                                     return compare_values(a, b, c) == 0;
                                   }),
                       sq->values.end());
      break;
    }
  }
  sq->epoch = rt.epoch;
  return true;
}

// ---- EXPLAIN QUERY PLAN ----------------------------------------------------------------------

namespace {
std::string column_name(const Source* s, int column) {
  if (column < 0 || s->table == nullptr) return "rowid";
  return s->columns[column];
}

void describe_expr_subqueries(const QueryPlan* plan, int depth, std::vector<std::string>* lines) {
  for (const auto& sq : plan->subqueries) {
    std::string what = sq->kind == Subquery::Kind::kScalar   ? "SCALAR SUBQUERY"
                       : sq->kind == Subquery::Kind::kExists ? "EXISTS SUBQUERY"
                                                             : "LIST SUBQUERY";
    lines->push_back(std::string(depth * 2, ' ') + (sq->correlated ? "CORRELATED " : "") + what);
    describe_plan(sq->plan.get(), depth + 1, lines);
  }
}

void describe_core(const CorePlan* core, int depth, std::vector<std::string>* lines) {
  std::string indent(depth * 2, ' ');
  for (const Level& level : core->levels) {
    const Source* s = level.source;
    std::string name = s->table != nullptr ? s->table->name : s->name;
    if (s->table != nullptr && !core::iequals(s->name, s->table->name)) name += " AS " + s->name;
    std::string line;
    if (s->table == nullptr) {
      line = "SCAN " + name;
      lines->push_back(indent + line);
      describe_plan(s->subplan.get(), depth + 1, lines);
      continue;
    }
    switch (level.access) {
      case Access::kScan:
        line = "SCAN " + name;
        break;
      case Access::kRowidEq:
        line = "SEARCH " + name + " USING INTEGER PRIMARY KEY (rowid" +
               (level.in_position == 0 ? std::string(" IN (...))") : std::string("=?)"));
        break;
      case Access::kRowidRange: {
        line = "SEARCH " + name + " USING INTEGER PRIMARY KEY (";
        if (level.low) line += std::string("rowid>") + (level.low_inclusive ? "=?" : "?");
        if (level.low && level.high) line += " AND ";
        if (level.high) line += std::string("rowid<") + (level.high_inclusive ? "=?" : "?");
        line += ")";
        break;
      }
      case Access::kIndex: {
        bool constrained = !level.eq.empty() || level.low || level.high;
        line = std::string(constrained ? "SEARCH " : "SCAN ") + name + " USING " +
               (level.covering ? "COVERING " : "") + "INDEX " + level.index->name;
        if (constrained) {
          line += " (";
          for (size_t k = 0; k < level.eq.size(); ++k) {
            if (k > 0) line += " AND ";
            line += column_name(s, level.index->columns[k].column);
            line += static_cast<int>(k) == level.in_position ? " IN (...)" : "=?";
          }
          if (level.low || level.high) {
            std::string c = column_name(s, level.index->columns[level.eq.size()].column);
            if (!level.eq.empty()) line += " AND ";
            if (level.low) line += c + (level.low_inclusive ? ">=?" : ">?");
            if (level.low && level.high) line += " AND ";
            if (level.high) line += c + (level.high_inclusive ? "<=?" : "<?");
          }
          line += ")";
        }
        break;
      }
    }
    if (level.cache_rows) {
      line += level.hash_column >= 0
                  ? " USING AUTOMATIC HASH INDEX (" + column_name(s, level.hash_column) + "=?)"
                  : " (FILTERED ROWS CACHED)";
    }
    if (level.reverse) line += " (reverse order)";
    if (s->left_join) line += " (LEFT JOIN)";
    lines->push_back(indent + line);
  }
  if (core->levels.empty() && core->values.empty()) lines->push_back(indent + "SCAN CONSTANT ROW");
  if (!core->values.empty()) lines->push_back(indent + "SCAN " + std::to_string(core->values.size()) + " CONSTANT ROWS");
  if (core->aggregate && !core->group_by.empty()) lines->push_back(indent + "USE HASH TABLE FOR GROUP BY");
  if (core->stop_after_first) lines->push_back(indent + "FIRST ROW ONLY (MIN/MAX FROM INDEX)");
  if (core->distinct) lines->push_back(indent + "USE TEMP B-TREE FOR DISTINCT");
}
}  // namespace

void describe_core_plan(const CorePlan* core, int depth, std::vector<std::string>* lines) {
  describe_core(core, depth, lines);
}

void describe_plan(const QueryPlan* plan, int depth, std::vector<std::string>* lines) {
  std::string indent(depth * 2, ' ');
  if (plan->cores.size() == 1) {
    describe_core(plan->cores[0].get(), depth, lines);
  } else {
    lines->push_back(indent + "COMPOUND QUERY");
    for (size_t i = 0; i < plan->cores.size(); ++i) {
      std::string label = "LEFT-MOST SUBQUERY";
      if (i > 0) {
        switch (plan->ops[i - 1]) {
          case CompoundOp::kUnion: label = "UNION USING TEMP B-TREE"; break;
          case CompoundOp::kUnionAll: label = "UNION ALL"; break;
          case CompoundOp::kIntersect: label = "INTERSECT USING TEMP B-TREE"; break;
          case CompoundOp::kExcept: label = "EXCEPT USING TEMP B-TREE"; break;
        }
      }
      lines->push_back(indent + "  " + label);
      describe_core(plan->cores[i].get(), depth + 2, lines);
    }
  }
  if (!plan->order.empty() && !plan->order_satisfied) {
    lines->push_back(indent + "USE TEMP B-TREE FOR ORDER BY");
  }
  describe_expr_subqueries(plan, depth, lines);
}

}  // namespace sfs::sql
