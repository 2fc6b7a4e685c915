// Phase 1 of CommonMark parsing: lines -> the tree of blocks.
//
// Each line is offered to the open blocks from the root down (the "open stack": the document,
// then the last child at every level that may still take lines). A block quote continues if the
// line has a '>', a list item if the line is indented far enough, a paragraph if the line is not
// blank, and so on; each match consumes that block's prefix of the line. Where matching stops,
// the rest of the line may start new blocks (a '>' opens a quote, "- " a list item, "```" a
// fence...). What is left is text: it goes to the open leaf (paragraph, code, HTML), or, when no
// container matched but the open leaf is a paragraph, it continues that paragraph lazily.
//
//   line ──► match open blocks ──► open new blocks ──► add text to the leaf
//            (match_containers)    (open_new_blocks)   (add_text)
//                   │ unmatched blocks close (close_block): paragraphs give up their link
//                   ▼ reference definitions, lists decide tight or loose
//
// Columns, not bytes, measure indentation: a tab advances to the next multiple of 4, and a tab
// that a container prefix only partly uses leaves the rest as spaces (partially_consumed_tab_).
//
// Leaf text (a paragraph's lines, a code block's lines) is kept as one slice of the source while
// the lines are adjacent there (the common case at the top level), and copied into a buffer only
// when something sits between them (a "> " prefix, stripped indentation). Inline content is not
// parsed here: paragraphs, headings and table cells keep their raw text in Node::literal_ until
// phase 2 (inline_parser.h), which needs every link reference definition first.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "formats/markdown/markdown.h"

namespace sfs::markdown {

class Arena;

// A link reference definition: [label]: url "title", with escapes and entities decoded.
struct LinkReference {
  std::string_view url;
  std::string_view title;
};
// Keyed by normalize_label(label); the first definition of a label wins.
using ReferenceMap = std::unordered_map<std::string, LinkReference>;

class BlockParser {
 public:
  // `source` must outlive the tree (leaf text points into it); U+0000 must already be replaced.
  BlockParser(std::string_view source, const Options& options, Arena& arena, ReferenceMap& refs);

  // Parses the whole source; returns the document node. Leaves needing inline parsing (kParagraph,
  // kHeading, kTableCell) hold their raw text in literal_.
  Node* parse();

 private:
  struct OpenBlock {
    Node* node;
    int item_indent = 0;   // kItem: columns of the marker and its padding
    char fence_char = 0;   // fenced kCodeBlock
    int fence_length = 0;
    int fence_indent = 0;
    int html_kind = 0;     // kHtmlBlock: 1-7
    int table_columns = 0; // kTable
    size_t table_filler_cells = 0;
    uint32_t blank_mark_line = 0;  // the line that last marked it "last line blank" (0: none)
  };
  // "Every open block at a level <= max_level was touched (its last line was not blank) at
  // `line`". Kept as a stack with decreasing max_level; see add_text.
  struct Touch {
    uint32_t line;
    uint32_t max_level;
  };

  // The text of the open leaf; see the file comment.
  struct LeafText {
    bool buffered = false;
    size_t begin = 0;  // source range while !buffered
    size_t end = 0;
    std::string buffer;
    size_t kept_length = 0;  // indented code: length up to the end of the last non-blank line
    size_t size() const { return buffered ? buffer.size() : end - begin; }
  };

  void process_line();
  // Returns false when the line was used up (a closing code fence).
  bool match_containers(size_t* matched, bool* all_matched);
  void open_new_blocks(size_t* container_index);
  void add_text(size_t container_index, bool lazy);

  // Column bookkeeping for the current line.
  void find_first_nonspace();
  void advance_offset(int count, bool columns);
  void advance_to_first_nonspace();

  // Tree building.
  Node* add_block(size_t* container_index, NodeType type);
  void close_block();                     // closes open_.back()
  void close_blocks_above(size_t index);  // closes everything deeper than open_[index]
  void touch_levels_below(size_t level);
  uint32_t last_touch(size_t level) const;
  // Keeps blank_fail_ right for the block at the top of the open stack.
  void update_blank_fail();
  // Pops the top of the open stack without finalising it (the caller already did).
  void pop_open();
  static bool can_contain(NodeType parent, NodeType child);

  // Leaf text.
  void append_line_to_leaf(bool from_first_nonspace);
  std::string_view leaf_view() const;
  std::string_view take_leaf_text(std::string_view text);
  void reset_leaf();

  // Block starts (each returns false, consuming nothing, when the line does not start one).
  bool try_atx_heading(size_t* container_index);
  bool try_fence(size_t* container_index);
  bool try_setext_underline(size_t* container_index);
  bool try_thematic_break(size_t* container_index);
  bool try_list_item(size_t* container_index, bool in_paragraph);
  bool try_table(size_t* container_index);
  bool is_closing_fence(const OpenBlock& block) const;

  // Link reference definitions at the start of `text`; returns the bytes they take.
  size_t parse_reference_definitions(std::string_view text);
  size_t parse_reference_definition(std::string_view text, size_t pos);

  // GFM tables.
  void add_table_row(OpenBlock& table, std::string_view line, bool header);
  void finalize_paragraph(Node* node);
  void detect_task_marker(Node* paragraph);

  std::string_view source_;
  const Options& options_;
  Arena& arena_;
  ReferenceMap& refs_;
  Node* document_ = nullptr;
  std::vector<OpenBlock> open_;
  // Indices into open_ of the blocks a blank line cannot continue (block quotes, paragraphs,
  // tables, empty list items, HTML blocks of kind 6 and 7), ascending.
  std::vector<size_t> blank_fail_;
  std::vector<Touch> touches_;
  LeafText leaf_;
  std::vector<std::string_view> table_cells_;  // scratch for GFM table rows
  std::vector<Alignment> table_aligns_;

  // The current line, without its line ending, and where it sits in the source.
  std::string_view line_;
  size_t line_start_ = 0;  // source offset of line_[0]
  size_t line_next_ = 0;   // source offset just past the line ending
  uint32_t line_number_ = 0;
  size_t offset_ = 0;
  int column_ = 0;
  bool partially_consumed_tab_ = false;
  size_t first_nonspace_ = 0;
  int first_nonspace_column_ = 0;
  int indent_ = 0;
  bool blank_ = false;
  bool first_nonspace_valid_ = false;
  char thematic_fail_char_ = 0;  // see try_thematic_break
  size_t thematic_fail_end_ = 0;
  Node* consumed_by_ = nullptr;  // the block that used up the whole line, if any
};

}  // namespace sfs::markdown
