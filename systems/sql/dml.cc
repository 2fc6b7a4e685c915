// INSERT, UPDATE, DELETE and triggers: the statements that change rows.
//
// Every change goes through RowWriter, which keeps a table and all its indexes in step: a row is
// the record under its rowid in the table tree plus one entry per index (key = the indexed
// columns, order-preserving encoded, then the rowid; value = those columns' values). Constraint
// checks run before anything is written, in SQLite's order — NOT NULL, CHECK, the rowid, then
// each UNIQUE index — and each failure is resolved by its conflict clause (the statement's OR
// clause wins over the constraint's): ABORT (undo the statement), FAIL (keep what the statement
// already did), ROLLBACK (undo the transaction), IGNORE (skip the row), REPLACE (delete the rows
// in the way, then insert).
//
// UPDATE and DELETE find their rows first (the WHERE clause is planned like a SELECT's, so an
// index can find them) and change them afterwards, so a statement never sees its own changes.
// Triggers are compiled with the statement: their bodies see NEW and OLD as pseudo-tables.
#include <algorithm>
#include <optional>

#include "core/strings.h"
#include "systems/sql/database.h"
#include "systems/sql/engine.h"
#include "systems/sql/key_encoding.h"
#include "systems/sql/parser.h"
#include "systems/sql/row_writer.h"

namespace sfs::sql {
namespace {

Conflict resolve_conflict(Conflict statement, Conflict constraint) {
  if (statement != Conflict::kDefault) return statement;
  if (constraint != Conflict::kDefault) return constraint;
  return Conflict::kAbort;
}

Status constraint_error(Runtime& rt, Conflict action, std::string message) {
  rt.on_error = action;
  return Status(core::Code::kAlreadyExists, std::move(message));
}

// ---- triggers --------------------------------------------------------------------------------

std::unique_ptr<Source> pseudo_source(TableInfo* table, const std::string& name) {
  auto source = std::make_unique<Source>();
  source->name = name;
  source->table = table;
  source->pseudo = true;
  for (const ColumnInfo& c : table->columns) {
    source->columns.push_back(c.name);
    source->affinities.push_back(c.affinity);
    source->collations.push_back(c.collation);
    source->hidden.push_back(false);
  }
  source->index = -1;
  return source;
}

struct CompiledTrigger {
  const TriggerInfo* info = nullptr;
  TriggerTiming timing = TriggerTiming::kBefore;
  std::vector<int> update_columns;
  std::unique_ptr<Source> new_row, old_row;
  std::unique_ptr<CreateTriggerStatement> ast;  // a private copy (compilation annotates it)
  Expr* when = nullptr;
  std::vector<std::unique_ptr<Program>> body;
  std::vector<std::unique_ptr<Subquery>> subqueries;
};

class Triggers {
 public:
  Status compile(Compiler& compiler, TableInfo* table, TriggerEvent event) {
    for (TriggerInfo* info : table->triggers) {
      const CreateTriggerStatement& original = *info->ast;
      if (original.event != event) continue;
      if (std::find(compiler.compiling_triggers.begin(), compiler.compiling_triggers.end(), info) !=
          compiler.compiling_triggers.end()) {
        continue;  // it is firing us: no recursion
      }
      auto trigger = std::make_unique<CompiledTrigger>();
      trigger->info = info;
      trigger->timing = original.timing;
      if (trigger->timing == TriggerTiming::kInsteadOf) continue;
      for (const std::string& name : original.update_columns) {
        int c = table->find_column(name);
        if (c >= 0) trigger->update_columns.push_back(c);
      }
      SFS_ASSIGN_OR_RETURN(Parser parser, Parser::create(info->sql));
      SFS_ASSIGN_OR_RETURN(StatementPtr statement, parser.next());
      if (!statement || statement->kind != StatementKind::kCreateTrigger) {
        return Status::corruption("malformed trigger " + info->name);
      }
      trigger->ast.reset(static_cast<CreateTriggerStatement*>(statement.release()));
      trigger->new_row = pseudo_source(table, "new");
      trigger->old_row = pseudo_source(table, "old");
      Scope scope;
      if (event != TriggerEvent::kDelete) scope.sources.push_back(trigger->new_row.get());
      if (event != TriggerEvent::kInsert) scope.sources.push_back(trigger->old_row.get());
      scope.subquery_owner = &trigger->subqueries;
      compiler.compiling_triggers.push_back(info);
      Status status = Status::ok();
      if (trigger->ast->when) {
        status = compiler.resolve_in(trigger->ast->when.get(), scope.sources, &scope);
        trigger->when = trigger->ast->when.get();
      }
      for (auto& body : trigger->ast->body) {
        if (!status.is_ok()) break;
        auto program = compile_dml(compiler, body.get(), &scope);
        if (!program.is_ok()) {
          status = program.status();
          break;
        }
        trigger->body.push_back(std::move(*program));
      }
      compiler.compiling_triggers.pop_back();
      SFS_TRY(status);
      list_.push_back(std::move(trigger));
    }
    return Status::ok();
  }

  bool empty() const { return list_.empty(); }
  bool has(TriggerTiming timing) const {
    for (const auto& t : list_) {
      if (t->timing == timing) return true;
    }
    return false;
  }

