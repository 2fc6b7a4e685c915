// Session: see session.h for the lifecycle and the input path.
#include "systems/chat/session.h"

#include <algorithm>
#include <cmath>

#include "systems/chat/server.h"

namespace sfs::chat {
namespace {

// "1.2.3.4:5" -> "1.2.3.4", "[::1]:5" -> "::1"; an IPv6 host that starts with ':' would read
// as a trailing parameter, so it gets a leading '0' ("0::1"), as ircd does.
std::string host_of(std::string_view peer) {
  std::string host;
  if (!peer.empty() && peer[0] == '[') {
    size_t close = peer.find(']');
    host = std::string(peer.substr(1, close == std::string_view::npos ? peer.size() : close - 1));
  } else {
    size_t colon = peer.rfind(':');
    host = std::string(colon == std::string_view::npos ? peer : peer.substr(0, colon));
  }
  if (host.empty()) host = "unknown";
  if (host[0] == ':') host.insert(host.begin(), '0');
  return host;
}

}  // namespace

const std::string Session::kStar = "*";

Session::Session(Server& server, core::EventLoop& loop, core::Fd fd, std::string peer)
    : Connection(loop, std::move(fd), std::move(peer)),
      server_(server),
      reader_(kMaxLineLength - 2),
      host_(host_of(this->peer())),
      signon_(std::time(nullptr)),
      tokens_(server.options().flood_burst),
      tokens_at_(loop.now()) {
  last_message = signon_;
}

Session::~Session() {
  if (throttle_timer_) loop().cancel(throttle_timer_);
}

void Session::set_nick(std::string nick) {
  nick_ = std::move(nick);
  full_name_ = nick_ + "!" + user_ + "@" + host_;
}

void Session::set_user(std::string user, std::string realname) {
  user_ = std::move(user);
  realname_ = std::move(realname);
  full_name_ = nick_ + "!" + user_ + "@" + host_;
}

void Session::close_with_error(std::string_view reason) {
  if (closed() || closing()) return;
  std::string line = "ERROR :Closing Link: " + host_ + " (" + std::string(reason) + ")\r\n";
  send(line);
  close_after_flush();
}

size_t Session::release_idle_buffers() {
  size_t held = buffer_capacity();
  if (pending_output() != 0 || held == 0 || closed()) return 0;
  output().shrink_if_idle(0);
  return held - buffer_capacity();
}

void Session::on_drain() {
  // A burst (the welcome, a NAMES list of a big channel) leaves a large output buffer behind:
  // give it back as soon as it is written, while the freed block can still be reused by the
  // next burst, instead of letting thousands of them pin heap pages until the sweep. Small
  // buffers (a few chat lines) are kept: reallocating them per message would cost more.
  if (pending_output() == 0 && buffer_capacity() > 1024) server_.note_released(release_idle_buffers());
}

bool Session::take_token() {
  const ServerOptions& options = server_.options();
  if (options.flood_rate <= 0) return true;
  core::Clock::time_point now = loop().now();
  double elapsed = std::chrono::duration<double>(now - tokens_at_).count();
  tokens_at_ = now;
  tokens_ = std::min<double>(options.flood_burst, tokens_ + elapsed * options.flood_rate);
  if (tokens_ >= 1) {
    tokens_ -= 1;
    return true;
  }
  // Out of tokens: stop reading this client until one is earned back. Its unread lines wait in
  // the input buffer and the kernel's socket buffer; other clients are not affected.
  pause_reading();
  auto wait = std::chrono::milliseconds(
      static_cast<int64_t>(std::ceil((1 - tokens_) / options.flood_rate * 1000)));
  throttle_timer_ = loop().run_after(wait, [this] {
    throttle_timer_ = 0;
    resume_after_throttle();
  });
  return false;
}

void Session::resume_after_throttle() {
  resume_reading();
  process_input();
}

void Session::on_data(core::Buffer& input) {
  if (throttle_timer_) return;  // throttled: the lines wait for the timer
  std::string_view line;
  size_t consumed = 0;
  for (;;) {
    LineReader::Result result = reader_.next(input.view(), &line, &consumed);
    if (result == LineReader::kNeedMore) break;
    if (result == LineReader::kTooLong) {
      input.consume(consumed);
      server_.line_too_long(*this);
    } else if (line.empty()) {
      input.consume(consumed);  // empty lines are silently ignored (RFC 2812 2.3.1)
      continue;
    } else {
      if (!take_token()) return;  // the line stays in the buffer until the timer fires
      server_.trace(*this, "<-", line);
      core::Result<IrcMessage> message = parse_message(line);
      if (message.is_ok()) {
        input.consume(consumed);
        server_.dispatch(*this, *message);
      } else {
        std::string copy(line);
        input.consume(consumed);
        server_.reject_line(*this, copy, message.status());
      }
    }
    if (closed() || closing()) return;
  }
  // Keep no input storage while idle: most clients are silent most of the time.
  input.shrink_if_idle(0);
}

void Session::on_close(const core::Status& reason) {
  std::string quit = reason.is_ok() ? "Connection closed" : reason.message();
  server_.session_closed(*this, quit);
}

}  // namespace sfs::chat
