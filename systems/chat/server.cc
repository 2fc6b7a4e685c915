// Server lifecycle: listening, sessions coming and going, dispatch, replies, broadcasts, the
// periodic sweep, shutdown, and `sfs chat server`. See server.h for the data's path.
#include "systems/chat/server.h"

#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "core/file.h"
#include "core/flags.h"
#include "core/log.h"
#include "core/socket.h"
#include "systems/chat/numerics.h"

namespace sfs::chat {
namespace {

// Bytes of a relayed line before "\r\n": longer text is cut, as servers do, so that no client ever
// receives a line over 512 bytes.
constexpr size_t kMaxRelayBody = kMaxLineLength - 2;

void append_param(std::string* out, std::string_view param, bool trailing) {
  out->push_back(' ');
  if (trailing) out->push_back(':');
  out->append(param);
}

// Cuts a line body to the IRC limit without splitting a UTF-8 sequence, then ends it.
void finish_line(std::string* out) {
  if (out->size() > kMaxRelayBody) {
    size_t cut = kMaxRelayBody;
    while (cut > 0 && (static_cast<unsigned char>((*out)[cut]) & 0xC0) == 0x80) --cut;
    out->resize(cut);
  }
  out->append("\r\n");
}

}  // namespace

std::string sanitize_param(std::string_view text, size_t limit) {
  std::string out;
  for (char c : text.substr(0, limit)) {
    unsigned char u = static_cast<unsigned char>(c);
    out.push_back(u > 0x20 && u != 0x7f && !(out.empty() && c == ':') ? c : '?');
  }
  return out.empty() ? "*" : out;
}

Server::Server(core::EventLoop& loop, ServerOptions options)
    : loop_(loop), options_(std::move(options)) {
  std::time_t now = std::time(nullptr);
  char text[64];
  std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&now));
  created_text_ = text;
}

Server::~Server() {
  if (sweep_timer_) loop_.cancel(sweep_timer_);
  // Sessions point at channels and the server; drop them quietly first.
  for (auto& [raw, session] : sessions_) session->detached = true;
  sessions_.clear();
}

core::Status Server::start() {
  SFS_ASSIGN_OR_RETURN(core::Fd fd, core::tcp_listen(options_.bind, options_.port));
  SFS_ASSIGN_OR_RETURN(port_, core::local_port(fd.get()));
  acceptor_ = std::make_unique<core::Acceptor>(
      loop_, std::move(fd), [this](core::Fd client, std::string peer) {
        on_accept(std::move(client), std::move(peer));
      });
  SFS_TRY(acceptor_->start());
  sweep_timer_ = loop_.run_every(core::Milliseconds(1000), [this] { sweep(); });
  return core::Status::ok();
}

