// CRC-64/Jones (Redis's variant): see crc64.h.
#include "core/crc64.h"

#include <array>
#include <cstring>

namespace sfs::core {
namespace {

constexpr uint64_t kReflectedPolynomial = 0x95ac9329ac4bc9b5ULL;

using Tables = std::array<std::array<uint64_t, 256>, 8>;

Tables build_tables() {
  Tables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint64_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ kReflectedPolynomial : crc >> 1;
    t[0][i] = crc;
  }
  // t[k][i] is the CRC of byte i followed by k zero bytes.
  for (int k = 1; k < 8; ++k) {
    for (int i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
  }
  return t;
}

const Tables& tables() {
  static const Tables t = build_tables();
  return t;
}

}  // namespace

uint64_t crc64(uint64_t crc, const void* data, size_t size) {
  const Tables& t = tables();
  const auto* p = static_cast<const unsigned char*>(data);
  while (size >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);  // little-endian host assumed (x86-64, aarch64)
    crc ^= word;
    crc = t[7][crc & 0xff] ^ t[6][(crc >> 8) & 0xff] ^ t[5][(crc >> 16) & 0xff] ^
          t[4][(crc >> 24) & 0xff] ^ t[3][(crc >> 32) & 0xff] ^ t[2][(crc >> 40) & 0xff] ^
          t[1][(crc >> 48) & 0xff] ^ t[0][crc >> 56];
    p += 8;
    size -= 8;
  }
  while (size-- > 0) crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return crc;
}

}  // namespace sfs::core
