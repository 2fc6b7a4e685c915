// Byte-order helpers for the on-disk formats: fixed-width big-endian integers and varints.
//
// Fixed-width fields in pages and log headers are big-endian, so a hex dump reads naturally.
// Varints are unsigned LEB128: seven bits per byte, least significant group first, high bit set
// on every byte but the last (1 byte below 128, at most 10 bytes for 64 bits). Every decoder
// takes the end of its buffer and reports malformed input instead of reading past it, because
// pages come from disk and the disk may hold anything.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace sfs::sql {

inline uint16_t get_u16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t get_u32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | p[3];
}
inline uint64_t get_u64(const uint8_t* p) {
  return (static_cast<uint64_t>(get_u32(p)) << 32) | get_u32(p + 4);
}
inline void put_u16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void put_u32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
inline void put_u64(uint8_t* p, uint64_t v) {
  put_u32(p, static_cast<uint32_t>(v >> 32));
  put_u32(p + 4, static_cast<uint32_t>(v));
}

// Bytes put_varint() writes for `v`.
inline size_t varint_size(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
// Writes `v` at `p` (room for 10 bytes); returns the bytes written.
inline size_t put_varint(uint8_t* p, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  p[n++] = static_cast<uint8_t>(v);
  return n;
}
inline void append_varint(std::string* out, uint64_t v) {
  uint8_t buf[10];
  out->append(reinterpret_cast<const char*>(buf), put_varint(buf, v));
}
// Reads a varint from [p, end); returns the bytes used, or 0 when it is truncated or too long.
inline size_t get_varint(const uint8_t* p, const uint8_t* end, uint64_t* v) {
  if (p < end && p[0] < 0x80) {  // the common one-byte case
    *v = p[0];
    return 1;
  }
  uint64_t result = 0;
  for (size_t i = 0; i < 10; ++i) {
    if (p + i >= end) return 0;
    uint8_t b = p[i];
    result |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if (b < 0x80) {
      *v = result;
      return i + 1;
    }
  }
  return 0;
}

}  // namespace sfs::sql
