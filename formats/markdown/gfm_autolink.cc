// GFM "extended autolinks": www.example.com, https://example.com/path, user@example.com found in
// plain text, without angle brackets (GFM 0.29, section "Autolinks (extension)").
//
// They are found after emphasis, in the merged text nodes (InlineParser::finish), outside links
// and images. Working on finished text rather than during the left-to-right pass keeps the core
// parser free of look-behind: an email's local part may contain '_' and '.', which the first pass
// has already split into delimiter runs. cmark-gfm does the same for emails.
//
//   www.  + domain + path       -> <a href="http://www...">
//   http:// https:// ftp:// + domain + path
//   local@domain                -> <a href="mailto:...">
//
// A www or scheme link must start a line or follow whitespace or one of * _ ~ (. Its end is
// trimmed: trailing ? ! . , : * _ ~ ' " go, a ')' goes while there are more ')' than '(' in the
// link, and a trailing entity-like "&name;" (or a lone ';') goes.
#include <cstring>

#include "formats/markdown/arena.h"
#include "formats/markdown/chars.h"
#include "formats/markdown/inline_parser.h"
#include "formats/markdown/tree.h"

namespace sfs::markdown {
namespace {

bool is_domain_char(char c) { return chars::is_alnum(c) || c == '-' || c == '_'; }

// Domain segments separated by single periods, from text[pos]. Returns the end (pos if none).
// *valid is false when an underscore sits in one of the last two segments, which start at
// *tail_start.
size_t scan_domain(std::string_view text, size_t pos, bool* valid, size_t* tail_start) {
  size_t n = text.size();
  size_t i = pos;
  size_t last_segment = pos, previous_segment = pos;
  while (i < n && is_domain_char(text[i])) {
    previous_segment = last_segment;
    last_segment = i;
    while (i < n && is_domain_char(text[i])) ++i;
    if (i + 1 < n && text[i] == '.' && is_domain_char(text[i + 1])) {
      ++i;
    } else {
      break;
    }
  }
  std::string_view tail = text.substr(previous_segment, i - previous_segment);
  *valid = i > pos && tail.find('_') == std::string_view::npos;
  *tail_start = previous_segment;
  return i;
}

// Applies the trailing-punctuation rules to text[start, end); returns the new end.
size_t trim_link_end(std::string_view text, size_t start, size_t end) {
  // Parentheses are counted once; trimming adjusts the counts (a link ending in a thousand ')'
  // must not be recounted a thousand times).
  size_t open = 0, close = 0;
  for (size_t i = start; i < end; ++i) {
    if (text[i] == '(') ++open;
    if (text[i] == ')') ++close;
  }
  for (;;) {
    if (end <= start) return end;
    char c = text[end - 1];
    if (std::strchr("?!.,:*_~'\"", c) != nullptr) {
      --end;
      continue;
    }
    if (c == ';') {
      size_t i = end - 1;
      while (i > start && chars::is_alnum(text[i - 1])) --i;
      end = (i > start && i < end - 1 && text[i - 1] == '&') ? i - 1 : end - 1;
      // Recount: the entity-like tail held no parentheses, a lone ';' neither.
      continue;
    }
    if (c == ')' && close > open) {
      --close;
      --end;
      continue;
    }
    return end;
  }
}

bool starts_with_ci(std::string_view text, size_t pos, std::string_view prefix) {
  if (text.size() - pos < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (chars::lower(text[pos + i]) != prefix[i]) return false;
  }
  return true;
}

// Whether a www/scheme autolink may start at text[i] of `node`.
// At the start of the node, look at what precedes it: nothing (the start of a line or of an
// emphasis), a line break, or the closing delimiter of an emphasis.
bool may_start_link(std::string_view text, size_t i, const Node* previous) {
  if (i > 0) {
    char c = text[i - 1];
    return chars::is_whitespace(c) || c == '*' || c == '_' || c == '~' || c == '(';
  }
  if (!previous) return true;
  NodeType t = previous->type();
  return t == NodeType::kSoftBreak || t == NodeType::kLineBreak || t == NodeType::kEmphasis ||
         t == NodeType::kStrong || t == NodeType::kStrikethrough;
}

}  // namespace

void InlineParser::link_extended_autolinks(Node* block) {
  work_.clear();
  work_.push_back(block);
  while (!work_.empty()) {
    Node* parent = work_.back();
    work_.pop_back();
    for (Node* child = parent->first_child_; child; child = child->next_) {
      if (child->type_ == NodeType::kLink || child->type_ == NodeType::kImage) continue;
      if (child->type_ != NodeType::kText) {
        if (child->first_child_) work_.push_back(child);
        continue;
      }
      // Scan this text node; a match splits it into text, link, text and scanning goes on in
      // the last piece.
      std::string_view text = child->literal_;
      size_t n = text.size();
      // A domain that failed validation fails from every later start before its last two
      // segments too (same end, same last two segments): skip those instead of rescanning.
      size_t failed_tail_start = 0;
      for (size_t i = 0; i < n; ++i) {
        char c = text[i];
        size_t start = i, end = 0;
        enum { kNone, kWww, kUrl, kEmail } kind = kNone;
        if (c == 'w' || c == 'h' || c == 'H' || c == 'f' || c == 'F') {
          size_t domain_start = 0;
          if (c == 'w' && text.substr(i).starts_with("www.")) {
            if (may_start_link(text, i, child->previous_)) {
              domain_start = i;  // "www" is the domain's first segment
              kind = kWww;
            }
          } else if (i == 0 || !chars::is_alpha(text[i - 1])) {
            // A scheme only needs not to be the tail of a longer word (as in cmark-gfm, which
            // finds it by looking back from the ':').
            if (starts_with_ci(text, i, "http://")) {
              domain_start = i + 7, kind = kUrl;
            } else if (starts_with_ci(text, i, "https://")) {
              domain_start = i + 8, kind = kUrl;
            } else if (starts_with_ci(text, i, "ftp://")) {
              domain_start = i + 6, kind = kUrl;
            }
          }
          if (kind == kUrl && (domain_start >= n || !chars::is_alnum(text[domain_start]))) kind = kNone;
          if (kind != kNone && domain_start < failed_tail_start) kind = kNone;
          if (kind != kNone) {
            bool valid;
            size_t tail_start;
            size_t domain_end = scan_domain(text, domain_start, &valid, &tail_start);
            if (!valid) failed_tail_start = tail_start;
            if (kind == kWww && domain_end <= i + 4) valid = false;
            if (valid) {
              size_t path_end = domain_end;
              while (path_end < n && !chars::is_whitespace(text[path_end]) && text[path_end] != '<') ++path_end;
              end = trim_link_end(text, start, path_end);
              if (end <= domain_start) kind = kNone;
            } else {
              kind = kNone;
            }
          }
        } else if (c == '@') {
          size_t local = i;
          while (local > 0 && (chars::is_alnum(text[local - 1]) || text[local - 1] == '.' ||
                                   text[local - 1] == '-' || text[local - 1] == '_' || text[local - 1] == '+'))
            --local;
          if (local < i) {
            // Segments of [alnum - _] separated by single periods; a final period is not part
            // of it; at least one period; not ending in '-' or '_'.
            size_t j = i + 1;
            bool has_period = false;
            while (j < n && is_domain_char(text[j])) {
              while (j < n && is_domain_char(text[j])) ++j;
              if (j + 1 < n && text[j] == '.' && is_domain_char(text[j + 1])) {
                has_period = true;
                ++j;
              }
            }
            size_t domain_end = j;
            std::string_view domain = text.substr(i + 1, domain_end - i - 1);
            bool valid = has_period && domain.back() != '-' && domain.back() != '_' &&
                         (j >= n || (text[j] != '@' && !is_domain_char(text[j])));
            if (valid) {
              kind = kEmail;
              start = local;
              end = domain_end;
            }
          }
        }
        if (kind == kNone) continue;

        // Split: [0, start) stays in `child`, the link, then [end, n) in a new text node.
        std::string_view link_text = text.substr(start, end - start);
        Node* link = arena_.new_node(NodeType::kLink);
        if (kind == kWww || kind == kEmail) {
          std::string_view scheme = kind == kWww ? "http://" : "mailto:";
          char* out = arena_.allocate(scheme.size() + link_text.size());
          std::memcpy(out, scheme.data(), scheme.size());
          std::memcpy(out + scheme.size(), link_text.data(), link_text.size());
          link->url_ = std::string_view(out, scheme.size() + link_text.size());
        } else {
          link->url_ = link_text;
        }
        Node* inner = arena_.new_node(NodeType::kText);
        inner->literal_ = link_text;
        Tree::append_child(link, inner);
        Tree::insert_after(child, link);
        Node* rest = nullptr;
        if (end < n) {
          rest = arena_.new_node(NodeType::kText);
          rest->literal_ = text.substr(end);
          Tree::insert_after(link, rest);
        }
        if (start == 0) {
          Tree::unlink(child);
        } else {
          child->literal_ = text.substr(0, start);
        }
        // Go on in `rest`, if any: the loop over children steps from `link` to it.
        child = link;
        break;
      }
    }
  }
}

}  // namespace sfs::markdown
