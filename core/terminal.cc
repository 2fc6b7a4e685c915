// Terminal helpers: see terminal.h.
#include "core/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace sfs::core {

bool is_terminal(int fd) { return ::isatty(fd) == 1; }

int terminal_width(int fd, int fallback) {
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return fallback;
}

RawMode::RawMode(RawMode&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), saved_(other.saved_) {}

RawMode& RawMode::operator=(RawMode&& other) noexcept {
  if (this != &other) {
    restore();
    fd_ = std::exchange(other.fd_, -1);
    saved_ = other.saved_;
  }
  return *this;
}

Result<RawMode> RawMode::enter(int fd) {
  if (!is_terminal(fd)) return Status::invalid_argument("not a terminal");
  RawMode mode;
  if (::tcgetattr(fd, &mode.saved_) != 0) return Status::io_error("tcgetattr", errno);
  termios raw = mode.saved_;
  // Input: no break-to-signal, no CR->NL, no parity check, no 8th-bit strip, no XON/XOFF.
  raw.c_iflag &= ~static_cast<tcflag_t>(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
  // Output: no post-processing ("\n" is not turned into "\r\n").
  raw.c_oflag &= ~static_cast<tcflag_t>(OPOST);
  raw.c_cflag |= CS8;
  // Local: no echo, no canonical mode, no extended functions, no signal keys.
  raw.c_lflag &= ~static_cast<tcflag_t>(ECHO | ICANON | IEXTEN | ISIG);
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  if (::tcsetattr(fd, TCSAFLUSH, &raw) != 0) return Status::io_error("tcsetattr", errno);
  mode.fd_ = fd;
  return mode;
}

void RawMode::restore() {
  if (fd_ < 0) return;
  ::tcsetattr(fd_, TCSAFLUSH, &saved_);
  fd_ = -1;
}

}  // namespace sfs::core
