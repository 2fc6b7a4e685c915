// sfs::markdown — CommonMark 0.31.2 and GitHub Flavored Markdown, to HTML or to a document tree.
//
//   std::string html = markdown::to_html("# Hello\n\n*world*\n");
//   // "<h1>Hello</h1>\n<p><em>world</em></p>\n"
//
//   markdown::Document doc = markdown::parse(text, {.gfm = true});
//   for (const markdown::Node* block : doc.root().children()) {
//     if (block->type() == markdown::NodeType::kHeading)       // a table of contents
//       toc.push_back({block->level(), markdown::plain_text(*block)});
//   }
//   const markdown::Node* first = doc.root().find_first(markdown::NodeType::kParagraph);
//   std::string excerpt = first ? markdown::render_html(*first) : "";   // "<p>...</p>\n"
//
// Parsing never fails: every byte string is a Markdown document (invalid UTF-8 is passed through,
// U+0000 becomes U+FFFD). Time is linear in the input on every input, including the pathological
// ones (deep nesting, long delimiter runs); nesting depth is not limited by the C++ stack, because
// nothing in the parser or the renderer recurses on the document's structure.
//
// How it works: block_parser.cc turns lines into the block tree (the "phase 1" of the spec's
// appendix), inline_parser.cc turns each paragraph's and heading's text into inline nodes
// (phase 2, with the delimiter-stack algorithm for emphasis), html_renderer.cc walks the tree.
// See README.md for the design.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace sfs::markdown {

struct Options {
  // GitHub Flavored Markdown (GFM 0.29) extensions: tables, strikethrough (~one~ or ~~two~~
  // tildes), extended autolinks (www.x.com, https://x.com, a@b.com), task list items ("- [x]"),
  // and the tag filter (raw <script>, <style>, <iframe>, ... are neutralised as "&lt;script>").
  bool gfm = false;
  // For untrusted input: raw HTML (blocks and inline) is replaced by "<!-- raw HTML omitted -->",
  // and link / image URLs whose scheme is javascript:, vbscript:, file: or data: (except
  // data:image/png, gif, jpeg, webp) are emptied — the behaviour of cmark without --unsafe.
  bool safe = false;
};

enum class NodeType : uint8_t {
  // Blocks.
  kDocument,       // the root
  kBlockQuote,
  kList,           // children are kItem; see ordered(), start(), tight(), delimiter()
  kItem,           // children are blocks; task() in GFM mode
  kCodeBlock,      // literal() is the code (each line ends in '\n'); info(), language(), fenced()
  kHtmlBlock,      // literal() is the raw HTML, line endings included
  kParagraph,      // children are inlines
  kHeading,        // children are inlines; level() 1-6, setext()
  kThematicBreak,
  kTable,          // GFM; children are kTableRow, the first one is the header row
  kTableRow,       // children are kTableCell; header() tells the head row
  kTableCell,      // children are inlines; alignment()
  // Inlines.
  kText,           // literal(): the text, entities and escapes already decoded
  kSoftBreak,      // a line ending inside a paragraph
  kLineBreak,      // a hard line break
  kCode,           // literal(): the code span's content
  kHtmlInline,     // literal(): the raw HTML
  kEmphasis,
  kStrong,
  kStrikethrough,  // GFM
  kLink,           // url(), title(); children are the link text
  kImage,          // url(), title(); children are the description (alt text)
};

// The name of a type: "document", "block_quote", "text", ... (as in cmark's XML).
std::string_view type_name(NodeType type);

enum class Alignment : uint8_t { kNone, kLeft, kCenter, kRight };
enum class TaskState : uint8_t { kNone, kUnchecked, kChecked };

// One node of a Document. Nodes are owned by their Document and live as long as it does; a Node
// is never copied or built by users. All accessors are O(1).
class Node {
 public:
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  NodeType type() const { return type_; }
  bool is_block() const { return type_ <= NodeType::kTableCell; }

  const Node* parent() const { return parent_; }
  const Node* first_child() const { return first_child_; }
  const Node* last_child() const { return last_child_; }
  const Node* next() const { return next_; }
  const Node* previous() const { return previous_; }

  // The children, for range-for: `for (const Node* child : node.children())`.
  class ChildRange {
   public:
    class Iterator {
     public:
      explicit Iterator(const Node* node) : node_(node) {}
      const Node* operator*() const { return node_; }
      Iterator& operator++() {
        node_ = node_->next_;
        return *this;
      }
      bool operator!=(const Iterator& other) const { return node_ != other.node_; }
      bool operator==(const Iterator& other) const { return node_ == other.node_; }

     private:
      const Node* node_;
    };
    explicit ChildRange(const Node* first) : first_(first) {}
    Iterator begin() const { return Iterator(first_); }
    Iterator end() const { return Iterator(nullptr); }

   private:
    const Node* first_;
  };
  ChildRange children() const { return ChildRange(first_child_); }

  // The first node of `type` in this subtree (this node included), in document order; null if
  // there is none.
  const Node* find_first(NodeType type) const;

