// MessageParser: see parser.h for the state machine and the list of what it refuses.
//
// The head is parsed a line at a time as lines complete, so nothing is scanned twice however the
// bytes trickle in, and the limits are checked against the line still being received (a client
// cannot make the server buffer an endless request line before answering 414).
#include "systems/http/parser.h"

#include <cstring>

#include "core/strings.h"

namespace sfs::http {
namespace {

struct TokenTable {
  bool allowed[256] = {};
  constexpr TokenTable() {
    for (int c = '0'; c <= '9'; ++c) allowed[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) allowed[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) allowed[c] = true;
    for (char c : std::string_view("!#$%&'*+-.^_`|~")) allowed[static_cast<unsigned char>(c)] = true;
  }
};
constexpr TokenTable kToken;

// field-value characters: HTAB, SP, VCHAR, obs-text (RFC 9110 section 5.5).
inline bool is_field_char(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7F); }
// request-target characters: visible ASCII, and bytes over 0x7F. RFC 3986 wants those
// percent-encoded, but clients send raw UTF-8 (curl passes it through as typed) and nginx and
// Apache accept it; no parser takes such a byte for a delimiter, so it cannot shift a message
// boundary. Spaces, controls and DEL stay errors.
inline bool is_target_char(unsigned char c) { return c > 0x20 && c != 0x7F; }

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 60)) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F) {
      out.push_back(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  if (text.size() > 60) out += "...";
  return out;
}

// Host = uri-host [ ":" port ]: reg-name / IPv4 / IP-literal characters (RFC 3986 section 3.2.2).
// No '@' (userinfo), '/', spaces or controls.
bool is_valid_host(std::string_view host) {
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("-._~%!$&'()*+,;=:[]").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!kToken.allowed[static_cast<unsigned char>(c)]) return false;
  }
  return true;
}

MessageParser::MessageParser(Kind kind, Limits limits) : kind_(kind), limits_(limits) {}

void MessageParser::reset() {
  state_ = State::kHead;
  framing_ = Framing::kNone;
  started_ = false;
  scanned_ = 0;
  content_length_ = 0;
  remaining_ = 0;
  trailer_bytes_ = 0;
  target_authority_.clear();
  request_ = Request();
  response_ = ResponseHead();
  body_.clear();
  error_status_ = 0;
  error_.clear();
}

MessageParser::Result MessageParser::fail(int status, std::string message) {
  error_status_ = status;
  error_ = std::move(message);
  state_ = State::kDone;
  return Result::kError;
}

MessageParser::Result MessageParser::parse(std::string_view data, size_t* consumed) {
  *consumed = 0;
  if (error_status_ != 0) return Result::kError;
  if (state_ == State::kHead) return parse_head(data, consumed);
  if (state_ == State::kDone) return Result::kComplete;
  return parse_body(data, consumed);
}

// --- the head ------------------------------------------------------------------------------------

