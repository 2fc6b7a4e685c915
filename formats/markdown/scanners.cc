// Shared scanners (see scanners.h for the contracts; the rules are quoted from CommonMark 0.31.2).
#include "formats/markdown/scanners.h"

#include <cstring>

#include "formats/markdown/arena.h"
#include "formats/markdown/chars.h"
#include "formats/markdown/entities.h"

namespace sfs::markdown {
namespace {

constexpr size_t npos = std::string_view::npos;
constexpr size_t kMaxLabelLength = 999;
// "Implementations may impose limits on parentheses nesting to avoid performance issues, but at
// least three levels of nesting should be supported." cmark allows 32; so do we.
constexpr int kMaxParenDepth = 32;

bool is_escapable(std::string_view text, size_t i) {
  return i + 1 < text.size() && text[i] == '\\' && chars::is_punct(text[i + 1]);
}

bool starts_with_ci(std::string_view text, size_t pos, std::string_view word) {
  if (text.size() - pos < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (chars::lower(text[pos + i]) != word[i]) return false;
  }
  return true;
}

// A case-insensitive search for `needle` (lowercase ASCII) in `text`.
bool contains_ci(std::string_view text, std::string_view needle) {
  if (text.size() < needle.size()) return false;
  for (size_t i = 0; i + needle.size() <= text.size(); ++i) {
    if (text[i] == needle[0] && starts_with_ci(text, i, needle)) return true;
  }
  return false;
}

bool is_tag_name_char(char c) { return chars::is_alnum(c) || c == '-'; }

// tag name: an ASCII letter followed by letters, digits or '-'. Returns the end or pos.
size_t scan_tag_name(std::string_view text, size_t pos) {
  if (pos >= text.size() || !chars::is_alpha(text[pos])) return pos;
  ++pos;
  while (pos < text.size() && is_tag_name_char(text[pos])) ++pos;
  return pos;
}

size_t skip_whitespace(std::string_view text, size_t pos) {
  while (pos < text.size() && chars::is_whitespace(text[pos])) ++pos;
  return pos;
}

// An open tag's attributes and closing "/>" or ">", from just after the tag name. Returns the
// position after '>' or npos.
size_t scan_tag_rest(std::string_view text, size_t pos) {
  size_t n = text.size();
  for (;;) {
    size_t after_space = skip_whitespace(text, pos);
    if (after_space >= n) return npos;
    char c = text[after_space];
    if (c == '>') return after_space + 1;
    if (c == '/') return (after_space + 1 < n && text[after_space + 1] == '>') ? after_space + 2 : npos;
    // An attribute needs whitespace before it.
    if (after_space == pos) return npos;
    if (!(chars::is_alpha(c) || c == '_' || c == ':')) return npos;
    pos = after_space + 1;
    while (pos < n && (chars::is_alnum(text[pos]) || text[pos] == '_' || text[pos] == '.' ||
                       text[pos] == ':' || text[pos] == '-'))
      ++pos;
    // Optional value specification.
    size_t eq = skip_whitespace(text, pos);
    if (eq < n && text[eq] == '=') {
      size_t v = skip_whitespace(text, eq + 1);
      if (v >= n) return npos;
      char q = text[v];
      if (q == '"' || q == '\'') {
        const void* close = std::memchr(text.data() + v + 1, q, n - v - 1);
        if (!close) return npos;
        pos = static_cast<size_t>(static_cast<const char*>(close) - text.data()) + 1;
      } else {
        size_t start = v;
        while (v < n && !chars::is_whitespace(text[v]) && text[v] != '"' && text[v] != '\'' &&
               text[v] != '=' && text[v] != '<' && text[v] != '>' && text[v] != '`')
          ++v;
        if (v == start) return npos;
        pos = v;
      }
    }
  }
}

size_t find(std::string_view text, size_t pos, std::string_view needle) {
  size_t at = text.find(needle, pos);
  return at == npos ? npos : at + needle.size();
}

}  // namespace

size_t scan_link_label(std::string_view text, size_t pos, std::string_view* inner) {
  size_t n = text.size();
  if (pos >= n || text[pos] != '[') return 0;
  size_t i = pos + 1;
  bool has_content = false;
  while (i < n && i - pos - 1 <= kMaxLabelLength) {
    char c = text[i];
    if (c == '\\' && is_escapable(text, i)) {
      has_content = true;
      i += 2;
      continue;
    }
    if (c == '[') return 0;
    if (c == ']') {
      if (!has_content || i - pos - 1 > kMaxLabelLength) return 0;
      *inner = text.substr(pos + 1, i - pos - 1);
      return i + 1;
    }
    if (!chars::is_whitespace(c)) has_content = true;
    ++i;
  }
  return 0;
}

size_t scan_link_destination(std::string_view text, size_t pos, std::string_view* raw) {
  size_t n = text.size();
  if (pos < n && text[pos] == '<') {
    size_t i = pos + 1;
    while (i < n) {
      char c = text[i];
      if (c == '\\' && is_escapable(text, i)) {
        i += 2;
        continue;
      }
      if (c == '>') {
        *raw = text.substr(pos + 1, i - pos - 1);
        return i + 1;
      }
      if (c == '<' || c == '\n' || c == '\r') return npos;
      ++i;
    }
    return npos;
  }
  size_t i = pos;
  int depth = 0;
  while (i < n) {
    char c = text[i];
    if (c == '\\' && is_escapable(text, i)) {
      i += 2;
      continue;
    }
    if (c == '(') {
      if (++depth > kMaxParenDepth) return npos;
    } else if (c == ')') {
      if (depth == 0) break;
      --depth;
    } else if (chars::is_control_or_space(c)) {
      break;
    }
    ++i;
  }
  if (depth != 0) return npos;
  *raw = text.substr(pos, i - pos);
  return i;
}

size_t scan_link_title(std::string_view text, size_t pos, std::string_view* raw) {
  size_t n = text.size();
  if (pos >= n) return npos;
  char open = text[pos];
  char close;
  if (open == '"' || open == '\'') {
    close = open;
  } else if (open == '(') {
    close = ')';
  } else {
    return npos;
  }
  size_t i = pos + 1;
  while (i < n) {
    char c = text[i];
    if (c == '\\' && is_escapable(text, i)) {
      i += 2;
      continue;
    }
    if (c == close) {
      *raw = text.substr(pos + 1, i - pos - 1);
      return i + 1;
    }
    if (open == '(' && c == '(') return npos;
    ++i;
  }
  return npos;
}

size_t skip_spaces_and_one_line_end(std::string_view text, size_t pos, bool* saw_line_end) {
  size_t n = text.size();
  while (pos < n && chars::is_space_tab(text[pos])) ++pos;
  bool line_end = false;
  if (pos < n && text[pos] == '\r') {
    ++pos;
    line_end = true;
    if (pos < n && text[pos] == '\n') ++pos;
  } else if (pos < n && text[pos] == '\n') {
    ++pos;
    line_end = true;
  }
  if (line_end) {
    while (pos < n && chars::is_space_tab(text[pos])) ++pos;
  }
  if (saw_line_end) *saw_line_end = line_end;
  return pos;
}

void append_unescaped(std::string_view raw, std::string* out) {
  size_t i = 0;
  size_t n = raw.size();
  while (i < n) {
    size_t run = i;
    while (run < n && raw[run] != '\\' && raw[run] != '&') ++run;
    out->append(raw.data() + i, run - i);
    i = run;
    if (i >= n) break;
    if (raw[i] == '\\') {
      if (is_escapable(raw, i)) {
        out->push_back(raw[i + 1]);
        i += 2;
      } else {
        out->push_back('\\');
        ++i;
      }
      continue;
    }
    CharacterReference ref = match_character_reference(raw.substr(i));
    if (ref.length) {
      out->append(ref.decoded());
      i += ref.length;
    } else {
      out->push_back('&');
      ++i;
    }
  }
}

std::string_view unescape(std::string_view raw, Arena& arena) {
  bool plain = true;
  for (char c : raw) {
    if (c == '\\' || c == '&') {
      plain = false;
      break;
    }
  }
  if (plain) return raw;
  std::string out;
  out.reserve(raw.size());
  append_unescaped(raw, &out);
  return arena.copy(out);
}

size_t scan_inline_html(std::string_view text, size_t pos, HtmlScanMemo* memo) {
  size_t n = text.size();
  if (pos + 1 >= n || text[pos] != '<') return 0;
  char c = text[pos + 1];
  if (chars::is_alpha(c)) {
    size_t end = scan_tag_rest(text, scan_tag_name(text, pos + 1));
    return end == npos ? 0 : end - pos;
  }
  if (c == '/') {
    size_t name_end = scan_tag_name(text, pos + 2);
    if (name_end == pos + 2) return 0;
    size_t i = skip_whitespace(text, name_end);
    return (i < n && text[i] == '>') ? i + 1 - pos : 0;
  }
  if (c == '?') {
    if (memo->no_pi_end) return 0;
    size_t end = find(text, pos + 2, "?>");
    if (end == npos) {
      memo->no_pi_end = true;
      return 0;
    }
    return end - pos;
  }
  if (c != '!') return 0;
  if (text.substr(pos).starts_with("<!--")) {
    // <!--> and <!---> are comments too (0.31).
    if (text.substr(pos).starts_with("<!-->")) return 5;
    if (text.substr(pos).starts_with("<!--->")) return 6;
    if (memo->no_comment_end) return 0;
    size_t end = find(text, pos + 4, "-->");
    if (end == npos) {
      memo->no_comment_end = true;
      return 0;
    }
    return end - pos;
  }
  if (text.substr(pos).starts_with("<![CDATA[")) {
    if (memo->no_cdata_end) return 0;
    size_t end = find(text, pos + 9, "]]>");
    if (end == npos) {
      memo->no_cdata_end = true;
      return 0;
    }
    return end - pos;
  }
  if (pos + 2 < n && chars::is_alpha(text[pos + 2])) {
    if (memo->no_declaration_end) return 0;
    size_t end = find(text, pos + 3, ">");
    if (end == npos) {
      memo->no_declaration_end = true;
      return 0;
    }
    return end - pos;
  }
  return 0;
}

namespace {

// Kind 6: the block-level tag names of the spec (0.31.2), sorted.
constexpr std::string_view kBlockTags[] = {
    "address", "article", "aside", "base", "basefont", "blockquote", "body", "caption", "center",
    "col", "colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5",
    "h6", "head", "header", "hr", "html", "iframe", "legend", "li", "link", "main", "menu",
    "menuitem", "nav", "noframes", "ol", "optgroup", "option", "p", "param", "search", "section",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "track", "ul"};

bool is_block_tag(std::string_view name) {
  if (name.size() > 10) return false;
  char lower[16];
  for (size_t i = 0; i < name.size(); ++i) lower[i] = chars::lower(name[i]);
  std::string_view key(lower, name.size());
  size_t lo = 0, hi = std::size(kBlockTags);
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (kBlockTags[mid] < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < std::size(kBlockTags) && kBlockTags[lo] == key;
}

bool is_kind1_tag(std::string_view name) {
  if (name.size() < 3 || name.size() > 8) return false;
  char lower[8];
  for (size_t i = 0; i < name.size(); ++i) lower[i] = chars::lower(name[i]);
  std::string_view key(lower, name.size());
  return key == "pre" || key == "script" || key == "style" || key == "textarea";
}

}  // namespace

int html_block_start(std::string_view line, bool may_be_kind_7) {
  size_t n = line.size();
  if (n < 2 || line[0] != '<') return 0;
  char c = line[1];
  if (c == '!') {
    if (line.starts_with("<!--")) return 2;
    if (line.starts_with("<![CDATA[")) return 5;
    if (n > 2 && chars::is_alpha(line[2])) return 4;
    return 0;
  }
  if (c == '?') return 3;
  bool closing = c == '/';
  size_t name_start = closing ? 2 : 1;
  size_t name_end = scan_tag_name(line, name_start);
  if (name_end == name_start) return 0;
  std::string_view name = line.substr(name_start, name_end - name_start);
  char after = name_end < n ? line[name_end] : '\n';
  bool boundary = after == ' ' || after == '\t' || after == '\n' || after == '\r' || after == '>';
  if (!closing && is_kind1_tag(name) && boundary) return 1;
  if (is_block_tag(name) &&
      (boundary || (after == '/' && name_end + 1 < n && line[name_end + 1] == '>')))
    return 6;
  // The spec excludes pre, script, style and textarea from kind 7; open tags with those names
  // are kind 1 anyway, and a lone closing tag like "</pre>" is kind 7 in both reference
  // implementations (cmark, commonmark.js), which we follow.
  if (!may_be_kind_7 || (!closing && is_kind1_tag(name))) return 0;
  // Kind 7: a complete open or closing tag, then only whitespace to the end of the line.
  size_t end;
  if (closing) {
    size_t i = name_end;
    while (i < n && chars::is_space_tab(line[i])) ++i;
    if (i >= n || line[i] != '>') return 0;
    end = i + 1;
  } else {
    end = scan_tag_rest(line, name_end);
    if (end == npos) return 0;
  }
  while (end < n && chars::is_whitespace(line[end])) ++end;
  return end == n ? 7 : 0;
}

bool html_block_ends(int kind, std::string_view line) {
  switch (kind) {
    case 1:
      return contains_ci(line, "</pre>") || contains_ci(line, "</script>") ||
             contains_ci(line, "</style>") || contains_ci(line, "</textarea>");
    case 2:
      return line.find("-->") != npos;
    case 3:
      return line.find("?>") != npos;
    case 4:
      return line.find('>') != npos;
    case 5:
      return line.find("]]>") != npos;
    default:
      return false;
  }
}

size_t scan_autolink(std::string_view text, size_t pos, bool* email) {
  size_t n = text.size();
  size_t i = pos + 1;
  // URI: scheme (2-32 chars: a letter, then letters, digits, '+', '.', '-'), ':', then anything
  // but controls, space, '<' and '>'.
  if (i < n && chars::is_alpha(text[i])) {
    size_t s = i + 1;
    while (s < n && s - i < 33 && (chars::is_alnum(text[s]) || text[s] == '+' || text[s] == '.' || text[s] == '-'))
      ++s;
    size_t scheme_length = s - i;
    if (s < n && text[s] == ':' && scheme_length >= 2 && scheme_length <= 32) {
      size_t j = s + 1;
      while (j < n && !chars::is_control_or_space(text[j]) && text[j] != '<' && text[j] != '>') ++j;
      if (j < n && text[j] == '>') {
        *email = false;
        return j + 1 - pos;
      }
      return 0;
    }
  }
  // Email: the HTML5 "valid e-mail address" grammar.
  auto local_char = [](char c) {
    return chars::is_alnum(c) || (c != '\0' && std::strchr(".!#$%&'*+/=?^_`{|}~-", c) != nullptr);
  };
  size_t j = i;
  while (j < n && local_char(text[j])) ++j;
  if (j == i || j >= n || text[j] != '@') return 0;
  ++j;
  for (;;) {
    // A label: alnum, then up to 61 alnum or '-', ending in alnum.
    size_t label_start = j;
    if (j >= n || !chars::is_alnum(text[j])) return 0;
    while (j < n && j - label_start < 63 && (chars::is_alnum(text[j]) || text[j] == '-')) ++j;
    if (text[j - 1] == '-') return 0;
    if (j < n && text[j] == '.') {
      ++j;
      continue;
    }
    if (j < n && text[j] == '>') {
      *email = true;
      return j + 1 - pos;
    }
    return 0;
  }
}

}  // namespace sfs::markdown
