// WebSocket (RFC 6455) on the HTTP server's port: the upgrade handshake, then messages.
//
// A GET with "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13" and a
// 16-byte base64 Sec-WebSocket-Key, on a path registered with Router::websocket(), is answered
// with 101 Switching Protocols and Sec-WebSocket-Accept = base64(SHA-1(key + GUID)). From then on
// the connection carries frames (websocket_frame.h) and the application sees whole messages:
//
//   router.websocket("/echo", [](const std::shared_ptr<http::WebSocket>& ws, const http::Request&) {
//     ws->on_message([](http::WebSocket& self, std::string_view data, bool binary) {
//       binary ? self.send_binary(data) : self.send_text(data);
//     });
//   });
//
// The server takes care of the protocol: it reassembles fragmented messages, answers pings with
// pongs, validates that text messages (and close reasons) are UTF-8 (else close 1007), enforces
// the message size limit (close 1009), rejects unmasked client frames, reserved bits, unknown
// opcodes and malformed control frames (close 1002), and completes the closing handshake. A
// WebSocket must only be used on the thread of the server's event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace sfs::http {

namespace internal {
// Implemented by the server's connection.
class SocketTarget {
 public:
  virtual ~SocketTarget() = default;
  virtual void socket_send(uint8_t opcode, std::string_view payload) = 0;
  virtual void socket_close(uint16_t code, std::string_view reason) = 0;
  virtual size_t socket_pending() const = 0;
};
}  // namespace internal

class WebSocket {
 public:
  using MessageHandler = std::function<void(WebSocket& socket, std::string_view data, bool binary)>;
  // `code` is the peer's close code (1005 when it sent none, 1006 when the connection was lost).
  using CloseHandler = std::function<void(WebSocket& socket, uint16_t code, std::string_view reason)>;

  explicit WebSocket(std::string peer) : peer_(std::move(peer)) {}

  void on_message(MessageHandler handler) { on_message_ = std::move(handler); }
  void on_close(CloseHandler handler) { on_close_ = std::move(handler); }

  // Queue a message; false when the socket is closed or closing.
  bool send_text(std::string_view text);
  bool send_binary(std::string_view data);
  bool ping(std::string_view payload = "");
  // Starts the closing handshake (RFC 6455 section 7). Idempotent.
  void close(uint16_t code = 1000, std::string_view reason = "");

  bool is_open() const { return target_ != nullptr && !closing_; }
  const std::string& peer() const { return peer_; }
  // Bytes queued for this socket's connection but not yet written.
  size_t pending() const { return target_ ? target_->socket_pending() : 0; }

  // Server side.
  void attach(internal::SocketTarget* target) { target_ = target; }
  void deliver_message(std::string_view data, bool binary) {
    if (on_message_) on_message_(*this, data, binary);
  }
  // The connection ended (after a closing handshake or not).
  void detach(uint16_t code, std::string_view reason);
  void mark_closing() { closing_ = true; }

 private:
  std::string peer_;
  internal::SocketTarget* target_ = nullptr;
  bool closing_ = false;
  bool closed_ = false;
  MessageHandler on_message_;
  CloseHandler on_close_;
};

// Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 section 4.2.2).
std::string websocket_accept_key(std::string_view key);

}  // namespace sfs::http
