// The WebSocket framing layer (RFC 6455 section 5.2):
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-------+-+-------------+-------------------------------+
//   |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//   |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//   |N|V|V|V|       |S|             |   (if payload len==126/127)   |
//   | |1|2|3|       |K|             |                               |
//   +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//   |     Extended payload length continued, if payload len == 127  |
//   + - - - - - - - - - - - - - - - +-------------------------------+
//   |                               |Masking-key, if MASK set to 1  |
//   +-------------------------------+-------------------------------+
//   | Masking-key (continued)       |          Payload Data         |
//   +-------------------------------- - - - - - - - - - - - - - - - +
//
// FrameParser is incremental like the HTTP parser: it needs the whole frame in the buffer, reports
// "need more" until then, and refuses a frame whose declared length is over the limit as soon as
// the header is in (so a peer cannot make it buffer a 2^63-byte frame). It checks what can be
// checked per frame (reserved bits, opcodes, masking, control-frame rules, minimal length
// encodings are not required by the RFC and are accepted); message-level rules (continuations,
// UTF-8) belong to the connection.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sfs::http::ws {

enum Opcode : uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

struct Frame {
  bool fin = false;
  uint8_t opcode = 0;
  std::string payload;  // unmasked
};

class FrameParser {
 public:
  enum class Result { kNeedMore, kFrame, kError };
  // `require_mask`: frames from clients must be masked, frames from servers must not.
  FrameParser(bool require_mask, uint64_t max_payload)
      : require_mask_(require_mask), max_payload_(max_payload) {}

  // Parses one frame from the front of `data`. On kFrame, *consumed bytes were used and *frame
  // holds it. On kError, error_code() is the close code to send (1002 or 1009).
  Result parse(std::string_view data, size_t* consumed, Frame* frame);
  uint16_t error_code() const { return error_code_; }
  const std::string& error() const { return error_; }

 private:
  Result fail(uint16_t code, std::string message) {
    error_code_ = code;
    error_ = std::move(message);
    return Result::kError;
  }
  bool require_mask_;
  uint64_t max_payload_;
  uint16_t error_code_ = 0;
  std::string error_;
};

// Appends one frame. `mask` (4 bytes) is applied when given (clients must mask, servers must not).
void encode_frame(std::string* out, uint8_t opcode, std::string_view payload, bool fin = true,
                  const uint8_t* mask = nullptr);

// True for close codes a peer may send (RFC 6455 section 7.4).
bool is_valid_close_code(uint16_t code);

}  // namespace sfs::http::ws
