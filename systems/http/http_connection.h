// HttpConnection: one client connection of the HTTP server — parsing, dispatch, response
// writing (with sendfile), timeouts, and the WebSocket mode after an upgrade.
//
// Why not core::Connection: an HTTP response body may be a file region that goes out with
// sendfile(2) after the head, and a connection has several timeouts that depend on where it is
// in an exchange. core::Connection only knows a byte buffer, so this class drives the socket on
// the EventLoop itself, with the same discipline (level-triggered, bounded reads per wake-up,
// writes batched before the loop sleeps through Server::queue_flush()).
//
//   exchange state machine (each arrow names the function that takes it)
//
//   [reading] --process_input(): request complete--> handle_request()
//       ^                                               |  router.handle()
//       |                              +----------------+----------------+----------------+
//       |                              v                v                v                v
//       |                         body in memory   file region      deferred()      stream()
//       |                          write_response() write_response()  [busy] ------> deferred_send()
//       |                              |           [file] flush():       [busy] stream_write()...
//       |                              |            sendfile             stream_end()
//       +----- flush(): output written, keep-alive <---------------------+
//               (pipelined requests already buffered are parsed only when the previous response
//               is complete, so answers go out in order)
//
//   Upgrade: websocket --handle_upgrade()--> [websocket] process_frames() ... close handshake
//   Errors (parser, timeouts): send_error() writes the status with Connection: close, then a
//   lingering close: shutdown(SHUT_WR), discard input until EOF, 2 s without input or 10 s in all,
//   close — so the client reads the error instead of a reset.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/buffer.h"
#include "core/event_loop.h"
#include "core/fd.h"
#include "systems/http/message.h"
#include "systems/http/parser.h"
#include "systems/http/stream.h"
#include "systems/http/websocket.h"
#include "systems/http/websocket_frame.h"

namespace sfs::http {

class Server;

class HttpConnection : public core::IoHandler,
                       public internal::StreamTarget,
                       public internal::SocketTarget {
 public:
  HttpConnection(Server& server, core::Fd fd, std::string peer);
  ~HttpConnection() override;

  core::Status start();
  // Writes queued output (called by the server before the loop sleeps).
  void flush();
  // Acts on an expired deadline (called by the server's sweep timer).
  void check_deadline(core::Clock::time_point now);
  // Graceful shutdown: closes at once when idle, otherwise after the response in progress.
  void begin_shutdown();
  // Frees buffers and parser state if the connection is between requests; returns the bytes freed.
  size_t release_idle_memory();
  // Closes now; the server is told through Server::connection_closed().
  void close();

  bool flush_queued = false;  // owned by Server::queue_flush()

 private:
  enum class Phase { kIdle, kHead, kBody, kBusy, kSending, kLinger, kWebSocket, kWsClosing };
  struct Exchange {
    bool head = false;      // HEAD request: no body bytes
    int version = 11;
    bool keep_alive = true;
    std::string log_line;   // "GET / HTTP/1.1"
  };

  void on_io(int fd, uint32_t events) override;
  void handle_read();
  void process_input();
  bool on_head();
  void handle_request();
  void handle_upgrade(Request& request);
  void write_response(const Exchange& exchange, Response& response);
  void send_error(int status, std::string_view message);
  void finish_busy();
  void schedule_resume();
  void update_interest();
  void update_phase();
  void queue_flush();
  void log_access(const Exchange& exchange, int status, uint64_t bytes);

  // WebSocket mode.
  void process_frames();
  void fail_websocket(uint16_t code, std::string_view why);

  // StreamTarget
  void stream_write(std::string_view data) override;
  void stream_end() override;
  size_t stream_pending() const override { return out_.size(); }
  void deferred_send(Response response) override;
  // SocketTarget
  void socket_send(uint8_t opcode, std::string_view payload) override;
  void socket_close(uint16_t code, std::string_view reason) override;
  size_t socket_pending() const override { return out_.size(); }

  Server& server_;
  core::EventLoop& loop_;
  core::Fd fd_;
  std::string peer_;
  core::Buffer in_;
  core::Buffer out_;
  // Allocated when a request starts arriving, released when the connection has idled through a
  // sweep: 10,000 idle keep-alive connections should not hold 10,000 parsers.
  std::unique_ptr<MessageParser> parser_;
  MessageParser& parser();
  bool parser_idle() const { return !parser_ || parser_->idle(); }
  bool parser_in_head() const { return !parser_ || parser_->in_head(); }

  // The response in progress.
  Exchange exchange_;
  enum class Busy { kNone, kDeferred, kStream } busy_ = Busy::kNone;
  std::shared_ptr<ResponseStream> stream_;
  std::shared_ptr<Response::Deferred> deferred_;
  bool chunked_ = false;
  core::Fd file_;
  uint64_t file_offset_ = 0;
  uint64_t file_remaining_ = 0;

  // WebSocket mode: allocated by the upgrade, so plain HTTP connections do not carry it.
  struct WebSocketState {
    explicit WebSocketState(uint64_t max_message) : frames(true, max_message) {}
    std::shared_ptr<WebSocket> socket;
    ws::FrameParser frames;
    std::string message;  // the fragments of the message being reassembled
    uint8_t message_opcode = 0;
    bool close_sent = false;
  };
  bool websocket_ = false;
  std::unique_ptr<WebSocketState> ws_;

  Phase phase_ = Phase::kIdle;
  core::Clock::time_point deadline_;
  core::Clock::time_point last_read_;
  core::Clock::time_point last_progress_;
  uint32_t interest_ = 0;
  bool write_blocked_ = false;  // the kernel refused output: wait for kWritable
  bool closed_ = false;
  bool processing_ = false;
  bool peer_eof_ = false;
  bool close_after_write_ = false;
  bool linger_after_write_ = false;
  bool shutdown_requested_ = false;
  size_t lingered_bytes_ = 0;
  core::Clock::time_point linger_end_;
  std::shared_ptr<bool> alive_;
};

}  // namespace sfs::http
