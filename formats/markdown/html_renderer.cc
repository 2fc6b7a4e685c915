// HTML output (see html_renderer.h).
#include "formats/markdown/html_renderer.h"

#include <cstring>

#include "formats/markdown/arena.h"
#include "formats/markdown/chars.h"
#include "formats/markdown/inline_parser.h"

namespace sfs::markdown {
namespace {

// Bytes that escape_html must replace.
struct HtmlEscapes {
  bool special[256] = {};
  constexpr HtmlEscapes() {
    special[static_cast<unsigned char>('&')] = true;
    special[static_cast<unsigned char>('<')] = true;
    special[static_cast<unsigned char>('>')] = true;
    special[static_cast<unsigned char>('"')] = true;
  }
};
constexpr HtmlEscapes kHtmlEscapes;

// Bytes a URL keeps as they are (everything else is percent-encoded). '&' and '\'' are kept but
// still HTML-escaped.
struct HrefSafe {
  bool safe[256] = {};
  constexpr HrefSafe() {
    for (int c = 0; c < 128; ++c) {
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) safe[c] = true;
    }
    for (unsigned char c : std::string_view("-_.!~*'();/?:@&=+$,%#")) safe[c] = true;
  }
};
constexpr HrefSafe kHrefSafe;

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (chars::lower(text[i]) != prefix[i]) return false;
  }
  return true;
}

bool is_dangerous_url(std::string_view url) {
  if (starts_with_ci(url, "data:")) {
    return !(starts_with_ci(url, "data:image/png") || starts_with_ci(url, "data:image/gif") ||
             starts_with_ci(url, "data:image/jpeg") || starts_with_ci(url, "data:image/webp"));
  }
  return starts_with_ci(url, "javascript:") || starts_with_ci(url, "vbscript:") ||
         starts_with_ci(url, "file:");
}

// GFM tag filter: is text[i] == '<' the start of a filtered tag?
bool is_filtered_tag(std::string_view text, size_t i) {
  static constexpr std::string_view kTags[] = {"title",   "textarea", "style",  "xmp",      "iframe",
                                               "noembed", "noframes", "script", "plaintext"};
  size_t p = i + 1;
  if (p < text.size() && text[p] == '/') ++p;
  for (std::string_view tag : kTags) {
    if (!starts_with_ci(text.substr(p), tag)) continue;
    size_t e = p + tag.size();
    if (e >= text.size()) return true;
    char c = text[e];
    if (chars::is_whitespace(c) || c == '>') return true;
    if (c == '/' && e + 1 < text.size() && text[e + 1] == '>') return true;
  }
  return false;
}

bool in_tight_list(const Node* paragraph) {
  const Node* item = paragraph->parent();
  if (!item || item->type() != NodeType::kItem) return false;
  const Node* list = item->parent();
  return list && list->tight();
}

const char* align_attribute(Alignment a) {
  switch (a) {
    case Alignment::kLeft:
      return " align=\"left\"";
    case Alignment::kCenter:
      return " align=\"center\"";
    case Alignment::kRight:
      return " align=\"right\"";
    default:
      return "";
  }
}

void put_task_checkbox(std::string& out, const Node* paragraph) {
  const Node* item = paragraph->parent();
  if (!item || item->type() != NodeType::kItem || item->first_child() != paragraph) return;
  TaskState task = item->task();
  if (task == TaskState::kChecked) {
    out.append("<input checked=\"\" disabled=\"\" type=\"checkbox\"> ");
  } else if (task == TaskState::kUnchecked) {
    out.append("<input disabled=\"\" type=\"checkbox\"> ");
  }
}

}  // namespace

void HtmlRenderer::flush() {
  if (out_.empty()) return;
  flushed_last_ = out_.back();
  (*sink_)(out_);
  out_.clear();
}