MessageParser::Result MessageParser::parse_head(std::string_view data, size_t* consumed) {
  size_t pos = 0;
  const bool have_start_line = [&] {
    return kind_ == Kind::kRequest ? !request_.method.empty() : response_.status != 0;
  }();
  bool start_done = have_start_line;
  while (true) {
    const char* base = data.data() + pos;
    const void* found = std::memchr(base, '\n', data.size() - pos);
    if (found == nullptr) {
      size_t pending = data.size() - pos;
      // A lone CR may still become an empty line to skip; anything else starts a message.
      if (pending > 1 || (pending == 1 && data[pos] != '\r')) started_ = true;
      if (!start_done && pending > limits_.max_request_line) {
        *consumed = pos;
        if (kind_ == Kind::kRequest) {
          return fail(414, "request line longer than " + std::to_string(limits_.max_request_line) +
                               " bytes");
        }
        return fail(400, "status line too long");
      }
      if (start_done && scanned_ + pending > limits_.max_header_bytes) {
        *consumed = pos;
        return fail(431, "header section larger than " +
                             std::to_string(limits_.max_header_bytes) + " bytes");
      }
      *consumed = pos;
      return Result::kNeedMore;
    }
    size_t end = static_cast<size_t>(static_cast<const char*>(found) - data.data());
    // The limits first, exactly as for a line still arriving above, so the verdict does not
    // depend on how the bytes were split into reads.
    if (!start_done && end - pos > limits_.max_request_line) {
      *consumed = pos;
      if (kind_ == Kind::kRequest) {
        return fail(414, "request line longer than " + std::to_string(limits_.max_request_line) +
                             " bytes");
      }
      return fail(400, "status line too long");
    }
    if (start_done && scanned_ + (end - pos) > limits_.max_header_bytes) {
      *consumed = pos;
      return fail(431, "header section larger than " + std::to_string(limits_.max_header_bytes) +
                           " bytes");
    }
    // RFC 9112 section 2.2: a line ends with CRLF, and a recipient MAY take a bare LF as the end
    // (nginx, Apache and curl do; `printf 'GET / HTTP/1.1\nHost: x\n\n' | nc` works). A CR
    // anywhere else in the line is a bare CR, which stays an error: some implementations end a
    // line there, so two of them could see different fields (the smuggling risk).
    size_t line_end = end > pos && data[end - 1] == '\r' ? end - 1 : end;
    std::string_view line = data.substr(pos, line_end - pos);
    size_t line_bytes = end + 1 - pos;
    pos = end + 1;
    if (std::memchr(line.data(), '\r', line.size()) != nullptr) {
      *consumed = pos;
      return fail(400, start_done ? "bare CR in a header field line" : "bare CR in the start line");
    }
    if (!start_done) {
      if (line.empty() && !started_) {
        // RFC 9112 section 2.2: ignore empty lines before the start line (left over from a
        // previous message's body by a sloppy client). Bounded by the request-line limit.
        if (pos > limits_.max_request_line) return fail(400, "too many empty lines");
        continue;
      }
      started_ = true;
      if (line.size() > limits_.max_request_line) {
        *consumed = pos;
        if (kind_ == Kind::kRequest) {
          return fail(414, "request line longer than " + std::to_string(limits_.max_request_line) +
                               " bytes");
        }
        return fail(400, "status line too long");
      }
      Result r = parse_start_line(line);
      if (r == Result::kError) {
        *consumed = pos;
        return r;
      }
      start_done = true;
      scanned_ = 0;
      continue;
    }
    scanned_ += line_bytes;
    if (scanned_ > limits_.max_header_bytes) {
      *consumed = pos;
      return fail(431, "header section larger than " + std::to_string(limits_.max_header_bytes) +
                           " bytes");
    }
    if (line.empty()) {
      *consumed = pos;
      return decide_framing();
    }
    Headers& headers = kind_ == Kind::kRequest ? request_.headers : response_.headers;
    if (headers.size() >= limits_.max_header_count) {
      *consumed = pos;
      return fail(431, "more than " + std::to_string(limits_.max_header_count) + " header fields");
    }
    if (parse_field_line(line, &headers) == Result::kError) {
      *consumed = pos;
      return Result::kError;
    }
  }
}

MessageParser::Result MessageParser::parse_start_line(std::string_view line) {
  return kind_ == Kind::kRequest ? parse_request_line(line) : parse_status_line(line);
}

