// The ELIZA IRC bot (see irc_bot.h): IRC events in, Eliza replies out.
//
//   IrcClient ──on_message──▶ handle()
//                               ├─ JOIN (ours)      greet the channel
//                               ├─ PRIVMSG #room    addressed_to(nick)? ──▶ answer() ──▶ "who: REPLY"
//                               ├─ PRIVMSG <us>     ───────────────────────▶ answer() ──▶ private reply
//                               ├─ NICK             move that person's conversation to the new nick
//                               ├─ KICK (us)        rejoin in 5 s
//                               └─ INVITE (ours)    join
//             ──on_close───▶ handle_close()  reconnect with backoff, or finish stop()
//
// Nothing here blocks except the TCP connect itself (bounded by its timeout), and a reply is one
// Eliza::respond() call: microseconds. Backpressure needs no code of its own: when the server
// reads slowly (its flood control), IrcClient's Connection stops reading new lines once 4 MiB of
// replies are waiting, so a flood of questions cannot grow the bot's memory without bound.
#include "systems/eliza/irc_bot.h"

#include <csignal>
#include <cstdio>

#include "core/log.h"
#include "core/socket.h"
#include "core/strings.h"

namespace sfs::eliza {
namespace {

constexpr int kMaxBackoffMs = 60000;
constexpr int kRejoinDelayMs = 5000;

bool is_space(char c) { return c == ' ' || c == '\t'; }

}  // namespace

std::optional<std::string_view> addressed_to(std::string_view line, std::string_view nick) {
  if (nick.empty() || line.size() <= nick.size()) return std::nullopt;
  if (!chat::irc_equal(line.substr(0, nick.size()), nick)) return std::nullopt;
  char after = line[nick.size()];
  if (after != ':' && after != ',') return std::nullopt;
  std::string_view text = line.substr(nick.size() + 1);
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  return text;
}

IrcBot::IrcBot(core::EventLoop& loop, std::shared_ptr<const Script> script, IrcBotOptions options)
    : loop_(loop), script_(std::move(script)), options_(std::move(options)), client_(loop) {
  client_.on_registered([this] {
    backoff_ms_ = 1000;
    SFS_LOG_INFO("registered as ", client_.nick(), " on ", client_.server_name(), "; joining ",
                 options_.channel);
    client_.join(options_.channel);
  });
  client_.on_message([this](const chat::IrcMessage& message) { handle(message); });
  client_.on_close([this](const core::Status& reason) { handle_close(reason); });
}

IrcBot::~IrcBot() {
  if (reconnect_timer_ != 0) loop_.cancel(reconnect_timer_);
  if (rejoin_timer_ != 0) loop_.cancel(rejoin_timer_);
}

core::Status IrcBot::start() {
  std::string host;
  uint16_t port = 0;
  SFS_TRY(core::split_host_port(options_.address, &host, &port));
  if (port == 0) return core::Status::invalid_argument("--irc needs HOST:PORT, got '" + options_.address + "'");
  if (!chat::is_valid_channel(options_.channel)) {
    return core::Status::invalid_argument("'" + options_.channel + "' is not a channel name (#room)");
  }
  if (!chat::is_valid_nick(options_.nick)) {
    return core::Status::invalid_argument("'" + options_.nick + "' is not a valid nick");
  }
  client_options_.host = host.empty() ? "127.0.0.1" : host;
  client_options_.port = port;
  client_options_.nick = options_.nick;
  client_options_.user = "eliza";
  client_options_.realname = "ELIZA (Weizenbaum 1966), sfs";
  SFS_TRY(client_.connect(client_options_));
  SFS_LOG_INFO("connected to ", client_options_.host, ":", port);
  return core::Status::ok();
}

void IrcBot::stop() {
  stopping_ = true;
  for (core::EventLoop::TimerId* timer : {&reconnect_timer_, &rejoin_timer_}) {
    if (*timer != 0) loop_.cancel(*timer);
    *timer = 0;
  }
  if (client_.connected()) {
    client_.quit("Goodbye. It was nice talking to you.");
  } else if (on_stopped_) {
    loop_.defer(on_stopped_);
  }
}

void IrcBot::handle_close(const core::Status& reason) {
  if (stopping_) {
    if (on_stopped_) on_stopped_();
    return;
  }
  SFS_LOG_WARN("disconnected (", reason.message(), "); reconnecting in ", backoff_ms_ / 1000, " s");
  reconnect_timer_ = loop_.run_after(core::Milliseconds(backoff_ms_), [this] {
    reconnect_timer_ = 0;
    reconnect();
  });
  backoff_ms_ = std::min(backoff_ms_ * 2, kMaxBackoffMs);
}

void IrcBot::reconnect() {
  if (stopping_) return;
  core::Status status = client_.connect(client_options_);
  if (status.is_ok()) {
    SFS_LOG_INFO("reconnected to ", client_options_.host, ":", client_options_.port);
    return;
  }
  handle_close(status);
}

void IrcBot::handle(const chat::IrcMessage& message) {
  const std::string& command = message.command;
  std::string_view from = message.prefix_nick();
  bool from_us = chat::irc_equal(from, client_.nick());
  if (command == "PRIVMSG") {
    if (!from_us) handle_privmsg(message);
  } else if (command == "JOIN") {
    if (from_us && chat::irc_equal(message.param(0), options_.channel)) {
      SFS_LOG_INFO("joined ", options_.channel);
      client_.privmsg(options_.channel, script_->greeting_text());
    }
  } else if (command == "NICK") {
    if (!from_us) {
      auto it = sessions_.find(chat::irc_lower(from));
      if (it != sessions_.end()) {
        Session session = std::move(it->second);
        sessions_.erase(it);
        sessions_[chat::irc_lower(message.param(0))] = std::move(session);
      }
    }
  } else if (command == "KICK") {
    if (chat::irc_equal(message.param(1), client_.nick()) &&
        chat::irc_equal(message.param(0), options_.channel)) {
      SFS_LOG_WARN("kicked from ", options_.channel, " by ", from, "; rejoining in 5 s");
      if (rejoin_timer_ != 0) loop_.cancel(rejoin_timer_);
      rejoin_timer_ = loop_.run_after(core::Milliseconds(kRejoinDelayMs), [this] {
        rejoin_timer_ = 0;
        client_.join(options_.channel);
      });
    }
  } else if (command == "INVITE") {
    if (chat::irc_equal(message.param(1), options_.channel)) client_.join(options_.channel);
  } else if (command == "471" || command == "473" || command == "474" || command == "475" ||
             command == "403" || command == "405") {
    SFS_LOG_ERROR("cannot join ", message.param(1), ": ", message.params.back());
  }
}

void IrcBot::handle_privmsg(const chat::IrcMessage& message) {
  std::string_view from = message.prefix_nick();
  const std::string& target = message.param(0);
  const std::string& text = message.param(1);
  if (from.empty()) return;
  if (!text.empty() && text[0] == '\x01') {  // CTCP
    if (text == "\x01VERSION\x01") {
      client_.notice(from, "\x01VERSION sfs eliza - Weizenbaum's ELIZA (CACM 1966)\x01");
    }
    return;
  }
  if (chat::is_channel_name(target)) {
    std::optional<std::string_view> addressed = addressed_to(text, client_.nick());
    if (!addressed) return;
    client_.privmsg(target, std::string(from) + ": " + answer(from, *addressed));
  } else if (chat::irc_equal(target, client_.nick())) {
    client_.privmsg(from, answer(from, text));
  }
}

std::string IrcBot::answer(std::string_view nick, std::string_view text) {
  Eliza& eliza = session_for(nick);
  if (core::trim(text).empty()) return eliza.greeting();
  std::vector<std::string> steps;
  std::string reply = eliza.respond(text, options_.trace ? &steps : nullptr);
  if (options_.trace) {
    SFS_LOG_INFO(nick, ": ", text);
    for (const std::string& step : steps) SFS_LOG_INFO("  . ", step);
    SFS_LOG_INFO("-> ", reply);
  }
  return reply;
}

Eliza& IrcBot::session_for(std::string_view nick) {
  std::string key = chat::irc_lower(nick);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) {
    if (sessions_.size() >= options_.max_sessions) {
      auto oldest = sessions_.begin();
      for (auto i = sessions_.begin(); i != sessions_.end(); ++i) {
        if (i->second.last_used < oldest->second.last_used) oldest = i;
      }
      sessions_.erase(oldest);
    }
    it = sessions_.emplace(key, Session{std::make_unique<Eliza>(script_), 0}).first;
  }
  it->second.last_used = ++clock_;
  return *it->second.eliza;
}

int run_irc_bot(const IrcBotOptions& options, std::shared_ptr<const Script> script) {
  core::set_log_tag("eliza");
  core::EventLoop loop;
  IrcBot bot(loop, std::move(script), options);
  bot.on_stopped([&loop] { loop.stop(); });
  core::Status started = bot.start();
  if (!started.is_ok()) {
    std::fprintf(stderr, "sfs eliza: %s\n", started.message().c_str());
    return started.code() == core::Code::kInvalidArgument ? 2 : 1;
  }
  auto on_signal = [&bot](int signo) {
    SFS_LOG_INFO("signal ", signo, ": leaving");
    bot.stop();
  };
  (void)loop.on_signal(SIGINT, on_signal);
  (void)loop.on_signal(SIGTERM, on_signal);
  loop.run();
  return 0;
}

}  // namespace sfs::eliza