void HtmlRenderer::render(const Node& root) {
  const Node* node = &root;
  bool entering = true;
  for (;;) {
    if (entering) {
      if (inlines_ && !node->literal_.empty() &&
          (node->type_ == NodeType::kParagraph || node->type_ == NodeType::kHeading ||
           node->type_ == NodeType::kTableCell)) {
        Node* leaf = const_cast<Node*>(node);
        std::string_view text = leaf->literal_;
        leaf->literal_ = {};
        inlines_->parse(leaf, text);
      }
      if (plain_) {
        enter_plain(node);
      } else {
        enter(node);
      }
      if (node->first_child()) {
        node = node->first_child();
        continue;
      }
    }
    if (plain_ == node) {
      plain_ = nullptr;
    }
    if (!plain_) leave(node);
    if (inlines_ && node->is_block() && node->first_child_ && !node->first_child_->is_block()) {
      // This block's inlines are written: give their memory back for the next block's.
      Node* leaf = const_cast<Node*>(node);
      leaf->first_child_ = leaf->last_child_ = nullptr;
      scratch_->reset();
    }
    if (sink_ && out_.size() >= chunk_ && node->is_block()) flush();
    if (node == &root) break;
    if (node->next()) {
      node = node->next();
      entering = true;
    } else {
      node = node->parent();
      entering = false;
    }
  }
  if (sink_) flush();
}

void HtmlRenderer::enter_plain(const Node* node) {
  switch (node->type()) {
    case NodeType::kText:
    case NodeType::kCode:
    case NodeType::kHtmlInline:
      escape_html(node->literal());
      break;
    case NodeType::kSoftBreak:
    case NodeType::kLineBreak:
      out_.push_back(' ');
      break;
    default:
      break;
  }
}

void HtmlRenderer::enter(const Node* node) {
  switch (node->type()) {
    case NodeType::kDocument:
      break;
    case NodeType::kBlockQuote:
      cr();
      put("<blockquote>\n");
      break;
    case NodeType::kList:
      cr();
      if (!node->ordered()) {
        put("<ul>\n");
      } else if (node->start() == 1) {
        put("<ol>\n");
      } else {
        put("<ol start=\"");
        put(std::to_string(node->start()));
        put("\">\n");
      }
      break;
    case NodeType::kItem:
      cr();
      put("<li>");
      break;
    case NodeType::kCodeBlock: {
      cr();
      std::string_view language = node->language();
      if (language.empty()) {
        put("<pre><code>");
      } else {
        put("<pre><code class=\"language-");
        escape_html(language);
        put("\">");
      }
      escape_html(node->literal());
      put("</code></pre>\n");
      break;
    }
    case NodeType::kHtmlBlock:
      cr();
      raw_html(node->literal());
      cr();
      break;
    case NodeType::kParagraph:
      if (!in_tight_list(node)) {
        cr();
        put("<p>");
      }
      if (options_.gfm) put_task_checkbox(out_, node);
      break;
    case NodeType::kHeading:
      cr();
      put("<h");
      out_.push_back(static_cast<char>('0' + node->level()));
      out_.push_back('>');
      break;
    case NodeType::kThematicBreak:
      cr();
      put("<hr />\n");
      break;
    case NodeType::kTable:
      cr();
      put("<table>\n");
      break;
    case NodeType::kTableRow:
      if (node->header()) {
        put("<thead>\n");
      } else if (node->previous() && node->previous()->header()) {
        put("<tbody>\n");
      }
      put("<tr>\n");
      break;
    case NodeType::kTableCell:
      put(node->parent()->header() ? "<th" : "<td");
      put(align_attribute(node->alignment()));
      out_.push_back('>');
      break;
    case NodeType::kText:
      escape_html(node->literal());
      break;
    case NodeType::kSoftBreak:
      out_.push_back('\n');
      break;
    case NodeType::kLineBreak:
      put("<br />\n");
      break;
    case NodeType::kCode:
      put("<code>");
      escape_html(node->literal());
      put("</code>");
      break;
    case NodeType::kHtmlInline:
      raw_html(node->literal());
      break;
    case NodeType::kEmphasis:
      put("<em>");
      break;
    case NodeType::kStrong:
      put("<strong>");
      break;
    case NodeType::kStrikethrough:
      put("<del>");
      break;
    case NodeType::kLink:
      put("<a href=\"");
      url_attribute(node->url());
      out_.push_back('"');
      if (!node->title().empty()) {
        put(" title=\"");
        escape_html(node->title());
        out_.push_back('"');
      }
      out_.push_back('>');
      break;
    case NodeType::kImage:
      put("<img src=\"");
      url_attribute(node->url());
      put("\" alt=\"");
      plain_ = node;
      break;
  }
}

