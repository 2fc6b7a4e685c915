// Row-level helpers shared by DML, DDL and the integrity check (see row_writer.h).
#include "systems/sql/row_writer.h"

#include "systems/sql/key_encoding.h"

namespace sfs::sql {

std::string unique_message(const TableInfo* table, const IndexInfo* index) {
  std::string columns;
  for (const IndexColumn& ic : index->columns) {
    if (!columns.empty()) columns += ", ";
    columns += table->name + "." + (ic.column >= 0 ? table->columns[ic.column].name : "rowid");
  }
  return "UNIQUE constraint failed: " + columns;
}

std::string rowid_message(const TableInfo* table) {
  return "UNIQUE constraint failed: " + table->name + "." +
         (table->rowid_alias >= 0 ? table->columns[table->rowid_alias].name : "rowid");
}

}  // namespace sfs::sql

namespace sfs::sql {

Status populate_index(Runtime& rt, Connection* connection, TableInfo* table, IndexInfo* index) {
  if (table->root == 0) return Status::ok();
  RowWriter writer(connection, table);
  BTreeCursor rows(connection->pager(), table->root, connection->registry());
  BTreeCursor entries(connection->pager(), index->root, connection->registry());
  std::string key, prefix, value;
  std::vector<Value> row(table->columns.size());
  RecordReader reader;
  SFS_TRY(rows.first());
  while (rows.valid()) {
    SFS_ASSIGN_OR_RETURN(std::string_view k, rows.key());
    int64_t rowid = decode_rowid_key(k);
    SFS_ASSIGN_OR_RETURN(std::string_view bytes, rows.value());
    SFS_TRY(reader.reset(bytes));
    for (size_t c = 0; c < table->columns.size(); ++c) {
      if (c < reader.column_count()) {
        SFS_TRY(reader.column(c, &row[c]));
      } else if (table->columns[c].default_value) {
        if (!rt.eval(table->columns[c].default_value.get(), &row[c])) return rt.error;
      } else {
        row[c] = Value();
      }
    }
    if (index->unique) {
      bool has_null = false;
      for (const IndexColumn& ic : index->columns) {
        has_null = has_null || writer.column_value(row, ic.column, rowid).is_null();
      }
      if (!has_null) {
        writer.index_key(index, row, rowid, &prefix, false);
        SFS_TRY(entries.seek(prefix));
        if (entries.valid()) {
          SFS_ASSIGN_OR_RETURN(std::string_view existing, entries.key());
          if (existing.size() == prefix.size() + 8 && existing.compare(0, prefix.size(), prefix) == 0) {
            return Status(core::Code::kAlreadyExists, unique_message(table, index));
          }
        }
      }
    }
    writer.index_key(index, row, rowid, &key, true);
    writer.index_value(index, row, rowid, &value);
    SFS_TRY(entries.insert(key, value));
    SFS_TRY(rows.next());
  }
  return Status::ok();
}

}  // namespace sfs::sql

namespace sfs::sql {

Status check_table_indexes(Runtime& rt, Connection* connection, TableInfo* table,
                           std::vector<std::string>* errors) {
  if (table->root == 0) return Status::ok();
  RowWriter writer(connection, table);
  BTreeCursor rows(connection->pager(), table->root, connection->registry());
  std::vector<std::unique_ptr<BTreeCursor>> cursors;
  for (IndexInfo* index : table->indexes) {
    cursors.push_back(std::make_unique<BTreeCursor>(connection->pager(), index->root,
                                                    connection->registry()));
  }
  std::vector<Value> row(table->columns.size());
  RecordReader reader;
  std::string key;
  int64_t count = 0;
  SFS_TRY(rows.first());
  while (rows.valid()) {
    ++count;
    SFS_ASSIGN_OR_RETURN(std::string_view k, rows.key());
    int64_t rowid = decode_rowid_key(k);
    SFS_ASSIGN_OR_RETURN(std::string_view bytes, rows.value());
    Status parsed = reader.reset(bytes);
    if (!parsed.is_ok()) {
      errors->push_back("row " + std::to_string(rowid) + " of " + table->name + ": " + parsed.message());
      SFS_TRY(rows.next());
      continue;
    }
    for (size_t c = 0; c < table->columns.size(); ++c) {
      if (c < reader.column_count()) {
        SFS_TRY(reader.column(c, &row[c]));
      } else if (table->columns[c].default_value) {
        if (!rt.eval(table->columns[c].default_value.get(), &row[c])) return rt.error;
      } else {
        row[c] = Value();
      }
      if (table->columns[c].not_null && static_cast<int>(c) != table->rowid_alias && row[c].is_null()) {
        errors->push_back("NULL value in " + table->name + "." + table->columns[c].name);
      }
    }
    for (size_t i = 0; i < table->indexes.size(); ++i) {
      writer.index_key(table->indexes[i], row, rowid, &key, true);
      bool exact = false;
      SFS_TRY(cursors[i]->seek(key, &exact));
      if (!exact) {
        errors->push_back("row " + std::to_string(rowid) + " missing from index " +
                          table->indexes[i]->name);
      }
    }
    SFS_TRY(rows.next());
  }
  for (size_t i = 0; i < table->indexes.size(); ++i) {
    int64_t entries = 0;
    SFS_TRY(cursors[i]->first());
    while (cursors[i]->valid()) {
      ++entries;
      SFS_TRY(cursors[i]->next());
    }
    if (entries != count) {
      errors->push_back("wrong # of entries in index " + table->indexes[i]->name);
    }
  }
  return Status::ok();
}

}  // namespace sfs::sql
