// The connection (see database.h): transactions, schema freshness, and compiling statements
// into programs — including the small programs for BEGIN/COMMIT, PRAGMA and EXPLAIN.
#include "systems/sql/database.h"

#include <algorithm>
#include <functional>
#include <optional>

#include "core/strings.h"
#include "systems/sql/integrity.h"

namespace sfs::sql {

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path,
                                                     const OpenOptions& options) {
  PagerOptions pager_options;
  pager_options.create = options.create;
  pager_options.read_only = options.read_only;
  pager_options.sync = options.sync;
  pager_options.cache_pages = options.cache_pages;
  pager_options.busy_timeout_ms = options.busy_timeout_ms;
  SFS_ASSIGN_OR_RETURN(std::unique_ptr<Pager> pager, Pager::open(path, pager_options));
  return open_pager(std::move(pager));
}

Result<std::unique_ptr<Connection>> Connection::open_pager(std::unique_ptr<Pager> pager) {
  std::unique_ptr<Connection> connection(new Connection());
  connection->pager_ = std::move(pager);
  // Read the schema once now, so that a corrupt schema is reported at open.
  SFS_TRY(connection->begin_statement(false));
  return connection->end_statement(true).is_ok() ? Result<std::unique_ptr<Connection>>(std::move(connection))
                                                 : Status::internal("could not end the opening transaction");
}

Connection::~Connection() {
  if (pager_ && pager_->in_transaction()) pager_->rollback();
}

Status Connection::ensure_schema_table() {
  if (pager_->header(HeaderField::kSchemaRoot) != 0) return Status::ok();
  SFS_ASSIGN_OR_RETURN(uint32_t root, btree::create(pager_.get()));
  SFS_TRY(pager_->set_header(HeaderField::kSchemaRoot, root));
  schema_stale_ = true;
  return Status::ok();
}

Status Connection::refresh_schema() {
  if (schema_loaded_ && !schema_stale_ &&
      pager_->header(HeaderField::kSchemaCookie) == catalog_.cookie()) {
    return Status::ok();
  }
  Status status = catalog_.load(pager_.get(), &registry_);
  if (!status.is_ok()) {
    catalog_.clear();
    schema_loaded_ = false;
    schema_stale_ = true;
    return status;
  }
  schema_loaded_ = true;
  schema_stale_ = false;
  return Status::ok();
}

Status Connection::begin_statement(bool write) {
  bool started = false;
  if (!pager_->in_transaction()) {
    SFS_TRY(pager_->begin(write));
    started = true;
  } else if (write && !pager_->in_write()) {
    SFS_TRY(pager_->upgrade_to_write());
  }
  Status status = Status::ok();
  if (write) status = ensure_schema_table();
  if (status.is_ok()) status = refresh_schema();
  if (!status.is_ok()) {
    if (started && autocommit_ && active_statements_ == 0) pager_->rollback();
    return status;
  }
  ++active_statements_;
  return Status::ok();
}

Status Connection::end_statement(bool success) {
  if (active_statements_ > 0) --active_statements_;
  if (!autocommit_ || active_statements_ > 0 || !pager_->in_transaction()) return Status::ok();
  if (success) {
    Status status = pager_->commit();
    if (!status.is_ok()) schema_stale_ = true;
    return status;
  }
  if (pager_->in_write()) schema_stale_ = true;
  pager_->rollback();
  return Status::ok();
}

size_t Connection::statement_savepoint() { return pager_->open_savepoint(); }

Status Connection::rollback_statement(size_t savepoint) {
  Status status = pager_->rollback_to_savepoint(savepoint);
  pager_->release_savepoint(savepoint);
  schema_stale_ = true;
  return status;
}

void Connection::release_statement(size_t savepoint) { pager_->release_savepoint(savepoint); }

void Connection::abort_transaction() {
  if (pager_->in_transaction()) pager_->rollback();
  autocommit_ = true;
  savepoints_.clear();
  schema_stale_ = true;
}

Status Connection::commit_schema_change() {
  SFS_TRY(pager_->set_header(HeaderField::kSchemaCookie,
                             pager_->header(HeaderField::kSchemaCookie) + 1));
  schema_stale_ = true;
  return refresh_schema();
}

