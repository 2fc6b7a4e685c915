// CRC-64 as Redis uses it for RDB file checksums and DUMP payloads: the "Jones" polynomial
// (0xad93d23594c935a9), bit-reflected input and output, initial value 0, no final XOR. The check
// value, crc64 of "123456789", is 0xe9c6d914c4b8d9ca.
//
// How: the reflected form of the polynomial (0x95ac9329ac4bc9b5) drives a table-driven CRC. Eight
// tables let the loop fold eight input bytes per step ("slicing-by-8", Intel's 2008 paper), which
// matters when a snapshot of a few gigabytes is checksummed as it is written.
//
// Incremental use: crc = crc64(0, a); crc = crc64(crc, b) equals crc64(0, a + b).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sfs::core {

// Extends `crc` over `data`. Thread-safe (the tables are built once, on first use).
uint64_t crc64(uint64_t crc, const void* data, size_t size);
inline uint64_t crc64(uint64_t crc, std::string_view data) {
  return crc64(crc, data.data(), data.size());
}

}  // namespace sfs::core