// request-line = method SP request-target SP HTTP-version (RFC 9112 section 3)
MessageParser::Result MessageParser::parse_request_line(std::string_view line) {
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return fail(400, "malformed request line '" + printable(line) + "'");
  std::string_view method = line.substr(0, sp1);
  if (!is_token(method)) return fail(400, "invalid method '" + printable(method) + "'");
  size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) {
    return fail(400, "request line without an HTTP version (HTTP/0.9 is not supported)");
  }
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (target.empty()) return fail(400, "empty request target (two spaces in the request line?)");
  for (char c : target) {
    if (!is_target_char(static_cast<unsigned char>(c))) {
      return fail(400, "invalid character in the request target '" + printable(target) + "'");
    }
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      !(version[5] >= '0' && version[5] <= '9') || !(version[7] >= '0' && version[7] <= '9')) {
    return fail(400, "malformed HTTP version '" + printable(version) + "'");
  }
  if (version[5] != '1') return fail(505, "HTTP version " + std::string(version.substr(5)) +
                                              " is not supported (only 1.0 and 1.1)");
  request_.version = version[7] == '0' ? 10 : 11;
  request_.method = std::string(method);
  request_.target = std::string(target);

  // Target forms (RFC 9112 section 3.2): origin-form "/p?q", absolute-form "http://h/p?q",
  // authority-form "h:p" (CONNECT), asterisk-form "*" (OPTIONS).
  std::string_view path_and_query = target;
  if (target.front() != '/') {
    if (target == "*") {
      if (method != "OPTIONS") return fail(400, "'*' is only a target for OPTIONS");
      request_.path = "*";
      return Result::kNeedMore;
    }
    size_t scheme_end = target.find("://");
    if (scheme_end != std::string_view::npos) {
      // absolute-form (RFC 9112 section 3.2.2): the server uses the target's authority instead
      // of the Host field (see decide_framing()), and the path after it ("" means "/").
      std::string scheme = core::to_lower(target.substr(0, scheme_end));
      if (scheme != "http" && scheme != "https") return fail(400, "unsupported URI scheme");
      std::string_view rest = target.substr(scheme_end + 3);
      size_t path_start = rest.find_first_of("/?");
      std::string_view authority = rest.substr(0, path_start);
      if (authority.empty()) return fail(400, "absolute-form target without a host");
      // RFC 9110 section 4.2.4: userinfo in an http(s) URI is to be treated as an error.
      if (authority.find('@') != std::string_view::npos) return fail(400, "userinfo in the request target");
      if (!is_valid_host(authority)) return fail(400, "invalid host in the request target");
      target_authority_ = std::string(authority);
      path_and_query = path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
    } else if (method == "CONNECT") {
      request_.path = std::string(target);
      return Result::kNeedMore;
    } else {
      return fail(400, "request target must start with '/' ('" + printable(target) + "')");
    }
  }
  if (path_and_query.find('#') != std::string_view::npos) {
    return fail(400, "fragment in the request target");
  }
  size_t question = path_and_query.find('?');
  std::string_view raw_path = path_and_query.substr(0, question);
  if (question != std::string_view::npos) request_.query = std::string(path_and_query.substr(question + 1));
  if (raw_path.empty()) raw_path = "/";  // "http://host" or "http://host?q"
  auto decoded = percent_decode(raw_path);
  if (!decoded) return fail(400, "bad percent-escape in the path");
  if (decoded->find('\0') != std::string::npos) return fail(400, "NUL in the path");
  request_.path = std::move(*decoded);
  return Result::kNeedMore;
}

// status-line = HTTP-version SP status-code SP [ reason-phrase ]
MessageParser::Result MessageParser::parse_status_line(std::string_view line) {
  if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || line[6] != '.' || line[8] != ' ' ||
      line[5] != '1') {
    return fail(400, "malformed status line '" + printable(line) + "'");
  }
  response_.version = line[7] == '0' ? 10 : 11;
  int status = 0;
  for (int i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return fail(400, "malformed status code");
    status = status * 10 + (line[i] - '0');
  }
  if (status < 100) return fail(400, "malformed status code");
  if (line.size() > 12 && line[12] != ' ') return fail(400, "malformed status line");
  response_.status = status;
  response_.reason = line.size() > 13 ? std::string(line.substr(13)) : "";
  return Result::kNeedMore;
}

// field-line = field-name ":" OWS field-value OWS (RFC 9112 section 5)
MessageParser::Result MessageParser::parse_field_line(std::string_view line, Headers* into) {
  if (line.front() == ' ' || line.front() == '\t') {
    return fail(400, "obsolete line folding (a field line starting with whitespace)");
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return fail(400, "field line without a colon '" + printable(line) + "'");
  std::string_view name = line.substr(0, colon);
  if (name.empty()) return fail(400, "empty field name");
  if (!is_token(name)) {
    char last = name.back();
    if (last == ' ' || last == '\t') return fail(400, "whitespace between a field name and its colon");
    return fail(400, "invalid field name '" + printable(name) + "'");
  }
  std::string_view value = line.substr(colon + 1);
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    if (!is_field_char(u)) {
      if (u == '\r') return fail(400, "bare CR in field '" + std::string(name) + "'");
      return fail(400, "control character in field '" + std::string(name) + "'");
    }
  }
  into->add(std::string(name), std::string(trim_ows(value)));
  return Result::kNeedMore;
}

