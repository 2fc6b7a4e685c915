// LineEditor: an interactive line editor for terminals (in the spirit of linenoise), used by the
// REPLs and terminal clients of sfs (`sfs chat connect`, `sfs kv cli`, the Lox and SQL REPLs).
//
// Two ways to use it:
//
//   Blocking (a REPL):                       Event-driven (a client on an EventLoop):
//
//   core::LineEditor editor;                 core::LineEditor editor;
//   editor.set_prompt("sql> ");              editor.set_prompt("> ");
//   (void)editor.load_history(path);         editor.set_keep_submitted(false);
//   while (auto line = editor.read_line()) { SFS_TRY(editor.attach(loop, [&](auto input) {
//     editor.add_history(*line);               if (input.kind == LineEditor::kLine) ...;
//     run(*line);                            }));
//   }                                        ... editor.print_above("<bob> hi");
//
// Keys (emacs style, as in readline):
//
//   Left/Right, Ctrl-B/F      move one character      Backspace, Ctrl-H   delete before cursor
//   Ctrl-Left/Right, Alt-B/F  move one word           Delete, Ctrl-D      delete under cursor
//   Home/End, Ctrl-A/E        start / end of line     Ctrl-D (empty line) end of input (EOF)
//   Up/Down, Ctrl-P/N         history                 Ctrl-K / Ctrl-U     kill to end / to start
//   Ctrl-W                    delete previous word    Ctrl-T              swap two characters
//   Ctrl-L                    clear screen            Ctrl-C              interrupt
//   Enter (CR or LF)          submit the line
//
// How it works. Keys are bytes; handle_byte() is a small state machine over them: plain bytes
// are inserted, control bytes are commands, and ESC starts an escape sequence that is collected
// (across reads) until its final byte ("\x1b[A", "\x1b[3~", "\x1b[1;5C", "\x1bOH", "\x1bb").
// The edited line is UTF-8: the cursor moves over whole code points, and every code point counts
// as one column. After each change refresh() redraws the whole input row — "\r", prompt, the
// visible slice of the buffer (scrolled horizontally when longer than the terminal), erase to end
// of line, move the cursor — which is simpler than incremental updates and just as fast at
// terminal speeds. An optional status line sits on the row above the input (reverse video); the
// screen from the top of the status line down belongs to the editor:
//
//   ... earlier output ...                 <- print_above() text goes here, scrolling up
//   [#sfs] alice (3 users)                 <- status line (optional)
//   > hello wor|                           <- prompt + input, cursor
//
// print_above(text) clears the editor's rows, prints the text and redraws them below it, so
// messages arriving while the user types never garble the input.
//
// When the input is not a terminal (a pipe, a file) there is no raw mode, no echo and no
// drawing: read_line() reads plain lines, feed() splits bytes into lines, print_above() just
// prints. Programs work the same in scripts.
//
// Testing: feed() drives the key state machine from bytes, set_output() captures what would be
// written, set_terminal(true) and set_width() pretend there is a terminal. No tty needed.
//
// Thread safety: none; use one editor from one thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_loop.h"
#include "core/fd.h"
#include "core/status.h"
#include "core/terminal.h"

namespace sfs::core {

class LineEditor {
 public:
  enum Kind {
    kLine,       // Enter: `line` holds the submitted text (without the newline)
    kEof,        // Ctrl-D on an empty line, or end of input
    kInterrupt,  // Ctrl-C (the partial line is dropped)
  };
  struct Input {
    Kind kind = kLine;
    std::string line;
  };

  // Reads keys from `input_fd` and draws on `output_fd` (the descriptors are not owned). Whether
  // they are a terminal is decided here (override with set_terminal()).
  explicit LineEditor(int input_fd = 0, int output_fd = 1);
  ~LineEditor();
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  // The prompt, redrawn at once when the editor is active. It may contain SGR colour sequences
  // ("\x1b[1m...\x1b[0m"); they take no columns.
  void set_prompt(std::string prompt);
  const std::string& prompt() const { return prompt_; }
  // The status line above the input; "" (the default) means none.
  void set_status(std::string status);
  // true (default): a submitted line stays on screen after its prompt, like a shell.
  // false: the input row is simply cleared (a chat client prints its own echo via print_above).
  void set_keep_submitted(bool keep) { keep_submitted_ = keep; }