Status Connection::transaction_control(const TransactionStatement& statement) {
  using Action = TransactionStatement::Action;
  switch (statement.action) {
    case Action::kBegin:
      if (!autocommit_) return Status::invalid_argument("cannot start a transaction within a transaction");
      if (statement.mode != TransactionStatement::Mode::kDeferred) {
        if (!pager_->in_transaction()) {
          SFS_TRY(pager_->begin(true));
        } else if (!pager_->in_write()) {
          SFS_TRY(pager_->upgrade_to_write());
        }
        SFS_TRY(ensure_schema_table());
      }
      autocommit_ = false;
      return Status::ok();
    case Action::kCommit: {
      if (autocommit_) return Status::invalid_argument("cannot commit - no transaction is active");
      Status status = Status::ok();
      if (pager_->in_transaction() && active_statements_ == 0) status = pager_->commit();
      autocommit_ = true;
      savepoints_.clear();
      if (!status.is_ok()) {
        schema_stale_ = true;
        if (pager_->in_transaction()) pager_->rollback();
      }
      return status;
    }
    case Action::kRollback:
      if (autocommit_) return Status::invalid_argument("cannot rollback - no transaction is active");
      abort_transaction();
      return Status::ok();
    case Action::kSavepoint: {
      bool opened = false;
      if (autocommit_) {
        autocommit_ = false;
        opened = true;
      }
      if (!pager_->in_transaction()) {
        Status status = pager_->begin(true);
        if (status.is_ok()) status = ensure_schema_table();
        if (!status.is_ok()) {
          if (opened) autocommit_ = true;
          if (pager_->in_transaction()) pager_->rollback();
          return status;
        }
      } else if (!pager_->in_write()) {
        SFS_TRY(pager_->upgrade_to_write());
      }
      size_t depth = pager_->open_savepoint();
      savepoints_.push_back({statement.name, depth, opened});
      return Status::ok();
    }
    case Action::kRelease:
    case Action::kRollbackTo: {
      auto it = std::find_if(savepoints_.rbegin(), savepoints_.rend(), [&](const NamedSavepoint& s) {
        return core::iequals(s.name, statement.name);
      });
      if (it == savepoints_.rend()) {
        return Status::invalid_argument("no such savepoint: " + statement.name);
      }
      size_t index = savepoints_.size() - 1 - static_cast<size_t>(it - savepoints_.rbegin());
      NamedSavepoint target = savepoints_[index];
      if (statement.action == Action::kRollbackTo) {
        SFS_TRY(pager_->rollback_to_savepoint(target.depth));
        savepoints_.resize(index + 1);
        schema_stale_ = true;
        return Status::ok();
      }
      pager_->release_savepoint(target.depth);
      savepoints_.resize(index);
      if (target.opened_transaction) {
        autocommit_ = true;
        if (active_statements_ == 0) return pager_->commit();
      }
      return Status::ok();
    }
  }
  return Status::ok();
}

// ---- small programs --------------------------------------------------------------------------

namespace {

class TransactionProgram : public Program {
 public:
  TransactionProgram(Connection* connection, TransactionStatement* statement)
      : connection_(connection), statement_(statement) {
    manages_transaction = true;
  }
  Status open(Runtime&) override {
    done_ = false;
    return Status::ok();
  }
  Status step(Runtime&, bool* has_row) override {
    *has_row = false;
    if (done_) return Status::ok();
    done_ = true;
    return connection_->transaction_control(*statement_);
  }

 private:
  Connection* connection_;
  TransactionStatement* statement_;
  bool done_ = false;
};

// A program whose rows are computed at open().
class RowsProgram : public Program {
 public:
  using Producer = std::function<Status(Runtime&, std::vector<std::vector<Value>>*)>;
  RowsProgram(std::vector<std::string> column_names, Producer producer, bool writes_data)
      : producer_(std::move(producer)) {
    names = std::move(column_names);
    writes = writes_data;
    multi_row = false;
  }
  Status open(Runtime& rt) override {
    rows_.clear();
    next_ = 0;
    return producer_(rt, &rows_);
  }
  Status step(Runtime&, bool* has_row) override {
    *has_row = next_ < rows_.size();
    if (*has_row) current_ = std::move(rows_[next_++]);
    return Status::ok();
  }
  const std::vector<Value>& row() const override { return current_; }

