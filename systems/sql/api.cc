// The public API (sql.h): Database and PreparedStatement over the internal Connection.
//
// A prepared statement keeps its parsed AST and compiles it into a Program at its first step.
// When the schema changes underneath (this connection's DDL, or another's, noticed through the
// schema cookie), the program is compiled again from the AST before the next run, so a
// statement prepared before CREATE INDEX starts using the index.
#include "systems/sql/sql.h"

#include "core/strings.h"
#include "systems/sql/database.h"
#include "systems/sql/parser.h"

namespace sfs::sql {

namespace {
bool statement_writes(const Statement* st) {
  switch (st->kind) {
    case StatementKind::kSelect:
    case StatementKind::kExplain:
    case StatementKind::kTransaction:
      return false;
    case StatementKind::kPragma: {
      const auto* p = static_cast<const PragmaStatement*>(st);
      std::string name = core::to_lower(p->name);
      return p->has_argument && (name == "user_version" || name == "schema_version");
    }
    default:
      return true;
  }
}
}  // namespace

// ---- Database --------------------------------------------------------------------------------

Result<std::unique_ptr<Database>> Database::open(const std::string& path,
                                                 const DatabaseOptions& options) {
  OpenOptions open_options;
  open_options.create = options.create;
  open_options.busy_timeout_ms = options.busy_timeout_ms;
  open_options.cache_pages = options.cache_pages;
  open_options.sync = static_cast<SyncMode>(std::clamp(options.synchronous, 0, 2));
  SFS_ASSIGN_OR_RETURN(std::unique_ptr<Connection> connection, Connection::open(path, open_options));
  std::unique_ptr<Database> db(new Database());
  db->connection_ = std::move(connection);
  return db;
}

std::unique_ptr<Database> Database::adopt(std::unique_ptr<Connection> connection) {
  std::unique_ptr<Database> db(new Database());
  db->connection_ = std::move(connection);
  return db;
}

Database::~Database() = default;

Result<std::unique_ptr<PreparedStatement>> Database::prepare(std::string_view sql, size_t* tail) {
  SFS_ASSIGN_OR_RETURN(Parser parser, Parser::create(sql));
  SFS_ASSIGN_OR_RETURN(StatementPtr statement, parser.next());
  if (tail != nullptr) *tail = parser.offset();
  if (!statement) return std::unique_ptr<PreparedStatement>();
  std::unique_ptr<PreparedStatement> prepared(new PreparedStatement());
  prepared->db_ = this;
  prepared->sql_ = statement->text;
  prepared->parameter_names_ = parser.parameter_names();
  prepared->parameters_.resize(prepared->parameter_names_.size());
  prepared->ast_ = std::move(statement);
  return prepared;
}

Status Database::exec(std::string_view sql, const RowCallback& on_row) {
  size_t offset = 0;
  while (offset < sql.size()) {
    size_t tail = 0;
    SFS_ASSIGN_OR_RETURN(std::unique_ptr<PreparedStatement> statement, prepare(sql.substr(offset), &tail));
    if (!statement) break;
    offset += tail;
    while (true) {
      SFS_ASSIGN_OR_RETURN(bool row, statement->step());
      if (!row) break;
      if (on_row && !on_row(statement->program_->names, statement->row())) {
        SFS_TRY(statement->reset());
        return Status::ok();
      }
    }
  }
  return Status::ok();
}

int64_t Database::last_insert_rowid() const { return connection_->last_insert_rowid(); }
int64_t Database::changes() const { return connection_->changes(); }
int64_t Database::total_changes() const { return connection_->total_changes(); }
bool Database::autocommit() const { return connection_->autocommit(); }

Result<std::vector<std::string>> Database::integrity_check() {
  std::vector<std::string> problems;
  SFS_TRY(exec("PRAGMA integrity_check", [&](const std::vector<std::string>&, const std::vector<Value>& row) {
    problems.push_back(row[0].to_text());
    return true;
  }));
  if (problems.size() == 1 && problems[0] == "ok") problems.clear();
  return problems;
}

// ---- PreparedStatement -----------------------------------------------------------------------

PreparedStatement::~PreparedStatement() {
  if (running_) finish(true);
}

Status PreparedStatement::bind(int index, Value value) {
  if (index < 1 || static_cast<size_t>(index) > parameters_.size()) {
    return Status::invalid_argument("column index out of range: " + std::to_string(index));
  }
  if (running_) return Status::invalid_argument("bind on a busy statement (reset it first)");
  parameters_[index - 1] = std::move(value);
  return Status::ok();
}

int PreparedStatement::parameter_count() const { return static_cast<int>(parameters_.size()); }

int PreparedStatement::parameter_index(std::string_view name) const {
  for (size_t i = 0; i < parameter_names_.size(); ++i) {
    if (parameter_names_[i] == name) return static_cast<int>(i + 1);
  }
  return 0;
}

void PreparedStatement::clear_bindings() {
  for (Value& v : parameters_) v = Value();
}

Status PreparedStatement::compile() {
  Connection* connection = db_->connection();
  // A schema change made the old program (and the AST annotations it relies on) stale: parse the
  // text again for a fresh tree.
  if (program_) {
    program_.reset();
    SFS_ASSIGN_OR_RETURN(Parser parser, Parser::create(sql_));
    SFS_ASSIGN_OR_RETURN(StatementPtr statement, parser.next());
    if (!statement) return Status::internal("statement vanished on recompilation");
    ast_ = std::move(statement);
  }
  SFS_ASSIGN_OR_RETURN(program_, connection->compile(ast_.get()));
  generation_ = connection->catalog().generation();
  return Status::ok();
}

Status PreparedStatement::start() {
  Connection* connection = db_->connection();
  if (ast_->kind == StatementKind::kTransaction ||
      (program_ && program_->manages_transaction)) {
    if (!program_) SFS_TRY(compile());
    runtime_ = std::make_unique<Runtime>(connection, &parameters_);
    SFS_TRY(program_->open(*runtime_));
    running_ = true;
    savepoint_ = 0;
    return Status::ok();
  }
  bool writes = statement_writes(ast_.get());
  SFS_TRY(connection->begin_statement(writes));
  if (!program_ || generation_ != connection->catalog().generation()) {
    Status status = compile();
    if (!status.is_ok()) {
      (void)connection->end_statement(false);
      return status;
    }
  }
  if (program_->manages_transaction) {
    (void)connection->end_statement(true);
    runtime_ = std::make_unique<Runtime>(connection, &parameters_);
    SFS_TRY(program_->open(*runtime_));
    running_ = true;
    savepoint_ = 0;
    return Status::ok();
  }
  if (program_->writes && !writes) {
    Status status = connection->begin_statement(true);
    (void)connection->end_statement(true);
    if (!status.is_ok()) {
      (void)connection->end_statement(false);
      return status;
    }
  }
  runtime_ = std::make_unique<Runtime>(connection, &parameters_);
  static uint64_t epochs = 0;
  runtime_->epoch = ++epochs;
  savepoint_ = 0;
  // A statement that may change several rows needs a savepoint to be undone alone, unless it
  // runs in its own autocommit transaction (undoing that is a rollback). A single-row INSERT
  // checks every constraint before it writes anything, so it needs none either.
  bool own_transaction = connection->autocommit() && connection->active_statements() == 1;
  if (program_->writes && program_->multi_row && !own_transaction) {
    savepoint_ = connection->statement_savepoint();
  }
  running_ = true;
  Status status = program_->open(*runtime_);
  if (!status.is_ok()) return fail(status);
  return Status::ok();
}

void PreparedStatement::finish(bool success) {
  Connection* connection = db_->connection();
  if (program_) program_->close();
  running_ = false;
  has_row_ = false;
  if (program_ && program_->manages_transaction) return;
  if (savepoint_ != 0) {
    if (success) {
      connection->release_statement(savepoint_);
    } else {
      (void)connection->rollback_statement(savepoint_);
    }
    savepoint_ = 0;
  }
  (void)connection->end_statement(success);
}

Status PreparedStatement::fail(Status status) {
  Connection* connection = db_->connection();
  Conflict action = runtime_ ? runtime_->on_error : Conflict::kAbort;
  if (program_) program_->close();
  running_ = false;
  has_row_ = false;
  if (program_ && program_->manages_transaction) return status;
  if (action == Conflict::kRollback) {
    savepoint_ = 0;
    (void)connection->end_statement(false);
    connection->abort_transaction();
    return status;
  }
  if (savepoint_ != 0) {
    if (action == Conflict::kFail) {
      connection->release_statement(savepoint_);
    } else {
      (void)connection->rollback_statement(savepoint_);
    }
    savepoint_ = 0;
  }
  // FAIL keeps the rows changed before the failure, even in autocommit mode.
  (void)connection->end_statement(action == Conflict::kFail);
  return status;
}

Result<bool> PreparedStatement::step() {
  if (!running_) SFS_TRY(start());
  bool row = false;
  Status status = program_->step(*runtime_, &row);
  if (!status.is_ok()) return fail(status);
  if (row) {
    has_row_ = true;
    return true;
  }
  finish(true);
  return false;
}

Status PreparedStatement::reset() {
  if (running_) finish(true);
  return Status::ok();
}

int PreparedStatement::column_count() const {
  return program_ ? static_cast<int>(program_->names.size()) : 0;
}

const std::string& PreparedStatement::column_name(int i) const { return program_->names.at(i); }

const Value& PreparedStatement::column(int i) const {
  static const Value kNull;
  if (!program_ || !has_row_) return kNull;
  const auto& row = program_->row();
  return i >= 0 && static_cast<size_t>(i) < row.size() ? row[i] : kNull;
}

const std::vector<Value>& PreparedStatement::row() const { return program_->row(); }

bool PreparedStatement::readonly() const { return !statement_writes(ast_.get()); }

Result<std::vector<std::string>> PreparedStatement::plan() {
  Connection* connection = db_->connection();
  SFS_TRY(connection->begin_statement(false));
  Status status = Status::ok();
  if (!program_ || generation_ != connection->catalog().generation()) status = compile();
  std::vector<std::string> lines;
  if (status.is_ok()) program_->describe(&lines);
  (void)connection->end_statement(true);
  if (!status.is_ok()) return status;
  return lines;
}

}  // namespace sfs::sql
