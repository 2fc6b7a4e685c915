// Fd: see fd.h.
#include "core/fd.h"

#include <unistd.h>

namespace sfs::core {

void Fd::reset(int fd) {
  // close() is not retried on EINTR: on Linux the descriptor is released even then, and a retry
  // could close a descriptor another thread just opened.
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

}  // namespace sfs::core
