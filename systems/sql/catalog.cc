// The catalog (see catalog.h).
#include "systems/sql/catalog.h"

#include <algorithm>

#include "core/strings.h"
#include "systems/sql/parser.h"
#include "systems/sql/record.h"

namespace sfs::sql {

std::string fold_name(std::string_view name) { return core::to_lower(name); }

Collation collation_from_name(std::string_view name, bool* known) {
  *known = true;
  if (core::iequals(name, "BINARY")) return Collation::kBinary;
  if (core::iequals(name, "NOCASE")) return Collation::kNoCase;
  if (core::iequals(name, "RTRIM")) return Collation::kRTrim;
  *known = false;
  return Collation::kBinary;
}

int TableInfo::find_column(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (core::iequals(columns[i].name, name)) return static_cast<int>(i);
  }
  if (core::iequals(name, "rowid") || core::iequals(name, "oid") ||
      core::iequals(name, "_rowid_")) {
    return rowid_alias >= 0 ? rowid_alias : kRowidColumn;
  }
  return -1;
}

void Catalog::clear() {
  triggers_.clear();
  views_.clear();
  indexes_.clear();
  tables_.clear();
}

TableInfo* Catalog::find_table(std::string_view name) const {
  std::string key = fold_name(name);
  if (key == "sqlite_master" || key == "sqlite_temp_master" || key == "sqlite_temp_schema") {
    key = "sqlite_schema";
  }
  auto it = tables_.find(key);
  return it == tables_.end() ? nullptr : it->second.get();
}

IndexInfo* Catalog::find_index(std::string_view name) const {
  auto it = indexes_.find(fold_name(name));
  return it == indexes_.end() ? nullptr : it->second.get();
}

ViewInfo* Catalog::find_view(std::string_view name) const {
  std::string key = fold_name(name);
  auto it = temp_views_.find(key);
  if (it != temp_views_.end()) return it->second.get();
  it = views_.find(key);
  return it == views_.end() ? nullptr : it->second.get();
}

void Catalog::add_temp_view(std::unique_ptr<ViewInfo> view) {
  std::string key = fold_name(view->name);
  temp_views_[key] = std::move(view);
  ++generation_;
}

bool Catalog::drop_temp_view(std::string_view name) {
  bool erased = temp_views_.erase(fold_name(name)) > 0;
  if (erased) ++generation_;
  return erased;
}

bool Catalog::is_temp_view(std::string_view name) const {
  return temp_views_.count(fold_name(name)) > 0;
}

TriggerInfo* Catalog::find_trigger(std::string_view name) const {
  auto it = triggers_.find(fold_name(name));
  return it == triggers_.end() ? nullptr : it->second.get();
}

bool Catalog::name_in_use(std::string_view name) const {
  return find_table(name) || find_index(name) || find_view(name) || find_trigger(name);
}