  // ---- History ----
  // Appends a line (empty lines and a repeat of the last entry are skipped). The oldest entries
  // are dropped beyond the limit (default 1000).
  void add_history(std::string_view line);
  void set_history_limit(size_t limit);
  const std::vector<std::string>& history() const { return history_; }
  // One entry per line. A missing file is not an error (there is no history yet).
  Status load_history(const std::string& path);
  Status save_history(const std::string& path) const;

  // ---- Blocking mode ----
  // Shows the prompt and edits one line. Returns it on Enter; nullopt on end of input or Ctrl-D
  // at an empty line, and on Ctrl-C (then interrupted() is true: REPLs usually just continue).
  // The terminal is in raw mode only while this runs.
  std::optional<std::string> read_line();
  bool interrupted() const { return interrupted_; }

  // ---- Event-driven mode ----
  // Enters raw mode (when the input is a terminal) and draws the status line and the prompt.
  Status start();
  // Clears the editor's rows and restores the terminal. Idempotent; the destructor calls it.
  void stop();
  // Processes input bytes (keys, or plain text when not a terminal) and returns what was
  // completed. Redraws as needed. Usable without start() in tests.
  std::vector<Input> feed(std::string_view bytes);
  // Convenience for EventLoop programs: start(), then watch the input descriptor and call
  // `on_input` for each completed Input (kEof once when the input ends). REQUIRES: the editor
  // outlives the loop's use of it (detach() or destroy the editor before the loop).
  Status attach(EventLoop& loop, std::function<void(const Input&)> on_input);
  void detach();
  // Prints `text` (one or more lines; a trailing newline is optional) above the editor's rows
  // and redraws them. Without a terminal it just writes the text and a newline.
  void print_above(std::string_view text);

  // ---- State, for programs and tests ----
  const std::string& buffer() const { return buffer_; }
  size_t cursor() const { return cursor_; }  // byte offset into buffer()
  // Replaces the edited text (cursor at its end) and redraws.
  void set_buffer(std::string text);
  bool is_terminal() const { return terminal_; }

  // Test hooks: pretend the descriptors are (not) a terminal; send output to `sink` instead of
  // the output descriptor; fix the width instead of asking the terminal.
  void set_terminal(bool terminal) { terminal_ = terminal; }
  void set_output(std::function<void(std::string_view)> sink) { sink_ = std::move(sink); }
  void set_width(int columns) { fixed_width_ = columns; }

 private:
  class Reader;

  // Key state machine: returns an Input when `c` completes one.
  std::optional<Input> handle_byte(char c);
  std::optional<Input> handle_plain_byte(char c);
  std::optional<Input> handle_escape(const std::string& sequence);
  std::optional<Input> submit();
  bool escape_complete(const std::string& sequence) const;

  void insert(std::string_view text);
  void move_left();
  void move_right();
  void move_word_left();
  void move_word_right();
  void delete_before();
  void delete_at();
  void delete_word_before();
  void transpose();
  void history_step(int direction);
  size_t prev_boundary(size_t pos) const;  // start of the code point before `pos`
  size_t next_boundary(size_t pos) const;  // end of the code point at `pos`

  // Drawing (only while drawn_). draw_rows() draws the status and input rows from the start of
  // the current row; refresh() redraws the input row; clear_rows() erases both and leaves the
  // cursor at the start of the topmost. finish_line() shows a submitted line and starts afresh.
  void draw_rows();
  void refresh();
  void clear_rows();
  void finish_line(std::string_view shown);
  void write(std::string_view bytes);
  int width() const;

  int input_fd_;
  int output_fd_;
  bool terminal_;
  std::function<void(std::string_view)> sink_;
  int fixed_width_ = 0;

  std::string prompt_;
  std::string status_;
  bool keep_submitted_ = true;

  std::string buffer_;
  size_t cursor_ = 0;
  std::string escape_;       // an escape sequence being collected ("" when none)
  bool last_was_cr_ = false;  // swallow the LF of a CR LF pair
  bool drawn_ = false;        // the editor's rows are on screen
  bool interrupted_ = false;
  bool blocking_ = false;     // inside read_line()
  int utf8_needed_ = 0;       // continuation bytes still expected for the code point being typed

  std::vector<std::string> history_;
  size_t history_limit_ = 1000;
  size_t history_index_ = 0;  // == history_.size() while editing the new line
  std::string saved_line_;    // the new line, kept while browsing history

  std::string pending_;  // blocking mode: bytes read but not yet handled
  RawMode raw_;
  bool started_ = false;
  std::unique_ptr<Reader> reader_;
  EventLoop* attached_loop_ = nullptr;
};

}  // namespace sfs::core
