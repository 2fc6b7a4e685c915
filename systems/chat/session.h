// Session: the server's side of one client connection — the socket (a core::Connection), the line
// reader, the registration state, the user's names and modes, the channels it is on, and its
// flood-control bucket.
//
// Lifecycle:
//
//   accept (Server::on_accept)      NICK + USER (+ PASS, CAP END)        QUIT, error, timeout
//   ------------------------> [unregistered] ---------------------> [registered] ------------> gone
//                                  |   Server::try_register() sends 001..005, LUSERS, MOTD       ^
//                                  +---- registration timeout, bad password ---------------------+
//
// Input path: on_data() takes complete lines from the input buffer (LineReader), spends one
// flood token per line, parses it (parse_message) and hands it to Server::dispatch(). When the
// bucket is empty it stops with the remaining lines still buffered and pauses reading; a timer
// resumes it when a token has been earned back (RFC 1459 section 8.10's "flood control" as a token
// bucket). Output path: send() appends to the connection's buffer; the event loop writes it.
//
// Memory: an idle session holds no I/O buffers (they are released when drained: see
// Server::sweep()), so 10,000 idle clients cost a few hundred bytes each.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "core/connection.h"
#include "systems/chat/line_reader.h"

namespace sfs::chat {

class Server;
class Channel;

class Session : public core::Connection {
 public:
  Session(Server& server, core::EventLoop& loop, core::Fd fd, std::string peer);
  ~Session() override;

  // ---- Identity ----
  const std::string& nick() const { return nick_; }
  // The nick for numeric replies: "*" until one is set.
  const std::string& target() const { return nick_.empty() ? kStar : nick_; }
  const std::string& user() const { return user_; }
  const std::string& realname() const { return realname_; }
  const std::string& host() const { return host_; }
  // "nick!user@host", the prefix of everything this user sends.
  const std::string& full_name() const { return full_name_; }
  void set_nick(std::string nick);
  void set_user(std::string user, std::string realname);

  bool registered() const { return registered_; }
  void set_registered() { registered_ = true; }
  std::time_t signon() const { return signon_; }

  // ---- State used by commands ----
  std::string password;         // from PASS
  bool cap_negotiating = false;  // between CAP LS/REQ and CAP END registration waits
  bool invisible = false;       // user mode +i
  bool wallops = false;         // user mode +w
  std::string away;             // "" when not away
  std::vector<Channel*> channels;            // channels joined, in join order
  std::vector<std::string> invites;          // lower-cased channel names invited to
  std::time_t last_message = 0;              // last PRIVMSG/NOTICE, for WHOIS idle
  uint64_t mark = 0;                         // Server::broadcast_to_peers() dedup stamp
  bool detached = false;                     // out of the nick table and channels

  // ---- Liveness ----
  bool ping_pending = false;
  core::Clock::time_point ping_sent;

  // Queues one formatted line (it must end in "\r\n").
  void send_line(std::string_view line) {
    output_since_sweep = true;
    send(line);
  }
  bool output_since_sweep = false;  // the sweep keeps the buffers of sessions still receiving
  // Sends ERROR :<reason> and closes after it is written.
  void close_with_error(std::string_view reason);
  // Releases I/O buffers when nothing is pending (idle sessions keep no buffers); returns the
  // bytes released.
  size_t release_idle_buffers();

 protected:
  void on_data(core::Buffer& input) override;
  void on_close(const core::Status& reason) override;
  void on_drain() override;

 private:
  static const std::string kStar;
  // Flood control: takes one token; false (and a resume timer armed) when there is none.
  bool take_token();
  void resume_after_throttle();

  Server& server_;
  LineReader reader_;
  std::string nick_;
  std::string user_;
  std::string realname_;
  std::string host_;
  std::string full_name_;
  std::time_t signon_;
  double tokens_;
  core::Clock::time_point tokens_at_;
  core::EventLoop::TimerId throttle_timer_ = 0;
  bool registered_ = false;
};

}  // namespace sfs::chat
