// Connection and Acceptor: see connection.h for the state machine and the backpressure rules.
#include "core/connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "core/log.h"
#include "core/socket.h"

namespace sfs::core {
namespace {
constexpr size_t kReadChunk = 16 * 1024;
constexpr int kReadsPerWakeup = 4;  // at most 64 KiB before other clients get their turn
}  // namespace

Connection::Connection(EventLoop& loop, Fd fd, std::string peer)
    : loop_(loop), fd_(std::move(fd)), peer_(std::move(peer)), last_read_(loop.now()) {}

Connection::~Connection() {
  if (flush_queued_) loop_.forget_flush(this);
  if (fd_) loop_.unwatch(fd_.get());
}

Status Connection::start() {
  started_ = true;
  update_interest();
  if (interest_ == 0) return Status::ok();
  return loop_.watch(fd_.get(), interest_, this);
}

void Connection::update_interest() {
  if (closed_ || !started_) return;
  uint32_t wanted = 0;
  if (reading_ && !backpressured_ && !close_after_flush_) wanted |= kReadable;
  if (!output_.empty()) wanted |= kWritable;
  if (wanted == interest_) return;
  interest_ = wanted;
  if (wanted == 0) {
    loop_.unwatch(fd_.get());
  } else if (Status status = loop_.watch(fd_.get(), wanted, this); !status.is_ok()) {
    close(status);
  }
}

void Connection::on_io(int, uint32_t events) {
  if ((events & kWritable) && !closed_) flush();
  if ((events & kReadable) && !closed_) handle_read();
}

void Connection::handle_read() {
  size_t received = 0;
  bool eof = false;
  for (int i = 0; i < kReadsPerWakeup; ++i) {
    char* space = input_.prepare(kReadChunk);
    ssize_t n = ::read(fd_.get(), space, kReadChunk);
    if (n > 0) {
      input_.commit(static_cast<size_t>(n));
      received += static_cast<size_t>(n);
      if (static_cast<size_t>(n) < kReadChunk) break;  // drained the socket for now
      continue;
    }
    if (n == 0) {
      eof = true;
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) break;
    int err = errno;
    // A reset connection is the peer's business, not an error worth a warning.
    if (err == ECONNRESET) {
      close(Status::closed("connection reset by peer"));
    } else {
      close(Status::io_error("read from " + peer_, err));
    }
    return;
  }
  if (received > 0) {
    last_read_ = loop_.now();
    on_data(input_);
    if (closed_) return;
  }
  if (eof) {
    close_after_flush();
    return;
  }
  // Data handlers usually send replies; check the output limits right away rather than at the
  // next flush so a flood is cut off before it grows further.
  if (output_.size() > pause_reading_above_ && !backpressured_) {
    backpressured_ = true;
    update_interest();
  }
  input_.shrink_if_idle(64 * 1024);
}

void Connection::flush() {
  flush_queued_ = false;
  if (closed_) return;
  bool had_output = !output_.empty();
  while (!output_.empty()) {
    ssize_t n = ::send(fd_.get(), output_.data(), output_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      output_.consume(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    int err = n < 0 ? errno : EPIPE;
    if (err == EPIPE || err == ECONNRESET) {
      close(Status::closed("peer closed the connection"));
    } else {
      close(Status::io_error("write to " + peer_, err));
    }
    return;
  }
  if (close_above_ > 0 && output_.size() > close_above_) {
    close(Status::limit_exceeded("output buffer over " + std::to_string(close_above_) +
                                 " bytes (client not reading)"));
    return;
  }
  if (output_.empty() && close_after_flush_) {
    close();
    return;
  }
  bool resumed = false;
  if (output_.size() > pause_reading_above_) {
    backpressured_ = true;
  } else if (backpressured_ && output_.size() <= pause_reading_above_ / 2) {
    backpressured_ = false;
    resumed = true;
  }
  update_interest();
  if (output_.empty()) output_.shrink_if_idle(64 * 1024);
  if ((resumed || (had_output && output_.empty())) && !closed_) on_drain();
}

void Connection::close(const Status& reason) {
  if (closed_) return;
  closed_ = true;
  if (flush_queued_) {
    loop_.forget_flush(this);
    flush_queued_ = false;
  }
  if (interest_ != 0) loop_.unwatch(fd_.get());
  interest_ = 0;
  fd_.reset();
  output_.clear();
  on_close(reason);
}

void Connection::close_after_flush() {
  if (closed_ || close_after_flush_) return;
  close_after_flush_ = true;
  ::shutdown(fd_.get(), SHUT_RD);
  if (output_.empty()) {
    close();
  } else {
    update_interest();
  }
}

void Connection::pause_reading() {
  reading_ = false;
  update_interest();
}

void Connection::resume_reading() {
  reading_ = true;
  update_interest();
}

void Connection::process_input() {
  if (!closed_ && !input_.empty()) on_data(input_);
}

void Connection::set_output_limits(size_t pause_reading_above, size_t close_above) {
  pause_reading_above_ = pause_reading_above;
  close_above_ = close_above;
}

Acceptor::Acceptor(EventLoop& loop, Fd listen_fd, OnAccept on_accept)
    : loop_(loop), listen_fd_(std::move(listen_fd)), on_accept_(std::move(on_accept)) {}

Acceptor::~Acceptor() {
  if (retry_timer_) loop_.cancel(retry_timer_);
  loop_.unwatch(listen_fd_.get());
}

Status Acceptor::start() { return loop_.watch(listen_fd_.get(), kReadable, this); }

void Acceptor::on_io(int, uint32_t) {
  // Accept a bounded batch: a connection storm must not starve established clients.
  for (int i = 0; i < 64; ++i) {
    std::string peer;
    Result<Fd> accepted = accept_connection(listen_fd_.get(), &peer);
    if (!accepted.is_ok()) {
      SFS_LOG_WARN("accept failed: ", accepted.status().message(), "; pausing accepts for 100 ms");
      loop_.unwatch(listen_fd_.get());
      retry_timer_ = loop_.run_after(Milliseconds(100), [this] {
        retry_timer_ = 0;
        (void)start();
      });
      return;
    }
    if (!accepted->valid()) return;  // nothing more pending
    on_accept_(std::move(accepted).value(), std::move(peer));
  }
}

}  // namespace sfs::core
