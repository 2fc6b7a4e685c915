// TerminalClient: see terminal_client.h for the screen and the commands.
#include "systems/chat/terminal_client.h"

#include <signal.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "core/flags.h"
#include "core/strings.h"

namespace sfs::chat {
namespace {

constexpr const char* kHelp =
    "Commands:\n"
    "  /join #channel [key]     join a channel (or switch to one you are on)\n"
    "  /part [#channel] [why]   leave the current (or named) channel\n"
    "  /msg nick|#chan text     send a private message\n"
    "  /me action               describe an action in the current channel\n"
    "  /notice target text      send a notice\n"
    "  /nick newnick            change your nick\n"
    "  /topic [text]            show or set the current channel's topic\n"
    "  /names [#channel]        list who is on a channel\n"
    "  /whois nick              ask about a user\n"
    "  /list                    list channels\n"
    "  /away [message]          mark yourself away (no message: back)\n"
    "  /raw LINE                send a raw IRC line\n"
    "  /quit [message]          leave\n"
    "  /help                    this text\n"
    "Text that does not start with '/' goes to the current channel. Ctrl-D or Ctrl-C quits.";

std::string now_hhmm() {
  std::time_t now = std::time(nullptr);
  char text[16];
  std::strftime(text, sizeof(text), "%H:%M", std::localtime(&now));
  return text;
}

// Removes control characters (except the usual IRC formatting, which is dropped too) so that a
// message cannot move the cursor or change the terminal's state.
std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) continue;
    out.push_back(c);
  }
  return out;
}

std::pair<std::string_view, std::string_view> split_word(std::string_view text) {
  text = core::trim(text);
  size_t space = text.find(' ');
  if (space == std::string_view::npos) return {text, {}};
  return {text.substr(0, space), core::trim(text.substr(space + 1))};
}

}  // namespace

TerminalClient::TerminalClient(core::EventLoop& loop, IrcClientOptions options,
                               std::vector<std::string> autojoin)
    : loop_(loop), options_(std::move(options)), autojoin_(std::move(autojoin)), client_(loop) {}

core::Status TerminalClient::start() {
  editor_.set_keep_submitted(false);
  editor_.set_prompt("> ");
  update_status();
  client_.on_message([this](const IrcMessage& message) { on_message(message); });
  client_.on_registered([this] {
    for (const std::string& channel : autojoin_) client_.join(channel);
    std::vector<std::string> queued = std::move(queued_);
    queued_.clear();
    for (const std::string& line : queued) handle_input(line);
    if (input_ended_ && !finished_) client_.quit();
    update_status();
  });
  client_.on_close([this](const core::Status& reason) { on_close(reason); });
  show("Connecting to " + options_.host + ":" + std::to_string(options_.port) + " as " +
       options_.nick + "...");
  core::Status status = client_.connect(options_);
  if (!status.is_ok()) return status;
  SFS_TRY(editor_.attach(loop_, [this](const core::LineEditor::Input& input) { on_input(input); }));
  update_status();
  return core::Status::ok();
}

void TerminalClient::show(std::string_view text) {
  if (editor_.is_terminal()) {
    editor_.print_above(now_hhmm() + " " + std::string(text));
  } else {
    editor_.print_above(text);
  }
}

void TerminalClient::update_status() {
  std::string status = "[" + (client_.registered() ? client_.nick() : options_.nick) + " on " +
                       options_.host + ":" + std::to_string(options_.port) + "]";
  if (!client_.registered()) status += finished_ ? " (disconnected)" : " (connecting)";
  if (!current_.empty()) {
    status += " " + current_;
    auto it = members_.find(irc_lower(current_));
    if (it != members_.end()) status += " (" + std::to_string(it->second.size()) + " users)";
  }
  if (channels_.size() > 1) {
    status += "  channels:";
    for (const std::string& channel : channels_) status += " " + channel;
  }
  editor_.set_status(status);
  editor_.set_prompt(current_.empty() ? "> " : "[" + current_ + "] ");
}

void TerminalClient::finish(int code) {
  if (finished_) return;
  finished_ = true;
  exit_code_ = code;
  editor_.detach();
  editor_.stop();
  loop_.defer([this] { loop_.stop(); });
}

void TerminalClient::on_close(const core::Status& reason) {
  if (reason.is_ok()) {
    show("Disconnected.");
    update_status();
    finish(0);
  } else {
    show("! Connection closed: " + reason.message());
    update_status();
    finish(1);
  }
}

