// RowWriter: keeps a table and all of its indexes in step (internal to systems/sql).
//
// A row is the record under its rowid in the table's tree plus one entry per index: key = the
// indexed columns in order-preserving encoding followed by the rowid suffix, value = empty when
// the key decodes back exactly, else a record of those columns (FILE_FORMAT.md). Every INSERT, UPDATE, DELETE, CREATE INDEX and integrity
// check goes through these functions, so the table and its indexes cannot drift apart.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "systems/sql/database.h"
#include "systems/sql/engine.h"
#include "systems/sql/key_encoding.h"
#include "systems/sql/record.h"

namespace sfs::sql {


class RowWriter {
 public:
  RowWriter(Connection* connection, TableInfo* table) : connection_(connection), table_(table) {}

  BTreeCursor* table_cursor() {
    if (!table_cursor_) {
      table_cursor_ = std::make_unique<BTreeCursor>(connection_->pager(), table_->root,
                                                    connection_->registry());
    }
    return table_cursor_.get();
  }

  BTreeCursor* index_cursor(size_t i) {
    if (index_cursors_.size() < table_->indexes.size()) index_cursors_.resize(table_->indexes.size());
    if (!index_cursors_[i]) {
      index_cursors_[i] = std::make_unique<BTreeCursor>(
          connection_->pager(), table_->indexes[i]->root, connection_->registry());
    }
    return index_cursors_[i].get();
  }

  void reset() {
    if (table_cursor_) table_cursor_->reset();
    for (auto& c : index_cursors_) {
      if (c) c->reset();
    }
  }

  Value column_value(const std::vector<Value>& row, int column, int64_t rowid) const {
    if (column < 0 || column == table_->rowid_alias) return Value::integer(rowid);
    return row[column];
  }

  void index_key(const IndexInfo* index, const std::vector<Value>& row, int64_t rowid,
                 std::string* key, bool with_rowid) const {
    key->clear();
    for (const IndexColumn& ic : index->columns) {
      encode_key_value(column_value(row, ic.column, rowid), ic.collation, ic.desc, key);
    }
    if (with_rowid) append_rowid_suffix(rowid, key);
  }

  // The entry's value: empty when the key alone gives back every value exactly, else a record.
  void index_value(const IndexInfo* index, const std::vector<Value>& row, int64_t rowid,
                   std::string* value) {
    value->clear();
    values_.clear();
    bool exact = true;
    for (const IndexColumn& ic : index->columns) {
      values_.push_back(column_value(row, ic.column, rowid));
      exact = exact && key_value_is_exact(values_.back(), ic.collation);
    }
    if (!exact) encode_record(values_, value);
  }

  // Reads a whole row (missing trailing columns get their defaults). False: no such row.
  Result<bool> read(Runtime& rt, int64_t rowid, std::vector<Value>* row) {
    if (table_->root == 0) return false;
    BTreeCursor* cursor = table_cursor();
    bool exact = false;
    SFS_TRY(cursor->seek(encode_rowid_key(rowid), &exact));
    if (!exact) return false;
    SFS_ASSIGN_OR_RETURN(std::string_view bytes, cursor->value());
    RecordReader reader;
    SFS_TRY(reader.reset(bytes));
    row->resize(table_->columns.size());
    for (size_t c = 0; c < table_->columns.size(); ++c) {
      if (static_cast<int>(c) == table_->rowid_alias) {
        (*row)[c] = Value::integer(rowid);
      } else if (c < reader.column_count()) {
        SFS_TRY(reader.column(c, &(*row)[c]));
      } else if (table_->columns[c].default_value) {
        if (!rt.eval(table_->columns[c].default_value.get(), &(*row)[c])) return rt.error;
      } else {
        (*row)[c] = Value();
      }
    }
    return true;
  }

  Result<bool> exists(int64_t rowid) {
    BTreeCursor* cursor = table_cursor();
    bool exact = false;
    SFS_TRY(cursor->seek(encode_rowid_key(rowid), &exact));
    return exact;
  }

  Result<int64_t> new_rowid() {
    BTreeCursor* cursor = table_cursor();
    SFS_TRY(cursor->last());
    if (!cursor->valid()) return int64_t{1};
    SFS_ASSIGN_OR_RETURN(std::string_view key, cursor->key());
    int64_t max = decode_rowid_key(key);
    if (max == INT64_MAX) return Status::limit_exceeded("database or disk is full");
    return std::max<int64_t>(max, 0) + 1;
  }

