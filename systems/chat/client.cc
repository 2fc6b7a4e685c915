// IrcClient: one client connection on an EventLoop (see chat.h for the contract).
//
// Registration, as RFC 2812 section 3.1 orders it: PASS (optional), NICK, USER; then the server
// answers 001..005 and the MOTD, or 433/432 when the nick is taken or invalid, in which case
// another nick is tried ("nick_", then "nick1", "nick2", ...). The Link (a core::Connection) only
// splits lines; everything else happens in IrcClient::handle_line().
#include <algorithm>

#include "core/connection.h"
#include "core/log.h"
#include "core/socket.h"
#include "systems/chat/chat.h"
#include "systems/chat/line_reader.h"

namespace sfs::chat {
namespace {

// Lines from servers may carry tags (IRCv3: up to 8191 bytes of them) before the 512 bytes.
constexpr size_t kMaxServerLine = 8192 + kMaxLineLength;
// Room left for text in a PRIVMSG: 512 minus CR LF, the command, the target and the prefix the
// server adds when relaying (":nick!user@host ", which servers bound to about 100 bytes).
constexpr size_t kRelayOverhead = 2 + 1 + 100 + 10;

// Splits `text` into pieces of at most `limit` bytes, at a space when there is one in the last
// third, never inside a UTF-8 sequence.
std::vector<std::string_view> split_text(std::string_view text, size_t limit) {
  std::vector<std::string_view> pieces;
  while (text.size() > limit) {
    size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    size_t space = text.rfind(' ', cut);
    if (space != std::string_view::npos && space > limit * 2 / 3) cut = space;
    if (cut == 0) cut = limit;
    pieces.push_back(text.substr(0, cut));
    text.remove_prefix(cut);
    if (!text.empty() && text[0] == ' ' && cut != limit) text.remove_prefix(1);
  }
  pieces.push_back(text);
  return pieces;
}

}  // namespace

class IrcClient::Link : public core::Connection {
 public:
  Link(IrcClient& owner, core::EventLoop& loop, core::Fd fd)
      : Connection(loop, std::move(fd)), owner_(owner) {}

 protected:
  void on_data(core::Buffer& input) override {
    std::string_view line;
    size_t consumed = 0;
    for (;;) {
      LineReader::Result result = reader_.next(input.view(), &line, &consumed);
      if (result == LineReader::kNeedMore) break;
      std::string copy(line);  // handle_line may send, which never touches input; copy anyway
      input.consume(consumed);
      if (result == LineReader::kLine && !copy.empty()) owner_.handle_line(copy);
      if (closed()) return;
    }
    input.shrink_if_idle(0);
  }
  void on_close(const core::Status& reason) override { owner_.handle_close(reason); }

 private:
  IrcClient& owner_;
  LineReader reader_{kMaxServerLine};
};

IrcClient::IrcClient(core::EventLoop& loop) : loop_(loop) {}

IrcClient::~IrcClient() {
  if (quit_timer_) loop_.cancel(quit_timer_);
  if (link_) {
    on_close_ = nullptr;
    link_->close();
  }
}

void IrcClient::on_registered(std::function<void()> callback) {
  on_registered_ = std::move(callback);
}
void IrcClient::on_message(std::function<void(const IrcMessage&)> callback) {
  on_message_ = std::move(callback);
}
void IrcClient::on_close(std::function<void(const core::Status&)> callback) {
  on_close_ = std::move(callback);
}

core::Status IrcClient::connect(const IrcClientOptions& options) {
  if (options.nick.empty()) return core::Status::invalid_argument("a nick is required");
  if (link_) return core::Status::already_exists("already connected");
  SFS_ASSIGN_OR_RETURN(core::Fd fd, core::tcp_connect(options.host, options.port,
                                                      options.connect_timeout_ms));
  SFS_TRY(core::set_nonblocking(fd.get()));
  link_ = std::make_unique<Link>(*this, loop_, std::move(fd));
  SFS_TRY(link_->start());
  registered_ = false;
  quitting_ = false;
  server_error_.clear();
  nick_attempts_ = 0;
  wanted_nick_ = options.nick;
  nick_ = options.nick;
  if (!options.password.empty()) send({"", "PASS", {options.password}});
  send({"", "NICK", {options.nick}});
  send({"",
        "USER",
        {options.user.empty() ? options.nick : options.user, "0", "*",
         options.realname.empty() ? options.nick : options.realname}});
  return core::Status::ok();
}

bool IrcClient::connected() const { return link_ && !link_->closed() && !link_->closing(); }

void IrcClient::send(const IrcMessage& message) {
  if (!connected()) return;
  bool text = message.command == "PRIVMSG" || message.command == "NOTICE" ||
              message.command == "QUIT" || message.command == "PART" ||
              message.command == "USER" || message.command == "TOPIC";
  link_->send(format_message(message, text));
}

void IrcClient::send_raw(std::string_view line) {
  if (!connected()) return;
  line = line.substr(0, line.find_first_of("\r\n"));
  std::string out(line);
  out += "\r\n";
  link_->send(out);
}

void IrcClient::join(std::string_view channel, std::string_view key) {
  IrcMessage message{"", "JOIN", {std::string(channel)}};
  if (!key.empty()) message.params.emplace_back(key);
  send(message);
}

void IrcClient::part(std::string_view channel, std::string_view reason) {
  IrcMessage message{"", "PART", {std::string(channel)}};
  if (!reason.empty()) message.params.emplace_back(reason);
  send(message);
}

void IrcClient::send_text(std::string_view command, std::string_view target,
                          std::string_view text) {
  size_t overhead = kRelayOverhead + command.size() + target.size() + 2;
  size_t limit = kMaxLineLength > overhead + 16 ? kMaxLineLength - overhead : 16;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() || text.empty()) {
      for (std::string_view piece : split_text(line, limit)) {
        send({"", std::string(command), {std::string(target), std::string(piece)}});
      }
    }
    if (end == text.size()) break;
    start = end + 1;
  }
}