void TerminalClient::on_input(const core::LineEditor::Input& input) {
  switch (input.kind) {
    case core::LineEditor::kLine:
      if (!client_.registered()) {
        queued_.push_back(input.line);
        return;
      }
      if (!input.line.empty()) editor_.add_history(input.line);
      handle_input(input.line);
      return;
    case core::LineEditor::kEof:
    case core::LineEditor::kInterrupt:
      input_ended_ = true;
      if (client_.registered()) {
        client_.quit();
      } else if (input.kind == core::LineEditor::kInterrupt || !client_.connected()) {
        client_.close();
      }
      // Without a terminal, input may end before registration: the queued lines run first.
      return;
  }
}

void TerminalClient::say(std::string_view target, std::string_view text, bool action) {
  if (target.empty()) {
    show("! You are not on a channel: /join #channel first, or /msg nick text");
    return;
  }
  if (action) {
    client_.privmsg(target, "\x01" "ACTION " + std::string(text) + "\x01");
  } else {
    client_.privmsg(target, text);
  }
  std::string me = client_.nick();
  std::string shown = action ? "* " + me + " " + std::string(text) : "<" + me + "> " + std::string(text);
  if (!irc_equal(target, current_)) {
    shown = is_channel_name(target) ? "[" + std::string(target) + "] " + shown
                                    : "-> *" + std::string(target) + "* " + std::string(text);
  }
  show(printable(shown));
}

void TerminalClient::handle_input(std::string_view line) {
  if (line.empty()) return;
  if (line[0] != '/' || line.substr(0, 2) == "//") {
    if (line.substr(0, 2) == "//") line.remove_prefix(1);
    say(current_, line, false);
    return;
  }
  auto [command, args] = split_word(line.substr(1));
  run_command(core::to_lower(command), args);
}

void TerminalClient::run_command(std::string_view command, std::string_view args) {
  auto [first, rest] = split_word(args);
  if (command == "join" || command == "j") {
    if (first.empty()) {
      show("! usage: /join #channel [key]");
      return;
    }
    std::string channel(first);
    if (!is_channel_name(channel)) channel = "#" + channel;
    auto joined = std::find_if(channels_.begin(), channels_.end(),
                               [&](const std::string& c) { return irc_equal(c, channel); });
    if (joined != channels_.end()) {
      current_ = *joined;
      show("Now talking in " + current_);
      update_status();
      return;
    }
    client_.join(channel, rest);
  } else if (command == "part" || command == "leave") {
    std::string channel = current_;
    std::string_view reason = args;
    if (!first.empty() && is_channel_name(first)) {
      channel = std::string(first);
      reason = rest;
    }
    if (channel.empty()) {
      show("! You are not on a channel");
      return;
    }
    client_.part(channel, reason);
    // Forget the channel now rather than when the server's PART comes back, so that a /join
    // typed right after really joins again instead of switching to a channel being left.
    channels_.erase(std::remove_if(channels_.begin(), channels_.end(),
                                   [&](const std::string& c) { return irc_equal(c, channel); }),
                    channels_.end());
    if (irc_equal(current_, channel)) current_ = channels_.empty() ? "" : channels_.back();
    update_status();
  } else if (command == "msg" || command == "query" || command == "m") {
    if (first.empty() || rest.empty()) {
      show("! usage: /msg nick|#channel text");
      return;
    }
    say(first, rest, false);
  } else if (command == "me") {
    say(current_, args, true);
  } else if (command == "notice") {
    if (first.empty() || rest.empty()) {
      show("! usage: /notice target text");
      return;
    }
    client_.notice(first, rest);
    show("-> -" + std::string(first) + "- " + printable(rest));
  } else if (command == "nick") {
    if (first.empty()) {
      show("! usage: /nick newnick");
      return;
    }
    client_.set_nick(first);
  } else if (command == "topic") {
    if (current_.empty() && !is_channel_name(first)) {
      show("! You are not on a channel");
      return;
    }
    std::string channel = current_;
    std::string_view text = args;
    if (is_channel_name(first)) {
      channel = std::string(first);
      text = rest;
    }
    IrcMessage message{"", "TOPIC", {channel}};
    if (!text.empty()) message.params.emplace_back(text);
    client_.send(message);
  } else if (command == "names") {
    std::string channel = first.empty() ? current_ : std::string(first);
    client_.send({"", "NAMES", channel.empty() ? std::vector<std::string>{}
                                                 : std::vector<std::string>{channel}});
  } else if (command == "whois") {
    if (first.empty()) {
      show("! usage: /whois nick");
      return;
    }
    client_.send({"", "WHOIS", {std::string(first)}});
  } else if (command == "list") {
    client_.send({"", "LIST", {}});
  } else if (command == "away") {
    client_.send({"", "AWAY", args.empty() ? std::vector<std::string>{}
                                           : std::vector<std::string>{std::string(args)}});
  } else if (command == "raw" || command == "quote") {
    client_.send_raw(args);
  } else if (command == "quit" || command == "exit") {
    input_ended_ = true;
    client_.quit(args);
  } else if (command == "help") {
    for (std::string_view line : core::split(kHelp, '\n')) show(line);
  } else {
    show("! Unknown command /" + std::string(command) + " (try /help)");
  }
}