Result<std::unique_ptr<TableInfo>> Catalog::build_table(
    const CreateTableStatement& ast, std::vector<std::unique_ptr<IndexInfo>>* automatic) {
  if (ast.without_rowid) return Status::unsupported("WITHOUT ROWID tables are not supported");
  auto table = std::make_unique<TableInfo>();
  table->name = ast.name;
  table->sql = ast.text;
  int primary_keys = 0;
  std::vector<IndexedColumn> pk_columns;
  Conflict pk_conflict = Conflict::kDefault;
  bool pk_autoincrement = false;
  bool pk_desc_column_constraint = false;
  // Constraint-made indexes, in the order SQLite numbers them.
  struct Pending {
    std::vector<IndexedColumn> columns;
    Conflict conflict;
    bool primary_key;
  };
  std::vector<Pending> pending;
  for (const ColumnDef& def : ast.columns) {
    for (const ColumnInfo& existing : table->columns) {
      if (core::iequals(existing.name, def.name)) {
        return Status::invalid_argument("duplicate column name: " + def.name);
      }
    }
    ColumnInfo column;
    column.name = def.name;
    column.type = def.type;
    column.affinity = affinity_from_declared_type(def.type);
    if (!def.collation.empty()) {
      bool known;
      column.collation = collation_from_name(def.collation, &known);
      if (!known) return Status::invalid_argument("no such collation sequence: " + def.collation);
    }
    column.not_null = def.not_null;
    column.not_null_conflict = def.not_null_conflict;
    if (def.default_value) column.default_value = def.default_value->clone();
    for (const auto& check : def.checks) table->checks.push_back(check->clone());
    if (def.primary_key) {
      ++primary_keys;
      IndexedColumn c;
      c.name = def.name;
      c.desc = def.pk_desc;
      pk_columns = {c};
      pk_conflict = def.pk_conflict;
      pk_autoincrement = def.autoincrement;
      pk_desc_column_constraint = def.pk_desc;
      column.primary_key = true;
      pending.push_back({pk_columns, pk_conflict, true});
    }
    if (def.unique) {
      IndexedColumn c;
      c.name = def.name;
      pending.push_back({{c}, def.unique_conflict, false});
    }
    if (def.autoincrement && !def.primary_key) {
      return Status::invalid_argument("AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY");
    }
    table->columns.push_back(std::move(column));
  }
  if (table->columns.empty()) return Status::invalid_argument("a table needs at least one column");
  for (const TableConstraint& constraint : ast.constraints) {
    switch (constraint.kind) {
      case TableConstraint::Kind::kPrimaryKey:
        ++primary_keys;
        pk_columns = constraint.columns;
        pk_conflict = constraint.conflict;
        pending.push_back({pk_columns, pk_conflict, true});
        break;
      case TableConstraint::Kind::kUnique:
        pending.push_back({constraint.columns, constraint.conflict, false});
        break;
      case TableConstraint::Kind::kCheck:
        table->checks.push_back(constraint.check->clone());
        break;
      case TableConstraint::Kind::kForeignKey:
        break;
    }
  }
  if (primary_keys > 1) {
    return Status::invalid_argument("table \"" + ast.name + "\" has more than one primary key");
  }
  for (const IndexedColumn& c : pk_columns) {
    int i = table->find_column(c.name);
    if (i < 0) return Status::invalid_argument("no such column: " + c.name);
    table->columns[i].primary_key = true;
  }
  // A single-column PRIMARY KEY on a column declared exactly "INTEGER" is the rowid itself
  // (except the historical quirk: INTEGER PRIMARY KEY DESC as a column constraint is not).
  if (pk_columns.size() == 1) {
    int i = table->find_column(pk_columns[0].name);
    if (i >= 0 && core::iequals(table->columns[i].type, "INTEGER") && !pk_desc_column_constraint) {
      table->rowid_alias = i;
      table->autoincrement = pk_autoincrement;
      table->rowid_conflict = pk_conflict;
    }
  }
  if (pk_autoincrement && table->rowid_alias < 0) {
    return Status::invalid_argument("AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY");
  }
  int number = 0;
  for (const Pending& p : pending) {
    if (p.primary_key && table->rowid_alias >= 0) continue;
    auto index = std::make_unique<IndexInfo>();
    index->table_name = table->name;
    index->unique = true;
    index->primary_key = p.primary_key;
    index->automatic = true;
    index->conflict = p.conflict;
    for (const IndexedColumn& c : p.columns) {
      int i = table->find_column(c.name);
      if (i < 0 || i == kRowidColumn) return Status::invalid_argument("no such column: " + c.name);
      IndexColumn column;
      column.column = i;
      column.desc = c.desc;
      column.collation = table->columns[i].collation;
      if (!c.collation.empty()) {
        bool known;
        column.collation = collation_from_name(c.collation, &known);
        if (!known) return Status::invalid_argument("no such collation sequence: " + c.collation);
      }
      index->columns.push_back(column);
    }
    // An identical constraint adds no second index (as in SQLite).
    bool duplicate = false;
    for (const auto& existing : *automatic) {
      if (existing->columns.size() != index->columns.size()) continue;
      bool same = true;
      for (size_t k = 0; k < index->columns.size(); ++k) {
        same = same && existing->columns[k].column == index->columns[k].column &&
               existing->columns[k].collation == index->columns[k].collation;
      }
      if (same) duplicate = true;
    }
    if (duplicate) continue;
    index->name = "sqlite_autoindex_" + table->name + "_" + std::to_string(++number);
    automatic->push_back(std::move(index));
  }
  return table;
}

