// Responses that finish later: ResponseStream (a body produced piece by piece, e.g. server-sent
// events or a large generated report) and Response::Deferred (a whole response produced by a later
// callback, e.g. after a timer or another connection answered).
//
// Both are handed out as shared_ptrs, so an application can keep them in its own callbacks. They
// refer to the connection through a StreamTarget that the server detaches when the connection
// closes; after that, write() returns false and send() does nothing. They must only be used on
// the thread of the event loop that runs the server.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "systems/http/message.h"

namespace sfs::http {

namespace internal {
// Implemented by the server's connection; not for applications.
class StreamTarget {
 public:
  virtual ~StreamTarget() = default;
  virtual void stream_write(std::string_view data) = 0;
  virtual void stream_end() = 0;
  virtual size_t stream_pending() const = 0;
  virtual void deferred_send(Response response) = 0;
};
}  // namespace internal

class ResponseStream {
 public:
  // Sends a piece of the body (nothing is sent for an empty piece). Returns false when the client
  // has gone away; the stream is then closed and further writes are ignored.
  bool write(std::string_view data);
  // Ends the body. Idempotent.
  void end();
  // False once end() was called or the client went away.
  bool is_open() const { return !ended_ && !gone_; }
  // Bytes written to the stream but not yet accepted by the kernel. A producer with a lot to send
  // waits for on_drain() when this grows.
  size_t pending() const;
  // `fn` runs whenever the connection's queued output has been written out.
  void on_drain(std::function<void()> fn) { on_drain_ = std::move(fn); }
  // `fn` runs once if the client goes away before end().
  void on_close(std::function<void()> fn) { on_close_ = std::move(fn); }

  // Server side.
  void attach(internal::StreamTarget* target);
  void detach();  // the connection closed
  void drained() {
    if (on_drain_ && is_open()) on_drain_();
  }

 private:
  internal::StreamTarget* target_ = nullptr;
  std::string early_;  // written before the head was sent
  bool ended_ = false;
  bool gone_ = false;
  std::function<void()> on_drain_;
  std::function<void()> on_close_;
};

class Response::Deferred {
 public:
  // Sends the response. Only the first call counts; after the client left it does nothing.
  void send(Response response);
  bool is_open() const { return !sent_ && !gone_; }
  // `fn` runs once if the client goes away before send().
  void on_close(std::function<void()> fn) { on_close_ = std::move(fn); }

  // Server side.
  void attach(internal::StreamTarget* target);
  void detach();

 private:
  internal::StreamTarget* target_ = nullptr;
  std::unique_ptr<Response> early_;  // sent before the server attached
  bool sent_ = false;
  bool gone_ = false;
  std::function<void()> on_close_;
};

}  // namespace sfs::http
