// HttpConnection: see http_connection.h for the exchange state machine.
#include "systems/http/http_connection.h"

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

#include "core/log.h"
#include "core/strings.h"
#include "systems/http/server.h"

namespace sfs::http {
namespace {

constexpr size_t kReadChunk = 16 * 1024;
constexpr int kReadsPerWakeup = 4;
// Above this much unsent output the connection stops reading and parsing (backpressure).
constexpr size_t kHighWater = 1 << 20;
// Files up to this size are read into the output buffer so head and body leave in one send();
// larger ones go out with sendfile() after the head.
constexpr uint64_t kInlineFileLimit = 16 * 1024;
constexpr uint64_t kSendfileChunk = 1 << 20;
// Lingering close after an error (nginx's lingering_timeout / lingering_time idea): discard what
// the client is still sending until it stops for kLingerGap, sends kLingerMaxBytes, or
// kLingerTotal has passed, so a client that sends its whole request before reading (Python's
// http.client with a 20 MB URI, an oversized upload) reads the 4xx instead of a reset.
constexpr core::Milliseconds kLingerGap{2000};
constexpr core::Milliseconds kLingerTotal{10000};
constexpr core::Milliseconds kWebSocketCloseTimeout{5000};
constexpr size_t kLingerMaxBytes = 256u << 20;

bool known_method(std::string_view m) {
  return m == "GET" || m == "HEAD" || m == "POST" || m == "PUT" || m == "DELETE" || m == "PATCH" ||
         m == "OPTIONS";
}

void append_number(core::Buffer& out, uint64_t n) {
  char buf[24];
  int len = 0;
  do {
    buf[len++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n > 0);
  char* dst = out.prepare(static_cast<size_t>(len));
  for (int i = 0; i < len; ++i) dst[i] = buf[len - 1 - i];
  out.commit(static_cast<size_t>(len));
}

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

}  // namespace

HttpConnection::HttpConnection(Server& server, core::Fd fd, std::string peer)
    : server_(server),
      loop_(server.loop()),
      fd_(std::move(fd)),
      peer_(std::move(peer)),
      alive_(std::make_shared<bool>(true)) {
  last_read_ = last_progress_ = loop_.now();
  deadline_ = loop_.now() + server_.options().idle_timeout;
}

HttpConnection::~HttpConnection() {
  *alive_ = false;
  if (fd_) loop_.unwatch(fd_.get());
}

MessageParser& HttpConnection::parser() {
  if (!parser_) parser_ = server_.take_parser();
  return *parser_;
}

core::Status HttpConnection::start() {
  update_interest();
  return core::Status::ok();
}

void HttpConnection::update_interest() {
  if (closed_) return;
  // Write interest only while the kernel is refusing output: pending output is otherwise written
  // before the loop sleeps, and toggling EPOLLOUT for every response would cost two epoll_ctl()
  // calls per request.
  //
  // Edge-triggered: a busy connection is not re-polled by the kernel on every epoll_wait(), which
  // with a thousand active connections is a tenth of the server's time. The price is that
  // handle_read() reads until the socket is empty (or comes back by itself, see there), and every
  // change of interest (epoll_ctl MOD) re-arms the edge, so resuming reading after backpressure
  // sees bytes that arrived meanwhile.
  uint32_t wanted = 0;
  if (!peer_eof_ && out_.size() < kHighWater && in_.size() < kHighWater &&
      (!close_after_write_ || phase_ == Phase::kLinger)) {
    wanted |= core::kReadable;
  }
  if (write_blocked_ && (!out_.empty() || file_remaining_ > 0)) wanted |= core::kWritable;
  if (wanted != 0) wanted |= core::kEdgeTriggered;
  if (wanted == interest_) return;
  interest_ = wanted;
  if (wanted == 0) {
    loop_.unwatch(fd_.get());
  } else if (core::Status status = loop_.watch(fd_.get(), wanted, this); !status.is_ok()) {
    SFS_LOG_WARN("cannot watch ", peer_, ": ", status.message());
    close();
  }
}

void HttpConnection::queue_flush() {
  if (!closed_) server_.queue_flush(this);
}

void HttpConnection::on_io(int, uint32_t events) {
  if ((events & core::kWritable) && !closed_) {
    write_blocked_ = false;
    flush();
  }
  if ((events & core::kReadable) && !closed_) {
    handle_read();
    // Answer right away rather than after every other ready connection has been read: the
    // responses to everything this client pipelined still leave in one write.
    if (!closed_ && flush_queued && !write_blocked_) flush();
  }
}

void HttpConnection::handle_read() {
  size_t received = 0;
  bool eof = false;
  // Reads land in one buffer shared by every connection of the thread and only what arrived is
  // copied into the connection's own buffer: an idle connection then holds a few hundred bytes
  // rather than a 16 KiB read buffer (the copy of a small request costs less than the memory).
  static thread_local char scratch[kReadChunk];
  bool drained = false;
  for (int i = 0; i < kReadsPerWakeup; ++i) {
    ssize_t n = ::read(fd_.get(), scratch, kReadChunk);
    if (n > 0) {
      in_.append(scratch, static_cast<size_t>(n));
      received += static_cast<size_t>(n);
      if (static_cast<size_t>(n) < kReadChunk) {
        drained = true;  // a short read emptied the socket; the next arrival is a new edge
        break;
      }
      continue;
    }
    if (n == 0) {
      eof = drained = true;
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {
      drained = true;
      break;
    }
    close();  // reset or another read error: nothing more can be said to this peer
    return;
  }
  if (phase_ == Phase::kLinger) {
    // Discarding what a client sends after an error response, until it closes.
    lingered_bytes_ += in_.size();
    in_.clear();
    if (eof || lingered_bytes_ > kLingerMaxBytes) {
      close();
      return;
    }
    if (received > 0) deadline_ = std::min(loop_.now() + kLingerGap, linger_end_);
    if (!drained) {
      loop_.defer([alive = alive_, this] {
        if (*alive && !closed_ && (interest_ & core::kReadable)) handle_read();
      });
    }
    return;
  }
  if (received > 0) last_read_ = loop_.now();
  if (eof) peer_eof_ = true;
  if (received > 0) {
    if (websocket_) {
      process_frames();
    } else {
      process_input();
    }
  }
  if (closed_) return;
  if (!drained && !eof) {
    // Fairness cap reached with bytes still in the socket: no new edge will come for them, so
    // read again after the other ready connections have had their turn.
    loop_.defer([alive = alive_, this] {
      if (*alive && !closed_ && (interest_ & core::kReadable)) handle_read();
    });
  }
  if (eof) {
    // The peer will send nothing more. Whatever is complete has been handled; a partial request
    // can never complete. Close once the responses in progress are written.
    if (websocket_) {
      if (ws_->socket) {
        ws_->socket->detach(1006, "connection lost");
        ws_->socket.reset();
      }
      close();
      return;
    }
    close_after_write_ = true;
    // A streamed body has no natural end: a client that hung up will never want the rest.
    if (busy_ == Busy::kStream || (busy_ == Busy::kNone && out_.empty() && file_remaining_ == 0)) {
      close();
      return;
    }
  }
  update_interest();
  update_phase();
}

void HttpConnection::process_input() {
  if (processing_ || closed_) return;
  processing_ = true;
  while (!closed_ && !websocket_ && busy_ == Busy::kNone && file_remaining_ == 0 &&
         !close_after_write_ && out_.size() < kHighWater) {
    if (in_.empty() && parser_in_head()) break;
    size_t used = 0;
    MessageParser::Result result = parser().parse(in_.view(), &used);
    in_.consume(used);
    if (result == MessageParser::Result::kNeedMore) break;
    if (result == MessageParser::Result::kError) {
      send_error(parser().error_status(), parser().error());
      break;
    }
    if (result == MessageParser::Result::kHeadComplete) {
      if (!on_head()) break;
      continue;
    }
    handle_request();
  }
  processing_ = false;
  if (!websocket_ && in_.empty()) {
    // Between requests: give the input buffer and the parser back now, so the next connection's
    // allocation reuses them (an idle keep-alive connection then holds neither, and a burst of
    // connections does not leave the heap fragmented with their leftovers).
    in_.shrink_if_idle(0);
    if (parser_ && parser_->idle()) server_.return_parser(std::move(parser_));
  }
  if (websocket_ && !closed_ && !in_.empty()) process_frames();
  if (closed_) return;
  if (peer_eof_ && !websocket_ && busy_ == Busy::kNone && !close_after_write_) {
    close_after_write_ = true;
    if (out_.empty() && file_remaining_ == 0) {
      close();
      return;
    }
  }
  update_interest();
  update_phase();
}

bool HttpConnection::on_head() {
  Request& request = parser().request();
  if (!known_method(request.method)) {
    send_error(501, "method " + request.method + " is not implemented");
    return false;
  }
  // A request with neither Content-Length nor Transfer-Encoding has an empty body (RFC 9112
  // section 6.3, rule 7), whatever its method: `curl -X POST URL` sends one, and nginx accepts it.
  // (411 Length Required is therefore never needed: every request's length is known.)
  //
  // Expect (RFC 9110 section 10.1.1): an HTTP/1.0 client cannot know 100 Continue, so the field
  // is ignored in HTTP/1.0 requests.
  if (auto expect = request.headers.get("expect"); expect && request.version == 11) {
    if (!core::iequals(*expect, "100-continue")) {
      send_error(417, "unsupported expectation '" + std::string(*expect) + "'");
      return false;
    }
    // RFC 9110 section 10.1.1: tell the client to send the body, unless it already started.
    if (request.version == 11 && parser().framing() != MessageParser::Framing::kNone && in_.empty()) {
      out_.append("HTTP/1.1 100 Continue\r\n\r\n");
      queue_flush();
    }
  }
  return true;
}

void HttpConnection::handle_request() {
  Request request = std::move(parser().request());
  parser().reset();
  request.peer = peer_;

  if (request.method == "GET" && request.headers.has_token("upgrade", "websocket")) {
    handle_upgrade(request);
    return;
  }

  Exchange exchange;
  exchange.head = request.method == "HEAD";
  exchange.version = request.version;
  exchange.keep_alive = request.keep_alive();
  if (server_.options().access_log) {
    exchange.log_line = request.method + " " + request.target + (request.version == 10 ? " HTTP/1.0" : " HTTP/1.1");
  }

  Response response;
  if (request.method == "OPTIONS" && request.path == "*") {
    // The server as a whole (RFC 9110 section 9.3.7): what it supports, and Content-Length: 0.
    response.status = 200;
    response.headers.set("Allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
  } else {
    server_.router().handle(request, response);
  }
  if (response.deferred) {
    exchange_ = std::move(exchange);
    busy_ = Busy::kDeferred;
    deferred_ = std::move(response.deferred);
    deferred_->attach(this);  // may send right away if the handler already answered
    return;
  }
  write_response(exchange, response);
}

void HttpConnection::write_response(const Exchange& exchange, Response& response) {
  bool keep_alive = exchange.keep_alive && !shutdown_requested_ && !server_.shutting_down() &&
                    !peer_eof_;
  const int status = response.status;
  const bool no_body = status < 200 || status == 204 || status == 304;
  const bool streaming = response.stream != nullptr && !no_body;
  if (streaming && exchange.version == 10) keep_alive = false;

  // RFC 9110 section 6.2: a server sends the highest minor version it conforms to, so HTTP/1.0
  // clients get "HTTP/1.1" too (as from nginx and Apache); their framing is still HTTP/1.0's
  // (no chunked, keep-alive only when asked for).
  out_.append("HTTP/1.1 ");
  append_number(out_, static_cast<uint64_t>(status));
  out_.push_back(' ');
  out_.append(reason_phrase(status));
  out_.append("\r\n");
  out_.append(server_.date_line());
  out_.append("Server: ");
  out_.append(server_.options().server_name);
  out_.append("\r\n");
  bool upgrade_offered = false;
  for (const auto& [name, value] : response.headers) {
    if (core::iequals(name, "content-length") || core::iequals(name, "transfer-encoding") ||
        core::iequals(name, "connection") || core::iequals(name, "date") || core::iequals(name, "server")) {
      continue;
    }
    upgrade_offered |= core::iequals(name, "upgrade");
    if (has_line_break(name) || has_line_break(value) || !is_token(name)) {
      SFS_LOG_WARN("dropping response header with a line break or bad name: ", name);
      continue;
    }
    out_.append(name);
    out_.append(": ");
    out_.append(value);
    out_.append("\r\n");
  }
  uint64_t length = 0;
  if (no_body) {
    // No framing fields: these statuses never have a body (RFC 9110 sections 6.4.1, 8.6).
  } else if (streaming) {
    if (exchange.version == 11) out_.append("Transfer-Encoding: chunked\r\n");
  } else {
    length = response.has_file() ? response.file_length : response.body.size();
    out_.append("Content-Length: ");
    append_number(out_, length);
    out_.append("\r\n");
  }
  // Connection options (RFC 9110 section 7.6.1); an Upgrade field (426) needs "upgrade" there.
  if (!keep_alive) {
    out_.append(upgrade_offered ? "Connection: upgrade, close\r\n" : "Connection: close\r\n");
  } else if (exchange.version == 10) {
    out_.append(upgrade_offered ? "Connection: upgrade, keep-alive\r\n" : "Connection: keep-alive\r\n");
  } else if (upgrade_offered) {
    out_.append("Connection: upgrade\r\n");
  }
  out_.append("\r\n");

  uint64_t sent_bytes = 0;
  if (!exchange.head && !no_body) {
    if (streaming) {
      busy_ = Busy::kStream;
      chunked_ = exchange.version == 11;
      exchange_ = exchange;
      exchange_.keep_alive = keep_alive;
      stream_ = std::move(response.stream);
    } else if (response.has_file()) {
      sent_bytes = length;
      if (length <= kInlineFileLimit) {
        char* dst = out_.prepare(static_cast<size_t>(length));
        ssize_t n = ::pread(response.file_fd.get(), dst, static_cast<size_t>(length),
                            static_cast<off_t>(response.file_offset));
        if (n != static_cast<ssize_t>(length)) {
          // The file shrank or failed under us; the promised length cannot be honoured.
          SFS_LOG_WARN("short read of a file being served to ", peer_);
          close();
          return;
        }
        out_.commit(static_cast<size_t>(n));
      } else {
        file_ = std::move(response.file_fd);
        file_offset_ = response.file_offset;
        file_remaining_ = length;
      }
    } else {
      sent_bytes = length;
      out_.append(response.body);
    }
  } else if (response.stream) {
    response.stream->detach();  // nothing will be sent for it
  }
  log_access(exchange, status, sent_bytes);
  if (!keep_alive) close_after_write_ = true;
  queue_flush();
  if (stream_ && busy_ == Busy::kStream) {
    auto stream = stream_;
    stream->attach(this);
  }
}

void HttpConnection::log_access(const Exchange& exchange, int status, uint64_t bytes) {
  if (!server_.options().access_log) return;
  // Common Log Format: host ident authuser [date] "request" status bytes
  std::string host = peer_;
  if (!host.empty() && host.front() == '[') {
    host = host.substr(1, host.find(']') - 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string::npos) {
    host.resize(colon);
  }
  time_t now = time(nullptr);
  struct tm tm;
  gmtime_r(&now, &tm);
  char date[40];
  strftime(date, sizeof(date), "%d/%b/%Y:%H:%M:%S +0000", &tm);
  std::string line = host + " - - [" + date + "] \"" + exchange.log_line + "\" " +
                     std::to_string(status) + " " + (bytes > 0 ? std::to_string(bytes) : "-");
  server_.log_access(line);
}

void HttpConnection::send_error(int status, std::string_view message) {
  SFS_LOG_DEBUG(peer_, ": ", status, " ", message);
  Exchange exchange;
  exchange.keep_alive = false;
  exchange.log_line = "-";
  Response response;
  response.text(std::string(message) + "\n", status);
  if (status == 405) response.headers.set("Allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
  busy_ = Busy::kNone;
  write_response(exchange, response);
  linger_after_write_ = true;
  update_interest();
}

void HttpConnection::deferred_send(Response response) {
  if (closed_ || busy_ != Busy::kDeferred) return;
  busy_ = Busy::kNone;
  deferred_.reset();
  write_response(exchange_, response);
  if (busy_ == Busy::kNone) schedule_resume();
}

void HttpConnection::stream_write(std::string_view data) {
  if (closed_ || busy_ != Busy::kStream) return;
  if (!exchange_.head) {
    if (chunked_) {
      char size[20];
      int n = snprintf(size, sizeof(size), "%zx\r\n", data.size());
      out_.append(size, static_cast<size_t>(n));
      out_.append(data);
      out_.append("\r\n");
    } else {
      out_.append(data);
    }
  }
  queue_flush();
}

void HttpConnection::stream_end() {
  if (closed_ || busy_ != Busy::kStream) return;
  if (chunked_) out_.append("0\r\n\r\n");
  busy_ = Busy::kNone;
  stream_.reset();
  queue_flush();
  schedule_resume();
}

void HttpConnection::schedule_resume() {
  // The application may call us from deep inside its own code; parse the next pipelined request
  // from the loop instead of from here.
  loop_.defer([alive = alive_, this] {
    if (!*alive || closed_) return;
    process_input();
  });
}

void HttpConnection::flush() {
  flush_queued = false;
  if (closed_ || write_blocked_) return;
  if (phase_ != Phase::kSending) last_progress_ = loop_.now();
  bool progress = false;
  while (true) {
    if (!out_.empty()) {
      int flags = MSG_NOSIGNAL | MSG_DONTWAIT | (file_remaining_ > 0 ? MSG_MORE : 0);
      ssize_t n = ::send(fd_.get(), out_.data(), out_.size(), flags);
      if (n > 0) {
        out_.consume(static_cast<size_t>(n));
        progress = true;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) {
        write_blocked_ = true;
        break;
      }
      close();
      return;
    }
    if (file_remaining_ > 0) {
      off_t offset = static_cast<off_t>(file_offset_);
      ssize_t n = ::sendfile(fd_.get(), file_.get(), &offset,
                             static_cast<size_t>(std::min(file_remaining_, kSendfileChunk)));
      if (n > 0) {
        file_offset_ += static_cast<uint64_t>(n);
        file_remaining_ -= static_cast<uint64_t>(n);
        progress = true;
        if (file_remaining_ == 0) file_.reset();
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) {
        write_blocked_ = true;
        break;
      }
      // n == 0: the file was truncated while being sent; the response cannot be completed.
      close();
      return;
    }
    break;
  }
  if (progress) last_progress_ = loop_.now();
  const bool drained = out_.empty() && file_remaining_ == 0;
  if (drained && busy_ == Busy::kNone && !websocket_) out_.shrink_if_idle(0);
  if (drained) {
    if (close_after_write_ && busy_ == Busy::kNone) {
      if (linger_after_write_ && !peer_eof_) {
        ::shutdown(fd_.get(), SHUT_WR);
        phase_ = Phase::kLinger;
        linger_end_ = loop_.now() + kLingerTotal;
        deadline_ = loop_.now() + kLingerGap;
        in_.clear();
        update_interest();
        return;
      }
      if (!websocket_ || !ws_->socket) {
        close();
        return;
      }
    }
    if (busy_ == Busy::kStream && stream_) {
      auto stream = stream_;
      stream->drained();
      if (closed_) return;
    } else if (busy_ == Busy::kNone && !websocket_ && !in_.empty()) {
      process_input();  // requests that waited behind a large response
      if (closed_) return;
    }
  }
  update_interest();
  update_phase();
}

void HttpConnection::update_phase() {
  if (closed_ || phase_ == Phase::kLinger) return;
  const auto& options = server_.options();
  const auto now = loop_.now();
  const auto never = core::Clock::time_point::max();
  if (websocket_) {
    if (ws_->close_sent) {
      if (phase_ != Phase::kWsClosing) {
        phase_ = Phase::kWsClosing;
        deadline_ = now + kWebSocketCloseTimeout;
      }
    } else {
      phase_ = Phase::kWebSocket;
      deadline_ = out_.empty() ? never : last_progress_ + options.send_timeout;
    }
    return;
  }
  if (!out_.empty() || file_remaining_ > 0) {
    phase_ = Phase::kSending;
    deadline_ = last_progress_ + options.send_timeout;
  } else if (busy_ != Busy::kNone) {
    phase_ = Phase::kBusy;
    deadline_ = never;
  } else if (parser_idle() && in_.empty()) {
    if (phase_ != Phase::kIdle) {
      phase_ = Phase::kIdle;
      deadline_ = now + options.idle_timeout;
      if (shutdown_requested_ || server_.shutting_down()) close();
    }
  } else if (parser_in_head()) {
    if (phase_ != Phase::kHead) {
      phase_ = Phase::kHead;
      deadline_ = now + options.header_timeout;
    }
  } else {
    phase_ = Phase::kBody;
    deadline_ = last_read_ + options.body_timeout;
  }
}

void HttpConnection::check_deadline(core::Clock::time_point now) {
  if (closed_ || now < deadline_) return;
  switch (phase_) {
    case Phase::kHead:
    case Phase::kBody:
      SFS_LOG_DEBUG(peer_, ": request timed out");
      send_error(408, "request timed out");
      // If even the 408 cannot be written, the send timeout closes the connection.
      update_phase();
      break;
    default:
      close();
      break;
  }
}

void HttpConnection::begin_shutdown() {
  shutdown_requested_ = true;
  if (websocket_) {
    if (ws_->socket) socket_close(1001, "server shutting down");
    return;
  }
  if (busy_ == Busy::kNone && out_.empty() && file_remaining_ == 0 && parser_idle() && in_.empty()) {
    close();
  }
}

size_t HttpConnection::release_idle_memory() {
  if (phase_ != Phase::kIdle || !in_.empty() || !out_.empty() || closed_) return 0;
  size_t freed = in_.capacity() + out_.capacity();
  in_.shrink_if_idle(0);
  out_.shrink_if_idle(0);
  if (parser_ && parser_->idle()) {
    freed += sizeof(MessageParser);
    server_.return_parser(std::move(parser_));
  }
  return freed;
}

void HttpConnection::close() {
  if (closed_) return;
  closed_ = true;
  if (interest_ != 0) loop_.unwatch(fd_.get());
  interest_ = 0;
  fd_.reset();
  file_.reset();
  out_.clear();
  // Tell the application's pending objects; their callbacks may run here.
  if (stream_) {
    auto stream = std::move(stream_);
    stream->detach();
  }
  if (deferred_) {
    auto deferred = std::move(deferred_);
    deferred->detach();
  }
  if (ws_ && ws_->socket) {
    auto socket = std::move(ws_->socket);
    socket->detach(1006, "connection closed");
  }
  server_.connection_closed(this);
}

// --- WebSocket ---------------------------------------------------------------------------------

void HttpConnection::handle_upgrade(Request& request) {
  // RFC 6455 section 4.2.1: the opening handshake's requirements.
  auto reject = [&](int status, std::string_view why) {
    Exchange exchange;
    exchange.version = request.version;
    exchange.keep_alive = request.keep_alive();
    exchange.log_line = "GET " + request.target + " HTTP/1.1";
    Response response;
    response.text(std::string(why) + "\n", status);
    if (status == 426) {
      response.headers.set("Upgrade", "websocket");
      response.headers.set("Sec-WebSocket-Version", "13");
    }
    write_response(exchange, response);
  };
  const WebSocketHandler* handler = server_.router().find_websocket(request);
  if (handler == nullptr) {
    // Not a WebSocket endpoint: an ordinary GET.
    Exchange exchange;
    exchange.version = request.version;
    exchange.keep_alive = request.keep_alive();
    exchange.log_line = "GET " + request.target + " HTTP/1.1";
    Response response;
    server_.router().handle(request, response);
    if (response.deferred) {
      response.deferred->detach();
      response.error(500, "deferred response on a WebSocket path");
    }
    write_response(exchange, response);
    return;
  }
  if (request.version != 11 || !request.headers.has_token("connection", "upgrade")) {
    return reject(400, "WebSocket upgrade needs HTTP/1.1 and Connection: Upgrade");
  }
  if (request.headers.value("sec-websocket-version") != "13") {
    return reject(426, "only WebSocket version 13 is supported");
  }
  std::string_view key = request.headers.value("sec-websocket-key");
  if (key.size() != 24 || key[22] != '=' || key[23] != '=') {
    return reject(400, "missing or malformed Sec-WebSocket-Key");
  }
  if (!request.body.empty()) return reject(400, "a WebSocket handshake has no body");

  out_.append("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n");
  out_.append("Sec-WebSocket-Accept: ");
  out_.append(websocket_accept_key(key));
  out_.append("\r\n");
  out_.append(server_.date_line());
  out_.append("Server: ");
  out_.append(server_.options().server_name);
  out_.append("\r\n\r\n");
  Exchange exchange;
  exchange.log_line = "GET " + request.target + " HTTP/1.1";
  log_access(exchange, 101, 0);
  queue_flush();

  websocket_ = true;
  ws_ = std::make_unique<WebSocketState>(server_.options().max_websocket_message);
  ws_->socket = std::make_shared<WebSocket>(peer_);
  ws_->socket->attach(this);
  auto socket = ws_->socket;
  (*handler)(socket, request);
  if (!closed_ && !in_.empty()) process_frames();
  update_phase();
}

void HttpConnection::process_frames() {
  while (!closed_ && websocket_ && !in_.empty() && out_.size() < kHighWater) {
    ws::Frame frame;
    size_t used = 0;
    auto result = ws_->frames.parse(in_.view(), &used, &frame);
    if (result == ws::FrameParser::Result::kNeedMore) break;
    if (result == ws::FrameParser::Result::kError) {
      fail_websocket(ws_->frames.error_code(), ws_->frames.error());
      return;
    }
    in_.consume(used);
    if (ws_->close_sent && frame.opcode != ws::kClose) continue;  // draining until the peer's close
    switch (frame.opcode) {
      case ws::kText:
      case ws::kBinary:
      case ws::kContinuation: {
        if (frame.opcode == ws::kContinuation) {
          if (ws_->message_opcode == 0) return fail_websocket(1002, "continuation without a message");
        } else {
          if (ws_->message_opcode != 0) return fail_websocket(1002, "new message inside a fragmented one");
          ws_->message_opcode = frame.opcode;
          ws_->message.clear();
        }
        if (ws_->message.size() + frame.payload.size() > server_.options().max_websocket_message) {
          return fail_websocket(1009, "message too big");
        }
        ws_->message += frame.payload;
        if (!frame.fin) break;
        bool binary = ws_->message_opcode == ws::kBinary;
        ws_->message_opcode = 0;
        if (!binary && !core::is_valid_utf8(ws_->message)) {
          return fail_websocket(1007, "text message is not valid UTF-8");
        }
        std::string message = std::move(ws_->message);
        ws_->message.clear();
        if (ws_->socket) {
          auto socket = ws_->socket;
          socket->deliver_message(message, binary);
        }
        break;
      }
      case ws::kPing:
        socket_send(ws::kPong, frame.payload);
        break;
      case ws::kPong:
        break;
      case ws::kClose: {
        uint16_t code = 1005;
        std::string reason;
        if (frame.payload.size() == 1) return fail_websocket(1002, "close frame with a 1-byte body");
        if (frame.payload.size() >= 2) {
          code = static_cast<uint16_t>((static_cast<uint8_t>(frame.payload[0]) << 8) |
                                       static_cast<uint8_t>(frame.payload[1]));
          reason = frame.payload.substr(2);
          if (!ws::is_valid_close_code(code)) return fail_websocket(1002, "invalid close code");
          if (!core::is_valid_utf8(reason)) return fail_websocket(1007, "close reason is not UTF-8");
        }
        if (!ws_->close_sent) {
          // Echo the code (section 5.5.1), then close once it is written.
          std::string payload;
          if (code != 1005) {
            payload.push_back(static_cast<char>(code >> 8));
            payload.push_back(static_cast<char>(code & 0xFF));
          }
          std::string frame_bytes;
          ws::encode_frame(&frame_bytes, ws::kClose, payload);
          out_.append(frame_bytes);
          ws_->close_sent = true;
        }
        in_.clear();
        if (ws_->socket) {
          auto socket = std::move(ws_->socket);
          socket->detach(code, reason);
        }
        close_after_write_ = true;
        peer_eof_ = true;  // nothing more will be read
        queue_flush();
        update_interest();
        return;
      }
    }
  }
  if (!closed_) update_interest();
}

void HttpConnection::fail_websocket(uint16_t code, std::string_view why) {
  SFS_LOG_DEBUG(peer_, ": websocket error ", code, ": ", why);
  if (!ws_->close_sent) {
    std::string payload;
    payload.push_back(static_cast<char>(code >> 8));
    payload.push_back(static_cast<char>(code & 0xFF));
    payload.append(why.substr(0, 123));
    std::string frame_bytes;
    ws::encode_frame(&frame_bytes, ws::kClose, payload);
    out_.append(frame_bytes);
    ws_->close_sent = true;
  }
  in_.clear();
  if (ws_->socket) {
    auto socket = std::move(ws_->socket);
    socket->detach(code, why);
  }
  close_after_write_ = true;
  linger_after_write_ = true;
  queue_flush();
  update_interest();
}

void HttpConnection::socket_send(uint8_t opcode, std::string_view payload) {
  if (closed_ || ws_->close_sent) return;
  std::string frame_bytes;
  ws::encode_frame(&frame_bytes, opcode, payload);
  out_.append(frame_bytes);
  queue_flush();
}

void HttpConnection::socket_close(uint16_t code, std::string_view reason) {
  if (closed_ || ws_->close_sent) return;
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(reason);
  std::string frame_bytes;
  ws::encode_frame(&frame_bytes, ws::kClose, payload);
  out_.append(frame_bytes);
  ws_->close_sent = true;
  if (ws_->socket) ws_->socket->mark_closing();
  queue_flush();
  update_phase();
}

}  // namespace sfs::http
