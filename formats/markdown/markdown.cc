// The public entry points (markdown.h): parse, to_html, render_html, plain_text, and the small
// Node / Document / Walker helpers. The pipeline is
//
//   text ──► (U+0000 -> U+FFFD) ──► BlockParser ──► InlineParser ──► tree ──► HtmlRenderer
//                                   block_parser.cc  inline_parser.cc          html_renderer.cc
#include <cstring>
#include <functional>

#include "formats/markdown/arena.h"
#include "formats/markdown/block_parser.h"
#include "formats/markdown/chars.h"
#include "formats/markdown/html_renderer.h"
#include "formats/markdown/inline_parser.h"
#include "formats/markdown/markdown.h"

namespace sfs::markdown {
namespace {

// "For security reasons, the Unicode character U+0000 must be replaced with the REPLACEMENT
// CHARACTER (U+FFFD)." Returns true and fills *out when the text has any.
bool replace_nul(std::string_view text, std::string* out) {
  if (std::memchr(text.data(), '\0', text.size()) == nullptr) return false;
  out->clear();
  out->reserve(text.size() + 16);
  for (char c : text) {
    if (c == '\0') {
      out->append("\xEF\xBF\xBD");
    } else {
      out->push_back(c);
    }
  }
  return true;
}

Node* build_tree(std::string_view source, const Options& options, Arena& arena) {
  ReferenceMap refs;
  BlockParser blocks(source, options, arena, refs);
  Node* root = blocks.parse();
  InlineParser inlines(options, arena, refs);
  inlines.parse_all(root);
  return root;
}

}  // namespace

std::string_view type_name(NodeType type) {
  switch (type) {
    case NodeType::kDocument: return "document";
    case NodeType::kBlockQuote: return "block_quote";
    case NodeType::kList: return "list";
    case NodeType::kItem: return "item";
    case NodeType::kCodeBlock: return "code_block";
    case NodeType::kHtmlBlock: return "html_block";
    case NodeType::kParagraph: return "paragraph";
    case NodeType::kHeading: return "heading";
    case NodeType::kThematicBreak: return "thematic_break";
    case NodeType::kTable: return "table";
    case NodeType::kTableRow: return "table_row";
    case NodeType::kTableCell: return "table_cell";
    case NodeType::kText: return "text";
    case NodeType::kSoftBreak: return "softbreak";
    case NodeType::kLineBreak: return "linebreak";
    case NodeType::kCode: return "code";
    case NodeType::kHtmlInline: return "html_inline";
    case NodeType::kEmphasis: return "emph";
    case NodeType::kStrong: return "strong";
    case NodeType::kStrikethrough: return "strikethrough";
    case NodeType::kLink: return "link";
    case NodeType::kImage: return "image";
  }
  return "unknown";
}

std::string_view Node::language() const {
  std::string_view info = this->info();
  size_t end = 0;
  while (end < info.size() && !chars::is_whitespace(info[end])) ++end;
  return info.substr(0, end);
}

const Node* Node::find_first(NodeType type) const {
  Walker walker(*this);
  while (auto step = walker.next()) {
    if (step.entering && step.node->type() == type) return step.node;
  }
  return nullptr;
}

Walker::Step Walker::next() {
  Step step = next_;
  if (!step.node) return step;
  const Node* node = step.node;
  if (step.entering && node->first_child()) {
    next_ = {node->first_child(), true};
  } else if (node == root_) {
    next_ = {};
  } else if (node->next()) {
    next_ = {node->next(), true};
  } else {
    next_ = {node->parent(), false};
  }
  return step;
}

Document::Document() : arena_(std::make_unique<Arena>()) {}
Document::~Document() = default;
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;

Document parse(std::string_view markdown, const Options& options) {
  Document doc;
  doc.options_ = options;
  if (!replace_nul(markdown, &doc.source_)) doc.source_.assign(markdown);
  doc.root_ = build_tree(doc.source_, options, *doc.arena_);
  return doc;
}

namespace {

// to_html and write_html: blocks first, then each block's inlines parsed just before they are
// rendered, into a scratch arena that is reset after every block (see HtmlRenderer). The tree may
// point into the caller's text directly: it does not outlive the call.
void render_streaming(std::string_view markdown, const Options& options, std::string* out,
                      const std::function<void(std::string_view)>* sink) {
  std::string replaced;
  std::string_view source = replace_nul(markdown, &replaced) ? std::string_view(replaced) : markdown;
  Arena arena;
  ReferenceMap refs;
  BlockParser blocks(source, options, arena, refs);
  Node* root = blocks.parse();
  Arena scratch;
  InlineParser inlines(options, scratch, refs);
  HtmlRenderer renderer(options, out);
  renderer.parse_inlines_lazily(&inlines, &scratch);
  if (sink) renderer.stream_to(sink, 1 << 16);
  renderer.render(*root);
}

}  // namespace

std::string to_html(std::string_view markdown, const Options& options) {
  std::string out;
  out.reserve(markdown.size() + markdown.size() / 4 + 64);
  render_streaming(markdown, options, &out, nullptr);
  return out;
}

void write_html(std::string_view markdown, const Options& options,
                const std::function<void(std::string_view)>& sink) {
  std::string buffer;
  buffer.reserve((1 << 16) + 4096);
  render_streaming(markdown, options, &buffer, &sink);
}

std::string render_html(const Node& node, const Options& options) {
  std::string out;
  HtmlRenderer(options, &out).render(node);
  return out;
}

std::string plain_text(const Node& node) {
  std::string out;
  Walker walker(node);
  while (auto step = walker.next()) {
    if (!step.entering) {
      // Separate blocks by a newline.
      if (step.node->is_block() && step.node != &node && !out.empty() && out.back() != '\n') out.push_back('\n');
      continue;
    }
    switch (step.node->type()) {
      case NodeType::kText:
      case NodeType::kCode:
      case NodeType::kCodeBlock:
        out.append(step.node->literal());
        break;
      case NodeType::kSoftBreak:
        out.push_back(' ');
        break;
      case NodeType::kLineBreak:
        out.push_back('\n');
        break;
      default:
        break;
    }
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace sfs::markdown
