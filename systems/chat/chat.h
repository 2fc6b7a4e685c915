// sfs chat — the public face of the IRC system: the message type with its parser and formatter,
// the IRC case mapping, and an event-loop IRC client that other systems (the ELIZA bot, tests,
// the bench) build on. The server itself (`sfs chat server`) and the terminal client
// (`sfs chat connect`) use these same pieces; their internals are in server.h and friends.
//
// The wire format is RFC 1459 / RFC 2812 section 2.3 (with IRCv3 message tags accepted):
//
//   ["@" tags " "] [":" prefix " "] command *( " " middle ) [ " :" trailing ] "\r\n"
//
//   :alice!al@127.0.0.1 PRIVMSG #sfs :hello there\r\n
//    prefix              command params[0] params[1]
//
// A line is at most 512 bytes including its CR LF (tags aside). README.md lists what the server
// supports, with its limits.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_loop.h"
#include "core/status.h"

namespace sfs::chat {

// The longest line (including "\r\n") that IRC allows, not counting message tags.
inline constexpr size_t kMaxLineLength = 512;

// One IRC message. `command` is upper-cased by the parser ("privmsg" -> "PRIVMSG"); numerics
// stay three digits. `params` holds the middle parameters and the trailing one, without the ':'.
// IRCv3 message tags ("@a=b;c ") are accepted by the parser and skipped: nothing here uses them.
struct IrcMessage {
  std::string prefix = {};               // "" when absent; "nick!user@host" or a server name
  std::string command = {};              // "PRIVMSG", "001", ...
  std::vector<std::string> params = {};  // at most 15

  // params[i], or "" when there are fewer.
  const std::string& param(size_t i) const;
  // The nick of a "nick!user@host" prefix (the whole prefix when it has no '!').
  std::string_view prefix_nick() const;
};

// Parses one line (with or without its "\r\n"). Errors (kInvalidArgument, with a message that
// says what is wrong) for an empty line, a prefix or tags with no command, a malformed command
// (not letters, not three digits), and NUL/CR/LF bytes inside the line. Leading spaces and
// repeated spaces between parameters are tolerated, as servers do.
core::Result<IrcMessage> parse_message(std::string_view line);

// The wire form of `message`, ending in "\r\n". The last parameter gets a ':' when it needs one
// (empty, contains a space, or starts with ':'); `colon_last` forces it (the style most servers
// use for PRIVMSG/NOTICE text). CR, LF and NUL in parameters are replaced by spaces, so a
// formatted message is always exactly one line.
std::string format_message(const IrcMessage& message, bool colon_last = false);

// Splits a byte stream into lines for the incremental readers (server and client):
//   kLine      `line` is the next line without its terminator ("\n", "\r\n" or a lone "\r");
//              `consumed` bytes of `input` were used.
//   kNeedMore  no complete line yet (and the partial one is within max_length).
//   kTooLong   the line exceeds `max_length` bytes: `consumed` bytes (the line through its
//              terminator, or everything buffered so far when the end is not there yet) should
//              be dropped; the reader keeps dropping until it sees the end of that line.
enum class LineResult { kLine, kNeedMore, kTooLong };
LineResult next_line(std::string_view input, size_t max_length, std::string_view* line,
                     size_t* consumed);

// The rfc1459 case mapping (ISUPPORT CASEMAPPING=rfc1459): ASCII letters, and "[]\~" are the
// upper-case forms of "{}|^". Nick and channel names compare equal under it.
char irc_lower_char(char c);
std::string irc_lower(std::string_view text);
bool irc_equal(std::string_view a, std::string_view b);

// Name rules (RFC 2812 section 2.3.1, with modern lengths): a nick starts with a letter or one of
// "[]\`_^{|}" and continues with those, digits and '-'; a channel starts with '#' or '&' and
// holds no space, comma, BEL, ':', NUL, CR or LF.
bool is_valid_nick(std::string_view nick, size_t max_length = 30);
bool is_channel_name(std::string_view name);  // starts like a channel ('#' or '&')
bool is_valid_channel(std::string_view name, size_t max_length = 50);

// ---- An IRC client on an EventLoop ----

struct IrcClientOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 6667;
  std::string nick = {};
  std::string user = {};      // "" = the nick
  std::string realname = {};  // "" = the nick
  std::string password = {};  // sent as PASS before registering when not empty
  int connect_timeout_ms = 10000;
};