  // Fires the triggers of `timing`. Returns kNotFound "RAISE(IGNORE)" when the row is to be
  // skipped.
  Status fire(Runtime& rt, TriggerTiming timing, const std::vector<Value>* old_row,
              int64_t old_rowid, const std::vector<Value>* new_row, int64_t new_rowid,
              const std::vector<bool>* changed) {
    for (auto& trigger : list_) {
      if (trigger->timing != timing) continue;
      if (!trigger->update_columns.empty() && changed != nullptr) {
        bool any = false;
        for (int c : trigger->update_columns) any = any || (*changed)[c];
        if (!any) continue;
      }
      if (std::find(rt.active_triggers.begin(), rt.active_triggers.end(), trigger->info) !=
          rt.active_triggers.end()) {
        continue;
      }
      if (rt.active_triggers.size() >= 64) {
        return Status::limit_exceeded("too many levels of trigger recursion");
      }
      trigger->new_row->current = new_row;
      trigger->new_row->rowid = new_rowid;
      trigger->old_row->current = old_row;
      trigger->old_row->rowid = old_rowid;
      if (trigger->when != nullptr) {
        int t = rt.test(trigger->when);
        if (t < 0) return rt.error;
        if (t == 0) continue;
      }
      rt.active_triggers.push_back(trigger->info);
      Status status = Status::ok();
      for (auto& program : trigger->body) {
        status = program->open(rt);
        while (status.is_ok()) {
          bool row = false;
          status = program->step(rt, &row);
          if (!row) break;
        }
        program->close();
        if (!status.is_ok()) break;
      }
      rt.active_triggers.pop_back();
      if (!status.is_ok()) {
        if (status.code() == core::Code::kNotFound && status.message() == "RAISE(IGNORE)") {
          rt.error = Status::ok();
          return status;
        }
        return status;
      }
    }
    return Status::ok();
  }

 private:
  std::vector<std::unique_ptr<CompiledTrigger>> list_;
};

bool is_ignore(const Status& status) {
  return status.code() == core::Code::kNotFound && status.message() == "RAISE(IGNORE)";
}

// ---- checks shared by INSERT and UPDATE -------------------------------------------------------

struct Checks {
  std::unique_ptr<Source> row;  // the row being written, for CHECK expressions
  std::vector<ExprPtr> exprs;
  std::vector<std::string> texts;
  std::vector<std::unique_ptr<Subquery>> subqueries;

  Status compile(Compiler& compiler, TableInfo* table) {
    if (table->checks.empty()) return Status::ok();
    row = pseudo_source(table, table->name);
    Scope scope;
    scope.sources.push_back(row.get());
    scope.subquery_owner = &subqueries;
    for (const auto& check : table->checks) {
      ExprPtr e = check->clone();
      SFS_TRY(compiler.resolve_in(e.get(), scope.sources, &scope));
      texts.push_back(check_text(*table, *check));
      exprs.push_back(std::move(e));
    }
    return Status::ok();
  }

  static std::string check_text(const TableInfo& table, const Expr& e) {
    // The CHECK's source text, recovered from the CREATE TABLE statement by its offset.
    size_t start = e.offset;
    const std::string& sql = table.sql;
    if (start >= sql.size()) return "CHECK";
    int depth = 0;
    size_t i = start;
    for (; i < sql.size(); ++i) {
      char c = sql[i];
      if (c == '(') ++depth;
      if (c == ')') {
        if (depth == 0) break;
        --depth;
      }
      if (c == ',' && depth == 0) break;
    }
    std::string text(core::trim(std::string_view(sql).substr(start, i - start)));
    // The offset points at the expression's first operator token; back up to its start.
    size_t open = sql.rfind("CHECK", start);
    if (open == std::string::npos) open = sql.rfind("check", start);
    if (open != std::string::npos) {
      size_t paren = sql.find('(', open);
      if (paren != std::string::npos && paren < start) {
        text = std::string(core::trim(std::string_view(sql).substr(paren + 1, i - paren - 1)));
      }
    }
    return text;
  }
};

Status apply_not_null(Runtime& rt, TableInfo* table, Conflict statement_conflict,
                      std::vector<Value>* row, bool* skip) {
  for (size_t c = 0; c < table->columns.size(); ++c) {
    const ColumnInfo& column = table->columns[c];
    if (!column.not_null || static_cast<int>(c) == table->rowid_alias || !(*row)[c].is_null()) {
      continue;
    }
    Conflict action = resolve_conflict(statement_conflict, column.not_null_conflict);
    if (action == Conflict::kReplace && column.default_value) {
      Value v;
      if (!rt.eval(column.default_value.get(), &v)) return rt.error;
      apply_affinity(&v, column.affinity);
      if (!v.is_null()) {
        (*row)[c] = std::move(v);
        continue;
      }
      action = Conflict::kAbort;
    }
    if (action == Conflict::kIgnore) {
      *skip = true;
      return Status::ok();
    }
    if (action == Conflict::kReplace) action = Conflict::kAbort;
    return constraint_error(rt, action,
                            "NOT NULL constraint failed: " + table->name + "." + column.name);
  }
  return Status::ok();
}

Status apply_checks(Runtime& rt, Checks& checks, Conflict statement_conflict,
                    const std::vector<Value>& row, int64_t rowid, bool* skip) {
  if (checks.exprs.empty()) return Status::ok();
  checks.row->current = &row;
  checks.row->rowid = rowid;
  for (size_t i = 0; i < checks.exprs.size(); ++i) {
    Value v;
    if (!rt.eval(checks.exprs[i].get(), &v)) return rt.error;
    if (v.is_null() || v.is_true()) continue;
    Conflict action = resolve_conflict(statement_conflict, Conflict::kDefault);
    if (action == Conflict::kIgnore) {
      *skip = true;
      return Status::ok();
    }
    if (action == Conflict::kReplace) action = Conflict::kAbort;
    return constraint_error(rt, action, "CHECK constraint failed: " + checks.texts[i]);
  }
  return Status::ok();
}


// Turns a value into a rowid (INTEGER affinity); false when it is not an integer.
bool to_rowid(Value v, int64_t* out) {
  apply_affinity(&v, Affinity::kInteger);
  if (v.type() != ValueType::kInteger) return false;
  *out = v.int_value();
  return true;
}

// ---- SELECT ------------------------------------------------------------------------------

class SelectProgram : public Program {
 public:
  explicit SelectProgram(std::unique_ptr<QueryPlan> plan) : plan_(std::move(plan)) {
    names = plan_->names;
  }
  Status open(Runtime& rt) override { return query_open(rt, plan_.get()); }
  Status step(Runtime& rt, bool* has_row) override { return query_next(rt, plan_.get(), has_row); }
  const std::vector<Value>& row() const override { return query_row(plan_.get()); }
  void close() override { query_close(plan_.get()); }
  void describe(std::vector<std::string>* lines) const override { describe_plan(plan_.get(), 0, lines); }
  QueryPlan* plan() { return plan_.get(); }

