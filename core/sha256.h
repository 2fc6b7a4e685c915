// SHA-256 (FIPS 180-4 section 6.2): a 256-bit message digest.
//
// Used where a protocol names SHA-256: Redis's ACL stores and shows a user's passwords as their
// SHA-256 ("#<64 hex digits>" in ACL LIST). The construction is Merkle–Damgård like SHA-1's
// (sha1.h): 64-byte blocks, a 64-word message schedule, eight 32-bit state words and 64 rounds
// with the round constants of section 4.2.2; the last block carries a 0x80 byte, zero padding and
// the message length in bits, big-endian.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/hash_blocks.h"

namespace sfs::core {

class Sha256 {
 public:
  using Digest = std::array<uint8_t, 32>;

  Sha256();
  // Adds bytes to the message. May be called any number of times before finish().
  void update(std::string_view bytes);
  // Pads, processes the last block and returns the digest. The object must not be updated again.
  Digest finish();

 private:
  void process_block(const uint8_t* block);

  uint32_t state_[8];
  HashBlocks blocks_;
};

// The digest of `bytes` in one call.
Sha256::Digest sha256(std::string_view bytes);
// The digest as 64 lowercase hexadecimal digits.
std::string sha256_hex(std::string_view bytes);

}  // namespace sfs::core
