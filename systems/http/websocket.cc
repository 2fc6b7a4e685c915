// WebSocket framing and the application-facing WebSocket object. See websocket.h and
// websocket_frame.h; the connection-level protocol (fragments, ping, close) is in
// http_connection.cc.
#include "systems/http/websocket.h"

#include "core/base64.h"
#include "core/sha1.h"
#include "systems/http/websocket_frame.h"

namespace sfs::http {

bool WebSocket::send_text(std::string_view text) {
  if (!is_open()) return false;
  target_->socket_send(ws::kText, text);
  return true;
}

bool WebSocket::send_binary(std::string_view data) {
  if (!is_open()) return false;
  target_->socket_send(ws::kBinary, data);
  return true;
}

bool WebSocket::ping(std::string_view payload) {
  if (!is_open() || payload.size() > 125) return false;
  target_->socket_send(ws::kPing, payload);
  return true;
}

void WebSocket::close(uint16_t code, std::string_view reason) {
  if (!is_open()) return;
  closing_ = true;
  target_->socket_close(code, reason.substr(0, 123));
}

void WebSocket::detach(uint16_t code, std::string_view reason) {
  target_ = nullptr;
  if (closed_) return;
  closed_ = true;
  if (on_close_) {
    auto fn = std::move(on_close_);
    fn(*this, code, reason);
  }
  on_message_ = nullptr;
}

std::string websocket_accept_key(std::string_view key) {
  std::string input(key);
  input += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  auto digest = core::sha1(input);
  return core::base64_encode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

namespace ws {

FrameParser::Result FrameParser::parse(std::string_view data, size_t* consumed, Frame* frame) {
  *consumed = 0;
  if (data.size() < 2) return Result::kNeedMore;
  auto byte = [&](size_t i) { return static_cast<uint8_t>(data[i]); };
  uint8_t b0 = byte(0), b1 = byte(1);
  bool fin = b0 & 0x80;
  uint8_t opcode = b0 & 0x0F;
  if (b0 & 0x70) return fail(1002, "reserved bits set without a negotiated extension");
  bool control = opcode & 0x08;
  if (opcode != kContinuation && opcode != kText && opcode != kBinary && opcode != kClose &&
      opcode != kPing && opcode != kPong) {
    return fail(1002, "unknown opcode " + std::to_string(opcode));
  }
  bool masked = b1 & 0x80;
  if (masked != require_mask_) {
    return fail(1002, require_mask_ ? "unmasked frame from a client" : "masked frame from a server");
  }
  uint64_t length = b1 & 0x7F;
  size_t header = 2;
  if (control && (length > 125 || !fin)) {
    return fail(1002, "control frame fragmented or longer than 125 bytes");
  }
  if (length == 126) {
    if (data.size() < 4) return Result::kNeedMore;
    length = (uint64_t{byte(2)} << 8) | byte(3);
    header = 4;
  } else if (length == 127) {
    if (data.size() < 10) return Result::kNeedMore;
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | byte(2 + i);
    if (length >> 63) return fail(1002, "64-bit length with the top bit set");
    header = 10;
  }
  if (length > max_payload_) {
    return fail(1009, "frame of " + std::to_string(length) + " bytes is over the limit of " +
                          std::to_string(max_payload_));
  }
  uint8_t mask[4] = {0, 0, 0, 0};
  if (masked) {
    if (data.size() < header + 4) return Result::kNeedMore;
    for (int i = 0; i < 4; ++i) mask[i] = byte(header + i);
    header += 4;
  }
  if (data.size() - header < length) return Result::kNeedMore;
  frame->fin = fin;
  frame->opcode = opcode;
  frame->payload.assign(data.substr(header, static_cast<size_t>(length)));
  if (masked) {
    char* p = frame->payload.data();
    for (size_t i = 0; i < frame->payload.size(); ++i) p[i] = static_cast<char>(p[i] ^ mask[i & 3]);
  }
  *consumed = header + static_cast<size_t>(length);
  return Result::kFrame;
}

void encode_frame(std::string* out, uint8_t opcode, std::string_view payload, bool fin,
                  const uint8_t* mask) {
  out->push_back(static_cast<char>((fin ? 0x80 : 0) | (opcode & 0x0F)));
  uint8_t mask_bit = mask ? 0x80 : 0;
  uint64_t n = payload.size();
  if (n < 126) {
    out->push_back(static_cast<char>(mask_bit | n));
  } else if (n <= 0xFFFF) {
    out->push_back(static_cast<char>(mask_bit | 126));
    out->push_back(static_cast<char>(n >> 8));
    out->push_back(static_cast<char>(n & 0xFF));
  } else {
    out->push_back(static_cast<char>(mask_bit | 127));
    for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  }
  if (mask) {
    out->append(reinterpret_cast<const char*>(mask), 4);
    size_t start = out->size();
    out->append(payload);
    char* p = out->data() + start;
    for (size_t i = 0; i < payload.size(); ++i) p[i] = static_cast<char>(p[i] ^ mask[i & 3]);
  } else {
    out->append(payload);
  }
}

bool is_valid_close_code(uint16_t code) {
  if (code >= 3000 && code <= 4999) return true;
  switch (code) {
    case 1000: case 1001: case 1002: case 1003: case 1007: case 1008: case 1009: case 1010:
    case 1011: case 1012: case 1013: case 1014:
      return true;
    default:
      return false;
  }
}

}  // namespace ws
}  // namespace sfs::http