 private:
  std::unique_ptr<QueryPlan> plan_;
};

// ---- UPDATE (the row-level part is shared with upserts) ---------------------------------------

struct Assignment {
  int column;  // kRowidColumn for the rowid itself
  Expr* value;
};

class RowUpdater {
 public:
  RowUpdater(Connection* connection, TableInfo* table) : writer_(connection, table), table_(table) {}

  Status compile(Compiler& compiler, Conflict conflict) {
    conflict_ = conflict;
    SFS_TRY(checks_.compile(compiler, table_));
    return triggers_.compile(compiler, table_, TriggerEvent::kUpdate);
  }

  RowWriter& writer() { return writer_; }
  bool has_triggers() const { return !triggers_.empty(); }

  // Applies new values to the row `rowid` (whose current values are old_row). new_rowid may
  // differ when the rowid itself was assigned. *done is false when the row was skipped.
  Status update(Runtime& rt, int64_t rowid, const std::vector<Value>& old_row,
                std::vector<Value> row, int64_t new_rowid, bool* done) {
    *done = false;
    for (size_t c = 0; c < row.size(); ++c) {
      if (static_cast<int>(c) != table_->rowid_alias) apply_affinity(&row[c], table_->columns[c].affinity);
    }
    if (table_->rowid_alias >= 0) row[table_->rowid_alias] = Value::integer(new_rowid);
    std::vector<bool> changed(row.size());
    for (size_t c = 0; c < row.size(); ++c) {
      bool is_null;
      changed[c] = compare_for_sql(old_row[c], row[c], Affinity::kBlob, Collation::kBinary,
                                   &is_null) != 0 ||
                   old_row[c].is_null() != row[c].is_null() || old_row[c].type() != row[c].type();
    }
    if (triggers_.has(TriggerTiming::kBefore)) {
      Status s = triggers_.fire(rt, TriggerTiming::kBefore, &old_row, rowid, &row, new_rowid, &changed);
      if (is_ignore(s)) return Status::ok();
      SFS_TRY(s);
    }
    bool skip = false;
    SFS_TRY(apply_not_null(rt, table_, conflict_, &row, &skip));
    if (skip) return Status::ok();
    SFS_TRY(apply_checks(rt, checks_, conflict_, row, new_rowid, &skip));
    if (skip) return Status::ok();
    if (new_rowid != rowid) {
      SFS_ASSIGN_OR_RETURN(bool taken, writer_.exists(new_rowid));
      if (taken) {
        Conflict action = resolve_conflict(conflict_, table_->rowid_conflict);
        if (action == Conflict::kIgnore) return Status::ok();
        if (action == Conflict::kReplace) {
          std::vector<Value> victim;
          SFS_ASSIGN_OR_RETURN(bool found, writer_.read(rt, new_rowid, &victim));
          if (found) SFS_TRY(writer_.remove(new_rowid, victim));
        } else {
          return constraint_error(rt, action, rowid_message(table_));
        }
      }
    }
    for (size_t i = 0; i < table_->indexes.size(); ++i) {
      const IndexInfo* index = table_->indexes[i];
      if (!index->unique) continue;
      while (true) {
        SFS_ASSIGN_OR_RETURN(std::optional<int64_t> other,
                             writer_.conflict(i, row, new_rowid, std::optional<int64_t>(rowid)));
        if (!other) break;
        Conflict action = resolve_conflict(conflict_, index->conflict);
        if (action == Conflict::kIgnore) return Status::ok();
        if (action != Conflict::kReplace) {
          return constraint_error(rt, action, unique_message(table_, index));
        }
        std::vector<Value> victim;
        SFS_ASSIGN_OR_RETURN(bool found, writer_.read(rt, *other, &victim));
        if (!found) break;
        SFS_TRY(writer_.remove(*other, victim));
      }
    }
    if (new_rowid != rowid) {
      SFS_TRY(writer_.remove(rowid, old_row));
      SFS_TRY(writer_.insert(new_rowid, row));
    } else {
      SFS_TRY(writer_.update(rowid, old_row, row));
    }
    if (triggers_.has(TriggerTiming::kAfter)) {
      Status s = triggers_.fire(rt, TriggerTiming::kAfter, &old_row, rowid, &row, new_rowid, &changed);
      if (!is_ignore(s)) SFS_TRY(s);
    }
    *done = true;
    return Status::ok();
  }