MessageParser::Result MessageParser::decide_framing() {
  const Headers& headers = kind_ == Kind::kRequest ? request_.headers : response_.headers;
  int version = kind_ == Kind::kRequest ? request_.version : response_.version;

  // Transfer-Encoding (RFC 9112 section 6.1): a list, possibly over several field lines.
  std::vector<std::string> codings;
  bool has_te = false;
  for (const auto& [name, value] : headers) {
    if (!core::iequals(name, "transfer-encoding")) continue;
    has_te = true;
    for (std::string_view piece : core::split(value, ',')) {
      std::string_view coding = trim_ows(piece);
      if (coding.empty()) return fail(400, "empty element in Transfer-Encoding");
      codings.push_back(core::to_lower(coding));
    }
  }
  size_t length_fields = headers.count("content-length");

  if (kind_ == Kind::kRequest) {
    if (version == 11) {
      size_t hosts = headers.count("host");
      if (hosts == 0) return fail(400, "HTTP/1.1 request without a Host field");
      if (hosts > 1) return fail(400, "more than one Host field");
    }
    // Host = uri-host [ ":" port ] (RFC 9112 section 3.2: an invalid value is a 400).
    if (auto host = request_.headers.get("host"); host && !is_valid_host(*host)) {
      return fail(400, "invalid Host '" + printable(*host) + "'");
    }
    // An absolute-form target's authority replaces the Host field (RFC 9112 section 3.2.2), so
    // the application sees one answer to "which host was asked for".
    if (!target_authority_.empty()) request_.headers.set("Host", std::move(target_authority_));
    if (has_te) {
      if (version == 10) return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
      if (length_fields > 0) return fail(400, "both Transfer-Encoding and Content-Length");
      if (codings.back() != "chunked") {
        return fail(400, "the final transfer coding is not chunked");
      }
      for (size_t i = 0; i + 1 < codings.size(); ++i) {
        if (codings[i] == "chunked") return fail(400, "chunked applied more than once");
      }
      if (codings.size() > 1) return fail(501, "transfer coding '" + codings[0] + "' is not supported");
      framing_ = Framing::kChunked;
      state_ = State::kChunkSize;
      return Result::kHeadComplete;
    }
  } else {
    int status = response_.status;
    if (head_request_ || (status >= 100 && status < 200) || status == 204 || status == 304) {
      framing_ = Framing::kNone;
      state_ = State::kDone;
      return Result::kHeadComplete;
    }
    if (has_te) {
      if (codings.back() == "chunked") {
        framing_ = Framing::kChunked;
        state_ = State::kChunkSize;
      } else {
        framing_ = Framing::kUntilClose;
        state_ = State::kUntilClose;
      }
      return Result::kHeadComplete;
    }
  }

  if (length_fields > 0) {
    std::string_view first;
    for (const auto& [name, value] : headers) {
      if (!core::iequals(name, "content-length")) continue;
      // Responses may repeat an identical value (RFC 9110 section 8.6 lets a recipient accept
      // that); requests may not repeat it at all.
      if (!first.empty() && (kind_ == Kind::kRequest || value != first)) {
        return fail(400, "more than one Content-Length");
      }
      first = value;
      if (value.empty() || value.size() > 18) return fail(400, "malformed Content-Length '" + printable(value) + "'");
      for (char c : value) {
        if (c < '0' || c > '9') return fail(400, "malformed Content-Length '" + printable(value) + "'");
      }
    }
    content_length_ = *core::parse_uint64(first);
    if (content_length_ > limits_.max_body) {
      return fail(413, "body of " + std::to_string(content_length_) + " bytes is over the limit of " +
                           std::to_string(limits_.max_body));
    }
    remaining_ = content_length_;
    framing_ = content_length_ > 0 ? Framing::kLength : Framing::kNone;
    state_ = content_length_ > 0 ? State::kLengthBody : State::kDone;
    if (content_length_ > 0) body().reserve(static_cast<size_t>(content_length_));
    return Result::kHeadComplete;
  }
  if (kind_ == Kind::kResponse) {
    framing_ = Framing::kUntilClose;
    state_ = State::kUntilClose;
    return Result::kHeadComplete;
  }
  framing_ = Framing::kNone;
  state_ = State::kDone;
  return Result::kHeadComplete;
}

// --- the body ------------------------------------------------------------------------------------

MessageParser::Result MessageParser::append_body(std::string_view bytes) {
  if (body().size() + bytes.size() > limits_.max_body) {
    return fail(413, "body over the limit of " + std::to_string(limits_.max_body) + " bytes");
  }
  body().append(bytes);
  return Result::kNeedMore;
}

