// Schema changes: CREATE / DROP of tables, indexes, views and triggers, ALTER TABLE, ANALYZE,
// REINDEX and VACUUM.
//
// A schema change is three steps inside the statement's transaction: change the B-trees
// (allocate a root, fill an index, free a dropped table's pages), change the rows of the schema
// table, and bump the schema cookie in the database header (Connection::commit_schema_change),
// which also reloads this connection's catalog. Other connections see the new cookie at their
// next transaction and reload theirs. Because it is all one transaction, a failed CREATE INDEX
// (say, duplicate keys for UNIQUE) leaves no trace.
#include <algorithm>
#include <cmath>
#include <functional>

#include "core/strings.h"
#include "systems/sql/database.h"
#include "systems/sql/engine.h"
#include "systems/sql/parser.h"
#include "systems/sql/row_writer.h"

namespace sfs::sql {
namespace {

struct SchemaRow {
  int64_t rowid;
  std::string type, name, table, sql;
  uint32_t root;
  bool sql_null;
};

Result<std::vector<SchemaRow>> schema_rows(Connection* connection) {
  std::vector<SchemaRow> rows;
  uint32_t root = connection->pager()->header(HeaderField::kSchemaRoot);
  if (root == 0) return rows;
  BTreeCursor cursor(connection->pager(), root, connection->registry());
  SFS_TRY(cursor.first());
  RecordReader reader;
  while (cursor.valid()) {
    SFS_ASSIGN_OR_RETURN(std::string_view key, cursor.key());
    SFS_ASSIGN_OR_RETURN(std::string_view value, cursor.value());
    SFS_TRY(reader.reset(value));
    SchemaRow row;
    row.rowid = decode_rowid_key(key);
    Value v;
    SFS_TRY(reader.column(0, &v));
    row.type = v.to_text();
    SFS_TRY(reader.column(1, &v));
    row.name = v.to_text();
    SFS_TRY(reader.column(2, &v));
    row.table = v.to_text();
    SFS_TRY(reader.column(3, &v));
    row.root = static_cast<uint32_t>(v.to_int());
    SFS_TRY(reader.column(4, &v));
    row.sql_null = v.is_null();
    row.sql = v.to_text();
    rows.push_back(std::move(row));
    SFS_TRY(cursor.next());
  }
  return rows;
}

Status schema_write(Connection* connection, const SchemaRow& row) {
  uint32_t root = connection->pager()->header(HeaderField::kSchemaRoot);
  BTreeCursor cursor(connection->pager(), root, connection->registry());
  std::vector<Value> values = {Value::text(row.type), Value::text(row.name), Value::text(row.table),
                               Value::integer(row.root),
                               row.sql_null ? Value() : Value::text(row.sql)};
  std::string record;
  encode_record(values, &record);
  return cursor.insert(encode_rowid_key(row.rowid), record);
}

Status schema_delete_where(Connection* connection,
                           const std::function<bool(const SchemaRow&)>& predicate) {
  SFS_ASSIGN_OR_RETURN(std::vector<SchemaRow> rows, schema_rows(connection));
  uint32_t root = connection->pager()->header(HeaderField::kSchemaRoot);
  BTreeCursor cursor(connection->pager(), root, connection->registry());
  for (const SchemaRow& row : rows) {
    if (!predicate(row)) continue;
    bool exact = false;
    SFS_TRY(cursor.seek(encode_rowid_key(row.rowid), &exact));
    if (exact) SFS_TRY(cursor.remove());
  }
  return Status::ok();
}

bool reserved_name(const std::string& name) {
  return core::to_lower(name).rfind("sqlite_", 0) == 0;
}

Status name_taken(Connection* connection, const std::string& name, const char* kind) {
  Catalog& catalog = connection->catalog();
  if (catalog.find_table(name) != nullptr || catalog.find_view(name) != nullptr) {
    return Status::invalid_argument(std::string(kind) + " " + name + " already exists");
  }
  if (catalog.find_index(name) != nullptr) {
    return Status::invalid_argument("there is already an index named " + name);
  }
  if (catalog.find_trigger(name) != nullptr) {
    return Status::invalid_argument("trigger " + name + " already exists");
  }
  return Status::ok();
}

// A program that runs one schema change when stepped.
class DdlProgram : public Program {
 public:
  explicit DdlProgram(std::function<Status(Runtime&)> action) : action_(std::move(action)) {
    writes = true;
    schema_change = true;
    multi_row = true;
  }
  Status open(Runtime&) override {
    done_ = false;
    return Status::ok();
  }
  Status step(Runtime& rt, bool* has_row) override {
    *has_row = false;
    if (done_) return Status::ok();
    done_ = true;
    return action_(rt);
  }