 private:
  RowWriter writer_;
  TableInfo* table_;
  Conflict conflict_ = Conflict::kDefault;
  Checks checks_;
  Triggers triggers_;
};

Result<std::vector<Assignment>> compile_assignments(
    Compiler& compiler, TableInfo* table,
    std::vector<std::pair<std::vector<std::string>, ExprPtr>>& assignments,
    const std::vector<Source*>& sources, Scope* scope) {
  std::vector<Assignment> out;
  for (auto& [columns, value] : assignments) {
    if (columns.size() != 1) return Status::unsupported("row-value assignments are not supported");
    int c = table->find_column(columns[0]);
    if (c == -1) return Status::invalid_argument("no such column: " + columns[0]);
    SFS_TRY(compiler.resolve_in(value.get(), sources, scope));
    if (value->kind == ExprKind::kFunction && value->aggregate >= 0) {
      return Status::invalid_argument("misuse of aggregate function " + value->name + "()");
    }
    out.push_back({c, value.get()});
  }
  return out;
}

class UpdateProgram : public Program {
 public:
  UpdateProgram(Connection* connection, TableInfo* table)
      : connection_(connection), table_(table), updater_(connection, table) {
    writes = true;
  }

  Status compile(Compiler& compiler, UpdateStatement* statement, Scope* outer) {
    if (table_->system && fold_name(table_->name) != "sqlite_stat1") {
      return Status::invalid_argument("table " + table_->name + " may not be modified");
    }
    Scope scope;
    scope.parent = outer;
    scope.subquery_owner = &subqueries_;
    SFS_ASSIGN_OR_RETURN(core_, compiler.compile_table_scan(table_, statement->alias,
                                                            statement->where.get(), &scope,
                                                            &subqueries_));
    Source* source = core_->sources[0].get();
    SFS_ASSIGN_OR_RETURN(assignments_, compile_assignments(compiler, table_, statement->assignments,
                                                           {source}, &scope));
    return updater_.compile(compiler, statement->conflict);
  }

  Status open(Runtime& rt) override {
    (void)rt;
    done_ = false;
    return Status::ok();
  }

  Status step(Runtime& rt, bool* has_row) override {
    *has_row = false;
    if (done_) return Status::ok();
    done_ = true;
    if (table_->root == 0) return Status::ok();
    // Pass 1: the rows to change, and their new values.
    Source* source = core_->sources[0].get();
    std::vector<int64_t> rowids;
    std::vector<std::vector<Value>> values;
    SFS_TRY(core_open(rt, core_.get()));
    while (true) {
      bool found = false;
      SFS_TRY(core_next(rt, core_.get(), &found));
      if (!found) break;
      rowids.push_back(source->rowid);
      std::vector<Value> assigned(assignments_.size());
      for (size_t i = 0; i < assignments_.size(); ++i) {
        if (!rt.eval(assignments_[i].value, &assigned[i])) return rt.error;
      }
      values.push_back(std::move(assigned));
    }
    if (source->cursor) source->cursor->reset();
    if (source->index_cursor) source->index_cursor->reset();
    // Pass 2: change them.
    int64_t changes = 0;
    std::vector<Value> old_row;
    for (size_t r = 0; r < rowids.size(); ++r) {
      SFS_ASSIGN_OR_RETURN(bool found, updater_.writer().read(rt, rowids[r], &old_row));
      if (!found) continue;  // deleted meanwhile (by REPLACE or a trigger)
      std::vector<Value> row = old_row;
      int64_t new_rowid = rowids[r];
      for (size_t i = 0; i < assignments_.size(); ++i) {
        int c = assignments_[i].column;
        if (c == kRowidColumn || c == table_->rowid_alias) {
          if (values[r][i].is_null() && c == table_->rowid_alias) {
            // Assigning NULL to an INTEGER PRIMARY KEY picks a new rowid.
            SFS_ASSIGN_OR_RETURN(new_rowid, updater_.writer().new_rowid());
          } else if (!to_rowid(values[r][i], &new_rowid)) {
            return Status::invalid_argument("datatype mismatch");
          }
        } else {
          row[c] = values[r][i];
        }
      }
      bool done = false;
      SFS_TRY(updater_.update(rt, rowids[r], old_row, std::move(row), new_rowid, &done));
      if (done) ++changes;
    }
    updater_.writer().reset();
    connection_->set_changes(changes);
    return Status::ok();
  }

  void close() override { updater_.writer().reset(); }
  void describe(std::vector<std::string>* lines) const override {
    lines->push_back("UPDATE " + table_->name);
    describe_core_plan(core_.get(), 1, lines);
  }

