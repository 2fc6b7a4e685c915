// Connection: one non-blocking stream socket on an EventLoop, with buffered input and output,
// partial reads and writes, and backpressure. Acceptor: hands out accepted sockets.
//
// A protocol subclasses Connection and overrides on_data() (parse what arrived, reply with
// send()/output()), and optionally on_close() and on_drain():
//
//   class EchoSession : public core::Connection {
//     using Connection::Connection;
//     void on_data(core::Buffer& in) override { send(in.view()); in.consume(in.size()); }
//   };
//
// State machine (each transition names the function that performs it):
//
//          start()              peer EOF (handle_read)         output empty (flush)
//   [new] ------> [open] ------------------------------> [draining] ----------> [closed]
//                   |   close_after_flush() ---------------^                       ^
//                   +--- close(), read/write error, output over hard limit ------+
//
// - Input: on readable, read() into input_ (up to 64 KiB per wake-up, for fairness) and call
//   on_data(input_). Whatever on_data() leaves unconsumed stays for the next call: incremental
//   parsers simply wait for more bytes.
// - Output: send() appends to output_ and queues the connection on the loop, which writes it just
//   before sleeping (one write for a whole pipeline of replies). What the kernel does not take
//   stays in output_ and kWritable interest is turned on until it drains.
// - Backpressure: when unsent output exceeds pause_reading_above, the connection stops reading
//   (removes kReadable), so a client that sends requests but does not read replies cannot make
//   the server buffer without bound; reading resumes below half that mark. Above close_above the
//   client is disconnected (Redis's client-output-buffer-limit).
// - Peer EOF: reading stops and the connection closes once its output is written, so a request
//   followed by shutdown(SHUT_WR) still gets its reply.
//
// Lifetime: the owner keeps the Connection (typically a map of unique_ptrs) and learns of the end
// through on_close(), called exactly once. on_close() must not destroy the object on the spot —
// the connection may still be on the stack — so owners hand it to EventLoop::destroy_later().
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/buffer.h"
#include "core/event_loop.h"
#include "core/fd.h"
#include "core/status.h"

namespace sfs::core {

class Connection : public IoHandler {
 public:
  // Takes ownership of a connected non-blocking socket. Call start() to begin reading.
  Connection(EventLoop& loop, Fd fd, std::string peer = "");
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Registers with the loop and starts reading.
  Status start();

  // Queues bytes for sending.
  void send(std::string_view bytes) { output().append(bytes); }
  // The output buffer, for serialisers that write into it directly. Calling it queues a flush.
  Buffer& output() {
    if (!flush_queued_ && !closed_) {
      flush_queued_ = true;
      loop_.queue_flush(this);
    }
    return output_;
  }

  // Closes now, dropping unsent output; on_close(reason) follows. Idempotent.
  void close(const Status& reason = Status::ok());
  // Stops reading and closes once everything queued so far has been written.
  void close_after_flush();

  // Stop / resume reading (e.g. while a request is being served asynchronously).
  void pause_reading();
  void resume_reading();
  // Calls on_data() on input that is already buffered (after resume_reading(), when a protocol
  // left complete requests unconsumed).
  void process_input();

  // Backpressure thresholds (bytes of unsent output); 0 disables the hard limit.
  void set_output_limits(size_t pause_reading_above, size_t close_above);

  // Writes queued output now (normally done by the loop before it sleeps).
  void flush();

  bool closed() const { return closed_; }
  bool closing() const { return close_after_flush_; }
  int fd() const { return fd_.get(); }
  const std::string& peer() const { return peer_; }
  EventLoop& loop() { return loop_; }
  size_t pending_output() const { return output_.size(); }
  size_t buffered_input() const { return input_.size(); }
  // Memory held by both buffers, for accounting.
  size_t buffer_capacity() const { return input_.capacity() + output_.capacity(); }
  // When bytes last arrived from the peer (loop time).
  Clock::time_point last_read() const { return last_read_; }

 protected:
  // New bytes arrived; `input` holds them after anything left unconsumed before. Consume what can
  // be handled. The connection may be closed from inside.
  virtual void on_data(Buffer& input) = 0;
  // Reading resumed after backpressure, or queued output was written out entirely.
  virtual void on_drain() {}
  // Called once when the connection ends. `reason` is OK for an orderly close (peer EOF, close()).
  virtual void on_close(const Status& reason) { (void)reason; }

 private:
  void on_io(int fd, uint32_t events) override;
  void handle_read();
  void update_interest();

  EventLoop& loop_;
  Fd fd_;
  std::string peer_;
  Buffer input_;
  Buffer output_;
  size_t pause_reading_above_ = 4 << 20;
  size_t close_above_ = 0;
  Clock::time_point last_read_;
  bool started_ = false;
  bool reading_ = true;          // wants kReadable (user's choice)
  bool backpressured_ = false;   // reading suspended because output is too large
  bool close_after_flush_ = false;
  bool closed_ = false;
  bool flush_queued_ = false;
  uint32_t interest_ = 0;
};

// Accepts connections on a listening socket and passes each to a callback.
//
// When accept() fails with EMFILE/ENFILE (out of descriptors) the pending connection cannot be
// taken and the level-triggered loop would spin; the Acceptor then stops listening for 100 ms.
class Acceptor : public IoHandler {
 public:
  using OnAccept = std::function<void(Fd fd, std::string peer)>;

  Acceptor(EventLoop& loop, Fd listen_fd, OnAccept on_accept);
  ~Acceptor() override;

  Status start();
  int fd() const { return listen_fd_.get(); }

 private:
  void on_io(int fd, uint32_t events) override;

  EventLoop& loop_;
  Fd listen_fd_;
  OnAccept on_accept_;
  EventLoop::TimerId retry_timer_ = 0;
};

}  // namespace sfs::core
