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
  // Parses and checks the whole header. The record bytes must outlive the reader's use of them.
  Status reset(std::string_view record);
  // Checks only the header's size; header entries are parsed on first use, up to the column
  // asked for (reading two columns of a wide row decodes only the entries before them).
  Status reset_lazy(std::string_view record);
  // REQUIRES: reset() (the whole header parsed).
  size_t column_count() const { return count_; }
  // Column i as a Value (NULL when i >= column_count()). REQUIRES: reset().
  Status column(size_t i, Value* out) const;
  ValueType column_type(size_t i) const;
  // After either reset: parses the header as far as column i and reads it. *present is false
  // (and *out untouched) when the record has fewer columns.
  Status read_column(size_t i, Value* out, bool* present);

 private:
  Status parse_until(size_t count);  // header entries until there are `count` (or all)

  std::string_view record_;
  // Parsed entries are types_[0..count_) and offsets_[0..count_); the vectors only grow.
  std::vector<uint64_t> types_;
  std::vector<uint32_t> offsets_;
  size_t count_ = 0;
  uint32_t header_size_ = 0;  // bytes of header, its own size varint included
  uint32_t header_pos_ = 0;   // the next unparsed header byte
  uint64_t body_offset_ = 0;  // where the next parsed column's body starts
};

// Decodes a whole record into values (used by tests, integrity checks and tools).
Status decode_record(std::string_view record, std::vector<Value>* values);

}  // namespace sfs::sql
