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

#include <string>
#include <string_view>

#include "formats/markdown/markdown.h"

namespace sfs::markdown {

class HtmlRenderer {
 public:
  HtmlRenderer(const Options& options, std::string* out) : options_(options), out_(*out) {}

  // Appends the HTML of `root` and everything below it.
  void render(const Node& root);

 private:
  void enter(const Node* node);
  void leave(const Node* node);
  // Inside an image description only text survives (it becomes the alt attribute).
  void enter_plain(const Node* node);

  void cr() {
    if (!out_.empty() && out_.back() != '\n') out_.push_back('\n');
  }
  void put(std::string_view text) { out_.append(text); }
  void escape_html(std::string_view text);
  void escape_href(std::string_view url);
  void raw_html(std::string_view html);
  void url_attribute(std::string_view url);

  const Options& options_;
  std::string& out_;
  const Node* plain_ = nullptr;  // the image whose alt text is being written
};

}  // namespace sfs::markdown
