// HTTP messages as the server and the client see them: header fields, requests, responses, and the
// limits that bound what a peer may send (RFC 9110 sections 5-6, RFC 9112).
//
// A Request is what the parser builds from the wire and what a handler reads; a Response is what a
// handler fills in and the server serialises. A response body is one of three things:
//
//   body (std::string)      bytes in memory, sent with Content-Length
//   file (fd, offset, len)  a region of an open file, sent with sendfile(2) after the head
//   stream                  produced later through a ResponseStream (chunked, or close-delimited
//                           for HTTP/1.0 clients); see Response::start_stream()
//
// Everything here is plain data: no sockets, no event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/fd.h"
#include "core/status.h"
#include "formats/json/json.h"

namespace sfs::http {

// What a peer may send before the server answers with an error instead (RFC 9112 section 3 and
// RFC 9110 section 15.5: 414, 431, 413).
struct Limits {
  size_t max_request_line = 8 * 1024;     // start line, bytes; longer: 414 URI Too Long
  size_t max_header_bytes = 32 * 1024;    // whole head; larger: 431
  size_t max_header_count = 100;          // field lines; more: 431
  size_t max_body = 16 * 1024 * 1024;     // request body after de-chunking; larger: 413
  size_t max_chunk_line = 4 * 1024;       // a chunk-size line with its extensions
};

// Header fields in arrival order. Names are kept as sent and compared case-insensitively.
class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  void add(std::string name, std::string value) {
    fields_.emplace_back(std::move(name), std::move(value));
  }
  // Replaces every field called `name` with one holding `value`.
  void set(std::string_view name, std::string value);
  void remove(std::string_view name);
  // The first field called `name`.
  std::optional<std::string_view> get(std::string_view name) const;
  // The value of `name`, or "" when absent.
  std::string_view value(std::string_view name) const { return get(name).value_or(""); }
  bool has(std::string_view name) const { return get(name).has_value(); }
  // How many fields are called `name`.
  size_t count(std::string_view name) const;
  // True when a comma-separated list field (Connection, Upgrade, ...) holds `token`, in any of
  // its field lines, compared case-insensitively.
  bool has_token(std::string_view name, std::string_view token) const;

  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  void clear() { fields_.clear(); }
  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const { return fields_.end(); }

 private:
  std::vector<Field> fields_;
};

// Route parameters (":id" -> "42", "*" -> "css/site.css").
using Params = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;    // "GET"
  std::string target;    // the request-target as received: "/todos/1?verbose=1"
  std::string path;      // the target's path, percent-decoded: "/todos/1"
  std::string query;     // the raw query string without '?': "verbose=1"
  int version = 11;      // 10 or 11 (HTTP/1.0, HTTP/1.1)
  Headers headers;
  std::string body;      // de-chunked
  Headers trailers;      // trailer fields of a chunked body
  Params params;         // filled by the router
  std::string peer;      // "127.0.0.1:5555" or "unix"

  std::optional<std::string_view> header(std::string_view name) const { return headers.get(name); }
  // A route parameter ("" when absent).
  std::string_view param(std::string_view name) const;
  // The first query parameter called `name`, form-decoded ('+' is a space, %XX escapes).
  std::optional<std::string> query_param(std::string_view name) const;
  // All query parameters in order, decoded.
  std::vector<std::pair<std::string, std::string>> query_params() const;
  // Whether the connection stays open after this exchange (RFC 9112 section 9.3).
  bool keep_alive() const;
  // The body parsed as JSON. Errors (kInvalidArgument, so a handler that returns them answers 400)
  // name the position; a Content-Type other than application/json (or +json) is refused too.
  core::Result<::sfs::json::Value> json() const;
};

class ResponseStream;

// A response under construction. Handlers set status, headers and one kind of body.
struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  // Body helpers; each sets Content-Type.
  void text(std::string content, int status_code = 200);
  void html(std::string content, int status_code = 200);
  // `value` written compactly, with Content-Type: application/json.
  void json(const ::sfs::json::Value& value, int status_code = 200);
  // `json_text` must already be JSON.
  void json_text(std::string json_text, int status_code = 200);
  // A JSON error body: {"error": {"status": 404, "message": "..."}} with that status.
  void error(int status_code, std::string_view message);
  // 302/301/307/308 with Location.
  void redirect(std::string_view location, int status_code = 302);

  // Sends `length` bytes of `fd` from `offset` with sendfile(2). The response owns the descriptor.
  void send_file(core::Fd fd, uint64_t offset, uint64_t length);
  bool has_file() const { return file_fd.valid(); }

  // Turns this into a streaming response: the head goes out when the handler returns, and the
  // body is whatever is written to the returned stream afterwards, from any later callback on the
  // same event loop, until ResponseStream::end(). HTTP/1.1 clients get Transfer-Encoding: chunked;
  // HTTP/1.0 clients get a body delimited by closing the connection.
  std::shared_ptr<ResponseStream> start_stream();
  bool is_stream() const { return stream != nullptr; }

  // Defers the whole response: the handler returns without answering and calls
  // Deferred::send() later (from the same event loop). Pipelined requests wait behind it.
  class Deferred;
  std::shared_ptr<Deferred> defer();
  bool is_deferred() const { return deferred != nullptr; }

  // Internal to the server: file and stream bodies.
  core::Fd file_fd;
  uint64_t file_offset = 0;
  uint64_t file_length = 0;
  std::shared_ptr<ResponseStream> stream;
  std::shared_ptr<Deferred> deferred;
};

// The standard reason phrase ("Not Found"); "Unknown" for codes RFC 9110 does not define.
std::string_view reason_phrase(int status);
// An IMF-fixdate (RFC 9110 section 5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date(int64_t unix_seconds);
// Parses an IMF-fixdate (and, as the RFC asks, the obsolete RFC 850 and asctime forms).
std::optional<int64_t> parse_http_date(std::string_view text);
// The HTTP status for a core::Status from a handler: invalid argument 400, not found 404,
// already exists 409, limit exceeded 413, unsupported 501, timeout 504, others 500.
int status_for(const core::Status& status);
// `text` as a JSON string literal (quotes and escapes included).
std::string json_quote(std::string_view text);

// Percent-decoding (RFC 3986 section 2.1). `plus_is_space` for form data. nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);
// Escapes everything but unreserved characters and '/' (for building paths and links).
std::string percent_encode_path(std::string_view text);
// Parses "a=1&b=x+y" into decoded pairs (malformed escapes are kept as sent).
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);

}  // namespace sfs::http