 private:
  Connection* connection_;
  TableInfo* table_;
  RowUpdater updater_;
  std::unique_ptr<CorePlan> core_;
  std::vector<Assignment> assignments_;
  std::vector<std::unique_ptr<Subquery>> subqueries_;
  bool done_ = false;
};

// ---- DELETE ----------------------------------------------------------------------------------

class DeleteProgram : public Program {
 public:
  DeleteProgram(Connection* connection, TableInfo* table)
      : connection_(connection), table_(table), writer_(connection, table) {
    writes = true;
  }

  Status compile(Compiler& compiler, DeleteStatement* statement, Scope* outer) {
    if (table_->system && fold_name(table_->name) != "sqlite_stat1") {
      return Status::invalid_argument("table " + table_->name + " may not be modified");
    }
    Scope scope;
    scope.parent = outer;
    scope.subquery_owner = &subqueries_;
    truncate_ = statement->where == nullptr;
    SFS_ASSIGN_OR_RETURN(core_, compiler.compile_table_scan(table_, statement->alias,
                                                            statement->where.get(), &scope,
                                                            &subqueries_));
    SFS_TRY(triggers_.compile(compiler, table_, TriggerEvent::kDelete));
    return Status::ok();
  }

  Status open(Runtime& rt) override {
    (void)rt;
    done_ = false;
    return Status::ok();
  }

  Status step(Runtime& rt, bool* has_row) override {
    *has_row = false;
    if (done_) return Status::ok();
    done_ = true;
    if (table_->root == 0) return Status::ok();
    Source* source = core_->sources[0].get();
    std::vector<int64_t> rowids;
    SFS_TRY(core_open(rt, core_.get()));
    while (true) {
      bool found = false;
      SFS_TRY(core_next(rt, core_.get(), &found));
      if (!found) break;
      rowids.push_back(source->rowid);
    }
    if (source->cursor) source->cursor->reset();
    if (source->index_cursor) source->index_cursor->reset();
    if (truncate_ && triggers_.empty()) {
      // DELETE FROM t: empty the trees wholesale.
      Pager* pager = connection_->pager();
      connection_->registry()->save_all(table_->root, nullptr);
      SFS_TRY(btree::destroy(pager, table_->root, false));
      for (IndexInfo* index : table_->indexes) {
        connection_->registry()->save_all(index->root, nullptr);
        SFS_TRY(btree::destroy(pager, index->root, false));
      }
      connection_->set_changes(static_cast<int64_t>(rowids.size()));
      return Status::ok();
    }
    int64_t changes = 0;
    std::vector<Value> row;
    for (int64_t rowid : rowids) {
      SFS_ASSIGN_OR_RETURN(bool found, writer_.read(rt, rowid, &row));
      if (!found) continue;
      if (triggers_.has(TriggerTiming::kBefore)) {
        Status s = triggers_.fire(rt, TriggerTiming::kBefore, &row, rowid, nullptr, 0, nullptr);
        if (is_ignore(s)) continue;
        SFS_TRY(s);
        SFS_ASSIGN_OR_RETURN(found, writer_.read(rt, rowid, &row));
        if (!found) continue;
      }
      SFS_TRY(writer_.remove(rowid, row));
      ++changes;
      if (triggers_.has(TriggerTiming::kAfter)) {
        Status s = triggers_.fire(rt, TriggerTiming::kAfter, &row, rowid, nullptr, 0, nullptr);
        if (!is_ignore(s)) SFS_TRY(s);
      }
    }
    writer_.reset();
    connection_->set_changes(changes);
    return Status::ok();
  }

  void close() override { writer_.reset(); }
  void describe(std::vector<std::string>* lines) const override {
    lines->push_back("DELETE FROM " + table_->name);
    describe_core_plan(core_.get(), 1, lines);
  }

 private:
  Connection* connection_;
  TableInfo* table_;
  RowWriter writer_;
  Triggers triggers_;
  std::unique_ptr<CorePlan> core_;
  std::vector<std::unique_ptr<Subquery>> subqueries_;
  bool truncate_ = false;
  bool done_ = false;
};

// ---- INSERT ----------------------------------------------------------------------------------

class InsertProgram : public Program {
 public:
  InsertProgram(Connection* connection, TableInfo* table)
      : connection_(connection), table_(table), writer_(connection, table) {
    writes = true;
  }