 private:
  Producer producer_;
  std::vector<std::vector<Value>> rows_;
  std::vector<Value> current_;
  size_t next_ = 0;
};

std::optional<int64_t> pragma_bool(const std::string& text) {
  std::string v = core::to_lower(text);
  if (v == "on" || v == "yes" || v == "true" || v == "1") return 1;
  if (v == "off" || v == "no" || v == "false" || v == "0") return 0;
  return std::nullopt;
}

std::string default_text(const ColumnInfo& column) {
  if (!column.default_value) return "";
  const Expr* e = column.default_value.get();
  if (e->kind == ExprKind::kLiteral) return e->value.to_sql_literal();
  return "(expression)";
}

Result<std::unique_ptr<Program>> compile_pragma(Connection* connection, PragmaStatement* statement) {
  std::string name = core::to_lower(statement->name);
  const std::string arg = statement->argument;
  bool has = statement->has_argument;
  Pager* pager = connection->pager();
  auto single = [](std::string column, Value value, bool writes = false) {
    return std::unique_ptr<Program>(new RowsProgram(
        {std::move(column)},
        [value](Runtime&, std::vector<std::vector<Value>>* rows) {
          rows->push_back({value});
          return Status::ok();
        },
        writes));
  };
  auto empty = []() {
    return std::unique_ptr<Program>(new RowsProgram(
        {}, [](Runtime&, std::vector<std::vector<Value>>*) { return Status::ok(); }, false));
  };
  if (name == "integrity_check" || name == "quick_check") {
    return std::unique_ptr<Program>(new RowsProgram(
        {name},
        [connection](Runtime& rt, std::vector<std::vector<Value>>* rows) {
          std::vector<std::string> errors;
          std::vector<std::pair<std::string, uint32_t>> roots;
          Catalog& catalog = connection->catalog();
          uint32_t schema_root = connection->pager()->header(HeaderField::kSchemaRoot);
          if (schema_root != 0) roots.emplace_back("sqlite_schema", schema_root);
          for (const auto& [key, table] : catalog.tables()) {
            if (key != "sqlite_schema" && table->root != 0) roots.emplace_back(table->name, table->root);
          }
          for (const auto& [key, index] : catalog.indexes()) roots.emplace_back(index->name, index->root);
          SFS_TRY(check_integrity(connection->pager(), roots, &errors));
          if (errors.empty()) {
            for (const auto& [key, table] : catalog.tables()) {
              if (key == "sqlite_schema") continue;
              SFS_TRY(check_table_indexes(rt, connection, table.get(), &errors));
            }
          }
          if (errors.empty()) errors.push_back("ok");
          for (auto& e : errors) rows->push_back({Value::text(e)});
          return Status::ok();
        },
        false));
  }
  if (name == "table_info" || name == "table_xinfo") {
    return std::unique_ptr<Program>(new RowsProgram(
        {"cid", "name", "type", "notnull", "dflt_value", "pk"},
        [connection, arg](Runtime&, std::vector<std::vector<Value>>* rows) {
          TableInfo* table = connection->catalog().find_table(arg);
          if (table == nullptr) {
            if (ViewInfo* view = connection->catalog().find_view(arg)) {
              Compiler compiler(connection);
              auto copy = view->select->clone();
              SFS_ASSIGN_OR_RETURN(std::unique_ptr<QueryPlan> plan, compiler.compile_select(copy.get(), nullptr));
              for (size_t i = 0; i < plan->names.size(); ++i) {
                std::string n = i < view->columns.size() ? view->columns[i] : plan->names[i];
                rows->push_back({Value::integer(static_cast<int64_t>(i)), Value::text(n), Value::text(""),
                                 Value::integer(0), Value(), Value::integer(0)});
              }
            }
            return Status::ok();
          }
          int pk_position = 0;
          for (size_t i = 0; i < table->columns.size(); ++i) {
            const ColumnInfo& c = table->columns[i];
            std::string dflt = default_text(c);
            rows->push_back({Value::integer(static_cast<int64_t>(i)), Value::text(c.name),
                             Value::text(c.type), Value::integer(c.not_null ? 1 : 0),
                             dflt.empty() ? Value() : Value::text(dflt),
                             Value::integer(c.primary_key ? ++pk_position : 0)});
          }
          return Status::ok();
        },
        false));
  }
  if (name == "index_list") {
    return std::unique_ptr<Program>(new RowsProgram(
        {"seq", "name", "unique", "origin", "partial"},
        [connection, arg](Runtime&, std::vector<std::vector<Value>>* rows) {
          TableInfo* table = connection->catalog().find_table(arg);
          if (table == nullptr) return Status::ok();
          int64_t seq = 0;
          for (auto it = table->indexes.rbegin(); it != table->indexes.rend(); ++it) {
            IndexInfo* index = *it;
            rows->push_back({Value::integer(seq++), Value::text(index->name),
                             Value::integer(index->unique ? 1 : 0),
                             Value::text(index->primary_key ? "pk" : index->automatic ? "u" : "c"),
                             Value::integer(0)});
          }
          return Status::ok();
        },
        false));
  }
  if (name == "index_info") {
    return std::unique_ptr<Program>(new RowsProgram(
        {"seqno", "cid", "name"},
        [connection, arg](Runtime&, std::vector<std::vector<Value>>* rows) {
          IndexInfo* index = connection->catalog().find_index(arg);
          if (index == nullptr) return Status::ok();
          for (size_t i = 0; i < index->columns.size(); ++i) {
            int c = index->columns[i].column;
            rows->push_back({Value::integer(static_cast<int64_t>(i)), Value::integer(c),
                             c >= 0 ? Value::text(index->table->columns[c].name) : Value()});
          }
          return Status::ok();
        },
        false));
  }
  if (name == "journal_mode") {
    if (has && !core::iequals(arg, "wal")) {
      // Only write-ahead logging exists; report what is in effect, as SQLite does.
    }
    return single("journal_mode", Value::text(pager->is_memory() ? "memory" : "wal"));
  }
  if (name == "synchronous") {
    if (has) {
      std::string v = core::to_lower(arg);
      SyncMode mode = SyncMode::kFull;
      if (v == "0" || v == "off") {
        mode = SyncMode::kOff;
      } else if (v == "1" || v == "normal") {
        mode = SyncMode::kNormal;
      } else if (v == "2" || v == "full" || v == "3" || v == "extra") {
        mode = SyncMode::kFull;
      } else {
        return Status::invalid_argument("unknown synchronous setting: " + arg);
      }
      pager->set_sync(mode);
      return empty();
    }
    return single("synchronous", Value::integer(static_cast<int64_t>(pager->sync())));
  }
  if (name == "cache_size") {
    if (has) {
      auto n = core::parse_int64(arg);
      if (!n) return Status::invalid_argument("cache_size needs a number");
      // Negative: kibibytes, as in SQLite.
      int64_t pages = *n < 0 ? (-*n * 1024) / kPageSize : *n;
      pager->set_cache_pages(static_cast<int>(std::min<int64_t>(pages, 1 << 24)));
      return empty();
    }
    return single("cache_size", Value::integer(pager->cache_pages()));
  }
  if (name == "busy_timeout") {
    if (has) {
      auto n = core::parse_int64(arg);
      if (!n) return Status::invalid_argument("busy_timeout needs a number");
      pager->set_busy_timeout(static_cast<int>(*n));
      return single("timeout", Value::integer(*n));
    }
    return single("timeout", Value::integer(5000));
  }
  if (name == "wal_autocheckpoint") {
    if (has) {
      auto n = core::parse_int64(arg);
      if (!n) return Status::invalid_argument("wal_autocheckpoint needs a number");
      pager->set_autocheckpoint(static_cast<int>(*n));
      return single("wal_autocheckpoint", Value::integer(*n));
    }
    return single("wal_autocheckpoint", Value::integer(1000));
  }
  if (name == "page_size") return single("page_size", Value::integer(kPageSize));
  if (name == "page_count") {
    return std::unique_ptr<Program>(new RowsProgram(
        {"page_count"},
        [pager](Runtime&, std::vector<std::vector<Value>>* rows) {
          rows->push_back({Value::integer(pager->page_count())});
          return Status::ok();
        },
        false));
  }
  if (name == "freelist_count") {
    return std::unique_ptr<Program>(new RowsProgram(
        {"freelist_count"},
        [pager](Runtime&, std::vector<std::vector<Value>>* rows) {
          rows->push_back({Value::integer(pager->header(HeaderField::kFreelistCount))});
          return Status::ok();
        },
        false));
  }
  if (name == "user_version" || name == "schema_version") {
    HeaderField field = name == "user_version" ? HeaderField::kUserVersion : HeaderField::kSchemaCookie;
    if (has) {
      auto n = core::parse_int64(arg);
      if (!n) return Status::invalid_argument(name + " needs a number");
      int64_t value = *n;
      return std::unique_ptr<Program>(new RowsProgram(
          {}, [pager, field, value](Runtime&, std::vector<std::vector<Value>>*) {
            return pager->set_header(field, static_cast<uint32_t>(value));
          },
          true));
    }
    return std::unique_ptr<Program>(new RowsProgram(
        {name},
        [pager, field](Runtime&, std::vector<std::vector<Value>>* rows) {
          rows->push_back({Value::integer(static_cast<int32_t>(pager->header(field)))});
          return Status::ok();
        },
        false));
  }
  if (name == "wal_checkpoint") {
    auto program = std::unique_ptr<Program>(new RowsProgram(
        {"busy", "log", "checkpointed"},
        [pager](Runtime&, std::vector<std::vector<Value>>* rows) {
          uint32_t frames = pager->wal_frames();
          SFS_ASSIGN_OR_RETURN(bool done, pager->checkpoint());
          rows->push_back({Value::integer(done ? 0 : 1), Value::integer(frames),
                           Value::integer(done ? frames : 0)});
          return Status::ok();
        },
        false));
    program->manages_transaction = true;
    return program;
  }
  if (name == "case_sensitive_like") {
    if (has) {
      auto b = pragma_bool(arg);
      if (!b) return Status::invalid_argument("case_sensitive_like needs a boolean");
      connection->set_case_sensitive_like(*b != 0);
    }
    return empty();
  }
  if (name == "encoding") return single("encoding", Value::text("UTF-8"));
  if (name == "foreign_keys" || name == "recursive_triggers") {
    // Foreign keys are parsed but not enforced; reporting 0 says so.
    return single(name, Value::integer(0));
  }
  if (name == "database_list") {
    std::string path = pager->path();
    return std::unique_ptr<Program>(new RowsProgram(
        {"seq", "name", "file"},
        [path](Runtime&, std::vector<std::vector<Value>>* rows) {
          rows->push_back({Value::integer(0), Value::text("main"), Value::text(path)});
          return Status::ok();
        },
        false));
  }
  return Status::invalid_argument("unknown pragma: " + statement->name);
}

class ExplainProgram : public Program {
 public:
  // EXPLAIN and EXPLAIN QUERY PLAN both describe the plan (there is no bytecode to list).
  explicit ExplainProgram(std::unique_ptr<Program> inner) : inner_(std::move(inner)) {
    names = {"id", "parent", "notused", "detail"};
  }
  Status open(Runtime&) override {
    rows_.clear();
    next_ = 0;
    std::vector<std::string> lines;
    inner_->describe(&lines);
    // Indentation encodes nesting: turn it into (id, parent) pairs as SQLite reports them.
    std::vector<std::pair<size_t, int64_t>> stack;  // (indent, id)
    int64_t id = 1;
    for (const std::string& line : lines) {
      size_t indent = line.find_first_not_of(' ');
      if (indent == std::string::npos) indent = 0;
      while (!stack.empty() && stack.back().first >= indent) stack.pop_back();
      int64_t parent = stack.empty() ? 0 : stack.back().second;
      rows_.push_back({Value::integer(id), Value::integer(parent), Value::integer(0),
                       Value::text(line.substr(indent))});
      stack.emplace_back(indent, id);
      ++id;
    }
    return Status::ok();
  }
  Status step(Runtime&, bool* has_row) override {
    *has_row = next_ < rows_.size();
    if (*has_row) current_ = rows_[next_++];
    return Status::ok();
  }
  const std::vector<Value>& row() const override { return current_; }

