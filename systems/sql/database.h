// The connection: one open database and everything a session needs around it — the pager, the
// catalog, the transaction state (autocommit or explicit, savepoints), and the compiler entry
// point that turns a parsed statement into a Program. Internal to systems/sql; sql.h wraps it.
//
// Transactions follow SQLite's autocommit model. Outside BEGIN ... COMMIT each statement runs in
// its own transaction, started by its first step() and committed when it finishes (or when its
// last reader is reset). Inside an explicit transaction a failing statement undoes only its own
// changes (a pager savepoint around the statement), unless its conflict clause says ROLLBACK.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "systems/sql/catalog.h"
#include "systems/sql/engine.h"
#include "systems/sql/pager.h"

namespace sfs::sql {

struct OpenOptions {
  bool create = true;
  bool read_only = false;
  SyncMode sync = SyncMode::kFull;
  int cache_pages = 16384;
  int busy_timeout_ms = 5000;
};

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> open(const std::string& path,
                                                  const OpenOptions& options);
  // Opens over ready-made pager files (the fuzz harness reads arbitrary bytes this way).
  static Result<std::unique_ptr<Connection>> open_pager(std::unique_ptr<Pager> pager);
  ~Connection();

  Pager* pager() { return pager_.get(); }
  CursorRegistry* registry() { return &registry_; }
  Catalog& catalog() { return catalog_; }

  // Statement bracketing: begin_statement() makes sure a transaction suitable for the statement
  // is open and the catalog is current; end_statement() commits an autocommit transaction when
  // the last active statement ends, or rolls it back after an error.
  Status begin_statement(bool write);
  Status end_statement(bool success);
  // Statement-level atomicity inside explicit transactions.
  size_t statement_savepoint();
  Status rollback_statement(size_t savepoint);
  void release_statement(size_t savepoint);

  bool autocommit() const { return autocommit_; }
  int active_statements() const { return active_statements_; }
  bool in_transaction() const { return pager_->in_transaction(); }
  // Executes BEGIN / COMMIT / ROLLBACK / SAVEPOINT / RELEASE.
  Status transaction_control(const TransactionStatement& statement);
  // Rolls back whatever is open (used after errors that poison the transaction).
  void abort_transaction();

  // Marks the catalog stale (after DDL, or a rollback that may have undone DDL).
  void schema_changed() { schema_stale_ = true; }
  Status refresh_schema();
  // Bumps the schema cookie in the header (DDL calls it) and reloads the catalog.
  Status commit_schema_change();

  // Compiles a statement. The program refers to the statement's AST, which must outlive it.
  Result<std::unique_ptr<Program>> compile(Statement* statement);

  int64_t last_insert_rowid() const { return last_insert_rowid_; }
  void set_last_insert_rowid(int64_t rowid) { last_insert_rowid_ = rowid; }
  int64_t changes() const { return changes_; }
  int64_t total_changes() const { return total_changes_; }
  void set_changes(int64_t n) {
    changes_ = n;
    total_changes_ += n;
  }
  bool case_sensitive_like() const { return case_sensitive_like_; }
  void set_case_sensitive_like(bool on) { case_sensitive_like_ = on; }
  bool reverse_unordered_selects = false;

 private:
  Connection() = default;
  Status ensure_schema_table();

  std::unique_ptr<Pager> pager_;
  CursorRegistry registry_;
  Catalog catalog_;
  bool schema_loaded_ = false;
  bool schema_stale_ = true;
  bool autocommit_ = true;
  int active_statements_ = 0;
  struct NamedSavepoint {
    std::string name;
    size_t depth;
    bool opened_transaction;
  };
  std::vector<NamedSavepoint> savepoints_;
  int64_t last_insert_rowid_ = 0;
  int64_t changes_ = 0;
  int64_t total_changes_ = 0;
  bool case_sensitive_like_ = false;
};

}  // namespace sfs::sql
