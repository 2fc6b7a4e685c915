// The HTML renderer: walks a tree (or a subtree) once, entering and leaving nodes without
// recursion, and appends HTML to a string. The output is byte-for-byte what the CommonMark spec's
// examples show (and what cmark / cmark-gfm print): "<p>...</p>\n", "<hr />", a newline before
// each block tag unless one was just written, paragraphs without <p> in tight lists.
//
// Escaping: text and attribute values escape & < > " ; link and image URLs are percent-encoded
// (bytes outside the URL-safe ASCII set, and existing %XX left alone) and then HTML-escaped, as
// cmark's "houdini" href escaper does. --safe replaces raw HTML with a comment and empties
// javascript:, vbscript:, file: and non-image data: URLs. GFM's tag filter turns the '<' of
// <title>, <textarea>, <style>, <xmp>, <iframe>, <noembed>, <noframes>, <script>, <plaintext>
// in raw HTML into "&lt;".
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "formats/markdown/markdown.h"

namespace sfs::markdown {

class Arena;
class InlineParser;

class HtmlRenderer {
 public:
  HtmlRenderer(const Options& options, std::string* out) : options_(options), out_(*out) {}

  // Streaming mode for to_html / write_html: paragraphs, headings and cells still hold their raw
  // text, and `inlines` (allocating from `scratch`) parses each one just before it is rendered;
  // the scratch arena is reset after each, so memory holds the block tree and one block's
  // inlines, never the whole document's.
  void parse_inlines_lazily(InlineParser* inlines, Arena* scratch) {
    inlines_ = inlines;
    scratch_ = scratch;
  }
  // Hands the output to `sink` in pieces of about `chunk` bytes instead of keeping it all.
  void stream_to(const std::function<void(std::string_view)>* sink, size_t chunk) {
    sink_ = sink;
    chunk_ = chunk;
  }

  // Appends the HTML of `root` and everything below it (and flushes it to the sink, if any).
  void render(const Node& root);

 private:
  void enter(const Node* node);
  void leave(const Node* node);
  // Inside an image description only text survives (it becomes the alt attribute).
  void enter_plain(const Node* node);

  // A newline unless the output is empty or already ends in one.
  void cr() {
    char last = out_.empty() ? flushed_last_ : out_.back();
    if (last != 0 && last != '\n') out_.push_back('\n');
  }
  void flush();
  void put(std::string_view text) { out_.append(text); }
  void escape_html(std::string_view text);
  void escape_href(std::string_view url);
  void raw_html(std::string_view html);
  void url_attribute(std::string_view url);

  const Options& options_;
  std::string& out_;
  const Node* plain_ = nullptr;  // the image whose alt text is being written
  InlineParser* inlines_ = nullptr;
  Arena* scratch_ = nullptr;
  const std::function<void(std::string_view)>* sink_ = nullptr;
  size_t chunk_ = 0;
  char flushed_last_ = 0;  // the last byte handed to the sink (0: none yet)
};

}  // namespace sfs::markdown