MessageParser::Result MessageParser::parse_body(std::string_view data, size_t* consumed) {
  size_t pos = 0;
  while (true) {
    switch (state_) {
      case State::kDone:
        *consumed = pos;
        return Result::kComplete;
      case State::kHead:
        *consumed = pos;
        return Result::kNeedMore;  // not reached: the head is parsed elsewhere
      case State::kLengthBody: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, data.size() - pos));
        body().append(data.substr(pos, take));
        pos += take;
        remaining_ -= take;
        if (remaining_ > 0) {
          *consumed = pos;
          return Result::kNeedMore;
        }
        state_ = State::kDone;
        break;
      }
      case State::kUntilClose: {
        if (append_body(data.substr(pos)) == Result::kError) return Result::kError;
        *consumed = data.size();
        return Result::kNeedMore;
      }
      case State::kChunkSize: {
        std::string_view rest = data.substr(pos);
        size_t lf = rest.find('\n');
        if (lf == std::string_view::npos) {
          if (rest.size() > limits_.max_chunk_line) return fail(400, "chunk-size line too long");
          *consumed = pos;
          return Result::kNeedMore;
        }
        if (lf == 0 || rest[lf - 1] != '\r') return fail(400, "chunk-size line not ended by CRLF");
        std::string_view line = rest.substr(0, lf - 1);
        if (line.size() > limits_.max_chunk_line) return fail(400, "chunk-size line too long");
        size_t digits = 0;
        uint64_t size = 0;
        while (digits < line.size()) {
          char c = line[digits];
          int v = core::hex_digit_value(c);
          if (v < 0) break;
          if (digits >= 15) return fail(400, "chunk size too large");
          size = size * 16 + static_cast<uint64_t>(v);
          ++digits;
        }
        if (digits == 0) return fail(400, "malformed chunk size '" + printable(line) + "'");
        std::string_view ext = trim_ows(line.substr(digits));
        if (!ext.empty()) {
          // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ); ignored once checked.
          if (ext.front() != ';') return fail(400, "malformed chunk size '" + printable(line) + "'");
          for (char c : ext) {
            if (!is_field_char(static_cast<unsigned char>(c))) return fail(400, "control character in a chunk extension");
          }
        }
        pos += lf + 1;
        if (size == 0) {
          state_ = State::kTrailers;
          break;
        }
        if (body().size() + size > limits_.max_body) {
          return fail(413, "body over the limit of " + std::to_string(limits_.max_body) + " bytes");
        }
        remaining_ = size;
        state_ = State::kChunkData;
        break;
      }
      case State::kChunkData: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, data.size() - pos));
        body().append(data.substr(pos, take));
        pos += take;
        remaining_ -= take;
        if (remaining_ > 0) {
          *consumed = pos;
          return Result::kNeedMore;
        }
        state_ = State::kChunkEnd;
        break;
      }
      case State::kChunkEnd: {
        if (data.size() - pos < 2) {
          if (data.size() > pos && data[pos] != '\r') return fail(400, "chunk data not followed by CRLF");
          *consumed = pos;
          return Result::kNeedMore;
        }
        if (data[pos] != '\r' || data[pos + 1] != '\n') return fail(400, "chunk data not followed by CRLF");
        pos += 2;
        state_ = State::kChunkSize;
        break;
      }
      case State::kTrailers: {
        std::string_view rest = data.substr(pos);
        size_t lf = rest.find('\n');
        if (lf == std::string_view::npos) {
          if (trailer_bytes_ + rest.size() > limits_.max_header_bytes) return fail(431, "trailer section too large");
          *consumed = pos;
          return Result::kNeedMore;
        }
        if (lf == 0 || rest[lf - 1] != '\r') return fail(400, "bare LF in the trailer section");
        std::string_view line = rest.substr(0, lf - 1);
        trailer_bytes_ += lf + 1;
        pos += lf + 1;
        if (trailer_bytes_ > limits_.max_header_bytes) return fail(431, "trailer section too large");
        if (line.empty()) {
          state_ = State::kDone;
          break;
        }
        Headers* into = kind_ == Kind::kRequest ? &request_.trailers : &response_.headers;
        if (into->size() >= limits_.max_header_count * 2) return fail(431, "too many trailer fields");
        if (parse_field_line(line, into) == Result::kError) return Result::kError;
        break;
      }
    }
  }
}

MessageParser::Result MessageParser::finish_at_eof() {
  if (state_ == State::kUntilClose) {
    state_ = State::kDone;
    return Result::kComplete;
  }
  if (state_ == State::kDone) return Result::kComplete;
  return fail(400, "connection closed in the middle of a message");
}

}  // namespace sfs::http
