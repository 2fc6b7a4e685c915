// sfs lang: a bytecode virtual machine for the Lox language (Crafting Interpreters, R. Nystrom).
//
// The public face of the system: run Lox source, disassemble it, and the `sfs lang` command.
//
//   lang::Options options;            // output streams, GC stress, tracing, limits
//   lang::Interpreter lox(options);
//   lang::Outcome outcome = lox.run("print 1 + 2;");   // prints "3"
//   int exit_code = lang::exit_code(outcome);          // 0, 65 (compile error), 70 (runtime error)
//
// Globals persist across run() calls on one Interpreter (that is how the REPL works). An
// Interpreter is single-threaded; interrupt() may be called from a signal handler or another
// thread. Design: README.md in this folder; the instruction set: BYTECODE.md.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace sfs::lang {

enum class Outcome {
  kOk,
  kCompileError,  // errors were written to the error stream; nothing ran
  kRuntimeError,  // the message and a stack trace were written to the error stream
};

struct Options {
  std::FILE* out = stdout;  // `print` writes here
  std::FILE* err = stderr;  // compile and runtime errors
  bool stress_gc = false;   // collect garbage before every allocation (for tests)
  bool trace = false;       // print every instruction and the stack as it executes (to err)
  bool gc_stats = false;    // after each run, print collector statistics (to err)
  size_t max_heap_bytes = size_t{4} << 30;     // beyond this: runtime error "Out of memory."
  size_t max_string_length = size_t{1} << 30;  // longer concatenations: runtime error
  int64_t max_steps = -1;  // loop iterations + calls before "Step limit exceeded."; -1: none
  // Call depth and value-stack size: deeper recursion is the runtime error "Stack overflow."
  // Neither is touched before use, so the defaults cost only address space.
  int max_frames = 1 << 17;
  size_t stack_slots = size_t{1} << 20;
};

// The process exit code for an outcome, as the reference implementation uses them (sysexits.h:
// EX_DATAERR for compile errors, EX_SOFTWARE for runtime errors).
int exit_code(Outcome outcome);

class Vm;

class Interpreter {
 public:
  explicit Interpreter(const Options& options = Options());
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  Outcome run(std::string_view source);
  // True when `source` fails to compile only because it ends too early (an open block, string
  // or expression), so a REPL should read another line.
  bool needs_more_input(std::string_view source);
  void interrupt();

 private:
  std::unique_ptr<Vm> vm_;
};

// The bytecode listing of every function in `source`, or the compile errors.
struct Listing {
  bool ok = false;
  std::string text;  // the listing when ok, the error lines otherwise
};
Listing disassemble(std::string_view source);

// `sfs lang ...`: run, repl, disasm.
int cli_main(int argc, char** argv);

}  // namespace sfs::lang