  Status compile(Compiler& compiler, InsertStatement* statement, Scope* outer) {
    if (table_->system && fold_name(table_->name) != "sqlite_stat1") {
      return Status::invalid_argument("table " + table_->name + " may not be modified");
    }
    conflict_ = statement->conflict;
    Scope scope;
    scope.parent = outer;
    scope.subquery_owner = &subqueries_;
    size_t ncols = table_->columns.size();
    if (statement->columns.empty()) {
      for (size_t c = 0; c < ncols; ++c) targets_.push_back(static_cast<int>(c));
    } else {
      for (const std::string& name : statement->columns) {
        int c = table_->find_column(name);
        if (c == -1) {
          return Status::invalid_argument("table " + table_->name + " has no column named " + name);
        }
        targets_.push_back(c);
      }
    }
    // Defaults, resolved once.
    defaults_.resize(ncols);
    for (size_t c = 0; c < ncols; ++c) {
      if (table_->columns[c].default_value) {
        defaults_[c] = table_->columns[c].default_value->clone();
        SFS_TRY(compiler.resolve_in(defaults_[c].get(), {}, &scope));
      }
    }
    if (!statement->default_values) {
      Select* select = statement->select.get();
      bool plain_values = select->cores.size() == 1 && !select->cores[0].values.empty() &&
                          select->order_by.empty() && !select->limit && select->with.empty();
      size_t width;
      if (plain_values) {
        for (auto& row : select->cores[0].values) {
          std::vector<Expr*> exprs;
          for (auto& e : row) {
            SFS_TRY(compiler.resolve_in(e.get(), {}, &scope));
            exprs.push_back(e.get());
          }
          rows_.push_back(std::move(exprs));
        }
        width = rows_[0].size();
        multi_row = rows_.size() > 1;
        single_row_ = rows_.size() == 1;
      } else {
        SFS_ASSIGN_OR_RETURN(select_, compiler.compile_select(select, &scope));
        width = select_->names.size();
        // A SELECT that reads the table being filled must be read to the end first, or it would
        // see its own inserts; otherwise rows stream straight in.
        materialize_ = plan_reads_table(select_.get(), table_);
      }
      if (width != targets_.size()) {
        if (statement->columns.empty()) {
          return Status::invalid_argument("table " + table_->name + " has " +
                                          std::to_string(ncols) + " columns but " +
                                          std::to_string(width) + " values were supplied");
        }
        return Status::invalid_argument(std::to_string(width) + " values for " +
                                        std::to_string(targets_.size()) + " columns");
      }
    }
    SFS_TRY(checks_.compile(compiler, table_));
    SFS_TRY(triggers_.compile(compiler, table_, TriggerEvent::kInsert));
    if (!triggers_.empty() || conflict_ == Conflict::kReplace || conflict_ == Conflict::kFail) {
      multi_row = true;
      single_row_ = false;
    }
    // ON CONFLICT ... DO UPDATE: an update of the conflicting row, seeing "excluded".
    for (Upsert& upsert : statement->upserts) {
      UpsertClause clause;
      for (const IndexedColumn& c : upsert.target) {
        int column = table_->find_column(c.name);
        if (column == -1) return Status::invalid_argument("no such column: " + c.name);
        clause.target.push_back(column == kRowidColumn ? table_->rowid_alias : column);
      }
      clause.do_nothing = upsert.do_nothing;
      if (!upsert.do_nothing) {
        clause.existing = pseudo_source(table_, statement->alias.empty() ? table_->name : statement->alias);
        clause.excluded = pseudo_source(table_, "excluded");
        std::vector<Source*> sources = {clause.existing.get(), clause.excluded.get()};
        SFS_ASSIGN_OR_RETURN(clause.assignments, compile_assignments(compiler, table_, upsert.assignments,
                                                                     sources, &scope));
        if (upsert.where) {
          SFS_TRY(compiler.resolve_in(upsert.where.get(), sources, &scope));
          clause.where = upsert.where.get();
        }
        clause.updater = std::make_unique<RowUpdater>(connection_, table_);
        SFS_TRY(clause.updater->compile(compiler, Conflict::kDefault));
      }
      upserts_.push_back(std::move(clause));
      multi_row = true;
    }
    return Status::ok();
  }

  Status open(Runtime& rt) override {
    (void)rt;
    done_ = false;
    return Status::ok();
  }

  Status step(Runtime& rt, bool* has_row) override {
    *has_row = false;
    if (done_) return Status::ok();
    done_ = true;
    changes_ = 0;
    std::vector<Value> values;
    if (rows_.empty() && !select_) {  // DEFAULT VALUES
      SFS_TRY(insert_row(rt, values));
    } else if (!select_) {
      values.resize(targets_.size());
      for (const auto& row : rows_) {
        for (size_t i = 0; i < row.size(); ++i) {
          if (!rt.eval(row[i], &values[i])) return rt.error;
        }
        SFS_TRY(insert_row(rt, values));
      }
    } else {
      SFS_TRY(query_open(rt, select_.get()));
      std::vector<std::vector<Value>> all;
      while (true) {
        bool row = false;
        Status status = query_next(rt, select_.get(), &row);
        if (!status.is_ok()) {
          query_close(select_.get());
          return status;
        }
        if (!row) break;
        if (materialize_) {
          all.push_back(query_row(select_.get()));
        } else {
          Status inserted = insert_row(rt, query_row(select_.get()));
          if (!inserted.is_ok()) {
            query_close(select_.get());
            return inserted;
          }
        }
      }
      query_close(select_.get());
      for (const auto& row : all) SFS_TRY(insert_row(rt, row));
    }
    writer_.reset();
    connection_->set_changes(changes_);
    return Status::ok();
  }

  void close() override { writer_.reset(); }
  void describe(std::vector<std::string>* lines) const override {
    lines->push_back("INSERT INTO " + table_->name);
    if (select_) describe_plan(select_.get(), 1, lines);
  }

 private:
  struct UpsertClause {
    std::vector<int> target;
    bool do_nothing = true;
    std::unique_ptr<Source> existing, excluded;
    std::vector<Assignment> assignments;
    Expr* where = nullptr;
    std::unique_ptr<RowUpdater> updater;
  };

