// SHA-1 (FIPS 180-4, RFC 3174): a 160-bit message digest.
//
// SHA-1 is broken for collision resistance and must not be used to authenticate anything new. It
// is here because protocols fixed it long ago: the WebSocket handshake (RFC 6455 section 4.2.2)
// hashes the client's key with it, and Git names objects by it. The implementation is the plain
// Merkle–Damgård construction: 64-byte blocks, an 80-word message schedule, five 32-bit state
// words; the final block carries a 0x80 byte, zero padding and the message length in bits.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/hash_blocks.h"

namespace sfs::core {

class Sha1 {
 public:
  using Digest = std::array<uint8_t, 20>;

  Sha1();
  // Adds bytes to the message. May be called any number of times before finish().
  void update(std::string_view bytes);
  // Pads, processes the last block and returns the digest. The object must not be updated again.
  Digest finish();

 private:
  void process_block(const uint8_t* block);

  uint32_t state_[5];
  HashBlocks blocks_;
};

// The digest of `bytes` in one call.
Sha1::Digest sha1(std::string_view bytes);
// The digest as 40 lowercase hexadecimal digits.
std::string sha1_hex(std::string_view bytes);

}  // namespace sfs::core
