// Row-level helpers shared by DML, DDL and the integrity check (see row_writer.h).
#include "systems/sql/row_writer.h"

#include <algorithm>

#include "systems/sql/key_encoding.h"

namespace sfs::sql {

Status decode_index_entry(const IndexInfo& index, std::string_view key, std::string_view value,
                          std::vector<Value>* out) {
  if (!value.empty()) return decode_record(value, out);
  out->resize(index.columns.size());
  const auto* p = reinterpret_cast<const uint8_t*>(key.data());
  const uint8_t* end = p + key.size();
  for (size_t i = 0; i < index.columns.size(); ++i) {
    if (!decode_key_value(&p, end, index.columns[i].desc, &(*out)[i])) {
      return Status::corruption("database disk image is malformed: bad key in index " + index.name);
    }
  }
  return Status::ok();
}

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
  // Build every entry, sort them, check uniqueness on neighbours, then insert in key order:
  // sorted inserts always land at the end of the rightmost leaf, so pages fill completely
  // (random order would leave them about two-thirds full).
  RowWriter writer(connection, table);
  BTreeCursor rows(connection->pager(), table->root, connection->registry());
  struct Entry {
    std::string key;
    std::string value;
    size_t prefix;  // key length without the rowid suffix
    bool has_null;
  };
  std::vector<Entry> entries;
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
    Entry entry;
    entry.has_null = false;
    for (const IndexColumn& ic : index->columns) {
      entry.has_null = entry.has_null || writer.column_value(row, ic.column, rowid).is_null();
    }
    writer.index_key(index, row, rowid, &entry.key, false);
    entry.prefix = entry.key.size();
    append_rowid_suffix(rowid, &entry.key);
    writer.index_value(index, row, rowid, &entry.value);
    entries.push_back(std::move(entry));
    SFS_TRY(rows.next());
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.key < b.key; });
  if (index->unique) {
    for (size_t i = 1; i < entries.size(); ++i) {
      const Entry& a = entries[i - 1];
      const Entry& b = entries[i];
      if (!a.has_null && !b.has_null && a.prefix == b.prefix &&
          a.key.compare(0, a.prefix, b.key, 0, b.prefix) == 0) {
        return Status(core::Code::kAlreadyExists, unique_message(table, index));
      }
    }
  }
  BTreeCursor cursor(connection->pager(), index->root, connection->registry());
  for (const Entry& entry : entries) SFS_TRY(cursor.insert(entry.key, entry.value));
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