void HtmlRenderer::leave(const Node* node) {
  switch (node->type()) {
    case NodeType::kBlockQuote:
      cr();
      put("</blockquote>\n");
      break;
    case NodeType::kList:
      cr();
      put(node->ordered() ? "</ol>\n" : "</ul>\n");
      break;
    case NodeType::kItem:
      put("</li>\n");
      break;
    case NodeType::kParagraph:
      if (!in_tight_list(node)) put("</p>\n");
      break;
    case NodeType::kHeading:
      put("</h");
      out_.push_back(static_cast<char>('0' + node->level()));
      put(">\n");
      break;
    case NodeType::kTable:
      if (node->last_child() && !node->last_child()->header()) put("</tbody>\n");
      put("</table>\n");
      break;
    case NodeType::kTableRow:
      put("</tr>\n");
      if (node->header()) put("</thead>\n");
      break;
    case NodeType::kTableCell:
      put(node->parent()->header() ? "</th>\n" : "</td>\n");
      break;
    case NodeType::kEmphasis:
      put("</em>");
      break;
    case NodeType::kStrong:
      put("</strong>");
      break;
    case NodeType::kStrikethrough:
      put("</del>");
      break;
    case NodeType::kLink:
      put("</a>");
      break;
    case NodeType::kImage:
      out_.push_back('"');
      if (!node->title().empty()) {
        put(" title=\"");
        escape_html(node->title());
        out_.push_back('"');
      }
      put(" />");
      break;
    default:
      break;
  }
}

void HtmlRenderer::escape_html(std::string_view text) {
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    const char* run = p;
    while (p < end && !kHtmlEscapes.special[static_cast<unsigned char>(*p)]) ++p;
    out_.append(run, static_cast<size_t>(p - run));
    if (p >= end) break;
    switch (*p) {
      case '&':
        out_.append("&amp;");
        break;
      case '<':
        out_.append("&lt;");
        break;
      case '>':
        out_.append("&gt;");
        break;
      case '"':
        out_.append("&quot;");
        break;
    }
    ++p;
  }
}

void HtmlRenderer::escape_href(std::string_view url) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const char* p = url.data();
  const char* end = p + url.size();
  while (p < end) {
    const char* run = p;
    while (p < end && kHrefSafe.safe[static_cast<unsigned char>(*p)] && *p != '&' && *p != '\'') ++p;
    out_.append(run, static_cast<size_t>(p - run));
    if (p >= end) break;
    unsigned char c = static_cast<unsigned char>(*p);
    if (c == '&') {
      out_.append("&amp;");
    } else if (c == '\'') {
      out_.append("&#x27;");
    } else {
      char buffer[3] = {'%', kHex[c >> 4], kHex[c & 15]};
      out_.append(buffer, 3);
    }
    ++p;
  }
}

void HtmlRenderer::url_attribute(std::string_view url) {
  if (options_.safe && is_dangerous_url(url)) return;
  escape_href(url);
}

void HtmlRenderer::raw_html(std::string_view html) {
  if (options_.safe) {
    put("<!-- raw HTML omitted -->");
    return;
  }
  if (!options_.gfm) {
    put(html);
    return;
  }
  size_t start = 0;
  for (size_t i = 0; i < html.size(); ++i) {
    if (html[i] == '<' && is_filtered_tag(html, i)) {
      out_.append(html.data() + start, i - start);
      out_.append("&lt;");
      start = i + 1;
    }
  }
  out_.append(html.data() + start, html.size() - start);
}

}  // namespace sfs::markdown
