// The REPL: read an entry, run it, repeat.
//
// Multi-line input needs no bracket counting of its own: after each line the REPL asks the
// compiler whether the text so far fails *only* because it ends too early (the first error is at
// the end of the input, or is an unterminated string). If so it prompts for another line ("...")
// and tries again with both; otherwise it runs what it has, and a real syntax error is reported
// at once.
//
// While an entry runs, Ctrl-C (SIGINT) interrupts the program with the runtime error
// "Interrupted." and the REPL goes on; at the prompt it is the terminal's usual end of input.
#include "systems/lang/repl.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <string>

namespace sfs::lang {

namespace {

std::atomic<Interpreter*> g_running{nullptr};

void on_interrupt(int) {
  if (Interpreter* interpreter = g_running.load()) interpreter->interrupt();
}

// Runs one entry with SIGINT routed to the interpreter.
void run_entry(Interpreter& interpreter, const std::string& source) {
  struct sigaction action = {};
  struct sigaction previous = {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous);
  g_running.store(&interpreter);
  (void)interpreter.run(source);  // errors were printed; the session goes on
  g_running.store(nullptr);
  sigaction(SIGINT, &previous, nullptr);
}

}  // namespace

int run_repl(const Options& options) {
  bool interactive = isatty(STDIN_FILENO) != 0;
  Interpreter interpreter(options);
  std::string entry;
  std::string line;
  for (;;) {
    if (interactive) {
      std::fputs(entry.empty() ? "> " : "... ", stdout);
      std::fflush(stdout);
    }
    if (!std::getline(std::cin, line)) break;
    entry += line;
    entry += '\n';
    if (interpreter.needs_more_input(entry)) continue;
    run_entry(interpreter, entry);
    entry.clear();
  }
  if (!entry.empty()) run_entry(interpreter, entry);  // reports why the last entry is incomplete
  if (interactive) std::fputs("\n", stdout);
  return 0;
}

}  // namespace sfs::lang
