// Phase 2: inline structure (see inline_parser.h; rules from CommonMark 0.31.2 "Inlines" and the
// appendix "A parsing strategy", and GFM 0.29 strikethrough).
#include "formats/markdown/inline_parser.h"

#include <cstring>

#include "formats/markdown/arena.h"
#include "formats/markdown/chars.h"
#include "formats/markdown/entities.h"
#include "formats/markdown/tree.h"
#include "formats/markdown/unicode.h"

namespace sfs::markdown {
namespace {

constexpr size_t npos = std::string_view::npos;
constexpr size_t kMaxLabelLength = 999;

struct SpecialBytes {
  bool commonmark[256] = {};
  bool gfm[256] = {};
  constexpr SpecialBytes() {
    for (unsigned char c : std::string_view("\n\r\\`*_[]!&<")) commonmark[c] = gfm[c] = true;
    gfm[static_cast<unsigned char>('~')] = true;
  }
};
constexpr SpecialBytes kSpecial;

bool needs_inlines(NodeType type) {
  return type == NodeType::kParagraph || type == NodeType::kHeading || type == NodeType::kTableCell;
}

}  // namespace

InlineParser::InlineParser(const Options& options, Arena& arena, const ReferenceMap& refs)
    : options_(options), arena_(arena), refs_(refs),
      special_(options.gfm ? kSpecial.gfm : kSpecial.commonmark) {}

void InlineParser::parse_all(Node* root) {
  // Depth-first over blocks, without recursion.
  Node* node = root;
  while (node) {
    if (needs_inlines(node->type_)) {
      std::string_view text = node->literal_;
      node->literal_ = {};
      parse(node, text);
    } else if (node->first_child_ && node->first_child_->is_block()) {
      node = node->first_child_;
      continue;
    }
    while (node && node != root && !node->next_) node = node->parent_;
    if (!node || node == root) break;
    node = node->next_;
  }
}

void InlineParser::parse(Node* block, std::string_view text) {
  text_ = text;
  pos_ = 0;
  run_start_ = 0;
  block_ = block;
  delimiters_.clear();
  delimiter_top_ = -1;
  brackets_.clear();
  backtick_positions_.clear();
  backticks_scanned_ = false;
  html_memo_ = HtmlScanMemo{};

  const char* data = text.data();
  size_t n = text.size();
  const bool* special = special_;
  while (pos_ < n) {
    size_t p = pos_;
    while (p < n && !special[static_cast<unsigned char>(data[p])]) ++p;
    pos_ = p;
    if (p >= n) break;
    switch (data[p]) {
      case '\n':
      case '\r':
        handle_line_end();
        break;
      case '\\':
        handle_backslash();
        break;
      case '`':
        handle_backticks();
        break;
      case '*':
      case '_':
      case '~':
        handle_delimiter_run();
        break;
      case '[':
        handle_open_bracket(false);
        break;
      case '!':
        if (p + 1 < n && data[p + 1] == '[') {
          handle_open_bracket(true);
        } else {
          ++pos_;
        }
        break;
      case ']':
        handle_close_bracket();
        break;
      case '&':
        handle_entity();
        break;
      case '<':
        handle_angle_bracket();
        break;
      default:
        ++pos_;
        break;
    }
  }
  flush_text(n);
  process_emphasis(-1);
  finish(block);
}

// ---------------------------------------------------------------------------------------------
// Nodes.

Node* InlineParser::append(NodeType type) {
  Node* node = arena_.new_node(type);
  Tree::append_child(block_, node);
  return node;
}

Node* InlineParser::append_text(std::string_view text) {
  Node* node = append(NodeType::kText);
  node->literal_ = text;
  return node;
}

void InlineParser::flush_text(size_t end) {
  if (end > run_start_) append_text(text_.substr(run_start_, end - run_start_));
  run_start_ = end;
}

// ---------------------------------------------------------------------------------------------
// Handlers. Each starts at text_[pos_] and leaves pos_ after what it consumed. A handler that
// finds only literal text advances pos_ and leaves run_start_ alone, so the text run goes on.

void InlineParser::handle_line_end() {
  size_t p = pos_;
  // Two or more spaces before the line ending make a hard break; trailing whitespace (spaces,
  // tabs, form feeds, as cmark trims it) is dropped either way.
  bool hard = p >= 2 && text_[p - 1] == ' ' && text_[p - 2] == ' ';
  size_t end = p;
  while (end > run_start_ && (chars::is_space_tab(text_[end - 1]) || text_[end - 1] == '\f' || text_[end - 1] == '\v')) --end;
  flush_text(end);
  append(hard ? NodeType::kLineBreak : NodeType::kSoftBreak);
  size_t i = p + 1;
  if (text_[p] == '\r' && i < text_.size() && text_[i] == '\n') ++i;
  while (i < text_.size() && chars::is_space_tab(text_[i])) ++i;
  pos_ = run_start_ = i;
}

void InlineParser::handle_backslash() {
  size_t p = pos_;
  size_t n = text_.size();
  if (p + 1 < n && chars::is_line_end(text_[p + 1])) {
    // A backslash hard break. Unlike after a soft or two-space break, the next line's leading
    // spaces are not skipped here (cmark does not either); they are gone anyway unless the line
    // was a lazy continuation line, which keeps its indentation.
    flush_text(p);
    append(NodeType::kLineBreak);
    size_t i = p + 1;
    if (text_[i] == '\r' && i + 1 < n && text_[i + 1] == '\n') ++i;
    pos_ = run_start_ = i + 1;
    return;
  }
  if (p + 1 < n && chars::is_punct(text_[p + 1])) {
    // Drop the backslash; the escaped character starts the next text run, and pos_ skips it so
    // it is never special.
    flush_text(p);
    run_start_ = p + 1;
    pos_ = p + 2;
    return;
  }
  ++pos_;
}

size_t InlineParser::find_closing_backticks(size_t from, size_t length) {
  // Openers come in increasing positions. Once a scan has reached the end of the text, every
  // run after any later opener has been recorded, so a length never seen after `from` fails at
  // once; a successful scan consumes what it scanned. Either way each byte is scanned O(1) times.
  if (backticks_scanned_ && (length >= backtick_positions_.size() || backtick_positions_[length] < from)) {
    return npos;
  }
  size_t n = text_.size();
  const char* data = text_.data();
  size_t i = from;
  while (i < n) {
    const void* hit = std::memchr(data + i, '`', n - i);
    if (!hit) break;
    size_t start = static_cast<size_t>(static_cast<const char*>(hit) - data);
    size_t end = start;
    while (end < n && data[end] == '`') ++end;
    size_t run = end - start;
    if (run >= backtick_positions_.size()) backtick_positions_.resize(run + 1, 0);
    backtick_positions_[run] = start;
    if (run == length) return start;
    i = end;
  }
  backticks_scanned_ = true;
  return npos;
}

void InlineParser::handle_backticks() {
  size_t p = pos_;
  size_t n = text_.size();
  size_t open_end = p;
  while (open_end < n && text_[open_end] == '`') ++open_end;
  size_t length = open_end - p;
  size_t close = find_closing_backticks(open_end, length);
  if (close == npos) {
    pos_ = open_end;  // literal backticks
    return;
  }
  flush_text(p);
  std::string_view content = text_.substr(open_end, close - open_end);
  // Line endings become spaces; then one space is stripped from each side if both sides have
  // one and the content is not all spaces.
  bool has_line_end = content.find_first_of("\r\n") != npos;
  std::string_view result = content;
  if (has_line_end) {
    char* out = arena_.allocate(content.size());
    size_t k = 0;
    for (size_t i = 0; i < content.size(); ++i) {
      char c = content[i];
      if (c == '\r') {
        out[k++] = ' ';
        if (i + 1 < content.size() && content[i + 1] == '\n') ++i;
      } else if (c == '\n') {
        out[k++] = ' ';
      } else {
        out[k++] = c;
      }
    }
    result = std::string_view(out, k);
  }
  if (result.size() >= 2 && result.front() == ' ' && result.back() == ' ' &&
      result.find_first_not_of(' ') != npos) {
    result = result.substr(1, result.size() - 2);
  }
  Node* code = append(NodeType::kCode);
  code->literal_ = result;
  pos_ = run_start_ = close + length;
}

void InlineParser::handle_delimiter_run() {
  size_t p = pos_;
  size_t n = text_.size();
  char c = text_[p];
  size_t q = p;
  while (q < n && text_[q] == c) ++q;
  int length = static_cast<int>(q - p);
  if (c == '~' && length > 2) {
    pos_ = q;  // GFM strikethrough uses runs of one or two tildes only
    return;
  }
  int cp_length;
  uint32_t before = p == 0 ? '\n' : decode_utf8_before(text_.data(), text_.data() + p);
  uint32_t after = q >= n ? '\n' : decode_utf8(text_.data() + q, text_.data() + n, &cp_length);
  bool before_space = is_unicode_whitespace(before);
  bool after_space = is_unicode_whitespace(after);
  bool before_punct = is_unicode_punctuation(before);
  bool after_punct = is_unicode_punctuation(after);
  bool left = !after_space && (!after_punct || before_space || before_punct);
  bool right = !before_space && (!before_punct || after_space || after_punct);
  bool can_open, can_close;
  if (c == '_') {
    can_open = left && (!right || before_punct);
    can_close = right && (!left || after_punct);
  } else {
    can_open = left;
    can_close = right;
  }
  if (!can_open && !can_close) {
    pos_ = q;  // plain text
    return;
  }
  flush_text(p);
  Node* node = append_text(text_.substr(p, q - p));
  Delimiter d{node, c, can_open, can_close, length, length, delimiter_top_, -1};
  delimiters_.push_back(d);
  int index = static_cast<int>(delimiters_.size()) - 1;
  if (delimiter_top_ >= 0) delimiters_[delimiter_top_].next = index;
  delimiter_top_ = index;
  pos_ = run_start_ = q;
}

void InlineParser::handle_open_bracket(bool image) {
  size_t p = pos_;
  size_t width = image ? 2 : 1;
  flush_text(p);
  Node* node = append_text(text_.substr(p, width));
  if (!brackets_.empty()) brackets_.back().bracket_after = true;
  brackets_.push_back(Bracket{node, p + width, static_cast<int>(delimiters_.size()) - 1, image, true, false});
  pos_ = run_start_ = p + width;
}

void InlineParser::handle_close_bracket() {
  size_t p = pos_;
  size_t n = text_.size();
  if (brackets_.empty()) {
    ++pos_;
    return;
  }
  Bracket opener = brackets_.back();
  if (!opener.active) {
    brackets_.pop_back();
    ++pos_;
    return;
  }

  std::string_view url, title;
  size_t end = npos;
  // Inline link: ](destination "title").
  if (p + 1 < n && text_[p + 1] == '(') {
    size_t i = skip_spaces_and_one_line_end(text_, p + 2);
    std::string_view raw_url;
    size_t after_url = scan_link_destination(text_, i, &raw_url);
    if (after_url != npos) {
      size_t t = skip_spaces_and_one_line_end(text_, after_url);
      std::string_view raw_title;
      size_t after_title = t;
      bool has_title = false;
      if (t != after_url && t < n && (text_[t] == '"' || text_[t] == '\'' || text_[t] == '(')) {
        size_t e = scan_link_title(text_, t, &raw_title);
        if (e != npos) {
          after_title = e;
          has_title = true;
        }
      }
      size_t close = skip_spaces_and_one_line_end(text_, after_title);
      if (close < n && text_[close] == ')') {
        url = unescape(raw_url, arena_);
        if (has_title) title = unescape(raw_title, arena_);
        end = close + 1;
      }
    }
  }
  // Reference link: ][label], ][] or ].
  if (end == npos) {
    std::string_view label;
    size_t after_label = scan_link_label(text_, p + 1, &label);
    size_t label_end;
    if (after_label) {
      label_end = after_label;
    } else if (p + 2 < n && text_[p + 1] == '[' && text_[p + 2] == ']') {
      label = {};
      label_end = p + 3;
    } else {
      label = {};
      label_end = p + 1;
    }
    bool use_text = label.empty();
    if (use_text) {
      // Collapsed or shortcut: the link text is the label, if it can be one.
      if (!opener.bracket_after && p - opener.text_start <= kMaxLabelLength) {
        label = text_.substr(opener.text_start, p - opener.text_start);
      } else {
        label = {};
      }
    }
    if (!label.empty()) {
      auto it = refs_.find(normalize_label(label));
      if (it != refs_.end()) {
        url = it->second.url;
        title = it->second.title;
        end = label_end;
      }
    }
  }
  if (end == npos) {
    brackets_.pop_back();
    ++pos_;  // a literal ']'
    return;
  }

  flush_text(p);
  Node* link = arena_.new_node(opener.image ? NodeType::kImage : NodeType::kLink);
  link->url_ = url;
  link->title_ = title;
  Tree::wrap_between(opener.node, nullptr, link);
  brackets_.pop_back();
  process_emphasis(opener.delimiter_bottom);
  Tree::unlink(opener.node);
  if (!opener.image) {
    // No links inside links: earlier "[" openers can no longer make links.
    for (size_t i = brackets_.size(); i-- > 0;) {
      if (brackets_[i].image) continue;
      if (!brackets_[i].active) break;
      brackets_[i].active = false;
    }
  }
  pos_ = run_start_ = end;
}

void InlineParser::handle_entity() {
  CharacterReference ref = match_character_reference(text_.substr(pos_));
  if (ref.length == 0) {
    ++pos_;
    return;
  }
  flush_text(pos_);
  std::string_view decoded = ref.decoded();
  append_text(ref.named.empty() ? arena_.copy(decoded) : decoded);
  pos_ = run_start_ = pos_ + ref.length;
}

void InlineParser::handle_angle_bracket() {
  size_t p = pos_;
  bool email = false;
  size_t length = scan_autolink(text_, p, &email);
  if (length) {
    flush_text(p);
    std::string_view target = text_.substr(p + 1, length - 2);
    Node* link = append(NodeType::kLink);
    if (email) {
      char* out = arena_.allocate(target.size() + 7);
      std::memcpy(out, "mailto:", 7);
      std::memcpy(out + 7, target.data(), target.size());
      link->url_ = std::string_view(out, target.size() + 7);
    } else {
      link->url_ = target;
    }
    Node* text = arena_.new_node(NodeType::kText);
    text->literal_ = target;
    Tree::append_child(link, text);
    pos_ = run_start_ = p + length;
    return;
  }
  length = scan_inline_html(text_, p, &html_memo_);
  if (length) {
    flush_text(p);
    Node* html = append(NodeType::kHtmlInline);
    html->literal_ = text_.substr(p, length);
    pos_ = run_start_ = p + length;
    return;
  }
  ++pos_;
}

// ---------------------------------------------------------------------------------------------
// Emphasis.

void InlineParser::remove_delimiter(int index) {
  Delimiter& d = delimiters_[index];
  if (d.previous >= 0) delimiters_[d.previous].next = d.next;
  if (d.next >= 0) {
    delimiters_[d.next].previous = d.previous;
  } else {
    delimiter_top_ = d.previous;
  }
}

void InlineParser::process_emphasis(int bottom) {
  // openers_bottom: for each kind of closer, the delimiter index at or below which no opener
  // for it exists. Kinds: '*' and '_' by (closer can open) x (length % 3); '~' by length.
  int openers_bottom[2][2][3];
  int tilde_bottom[3];
  for (auto& a : openers_bottom)
    for (auto& b : a)
      for (int& v : b) v = bottom;
  for (int& v : tilde_bottom) v = bottom;

  // The first delimiter above the bottom.
  int closer = delimiter_top_;
  int first = -1;
  while (closer > bottom) {
    first = closer;
    closer = delimiters_[closer].previous;
  }
  closer = first;

  while (closer >= 0) {
    Delimiter& cl = delimiters_[closer];
    if (!cl.can_close) {
      closer = cl.next;
      continue;
    }
    int* limit;
    if (cl.c == '~') {
      limit = &tilde_bottom[cl.original_length];
    } else {
      limit = &openers_bottom[cl.c == '_'][cl.can_open][cl.original_length % 3];
    }
    int opener = cl.previous;
    bool found = false;
    while (opener > *limit && opener > bottom) {
      Delimiter& op = delimiters_[opener];
      if (op.c == cl.c && op.can_open) {
        if (cl.c == '~') {
          found = op.original_length == cl.original_length;
        } else {
          bool odd = (op.can_close || cl.can_open) && (op.original_length + cl.original_length) % 3 == 0 &&
                     !(op.original_length % 3 == 0 && cl.original_length % 3 == 0);
          found = !odd;
        }
        if (found) break;
      }
      opener = op.previous;
    }
    if (!found) {
      *limit = cl.previous;
      int next = cl.next;
      if (!cl.can_open) remove_delimiter(closer);
      closer = next;
      continue;
    }

    Delimiter& op = delimiters_[opener];
    int use = cl.c == '~' ? cl.length : (cl.length >= 2 && op.length >= 2 ? 2 : 1);
    NodeType type = cl.c == '~' ? NodeType::kStrikethrough : use == 2 ? NodeType::kStrong : NodeType::kEmphasis;
    op.length -= use;
    cl.length -= use;
    op.node->literal_ = op.node->literal_.substr(0, op.node->literal_.size() - static_cast<size_t>(use));
    cl.node->literal_ = cl.node->literal_.substr(static_cast<size_t>(use));
    Node* emphasis = arena_.new_node(type);
    Tree::wrap_between(op.node, cl.node, emphasis);
    // Delimiters between the two are inside the emphasis now; they can match nothing more.
    op.next = closer;
    cl.previous = opener;
    if (op.length == 0) {
      Tree::unlink(op.node);
      remove_delimiter(opener);
    }
    if (cl.length == 0) {
      Tree::unlink(cl.node);
      int next = cl.next;
      remove_delimiter(closer);
      closer = next;
    }
  }

  // Everything above the bottom is done.
  while (delimiter_top_ > bottom) remove_delimiter(delimiter_top_);
}

// ---------------------------------------------------------------------------------------------
// Final pass: merge adjacent text nodes (their text is usually adjacent in the source too, so
// merging is a pointer adjustment), then GFM autolinks.

void InlineParser::finish(Node* block) {
  work_.clear();
  work_.push_back(block);
  while (!work_.empty()) {
    Node* parent = work_.back();
    work_.pop_back();
    Node* child = parent->first_child_;
    while (child) {
      if (child->type_ == NodeType::kText) {
        // The run of adjacent text nodes starting here: one node, one string.
        size_t total = 0;
        bool contiguous = true;
        const char* first = nullptr;
        const char* expect = nullptr;
        Node* last = child;
        for (Node* t = child; t && t->type_ == NodeType::kText; t = t->next_) {
          std::string_view piece = t->literal_;
          last = t;
          if (piece.empty()) continue;
          if (!first) first = piece.data();
          if (expect && piece.data() != expect) contiguous = false;
          expect = piece.data() + piece.size();
          total += piece.size();
        }
        if (last != child) {
          if (contiguous) {
            child->literal_ = std::string_view(first, total);
          } else {
            char* out = arena_.allocate(total);
            size_t k = 0;
            for (Node* t = child;; t = t->next_) {
              if (!t->literal_.empty()) std::memcpy(out + k, t->literal_.data(), t->literal_.size());
              k += t->literal_.size();
              if (t == last) break;
            }
            child->literal_ = std::string_view(out, total);
          }
          Node* stop = last->next_;
          while (child->next_ != stop) Tree::unlink(child->next_);
        }
        if (child->literal_.empty()) {
          Node* after = child->next_;
          Tree::unlink(child);
          child = after;
          continue;
        }
      } else if (child->first_child_) {
        work_.push_back(child);
      }
      child = child->next_;
    }
  }
  if (options_.gfm) link_extended_autolinks(block);
}

}  // namespace sfs::markdown
