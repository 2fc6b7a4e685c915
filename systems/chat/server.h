// Server: the IRC server of `sfs chat server` — one EventLoop, one listening socket, the sessions,
// the nick table and the channels (RFC 1459 / RFC 2812, client protocol; no server links).
//
//   socket bytes --> Session::on_data --> LineReader --> parse_message --> Server::dispatch
//                                                                               |
//         +-------------------------------------------------------------------+
//         v
//   command handler (commands.cc: registration, users, messages;
//                    channel_commands.cc: JOIN PART TOPIC NAMES LIST KICK INVITE MODE)
//         |  replies: Server::reply() -> ":server 4xx nick ... :text\r\n"
//         |  relays:  one line formatted once, appended to every recipient's output buffer
//         v
//   EventLoop before-sleep flush: one write() per session with output
//
// Everything is single-threaded; handlers run to completion. A session that goes away (QUIT, I/O
// error, timeout, output limit) is taken out of every channel and the nick table at once
// (detach_session()) and destroyed at the end of the loop iteration.
//
// A periodic sweep (every second) does the time-based work: PING after `ping_interval` of silence,
// disconnect after `ping_timeout` without an answer, drop connections that do not register within
// `registration_timeout`, and release idle sessions' buffers.
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/connection.h"
#include "core/event_loop.h"
#include "systems/chat/channel.h"
#include "systems/chat/chat.h"
#include "systems/chat/session.h"