void TerminalClient::on_message(const IrcMessage& message) {
  const std::string& command = message.command;
  std::string nick(message.prefix_nick());
  bool from_me = irc_equal(nick, client_.nick());
  // Keep the channel list and member sets in step with the server.
  if (command == "JOIN" && !message.params.empty()) {
    std::string channel = message.params[0];
    if (from_me) {
      channels_.push_back(channel);
      current_ = channel;
      members_[irc_lower(channel)].clear();
    } else {
      members_[irc_lower(channel)].insert(nick);
    }
  } else if ((command == "PART" || command == "KICK") && !message.params.empty()) {
    std::string channel = message.params[0];
    std::string who = command == "KICK" ? message.param(1) : nick;
    if (irc_equal(who, client_.nick())) {
      channels_.erase(std::remove_if(channels_.begin(), channels_.end(),
                                     [&](const std::string& c) { return irc_equal(c, channel); }),
                      channels_.end());
      members_.erase(irc_lower(channel));
      if (irc_equal(current_, channel)) current_ = channels_.empty() ? "" : channels_.back();
    } else {
      auto it = members_.find(irc_lower(channel));
      if (it != members_.end()) it->second.erase(who);
    }
  } else if (command == "QUIT") {
    for (auto& [channel, nicks] : members_) nicks.erase(nick);
  } else if (command == "NICK" && !message.params.empty()) {
    for (auto& [channel, nicks] : members_) {
      if (nicks.erase(nick)) nicks.insert(message.params[0]);
    }
  } else if (command == "353" && message.params.size() >= 4) {
    auto& nicks = members_[irc_lower(message.params[2])];
    for (std::string_view entry : core::split(message.params[3], ' ')) {
      while (!entry.empty() && (entry[0] == '@' || entry[0] == '+' || entry[0] == '%' ||
                                entry[0] == '~' || entry[0] == '&')) {
        entry.remove_prefix(1);
      }
      if (!entry.empty()) nicks.insert(std::string(entry));
    }
  }
  std::string text = render(message);
  if (!text.empty()) show(text);
  if (command == "JOIN" || command == "PART" || command == "KICK" || command == "QUIT" ||
      command == "NICK" || command == "366" || command == "001") {
    update_status();
  }
}

std::string TerminalClient::render(const IrcMessage& message) {
  const std::string& command = message.command;
  std::string nick = printable(message.prefix_nick());
  auto param = [&](size_t i) { return printable(message.param(i)); };
  auto last_param = [&] {
    return message.params.empty() ? std::string() : printable(message.params.back());
  };
  if (command == "PRIVMSG" || command == "NOTICE") {
    const std::string& target = message.param(0);
    std::string text = message.param(1);
    bool to_channel = is_channel_name(target);
    std::string where = to_channel && !irc_equal(target, current_) ? "[" + printable(target) + "] " : "";
    if (text.size() >= 2 && text.front() == '\x01') {
      // CTCP: ACTION is shown; VERSION and PING are answered, as clients do.
      std::string body = text.substr(1, text.back() == '\x01' ? text.size() - 2 : text.size() - 1);
      auto [ctcp, arg] = split_word(body);
      if (ctcp == "ACTION") return where + "* " + nick + " " + printable(arg);
      if (command == "PRIVMSG" && ctcp == "VERSION") {
        client_.notice(nick, "\x01" "VERSION sfs chat connect\x01");
      } else if (command == "PRIVMSG" && ctcp == "PING") {
        client_.notice(nick, "\x01" "PING " + std::string(arg) + "\x01");
      }
      return "[CTCP " + printable(ctcp) + " from " + nick + "]";
    }
    if (command == "NOTICE") {
      if (message.prefix.empty() || message.prefix.find('!') == std::string::npos) {
        return "-" + (nick.empty() ? std::string("server") : nick) + "- " + printable(text);
      }
      return where + "-" + nick + "- " + printable(text);
    }
    if (!to_channel) return "*" + nick + "* " + printable(text);
    return where + "<" + nick + "> " + printable(text);
  }
  if (command == "JOIN") return "--> " + nick + " has joined " + param(0);
  if (command == "PART") {
    std::string reason = message.params.size() >= 2 ? " (" + param(1) + ")" : "";
    return "<-- " + nick + " has left " + param(0) + reason;
  }
  if (command == "QUIT") return "<-- " + nick + " has quit (" + param(0) + ")";
  if (command == "KICK") {
    return "<-- " + param(1) + " was kicked from " + param(0) + " by " + nick + " (" + param(2) + ")";
  }
  if (command == "NICK") return nick + " is now known as " + param(0);
  if (command == "TOPIC") return nick + " changed the topic of " + param(0) + " to: " + param(1);
  if (command == "INVITE") return nick + " invites you to " + param(1) + " (/join " + param(1) + ")";
  if (command == "MODE") {
    std::string modes;
    for (size_t i = 1; i < message.params.size(); ++i) modes += (i > 1 ? " " : "") + param(i);
    return "mode " + param(0) + " [" + modes + "] by " + nick;
  }
  if (command == "ERROR") return "! " + param(0);
  if (command == "PING" || command == "PONG" || command == "CAP") return "";
  if (command.size() == 3 && std::isdigit(static_cast<unsigned char>(command[0]))) {
    // Numerics: params[0] is our nick; show the rest.
    if (command == "353") {
      std::string& names = pending_names_[irc_lower(message.param(2))];
      names += (names.empty() ? "" : " ") + param(3);
      return "";
    }
    if (command == "366") {
      auto it = pending_names_.find(irc_lower(message.param(1)));
      std::string names = it == pending_names_.end() ? "" : it->second;
      if (it != pending_names_.end()) pending_names_.erase(it);
      return "Users on " + param(1) + ": " + names;
    }
    if (command == "332") return "Topic for " + param(1) + ": " + param(2);
    if (command == "333" || command == "329" || command == "005" || command == "004" ||
        command == "315" || command == "318" || command == "321" || command == "376" ||
        command == "375" || command == "369") {
      return "";
    }
    if (command == "322") return param(1) + " (" + param(2) + " users) " + param(3);
    if (command == "311") {
      return param(1) + " is " + param(2) + "@" + param(3) + " (" + param(5) + ")";
    }
    if (command == "319") return param(1) + " is on " + param(2);
    if (command == "301") return param(1) + " is away: " + param(2);
    if (command == "265" || command == "266" || command == "250") return last_param();
    std::string text;
    for (size_t i = 1; i < message.params.size(); ++i) {
      if (!text.empty()) text += ' ';
      text += printable(message.params[i]);
    }
    if (command[0] == '4' || command[0] == '5') return "! " + text;
    return text.empty() ? "" : text;
  }
  std::string text = command;
  for (const std::string& p : message.params) text += " " + printable(p);
  return (nick.empty() ? "" : nick + ": ") + text;
}

