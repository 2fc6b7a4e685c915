// `sfs lang`: run a Lox file, start the REPL, or list a file's bytecode.
//
//   sfs lang run FILE.lox [--trace] [--stress-gc]   exit 0, 65 (compile error), 70 (runtime
//                                                   error), 74 (cannot read the file)
//   sfs lang FILE.lox                               the same as run
//   sfs lang repl                                   interactive (also: `sfs lang` alone)
//   sfs lang disasm FILE.lox                        bytecode listing (BYTECODE.md)
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/file.h"
#include "core/flags.h"
#include "systems/lang/lang.h"
#include "systems/lang/repl.h"

namespace sfs::lang {

namespace {

constexpr int kExitIoError = 74;  // EX_IOERR, as the reference implementation

// Flags shared by run and repl.
struct RunFlags {
  bool trace = false;
  bool stress_gc = false;
  bool gc_stats = false;
  int64_t max_heap_mb = 4096;
  int64_t max_steps = -1;

  void add_to(core::Flags& flags) {
    flags.add("trace", &trace, "print each instruction and the stack as it executes (to stderr)");
    flags.add("stress-gc", &stress_gc, "collect garbage before every allocation (slow; testing)");
    flags.add("gc-stats", &gc_stats, "print garbage collector statistics at the end (to stderr)");
    flags.add("max-heap", &max_heap_mb, "heap size (MiB) beyond which the program fails", 0, "MB");
    flags.add("max-steps", &max_steps, "stop after N loop iterations and calls (-1: no limit)", 0,
              "N");
  }
  Options options() const {
    Options options;
    options.trace = trace;
    options.stress_gc = stress_gc;
    options.gc_stats = gc_stats;
    options.max_heap_bytes = static_cast<size_t>(max_heap_mb > 0 ? max_heap_mb : 1) << 20;
    options.max_steps = max_steps;
    return options;
  }
};

core::Result<std::string> read_source(const std::string& path) {
  if (path == "-") {
    std::string text;
    char buffer[65536];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof(buffer), stdin)) > 0) text.append(buffer, n);
    return text;
  }
  return core::read_file(path);
}

int run_main(int argc, char** argv) {
  std::string path;
  RunFlags run_flags;
  core::Flags flags("sfs lang run", "Run a Lox program.");
  flags.positional("file", &path, "the program (- for standard input)", true);
  run_flags.add_to(flags);
  flags.epilog(
      "Exit status: 0 on success, 65 after a compile error, 70 after a runtime error,\n"
      "74 when the file cannot be read.");
  if (auto code = flags.parse(argc, argv)) return *code;
  auto source = read_source(path);
  if (!source.is_ok()) {
    std::fprintf(stderr, "Could not read file \"%s\": %s\n", path.c_str(),
                 source.status().message().c_str());
    return kExitIoError;
  }
  Interpreter interpreter(run_flags.options());
  return exit_code(interpreter.run(*source));
}

int repl_command(int argc, char** argv) {
  RunFlags run_flags;
  core::Flags flags("sfs lang repl", "Interactive Lox: statements run as you enter them.");
  run_flags.add_to(flags);
  flags.epilog(
      "A statement that is not finished at the end of a line (an open block, parenthesis or\n"
      "string) continues on the next. Ctrl-C stops a running program; Ctrl-D exits.");
  if (auto code = flags.parse(argc, argv)) return *code;
  return run_repl(run_flags.options());
}

int disasm_main(int argc, char** argv) {
  std::string path;
  core::Flags flags("sfs lang disasm", "Print the bytecode of a Lox program (see BYTECODE.md).");
  flags.positional("file", &path, "the program (- for standard input)", true);
  if (auto code = flags.parse(argc, argv)) return *code;
  auto source = read_source(path);
  if (!source.is_ok()) {
    std::fprintf(stderr, "Could not read file \"%s\": %s\n", path.c_str(),
                 source.status().message().c_str());
    return kExitIoError;
  }
  Listing listing = disassemble(*source);
  if (!listing.ok) {
    std::fputs(listing.text.c_str(), stderr);
    return exit_code(Outcome::kCompileError);
  }
  std::fputs(listing.text.c_str(), stdout);
  return 0;
}

}  // namespace

int cli_main(int argc, char** argv) {
  static const core::Subcommand kCommands[] = {
      {"run", "run a Lox program", run_main},
      {"repl", "interactive Lox (the default)", repl_command},
      {"disasm", "print a program's bytecode", disasm_main},
  };
  // `sfs lang FILE.lox` runs the file, like `clox FILE.lox`.
  if (argc >= 2) {
    std::string_view first = argv[1];
    if (first.size() > 4 && first.substr(first.size() - 4) == ".lox") {
      std::vector<char*> args(argv, argv + argc);
      static char run_name[] = "sfs lang run";
      args[0] = run_name;
      return run_main(argc, args.data());
    }
  }
  return core::dispatch_subcommands(argc, argv, "sfs lang",
                                    "Lox: a bytecode virtual machine for the language of "
                                    "Crafting Interpreters.",
                                    kCommands, "repl");
}

}  // namespace sfs::lang
