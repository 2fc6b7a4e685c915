// LZF compression and decompression: see lzf.h for the format.
#include "core/lzf.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace sfs::core {
namespace {

constexpr size_t kHashBits = 14;
constexpr size_t kMaxLiteral = 32;
constexpr size_t kMaxOffset = 8192;
constexpr size_t kMaxMatch = 264;  // 7 + 255 + 2

inline uint32_t hash3(const unsigned char* p) {
  uint32_t v = (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
  return (v * 2654435761u) >> (32 - kHashBits);
}

}  // namespace

size_t lzf_compress(std::string_view input, char* output, size_t capacity) {
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  const size_t n = input.size();
  auto* out = reinterpret_cast<unsigned char*>(output);
  if (n == 0) return 0;
  // Positions + 1 of the last occurrence of each 3-byte prefix (0: none).
  std::vector<uint32_t> table(size_t{1} << kHashBits, 0);
  size_t op = 0;
  size_t literal_start = 0;  // first byte of the pending literal run
  size_t ip = 0;

  // Emits in[literal_start, end) as literal runs of at most 32 bytes. False when out of room.
  auto flush_literals = [&](size_t end) {
    while (literal_start < end) {
      size_t run = std::min(kMaxLiteral, end - literal_start);
      if (op + 1 + run > capacity) return false;
      out[op++] = static_cast<unsigned char>(run - 1);
      std::memcpy(out + op, in + literal_start, run);
      op += run;
      literal_start += run;
    }
    return true;
  };

  while (ip + 2 < n) {
    uint32_t h = hash3(in + ip);
    size_t candidate = table[h];
    table[h] = static_cast<uint32_t>(ip + 1);
    if (candidate > 0) {
      size_t ref = candidate - 1;
      size_t offset = ip - ref - 1;
      if (offset < kMaxOffset && std::memcmp(in + ref, in + ip, 3) == 0) {
        size_t max_len = std::min(kMaxMatch, n - ip);
        size_t len = 3;
        while (len < max_len && in[ref + len] == in[ip + len]) ++len;
        if (!flush_literals(ip)) return 0;
        size_t code = len - 2;
        if (code < 7) {
          if (op + 2 > capacity) return 0;
          out[op++] = static_cast<unsigned char>((code << 5) | (offset >> 8));
        } else {
          if (op + 3 > capacity) return 0;
          out[op++] = static_cast<unsigned char>((7 << 5) | (offset >> 8));
          out[op++] = static_cast<unsigned char>(code - 7);
        }
        out[op++] = static_cast<unsigned char>(offset & 0xff);
        // Index the positions inside the match too (cheaply: the last two), then skip it.
        size_t end = ip + len;
        for (size_t k = std::max(ip + 1, end >= 2 ? end - 2 : 0); k + 2 < n && k < end; ++k) {
          table[hash3(in + k)] = static_cast<uint32_t>(k + 1);
        }
        ip = end;
        literal_start = ip;
        continue;
      }
    }
    ++ip;
  }
  if (!flush_literals(n)) return 0;
  return op;
}

Result<std::string> lzf_decompress(std::string_view input, size_t expected_size) {
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  const size_t n = input.size();
  std::string out;
  out.resize(expected_size);
  size_t op = 0;
  size_t ip = 0;
  while (ip < n) {
    size_t ctrl = in[ip++];
    if (ctrl < 32) {
      size_t run = ctrl + 1;
      if (ip + run > n) return Status::corruption("lzf: literal run past the end of the input");
      if (op + run > expected_size) return Status::corruption("lzf: output longer than expected");
      std::memcpy(out.data() + op, in + ip, run);
      ip += run;
      op += run;
      continue;
    }
    size_t len = ctrl >> 5;
    if (len == 7) {
      if (ip >= n) return Status::corruption("lzf: truncated match length");
      len += in[ip++];
    }
    if (ip >= n) return Status::corruption("lzf: truncated match offset");
    size_t offset = ((ctrl & 0x1f) << 8 | in[ip++]) + 1;
    len += 2;
    if (offset > op) return Status::corruption("lzf: reference before the start of the output");
    if (op + len > expected_size) return Status::corruption("lzf: output longer than expected");
    // Byte by byte: the source may overlap the bytes being written.
    char* dst = out.data() + op;
    const char* src = dst - offset;
    for (size_t k = 0; k < len; ++k) dst[k] = src[k];
    op += len;
  }
  if (op != expected_size) {
    return Status::corruption("lzf: expanded to " + std::to_string(op) + " bytes, expected " +
                              std::to_string(expected_size));
  }
  return out;
}

}  // namespace sfs::core
