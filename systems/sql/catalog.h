// The catalog: the schema objects (tables, indexes, views, triggers) a database holds, as the
// compiler needs them.
//
// The schema is stored the way SQLite stores it: as rows of one table B-tree, the schema table
// (exposed as sqlite_schema / sqlite_master), each row being
//
//   (type, name, tbl_name, rootpage, sql)     e.g. ('index', 't1a', 't1', 7, 'CREATE INDEX ...')
//
// and the in-memory catalog is rebuilt by parsing the stored CREATE statements. This keeps the
// file format small (one kind of record describes every object) and makes `.schema` trivial.
// Indexes created implicitly by PRIMARY KEY and UNIQUE constraints are named
// sqlite_autoindex_<table>_<n> and have no sql of their own. A schema cookie in the database
// header changes with every schema change, so a connection notices another's DDL and reloads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "systems/sql/ast.h"
#include "systems/sql/btree.h"
#include "systems/sql/pager.h"

namespace sfs::sql {

struct ColumnInfo {
  std::string name;
  std::string type;  // as declared
  Affinity affinity = Affinity::kBlob;
  Collation collation = Collation::kBinary;
  bool not_null = false;
  Conflict not_null_conflict = Conflict::kDefault;
  bool primary_key = false;
  ExprPtr default_value;  // null: NULL
};

struct IndexColumn {
  int column = 0;  // table column; -1 is the rowid
  Collation collation = Collation::kBinary;
  bool desc = false;
};

struct TableInfo;

struct IndexInfo {
  std::string name;
  std::string table_name;
  TableInfo* table = nullptr;
  uint32_t root = 0;
  bool unique = false;
  bool primary_key = false;    // the index behind a non-rowid PRIMARY KEY
  bool automatic = false;      // created by a constraint (sqlite_autoindex_*)
  Conflict conflict = Conflict::kDefault;
  std::vector<IndexColumn> columns;
  std::string sql;             // empty for automatic indexes
  // ANALYZE statistics: stats[0] rows in the index, stats[k] average rows sharing the first k
  // columns. Empty when never analyzed.
  std::vector<int64_t> stats;
};

struct TriggerInfo {
  std::string name;
  std::string table_name;
  std::string sql;
  std::unique_ptr<CreateTriggerStatement> ast;
};

struct TableInfo {
  std::string name;
  uint32_t root = 0;
  std::vector<ColumnInfo> columns;
  int rowid_alias = -1;  // the INTEGER PRIMARY KEY column, if any
  Conflict rowid_conflict = Conflict::kDefault;  // its ON CONFLICT clause
  bool autoincrement = false;
  bool system = false;   // sqlite_schema, sqlite_stat1, sqlite_sequence: not droppable by users
  std::vector<IndexInfo*> indexes;
  std::vector<ExprPtr> checks;
  std::vector<TriggerInfo*> triggers;
  std::string sql;
  int64_t stat_rows = -1;  // ANALYZE row count, -1 when unknown

  // The column named `name` (case-insensitive), -1 when none. "rowid", "oid" and "_rowid_"
  // name the rowid (-2) unless a column has that name.
  int find_column(std::string_view name) const;
};

struct ViewInfo {
  std::string name;
  std::string sql;
  std::vector<std::string> columns;  // declared column names (may be empty)
  std::unique_ptr<Select> select;
};

inline constexpr int kRowidColumn = -2;

// Case-insensitive object names.
std::string fold_name(std::string_view name);
Collation collation_from_name(std::string_view name, bool* known);

class Catalog {
 public:
  // Rebuilds everything from the schema table. REQUIRES: a transaction on `pager`.
  Status load(Pager* pager, CursorRegistry* registry);
  void clear();

  TableInfo* find_table(std::string_view name) const;
  IndexInfo* find_index(std::string_view name) const;
  ViewInfo* find_view(std::string_view name) const;
  TriggerInfo* find_trigger(std::string_view name) const;
  // True when any object (table, index, view or trigger) has this name.
  bool name_in_use(std::string_view name) const;

  const std::map<std::string, std::unique_ptr<TableInfo>>& tables() const { return tables_; }
  const std::map<std::string, std::unique_ptr<IndexInfo>>& indexes() const { return indexes_; }
  const std::map<std::string, std::unique_ptr<ViewInfo>>& views() const { return views_; }
  const std::map<std::string, std::unique_ptr<TriggerInfo>>& triggers() const { return triggers_; }

  // TEMP views live only in this connection (never written to the file) and survive reloads.
  void add_temp_view(std::unique_ptr<ViewInfo> view);
  bool drop_temp_view(std::string_view name);
  bool is_temp_view(std::string_view name) const;

  // Changes whenever load() runs; compiled statements remember it to notice schema changes.
  uint64_t generation() const { return generation_; }
  uint32_t cookie() const { return cookie_; }

  // A table description from its CREATE TABLE statement (validates columns and constraints).
  // The indexes its constraints need are returned in *automatic (roots left 0).
  static Result<std::unique_ptr<TableInfo>> build_table(
      const CreateTableStatement& ast, std::vector<std::unique_ptr<IndexInfo>>* automatic);
  // An index description from its CREATE INDEX statement, against `table`.
  static Result<std::unique_ptr<IndexInfo>> build_index(const CreateIndexStatement& ast,
                                                        TableInfo* table);

 private:
  Status add_schema_row(const std::string& type, const std::string& name,
                        const std::string& table_name, uint32_t root, const std::string& sql,
                        std::vector<std::pair<std::string, uint32_t>>* automatic_roots);
  void load_statistics(Pager* pager, CursorRegistry* registry);

  std::map<std::string, std::unique_ptr<TableInfo>> tables_;
  std::map<std::string, std::unique_ptr<IndexInfo>> indexes_;
  std::map<std::string, std::unique_ptr<ViewInfo>> views_;
  std::map<std::string, std::unique_ptr<TriggerInfo>> triggers_;
  std::map<std::string, std::unique_ptr<ViewInfo>> temp_views_;
  uint64_t generation_ = 0;
  uint32_t cookie_ = 0;
};

}  // namespace sfs::sql
