// libFuzzer harness for the script reader and, when a script parses, the engine running it.
//
// The bytes are a script. Whatever they hold, parse_script() must return a Script or an error
// (never crash, hang or overflow the stack), and a Script it accepts must be safe to run: a few
// fixed lines and a line made of the script's own keywords go through Eliza::respond(), which must
// return without tripping a sanitizer (links that loop, PRE that grows the text, NEWKEY chains).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "systems/eliza/eliza.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto script = sfs::eliza::parse_script(text, "fuzz");
  if (!script.is_ok()) return 0;
  std::string keywords;
  size_t count = 0;
  for (const auto& [word, keyword] : script->keywords) {
    if (++count > 50) break;
    keywords += word + " ";
  }
  sfs::eliza::Eliza eliza(std::make_shared<const sfs::eliza::Script>(std::move(*script)));
  // Enough rounds to cycle reassemblies and reach LIMIT 4 (memory recall); fewer under the
  // sanitizers, where the replay test runs 20,000 of these.
#if defined(SFS_SANITIZE)
  constexpr int kRounds = 1;
#else
  constexpr int kRounds = 2;
#endif
  for (int round = 0; round < kRounds; ++round) {
    eliza.respond(keywords);
    eliza.respond("my mother is like me, but not really.");
    eliza.respond("");
    eliza.respond(keywords + ", " + keywords);
  }
  return 0;
}
