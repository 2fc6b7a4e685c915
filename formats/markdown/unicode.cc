// UTF-8 and the Unicode property tables (see unicode.h). The tables are sorted arrays searched by
// binary search; the ASCII range, which is nearly all real input, never reaches them.
#include "formats/markdown/unicode.h"

#include <algorithm>
#include <iterator>

#include "formats/markdown/chars.h"

namespace sfs::markdown {
namespace {

struct CodePointRange {
  uint32_t first;
  uint32_t last;
};
struct CaseFold {
  uint32_t code_point;
  const char* folded;  // UTF-8
};

#include "formats/markdown/unicode_tables.inc"

template <size_t N>
bool in_ranges(const CodePointRange (&ranges)[N], uint32_t cp) {
  auto it = std::upper_bound(std::begin(ranges), std::end(ranges), cp,
                             [](uint32_t value, const CodePointRange& r) { return value < r.first; });
  if (it == std::begin(ranges)) return false;
  --it;
  return cp <= it->last;
}

}  // namespace

uint32_t decode_utf8(const char* p, const char* end, int* length) {
  auto byte = [](char c) { return static_cast<uint8_t>(c); };
  uint8_t b0 = byte(p[0]);
  *length = 1;
  if (b0 < 0x80) return b0;
  int need;
  uint32_t cp;
  uint32_t min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1, cp = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2, cp = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    return kReplacementCharacter;
  }
  if (end - p <= need) return kReplacementCharacter;
  for (int i = 1; i <= need; ++i) {
    uint8_t b = byte(p[i]);
    if ((b & 0xC0) != 0x80) return kReplacementCharacter;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return kReplacementCharacter;
  *length = need + 1;
  return cp;
}

uint32_t decode_utf8_before(const char* begin, const char* p) {
  if (static_cast<uint8_t>(p[-1]) < 0x80) return static_cast<uint8_t>(p[-1]);
  // Step back over at most three continuation bytes to the lead byte.
  const char* start = p - 1;
  int steps = 0;
  while (start > begin && steps < 3 && (static_cast<uint8_t>(*start) & 0xC0) == 0x80) {
    --start;
    ++steps;
  }
  int length;
  uint32_t cp = decode_utf8(start, p, &length);
  if (start + length != p) return kReplacementCharacter;
  return cp;
}

bool is_unicode_whitespace(uint32_t cp) {
  if (cp < 0x80) return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\f' || cp == '\r';
  return in_ranges(kWhitespaceRanges, cp);
}

bool is_unicode_punctuation(uint32_t cp) {
  if (cp < 0x80) return chars::is_punct(static_cast<char>(cp));
  return in_ranges(kPunctuationRanges, cp);
}

int encode_utf8(uint32_t cp, char* out) {
  if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = kReplacementCharacter;
  if (cp < 0x80) {
    out[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<char>(0xC0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (cp >> 12));
    out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (cp >> 18));
  out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

void append_utf8(std::string* out, uint32_t cp) {
  char buffer[4];
  out->append(buffer, static_cast<size_t>(encode_utf8(cp, buffer)));
}

std::string normalize_label(std::string_view label) {
  std::string key;
  key.reserve(label.size());
  const char* p = label.data();
  const char* end = p + label.size();
  bool pending_space = false;
  while (p < end) {
    char c = *p;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pending_space = !key.empty();
      ++p;
      continue;
    }
    if (pending_space) {
      key.push_back(' ');
      pending_space = false;
    }
    if (static_cast<uint8_t>(c) < 0x80) {
      key.push_back(chars::lower(c));
      ++p;
      continue;
    }
    int length;
    uint32_t cp = decode_utf8(p, end, &length);
    auto it = std::lower_bound(std::begin(kCaseFolds), std::end(kCaseFolds), cp,
                               [](const CaseFold& fold, uint32_t value) { return fold.code_point < value; });
    if (it != std::end(kCaseFolds) && it->code_point == cp) {
      key.append(it->folded);
    } else {
      key.append(p, static_cast<size_t>(length));
    }
    p += length;
  }
  return key;
}

}  // namespace sfs::markdown
