// libFuzzer harness over the whole pipeline: scanner, compiler, disassembler, VM and collector.
//
// The input is a Lox program. It is disassembled (when it compiles) and run with small limits
// (steps, heap, string length, stack) so that every input finishes quickly: the harness looks for
// crashes, sanitizer reports and hangs, never for particular output. Every third input runs with
// the collector in stress mode, so a missing GC root shows up as a use-after-free; those get a
// tenth of the steps, since a full collection per allocation makes a growing heap quadratic.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "systems/lang/lang.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::FILE* sink = std::fopen("/dev/null", "w");
  std::string_view source(reinterpret_cast<const char*>(data), size);

  sfs::lang::Listing listing = sfs::lang::disassemble(source);
  (void)listing;

  sfs::lang::Options options;
  options.out = sink;
  options.err = sink;
  options.stress_gc = size % 3 == 0;
  options.max_steps = options.stress_gc ? 2000 : 20000;
  options.max_heap_bytes = 32 << 20;
  options.max_string_length = 1 << 16;
  options.max_frames = 512;
  options.stack_slots = 1 << 16;
  sfs::lang::Interpreter interpreter(options);
  (void)interpreter.run(source);
  return 0;
}