 private:
  std::function<Status(Runtime&)> action_;
  bool done_ = false;
};

std::string declared_type_for(Affinity affinity) {
  switch (affinity) {
    case Affinity::kInteger: return "INT";
    case Affinity::kReal: return "REAL";
    case Affinity::kNumeric: return "NUM";
    case Affinity::kText: return "TEXT";
    case Affinity::kBlob:
    case Affinity::kNone: return "";
  }
  return "";
}

std::string quote_identifier(const std::string& name) {
  bool plain = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) &&
               keyword_id(name) == kw::kNone;
  for (char c : name) {
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  }
  if (plain) return name;
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

Status create_table(Runtime& rt, Connection* connection, CreateTableStatement* statement) {
  Catalog& catalog = connection->catalog();
  if (catalog.find_table(statement->name) || catalog.find_view(statement->name)) {
    if (statement->if_not_exists) return Status::ok();
    return Status::invalid_argument("table " + statement->name + " already exists");
  }
  if (reserved_name(statement->name) && !core::iequals(statement->name, "sqlite_stat1")) {
    return Status::invalid_argument("object name reserved for internal use: " + statement->name);
  }
  SFS_TRY(name_taken(connection, statement->name, "table"));
  std::string sql = statement->text;
  std::unique_ptr<QueryPlan> select;
  std::unique_ptr<CreateTableStatement> generated;
  CreateTableStatement* definition = statement;
  if (statement->as_select) {
    Compiler compiler(connection);
    SFS_ASSIGN_OR_RETURN(select, compiler.compile_select(statement->as_select.get(), nullptr));
    // The table's columns: the result's names, typed by their affinity, laid out as SQLite
    // writes them into the schema: on one line when short, else one column a line (the
    // length estimate is SQLite's createTableStmt()'s).
    auto ident_length = [](const std::string& name) {
      return name.size() + 2 + static_cast<size_t>(std::count(name.begin(), name.end(), '"'));
    };
    size_t estimate = ident_length(statement->name);
    for (const std::string& name : select->names) estimate += ident_length(name) + 5;
    bool compact = estimate < 50;
    sql = "CREATE TABLE " + quote_identifier(statement->name) + "(";
    for (size_t i = 0; i < select->names.size(); ++i) {
      sql += compact ? (i > 0 ? "," : "") : (i > 0 ? ",\n  " : "\n  ");
      sql += quote_identifier(select->names[i]);
      std::string type = declared_type_for(select->affinities[i]);
      if (!type.empty()) sql += " " + type;
    }
    sql += compact ? ")" : "\n)";
    SFS_ASSIGN_OR_RETURN(Parser parser, Parser::create(sql));
    SFS_ASSIGN_OR_RETURN(StatementPtr parsed, parser.next());
    generated.reset(static_cast<CreateTableStatement*>(parsed.release()));
    definition = generated.get();
  }
  std::vector<std::unique_ptr<IndexInfo>> automatic;
  SFS_ASSIGN_OR_RETURN(std::unique_ptr<TableInfo> table, Catalog::build_table(*definition, &automatic));
  Pager* pager = connection->pager();
  SFS_ASSIGN_OR_RETURN(uint32_t root, btree::create(pager));
  SFS_TRY(schema_insert(connection, "table", statement->name, statement->name, root, sql));
  for (auto& index : automatic) {
    SFS_ASSIGN_OR_RETURN(uint32_t index_root, btree::create(pager));
    SchemaRow row;
    SFS_TRY(schema_insert(connection, "index", index->name, statement->name, index_root, ""));
  }
  // Reloading the schema frees the TableInfo objects the query plan points at, so the plan
  // compiled above (for the column names) is dropped and the SELECT compiled again afterwards.
  bool fill = select != nullptr;
  select.reset();
  SFS_TRY(connection->commit_schema_change());
  if (fill) {
    // Fill it: INSERT INTO t SELECT ...
    Compiler compiler(connection);
    SFS_ASSIGN_OR_RETURN(select, compiler.compile_select(statement->as_select.get(), nullptr));
    TableInfo* created = connection->catalog().find_table(statement->name);
    BTreeCursor cursor(pager, created->root, connection->registry());
    SFS_TRY(query_open(rt, select.get()));
    int64_t rowid = 0;
    std::string record;
    while (true) {
      bool has_row = false;
      SFS_TRY(query_next(rt, select.get(), &has_row));
      if (!has_row) break;
      std::vector<Value> row = query_row(select.get());
      for (size_t c = 0; c < row.size(); ++c) apply_affinity(&row[c], created->columns[c].affinity);
      record.clear();
      encode_record(row, &record);
      SFS_TRY(cursor.insert(encode_rowid_key(++rowid), record));
    }
    query_close(select.get());
    connection->set_changes(0);
  }
  return Status::ok();
}

Status create_index(Runtime& rt, Connection* connection, CreateIndexStatement* statement) {
  Catalog& catalog = connection->catalog();
  if (catalog.find_index(statement->name) != nullptr) {
    if (statement->if_not_exists) return Status::ok();
    return Status::invalid_argument("index " + statement->name + " already exists");
  }
  if (reserved_name(statement->name)) {
    return Status::invalid_argument("object name reserved for internal use: " + statement->name);
  }
  TableInfo* table = catalog.find_table(statement->table);
  if (table == nullptr) {
    if (catalog.find_view(statement->table)) return Status::invalid_argument("views may not be indexed");
    return Status::invalid_argument("no such table: main." + statement->table);
  }
  if (table->system) return Status::invalid_argument("table " + table->name + " may not be indexed");
  SFS_TRY(name_taken(connection, statement->name, "index"));
  SFS_ASSIGN_OR_RETURN(std::unique_ptr<IndexInfo> index, Catalog::build_index(*statement, table));
  SFS_ASSIGN_OR_RETURN(uint32_t root, btree::create(connection->pager()));
  index->root = root;
  SFS_TRY(populate_index(rt, connection, table, index.get()));
  SFS_TRY(schema_insert(connection, "index", statement->name, table->name, root, statement->text));
  return connection->commit_schema_change();
}

Status create_view(Connection* connection, CreateViewStatement* statement) {
  Catalog& catalog = connection->catalog();
  if (catalog.find_view(statement->name) || catalog.find_table(statement->name)) {
    if (statement->if_not_exists) return Status::ok();
    return Status::invalid_argument((catalog.find_view(statement->name) ? "view " : "table ") +
                                    statement->name + " already exists");
  }
  if (reserved_name(statement->name)) {
    return Status::invalid_argument("object name reserved for internal use: " + statement->name);
  }
  SFS_TRY(name_taken(connection, statement->name, "view"));
  {
    // The view must compile now (no such table, bad columns...).
    Compiler compiler(connection);
    auto copy = statement->select->clone();
    SFS_ASSIGN_OR_RETURN(std::unique_ptr<QueryPlan> plan, compiler.compile_select(copy.get(), nullptr));
    if (!statement->columns.empty() && statement->columns.size() != plan->names.size()) {
      return Status::invalid_argument("expected " + std::to_string(statement->columns.size()) +
                                      " columns for '" + statement->name + "' but got " +
                                      std::to_string(plan->names.size()));
    }
  }
  if (statement->temporary) {
    auto view = std::make_unique<ViewInfo>();
    view->name = statement->name;
    view->sql = statement->text;
    view->columns = statement->columns;
    view->select = statement->select->clone();
    catalog.add_temp_view(std::move(view));
    return Status::ok();
  }
  SFS_TRY(schema_insert(connection, "view", statement->name, statement->name, 0, statement->text));
  return connection->commit_schema_change();
}

Status create_trigger(Connection* connection, CreateTriggerStatement* statement) {
  Catalog& catalog = connection->catalog();
  if (catalog.find_trigger(statement->name) != nullptr) {
    if (statement->if_not_exists) return Status::ok();
    return Status::invalid_argument("trigger " + statement->name + " already exists");
  }
  if (reserved_name(statement->name)) {
    return Status::invalid_argument("object name reserved for internal use: " + statement->name);
  }
  TableInfo* table = catalog.find_table(statement->table);
  if (table == nullptr) {
    if (catalog.find_view(statement->table) != nullptr) {
      if (statement->timing != TriggerTiming::kInsteadOf) {
        return Status::invalid_argument("cannot create " +
                                        std::string(statement->timing == TriggerTiming::kBefore ? "BEFORE" : "AFTER") +
                                        " trigger on view: " + statement->table);
      }
      return Status::unsupported("INSTEAD OF triggers are not supported");
    }
    return Status::invalid_argument("no such table: main." + statement->table);
  }
  if (statement->timing == TriggerTiming::kInsteadOf) {
    return Status::invalid_argument("cannot create INSTEAD OF trigger on table: " + statement->table);
  }
  if (table->system) return Status::invalid_argument("cannot create trigger on system table");
  SFS_TRY(schema_insert(connection, "trigger", statement->name, table->name, 0, statement->text));
  return connection->commit_schema_change();
}

Status drop(Connection* connection, DropStatement* statement) {
  Catalog& catalog = connection->catalog();
  Pager* pager = connection->pager();
  const std::string& name = statement->name;
  std::string key = fold_name(name);
  switch (statement->object) {
    case DropStatement::Object::kTable: {
      TableInfo* table = catalog.find_table(name);
      if (table == nullptr) {
        if (catalog.find_view(name)) return Status::invalid_argument("use DROP VIEW to delete view " + name);
        if (statement->if_exists) return Status::ok();
        return Status::invalid_argument("no such table: " + name);
      }
      if (table->system && fold_name(table->name) != "sqlite_stat1") {
        return Status::invalid_argument("table " + table->name + " may not be dropped");
      }
      std::string table_key = fold_name(table->name);
      connection->registry()->save_all(table->root, nullptr);
      SFS_TRY(btree::destroy(pager, table->root, true));
      for (IndexInfo* index : table->indexes) SFS_TRY(btree::destroy(pager, index->root, true));
      SFS_TRY(schema_delete_where(connection, [&](const SchemaRow& row) {
        return fold_name(row.table) == table_key &&
               (row.type == "table" || row.type == "index" || row.type == "trigger");
      }));
      break;
    }
    case DropStatement::Object::kIndex: {
      IndexInfo* index = catalog.find_index(name);
      if (index == nullptr) {
        if (statement->if_exists) return Status::ok();
        return Status::invalid_argument("no such index: " + name);
      }
      if (index->automatic) {
        return Status::invalid_argument(
            "index associated with UNIQUE or PRIMARY KEY constraint cannot be dropped");
      }
      SFS_TRY(btree::destroy(pager, index->root, true));
      SFS_TRY(schema_delete_where(connection, [&](const SchemaRow& row) {
        return row.type == "index" && fold_name(row.name) == key;
      }));
      break;
    }
    case DropStatement::Object::kView: {
      if (catalog.drop_temp_view(name)) return Status::ok();
      if (catalog.find_view(name) == nullptr) {
        if (catalog.find_table(name)) return Status::invalid_argument("use DROP TABLE to delete table " + name);
        if (statement->if_exists) return Status::ok();
        return Status::invalid_argument("no such view: " + name);
      }
      SFS_TRY(schema_delete_where(connection, [&](const SchemaRow& row) {
        return row.type == "view" && fold_name(row.name) == key;
      }));
      break;
    }
    case DropStatement::Object::kTrigger: {
      if (catalog.find_trigger(name) == nullptr) {
        if (statement->if_exists) return Status::ok();
        return Status::invalid_argument("no such trigger: " + name);
      }
      SFS_TRY(schema_delete_where(connection, [&](const SchemaRow& row) {
        return row.type == "trigger" && fold_name(row.name) == key;
      }));
      break;
    }
  }
  return connection->commit_schema_change();
}

// Replaces bytes [start, end) of a statement's text.
std::string splice(const std::string& text, size_t start, size_t end, const std::string& with) {
  if (start > text.size() || end > text.size() || start > end) return text;
  return text.substr(0, start) + with + text.substr(end);
}

Status alter_table(Runtime& rt, Connection* connection, AlterTableStatement* statement) {
  (void)rt;
  Catalog& catalog = connection->catalog();
  TableInfo* table = catalog.find_table(statement->table);
  if (table == nullptr) return Status::invalid_argument("no such table: " + statement->table);
  if (table->system) {
    return Status::invalid_argument("table " + table->name + " may not be altered");
  }
  SFS_ASSIGN_OR_RETURN(std::vector<SchemaRow> rows, schema_rows(connection));
  std::string table_key = fold_name(table->name);
  switch (statement->action) {
    case AlterTableStatement::Action::kRenameTable: {
      const std::string& to = statement->new_name;
      if (catalog.name_in_use(to)) {
        return Status::invalid_argument("there is already another table or index with this name: " + to);
      }
      if (reserved_name(to)) return Status::invalid_argument("object name reserved for internal use: " + to);
      for (SchemaRow& row : rows) {
        if (fold_name(row.table) != table_key) continue;
        if (!row.sql_null && !row.sql.empty()) {
          SFS_ASSIGN_OR_RETURN(Parser parser, Parser::create(row.sql));
          SFS_ASSIGN_OR_RETURN(StatementPtr parsed, parser.next());
          uint32_t base = parsed->offset;
          if (parsed->kind == StatementKind::kCreateTable) {
            auto* t = static_cast<CreateTableStatement*>(parsed.get());
            row.sql = splice(row.sql, t->name_offset - base, t->name_end - base, quote_identifier(to));
            row.name = to;
          } else if (parsed->kind == StatementKind::kCreateIndex) {
            auto* i = static_cast<CreateIndexStatement*>(parsed.get());
            row.sql = splice(row.sql, i->table_offset - base, i->table_end - base, quote_identifier(to));
          } else if (parsed->kind == StatementKind::kCreateTrigger) {
            auto* tr = static_cast<CreateTriggerStatement*>(parsed.get());
            row.sql = splice(row.sql, tr->table_offset - base, tr->table_end - base, quote_identifier(to));
          }
        } else if (row.type == "index") {
          std::string prefix = "sqlite_autoindex_" + table->name + "_";
          if (row.name.rfind(prefix, 0) == 0) {
            row.name = "sqlite_autoindex_" + to + "_" + row.name.substr(prefix.size());
          }
        }
        row.table = to;
        SFS_TRY(schema_write(connection, row));
      }
      break;
    }
    case AlterTableStatement::Action::kRenameColumn: {
      int column = table->find_column(statement->column);
      if (column < 0) return Status::invalid_argument("no such column: \"" + statement->column + "\"");
      if (table->find_column(statement->new_name) >= 0 &&
          !core::iequals(statement->new_name, statement->column)) {
        return Status::invalid_argument("duplicate column name: " + statement->new_name);
      }
      std::string to = quote_identifier(statement->new_name);
      for (SchemaRow& row : rows) {
        if (fold_name(row.table) != table_key || row.sql_null || row.sql.empty()) continue;
        SFS_ASSIGN_OR_RETURN(Parser parser, Parser::create(row.sql));
        SFS_ASSIGN_OR_RETURN(StatementPtr parsed, parser.next());
        uint32_t base = parsed->offset;
        // Replace every occurrence, from the end so offsets stay valid.
        std::vector<std::pair<uint32_t, uint32_t>> spans;
        if (parsed->kind == StatementKind::kCreateTable) {
          auto* t = static_cast<CreateTableStatement*>(parsed.get());
          for (const ColumnDef& def : t->columns) {
            if (core::iequals(def.name, statement->column)) spans.emplace_back(def.name_offset, def.name_end);
          }
          for (const TableConstraint& c : t->constraints) {
            for (const IndexedColumn& ic : c.columns) {
              if (core::iequals(ic.name, statement->column)) spans.emplace_back(ic.offset, ic.end);
            }
          }
        } else if (parsed->kind == StatementKind::kCreateIndex) {
          auto* i = static_cast<CreateIndexStatement*>(parsed.get());
          for (const IndexedColumn& ic : i->columns) {
            if (core::iequals(ic.name, statement->column)) spans.emplace_back(ic.offset, ic.end);
          }
        } else {
          continue;  // triggers keep their text (documented limitation)
        }
        std::sort(spans.rbegin(), spans.rend());
        for (auto [start, end] : spans) row.sql = splice(row.sql, start - base, end - base, to);
        SFS_TRY(schema_write(connection, row));
      }
      break;
    }
    case AlterTableStatement::Action::kAddColumn: {
      const ColumnDef& def = statement->definition;
      if (table->find_column(def.name) >= 0) {
        return Status::invalid_argument("duplicate column name: " + def.name);
      }
      if (def.primary_key) return Status::invalid_argument("Cannot add a PRIMARY KEY column");
      if (def.unique) return Status::invalid_argument("Cannot add a UNIQUE column");
      if (def.default_value && !(def.default_value->kind == ExprKind::kLiteral ||
                                 (def.default_value->kind == ExprKind::kUnary &&
                                  def.default_value->left->kind == ExprKind::kLiteral))) {
        return Status::invalid_argument("Cannot add a column with non-constant default");
      }
      if (def.not_null && (!def.default_value || (def.default_value->kind == ExprKind::kLiteral &&
                                                  def.default_value->value.is_null()))) {
        return Status::invalid_argument("Cannot add a NOT NULL column with default value NULL");
      }
      for (SchemaRow& row : rows) {
        if (row.type != "table" || fold_name(row.name) != table_key) continue;
        size_t close = row.sql.rfind(')');
        if (close == std::string::npos) return Status::corruption("malformed table sql");
        row.sql = row.sql.substr(0, close) + ", " + statement->definition_text + row.sql.substr(close);
        SFS_TRY(schema_write(connection, row));
      }
      break;
    }
    case AlterTableStatement::Action::kDropColumn:
      return Status::unsupported("ALTER TABLE DROP COLUMN is not supported");
  }
  return connection->commit_schema_change();
}

Status analyze(Runtime& rt, Connection* connection, NameStatement* statement) {
  Catalog& catalog = connection->catalog();
  // Names, not pointers: creating sqlite_stat1 below reloads the catalog.
  std::vector<std::string> names;
  if (statement->name.empty()) {
    for (const auto& [key, table] : catalog.tables()) {
      if (!table->system) names.push_back(table->name);
    }
  } else if (TableInfo* table = catalog.find_table(statement->name)) {
    names.push_back(table->name);
  } else if (IndexInfo* index = catalog.find_index(statement->name)) {
    names.push_back(index->table->name);
  } else {
    return Status::invalid_argument("no such table: " + statement->name);
  }
  if (catalog.find_table("sqlite_stat1") == nullptr) {
    SFS_ASSIGN_OR_RETURN(uint32_t root, btree::create(connection->pager()));
    SFS_TRY(schema_insert(connection, "table", "sqlite_stat1", "sqlite_stat1", root,
                          "CREATE TABLE sqlite_stat1(tbl,idx,stat)"));
    SFS_TRY(connection->commit_schema_change());
  }
  TableInfo* stat = connection->catalog().find_table("sqlite_stat1");
  Pager* pager = connection->pager();
  BTreeCursor stat_cursor(pager, stat->root, connection->registry());
  // Forget old statistics of these tables.
  {
    SFS_TRY(stat_cursor.first());
    RecordReader reader;
    while (stat_cursor.valid()) {
      SFS_ASSIGN_OR_RETURN(std::string_view value, stat_cursor.value());
      SFS_TRY(reader.reset(value));
      Value t;
      SFS_TRY(reader.column(0, &t));
      bool ours = false;
      for (const std::string& n : names) ours = ours || core::iequals(n, t.to_text());
      if (ours) {
        SFS_TRY(stat_cursor.remove());
      }
      SFS_TRY(stat_cursor.next());
    }
  }
  int64_t next_rowid = 1;
  SFS_TRY(stat_cursor.last());
  if (stat_cursor.valid()) {
    SFS_ASSIGN_OR_RETURN(std::string_view key, stat_cursor.key());
    next_rowid = decode_rowid_key(key) + 1;
  }
  auto write = [&](const std::string& table, const Value& index, const std::string& text) -> Status {
    std::vector<Value> values = {Value::text(table), index, Value::text(text)};
    std::string record;
    encode_record(values, &record);
    return stat_cursor.insert(encode_rowid_key(next_rowid++), record);
  };
  for (const std::string& name : names) {
    TableInfo* table = connection->catalog().find_table(name);
    int64_t rows = 0;
    if (table->root != 0) {
      BTreeCursor cursor(pager, table->root, connection->registry());
      SFS_TRY(cursor.first());
      while (cursor.valid()) {
        ++rows;
        SFS_TRY(cursor.next());
      }
    }
    if (table->indexes.empty()) {
      SFS_TRY(write(table->name, Value(), std::to_string(rows)));
      continue;
    }
    for (IndexInfo* index : table->indexes) {
      size_t k = index->columns.size();
      std::vector<int64_t> distinct(k, 0);
      std::vector<Value> previous(k);
      bool first = true;
      BTreeCursor cursor(pager, index->root, connection->registry());
      SFS_TRY(cursor.first());
      std::vector<Value> current(k);
      while (cursor.valid()) {
        SFS_ASSIGN_OR_RETURN(std::string_view key, cursor.key());
        std::string key_copy(key);
        SFS_ASSIGN_OR_RETURN(std::string_view value, cursor.value());
        SFS_TRY(decode_index_entry(*index, key_copy, value, &current));
        size_t same = 0;
        if (!first) {
          while (same < k && compare_values(previous[same], current[same], index->columns[same].collation) == 0) {
            ++same;
          }
        }
        for (size_t c = first ? 0 : same; c < k; ++c) ++distinct[c];
        previous = current;
        first = false;
        SFS_TRY(cursor.next());
      }
      std::string text = std::to_string(rows);
      for (size_t c = 0; c < k; ++c) {
        int64_t d = std::max<int64_t>(1, distinct[c]);
        text += " " + std::to_string(std::max<int64_t>(1, (rows + d - 1) / d));
      }
      SFS_TRY(write(table->name, Value::text(index->name), text));
    }
  }
  (void)rt;
  // Reload so the planner sees the new numbers.
  return connection->commit_schema_change();
}

Status reindex(Runtime& rt, Connection* connection, NameStatement* statement) {
  Catalog& catalog = connection->catalog();
  std::vector<IndexInfo*> indexes;
  for (const auto& [key, index] : catalog.indexes()) {
    if (statement->name.empty() || core::iequals(index->name, statement->name) ||
        core::iequals(index->table_name, statement->name) ||
        core::iequals(statement->name, "BINARY") || core::iequals(statement->name, "NOCASE") ||
        core::iequals(statement->name, "RTRIM")) {
      indexes.push_back(index.get());
    }
  }
  if (!statement->name.empty() && indexes.empty() && catalog.find_table(statement->name) == nullptr) {
    return Status::invalid_argument("unable to identify the object to be reindexed");
  }
  for (IndexInfo* index : indexes) {
    connection->registry()->save_all(index->root, nullptr);
    SFS_TRY(btree::destroy(connection->pager(), index->root, false));
    SFS_TRY(populate_index(rt, connection, index->table, index));
  }
  return Status::ok();
}

}  // namespace

Status schema_insert(Connection* connection, const std::string& type, const std::string& name,
                     const std::string& table, uint32_t root, const std::string& sql) {
  uint32_t schema_root = connection->pager()->header(HeaderField::kSchemaRoot);
  BTreeCursor cursor(connection->pager(), schema_root, connection->registry());
  SFS_TRY(cursor.last());
  int64_t rowid = 1;
  if (cursor.valid()) {
    SFS_ASSIGN_OR_RETURN(std::string_view key, cursor.key());
    rowid = decode_rowid_key(key) + 1;
  }
  SchemaRow row;
  row.rowid = rowid;
  row.type = type;
  row.name = name;
  row.table = table;
  row.root = root;
  row.sql = sql;
  row.sql_null = sql.empty();
  return schema_write(connection, row);
}

Result<std::unique_ptr<Program>> compile_ddl(Connection* connection, Statement* statement) {
  std::function<Status(Runtime&)> action;
  switch (statement->kind) {
    case StatementKind::kCreateTable: {
      auto* s = static_cast<CreateTableStatement*>(statement);
      if (s->temporary) return Status::unsupported("TEMP tables are not supported");
      action = [connection, s](Runtime& rt) { return create_table(rt, connection, s); };
      break;
    }
    case StatementKind::kCreateIndex: {
      auto* s = static_cast<CreateIndexStatement*>(statement);
      action = [connection, s](Runtime& rt) { return create_index(rt, connection, s); };
      break;
    }
    case StatementKind::kCreateView: {
      auto* s = static_cast<CreateViewStatement*>(statement);
      action = [connection, s](Runtime&) { return create_view(connection, s); };
      break;
    }
    case StatementKind::kCreateTrigger: {
      auto* s = static_cast<CreateTriggerStatement*>(statement);
      if (s->temporary) return Status::unsupported("TEMP triggers are not supported");
      action = [connection, s](Runtime&) { return create_trigger(connection, s); };
      break;
    }
    case StatementKind::kDrop: {
      auto* s = static_cast<DropStatement*>(statement);
      action = [connection, s](Runtime&) { return drop(connection, s); };
      break;
    }
    case StatementKind::kAlterTable: {
      auto* s = static_cast<AlterTableStatement*>(statement);
      action = [connection, s](Runtime& rt) { return alter_table(rt, connection, s); };
      break;
    }
    case StatementKind::kAnalyze: {
      auto* s = static_cast<NameStatement*>(statement);
      action = [connection, s](Runtime& rt) { return analyze(rt, connection, s); };
      break;
    }
    case StatementKind::kReindex: {
      auto* s = static_cast<NameStatement*>(statement);
      action = [connection, s](Runtime& rt) { return reindex(rt, connection, s); };
      break;
    }
    default:
      return Status::internal("compile_ddl: not a schema statement");
  }
  return std::unique_ptr<Program>(new DdlProgram(std::move(action)));
}

}  // namespace sfs::sql
