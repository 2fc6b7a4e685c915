// The ELIZA IRC bot: `sfs eliza --irc HOST:PORT --channel '#room' [--nick eliza]`.
//
// Built on systems/chat's IrcClient (chat.h), which registers, answers PING and finds a free nick.
// The bot joins its channel, greets it with the script's greeting, and then answers:
//
//   <alice> eliza: Men are all alike.          a channel line addressed to the bot
//   <eliza> alice: IN WHAT WAY                 -> the reply, addressed back to the speaker
//   /msg eliza My father.                      a private message
//   -> (private) YOUR FATHER                   -> a private reply
//
// Lines not addressed to it are ignored. A channel line is addressed to the bot when it begins with
// the bot's nick (any case) followed by ':' or ',' — "eliza: hi", "Eliza, hi". Each nick has its
// own conversation (an Eliza: memories, LIMIT, reassembly cycles), channel and private lines alike,
// and keeps it across nick changes. At most `max_sessions` conversations are kept; the one unused
// longest is forgotten first.
//
// Lifetime: the bot reconnects after the server drops it (1 s, doubling to 60 s between tries),
// rejoins when kicked (after 5 s), and ends on stop() — it sends QUIT and its on_stopped callback
// runs once the server has closed the link. CTCP VERSION is answered; other CTCP is ignored.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/event_loop.h"
#include "core/status.h"
#include "systems/chat/chat.h"
#include "systems/eliza/eliza.h"

namespace sfs::eliza {

struct IrcBotOptions {
  std::string address;  // "HOST:PORT" ("[::1]:6667" for IPv6)
  std::string channel;  // "#room"
  std::string nick = "eliza";
  bool trace = false;   // log every exchange and its algorithm steps
  size_t max_sessions = 1000;
};

// The text of a channel line addressed to `nick` ("eliza: hi" -> "hi"), or nullopt when the line
// is not addressed to it. Nicks compare under IRC case mapping.
std::optional<std::string_view> addressed_to(std::string_view line, std::string_view nick);

class IrcBot {
 public:
  IrcBot(core::EventLoop& loop, std::shared_ptr<const Script> script, IrcBotOptions options);
  ~IrcBot();
  IrcBot(const IrcBot&) = delete;
  IrcBot& operator=(const IrcBot&) = delete;

  // Connects (blocking up to 10 s) and starts registering. Errors: a bad address, or the first
  // connection failed (later failures are retried).
  core::Status start();
  // Leaves the server (QUIT); `on_stopped` runs when the link is closed.
  void stop();
  void on_stopped(std::function<void()> callback) { on_stopped_ = std::move(callback); }

  size_t session_count() const { return sessions_.size(); }

 private:
  struct Session {
    std::unique_ptr<Eliza> eliza;
    uint64_t last_used = 0;
  };

  void handle(const chat::IrcMessage& message);
  void handle_privmsg(const chat::IrcMessage& message);
  void handle_close(const core::Status& reason);
  void reconnect();
  Eliza& session_for(std::string_view nick);
  std::string answer(std::string_view nick, std::string_view text);

  core::EventLoop& loop_;
  std::shared_ptr<const Script> script_;
  IrcBotOptions options_;
  chat::IrcClientOptions client_options_;
  chat::IrcClient client_;
  std::unordered_map<std::string, Session> sessions_;  // by irc_lower(nick)
  uint64_t clock_ = 0;
  int backoff_ms_ = 1000;
  core::EventLoop::TimerId reconnect_timer_ = 0;
  core::EventLoop::TimerId rejoin_timer_ = 0;
  bool stopping_ = false;
  std::function<void()> on_stopped_;
};

// Runs the bot until SIGINT or SIGTERM. Returns the process exit code (0 after a signal, 1 when
// the first connection fails, 2 for a bad address).
int run_irc_bot(const IrcBotOptions& options, std::shared_ptr<const Script> script);

}  // namespace sfs::eliza