namespace sfs::chat {

struct ServerOptions {
  std::string bind = "127.0.0.1";
  uint16_t port = 6667;
  std::string name = "sfs.chat";   // the server's name in prefixes and numerics
  std::string network = "sfs";     // NETWORK= in ISUPPORT
  std::string motd = "Welcome to sfs chat, an IRC server written from scratch.";
  std::string password;            // required PASS when not empty
  int ping_interval_s = 120;       // silence before the server sends PING
  int ping_timeout_s = 60;         // then time allowed for any reply
  int registration_timeout_s = 60;
  double flood_rate = 20;          // lines per second a client may send on average; 0 = no limit
  int flood_burst = 100;           // lines a client may send at once
  size_t max_clients = 0;          // 0 = as many as descriptors allow
  size_t max_channels = 50;        // per client (CHANLIMIT)
  size_t sendq = 4 << 20;          // unsent bytes after which a client that does not read is dropped
  bool trace = false;              // log every line in and out (protocol tracer)
};

class Server {
 public:
  Server(core::EventLoop& loop, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Listens on bind:port and starts the sweep timer.
  core::Status start();
  // The port actually bound (useful with port 0).
  uint16_t port() const { return port_; }
  // Tells every client (ERROR :reason), closes their connections once that is written, stops
  // listening, and stops the loop shortly after.
  void shutdown(std::string_view reason);

  size_t session_count() const { return sessions_.size(); }
  size_t channel_count() const { return channels_.size(); }
  const ServerOptions& options() const { return options_; }

  // ---- Called by Session ----
  void dispatch(Session& session, const IrcMessage& message);
  // A line that was not a valid message (garbage, malformed command).
  void reject_line(Session& session, std::string_view line, const core::Status& error);
  void line_too_long(Session& session);
  // Takes a session out of the world — broadcasts its QUIT to those who share a channel, leaves
  // every channel, frees its nick. Idempotent. The connection itself may still be flushing an
  // ERROR line; session_closed() follows when it is gone.
  void detach_session(Session& session, const std::string& quit_message);
  // The connection has ended: detach it (if not yet) and destroy it after this iteration.
  void session_closed(Session& session, const std::string& quit_message);
  // Buffer memory a session gave back; the sweep returns free pages to the kernel after bursts.
  void note_released(size_t bytes) { released_since_trim_ += bytes; }
  void trace(const Session& session, std::string_view direction, std::string_view line) const;

 private:
  using Handler = void (Server::*)(Session&, const IrcMessage&);
  struct Command {
    Handler handler;
    size_t min_params;
    bool needs_registration;
  };
  static const std::unordered_map<std::string, Command>& command_table();

  void on_accept(core::Fd fd, std::string peer);
  void sweep();

  // ---- Replies ----
  // ":<server> <code> <target> <params...>" where the last parameter is sent as trailing text.
  void reply(Session& to, const char* code, std::initializer_list<std::string_view> params);
  // ":<from's full name> <command> <params...>" to `to`; `text` is the trailing parameter when
  // not null.
  static std::string relay_line(const Session& from, std::string_view command,
                                std::initializer_list<std::string_view> params,
                                const std::string* text = nullptr);
  static std::string relay_line(const std::string& prefix, std::string_view command,
                                std::initializer_list<std::string_view> params,
                                const std::string* text = nullptr);
  // Sends `line` to every member of `channel` except `except`.
  void broadcast(const Channel& channel, std::string_view line, const Session* except = nullptr);
  // Sends `line` once to everyone who shares a channel with `session` (and to it, with
  // `include_self`).
  void broadcast_to_peers(Session& session, std::string_view line, bool include_self);

  // ---- Registration and users (commands.cc) ----
  void try_register(Session& session);
  void send_welcome(Session& session);
  void send_lusers(Session& session);
  void send_motd(Session& session);
  void cmd_cap(Session& session, const IrcMessage& message);
  void cmd_pass(Session& session, const IrcMessage& message);
  void cmd_nick(Session& session, const IrcMessage& message);
  void cmd_user(Session& session, const IrcMessage& message);
  void cmd_ping(Session& session, const IrcMessage& message);
  void cmd_pong(Session& session, const IrcMessage& message);
  void cmd_quit(Session& session, const IrcMessage& message);
  void cmd_privmsg(Session& session, const IrcMessage& message);
  void cmd_notice(Session& session, const IrcMessage& message);
  void send_text(Session& session, const IrcMessage& message, bool notice);
  void cmd_away(Session& session, const IrcMessage& message);
  void cmd_whois(Session& session, const IrcMessage& message);
  void cmd_whowas(Session& session, const IrcMessage& message);
  void cmd_who(Session& session, const IrcMessage& message);
  void cmd_userhost(Session& session, const IrcMessage& message);
  void cmd_ison(Session& session, const IrcMessage& message);
  void cmd_lusers(Session& session, const IrcMessage& message);
  void cmd_motd(Session& session, const IrcMessage& message);
  void cmd_version(Session& session, const IrcMessage& message);
  void cmd_time(Session& session, const IrcMessage& message);
  void cmd_mode(Session& session, const IrcMessage& message);
  void user_mode(Session& session, const IrcMessage& message);

  // ---- Channels (channel_commands.cc) ----
  void cmd_join(Session& session, const IrcMessage& message);
  void join_one(Session& session, const std::string& name, const std::string& key);
  void part_all(Session& session);
  void cmd_part(Session& session, const IrcMessage& message);
  void cmd_topic(Session& session, const IrcMessage& message);
  void cmd_names(Session& session, const IrcMessage& message);
  void send_names(Session& session, const Channel& channel);
  void cmd_list(Session& session, const IrcMessage& message);
  void cmd_kick(Session& session, const IrcMessage& message);
  void cmd_invite(Session& session, const IrcMessage& message);
  void channel_mode(Session& session, Channel& channel, const IrcMessage& message);
  void leave_channel(Session& session, Channel& channel);
  void who_reply(Session& to, const Session& who, const Channel* channel);

  Channel* find_channel(std::string_view name);
  // The channel, or nullptr after replying 403 (no such channel) or, with `need_member`, 442.
  Channel* find_channel_for(Session& session, std::string_view name, bool need_member);
  Session* find_nick(std::string_view nick);
  // Whether `viewer` may see `channel` in LIST/NAMES/WHOIS (not secret, or a member).
  static bool visible(const Channel& channel, const Session& viewer);
  size_t registered_count() const { return registered_; }

  core::EventLoop& loop_;
  ServerOptions options_;
  uint16_t port_ = 0;
  std::unique_ptr<core::Acceptor> acceptor_;
  std::unordered_map<Session*, std::unique_ptr<Session>> sessions_;
  std::unordered_map<std::string, Session*> nicks_;                    // irc_lower(nick)
  std::unordered_map<std::string, std::unique_ptr<Channel>> channels_;  // irc_lower(name)
  size_t registered_ = 0;
  size_t max_seen_ = 0;
  uint64_t mark_ = 0;
  std::string created_text_;
  core::EventLoop::TimerId sweep_timer_ = 0;
  size_t released_since_trim_ = 0;  // buffer bytes freed by sweep() since the last malloc_trim
  bool shutting_down_ = false;
};

// Something a client sent, made safe to echo in a middle parameter of a reply: at most `limit`
// bytes, no spaces or control bytes (they become '?'), not starting with ':', never empty.
std::string sanitize_param(std::string_view text, size_t limit = 64);

// `sfs chat server`: flags, signals, run.
int server_main(int argc, char** argv);

}  // namespace sfs::chat
