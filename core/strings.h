// Small string helpers that several systems need: strict number parsing, splitting, trimming and
// ASCII case handling. Everything takes and returns std::string_view where it can, so parsing
// code slices its input instead of copying it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sfs::core {

// The whole of `text` as a base-10 integer ("-12"; no spaces, no '+', no trailing junk).
std::optional<int64_t> parse_int64(std::string_view text);
std::optional<uint64_t> parse_uint64(std::string_view text);
// The whole of `text` as a double (strtod syntax, including "inf" and "nan"; no trailing junk).
std::optional<double> parse_double(std::string_view text);

// Splits on every `separator`; "a,,b" gives {"a", "", "b"}; "" gives {""}.
std::vector<std::string_view> split(std::string_view text, char separator);
// Splits on runs of ASCII whitespace, dropping empty pieces.
std::vector<std::string_view> split_whitespace(std::string_view text);
std::string join(const std::vector<std::string>& pieces, std::string_view separator);

// Without leading / trailing ASCII whitespace (space, \t, \r, \n, \v, \f).
std::string_view trim(std::string_view text);

// The value of a hexadecimal digit (0-9, a-f, A-F), or -1 for any other byte.
inline int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
inline char ascii_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }
std::string to_lower(std::string_view text);
std::string to_upper(std::string_view text);
// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b);

// `text` padded with spaces on the right to at least `width` bytes.
std::string pad_right(std::string_view text, size_t width);

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view text);
// Appends the UTF-8 encoding of `code_point` (REQUIRES: a Unicode scalar value).
void append_utf8(std::string* out, uint32_t code_point);

}  // namespace sfs::core