// A client connection: connects, registers, answers PING, and reports messages.
//
//   core::EventLoop loop;
//   chat::IrcClient client(loop);
//   client.on_registered([&] { client.join("#sfs"); });
//   client.on_message([&](const chat::IrcMessage& m) {
//     if (m.command == "PRIVMSG") client.privmsg(m.param(0), "you said: " + m.param(1));
//   });
//   client.on_close([&](const core::Status&) { loop.stop(); });
//   SFS_TRY(client.connect({.host = "127.0.0.1", .port = 6667, .nick = "bot"}));
//   loop.run();
//
// Behaviour: PING is answered with PONG automatically (on_message still sees it). A 433 (nick in
// use) or 432 (erroneous nick) before registration makes it try another nick (a '_' appended, then
// digits), so registration succeeds on a busy server. nick() follows the server: 001's target and
// the client's own NICK changes. Sending methods queue the line and return at once; when the
// connection is gone they do nothing. Lines longer than IRC allows are split by privmsg()/notice()
// at UTF-8 boundaries (preferring spaces), and text with newlines becomes one message per line.
//
// Thread safety: none; use it from the loop's thread. Callbacks may call any method, including
// quit() and close(); the client must outlive the loop's use of it.
class IrcClient {
 public:
  explicit IrcClient(core::EventLoop& loop);
  ~IrcClient();
  IrcClient(const IrcClient&) = delete;
  IrcClient& operator=(const IrcClient&) = delete;

  void on_registered(std::function<void()> callback);
  void on_message(std::function<void(const IrcMessage&)> callback);
  // Called once when the connection ends: OK for a close we asked for (quit(), close()), an
  // error otherwise (kClosed with the server's ERROR text when it sent one).
  void on_close(std::function<void(const core::Status&)> callback);

  // Connects (blocking, up to the timeout) and sends PASS/NICK/USER. Registration completes
  // asynchronously (on_registered). Errors: the connection failed.
  core::Status connect(const IrcClientOptions& options);

  void join(std::string_view channel, std::string_view key = "");
  void part(std::string_view channel, std::string_view reason = "");
  void privmsg(std::string_view target, std::string_view text);
  void notice(std::string_view target, std::string_view text);
  // Asks for a new nick (NICK); nick() changes when the server confirms.
  void set_nick(std::string_view nick);
  // Sends one raw line ("\r\n" is added; anything after a CR or LF is dropped).
  void send_raw(std::string_view line);
  void send(const IrcMessage& message);
  // Sends QUIT and closes once the server has closed (or after 2 s).
  void quit(std::string_view reason = "");
  // Closes now.
  void close();

  bool connected() const;
  bool registered() const { return registered_; }
  const std::string& nick() const { return nick_; }
  // The server's name (the prefix of its 001), once registered.
  const std::string& server_name() const { return server_name_; }
  // ISUPPORT (005) tokens seen so far, such as "CHANTYPES=#&" or "NICKLEN=30".
  const std::vector<std::string>& isupport() const { return isupport_; }

 private:
  class Link;
  void handle_line(std::string_view line);
  void handle_close(const core::Status& reason);
  void send_text(std::string_view command, std::string_view target, std::string_view text);

  core::EventLoop& loop_;
  std::unique_ptr<Link> link_;
  std::function<void()> on_registered_;
  std::function<void(const IrcMessage&)> on_message_;
  std::function<void(const core::Status&)> on_close_;
  std::string nick_;
  std::string wanted_nick_;
  std::string server_name_;
  std::string server_error_;
  std::vector<std::string> isupport_;
  int nick_attempts_ = 0;
  bool registered_ = false;
  bool quitting_ = false;
  core::EventLoop::TimerId quit_timer_ = 0;
};

// `sfs chat ...`: the command-line entry point (server, connect).
int cli_main(int argc, char** argv);

}  // namespace sfs::chat
