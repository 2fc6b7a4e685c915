// Terminal: the few termios/ioctl facts interactive programs need — "is this a terminal?", raw
// mode that is always undone, and the window's width.
//
// Raw mode here is what line editors use (the settings linenoise and readline pick): no echo, no
// canonical line buffering, no signals from ^C/^Z (the editor sees them as keys), no CR/NL
// translation on input, 8-bit characters, and read() returning after one byte. Output
// post-processing (OPOST) is turned off too, so a program writing in raw mode must send "\r\n"
// itself. RawMode restores the saved settings in its destructor, so an early return or an error
// can never leave the user's shell in raw mode.
#pragma once

#include <termios.h>

#include "core/status.h"

namespace sfs::core {

// True when `fd` is a terminal.
bool is_terminal(int fd);

// Columns of the terminal on `fd`; `fallback` when it is not a terminal or does not say.
int terminal_width(int fd, int fallback = 80);

// Puts a terminal in raw mode for the object's lifetime. Movable, not copyable.
class RawMode {
 public:
  RawMode() = default;
  ~RawMode() { restore(); }
  RawMode(RawMode&& other) noexcept;
  RawMode& operator=(RawMode&& other) noexcept;
  RawMode(const RawMode&) = delete;
  RawMode& operator=(const RawMode&) = delete;

  // Switches `fd` (a terminal) to raw mode. Errors when it is not a terminal.
  static Result<RawMode> enter(int fd);
  // Restores the settings saved by enter(); idempotent.
  void restore();
  bool active() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
  termios saved_{};
};

}  // namespace sfs::core