  // Another row holding the same key in a UNIQUE index, if any (NULLs never conflict).
  Result<std::optional<int64_t>> conflict(size_t i, const std::vector<Value>& row, int64_t rowid,
                                          std::optional<int64_t> self) {
    const IndexInfo* index = table_->indexes[i];
    for (const IndexColumn& ic : index->columns) {
      if (column_value(row, ic.column, rowid).is_null()) return std::optional<int64_t>();
    }
    std::string prefix;
    index_key(index, row, rowid, &prefix, false);
    BTreeCursor* cursor = index_cursor(i);
    SFS_TRY(cursor->seek(prefix));
    while (cursor->valid()) {
      SFS_ASSIGN_OR_RETURN(std::string_view key, cursor->key());
      int64_t other = 0;
      size_t length = 0;
      if (!split_index_key(key, &other, &length) || length != prefix.size() ||
          key.compare(0, prefix.size(), prefix) != 0) {
        break;
      }
      if (!self || other != *self) return std::optional<int64_t>(other);
      SFS_TRY(cursor->next());
    }
    return std::optional<int64_t>();
  }

  // Writes a new row. `mode`: kReplace overwrites an existing rowid, kAppend knows the rowid is
  // past the end (new_rowid() just found it), kNew fails with *existed when the rowid is taken.
  enum class Mode { kReplace, kAppend, kNew };
  Status insert(int64_t rowid, const std::vector<Value>& row, Mode mode = Mode::kReplace,
                bool* existed = nullptr) {
    record_.clear();
    if (table_->rowid_alias >= 0) {
      // The rowid alias is stored as NULL: its value is the key.
      scratch_ = row;
      scratch_[table_->rowid_alias] = Value();
      encode_record(scratch_, &record_);
    } else {
      encode_record(row, &record_);
    }
    std::string key = encode_rowid_key(rowid);
    if (mode == Mode::kAppend) {
      SFS_TRY(table_cursor()->append(key, record_));
    } else if (mode == Mode::kNew) {
      bool taken = false;
      SFS_TRY(table_cursor()->insert_new(key, record_, &taken));
      if (existed != nullptr) *existed = taken;
      if (taken) return Status::ok();
    } else {
      SFS_TRY(table_cursor()->insert(key, record_));
    }
    for (size_t i = 0; i < table_->indexes.size(); ++i) {
      index_key(table_->indexes[i], row, rowid, &key_, true);
      index_value(table_->indexes[i], row, rowid, &value_);
      SFS_TRY(index_cursor(i)->insert(key_, value_));
    }
    return Status::ok();
  }

  Status remove(int64_t rowid, const std::vector<Value>& row) {
    for (size_t i = 0; i < table_->indexes.size(); ++i) {
      index_key(table_->indexes[i], row, rowid, &key_, true);
      BTreeCursor* cursor = index_cursor(i);
      bool exact = false;
      SFS_TRY(cursor->seek(key_, &exact));
      if (exact) SFS_TRY(cursor->remove());
    }
    BTreeCursor* cursor = table_cursor();
    bool exact = false;
    SFS_TRY(cursor->seek(encode_rowid_key(rowid), &exact));
    if (exact) SFS_TRY(cursor->remove());
    return Status::ok();
  }

  // Rewrites a row whose rowid is unchanged, touching only the indexes whose key changed.
  Status update(int64_t rowid, const std::vector<Value>& old_row, const std::vector<Value>& row) {
    std::string old_key;
    for (size_t i = 0; i < table_->indexes.size(); ++i) {
      const IndexInfo* index = table_->indexes[i];
      index_key(index, old_row, rowid, &old_key, true);
      index_key(index, row, rowid, &key_, true);
      std::string old_value;
      index_value(index, old_row, rowid, &old_value);
      index_value(index, row, rowid, &value_);
      if (old_key == key_ && old_value == value_) continue;
      BTreeCursor* cursor = index_cursor(i);
      bool exact = false;
      SFS_TRY(cursor->seek(old_key, &exact));
      if (exact) SFS_TRY(cursor->remove());
      SFS_TRY(cursor->insert(key_, value_));
    }
    record_.clear();
    if (table_->rowid_alias >= 0) {
      scratch_ = row;
      scratch_[table_->rowid_alias] = Value();
      encode_record(scratch_, &record_);
    } else {
      encode_record(row, &record_);
    }
    return table_cursor()->insert(encode_rowid_key(rowid), record_);
  }

  TableInfo* table() const { return table_; }

 private:
  Connection* connection_;
  TableInfo* table_;
  std::unique_ptr<BTreeCursor> table_cursor_;
  std::vector<std::unique_ptr<BTreeCursor>> index_cursors_;
  std::string key_, value_, record_;
  std::vector<Value> scratch_, values_;
};

// The indexed values of an index entry, from its value record or, when that is empty, decoded
// from its key.
Status decode_index_entry(const IndexInfo& index, std::string_view key, std::string_view value,
                          std::vector<Value>* out);

// "UNIQUE constraint failed: t.a, t.b" and its rowid counterpart.
std::string unique_message(const TableInfo* table, const IndexInfo* index);
std::string rowid_message(const TableInfo* table);

}  // namespace sfs::sql