void IrcClient::privmsg(std::string_view target, std::string_view text) {
  send_text("PRIVMSG", target, text);
}

void IrcClient::notice(std::string_view target, std::string_view text) {
  send_text("NOTICE", target, text);
}

void IrcClient::set_nick(std::string_view nick) {
  wanted_nick_ = std::string(nick);
  send({"", "NICK", {std::string(nick)}});
}

void IrcClient::quit(std::string_view reason) {
  if (!connected()) return;
  send({"", "QUIT", {reason.empty() ? std::string("Leaving") : std::string(reason)}});
  quitting_ = true;
  // The server answers with ERROR and closes; do not wait forever for a server that does not.
  quit_timer_ = loop_.run_after(core::Milliseconds(2000), [this] {
    quit_timer_ = 0;
    close();
  });
}

void IrcClient::close() {
  quitting_ = true;
  if (link_ && !link_->closed()) link_->close();
}

void IrcClient::handle_close(const core::Status& reason) {
  if (quit_timer_) {
    loop_.cancel(quit_timer_);
    quit_timer_ = 0;
  }
  registered_ = false;
  loop_.destroy_later(std::move(link_));
  core::Status status = reason;
  if (status.is_ok() && !quitting_) {
    status = core::Status::closed(server_error_.empty() ? "the server closed the connection"
                                                        : "the server closed the connection: " +
                                                              server_error_);
  }
  if (on_close_) {
    auto callback = on_close_;
    callback(status);
  }
}

void IrcClient::handle_line(std::string_view line) {
  core::Result<IrcMessage> parsed = parse_message(line);
  if (!parsed.is_ok()) {
    SFS_LOG_DEBUG("ignoring malformed line from the server: ", parsed.status().message());
    return;
  }
  IrcMessage& message = *parsed;
  const std::string& command = message.command;
  if (command == "PING") {
    send({"", "PONG", {message.params.empty() ? server_name_ : message.params.back()}});
  } else if (command == "001") {
    registered_ = true;
    if (!message.params.empty()) nick_ = message.params[0];
    server_name_ = message.prefix;
  } else if (command == "005") {
    // params: <nick> TOKEN... :are supported by this server
    for (size_t i = 1; i + 1 < message.params.size(); ++i) isupport_.push_back(message.params[i]);
  } else if ((command == "433" || command == "432" || command == "436") && !registered_) {
    // The nick is taken or refused: try another so registration can finish.
    ++nick_attempts_;
    std::string base = wanted_nick_.empty() ? "guest" : wanted_nick_;
    std::string next;
    if (command == "432" && nick_attempts_ > 1) {
      next = "guest" + std::to_string(nick_attempts_);
    } else if (nick_attempts_ == 1) {
      next = base.substr(0, 29) + "_";
    } else {
      std::string suffix = std::to_string(nick_attempts_ - 1);
      next = base.substr(0, 30 - std::min<size_t>(30, suffix.size())) + suffix;
    }
    if (command == "432" && nick_attempts_ == 1) next = "guest";
    nick_ = next;
    send({"", "NICK", {next}});
  } else if (command == "NICK" && !message.params.empty() && irc_equal(message.prefix_nick(), nick_)) {
    nick_ = message.params[0];
  } else if (command == "ERROR") {
    server_error_ = message.param(0);  // why the server is closing the link
  }
  if (on_message_) {
    auto callback = on_message_;
    callback(message);
  }
  if (command == "001" && on_registered_) {
    auto callback = on_registered_;
    callback();
  }
}

}  // namespace sfs::chat
