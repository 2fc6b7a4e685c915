// Phase 1: the block structure (see block_parser.h for the design; the rules are CommonMark
// 0.31.2's "Container blocks" and "Leaf blocks", and GFM 0.29's tables and task list items).
#include "formats/markdown/block_parser.h"

#include <algorithm>
#include <cstring>

#include "formats/markdown/arena.h"
#include "formats/markdown/chars.h"
#include "formats/markdown/scanners.h"
#include "formats/markdown/tree.h"
#include "formats/markdown/unicode.h"

namespace sfs::markdown {
namespace {

constexpr int kCodeIndent = 4;
constexpr int kTabStop = 4;
// A table with far more columns than cells per row would turn a small input into a huge output
// (every short row is padded to the header's width). Like cmark-gfm, stop the table once it has
// padded this many empty cells; the rest of its lines become ordinary paragraphs.
constexpr size_t kMaxTableFillerCells = 1 << 19;

bool is_code_or_html(NodeType type) { return type == NodeType::kCodeBlock || type == NodeType::kHtmlBlock; }

std::string_view trim_spaces(std::string_view text) {
  size_t b = 0, e = text.size();
  while (b < e && chars::is_whitespace(text[b])) ++b;
  while (e > b && chars::is_whitespace(text[e - 1])) --e;
  return text.substr(b, e - b);
}

// A paragraph's text: leading spaces and tabs (a form feed is text there, as in cmark) and all
// trailing whitespace removed.
std::string_view trim_paragraph(std::string_view text) {
  size_t b = 0, e = text.size();
  while (b < e && chars::is_space_tab(text[b])) ++b;
  while (e > b && chars::is_whitespace(text[e - 1])) --e;
  return text.substr(b, e - b);
}

// GFM table rows: cells split at '|' not preceded by a backslash; a leading and a trailing pipe
// are optional. Returns the raw, trimmed cells.
void split_table_row(std::string_view line, std::vector<std::string_view>* cells) {
  cells->clear();
  std::string_view text = trim_spaces(line);
  size_t i = 0;
  size_t n = text.size();
  if (i < n && text[i] == '|') ++i;
  while (i < n) {
    size_t start = i;
    while (i < n && !(text[i] == '|' && (i == 0 || text[i - 1] != '\\'))) ++i;
    cells->push_back(trim_spaces(text.substr(start, i - start)));
    if (i < n) ++i;  // the '|'
  }
}

// The delimiter row's alignments, or false when `line` is not one.
bool parse_delimiter_row(std::string_view line, std::vector<Alignment>* aligns,
                         std::vector<std::string_view>& cells) {
  split_table_row(line, &cells);
  if (cells.empty()) return false;
  aligns->clear();
  for (std::string_view cell : cells) {
    size_t n = cell.size();
    if (n == 0) return false;
    bool left = cell[0] == ':';
    bool right = n > 1 && cell[n - 1] == ':';
    size_t b = left ? 1 : 0, e = right ? n - 1 : n;
    if (b >= e) return false;
    for (size_t i = b; i < e; ++i) {
      if (cell[i] != '-') return false;
    }
    aligns->push_back(left && right ? Alignment::kCenter
                      : left        ? Alignment::kLeft
                      : right       ? Alignment::kRight
                                    : Alignment::kNone);
  }
  return true;
}

}  // namespace

BlockParser::BlockParser(std::string_view source, const Options& options, Arena& arena,
                         ReferenceMap& refs)
    : source_(source), options_(options), arena_(arena), refs_(refs) {}

Node* BlockParser::parse() {
  document_ = arena_.new_node(NodeType::kDocument, 1);
  open_.push_back(OpenBlock{document_});
  const char* data = source_.data();
  size_t n = source_.size();
  // Lines end at \n, \r\n or \r. Most files have no \r at all; then memchr finds line ends.
  bool has_cr = std::memchr(data, '\r', n) != nullptr;
  size_t pos = 0;
  while (pos < n) {
    size_t eol;
    if (!has_cr) {
      const void* nl = std::memchr(data + pos, '\n', n - pos);
      eol = nl ? static_cast<size_t>(static_cast<const char*>(nl) - data) : n;
    } else {
      eol = pos;
      while (eol < n && data[eol] != '\n' && data[eol] != '\r') ++eol;
    }
    size_t next = eol;
    if (next < n) next += (data[next] == '\r' && next + 1 < n && data[next + 1] == '\n') ? 2 : 1;
    line_ = std::string_view(data + pos, eol - pos);
    line_start_ = pos;
    line_next_ = next;
    process_line();
    pos = next;
  }
  while (!open_.empty()) close_block();
  return document_;
}

// ---------------------------------------------------------------------------------------------
// Columns.

void BlockParser::find_first_nonspace() {
  // Reuse the last result while the offset has not passed it (cmark does the same): otherwise a
  // line under many nested containers would be rescanned once per container.
  if (first_nonspace_valid_ && first_nonspace_ > offset_) {
    indent_ = first_nonspace_column_ - column_;
    blank_ = first_nonspace_ == line_.size();
    return;
  }
  first_nonspace_valid_ = true;
  size_t i = offset_;
  int column = column_;
  size_t n = line_.size();
  while (i < n) {
    char c = line_[i];
    if (c == ' ') {
      ++column;
    } else if (c == '\t') {
      column += kTabStop - column % kTabStop;
    } else {
      break;
    }
    ++i;
  }
  first_nonspace_ = i;
  first_nonspace_column_ = column;
  indent_ = column - column_;
  blank_ = i == n;
}

void BlockParser::advance_offset(int count, bool columns) {
  size_t n = line_.size();
  while (count > 0 && offset_ < n) {
    if (line_[offset_] == '\t') {
      int to_tab = kTabStop - column_ % kTabStop;
      if (columns) {
        partially_consumed_tab_ = to_tab > count;
        int step = to_tab < count ? to_tab : count;
        column_ += step;
        if (!partially_consumed_tab_) ++offset_;
        count -= step;
      } else {
        partially_consumed_tab_ = false;
        column_ += to_tab;
        ++offset_;
        count -= 1;
      }
    } else {
      partially_consumed_tab_ = false;
      ++offset_;
      ++column_;
      --count;
    }
  }
}

void BlockParser::advance_to_first_nonspace() {
  offset_ = first_nonspace_;
  column_ = first_nonspace_column_;
  partially_consumed_tab_ = false;
}

// ---------------------------------------------------------------------------------------------
// One line.

void BlockParser::process_line() {
  ++line_number_;
  offset_ = 0;
  column_ = 0;
  partially_consumed_tab_ = false;
  blank_ = false;
  consumed_by_ = nullptr;
  first_nonspace_ = 0;
  first_nonspace_valid_ = false;
  thematic_fail_char_ = 0;

  size_t matched;
  bool all_matched;
  if (!match_containers(&matched, &all_matched)) return;
  size_t container_index = matched;
  open_new_blocks(&container_index);

  // Lazy continuation: nothing new was opened, some container did not match, and the open leaf
  // is a paragraph: the line continues that paragraph.
  Node* tip = open_.back().node;
  bool lazy = !all_matched && container_index == matched && !blank_ &&
              tip->type_ == NodeType::kParagraph && container_index + 1 < open_.size();
  add_text(container_index, lazy);
}

bool BlockParser::match_containers(size_t* matched, bool* all_matched) {
  size_t i = 1;
  *all_matched = true;
  for (; i < open_.size(); ++i) {
    find_first_nonspace();
    if (blank_ && offset_ >= line_.size()) {
      // Nothing of the line is left: every block down to the first one that a blank line
      // cannot continue matches without consuming anything, so jump there at once (a blank line
      // under thousands of nested list items stays O(log depth)).
      auto it = std::lower_bound(blank_fail_.begin(), blank_fail_.end(), i);
      if (it == blank_fail_.end()) {
        i = open_.size();
        break;
      }
      i = *it;
      *all_matched = false;
      break;
    }
    OpenBlock& block = open_[i];
    bool ok = false;
    switch (block.node->type_) {
      case NodeType::kBlockQuote:
        if (indent_ <= 3 && !blank_ && line_[first_nonspace_] == '>') {
          offset_ = first_nonspace_ + 1;
          column_ = first_nonspace_column_ + 1;
          partially_consumed_tab_ = false;
          if (offset_ < line_.size() && chars::is_space_tab(line_[offset_])) advance_offset(1, true);
          ok = true;
        }
        break;
      case NodeType::kItem:
        if (indent_ >= block.item_indent) {
          advance_offset(block.item_indent, true);
          ok = true;
        } else if (blank_ && block.node->first_child_) {
          advance_to_first_nonspace();
          ok = true;
        }
        break;
      case NodeType::kList:
        ok = true;
        break;
      case NodeType::kCodeBlock:
        if (block.node->flags_ & Node::kFenced) {
          if (is_closing_fence(block)) {
            // The closing fence ends the block, and the line.
            close_blocks_above(i - 1);
            return false;
          }
          for (int k = block.fence_indent; k > 0 && offset_ < line_.size() && chars::is_space_tab(line_[offset_]); --k) {
            advance_offset(1, true);
          }
          ok = true;
        } else if (indent_ >= kCodeIndent) {
          advance_offset(kCodeIndent, true);
          ok = true;
        } else if (blank_) {
          advance_to_first_nonspace();
          ok = true;
        }
        break;
      case NodeType::kHtmlBlock:
        ok = !(blank_ && block.html_kind >= 6);
        break;
      case NodeType::kParagraph:
      case NodeType::kTable:
        ok = !blank_;
        break;
      default:
        break;
    }
    if (!ok) {
      *all_matched = false;
      break;
    }
  }
  *matched = i - 1;
  return true;
}

void BlockParser::open_new_blocks(size_t* container_index) {
  bool maybe_lazy = open_.back().node->type_ == NodeType::kParagraph;
  for (;;) {
    NodeType type = open_[*container_index].node->type_;
    if (is_code_or_html(type)) return;
    find_first_nonspace();
    bool indented = indent_ >= kCodeIndent;
    char c = blank_ ? '\0' : line_[first_nonspace_];
    bool in_paragraph = type == NodeType::kParagraph;
    if (!indented && c == '>') {
      offset_ = first_nonspace_ + 1;
      column_ = first_nonspace_column_ + 1;
      partially_consumed_tab_ = false;
      if (offset_ < line_.size() && chars::is_space_tab(line_[offset_])) advance_offset(1, true);
      add_block(container_index, NodeType::kBlockQuote);
      maybe_lazy = false;  // a line that opened a container is no lazy continuation
      continue;
    }
    if (!indented && c == '#' && try_atx_heading(container_index)) return;
    if (!indented && (c == '`' || c == '~') && try_fence(container_index)) return;
    if (!indented && c == '<') {
      int kind = html_block_start(line_.substr(first_nonspace_), !in_paragraph && !maybe_lazy);
      if (kind) {
        add_block(container_index, NodeType::kHtmlBlock);
        open_.back().html_kind = kind;
        update_blank_fail();
        return;  // the line is added (with its indentation) by add_text
      }
    }
    if (!indented && in_paragraph && (c == '=' || c == '-') && try_setext_underline(container_index)) return;
    if (!indented && (c == '*' || c == '-' || c == '_') && try_thematic_break(container_index)) return;
    if (!indented && (c == '*' || c == '-' || c == '+' || chars::is_digit(c)) &&
        try_list_item(container_index, in_paragraph)) {
      maybe_lazy = false;
      continue;
    }
    if (indented && !maybe_lazy && !blank_) {
      advance_offset(kCodeIndent, true);
      add_block(container_index, NodeType::kCodeBlock);
      return;
    }
    if (options_.gfm && in_paragraph && !indented && try_table(container_index)) return;
    return;
  }
}

void BlockParser::add_text(size_t container_index, bool lazy) {
  if (consumed_by_) {
    // A heading, fence, thematic break or table delimiter row took the whole line: not blank.
    consumed_by_->flags_ &= static_cast<uint8_t>(~(Node::kLastLineBlank | Node::kEndsBlank));
    if (open_.back().node == consumed_by_) open_.back().blank_mark_line = 0;
    touch_levels_below(open_.size() - (open_.back().node == consumed_by_ ? 1 : 0));
    return;
  }
  find_first_nonspace();

  // Blank-line bookkeeping for tight and loose lists (see close_block for kList), done before
  // unmatched blocks close so that a blank line marks the block it ended. In cmark's terms: the
  // container's "last line blank" is set or cleared, a blank line also marks the container's last
  // child, and every ancestor of the container is cleared. Clearing ancestors one by one would
  // cost the nesting depth per line, so it is recorded as one "touch" (touch_levels_below) and
  // evaluated when a block closes (close_block).
  Node* container = open_[container_index].node;
  if (blank_ && container->last_child_) {
    if (container_index + 1 < open_.size() && open_[container_index + 1].node == container->last_child_) {
      open_[container_index + 1].blank_mark_line = line_number_;
    } else {
      container->last_child_->flags_ |= Node::kLastLineBlank | Node::kEndsBlank;
    }
  }
  NodeType t = container->type_;
  bool last_line_blank = blank_ && t != NodeType::kBlockQuote && t != NodeType::kHeading &&
                         t != NodeType::kThematicBreak &&
                         !(t == NodeType::kCodeBlock && (container->flags_ & Node::kFenced)) &&
                         !(t == NodeType::kItem && !container->first_child_ && container->line_ == line_number_);
  open_[container_index].blank_mark_line = last_line_blank ? line_number_ : 0;
  touch_levels_below(container_index);

  if (lazy) {
    // A lazy continuation line is added from where matching stopped, indentation included,
    // as cmark does (it shows in code spans and titles that span lines).
    append_line_to_leaf(false);
    return;
  }
  close_blocks_above(container_index);
  switch (container->type_) {
    case NodeType::kCodeBlock:
      append_line_to_leaf(false);
      if (!(container->flags_ & Node::kFenced) && !blank_) leaf_.kept_length = leaf_.size();
      break;
    case NodeType::kHtmlBlock: {
      append_line_to_leaf(false);
      int kind = open_.back().html_kind;
      if (kind <= 5 && html_block_ends(kind, line_.substr(offset_))) close_block();
      break;
    }
    case NodeType::kParagraph:
      if (!blank_) append_line_to_leaf(true);
      break;
    case NodeType::kTable:
      if (!blank_) add_table_row(open_.back(), line_.substr(first_nonspace_), false);
      break;
    default:
      if (!blank_) {
        add_block(&container_index, NodeType::kParagraph);
        append_line_to_leaf(true);
      }
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// Tree building.

bool BlockParser::can_contain(NodeType parent, NodeType child) {
  switch (parent) {
    case NodeType::kDocument:
    case NodeType::kBlockQuote:
    case NodeType::kItem:
      return child != NodeType::kItem;
    case NodeType::kList:
      return child == NodeType::kItem;
    default:
      return false;
  }
}

Node* BlockParser::add_block(size_t* container_index, NodeType type) {
  close_blocks_above(*container_index);
  while (!can_contain(open_.back().node->type_, type)) close_block();
  Node* node = arena_.new_node(type, line_number_);
  Tree::append_child(open_.back().node, node);
  update_blank_fail();  // an item with a child continues over blank lines
  open_.push_back(OpenBlock{node});
  update_blank_fail();
  *container_index = open_.size() - 1;
  return node;
}

void BlockParser::close_blocks_above(size_t index) {
  while (open_.size() > index + 1) close_block();
}

void BlockParser::touch_levels_below(size_t level) {
  if (level == 0) return;
  uint32_t max_level = static_cast<uint32_t>(level - 1);
  while (!touches_.empty() && touches_.back().max_level <= max_level) touches_.pop_back();
  touches_.push_back(Touch{line_number_, max_level});
}

uint32_t BlockParser::last_touch(size_t level) const {
  // touches_ has strictly decreasing max_level and increasing lines: the latest touch of
  // `level` is the last entry whose max_level still reaches it.
  size_t lo = 0, hi = touches_.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (touches_[mid].max_level >= level) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo == 0 ? 0 : touches_[lo - 1].line;
}

void BlockParser::update_blank_fail() {
  size_t top = open_.size() - 1;
  const OpenBlock& block = open_[top];
  NodeType t = block.node->type_;
  bool fails = t == NodeType::kBlockQuote || t == NodeType::kParagraph || t == NodeType::kTable ||
               (t == NodeType::kItem && !block.node->first_child_) ||
               (t == NodeType::kHtmlBlock && block.html_kind >= 6);
  bool listed = !blank_fail_.empty() && blank_fail_.back() == top;
  if (fails && !listed) blank_fail_.push_back(top);
  if (!fails && listed) blank_fail_.pop_back();
}

void BlockParser::pop_open() {
  size_t level = open_.size() - 1;
  open_.pop_back();
  if (!blank_fail_.empty() && blank_fail_.back() == level) blank_fail_.pop_back();
  if (!open_.empty()) update_blank_fail();
}

void BlockParser::close_block() {
  size_t level = open_.size() - 1;
  OpenBlock block = open_.back();
  open_.pop_back();
  if (!blank_fail_.empty() && blank_fail_.back() == level) blank_fail_.pop_back();
  Node* node = block.node;
  // Its last line was blank if it was marked so and nothing touched it since.
  if (block.blank_mark_line != 0 && last_touch(level) < block.blank_mark_line) {
    node->flags_ |= Node::kLastLineBlank;
  } else {
    node->flags_ &= static_cast<uint8_t>(~Node::kLastLineBlank);
  }
  switch (node->type_) {
    case NodeType::kParagraph:
      finalize_paragraph(node);
      break;
    case NodeType::kCodeBlock: {
      std::string_view text = leaf_view();
      if (!(node->flags_ & Node::kFenced)) text = text.substr(0, leaf_.kept_length);
      if (!text.empty() && !chars::is_line_end(text.back())) {
        // The last line of the input had no line ending; code always ends with one.
        char* out = arena_.allocate(text.size() + 1);
        std::memcpy(out, text.data(), text.size());
        out[text.size()] = '\n';
        node->literal_ = std::string_view(out, text.size() + 1);
      } else {
        node->literal_ = take_leaf_text(text);
      }
      reset_leaf();
      break;
    }
    case NodeType::kHtmlBlock:
      node->literal_ = take_leaf_text(leaf_view());
      reset_leaf();
      break;
    case NodeType::kList: {
      // Loose if an item (not the last) ends with a blank line, or if a block inside an item is
      // followed by a blank line and then more of the list.
      bool tight = true;
      for (Node* item = node->first_child_; item && tight; item = item->next_) {
        if ((item->flags_ & Node::kLastLineBlank) && item->next_) {
          tight = false;
          break;
        }
        for (Node* sub = item->first_child_; sub; sub = sub->next_) {
          if ((item->next_ || sub->next_) && (sub->flags_ & Node::kEndsBlank)) {
            tight = false;
            break;
          }
        }
      }
      if (tight) node->flags_ |= Node::kTight;
      break;
    }
    default:
      break;
  }
  // "Ends with a blank line", looking through the last child of lists and items (what makes a
  // list loose), computed once here instead of walking down at every enclosing list.
  bool ends_blank = (node->flags_ & Node::kLastLineBlank) ||
                    ((node->type_ == NodeType::kList || node->type_ == NodeType::kItem) && node->last_child_ &&
                     (node->last_child_->flags_ & Node::kEndsBlank));
  if (ends_blank) {
    node->flags_ |= Node::kEndsBlank;
  } else {
    node->flags_ &= static_cast<uint8_t>(~Node::kEndsBlank);
  }
  if (!open_.empty()) update_blank_fail();
}

// ---------------------------------------------------------------------------------------------
// Leaf text.

void BlockParser::append_line_to_leaf(bool from_first_nonspace) {
  size_t from;
  int spaces = 0;
  if (from_first_nonspace) {
    from = first_nonspace_;
  } else {
    from = offset_;
    if (partially_consumed_tab_) {
      spaces = kTabStop - column_ % kTabStop;
      ++from;  // the tab itself is replaced by the columns it had left
    }
  }
  size_t begin = line_start_ + from;
  size_t eol = line_start_ + line_.size();
  if (begin > eol) begin = eol;
  // The line keeps a "\n" ending; "\r\n", "\r" and the end of the input are normalised to it
  // (as cmark does), which is the one case besides prefixes and tabs that needs the buffer.
  bool plain_ending = line_next_ == eol + 1 && source_[eol] == '\n';
  size_t end = plain_ending ? line_next_ : eol;
  if (!leaf_.buffered && spaces == 0 && plain_ending) {
    if (leaf_.begin == leaf_.end) {
      leaf_.begin = begin;
      leaf_.end = end;
      return;
    }
    if (leaf_.end == begin) {
      leaf_.end = end;
      return;
    }
  }
  if (!leaf_.buffered) {
    leaf_.buffer.assign(source_.data() + leaf_.begin, leaf_.end - leaf_.begin);
    leaf_.buffered = true;
  }
  leaf_.buffer.append(static_cast<size_t>(spaces), ' ');
  leaf_.buffer.append(source_.data() + begin, end - begin);
  if (!plain_ending) leaf_.buffer.push_back('\n');
}

std::string_view BlockParser::leaf_view() const {
  if (leaf_.buffered) return leaf_.buffer;
  return source_.substr(leaf_.begin, leaf_.end - leaf_.begin);
}

std::string_view BlockParser::take_leaf_text(std::string_view text) {
  return leaf_.buffered ? arena_.copy(text) : text;
}

void BlockParser::reset_leaf() {
  leaf_.buffered = false;
  leaf_.begin = leaf_.end = 0;
  leaf_.buffer.clear();
  leaf_.kept_length = 0;
}

// ---------------------------------------------------------------------------------------------
// Paragraphs, link reference definitions, task list items.

void BlockParser::finalize_paragraph(Node* node) {
  std::string_view text = leaf_view();
  size_t consumed = parse_reference_definitions(text);
  std::string_view rest = trim_paragraph(text.substr(consumed));
  if (rest.empty()) {
    Tree::unlink(node);
  } else {
    node->literal_ = take_leaf_text(rest);
    if (options_.gfm) detect_task_marker(node);
  }
  reset_leaf();
}

void BlockParser::detect_task_marker(Node* paragraph) {
  Node* item = paragraph->parent_;
  if (!item || item->type_ != NodeType::kItem || item->first_child_ != paragraph) return;
  std::string_view text = paragraph->literal_;
  if (text.size() < 4 || text[0] != '[' || text[2] != ']' || !chars::is_space_tab(text[3])) return;
  char mark = text[1];
  if (mark == ' ' || mark == '\t') {
    item->aux_ = static_cast<uint8_t>(TaskState::kUnchecked);
  } else if (mark == 'x' || mark == 'X') {
    item->aux_ = static_cast<uint8_t>(TaskState::kChecked);
  } else {
    return;
  }
  size_t i = 3;
  while (i < text.size() && chars::is_whitespace(text[i])) ++i;
  paragraph->literal_ = text.substr(i);
}

size_t BlockParser::parse_reference_definitions(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size() && text[pos] == '[') {
    size_t used = parse_reference_definition(text, pos);
    if (used == 0) break;
    pos += used;
  }
  return pos;
}

size_t BlockParser::parse_reference_definition(std::string_view text, size_t pos) {
  constexpr size_t npos = std::string_view::npos;
  size_t n = text.size();
  std::string_view label;
  size_t p = scan_link_label(text, pos, &label);
  if (p == 0 || p >= n || text[p] != ':') return 0;
  p = skip_spaces_and_one_line_end(text, p + 1);
  std::string_view destination;
  size_t after_destination = scan_link_destination(text, p, &destination);
  if (after_destination == npos || after_destination == p) return 0;
  auto line_rest_end = [&](size_t i) -> size_t {
    while (i < n && chars::is_space_tab(text[i])) ++i;
    if (i == n) return n;
    if (text[i] == '\r') return (i + 1 < n && text[i + 1] == '\n') ? i + 2 : i + 1;
    if (text[i] == '\n') return i + 1;
    return npos;
  };
  std::string_view title;
  bool has_title = false;
  size_t end = npos;
  size_t title_start = skip_spaces_and_one_line_end(text, after_destination);
  if (title_start != after_destination && title_start < n) {
    size_t after_title = scan_link_title(text, title_start, &title);
    if (after_title != npos) {
      end = line_rest_end(after_title);
      has_title = end != npos;
    }
  }
  if (end == npos) {
    end = line_rest_end(after_destination);
    if (end == npos) return 0;
  }
  std::string key = normalize_label(label);
  if (!refs_.contains(key)) {
    LinkReference ref;
    ref.url = unescape(destination, arena_);
    if (has_title) ref.title = unescape(title, arena_);
    // Keep what the definition points at: the leaf text may be a buffer about to be reused.
    if (ref.url.data() == destination.data()) ref.url = leaf_.buffered ? arena_.copy(ref.url) : ref.url;
    if (has_title && ref.title.data() == title.data()) ref.title = leaf_.buffered ? arena_.copy(ref.title) : ref.title;
    refs_.emplace(std::move(key), ref);
  }
  return end - pos;
}

// ---------------------------------------------------------------------------------------------
// Block starts.

bool BlockParser::try_atx_heading(size_t* container_index) {
  size_t i = first_nonspace_;
  size_t n = line_.size();
  int level = 0;
  while (i < n && line_[i] == '#' && level < 7) ++i, ++level;
  if (level > 6 || (i < n && !chars::is_space_tab(line_[i]))) return false;
  std::string_view content = line_.substr(i);
  // Trim, then drop a closing sequence of '#' that is preceded by a space or is all there is.
  size_t b = 0, e = content.size();
  while (b < e && chars::is_space_tab(content[b])) ++b;
  while (e > b && chars::is_space_tab(content[e - 1])) --e;
  size_t hashes = e;
  while (hashes > b && content[hashes - 1] == '#') --hashes;
  if (hashes < e) {
    if (hashes == b) {
      e = b;
    } else if (chars::is_space_tab(content[hashes - 1])) {
      e = hashes;
      while (e > b && chars::is_space_tab(content[e - 1])) --e;
    }
  }
  Node* node = add_block(container_index, NodeType::kHeading);
  node->number_ = level;
  node->literal_ = content.substr(b, e - b);
  close_block();
  *container_index = open_.size() - 1;
  consumed_by_ = node;
  return true;
}

bool BlockParser::try_fence(size_t* container_index) {
  size_t i = first_nonspace_;
  size_t n = line_.size();
  char fence = line_[i];
  size_t start = i;
  while (i < n && line_[i] == fence) ++i;
  size_t length = i - start;
  if (length < 3) return false;
  std::string_view info = line_.substr(i);
  if (fence == '`' && info.find('`') != std::string_view::npos) return false;
  Node* node = add_block(container_index, NodeType::kCodeBlock);
  node->flags_ |= Node::kFenced;
  node->delimiter_ = fence;
  node->url_ = unescape(trim_spaces(info), arena_);
  OpenBlock& block = open_.back();
  block.fence_char = fence;
  block.fence_length = static_cast<int>(length);
  block.fence_indent = indent_;
  *container_index = open_.size() - 1;
  consumed_by_ = node;
  return true;
}

bool BlockParser::is_closing_fence(const OpenBlock& block) const {
  if (indent_ > 3 || blank_) return false;
  size_t i = first_nonspace_;
  size_t n = line_.size();
  size_t start = i;
  while (i < n && line_[i] == block.fence_char) ++i;
  if (static_cast<int>(i - start) < block.fence_length) return false;
  while (i < n && chars::is_space_tab(line_[i])) ++i;
  return i == n;
}

bool BlockParser::try_setext_underline(size_t* container_index) {
  size_t i = first_nonspace_;
  size_t n = line_.size();
  char c = line_[i];
  while (i < n && line_[i] == c) ++i;
  while (i < n && chars::is_space_tab(line_[i])) ++i;
  if (i != n) return false;
  Node* paragraph = open_[*container_index].node;
  // Link reference definitions at the paragraph's start are not heading text.
  std::string_view text = leaf_view();
  size_t consumed = parse_reference_definitions(text);
  std::string_view rest = trim_spaces(text.substr(consumed));
  if (rest.empty()) {
    // Only definitions: no heading. The definitions are used up; the underline is then
    // paragraph text (added by add_text).
    if (leaf_.buffered) {
      leaf_.buffer.erase(0, consumed);
    } else {
      leaf_.begin += consumed;
    }
    if (leaf_.size() == 0) reset_leaf();
    return false;
  }
  paragraph->type_ = NodeType::kHeading;
  paragraph->flags_ |= Node::kSetext;
  paragraph->number_ = c == '=' ? 1 : 2;
  paragraph->literal_ = take_leaf_text(rest);
  reset_leaf();
  pop_open();  // closed as it stands; close_block would treat it as a paragraph
  *container_index = open_.size() - 1;
  consumed_by_ = paragraph;
  return true;
}

bool BlockParser::try_thematic_break(size_t* container_index) {
  char c = line_[first_nonspace_];
  // "- - - - x" opens a list item at every '-', and each would rescan the rest of the line:
  // remember where a failed scan for `c` stopped; any later start before that point fails too.
  if (c == thematic_fail_char_ && first_nonspace_ < thematic_fail_end_) return false;
  int count = 0;
  size_t i = first_nonspace_;
  for (; i < line_.size(); ++i) {
    if (line_[i] == c) {
      ++count;
    } else if (!chars::is_space_tab(line_[i])) {
      break;
    }
  }
  if (i < line_.size() || count < 3) {
    thematic_fail_char_ = c;
    thematic_fail_end_ = i == line_.size() ? i + 1 : i;
    return false;
  }
  consumed_by_ = add_block(container_index, NodeType::kThematicBreak);
  close_block();
  *container_index = open_.size() - 1;
  return true;
}

bool BlockParser::try_list_item(size_t* container_index, bool in_paragraph) {
  size_t i = first_nonspace_;
  size_t n = line_.size();
  bool ordered = false;
  char delimiter;
  int start = 0;
  if (line_[i] == '*' || line_[i] == '-' || line_[i] == '+') {
    delimiter = line_[i];
    ++i;
  } else {
    size_t digits = 0;
    while (i < n && chars::is_digit(line_[i]) && digits < 10) {
      start = start * 10 + (line_[i] - '0');
      ++i, ++digits;
    }
    if (digits == 0 || digits > 9 || i >= n || (line_[i] != '.' && line_[i] != ')')) return false;
    delimiter = line_[i];
    ordered = true;
    ++i;
  }
  if (i < n && !chars::is_space_tab(line_[i])) return false;
  // What follows the marker.
  size_t j = i;
  while (j < n && chars::is_space_tab(line_[j])) ++j;
  bool rest_blank = j == n;
  if (in_paragraph && (rest_blank || (ordered && start != 1))) return false;

  int marker_indent = indent_;
  int marker_width = static_cast<int>(i - first_nonspace_);
  offset_ = i;
  column_ = first_nonspace_column_ + marker_width;
  partially_consumed_tab_ = false;
  find_first_nonspace();
  int spaces = indent_;
  int padding;
  if (blank_) {
    padding = marker_width + 1;
  } else if (spaces >= 5) {
    padding = marker_width + 1;
    advance_offset(1, true);
  } else {
    padding = marker_width + spaces;
    advance_to_first_nonspace();
  }

  Node* container = open_[*container_index].node;
  bool same_list = container->type_ == NodeType::kList &&
                   ((container->flags_ & Node::kOrdered) != 0) == ordered &&
                   container->delimiter_ == delimiter;
  if (!same_list) {
    Node* list = add_block(container_index, NodeType::kList);
    if (ordered) list->flags_ |= Node::kOrdered;
    list->delimiter_ = delimiter;
    list->number_ = start;
  }
  add_block(container_index, NodeType::kItem);
  open_.back().item_indent = marker_indent + padding;
  return true;
}

bool BlockParser::try_table(size_t* container_index) {
  std::vector<Alignment>& aligns = table_aligns_;
  std::vector<std::string_view>& cells = table_cells_;
  std::string_view delimiter_line = line_.substr(first_nonspace_);
  if (delimiter_line.find_first_not_of("|-: \t") != std::string_view::npos) return false;
  if (!parse_delimiter_row(delimiter_line, &aligns, cells)) return false;
  // The header is the paragraph's last line (after any link reference definitions).
  std::string_view text = leaf_view();
  size_t consumed = parse_reference_definitions(text);
  std::string_view content = text.substr(consumed);
  size_t end = content.size();
  while (end > 0 && chars::is_line_end(content[end - 1])) --end;
  if (end == 0) return false;
  size_t header_start = end;
  while (header_start > 0 && !chars::is_line_end(content[header_start - 1])) --header_start;
  std::string_view header = content.substr(header_start, end - header_start);
  split_table_row(header, &cells);
  if (cells.size() != aligns.size()) return false;

  // Copy the header out of the leaf buffer before the paragraph gives it up.
  std::string_view header_text = take_leaf_text(header);
  Node* paragraph = open_[*container_index].node;
  if (header_start == 0) {
    // The whole paragraph is the header: it becomes the table.
    Tree::unlink(paragraph);
    pop_open();
    reset_leaf();
  } else {
    std::string_view before = trim_spaces(content.substr(0, header_start));
    paragraph->literal_ = take_leaf_text(before);
    pop_open();
    reset_leaf();
  }
  *container_index = open_.size() - 1;
  Node* table = add_block(container_index, NodeType::kTable);
  table->line_ = paragraph->line_;
  OpenBlock& block = open_.back();
  block.table_columns = static_cast<int>(aligns.size());
  table->number_ = block.table_columns;
  // Remember the alignments on the header's cells; body rows copy them.
  add_table_row(block, header_text, true);
  Node* cell = table->first_child_->first_child_;
  for (Alignment a : aligns) {
    cell->aux_ = static_cast<uint8_t>(a);
    cell = cell->next_;
  }
  consumed_by_ = table;
  return true;
}

void BlockParser::add_table_row(OpenBlock& table, std::string_view line, bool header) {
  std::vector<std::string_view>& cells = table_cells_;
  split_table_row(line, &cells);
  Node* table_node = table.node;
  size_t columns = static_cast<size_t>(table.table_columns);
  if (!header) {
    size_t filler = cells.size() < columns ? columns - cells.size() : 0;
    if (cells.empty() || table.table_filler_cells + filler > kMaxTableFillerCells) {
      // Not a row: the table ends and the line starts a paragraph.
      close_block();
      size_t index = open_.size() - 1;
      add_block(&index, NodeType::kParagraph);
      append_line_to_leaf(true);
      return;
    }
    table.table_filler_cells += filler;
  }
  Node* row = arena_.new_node(NodeType::kTableRow, line_number_);
  if (header) row->flags_ |= Node::kHeader;
  Tree::append_child(table_node, row);
  Node* header_cell = header ? nullptr : table_node->first_child_->first_child_;
  for (size_t i = 0; i < columns; ++i) {
    Node* cell = arena_.new_node(NodeType::kTableCell, line_number_);
    if (i < cells.size()) {
      std::string_view raw = cells[i];
      if (raw.find("\\|") != std::string_view::npos) {
        // "\|" is a literal pipe, even inside code spans: drop the backslash before phase 2.
        std::string unescaped;
        for (size_t k = 0; k < raw.size(); ++k) {
          if (raw[k] == '\\' && k + 1 < raw.size() && raw[k + 1] == '|') continue;
          unescaped.push_back(raw[k]);
        }
        cell->literal_ = arena_.copy(unescaped);
      } else {
        cell->literal_ = raw;
      }
    }
    if (header_cell) {
      cell->aux_ = header_cell->aux_;
      header_cell = header_cell->next_;
    }
    Tree::append_child(row, cell);
  }
}

}  // namespace sfs::markdown