void Server::on_accept(core::Fd fd, std::string peer) {
  if (shutting_down_) return;
  if (options_.max_clients > 0 && sessions_.size() >= options_.max_clients) {
    static const char kFull[] = "ERROR :Closing Link: (Server is full)\r\n";
    (void)::send(fd.get(), kFull, sizeof(kFull) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    return;
  }
  auto session = std::make_unique<Session>(*this, loop_, std::move(fd), std::move(peer));
  session->set_output_limits(options_.sendq / 2, options_.sendq);
  Session* raw = session.get();
  sessions_.emplace(raw, std::move(session));
  max_seen_ = std::max(max_seen_, sessions_.size());
  if (core::Status status = raw->start(); !status.is_ok()) {
    SFS_LOG_WARN("cannot watch a new connection: ", status.message());
    raw->close(status);
  }
}

void Server::detach_session(Session& session, const std::string& quit_message) {
  if (session.detached) return;
  session.detached = true;
  if (session.registered()) {
    std::string text = quit_message;
    std::string line = relay_line(session, "QUIT", {}, &text);
    broadcast_to_peers(session, line, false);
    --registered_;
  }
  for (Channel* channel : session.channels) {
    channel->remove(&session);
    if (channel->empty()) channels_.erase(irc_lower(channel->name()));
  }
  session.channels.clear();
  if (!session.nick().empty()) {
    auto it = nicks_.find(irc_lower(session.nick()));
    if (it != nicks_.end() && it->second == &session) nicks_.erase(it);
  }
}

void Server::session_closed(Session& session, const std::string& quit_message) {
  detach_session(session, quit_message);
  auto it = sessions_.find(&session);
  if (it == sessions_.end()) return;
  loop_.destroy_later(std::move(it->second));
  sessions_.erase(it);
}

void Server::sweep() {
  core::Clock::time_point now = loop_.now();
  auto seconds = [](int s) { return std::chrono::seconds(s); };
  std::vector<Session*> expired;
  for (auto& [raw, session] : sessions_) {
    if (session->closed() || session->closing()) continue;
    core::Clock::time_point last = session->last_read();
    if (!session->registered()) {
      if (now - last > seconds(options_.registration_timeout_s)) expired.push_back(raw);
      continue;
    }
    if (session->ping_pending && last > session->ping_sent) session->ping_pending = false;
    if (session->ping_pending) {
      if (now - session->ping_sent > seconds(options_.ping_timeout_s)) expired.push_back(raw);
    } else if (now - last > seconds(options_.ping_interval_s)) {
      session->ping_pending = true;
      session->ping_sent = now;
      session->send_line("PING :" + options_.name + "\r\n");
    } else if (now - last > seconds(1) && !session->output_since_sweep) {
      // Idle both ways for a sweep interval: its buffers go. (A silent member of a busy channel
      // keeps its small output buffer rather than reallocating it for every message.)
      released_since_trim_ += session->release_idle_buffers();
    }
    session->output_since_sweep = false;
  }
#if defined(__GLIBC__)
  // After a burst (10,000 clients joining one channel queues megabytes of JOIN and NAMES lines)
  // the freed buffers sit in malloc's free lists, scattered through the heap, and still count
  // against the process. Hand whole free pages back to the kernel once a burst is over.
  if (released_since_trim_ > (256u << 10)) {
    ::malloc_trim(64 << 10);
    released_since_trim_ = 0;
  }
#endif
  for (Session* session : expired) {
    std::string reason = session->registered()
                             ? "Ping timeout: " + std::to_string(options_.ping_timeout_s) + " seconds"
                             : "Registration timeout";
    detach_session(*session, reason);
    session->close_with_error(reason);
  }
}

void Server::shutdown(std::string_view reason) {
  if (shutting_down_) return;
  shutting_down_ = true;
  SFS_LOG_INFO("shutting down: ", reason, " (", sessions_.size(), " clients)");
  acceptor_.reset();
  for (auto& [raw, session] : sessions_) session->close_with_error(std::string(reason));
  // Give the ERROR lines one loop turn to be written, then stop.
  loop_.run_after(core::Milliseconds(50), [this] { loop_.stop(); });
}

void Server::trace(const Session& session, std::string_view direction,
                   std::string_view line) const {
  if (!options_.trace) return;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  SFS_LOG_INFO(session.peer(), " ", direction, " ", line);
}

// ---- Dispatch ----

void Server::dispatch(Session& session, const IrcMessage& message) {
  const auto& table = command_table();
  auto it = table.find(message.command);
  if (it == table.end()) {
    if (!session.registered()) {
      reply(session, numeric::kNotRegistered, {"You have not registered"});
    } else {
      reply(session, numeric::kUnknownCommand, {sanitize_param(message.command), "Unknown command"});
    }
    return;
  }
  const Command& command = it->second;
  if (command.needs_registration && !session.registered()) {
    reply(session, numeric::kNotRegistered, {"You have not registered"});
    return;
  }
  if (message.params.size() < command.min_params) {
    if (message.command == "NICK") {
      reply(session, numeric::kNoNicknameGiven, {"No nickname given"});
    } else if (message.command == "PRIVMSG" || message.command == "NOTICE") {
      if (message.command == "PRIVMSG") {
        if (message.params.empty()) {
          reply(session, numeric::kNoRecipient, {"No recipient given (PRIVMSG)"});
        } else {
          reply(session, numeric::kNoTextToSend, {"No text to send"});
        }
      }
    } else if (message.command == "PING") {
      reply(session, numeric::kNoOrigin, {"No origin specified"});
    } else {
      reply(session, numeric::kNeedMoreParams, {message.command, "Not enough parameters"});
    }
    return;
  }
  (this->*command.handler)(session, message);
}

void Server::reject_line(Session& session, std::string_view line, const core::Status& error) {
  // The command word, as far as it can be made out, for the 421 reply.
  std::string_view rest = line;
  while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
  if (!rest.empty() && (rest[0] == '@' || rest[0] == ':')) {
    size_t space = rest.find(' ');
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
  }
  std::string_view word = rest.substr(0, rest.find(' '));
  SFS_LOG_DEBUG(session.peer(), ": bad line: ", error.message());
  if (word.empty()) return;  // a prefix alone: nothing to answer (RFC 2812 2.3: ignore)
  if (!session.registered()) {
    reply(session, numeric::kNotRegistered, {"You have not registered"});
  } else {
    reply(session, numeric::kUnknownCommand, {sanitize_param(word), "Unknown command"});
  }
}

void Server::line_too_long(Session& session) {
  reply(session, numeric::kInputTooLong, {"Input line was too long"});
}

// ---- Replies and broadcasts ----

void Server::reply(Session& to, const char* code, std::initializer_list<std::string_view> params) {
  std::string line;
  line.reserve(64 + options_.name.size());
  line.push_back(':');
  line += options_.name;
  line.push_back(' ');
  line += code;
  line.push_back(' ');
  line += to.target();
  size_t i = 0;
  for (std::string_view param : params) {
    append_param(&line, param, ++i == params.size());
  }
  finish_line(&line);
  trace(to, "->", line);
  to.send_line(line);
}

std::string Server::relay_line(const std::string& prefix, std::string_view command,
                               std::initializer_list<std::string_view> params,
                               const std::string* text) {
  std::string line;
  line.reserve(prefix.size() + command.size() + 32 + (text ? text->size() : 0));
  line.push_back(':');
  line += prefix;
  line.push_back(' ');
  line += command;
  for (std::string_view param : params) append_param(&line, param, false);
  if (text) append_param(&line, *text, true);
  finish_line(&line);
  return line;
}

std::string Server::relay_line(const Session& from, std::string_view command,
                               std::initializer_list<std::string_view> params,
                               const std::string* text) {
  return relay_line(from.full_name(), command, params, text);
}

void Server::broadcast(const Channel& channel, std::string_view line, const Session* except) {
  for (const auto& [member, status] : channel.members()) {
    if (member != except && !member->closed()) member->send_line(line);
  }
}

void Server::broadcast_to_peers(Session& session, std::string_view line, bool include_self) {
  uint64_t stamp = ++mark_;
  session.mark = stamp;
  if (include_self) session.send_line(line);
  for (Channel* channel : session.channels) {
    for (const auto& [member, status] : channel->members()) {
      if (member->mark == stamp) continue;
      member->mark = stamp;
      member->send_line(line);
    }
  }
}

Channel* Server::find_channel(std::string_view name) {
  auto it = channels_.find(irc_lower(name));
  return it == channels_.end() ? nullptr : it->second.get();
}

Session* Server::find_nick(std::string_view nick) {
  auto it = nicks_.find(irc_lower(nick));
  if (it == nicks_.end() || !it->second->registered()) return nullptr;
  return it->second;
}

bool Server::visible(const Channel& channel, const Session& viewer) {
  return !channel.secret || channel.has(&viewer);
}

// ---- `sfs chat server` ----

int server_main(int argc, char** argv) {
  ServerOptions options;
  std::string motd_file;
  std::string log_level;
  core::Flags flags("sfs chat server", "Run an IRC server (RFC 1459/2812 client protocol).");
  flags.add("port", &options.port, "TCP port to listen on (default 6667)", 'p');
  flags.add("bind", &options.bind, "address to listen on (default 127.0.0.1; \"*\" for all)", 'b',
            "ADDR");
  flags.add("name", &options.name, "server name used in replies (default sfs.chat)", 0, "NAME");
  flags.add("network", &options.network, "network name for ISUPPORT (default sfs)", 0, "NAME");
  flags.add("motd", &motd_file, "file with the message of the day", 0, "FILE");
  flags.add("password", &options.password, "connection password clients must send with PASS", 0,
            "PASS");
  flags.add("ping-interval", &options.ping_interval_s,
            "seconds of silence before the server sends PING (default 120)", 0, "S");
  flags.add("ping-timeout", &options.ping_timeout_s,
            "seconds to wait for an answer to PING before disconnecting (default 60)", 0, "S");
  flags.add("flood-rate", &options.flood_rate,
            "lines per second a client may send on average; 0 disables flood control (default 20)",
            0, "N");
  flags.add("flood-burst", &options.flood_burst,
            "lines a client may send at once before being throttled (default 100)", 0, "N");
  int max_clients = 0;
  flags.add("max-clients", &max_clients, "refuse connections beyond this many (0: no limit)", 0,
            "N");
  flags.add("trace", &options.trace, "log every protocol line in and out");
  flags.add("log", &log_level, "log level: debug, info, warn, error, off", 0, "LEVEL");
  flags.epilog(
      "Examples:\n"
      "  sfs chat server --port 6667\n"
      "  irssi -c 127.0.0.1 -p 6667 -n alice        # or: sfs chat connect 127.0.0.1 6667 --nick bob\n");
  if (auto exit_code = flags.parse(argc, argv)) return *exit_code;
  core::set_log_tag("chat");
  if (!log_level.empty()) {
    core::LogLevel level;
    if (!core::parse_log_level(log_level, &level)) {
      std::fprintf(stderr, "sfs chat server: unknown log level '%s'\n", log_level.c_str());
      return 2;
    }
    core::set_log_level(level);
  }
  if (max_clients > 0) options.max_clients = static_cast<size_t>(max_clients);
  if (!motd_file.empty()) {
    core::Result<std::string> text = core::read_file(motd_file);
    if (!text.is_ok()) {
      std::fprintf(stderr, "sfs chat server: %s\n", text.status().to_string().c_str());
      return 1;
    }
    options.motd = *text;
  }
  if (options.ping_interval_s < 1 || options.ping_timeout_s < 1 || options.flood_burst < 1) {
    std::fprintf(stderr, "sfs chat server: ping times and the flood burst must be positive\n");
    return 2;
  }
  ::signal(SIGPIPE, SIG_IGN);

  core::EventLoop loop;
  Server server(loop, options);
  if (core::Status status = server.start(); !status.is_ok()) {
    std::fprintf(stderr, "sfs chat server: %s\n", status.message().c_str());
    return 1;
  }
  auto on_signal = [&](int signo) {
    server.shutdown(signo == SIGINT ? "Server shutting down (interrupted)"
                                    : "Server shutting down");
  };
  (void)loop.on_signal(SIGINT, on_signal);
  (void)loop.on_signal(SIGTERM, on_signal);
  SFS_LOG_INFO("IRC server ", options.name, " listening on ", options.bind, ":", server.port());
  loop.run();
  SFS_LOG_INFO("stopped");
  return 0;
}

}  // namespace sfs::chat