 private:
  std::unique_ptr<Program> inner_;
  std::vector<std::vector<Value>> rows_;
  std::vector<Value> current_;
  size_t next_ = 0;
};

}  // namespace

Result<std::unique_ptr<Program>> Connection::compile(Statement* statement) {
  switch (statement->kind) {
    case StatementKind::kSelect:
    case StatementKind::kInsert:
    case StatementKind::kUpdate:
    case StatementKind::kDelete: {
      Compiler compiler(this);
      return compile_dml(compiler, statement, nullptr);
    }
    case StatementKind::kCreateTable:
    case StatementKind::kCreateIndex:
    case StatementKind::kCreateView:
    case StatementKind::kCreateTrigger:
    case StatementKind::kDrop:
    case StatementKind::kAlterTable:
    case StatementKind::kAnalyze:
    case StatementKind::kReindex:
      return compile_ddl(this, statement);
    case StatementKind::kTransaction:
      return std::unique_ptr<Program>(
          new TransactionProgram(this, static_cast<TransactionStatement*>(statement)));
    case StatementKind::kPragma:
      return compile_pragma(this, static_cast<PragmaStatement*>(statement));
    case StatementKind::kExplain: {
      auto* explain = static_cast<ExplainStatement*>(statement);
      SFS_ASSIGN_OR_RETURN(std::unique_ptr<Program> inner, compile(explain->statement.get()));
      return std::unique_ptr<Program>(new ExplainProgram(std::move(inner)));
    }
    case StatementKind::kVacuum:
      return Status::unsupported("VACUUM is not supported");
  }
  return Status::internal("unknown statement kind");
}

}  // namespace sfs::sql