  // The upsert clause that handles a conflict on `index` (-1: the rowid), or nullptr.
  UpsertClause* upsert_for(int index) {
    for (auto& clause : upserts_) {
      if (clause.target.empty()) return &clause;
      std::vector<int> columns;
      if (index < 0) {
        columns.push_back(table_->rowid_alias);
      } else {
        for (const IndexColumn& ic : table_->indexes[index]->columns) columns.push_back(ic.column);
      }
      std::vector<int> target = clause.target;
      std::sort(columns.begin(), columns.end());
      std::sort(target.begin(), target.end());
      if (columns == target) return &clause;
    }
    return nullptr;
  }

  Status run_upsert(Runtime& rt, UpsertClause* clause, int64_t existing_rowid,
                    const std::vector<Value>& proposed) {
    if (clause->do_nothing) return Status::ok();
    std::vector<Value> old_row;
    SFS_ASSIGN_OR_RETURN(bool found, writer_.read(rt, existing_rowid, &old_row));
    if (!found) return Status::ok();
    clause->existing->current = &old_row;
    clause->existing->rowid = existing_rowid;
    clause->excluded->current = &proposed;
    clause->excluded->rowid = existing_rowid;
    if (clause->where != nullptr) {
      int t = rt.test(clause->where);
      if (t < 0) return rt.error;
      if (t == 0) return Status::ok();
    }
    std::vector<Value> row = old_row;
    int64_t new_rowid = existing_rowid;
    for (const Assignment& a : clause->assignments) {
      Value v;
      if (!rt.eval(a.value, &v)) return rt.error;
      if (a.column == kRowidColumn || a.column == table_->rowid_alias) {
        if (!to_rowid(v, &new_rowid)) return Status::invalid_argument("datatype mismatch");
      } else {
        row[a.column] = std::move(v);
      }
    }
    bool done = false;
    SFS_TRY(clause->updater->update(rt, existing_rowid, old_row, std::move(row), new_rowid, &done));
    clause->updater->writer().reset();
    if (done) ++changes_;
    return Status::ok();
  }

  Status insert_row(Runtime& rt, const std::vector<Value>& values) {
    size_t ncols = table_->columns.size();
    std::vector<Value> row(ncols);
    std::vector<bool> given(ncols, false);
    bool rowid_given = false;
    Value rowid_value;
    for (size_t i = 0; i < targets_.size(); ++i) {
      int c = targets_[i];
      if (c == kRowidColumn) {
        rowid_value = values[i];
        rowid_given = !rowid_value.is_null();
      } else {
        row[c] = values[i];
        given[c] = true;
      }
    }
    for (size_t c = 0; c < ncols; ++c) {
      if (!given[c] && defaults_[c]) {
        if (!rt.eval(defaults_[c].get(), &row[c])) return rt.error;
      }
    }
    int alias = table_->rowid_alias;
    if (alias >= 0 && !row[alias].is_null()) {
      rowid_value = row[alias];
      rowid_given = true;
    }
    int64_t rowid = -1;
    if (rowid_given && !to_rowid(rowid_value, &rowid)) {
      return Status::invalid_argument("datatype mismatch");
    }
    for (size_t c = 0; c < ncols; ++c) {
      if (static_cast<int>(c) != alias) apply_affinity(&row[c], table_->columns[c].affinity);
    }
    if (triggers_.has(TriggerTiming::kBefore)) {
      if (alias >= 0) row[alias] = rowid_given ? Value::integer(rowid) : Value::integer(-1);
      Status s = triggers_.fire(rt, TriggerTiming::kBefore, nullptr, 0, &row,
                                rowid_given ? rowid : -1, nullptr);
      if (is_ignore(s)) return Status::ok();
      SFS_TRY(s);
    }
    bool skip = false;
    SFS_TRY(apply_not_null(rt, table_, conflict_, &row, &skip));
    if (skip) return Status::ok();
    if (!rowid_given) {
      SFS_ASSIGN_OR_RETURN(rowid, writer_.new_rowid());
    }
    if (alias >= 0) row[alias] = Value::integer(rowid);
    SFS_TRY(apply_checks(rt, checks_, conflict_, row, rowid, &skip));
    if (skip) return Status::ok();
    bool unique_indexes = false;
    for (const IndexInfo* index : table_->indexes) unique_indexes = unique_indexes || index->unique;
    if (rowid_given && !unique_indexes && triggers_.empty() && upserts_.empty()) {
      // One descent: insert if the rowid is free, else resolve the conflict and try again.
      bool existed = false;
      Status written = writer_.insert(rowid, row, RowWriter::Mode::kNew, &existed);
      if (!written.is_ok()) {
        if (single_row_ && !multi_row) rt.on_error = Conflict::kRollback;
        return written;
      }
      if (!existed) {
        ++changes_;
        connection_->set_last_insert_rowid(rowid);
        return Status::ok();
      }
      Conflict action = resolve_conflict(conflict_, table_->rowid_conflict);
      if (action == Conflict::kIgnore) return Status::ok();
      if (action != Conflict::kReplace) return constraint_error(rt, action, rowid_message(table_));
      std::vector<Value> victim;
      SFS_ASSIGN_OR_RETURN(bool found, writer_.read(rt, rowid, &victim));
      if (found) SFS_TRY(writer_.remove(rowid, victim));
    } else if (rowid_given) {
      SFS_ASSIGN_OR_RETURN(bool taken, writer_.exists(rowid));
      if (taken) {
        if (UpsertClause* clause = upserts_.empty() ? nullptr : upsert_for(-1)) {
          return run_upsert(rt, clause, rowid, row);
        }
        Conflict action = resolve_conflict(conflict_, table_->rowid_conflict);
        if (action == Conflict::kIgnore) return Status::ok();
        if (action != Conflict::kReplace) return constraint_error(rt, action, rowid_message(table_));
        std::vector<Value> victim;
        SFS_ASSIGN_OR_RETURN(bool found, writer_.read(rt, rowid, &victim));
        if (found) SFS_TRY(writer_.remove(rowid, victim));
      }
    }
    for (size_t i = 0; i < table_->indexes.size(); ++i) {
      const IndexInfo* index = table_->indexes[i];
      if (!index->unique) continue;
      while (true) {
        SFS_ASSIGN_OR_RETURN(std::optional<int64_t> other,
                             writer_.conflict(i, row, rowid, std::optional<int64_t>()));
        if (!other) break;
        if (UpsertClause* clause = upserts_.empty() ? nullptr : upsert_for(static_cast<int>(i))) {
          return run_upsert(rt, clause, *other, row);
        }
        Conflict action = resolve_conflict(conflict_, index->conflict);
        if (action == Conflict::kIgnore) return Status::ok();
        if (action != Conflict::kReplace) return constraint_error(rt, action, unique_message(table_, index));
        std::vector<Value> victim;
        SFS_ASSIGN_OR_RETURN(bool found, writer_.read(rt, *other, &victim));
        if (!found) break;
        SFS_TRY(writer_.remove(*other, victim));
      }
    }
    Status written = writer_.insert(rowid, row, rowid_given ? RowWriter::Mode::kReplace
                                                            : RowWriter::Mode::kAppend);
    if (!written.is_ok()) {
      // Without a statement savepoint a half-written row can only be undone with the whole
      // transaction.
      if (single_row_ && !multi_row) rt.on_error = Conflict::kRollback;
      return written;
    }
    ++changes_;
    connection_->set_last_insert_rowid(rowid);
    if (triggers_.has(TriggerTiming::kAfter)) {
      Status s = triggers_.fire(rt, TriggerTiming::kAfter, nullptr, 0, &row, rowid, nullptr);
      if (!is_ignore(s)) SFS_TRY(s);
    }
    return Status::ok();
  }

