// Byte classes the parsers test in their inner loops, as 256-entry tables (one load and a mask
// per test, no locale, no branches on ranges). Only ASCII is classified here; the Unicode
// classes CommonMark needs for emphasis live in unicode.h.
#pragma once

#include <cstdint>

namespace sfs::markdown::chars {

enum : uint8_t {
  kSpaceTab = 1,     // ' ' '\t'
  kWhitespace = 2,   // ' ' '\t' '\n' '\v' '\f' '\r' (CommonMark's "whitespace character")
  kPunct = 4,        // ASCII punctuation: !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~
  kAlpha = 8,
  kDigit = 16,
  kLineEnd = 32,     // '\n' '\r'
  kHexDigit = 64,
};

struct Table {
  uint8_t bits[256];
  constexpr Table() : bits{} {
    for (int c = 0; c < 256; ++c) {
      uint8_t b = 0;
      if (c == ' ' || c == '\t') b |= kSpaceTab;
      if (c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r') b |= kWhitespace;
      if ((c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
          (c >= '{' && c <= '~'))
        b |= kPunct;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) b |= kAlpha;
      if (c >= '0' && c <= '9') b |= kDigit | kHexDigit;
      if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) b |= kHexDigit;
      if (c == '\n' || c == '\r') b |= kLineEnd;
      bits[c] = b;
    }
  }
};
inline constexpr Table kTable;

inline bool is(char c, uint8_t mask) { return (kTable.bits[static_cast<uint8_t>(c)] & mask) != 0; }
inline bool is_space_tab(char c) { return c == ' ' || c == '\t'; }
inline bool is_line_end(char c) { return c == '\n' || c == '\r'; }
inline bool is_whitespace(char c) { return is(c, kWhitespace); }
inline bool is_punct(char c) { return is(c, kPunct); }
inline bool is_alpha(char c) { return is(c, kAlpha); }
inline bool is_digit(char c) { return is(c, kDigit); }
inline bool is_alnum(char c) { return is(c, kAlpha | kDigit); }
inline bool is_hex_digit(char c) { return is(c, kHexDigit); }
// ASCII control characters and space (what a link destination may not contain).
inline bool is_control_or_space(char c) {
  return static_cast<uint8_t>(c) <= 0x20 || c == 0x7F;
}
inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

}  // namespace sfs::markdown::chars
