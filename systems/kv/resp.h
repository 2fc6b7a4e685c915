// RESP, the Redis serialization protocol: the request parser and the reply writer.
//
// Requests arrive in two shapes (https://redis.io/docs/reference/protocol-spec/):
//
//   multibulk   *<n>\r\n  then n times  $<len>\r\n<len bytes>\r\n      (what clients send)
//   inline      SET key "a value"\r\n                                     (telnet, redis-cli -x)
//
// RespParser is incremental, like Redis's processMultibulkBuffer: parse() is given everything
// buffered so far and answers kDone (one request, args() are views into the input, consumed()
// bytes), kNeedMore, or kError (error() is the exact "Protocol error: ..." text Redis sends before
// it closes the connection). Between kNeedMore calls it remembers how far it got — the argument
// count and the offsets of the arguments already complete — so a 100 MB bulk string trickling in
// 16 KiB at a time is scanned once, not re-parsed from its start on every read. Offsets, not
// pointers, are kept because the connection's buffer may move its bytes between calls.
//
// Replies: ReplyWriter appends RESP2 or RESP3 (HELLO 3) to the connection's output buffer. Types
// that RESP2 lacks are mapped the way Redis maps them: a map is a flat array of 2n items, a set an
// array, a double a bulk string, null a $-1 (or *-1 for "null array" replies), a boolean 1/0.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/buffer.h"

namespace sfs::kv {

class RespParser {
 public:
  enum class Result { kDone, kNeedMore, kError };

  // Limits Redis applies: proto-max-bulk-len (512 MB) and 64 KiB for inline requests and for the
  // "*<n>"/"$<len>" header lines.
  static constexpr int64_t kMaxBulkLength = 512LL * 1024 * 1024;
  static constexpr size_t kMaxInline = 64 * 1024;
  static constexpr int64_t kMaxMultibulk = 1024LL * 1024 * 1024;

  // Parses one request from the start of `input` (which begins at the same byte as on the
  // previous call until a kDone is consumed). On kDone, args() views `input` and consumed() says
  // how many bytes the request used; call reset() after acting on it. A request of zero arguments
  // ("*0\r\n", an empty inline line) is kDone with empty args(): skip it.
  Result parse(std::string_view input);
  const std::vector<std::string_view>& args() const { return args_; }
  size_t consumed() const { return consumed_; }
  const std::string& error() const { return error_; }
  // Forgets the request just returned (keeps the vectors' capacity).
  void reset();
  // True while a multibulk request is partly parsed.
  bool in_progress() const { return multibulk_ > 0; }
  // True when the request just parsed was inline.
  bool was_inline() const { return inline_; }

 private:
  Result parse_inline(std::string_view input);
  Result fail(std::string message);

  int64_t multibulk_ = 0;  // announced argument count; 0 when between requests
  size_t pos_ = 0;         // offset of the next unparsed byte
  std::vector<std::pair<size_t, size_t>> spans_;  // (offset, length) of complete arguments
  std::vector<std::string_view> args_;
  std::vector<std::string> inline_storage_;  // unescaped inline arguments
  size_t consumed_ = 0;
  bool inline_ = false;
  std::string error_;
};

// Splits a line into arguments the way redis-cli and Redis's inline protocol do (sdssplitargs):
// spaces separate; "double quotes" understand \n \r \t \b \a \\ \" and \xHH; 'single quotes'
// only \'; a closing quote must be followed by a space or the end. False on unbalanced quotes.
bool split_args(std::string_view line, std::vector<std::string>* out);

// Error replies by code (the first word: "ERR", "WRONGTYPE"...), for INFO errorstats. As Redis,
// at most 128 distinct codes are tracked; later new codes only count in the total.
struct ErrorStats {
  uint64_t total = 0;
  std::map<std::string, uint64_t, std::less<>> by_code;
  std::string last;  // the start of the last error (to recognise "unknown subcommand")
  void count(std::string_view message);
};

class ReplyWriter {
 public:
  explicit ReplyWriter(core::Buffer* out = nullptr) : out_(out) {}
  void set_output(core::Buffer* out) { out_ = out; }
  core::Buffer* output() const { return out_; }
  void set_protocol(int version) { resp3_ = version == 3; }
  // Where error replies are counted (null: nowhere).
  void set_error_stats(ErrorStats* stats) { error_stats_ = stats; }
  bool resp3() const { return resp3_; }

  void ok() { raw("+OK\r\n"); }
  void simple(std::string_view text);
  // `message` is the full error text ("ERR syntax error", "WRONGTYPE ..."); newlines in it are
  // replaced by spaces, as Redis does, so the reply stays one line.
  void error(std::string_view message);
  void integer(int64_t value);
  void bulk(std::string_view value);
  void bulk_int(int64_t value);  // an integer sent as a bulk string
  // $-1 in RESP2, _ in RESP3.
  void null();
  // *-1 in RESP2, _ in RESP3 (EXEC after a WATCH failure, BLPOP timeout...).
  void null_array();
  void array(size_t n) { header('*', n); }
  // RESP3 %n; RESP2 *2n (the caller writes n key/value pairs either way).
  void map(size_t n) {
    if (resp3_) header('%', n); else header('*', n * 2);
  }
  void set(size_t n) { header(resp3_ ? '~' : '*', n); }
  // Out-of-band data (pub/sub messages): RESP3 >n, RESP2 *n.
  void push(size_t n) { header(resp3_ ? '>' : '*', n); }
  // A double: RESP3 ",x", RESP2 a bulk string; formatted with %.17g ("inf", "-inf") as Redis 7.0.
  void double_value(double value);
  void boolean(bool value);
  // RESP3 verbatim string (=len\r\ntxt:...), RESP2 bulk (INFO, CLIENT LIST).
  void verbatim(std::string_view text);
  void raw(std::string_view bytes) { out_->append(bytes); }

 private:
  void header(char type, size_t n);
  core::Buffer* out_;
  ErrorStats* error_stats_ = nullptr;
  bool resp3_ = false;
};

// Formats a double the way Redis 7.0 replies and stores it: "%.17g", with "inf"/"-inf".
std::string format_double(double value);
// Formats a long double as INCRBYFLOAT does: 17 significant digits in fixed notation with
// trailing zeros (and a bare dot) removed.
std::string format_long_double(long double value);

}  // namespace sfs::kv
