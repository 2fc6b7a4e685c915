// Records: how a row's values are laid out as bytes in a table B-tree (and as the values of an
// index entry).
//
//   record := header-size varint, serial-type varint per column, then the column bodies
//
//   serial type   body                    serial type   body
//   0             NULL (no bytes)         7             IEEE 754 double, big-endian (8)
//   1..4          int, 1/2/3/4 bytes      8, 9          the integers 0 and 1 (no bytes)
//   5, 6          int, 6/8 bytes          N >= 12 even  BLOB of (N-12)/2 bytes
//                                         N >= 13 odd   TEXT of (N-13)/2 bytes
//
// Integers are big-endian two's complement in the fewest bytes that hold them. This is the
// serial-type scheme of SQLite's record format (with LEB128 varints, see bytes.h); it keeps small
// numbers small and lets a reader jump to column i after reading only the header. A record may
// have fewer columns than its table (after ALTER TABLE ADD COLUMN); the missing ones read as the
// column default.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "systems/sql/value.h"

namespace sfs::sql {

using core::Result;
using core::Status;

// Appends the record of values[0..count) to *out.
void encode_record(const Value* values, size_t count, std::string* out);
inline void encode_record(const std::vector<Value>& values, std::string* out) {
  encode_record(values.data(), values.size(), out);
}

// Reads the columns of one record without copying it.
class RecordReader {
 public:
  // Parses the header. The record bytes must outlive the reader's use of them.
  Status reset(std::string_view record);
  size_t column_count() const { return types_.size(); }
  // Column i as a Value (NULL when i >= column_count()).
  Status column(size_t i, Value* out) const;
  ValueType column_type(size_t i) const;

 private:
  std::string_view record_;
  std::vector<uint64_t> types_;
  std::vector<uint32_t> offsets_;
};

// Decodes a whole record into values (used by tests, integrity checks and tools).
Status decode_record(std::string_view record, std::vector<Value>* values);

}  // namespace sfs::sql
