// Phase 2 of CommonMark parsing: a paragraph's (heading's, table cell's) raw text -> inline
// nodes. One left-to-right pass over the text, following the spec's appendix:
//
//   plain text runs   -> kText nodes that point into the text (no copy)
//   `code`            -> kCode, found by a closing run of the same length
//   < ... >           -> autolinks and raw HTML
//   \x, &name;        -> the escaped / decoded character
//   line endings      -> kSoftBreak / kLineBreak
//   * _ ~ runs        -> a text node plus an entry on the delimiter stack
//   [ ![              -> a text node plus an entry on the bracket stack
//   ]                 -> closes the nearest bracket: an inline link (url "title"), or a reference
//                        link if the label is defined; then emphasis inside it is resolved
//
// and at the end "process emphasis" over the whole delimiter stack. The emphasis rules (left- and
// right-flanking runs, the rule of 3) are applied with the openers_bottom bounds that keep the
// search linear. A last pass merges adjacent text nodes, and in GFM mode finds extended autolinks
// in the merged text (gfm_autolink.cc).
//
// Linear time: every scan that could be retried from many starting points is bounded or
// remembered — backtick runs by length (backtick_positions_), "-->" and friends (HtmlScanMemo),
// link destinations by the parenthesis limit, labels by their 999-character limit, and the
// delimiter search by openers_bottom.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "formats/markdown/block_parser.h"
#include "formats/markdown/markdown.h"
#include "formats/markdown/scanners.h"

namespace sfs::markdown {

class Arena;

class InlineParser {
 public:
  InlineParser(const Options& options, Arena& arena, const ReferenceMap& refs);

  // Parses every paragraph, heading and table cell below `root`, replacing their raw text.
  void parse_all(Node* root);

  // Parses `text` into inline children appended to `block`.
  void parse(Node* block, std::string_view text);

 private:
  struct Delimiter {
    Node* node;
    char c;
    bool can_open;
    bool can_close;
    int length;           // delimiters left
    int original_length;  // for the rule of 3
    int previous;         // doubly linked list of live delimiters (indices into delimiters_)
    int next;
  };
  struct Bracket {
    Node* node;            // the "[" or "![" text node
    size_t text_start;     // where the link text starts
    int delimiter_bottom;  // the last delimiter before this bracket (-1 for none)
    bool image;
    bool active;
    bool bracket_after;    // another bracket was opened after this one (its text is no label)
  };

  void flush_text(size_t end);
  Node* append(NodeType type);
  Node* append_text(std::string_view text);

  void handle_line_end();
  void handle_backslash();
  void handle_backticks();
  void handle_delimiter_run();
  void handle_open_bracket(bool image);
  void handle_close_bracket();
  void handle_entity();
  void handle_angle_bracket();

  size_t find_closing_backticks(size_t from, size_t length);
  void process_emphasis(int bottom);
  void remove_delimiter(int index);
  void finish(Node* block);
  // GFM extended autolinks in the finished text nodes below `block` (gfm_autolink.cc).
  void link_extended_autolinks(Node* block);

  const Options& options_;
  Arena& arena_;
  const ReferenceMap& refs_;
  const bool* special_;  // the bytes that stop a text run

  std::string_view text_;
  size_t pos_ = 0;
  size_t run_start_ = 0;  // start of the pending plain text
  Node* block_ = nullptr;

  std::vector<Delimiter> delimiters_;
  int delimiter_top_ = -1;
  std::vector<Bracket> brackets_;
  // Code spans: the last run start seen for each backtick-run length, and whether a scan has
  // already reached the end of the text.
  std::vector<size_t> backtick_positions_;
  bool backticks_scanned_ = false;
  HtmlScanMemo html_memo_;
  std::vector<Node*> work_;  // scratch for finish()
};

}  // namespace sfs::markdown