Result<std::unique_ptr<IndexInfo>> Catalog::build_index(const CreateIndexStatement& ast,
                                                        TableInfo* table) {
  if (ast.where) return Status::unsupported("partial indexes are not supported");
  auto index = std::make_unique<IndexInfo>();
  index->name = ast.name;
  index->table_name = table->name;
  index->table = table;
  index->unique = ast.unique;
  index->sql = ast.text;
  for (const IndexedColumn& c : ast.columns) {
    int i = table->find_column(c.name);
    if (i == -1) return Status::invalid_argument("no such column: " + c.name);
    IndexColumn column;
    column.column = i == kRowidColumn ? -1 : i;
    column.desc = c.desc;
    column.collation = i >= 0 ? table->columns[i].collation : Collation::kBinary;
    if (!c.collation.empty()) {
      bool known;
      column.collation = collation_from_name(c.collation, &known);
      if (!known) return Status::invalid_argument("no such collation sequence: " + c.collation);
    }
    index->columns.push_back(column);
  }
  return index;
}

namespace {

struct SchemaRow {
  std::string type, name, table_name, sql;
  uint32_t root = 0;
};

Result<StatementPtr> parse_schema_sql(const SchemaRow& row) {
  auto parser = Parser::create(row.sql);
  if (!parser.is_ok()) {
    return Status::corruption("malformed database schema (" + row.name + ") - " +
                              parser.status().message());
  }
  auto statement = parser->next();
  if (!statement.is_ok() || !*statement) {
    return Status::corruption("malformed database schema (" + row.name + ")" +
                              (statement.is_ok() ? "" : " - " + statement.status().message()));
  }
  return std::move(*statement);
}

}  // namespace

