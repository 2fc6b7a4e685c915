// libFuzzer harness for the Markdown engine. The first byte picks the options (GFM, safe), the
// rest is the document. Besides "no crash, no hang, no sanitizer report", it checks that the
// two ways to get HTML agree: to_html(text) and render_html(parse(text).root()), and it walks
// the tree and extracts its plain text, as the site generator will.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "formats/markdown/markdown.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  sfs::markdown::Options options;
  options.gfm = (data[0] & 1) != 0;
  options.safe = (data[0] & 2) != 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  std::string html = sfs::markdown::to_html(text, options);
  sfs::markdown::Document doc = sfs::markdown::parse(text, options);
  if (sfs::markdown::render_html(doc.root(), options) != html) std::abort();

  size_t entered = 0, left = 0;
  sfs::markdown::Walker walker(doc.root());
  while (auto step = walker.next()) {
    if (step.entering) {
      ++entered;
      if (step.node->first_child() && step.node->first_child()->parent() != step.node) std::abort();
    } else {
      ++left;
    }
  }
  if (left > entered) std::abort();
  (void)sfs::markdown::plain_text(doc.root());
  return 0;
}