  // kText, kCode, kHtmlInline, kHtmlBlock, kCodeBlock: the content. Empty for other types.
  std::string_view literal() const { return literal_; }
  // kLink, kImage: the destination, escapes and entities decoded, not yet percent-encoded.
  std::string_view url() const { return type_ == NodeType::kLink || type_ == NodeType::kImage ? url_ : std::string_view(); }
  // kLink, kImage: the title ("" when there is none).
  std::string_view title() const { return title_; }
  // kCodeBlock: the info string after the opening fence, decoded ("" for indented code).
  std::string_view info() const { return type_ == NodeType::kCodeBlock ? url_ : std::string_view(); }
  // kCodeBlock: the first word of the info string (used as class="language-...").
  std::string_view language() const;
  bool fenced() const { return (flags_ & kFenced) != 0; }
  // kHeading: 1-6.
  int level() const { return type_ == NodeType::kHeading ? number_ : 0; }
  // kHeading: underlined (=== / ---) rather than ATX (#).
  bool setext() const { return (flags_ & kSetext) != 0; }
  // kList.
  bool ordered() const { return (flags_ & kOrdered) != 0; }
  int start() const { return type_ == NodeType::kList ? number_ : 0; }  // ordered lists
  bool tight() const { return (flags_ & kTight) != 0; }
  // kList: the bullet ('-', '+', '*') or the ordered delimiter ('.', ')').
  char delimiter() const { return delimiter_; }
  // kItem (GFM): whether it starts with "[ ]" or "[x]" (the marker is not in the text).
  TaskState task() const { return static_cast<TaskState>(type_ == NodeType::kItem ? aux_ : 0); }
  // kTableCell: the column's alignment.
  Alignment alignment() const { return static_cast<Alignment>(type_ == NodeType::kTableCell ? aux_ : 0); }
  // kTableRow: the header row.
  bool header() const { return (flags_ & kHeader) != 0; }
  // Blocks: the 1-based line of the source where the block starts. 0 for inlines.
  int line() const { return static_cast<int>(line_); }

 private:
  // The parsers build and edit nodes; users only read them.
  friend class Arena;
  friend class Tree;
  friend class BlockParser;
  friend class InlineParser;
  friend class HtmlRenderer;
  Node() = default;

  enum Flag : uint8_t {
    kLastLineBlank = 1,  // while parsing: the block's last line was blank
    kEndsBlank = 2,      // while parsing: it, or its last item / last child item, ends blank
    kFenced = 4,
    kSetext = 8,
    kOrdered = 16,
    kTight = 32,
    kHeader = 64,
  };

  NodeType type_ = NodeType::kDocument;
  uint8_t flags_ = 0;
  uint8_t aux_ = 0;  // TaskState for items, Alignment for cells
  char delimiter_ = 0;
  int32_t number_ = 0;  // heading level, list start
  uint32_t line_ = 0;
  Node* parent_ = nullptr;
  Node* first_child_ = nullptr;
  Node* last_child_ = nullptr;
  Node* previous_ = nullptr;
  Node* next_ = nullptr;
  std::string_view literal_;
  std::string_view url_;    // link destination; code block info string
  std::string_view title_;  // link title
};

class Arena;

// A parsed document: the tree and the memory it points into. Movable, not copyable.
class Document {
 public:
  Document();
  ~Document();
  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;

  const Node& root() const { return *root_; }
  const Options& options() const { return options_; }

 private:
  friend Document parse(std::string_view, const Options&);
  friend std::string to_html(std::string_view, const Options&);

  std::unique_ptr<Arena> arena_;
  std::string source_;  // the text every string_view of the tree may point into
  Node* root_ = nullptr;
  Options options_;
};

// Walks a subtree in document order without recursion, entering each node and, when it has
// children, leaving it after them (like cmark's iterator, which also leaves empty containers):
//
//   Walker walker(doc.root());
//   while (auto step = walker.next()) {
//     if (step.entering && step.node->type() == NodeType::kLink) ...
//   }
class Walker {
 public:
  struct Step {
    const Node* node = nullptr;
    bool entering = false;
    explicit operator bool() const { return node != nullptr; }
  };
  explicit Walker(const Node& root) : root_(&root), next_{&root, true} {}
  // The next step; a null node when the walk is over.
  Step next();

 private:
  const Node* root_;
  Step next_;
};

// Parses `markdown` (copied into the Document) into a tree.
Document parse(std::string_view markdown, const Options& options = {});

// Markdown to HTML in one step (the output of cmark / cmark-gfm for the same options).
std::string to_html(std::string_view markdown, const Options& options = {});

// The same HTML, handed to `sink` in pieces of about 64 KiB as it is produced, for large inputs:
// memory then grows with the document's block structure, not with its HTML.
void write_html(std::string_view markdown, const Options& options,
                const std::function<void(std::string_view)>& sink);

// HTML for one subtree of a parsed document: a block (with its trailing newline) or an inline.
std::string render_html(const Node& node, const Options& options = {});

// The text of a subtree without markup: text and code spans as they read, line breaks as '\n'
// (soft breaks as ' '), image descriptions included. For headings in a table of contents, for
// excerpts, for alt text.
std::string plain_text(const Node& node);

// `sfs markdown [FILE...] [--gfm] [--safe]`.
int cli_main(int argc, char** argv);

}  // namespace sfs::markdown
