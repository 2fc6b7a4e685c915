// Base64: see base64.h.
#include "core/base64.h"

#include <cstdint>

namespace sfs::core {
namespace {

constexpr char kStandard[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(std::string_view bytes, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<uint8_t>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = byte(i) << 16;
    if (rest == 2) v |= byte(i + 1) << 8;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (rest == 2) out.push_back(alphabet[(v >> 6) & 63]);
    if (pad) out.append(rest == 1 ? "==" : "=");
  }
  return out;
}

int value_of(char c, bool url) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == (url ? '-' : '+')) return 62;
  if (c == (url ? '_' : '/')) return 63;
  return -1;
}

Result<std::string> decode(std::string_view text, bool url, bool padding_required) {
  size_t length = text.size();
  size_t padding = 0;
  while (padding < 2 && length > 0 && text[length - 1] == '=') {
    --length;
    ++padding;
  }
  if (padding_required && text.size() % 4 != 0) {
    return Status::invalid_argument("base64: length " + std::to_string(text.size()) +
                                    " is not a multiple of 4");
  }
  if (padding > 0 && text.size() % 4 != 0) {
    return Status::invalid_argument("base64: padding on a length that is not a multiple of 4");
  }
  if (length % 4 == 1) return Status::invalid_argument("base64: truncated input");
  std::string out;
  out.reserve(length / 4 * 3 + 2);
  uint32_t accumulator = 0;
  int bits = 0;
  for (size_t i = 0; i < length; ++i) {
    int v = value_of(text[i], url);
    if (v < 0) {
      return Status::invalid_argument("base64: invalid character at offset " + std::to_string(i));
    }
    accumulator = (accumulator << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((accumulator >> bits) & 0xFF));
    }
  }
  if (bits > 0 && (accumulator & ((1u << bits) - 1)) != 0) {
    return Status::invalid_argument("base64: non-zero trailing bits");
  }
  // With padding, the count of '=' must match what the data length implies.
  if (padding > 0 && padding != (4 - length % 4) % 4) {
    return Status::invalid_argument("base64: wrong amount of padding");
  }
  return out;
}

}  // namespace

std::string base64_encode(std::string_view bytes) { return encode(bytes, kStandard, true); }
std::string base64url_encode(std::string_view bytes, bool pad) { return encode(bytes, kUrl, pad); }
Result<std::string> base64_decode(std::string_view text) { return decode(text, false, true); }
Result<std::string> base64url_decode(std::string_view text) { return decode(text, true, false); }

}  // namespace sfs::core
