// Helpers: see util.h.
#include "systems/kv/util.h"

#include <sys/time.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>

namespace sfs::kv {

bool parse_ll(std::string_view text, int64_t* out) {
  size_t n = text.size();
  if (n == 0 || n > 20) return false;
  const char* p = text.data();
  if (n == 1 && p[0] == '0') {
    *out = 0;
    return true;
  }
  bool negative = false;
  size_t i = 0;
  if (p[0] == '-') {
    negative = true;
    i = 1;
    if (n == 1) return false;
  }
  if (p[i] < '1' || p[i] > '9') return false;
  uint64_t v = 0;
  for (; i < n; ++i) {
    if (p[i] < '0' || p[i] > '9') return false;
    uint64_t digit = static_cast<uint64_t>(p[i] - '0');
    if (v > (UINT64_MAX - digit) / 10) return false;
    v = v * 10 + digit;
  }
  if (negative) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

bool parse_double_strict(std::string_view text, double* out) {
  if (text.empty() || text.size() > 5000) return false;
  if (std::isspace(static_cast<unsigned char>(text[0]))) return false;
  std::string copy(text);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || std::isnan(v)) return false;
  if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || v == 0)) return false;
  *out = v;
  return true;
}

bool parse_long_double(std::string_view text, long double* out) {
  if (text.empty() || text.size() > 5000) return false;
  if (std::isspace(static_cast<unsigned char>(text[0]))) return false;
  std::string copy(text);
  char* end = nullptr;
  errno = 0;
  long double v = std::strtold(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || std::isnan(v) || errno == ERANGE) return false;
  *out = v;
  return true;
}

size_t format_ll(int64_t value, char* buf) {
  auto [p, ec] = std::to_chars(buf, buf + 21, value);
  (void)ec;
  return static_cast<size_t>(p - buf);
}

std::string ll_to_string(int64_t value) {
  char buf[24];
  return std::string(buf, format_ll(value, buf));
}

namespace {

char fold(char c, bool nocase) {
  return nocase && c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

// Recursive matcher with a depth guard (a pattern of many stars cannot recurse without bound: each
// star tries the rest of the text, and the depth is at most the number of stars).
bool match(const char* p, const char* pe, const char* s, const char* se, bool nocase, int depth) {
  if (depth > 1000) return false;
  while (p < pe) {
    switch (*p) {
      case '*':
        while (p + 1 < pe && p[1] == '*') ++p;
        if (p + 1 == pe) return true;
        for (const char* t = s; t <= se; ++t) {
          if (match(p + 1, pe, t, se, nocase, depth + 1)) return true;
        }
        return false;
      case '?':
        if (s >= se) return false;
        ++s;
        break;
      case '[': {
        if (s >= se) return false;
        ++p;
        bool negate = false;
        if (p < pe && *p == '^') {
          negate = true;
          ++p;
        }
        bool matched = false;
        while (p < pe && *p != ']') {
          if (*p == '\\' && p + 1 < pe) {
            ++p;
            if (fold(*p, nocase) == fold(*s, nocase)) matched = true;
          } else if (p + 2 < pe && p[1] == '-' && p[2] != ']') {
            char lo = fold(p[0], nocase), hi = fold(p[2], nocase);
            if (lo > hi) std::swap(lo, hi);
            char c = fold(*s, nocase);
            if (c >= lo && c <= hi) matched = true;
            p += 2;
          } else if (fold(*p, nocase) == fold(*s, nocase)) {
            matched = true;
          }
          ++p;
        }
        if (p >= pe) --p;  // unterminated class: treat the end as its close
        if (negate) matched = !matched;
        if (!matched) return false;
        ++s;
        break;
      }
      case '\\':
        if (p + 1 < pe) ++p;
        [[fallthrough]];
      default:
        if (s >= se || fold(*p, nocase) != fold(*s, nocase)) return false;
        ++s;
        break;
    }
    ++p;
  }
  return s == se;
}

uint64_t make_seed() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ 0x9e3779b97f4a7c15ULL;
}

const uint64_t kSeed = make_seed();

inline uint64_t mix(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text, bool nocase) {
  return match(pattern.data(), pattern.data() + pattern.size(), text.data(),
               text.data() + text.size(), nocase, 0);
}

uint64_t hash_bytes(std::string_view data) {
  // A multiply-fold hash in the style of wyhash: 8 bytes per step, each folded through a 128-bit
  // product with the seed-derived constants.
  constexpr uint64_t k1 = 0xa0761d6478bd642fULL, k2 = 0xe7037ed1a0b428dbULL;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  uint64_t h = kSeed ^ (n * k1);
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = mix(h ^ w, k2);
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  for (size_t i = 0; i < n; ++i) tail |= static_cast<uint64_t>(p[i]) << (8 * i);
  h = mix(h ^ tail ^ k1, k2 ^ n);
  return mix(h, k1);
}

int64_t now_ms() { return now_us() / 1000; }

int64_t now_us() {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  return static_cast<int64_t>(tv.tv_sec) * 1000000 + tv.tv_usec;
}

void append_repr(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (unsigned char ch : s) {
    switch (ch) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      default:
        if (ch >= 0x20 && ch < 0x7f) {
          out += static_cast<char>(ch);
        } else {
          out += "\\x";
          out += kHex[ch >> 4];
          out += kHex[ch & 15];
        }
    }
  }
  out += '"';
}

}  // namespace sfs::kv