int connect_main(int argc, char** argv) {
  IrcClientOptions options;
  std::string host = "127.0.0.1";
  std::string port_text = "6667";
  std::vector<std::string> join;
  core::Flags flags("sfs chat connect", "Chat on an IRC server from the terminal.");
  flags.positional("host", &host, "server address (default 127.0.0.1)");
  flags.positional("port", &port_text, "server port (default 6667)");
  flags.add("nick", &options.nick, "your nick (required)", 'n', "NICK");
  flags.add("user", &options.user, "user name (default: the nick)", 0, "USER");
  flags.add("realname", &options.realname, "real name (default: the nick)", 0, "NAME");
  flags.add("password", &options.password, "server password (PASS)", 0, "PASS");
  flags.add("join", &join, "channel to join once connected (repeatable)", 'j', "CHANNEL");
  flags.epilog(
      "Type /help once connected for the commands.\n"
      "Examples:\n"
      "  sfs chat connect --nick alice                    # 127.0.0.1:6667\n"
      "  sfs chat connect 127.0.0.1 6697 --nick bob -j '#sfs'\n");
  if (auto exit_code = flags.parse(argc, argv)) return *exit_code;
  std::optional<int64_t> port = core::parse_int64(port_text);
  if (!port || *port < 1 || *port > 65535) {
    std::fprintf(stderr, "sfs chat connect: bad port '%s'\n", port_text.c_str());
    return 2;
  }
  if (options.nick.empty()) {
    std::fprintf(stderr, "sfs chat connect: --nick is required\n");
    return 2;
  }
  if (!is_valid_nick(options.nick)) {
    std::fprintf(stderr, "sfs chat connect: '%s' is not a valid nick\n", options.nick.c_str());
    return 2;
  }
  options.host = host;
  options.port = static_cast<uint16_t>(*port);
  ::signal(SIGPIPE, SIG_IGN);
  core::EventLoop loop;
  TerminalClient client(loop, options, join);
  if (core::Status status = client.start(); !status.is_ok()) {
    std::fprintf(stderr, "sfs chat connect: %s\n", status.message().c_str());
    return 1;
  }
  // The terminal is in raw mode, so ^C arrives as a key; SIGTERM/SIGHUP still end the session.
  auto on_signal = [&](int) { client.handle_input("/quit"); };
  (void)loop.on_signal(SIGTERM, on_signal);
  (void)loop.on_signal(SIGHUP, on_signal);
  loop.run();
  return client.exit_code();
}

}  // namespace sfs::chat
