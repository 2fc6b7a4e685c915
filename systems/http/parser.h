// MessageParser: an incremental, strict HTTP/1.1 message parser (RFC 9112) for requests (the
// server) and responses (the client).
//
// Like picohttpparser, it is handed whatever bytes have arrived and answers "need more", "head
// complete", "message complete" or "error"; it never blocks and never keeps a pointer into the
// caller's buffer. The caller consumes what it reports as used and calls again with the rest
// (pipelined requests simply follow one another).
//
//   parse() state machine (each arrow names the function that takes it)
//
//   [head] --parse_head()--> head complete --+--> [length body] --parse_body()--> [done]
//                                            |
//                                            +--> [chunk size] --size 0--> [trailers] --> [done]
//                                            |      |  ^
//                                            |      v  | parse_body(): CRLF after the data
//                                            |    [chunk data]
//                                            |
//                                            +--> [until close] (responses; finish_at_eof())
//
// Strictness is the defence against request smuggling (RFC 9112 section 11.2): where two
// implementations could disagree about where a message ends, this parser refuses the message.
// It rejects, with 400 unless noted:
//   - Transfer-Encoding together with Content-Length; Transfer-Encoding in HTTP/1.0;
//     any coding but a single final "chunked" (501 for codings it does not implement)
//   - several Content-Length fields, lists ("5, 5"), signs, spaces, non-digits, overflow
//   - obs-fold (a field line starting with space or tab), whitespace before the colon,
//     an empty or non-token field name, bare CR anywhere, NUL or other control characters in a
//     field value
//   - a malformed request line (double spaces, missing version, bad method token), an unknown
//     major version (505), a missing or repeated Host in HTTP/1.1, a Host that is not
//     uri-host[:port]
//   - a malformed chunk size (non-hex, too many digits, a chunk missing its CRLF, bad extension)
//
// Line ends: in the start line and the header section a bare LF ends a line as CRLF does
// (RFC 9112 section 2.2 allows it; nginx and Apache do it), but a CR that is not right before the
// LF is refused. In a chunked body the chunk-size lines, the CRLF after each chunk's data and the
// trailer section need CRLF exactly: those bytes decide where the body ends, and a front end that
// ends a chunk line only at CRLF would read a bare-LF-ended line differently (the "chunk
// extension / line terminator" smuggling family), so there a bare LF stays a 400.
// and applies the limits in Limits (414, 431, 413).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "systems/http/message.h"

namespace sfs::http {

// The head of a response, for the client.
struct ResponseHead {
  int version = 11;
  int status = 0;
  std::string reason;
  Headers headers;
};

class MessageParser {
 public:
  enum class Kind { kRequest, kResponse };
  enum class Result { kNeedMore, kHeadComplete, kComplete, kError };
  enum class Framing { kNone, kLength, kChunked, kUntilClose };

  MessageParser(Kind kind, Limits limits = {});

  // Parses as much of `data` as it can; *consumed is how many bytes it used (the caller drops
  // them). Returns kHeadComplete once per message, right after the head (framing() and the head
  // are then known; call again for the body), kComplete when the whole message is in, kNeedMore
  // when it needs more bytes, kError on bad input (see error_status() and error()).
  Result parse(std::string_view data, size_t* consumed);

  // Responses only: the peer closed. Completes a close-delimited body; an error otherwise.
  Result finish_at_eof();

  // Responses only: set before parsing the response to a HEAD request (no body follows), or to a
  // CONNECT/upgrade when the body is not HTTP-framed.
  void set_head_request(bool head) { head_request_ = head; }

  // Starts over for the next message; keeps nothing of the previous one.
  void reset();

  Request& request() { return request_; }
  ResponseHead& response() { return response_; }
  Framing framing() const { return framing_; }
  uint64_t content_length() const { return content_length_; }
  // The body so far (for responses; requests keep it in request().body).
  std::string& body() { return kind_ == Kind::kRequest ? request_.body : body_; }
  // Where the message is now. `in_body()` is true between kHeadComplete and kComplete.
  bool in_head() const { return state_ == State::kHead; }
  bool in_body() const { return state_ != State::kHead && state_ != State::kDone; }
  // True when nothing of a new message has arrived yet (between messages).
  bool idle() const { return state_ == State::kHead && !started_; }

  // After kError: the status to answer with (400, 413, 414, 431, 501, 505) and why.
  int error_status() const { return error_status_; }
  const std::string& error() const { return error_; }

 private:
  enum class State { kHead, kLengthBody, kChunkSize, kChunkData, kChunkEnd, kTrailers, kUntilClose,
                     kDone };

  Result fail(int status, std::string message);
  Result parse_head(std::string_view data, size_t* consumed);
  Result parse_start_line(std::string_view line);
  Result parse_request_line(std::string_view line);
  Result parse_status_line(std::string_view line);
  Result parse_field_line(std::string_view line, Headers* into);
  Result decide_framing();
  Result parse_body(std::string_view data, size_t* consumed);
  Result append_body(std::string_view bytes);

  Kind kind_;
  Limits limits_;
  State state_ = State::kHead;
  Framing framing_ = Framing::kNone;
  bool started_ = false;
  bool head_request_ = false;
  size_t scanned_ = 0;           // bytes of the head already searched for its end
  uint64_t content_length_ = 0;
  uint64_t remaining_ = 0;       // of the fixed body or the current chunk
  size_t trailer_bytes_ = 0;
  std::string target_authority_;  // of an absolute-form target, until it replaces Host
  Request request_;
  ResponseHead response_;
  std::string body_;
  int error_status_ = 0;
  std::string error_;
};

// Token characters (RFC 9110 section 5.6.2): field names and methods.
bool is_token(std::string_view text);

}  // namespace sfs::http