Status Catalog::load(Pager* pager, CursorRegistry* registry) {
  clear();
  ++generation_;
  cookie_ = pager->header(HeaderField::kSchemaCookie);
  auto schema = std::make_unique<TableInfo>();
  schema->name = "sqlite_schema";
  schema->system = true;
  schema->root = pager->header(HeaderField::kSchemaRoot);
  const char* names[] = {"type", "name", "tbl_name", "rootpage", "sql"};
  const char* types[] = {"text", "text", "text", "int", "text"};
  for (int i = 0; i < 5; ++i) {
    ColumnInfo column;
    column.name = names[i];
    column.type = types[i];
    column.affinity = affinity_from_declared_type(types[i]);
    schema->columns.push_back(std::move(column));
  }
  schema->sql = "CREATE TABLE sqlite_schema(type text, name text, tbl_name text, rootpage int, sql text)";
  uint32_t root = schema->root;
  tables_["sqlite_schema"] = std::move(schema);
  if (root == 0) return Status::ok();
  if (root > pager->page_count()) {
    return Status::corruption("database disk image is malformed: bad schema root page");
  }

  std::vector<SchemaRow> rows;
  {
    BTreeCursor cursor(pager, root, registry);
    SFS_TRY(cursor.first());
    RecordReader reader;
    while (cursor.valid()) {
      SFS_ASSIGN_OR_RETURN(std::string_view value, cursor.value());
      SFS_TRY(reader.reset(value));
      SchemaRow row;
      Value v;
      SFS_TRY(reader.column(0, &v));
      row.type = v.to_text();
      SFS_TRY(reader.column(1, &v));
      row.name = v.to_text();
      SFS_TRY(reader.column(2, &v));
      row.table_name = v.to_text();
      SFS_TRY(reader.column(3, &v));
      int64_t r = v.to_int();
      if (r < 0 || r > static_cast<int64_t>(pager->page_count())) {
        return Status::corruption("malformed database schema (" + row.name + "): bad root page");
      }
      row.root = static_cast<uint32_t>(r);
      SFS_TRY(reader.column(4, &v));
      row.sql = v.is_null() ? std::string() : v.to_text();
      rows.push_back(std::move(row));
      SFS_TRY(cursor.next());
    }
  }

  // Tables first (their automatic indexes get their roots from the matching 'index' rows).
  std::map<std::string, uint32_t> automatic_roots;
  for (const SchemaRow& row : rows) {
    if (row.type == "index" && row.sql.empty()) automatic_roots[fold_name(row.name)] = row.root;
  }
  for (const SchemaRow& row : rows) {
    if (row.type != "table") continue;
    SFS_ASSIGN_OR_RETURN(StatementPtr statement, parse_schema_sql(row));
    if (statement->kind != StatementKind::kCreateTable) {
      return Status::corruption("malformed database schema (" + row.name + ")");
    }
    std::vector<std::unique_ptr<IndexInfo>> automatic;
    auto table = build_table(static_cast<const CreateTableStatement&>(*statement), &automatic);
    if (!table.is_ok()) {
      return Status::corruption("malformed database schema (" + row.name + ") - " +
                                table.status().message());
    }
    (*table)->root = row.root;
    (*table)->system = fold_name(row.name).rfind("sqlite_", 0) == 0;
    TableInfo* t = table->get();
    tables_[fold_name(row.name)] = std::move(*table);
    for (auto& index : automatic) {
      auto it = automatic_roots.find(fold_name(index->name));
      if (it == automatic_roots.end()) {
        return Status::corruption("malformed database schema (" + index->name + ") - missing");
      }
      index->root = it->second;
      index->table = t;
      t->indexes.push_back(index.get());
      indexes_[fold_name(index->name)] = std::move(index);
    }
  }
  for (const SchemaRow& row : rows) {
    if (row.type == "index" && !row.sql.empty()) {
      SFS_ASSIGN_OR_RETURN(StatementPtr statement, parse_schema_sql(row));
      if (statement->kind != StatementKind::kCreateIndex) {
        return Status::corruption("malformed database schema (" + row.name + ")");
      }
      const auto& ast = static_cast<const CreateIndexStatement&>(*statement);
      TableInfo* table = find_table(ast.table);
      if (table == nullptr) {
        return Status::corruption("malformed database schema (" + row.name + ") - no table");
      }
      auto index = build_index(ast, table);
      if (!index.is_ok()) {
        return Status::corruption("malformed database schema (" + row.name + ") - " +
                                  index.status().message());
      }
      (*index)->root = row.root;
      table->indexes.push_back(index->get());
      indexes_[fold_name(row.name)] = std::move(*index);
    } else if (row.type == "view") {
      SFS_ASSIGN_OR_RETURN(StatementPtr statement, parse_schema_sql(row));
      if (statement->kind != StatementKind::kCreateView) {
        return Status::corruption("malformed database schema (" + row.name + ")");
      }
      auto& ast = static_cast<CreateViewStatement&>(*statement);
      auto view = std::make_unique<ViewInfo>();
      view->name = ast.name;
      view->sql = row.sql;
      view->columns = ast.columns;
      view->select = std::move(ast.select);
      views_[fold_name(row.name)] = std::move(view);
    }
  }
  for (const SchemaRow& row : rows) {
    if (row.type != "trigger") continue;
    SFS_ASSIGN_OR_RETURN(StatementPtr statement, parse_schema_sql(row));
    if (statement->kind != StatementKind::kCreateTrigger) {
      return Status::corruption("malformed database schema (" + row.name + ")");
    }
    auto trigger = std::make_unique<TriggerInfo>();
    trigger->name = row.name;
    trigger->table_name = row.table_name;
    trigger->sql = row.sql;
    trigger->ast.reset(static_cast<CreateTriggerStatement*>(statement.release()));
    if (TableInfo* table = find_table(row.table_name)) table->triggers.push_back(trigger.get());
    triggers_[fold_name(row.name)] = std::move(trigger);
  }
  load_statistics(pager, registry);
  return Status::ok();
}

void Catalog::load_statistics(Pager* pager, CursorRegistry* registry) {
  TableInfo* stat = find_table("sqlite_stat1");
  if (stat == nullptr || stat->columns.size() < 3) return;
  BTreeCursor cursor(pager, stat->root, registry);
  if (!cursor.first().is_ok()) return;
  RecordReader reader;
  while (cursor.valid()) {
    auto value = cursor.value();
    if (!value.is_ok() || !reader.reset(*value).is_ok()) return;
    Value table_name, index_name, text;
    (void)reader.column(0, &table_name);
    (void)reader.column(1, &index_name);
    (void)reader.column(2, &text);
    std::vector<int64_t> numbers;
    std::string stat = text.to_text();
    for (std::string_view part : core::split_whitespace(stat)) {
      if (auto n = core::parse_int64(part)) numbers.push_back(*n);
    }
    if (!numbers.empty()) {
      if (index_name.is_null()) {
        if (TableInfo* t = find_table(table_name.to_text())) t->stat_rows = numbers[0];
      } else if (IndexInfo* index = find_index(index_name.to_text())) {
        index->stats = numbers;
        if (index->table != nullptr) index->table->stat_rows = numbers[0];
      }
    }
    if (!cursor.next().is_ok()) return;
  }
}

}  // namespace sfs::sql
