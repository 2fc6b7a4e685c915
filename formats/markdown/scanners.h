// The small grammars that both phases share, each a hand-written scanner over a string_view:
// link labels, destinations and titles (inline links and link reference definitions), raw HTML
// (inline tags, and the start and end conditions of HTML blocks), and autolinks. Each returns how
// far it matched from `pos` (or 0 / false for no match) and never reads outside its input.
//
// Hand-written rather than generated (cmark uses re2c): each rule is a few lines, and the code
// reads like the spec's prose, which is the point of this project.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sfs::markdown {

class Arena;

// [label]: text[pos] == '['. On success returns the position after ']' and sets *inner to the
// text between the brackets (raw, at most 999 bytes, with some non-whitespace). 0 on failure.
size_t scan_link_label(std::string_view text, size_t pos, std::string_view* inner);

// A link destination at text[pos]: <...> or a run without spaces or controls and with balanced
// parentheses. On success returns the end position and sets *raw (brackets stripped, escapes not
// yet decoded). A bare destination may match nothing (end == pos): inline links allow that, link
// reference definitions do not. Returns npos on failure.
size_t scan_link_destination(std::string_view text, size_t pos, std::string_view* raw);

// A link title at text[pos]: "...", '...' or (...). Returns the end position and sets *raw (quotes
// stripped, escapes not decoded), or npos.
size_t scan_link_title(std::string_view text, size_t pos, std::string_view* raw);

// Skips spaces and tabs, at most one line ending, then spaces and tabs again. Returns the new
// position; *saw_line_end tells whether a line ending was crossed.
size_t skip_spaces_and_one_line_end(std::string_view text, size_t pos, bool* saw_line_end = nullptr);

// Backslash escapes and character references decoded. Returns `raw` itself when there is nothing
// to decode; otherwise the decoded copy lives in `arena`.
std::string_view unescape(std::string_view raw, Arena& arena);
// The same, appended to a std::string.
void append_unescaped(std::string_view raw, std::string* out);

// Inline raw HTML at text[pos] == '<': an open tag, closing tag, comment, processing instruction,
// declaration or CDATA section. Returns its length or 0. The searches for "-->", "?>", ">" and
// "]]>" remember when they ran to the end without success, so that a paragraph full of "<!--"
// stays linear; one HtmlScanMemo serves one text.
struct HtmlScanMemo {
  bool no_comment_end = false;
  bool no_pi_end = false;
  bool no_declaration_end = false;
  bool no_cdata_end = false;
};
size_t scan_inline_html(std::string_view text, size_t pos, HtmlScanMemo* memo);

// An HTML block's kind (1-7, as numbered in the spec) if `line` (from its first non-space
// character, without the line ending) starts one; 0 otherwise. Kind 7 cannot interrupt a
// paragraph, so it is only recognised when `may_be_kind_7`.
int html_block_start(std::string_view line, bool may_be_kind_7);
// Whether `line` meets the end condition of an HTML block of kind 1-5.
bool html_block_ends(int kind, std::string_view line);

// <scheme:...> or <user@host> at text[pos] == '<'. Returns the length including the brackets or
// 0; *email tells which.
size_t scan_autolink(std::string_view text, size_t pos, bool* email);

}  // namespace sfs::markdown
