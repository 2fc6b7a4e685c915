// Command handlers for registration, users and messages (RFC 2812 sections 3.1, 3.3, 3.4, 3.6,
// 3.7, 4): CAP PASS NICK USER PING PONG QUIT PRIVMSG NOTICE AWAY WHOIS WHOWAS WHO USERHOST ISON
// LUSERS MOTD VERSION TIME MODE (user modes; channel modes are in channel_commands.cc).
//
// Each handler gets a parsed message whose parameter count dispatch() has already checked against
// the command table, so handlers index params[0..min_params) freely.
#include <algorithm>
#include <ctime>

#include "core/strings.h"
#include "systems/chat/numerics.h"
#include "systems/chat/server.h"

namespace sfs::chat {
namespace {

constexpr const char* kVersionText = "sfs-chat-0.1";
constexpr size_t kNickLength = 30;
constexpr size_t kUserLength = 10;
constexpr size_t kAwayLength = 200;
constexpr size_t kMaxTargets = 4;

}  // namespace

const std::unordered_map<std::string, Server::Command>& Server::command_table() {
  // {handler, minimum parameters, needs registration}
  static const std::unordered_map<std::string, Command> table = {
      {"CAP", {&Server::cmd_cap, 1, false}},
      {"PASS", {&Server::cmd_pass, 1, false}},
      {"NICK", {&Server::cmd_nick, 1, false}},
      {"USER", {&Server::cmd_user, 4, false}},
      {"PING", {&Server::cmd_ping, 1, false}},
      {"PONG", {&Server::cmd_pong, 0, false}},
      {"QUIT", {&Server::cmd_quit, 0, false}},
      {"PRIVMSG", {&Server::cmd_privmsg, 2, true}},
      {"NOTICE", {&Server::cmd_notice, 2, true}},
      {"JOIN", {&Server::cmd_join, 1, true}},
      {"PART", {&Server::cmd_part, 1, true}},
      {"TOPIC", {&Server::cmd_topic, 1, true}},
      {"NAMES", {&Server::cmd_names, 0, true}},
      {"LIST", {&Server::cmd_list, 0, true}},
      {"KICK", {&Server::cmd_kick, 2, true}},
      {"INVITE", {&Server::cmd_invite, 2, true}},
      {"MODE", {&Server::cmd_mode, 1, true}},
      {"AWAY", {&Server::cmd_away, 0, true}},
      {"WHOIS", {&Server::cmd_whois, 1, true}},
      {"WHOWAS", {&Server::cmd_whowas, 1, true}},
      {"WHO", {&Server::cmd_who, 0, true}},
      {"USERHOST", {&Server::cmd_userhost, 1, true}},
      {"ISON", {&Server::cmd_ison, 1, true}},
      {"LUSERS", {&Server::cmd_lusers, 0, true}},
      {"MOTD", {&Server::cmd_motd, 0, true}},
      {"VERSION", {&Server::cmd_version, 0, true}},
      {"TIME", {&Server::cmd_time, 0, true}},
  };
  return table;
}

// ---- Registration ----

void Server::cmd_cap(Session& session, const IrcMessage& message) {
  // IRCv3 capability negotiation: this server offers no capabilities, but answers so that
  // clients that start with "CAP LS 302" (irssi, irc-framework, weechat) go on to register.
  std::string sub = core::to_upper(message.params[0]);
  std::string target = session.target();
  if (sub == "LS") {
    if (!session.registered()) session.cap_negotiating = true;
    session.send_line(":" + options_.name + " CAP " + target + " LS :\r\n");
  } else if (sub == "LIST") {
    session.send_line(":" + options_.name + " CAP " + target + " LIST :\r\n");
  } else if (sub == "REQ") {
    if (!session.registered()) session.cap_negotiating = true;
    session.send_line(":" + options_.name + " CAP " + target + " NAK :" + message.param(1) +
                      "\r\n");
  } else if (sub == "END") {
    session.cap_negotiating = false;
    try_register(session);
  } else {
    reply(session, "410", {sanitize_param(sub), "Invalid CAP command"});
  }
}

void Server::cmd_pass(Session& session, const IrcMessage& message) {
  if (session.registered()) {
    reply(session, numeric::kAlreadyRegistered, {"You may not reregister"});
    return;
  }
  session.password = message.params[0];
}

void Server::cmd_nick(Session& session, const IrcMessage& message) {
  const std::string& nick = message.params[0];
  if (nick.empty()) {
    reply(session, numeric::kNoNicknameGiven, {"No nickname given"});
    return;
  }
  if (!is_valid_nick(nick, kNickLength)) {
    reply(session, numeric::kErroneousNickname, {sanitize_param(nick), "Erroneous nickname"});
    return;
  }
  if (nick == session.nick()) return;
  std::string key = irc_lower(nick);
  auto it = nicks_.find(key);
  if (it != nicks_.end() && it->second != &session) {
    reply(session, numeric::kNicknameInUse, {nick, "Nickname is already in use"});
    return;
  }
  if (session.registered()) {
    std::string line = relay_line(session, "NICK", {}, &nick);
    broadcast_to_peers(session, line, true);
  }
  if (!session.nick().empty()) nicks_.erase(irc_lower(session.nick()));
  nicks_[key] = &session;
  session.set_nick(nick);
  if (!session.registered()) try_register(session);
}

void Server::cmd_user(Session& session, const IrcMessage& message) {
  if (session.registered()) {
    reply(session, numeric::kAlreadyRegistered, {"You may not reregister"});
    return;
  }
  std::string user = message.params[0];
  // The user name becomes part of every prefix: keep it short and free of separators.
  user.erase(std::remove_if(user.begin(), user.end(),
                            [](char c) {
                              unsigned char u = static_cast<unsigned char>(c);
                              return u <= 0x20 || c == '@' || c == '!' || c == ':' || u == 0x7f;
                            }),
             user.end());
  if (user.empty()) {
    reply(session, numeric::kNeedMoreParams, {"USER", "Not enough parameters"});
    return;
  }
  if (user.size() > kUserLength) user.resize(kUserLength);
  session.set_user(user, message.params[3]);
  try_register(session);
}

void Server::try_register(Session& session) {
  if (session.registered() || session.nick().empty() || session.user().empty() ||
      session.cap_negotiating) {
    return;
  }
  if (!options_.password.empty() && session.password != options_.password) {
    reply(session, numeric::kPasswdMismatch, {"Password incorrect"});
    detach_session(session, "Bad password");
    session.close_with_error("Bad password");
    return;
  }
  session.set_registered();
  ++registered_;
  send_welcome(session);
}

void Server::send_welcome(Session& session) {
  reply(session, numeric::kWelcome,
        {"Welcome to the " + options_.network + " IRC Network " + session.full_name()});
  reply(session, numeric::kYourHost,
        {"Your host is " + options_.name + ", running version " + kVersionText});
  reply(session, numeric::kCreated, {"This server was created " + created_text_});
  reply(session, numeric::kMyInfo, {options_.name, kVersionText, "iw", "biklmnostv", "bklov"});
  reply(session, numeric::kISupport,
        {"AWAYLEN=200", "CASEMAPPING=rfc1459", "CHANLIMIT=#&:" + std::to_string(options_.max_channels),
         "CHANMODES=b,k,l,imnst", "CHANNELLEN=50", "CHANTYPES=#&", "KICKLEN=390",
         "MAXTARGETS=" + std::to_string(kMaxTargets), "MODES=4", "NETWORK=" + options_.network,
         "NICKLEN=30", "PREFIX=(ov)@+", "TOPICLEN=390", "are supported by this server"});
  reply(session, numeric::kISupport,
        {"USERLEN=10", "TARGMAX=PRIVMSG:4,NOTICE:4,JOIN:,PART:,KICK:4,NAMES:,WHOIS:4",
         "are supported by this server"});
  send_lusers(session);
  send_motd(session);
}

void Server::send_lusers(Session& session) {
  size_t invisible = 0;
  for (const auto& [raw, s] : sessions_) {
    if (s->registered() && s->invisible && !s->detached) ++invisible;
  }
  size_t users = registered_count();
  size_t unknown = sessions_.size() >= users ? sessions_.size() - users : 0;
  reply(session, numeric::kLuserClient,
        {"There are " + std::to_string(users - invisible) + " users and " +
         std::to_string(invisible) + " invisible on 1 servers"});
  reply(session, numeric::kLuserOp, {"0", "operator(s) online"});
  reply(session, numeric::kLuserUnknown, {std::to_string(unknown), "unknown connection(s)"});
  reply(session, numeric::kLuserChannels, {std::to_string(channels_.size()), "channels formed"});
  reply(session, numeric::kLuserMe,
        {"I have " + std::to_string(users) + " clients and 0 servers"});
  std::string count = std::to_string(users);
  std::string max = std::to_string(std::max(max_seen_, users));
  reply(session, numeric::kLocalUsers,
        {count, max, "Current local users " + count + ", max " + max});
  reply(session, numeric::kGlobalUsers,
        {count, max, "Current global users " + count + ", max " + max});
}

void Server::send_motd(Session& session) {
  if (options_.motd.empty()) {
    reply(session, numeric::kNoMotd, {"MOTD File is missing"});
    return;
  }
  reply(session, numeric::kMotdStart, {"- " + options_.name + " Message of the day - "});
  for (std::string_view line : core::split(options_.motd, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    reply(session, numeric::kMotd, {"- " + std::string(line.substr(0, 400))});
  }
  reply(session, numeric::kEndOfMotd, {"End of MOTD command"});
}

// ---- Connection ----

void Server::cmd_ping(Session& session, const IrcMessage& message) {
  if (message.params[0].empty()) {
    reply(session, numeric::kNoOrigin, {"No origin specified"});
    return;
  }
  session.send_line(":" + options_.name + " PONG " + options_.name + " :" + message.params[0] +
                    "\r\n");
}

void Server::cmd_pong(Session& session, const IrcMessage&) { session.ping_pending = false; }

void Server::cmd_quit(Session& session, const IrcMessage& message) {
  std::string reason = message.params.empty() ? "Client Quit" : "Quit: " + message.params[0];
  detach_session(session, reason);
  session.close_with_error(reason);
}

// ---- Messages ----

void Server::cmd_privmsg(Session& session, const IrcMessage& message) {
  send_text(session, message, false);
}

void Server::cmd_notice(Session& session, const IrcMessage& message) {
  send_text(session, message, true);
}

void Server::send_text(Session& session, const IrcMessage& message, bool notice) {
  // NOTICE never causes an automatic reply (RFC 2812 3.3.2), errors included.
  const char* command = notice ? "NOTICE" : "PRIVMSG";
  const std::string& text = message.params[1];
  if (message.params[0].empty()) {
    if (!notice) reply(session, numeric::kNoRecipient, {"No recipient given (PRIVMSG)"});
    return;
  }
  if (text.empty()) {
    if (!notice) reply(session, numeric::kNoTextToSend, {"No text to send"});
    return;
  }
  std::vector<std::string_view> targets = core::split(message.params[0], ',');
  if (targets.size() > kMaxTargets) {
    if (!notice) {
      reply(session, numeric::kTooManyTargets,
            {sanitize_param(message.params[0]), "Too many recipients"});
    }
    return;
  }
  session.last_message = std::time(nullptr);
  for (std::string_view target : targets) {
    if (target.empty()) continue;
    if (is_channel_name(target)) {
      Channel* channel = find_channel(target);
      if (!channel) {
        if (!notice) reply(session, numeric::kNoSuchChannel, {sanitize_param(target), "No such channel"});
        continue;
      }
      uint8_t status = channel->status(&session);
      bool member = channel->has(&session);
      bool allowed = (member || !channel->no_external) &&
                     (!channel->moderated || status != 0) &&
                     (status != 0 || !channel->is_banned(session.full_name()));
      if (!allowed) {
        if (!notice) {
          reply(session, numeric::kCannotSendToChan, {channel->name(), "Cannot send to channel"});
        }
        continue;
      }
      std::string line = relay_line(session, command, {channel->name()}, &text);
      broadcast(*channel, line, &session);
    } else {
      Session* to = find_nick(target);
      if (!to) {
        if (!notice) reply(session, numeric::kNoSuchNick, {sanitize_param(target), "No such nick/channel"});
        continue;
      }
      to->send_line(relay_line(session, command, {to->nick()}, &text));
      if (!notice && !to->away.empty()) {
        reply(session, numeric::kAway, {to->nick(), to->away});
      }
    }
  }
}

// ---- Users ----

void Server::cmd_away(Session& session, const IrcMessage& message) {
  if (message.params.empty() || message.params[0].empty()) {
    session.away.clear();
    reply(session, numeric::kUnAway, {"You are no longer marked as being away"});
  } else {
    session.away = message.params[0].substr(0, kAwayLength);
    reply(session, numeric::kNowAway, {"You have been marked as being away"});
  }
}

void Server::cmd_whois(Session& session, const IrcMessage& message) {
  // WHOIS [server] nick[,nick...]
  const std::string& masks = message.params.size() >= 2 ? message.params[1] : message.params[0];
  std::vector<std::string_view> nicks = core::split(masks, ',');
  if (nicks.size() > kMaxTargets) nicks.resize(kMaxTargets);
  for (std::string_view nick : nicks) {
    Session* who = find_nick(nick);
    if (!who) {
      reply(session, numeric::kNoSuchNick, {sanitize_param(nick), "No such nick/channel"});
      continue;
    }
    reply(session, numeric::kWhoisUser, {who->nick(), who->user(), who->host(), "*", who->realname()});
    std::string channels;
    for (Channel* channel : who->channels) {
      if (!visible(*channel, session)) continue;
      std::string entry = Channel::prefix_for(channel->status(who)) + channel->name();
      if (channels.size() + entry.size() > 400) {
        reply(session, numeric::kWhoisChannels, {who->nick(), channels});
        channels.clear();
      }
      if (!channels.empty()) channels += ' ';
      channels += entry;
    }
    if (!channels.empty()) reply(session, numeric::kWhoisChannels, {who->nick(), channels});
    reply(session, numeric::kWhoisServer, {who->nick(), options_.name, "sfs chat server"});
    if (!who->away.empty()) reply(session, numeric::kAway, {who->nick(), who->away});
    std::time_t now = std::time(nullptr);
    reply(session, numeric::kWhoisIdle,
          {who->nick(), std::to_string(std::max<std::time_t>(0, now - who->last_message)),
           std::to_string(who->signon()), "seconds idle, signon time"});
  }
  reply(session, numeric::kEndOfWhois, {sanitize_param(masks), "End of WHOIS list"});
}

void Server::cmd_whowas(Session& session, const IrcMessage& message) {
  // No nick history is kept: every WHOWAS is answered "there was no such nickname".
  reply(session, numeric::kWasNoSuchNick, {sanitize_param(message.params[0]), "There was no such nickname"});
  reply(session, numeric::kEndOfWhowas, {sanitize_param(message.params[0]), "End of WHOWAS"});
}

void Server::who_reply(Session& to, const Session& who, const Channel* channel) {
  std::string flags = who.away.empty() ? "H" : "G";
  if (channel) flags += Channel::prefix_for(channel->status(&who));
  reply(to, numeric::kWhoReply,
        {channel ? channel->name() : "*", who.user(), who.host(), options_.name, who.nick(), flags,
         "0 " + who.realname()});
}

void Server::cmd_who(Session& session, const IrcMessage& message) {
  // WHO [mask ["o"]]: a channel lists its members; otherwise users whose nick, user, host or real
  // name match the mask, skipping invisible users who share no channel with the asker.
  std::string mask = message.params.empty() ? "*" : message.params[0];
  if (mask == "0") mask = "*";
  if (message.params.size() >= 2 && message.params[1] == "o") {
    // No IRC operators on this server.
  } else if (is_channel_name(mask)) {
    Channel* channel = find_channel(mask);
    if (channel && visible(*channel, session)) {
      bool member = channel->has(&session);
      for (const auto& [who, status] : channel->members()) {
        if (!member && who->invisible) continue;
        who_reply(session, *who, channel);
      }
    }
  } else {
    bool exact = mask.find_first_of("*?") == std::string::npos;
    for (const auto& [raw, who] : sessions_) {
      if (!who->registered() || who->detached) continue;
      bool match = exact ? irc_equal(who->nick(), mask)
                         : mask_match(mask, who->nick()) || mask_match(mask, who->user()) ||
                               mask_match(mask, who->host()) || mask_match(mask, who->realname());
      if (!match) continue;
      if (who->invisible && who.get() != &session && !exact) {
        bool shared = std::any_of(who->channels.begin(), who->channels.end(),
                                  [&](Channel* c) { return c->has(&session); });
        if (!shared) continue;
      }
      const Channel* first = nullptr;
      for (Channel* channel : who->channels) {
        if (visible(*channel, session)) {
          first = channel;
          break;
        }
      }
      who_reply(session, *who, first);
    }
  }
  reply(session, numeric::kEndOfWho, {sanitize_param(mask), "End of WHO list"});
}

void Server::cmd_userhost(Session& session, const IrcMessage& message) {
  std::string answer;
  for (size_t i = 0; i < message.params.size() && i < 5; ++i) {
    Session* who = find_nick(message.params[i]);
    if (!who) continue;
    if (!answer.empty()) answer += ' ';
    answer += who->nick() + "=" + (who->away.empty() ? "+" : "-") + who->user() + "@" + who->host();
  }
  reply(session, numeric::kUserHost, {answer});
}

void Server::cmd_ison(Session& session, const IrcMessage& message) {
  std::string answer;
  for (const std::string& param : message.params) {
    for (std::string_view nick : core::split(param, ' ')) {
      Session* who = nick.empty() ? nullptr : find_nick(nick);
      if (!who) continue;
      if (!answer.empty()) answer += ' ';
      answer += who->nick();
    }
  }
  reply(session, numeric::kIsOn, {answer});
}

void Server::cmd_lusers(Session& session, const IrcMessage&) { send_lusers(session); }

void Server::cmd_motd(Session& session, const IrcMessage&) { send_motd(session); }

void Server::cmd_version(Session& session, const IrcMessage&) {
  reply(session, numeric::kVersion, {kVersionText, options_.name, "sfs chat server"});
  reply(session, numeric::kISupport, {"CASEMAPPING=rfc1459", "CHANTYPES=#&", "PREFIX=(ov)@+",
                                      "are supported by this server"});
}

void Server::cmd_time(Session& session, const IrcMessage&) {
  std::time_t now = std::time(nullptr);
  char text[64];
  std::strftime(text, sizeof(text), "%A %B %d %Y -- %H:%M:%S UTC", std::gmtime(&now));
  reply(session, numeric::kTime, {options_.name, text});
}

// ---- MODE ----

void Server::cmd_mode(Session& session, const IrcMessage& message) {
  const std::string& target = message.params[0];
  if (is_channel_name(target)) {
    Channel* channel = find_channel(target);
    if (!channel) {
      reply(session, numeric::kNoSuchChannel, {sanitize_param(target), "No such channel"});
      return;
    }
    channel_mode(session, *channel, message);
    return;
  }
  user_mode(session, message);
}

void Server::user_mode(Session& session, const IrcMessage& message) {
  const std::string& target = message.params[0];
  if (!irc_equal(target, session.nick())) {
    if (!find_nick(target)) {
      reply(session, numeric::kNoSuchNick, {sanitize_param(target), "No such nick/channel"});
    } else {
      reply(session, numeric::kUsersDontMatch, {"Cannot change mode for other users"});
    }
    return;
  }
  auto current = [&] {
    std::string modes = "+";
    if (session.invisible) modes += 'i';
    if (session.wallops) modes += 'w';
    return modes;
  };
  if (message.params.size() < 2) {
    reply(session, numeric::kUModeIs, {current()});
    return;
  }
  bool adding = true;
  bool unknown = false;
  std::string applied;
  char applied_sign = 0;
  for (char c : message.params[1]) {
    if (c == '+' || c == '-') {
      adding = c == '+';
      continue;
    }
    bool* flag = c == 'i' ? &session.invisible : c == 'w' ? &session.wallops : nullptr;
    if (!flag) {
      // +o cannot be given to oneself, and -o/+r/... are ignored like ngircd and ircd do;
      // anything else is unknown.
      if (c != 'o' && c != 'O' && c != 'r') unknown = true;
      continue;
    }
    if (*flag == adding) continue;
    *flag = adding;
    char sign = adding ? '+' : '-';
    if (sign != applied_sign) {
      applied += sign;
      applied_sign = sign;
    }
    applied += c;
  }
  if (unknown) reply(session, numeric::kUModeUnknownFlag, {"Unknown MODE flag"});
  if (!applied.empty()) {
    session.send_line(relay_line(session.nick(), "MODE", {session.nick()}, &applied));
  }
}

}  // namespace sfs::chat
