// The REPL: read an entry, run it, repeat.
//
// Input comes through core::LineEditor: on a terminal that is raw-mode line editing (cursor
// keys, emacs keys, history with Up/Down, kept in ~/.sfs_lox_history); from a pipe or a file it
// is plain lines without prompts, so `sfs lang repl < script` works too.
//
// Multi-line input needs no bracket counting of its own: after each line the REPL asks the
// compiler whether the text so far fails *only* because it ends too early (the first error is at
// the end of the input, or is an unterminated string). If so it prompts for another line ("...")
// and tries again with both; otherwise it runs what it has, and a real syntax error is reported
// at once.
//
// Ctrl-C at the prompt drops the entry being typed; while an entry runs, Ctrl-C (SIGINT)
// interrupts the program with the runtime error "Interrupted." and the REPL goes on. Ctrl-D on
// an empty line ends the session.
#include "systems/lang/repl.h"

#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/line_editor.h"

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

std::string history_path() {
  const char* home = std::getenv("HOME");
  return home == nullptr || *home == '\0' ? "" : std::string(home) + "/.sfs_lox_history";
}

}  // namespace

int run_repl(const Options& options) {
  core::LineEditor editor;
  std::string history = editor.is_terminal() ? history_path() : "";
  if (!history.empty()) (void)editor.load_history(history);  // none yet is fine

  Interpreter interpreter(options);
  std::string entry;
  for (;;) {
    editor.set_prompt(entry.empty() ? "> " : "... ");
    std::optional<std::string> line = editor.read_line();
    if (!line) {
      if (editor.interrupted()) {
        entry.clear();  // Ctrl-C: forget the entry, keep the session
        continue;
      }
      break;
    }
    editor.add_history(*line);
    entry += *line;
    entry += '\n';
    if (interpreter.needs_more_input(entry)) continue;
    run_entry(interpreter, entry);
    entry.clear();
  }
  if (!entry.empty()) run_entry(interpreter, entry);  // reports why the last entry is incomplete
  if (!history.empty()) (void)editor.save_history(history);
  return 0;
}

}  // namespace sfs::lang