  Connection* connection_;
  TableInfo* table_;
  RowWriter writer_;
  Conflict conflict_ = Conflict::kDefault;
  std::vector<int> targets_;
  std::vector<ExprPtr> defaults_;
  std::vector<std::vector<Expr*>> rows_;
  std::unique_ptr<QueryPlan> select_;
  bool materialize_ = false;
  Checks checks_;
  Triggers triggers_;
  std::vector<UpsertClause> upserts_;
  std::vector<std::unique_ptr<Subquery>> subqueries_;
  int64_t changes_ = 0;
  bool done_ = false;
  bool single_row_ = false;
};

}  // namespace

bool plan_reads_table(const QueryPlan* plan, const TableInfo* table) {
  for (const auto& core : plan->cores) {
    for (const auto& source : core->sources) {
      if (source->table == table) return true;
      if (source->subplan && plan_reads_table(source->subplan.get(), table)) return true;
    }
  }
  for (const auto& sq : plan->subqueries) {
    if (plan_reads_table(sq->plan.get(), table)) return true;
  }
  return false;
}

namespace {

// INSERT, UPDATE and DELETE alike: find the target table (a view or a missing table is an
// error), then let the statement's program compile itself against it.
template <typename ProgramType, typename StatementType>
Result<std::unique_ptr<Program>> compile_write(Compiler& compiler, Statement* statement,
                                               Scope* outer) {
  auto* write = static_cast<StatementType*>(statement);
  Connection* connection = compiler.connection();
  Catalog& catalog = connection->catalog();
  TableInfo* table = catalog.find_table(write->table);
  if (table == nullptr) {
    if (catalog.find_view(write->table) != nullptr) {
      return Status::invalid_argument("cannot modify " + write->table + " because it is a view");
    }
    return Status::invalid_argument("no such table: " + write->table);
  }
  auto program = std::make_unique<ProgramType>(connection, table);
  SFS_TRY(program->compile(compiler, write, outer));
  return std::unique_ptr<Program>(std::move(program));
}

}  // namespace

Result<std::unique_ptr<Program>> compile_dml(Compiler& compiler, Statement* statement, Scope* outer) {
  switch (statement->kind) {
    case StatementKind::kSelect: {
      auto* select = static_cast<SelectStatement*>(statement);
      SFS_ASSIGN_OR_RETURN(std::unique_ptr<QueryPlan> plan,
                           compiler.compile_select(select->select.get(), outer));
      return std::unique_ptr<Program>(new SelectProgram(std::move(plan)));
    }
    case StatementKind::kInsert:
      return compile_write<InsertProgram, InsertStatement>(compiler, statement, outer);
    case StatementKind::kUpdate:
      return compile_write<UpdateProgram, UpdateStatement>(compiler, statement, outer);
    case StatementKind::kDelete:
      return compile_write<DeleteProgram, DeleteStatement>(compiler, statement, outer);
    default:
      return Status::internal("compile_dml: not a DML statement");
  }
}

QueryPlan* select_program_plan(Program* program) {
  return static_cast<SelectProgram*>(program)->plan();
}

}  // namespace sfs::sql
