// The Unicode facts CommonMark needs: UTF-8 decoding around delimiter runs, the "Unicode
// whitespace" and "Unicode punctuation" classes that decide whether a run of * or _ can open or
// close emphasis, and case folding for matching link labels ([Foo] finds [FOO]: and [ẞ] finds
// [SS]:). The tables are generated from the Unicode Character Database by tools/gen_unicode.py.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sfs::markdown {

inline constexpr uint32_t kReplacementCharacter = 0xFFFD;

// The code point that starts at `p` (p < end) and its length in bytes. Malformed UTF-8 decodes as
// one U+FFFD per bad byte.
uint32_t decode_utf8(const char* p, const char* end, int* length);
// The code point that ends right before `p` (begin < p).
uint32_t decode_utf8_before(const char* begin, const char* p);

// Zs, or tab, line feed, form feed, carriage return.
bool is_unicode_whitespace(uint32_t cp);
// ASCII punctuation, or the general categories P* and S*.
bool is_unicode_punctuation(uint32_t cp);

// A link label's matching key: surrounding whitespace removed, inner runs of spaces, tabs and line
// endings collapsed to one space, full Unicode case folding applied. Labels match when their keys
// are equal.
std::string normalize_label(std::string_view label);

// Appends the UTF-8 of `cp`; invalid code points (0, surrogates, > U+10FFFF) become U+FFFD.
void append_utf8(std::string* out, uint32_t cp);
// The same into a buffer of at least 4 bytes; returns the length.
int encode_utf8(uint32_t cp, char* out);

}  // namespace sfs::markdown
