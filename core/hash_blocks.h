// The message framing shared by MD5, SHA-1 and SHA-256 (the Merkle–Damgård construction): the
// message is cut into 64-byte blocks, each fed to the hash's compression function; the last
// block carries a 0x80 byte, zero padding and the message length in bits in its final 8 bytes
// (little-endian for MD5, big-endian for the SHA family), spilling into one more block when
// fewer than 9 bytes are left.
//
// HashBlocks holds the partial block between update() calls and does the padding; the hash
// passes its compression function in, so each hash keeps only its state and its rounds:
//
//   void Sha1::update(std::string_view bytes) {
//     blocks_.update(bytes, [this](const uint8_t* block) { process_block(block); });
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace sfs::core {

class HashBlocks {
 public:
  enum class LengthOrder { kLittleEndian, kBigEndian };

  // Calls process(block) for every complete 64-byte block of the message so far.
  template <typename Process>
  void update(std::string_view bytes, Process&& process) {
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
    size_t n = bytes.size();
    total_bytes_ += n;
    if (used_ > 0) {
      size_t take = n < sizeof(block_) - used_ ? n : sizeof(block_) - used_;
      std::memcpy(block_ + used_, p, take);
      used_ += take;
      p += take;
      n -= take;
      if (used_ < sizeof(block_)) return;
      process(static_cast<const uint8_t*>(block_));
      used_ = 0;
    }
    for (; n >= sizeof(block_); p += sizeof(block_), n -= sizeof(block_)) process(p);
    if (n > 0) std::memcpy(block_, p, n);
    used_ = n;
  }

  // Pads the message and processes the final block(s). Call reset() before hashing again.
  template <typename Process>
  void finish(LengthOrder order, Process&& process) {
    uint64_t bit_length = total_bytes_ * 8;
    block_[used_++] = 0x80;
    if (used_ > 56) {
      std::memset(block_ + used_, 0, sizeof(block_) - used_);
      process(static_cast<const uint8_t*>(block_));
      used_ = 0;
    }
    std::memset(block_ + used_, 0, 56 - used_);
    for (int i = 0; i < 8; ++i) {
      int shift = order == LengthOrder::kBigEndian ? 56 - 8 * i : 8 * i;
      block_[56 + i] = static_cast<uint8_t>(bit_length >> shift);
    }
    process(static_cast<const uint8_t*>(block_));
    used_ = 0;
  }

  void reset() {
    used_ = 0;
    total_bytes_ = 0;
  }

 private:
  uint8_t block_[64];
  size_t used_ = 0;
  uint64_t total_bytes_ = 0;
};

}  // namespace sfs::core
