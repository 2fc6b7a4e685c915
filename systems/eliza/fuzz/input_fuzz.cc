// libFuzzer harness for the engine's input side: the bytes are lines typed to ELIZA (as an IRC
// user could send them), answered with the built-in DUCK script. Every line must get a reply
// without crashing, and the conversation state (reassembly counters, memory queue, LIMIT) must
// survive any sequence of lines.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "systems/eliza/eliza.h"

namespace {

std::shared_ptr<const sfs::eliza::Script> duck() {
  static const auto script = [] {
    auto parsed = sfs::eliza::parse_script(sfs::eliza::default_script_text(), "duck");
    if (!parsed.is_ok()) __builtin_trap();
    return std::make_shared<const sfs::eliza::Script>(std::move(*parsed));
  }();
  return script;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  sfs::eliza::Eliza eliza(duck());
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (eliza.respond(text.substr(start, end - start)).empty()) __builtin_trap();
    start = end + 1;
  }
  return 0;
}
