// Order-preserving ("memcomparable") encoding of index keys.
//
// Index B-trees compare keys with memcmp (btree.h), so each indexed value is encoded into bytes
// whose byte order is the SQL order of the values under the column's collation and direction:
//
//   NULL     0x05
//   number   0x10, 8 bytes: the double with its sign bit flipped (negative: all bits flipped),
//            then, only when |value| >= 2^53 (where doubles cannot hold every integer), 8 more
//            bytes: the integer's exact distance from that double, so large integers and the
//            REALs near them still order exactly. INTEGER 1 and REAL 1.0 encode the same, as
//            they compare equal in SQL.
//   text     0x20, the collation key (NOCASE: ASCII lowercased; RTRIM: trailing spaces removed)
//            with 0x00 written as 0x00 0xFF, then the terminator 0x00 0x01
//   blob     0x30, the bytes escaped the same way, then 0x00 0x01
//
// A DESC column's encoding has every byte inverted. An index entry's key is the encoded columns
// followed by the 8-byte rowid key, which makes every key unique; the original values (whose
// case or type the encoding may have folded) are kept in the entry's value as a record.
#pragma once

#include <string>

#include "systems/sql/value.h"

namespace sfs::sql {

void encode_key_value(const Value& value, Collation collation, bool descending, std::string* out);

}  // namespace sfs::sql
