// Character references (see entities.h). Named references are looked up by binary search in the
// sorted generated table; they are rare enough in real text that a perfect hash would not pay.
#include "formats/markdown/entities.h"

#include <algorithm>
#include <iterator>

#include "formats/markdown/chars.h"
#include "formats/markdown/unicode.h"

namespace sfs::markdown {
namespace {

struct Entity {
  const char* name;
  const char* utf8;
};

constexpr Entity kEntities[] = {
#include "formats/markdown/entities_table.inc"
};

constexpr size_t kLongestName = 31;  // "CounterClockwiseContourIntegral"

}  // namespace

std::string_view lookup_entity(std::string_view name) {
  auto it = std::lower_bound(std::begin(kEntities), std::end(kEntities), name,
                             [](const Entity& e, std::string_view n) { return std::string_view(e.name) < n; });
  if (it != std::end(kEntities) && std::string_view(it->name) == name) return it->utf8;
  return {};
}

CharacterReference match_character_reference(std::string_view text) {
  CharacterReference ref;
  size_t n = text.size();
  if (n < 3 || text[0] != '&') return ref;
  if (text[1] == '#') {
    size_t i = 2;
    uint32_t cp = 0;
    size_t digits = 0;
    if (i < n && (text[i] == 'x' || text[i] == 'X')) {
      ++i;
      while (i < n && digits < 6 && chars::is_hex_digit(text[i])) {
        char c = text[i];
        int v = c <= '9' ? c - '0' : (chars::lower(c) - 'a' + 10);
        cp = cp * 16 + static_cast<uint32_t>(v);
        ++i, ++digits;
      }
    } else {
      while (i < n && digits < 7 && chars::is_digit(text[i])) {
        cp = cp * 10 + static_cast<uint32_t>(text[i] - '0');
        ++i, ++digits;
      }
    }
    if (digits == 0 || i >= n || text[i] != ';') return ref;
    ref.numeric_length = static_cast<size_t>(encode_utf8(cp, ref.numeric));
    ref.length = i + 1;
    return ref;
  }
  size_t i = 1;
  while (i < n && i <= kLongestName && chars::is_alnum(text[i])) ++i;
  if (i == 1 || i >= n || text[i] != ';') return ref;
  std::string_view decoded = lookup_entity(text.substr(1, i - 1));
  if (decoded.empty()) return ref;
  ref.named = decoded;
  ref.length = i + 1;
  return ref;
}

}  // namespace sfs::markdown
