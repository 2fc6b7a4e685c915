// sfs sql: an embedded SQL database engine — the public C++ API.
//
//   auto db = sql::Database::open("app.db");           // or ":memory:"
//   SFS_TRY((*db)->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)"));
//   auto st = (*db)->prepare("INSERT INTO t(name) VALUES (?)");
//   (*st)->bind(1, sql::Value::text("ada"));
//   (*st)->step();                                        // false: done, no row
//   auto q = (*db)->prepare("SELECT id, name FROM t WHERE name = ?1");
//   (*q)->bind(1, sql::Value::text("ada"));
//   while (*(*q)->step()) std::cout << (*q)->column_int(0) << (*q)->column_text(1) << "\n";
//
// The model is SQLite's: open / prepare / bind / step / column / reset; one connection per
// Database object, used by one thread at a time. Several Database objects (in one process or
// several) may open the same file: readers see a consistent snapshot, writers take turns
// (a writer that cannot get the lock within the busy timeout gets "database is locked").
//
// Statements run in autocommit mode unless BEGIN was executed. Errors are Status values; a SQL
// syntax error names line:column and the token ("1:8: near \"FORM\": syntax error").
// REQUIRES: every Statement is destroyed before its Database.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "systems/sql/value.h"

namespace sfs::sql {

class Connection;
class Program;
class Runtime;
struct Statement;  // the parsed form (ast.h)
class Database;

class PreparedStatement {
 public:
  ~PreparedStatement();
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;

  // Parameters are numbered from 1 (?, ?NNN, :name, @name, $name).
  core::Status bind(int index, Value value);
  core::Status bind_int(int index, int64_t v) { return bind(index, Value::integer(v)); }
  core::Status bind_double(int index, double v) { return bind(index, Value::real(v)); }
  core::Status bind_text(int index, std::string_view v) { return bind(index, Value::text(v)); }
  core::Status bind_blob(int index, std::string v) { return bind(index, Value::blob(std::move(v))); }
  core::Status bind_null(int index) { return bind(index, Value()); }
  int parameter_count() const;
  // The index of a named parameter (":name"), or 0.
  int parameter_index(std::string_view name) const;
  void clear_bindings();

  // Runs to the next result row: true when a row is ready, false when the statement is done.
  // Stepping a finished statement starts it again.
  core::Result<bool> step();
  // Stops the statement (ending its transaction in autocommit mode); bindings stay.
  core::Status reset();

  int column_count() const;
  const std::string& column_name(int i) const;
  // The current row. REQUIRES: step() returned true.
  const Value& column(int i) const;
  ValueType column_type(int i) const { return column(i).type(); }
  int64_t column_int(int i) const { return column(i).to_int(); }
  double column_double(int i) const { return column(i).to_real(); }
  std::string column_text(int i) const { return column(i).to_text(); }
  const std::vector<Value>& row() const;

  const std::string& sql() const { return sql_; }
  // True for statements that only read (SELECT, EXPLAIN, read-only PRAGMA).
  bool readonly() const;
  // EXPLAIN QUERY PLAN lines for this statement.
  core::Result<std::vector<std::string>> plan();

 private:
  friend class Database;
  PreparedStatement() = default;
  core::Status compile();
  core::Status start();
  void finish(bool success);
  core::Status fail(core::Status status);

  Database* db_ = nullptr;
  std::string sql_;
  std::unique_ptr<Statement> ast_;
  std::vector<std::string> parameter_names_;
  std::vector<Value> parameters_;
  std::unique_ptr<Program> program_;
  uint64_t generation_ = 0;
  std::unique_ptr<Runtime> runtime_;
  bool running_ = false;
  bool has_row_ = false;
  size_t savepoint_ = 0;
};

struct DatabaseOptions {
  bool create = true;        // create the file if missing
  int busy_timeout_ms = 5000;
  int cache_pages = 16384;   // page cache bound (4 KiB pages: 64 MiB)
  int synchronous = 2;       // 0 OFF, 1 NORMAL, 2 FULL (fsync at every commit)
};

class Database {
 public:
  // Opens (or creates) a database file; "" or ":memory:" is a private in-memory database.
  static core::Result<std::unique_ptr<Database>> open(const std::string& path,
                                                      const DatabaseOptions& options = {});
  // Wraps an already open internal connection (tests and the fuzz harness build connections
  // over in-memory files this way).
  static std::unique_ptr<Database> adopt(std::unique_ptr<Connection> connection);
  ~Database();

  // Prepares the first statement in `sql`; *tail (optional) receives the offset just past it.
  // Returns nullptr when `sql` holds no statement (only spaces, comments or ';').
  core::Result<std::unique_ptr<PreparedStatement>> prepare(std::string_view sql,
                                                           size_t* tail = nullptr);
  // Runs every statement in `sql`; on_row (optional) gets each result row, and may return
  // false to stop.
  using RowCallback =
      std::function<bool(const std::vector<std::string>& names, const std::vector<Value>& row)>;
  core::Status exec(std::string_view sql, const RowCallback& on_row = {});

  int64_t last_insert_rowid() const;
  int64_t changes() const;
  int64_t total_changes() const;
  bool autocommit() const;
  // PRAGMA integrity_check: "ok" when empty.
  core::Result<std::vector<std::string>> integrity_check();

  Connection* connection() { return connection_.get(); }

 private:
  Database() = default;
  std::unique_ptr<Connection> connection_;
};

}  // namespace sfs::sql
