// MD5 message digest (RFC 1321): 128-bit hashes for checksums and test fixtures.
//
// MD5 is broken as a cryptographic hash (collisions are cheap to make), so nothing in sfs uses it
// for security. It is here because formats and test suites specify it: sqllogictest hashes large
// query results with MD5, and so does anything that has to agree with `md5sum`.
//
//   core::Md5 md5;
//   md5.update("hello ");
//   md5.update("world");
//   std::string hex = md5.hex_digest();   // "5eb63bbbe01eeed093cb22bb8f5acdc3"
//
// Streaming: update() takes the message in pieces of any size; the 64-byte block buffer carries
// what does not fill a block. finish() pads (a 1 bit, zeros, the bit length little-endian) and
// yields the digest; the object may then be reset() and reused.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/hash_blocks.h"

namespace sfs::core {

class Md5 {
 public:
  Md5() { reset(); }

  void reset();
  void update(std::string_view data);
  // The 16-byte digest of everything passed to update(). REQUIRES: not finished since reset().
  std::array<uint8_t, 16> finish();
  // finish() as 32 lowercase hex digits.
  std::string hex_digest();

 private:
  void process_block(const uint8_t* block);

  std::array<uint32_t, 4> state_;
  HashBlocks blocks_;
};

// The MD5 of `data` as 32 lowercase hex digits.
std::string md5_hex(std::string_view data);

}  // namespace sfs::core
