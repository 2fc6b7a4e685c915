// Order-preserving ("memcomparable") encodings for B-tree keys.
//
// Every B-tree compares keys with memcmp (btree.h), so values are encoded into bytes whose byte
// order is their SQL order.
//
// Integers (table rowids, the integer part of numbers) use a length-prefixed form of 1 to 9
// bytes: a tag that says the sign and the number of payload bytes, then the payload big-endian:
//
//   v = 0               0x15
//   v > 0               0x15 + n, then v in n bytes (n = 1..8, the fewest that hold v)
//   v < 0               0x15 - n, then v + 256^n in n bytes (n the fewest with |v| <= 256^n)
//
// so small numbers are short (a rowid below 65,536 takes 3 bytes) and longer tags sort outward.
//
// Index key values (then every byte inverted for a DESC column):
//
//   NULL     0x05
//   number   an INTEGER, or a REAL in [-2^63, 2^63): its integer part floor(v) in the integer
//            form above, then 0x00 if v is integral, or 0x01 and the fraction v - floor(v) as an
//            8-byte sortable double. INTEGER 1 and REAL 1.0 encode the same, as they compare
//            equal in SQL. A REAL below -2^63 is 0x0C and one at or above 2^63 (or infinite)
//            is 0x1E, each followed by the 8-byte sortable double (sign bit flipped if
//            positive, all bits flipped if negative).
//   text     0x20, the collation key (NOCASE: ASCII lowercased; RTRIM: trailing spaces removed)
//            with 0x00 written as 0x00 0xFF, then the terminator 0x00 0x01
//   blob     0x30, the bytes escaped the same way, then 0x00 0x01
//
// An index entry's key is the encoded columns followed by the rowid suffix: the rowid in the
// integer form plus one byte holding that form's length, so the rowid can be read back from the
// end of the key. The suffix makes every key unique. When every indexed value decodes back
// exactly from the key (key_value_is_exact), the entry's value is empty; otherwise it holds the
// original values (whose case or type the encoding folded) as a record.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "systems/sql/value.h"

namespace sfs::sql {

// The integer form: writes 1..9 bytes to out (room for 9), returns how many.
size_t encode_sortable_int(int64_t v, uint8_t* out);
void append_sortable_int(int64_t v, std::string* out);
// Reads one from [p, end); returns the bytes used, 0 when malformed.
size_t decode_sortable_int(const uint8_t* p, const uint8_t* end, int64_t* v);

void encode_key_value(const Value& value, Collation collation, bool descending, std::string* out);

// True when encode_key_value() of `value` under `collation` can be decoded back to the same
// value (and type): everything but NOCASE/RTRIM text and integral REALs (which encode like the
// INTEGER they equal).
bool key_value_is_exact(const Value& value, Collation collation);
// Decodes the encoded value at [*p, end) (written with `descending`), advancing *p. False when
// the bytes are malformed.
bool decode_key_value(const uint8_t** p, const uint8_t* end, bool descending, Value* out);

// The rowid suffix of index keys.
void append_rowid_suffix(int64_t rowid, std::string* out);
// The rowid at the end of an index key, and the length of the key before it. False when the
// key is malformed.
bool split_index_key(std::string_view key, int64_t* rowid, size_t* prefix_length);

}  // namespace sfs::sql
