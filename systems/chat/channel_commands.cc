// Channel command handlers (RFC 2812 section 3.2, RFC 2811): JOIN PART TOPIC NAMES LIST KICK
// INVITE and channel MODE. The state they change lives in Channel (channel.h).
#include <algorithm>

#include "core/strings.h"
#include "systems/chat/numerics.h"
#include "systems/chat/server.h"

namespace sfs::chat {
namespace {

constexpr size_t kTopicLength = 390;
constexpr size_t kKickLength = 390;
constexpr size_t kMaxModeParams = 4;
constexpr size_t kMaxBans = 100;
constexpr size_t kNamesLineBudget = 400;  // nick bytes per 353 line, well inside 512

}  // namespace

Channel* Server::find_channel_for(Session& session, std::string_view name, bool need_member) {
  Channel* channel = find_channel(name);
  if (!channel) {
    reply(session, numeric::kNoSuchChannel, {sanitize_param(name), "No such channel"});
    return nullptr;
  }
  if (need_member && !channel->has(&session)) {
    reply(session, numeric::kNotOnChannel, {channel->name(), "You're not on that channel"});
    return nullptr;
  }
  return channel;
}

// ---- JOIN / PART ----

void Server::cmd_join(Session& session, const IrcMessage& message) {
  if (message.params[0] == "0") {
    part_all(session);
    return;
  }
  std::vector<std::string_view> names = core::split(message.params[0], ',');
  std::vector<std::string_view> keys;
  if (message.params.size() >= 2) keys = core::split(message.params[1], ',');
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) continue;
    join_one(session, std::string(names[i]), i < keys.size() ? std::string(keys[i]) : "");
    if (session.closed() || session.closing()) return;
  }
}

void Server::join_one(Session& session, const std::string& name, const std::string& key) {
  if (!is_valid_channel(name) || !core::is_valid_utf8(name)) {
    reply(session, numeric::kNoSuchChannel, {sanitize_param(name), "No such channel"});
    return;
  }
  std::string lowered = irc_lower(name);
  auto it = channels_.find(lowered);
  Channel* channel = it == channels_.end() ? nullptr : it->second.get();
  if (channel && channel->has(&session)) return;  // already there: nothing happens
  if (session.channels.size() >= options_.max_channels) {
    reply(session, numeric::kTooManyChannels, {name, "You have joined too many channels"});
    return;
  }
  uint8_t status = 0;
  if (!channel) {
    auto created = std::make_unique<Channel>(name);
    channel = created.get();
    channels_.emplace(lowered, std::move(created));
    status = Channel::kOp;  // whoever creates a channel operates it
  } else {
    auto invite = std::find(session.invites.begin(), session.invites.end(), lowered);
    bool invited = invite != session.invites.end();
    if (channel->limit > 0 && channel->size() >= channel->limit && !invited) {
      reply(session, numeric::kChannelIsFull, {channel->name(), "Cannot join channel (+l)"});
      return;
    }
    if (channel->invite_only && !invited) {
      reply(session, numeric::kInviteOnlyChan, {channel->name(), "Cannot join channel (+i)"});
      return;
    }
    if (!channel->key.empty() && key != channel->key && !invited) {
      reply(session, numeric::kBadChannelKey, {channel->name(), "Cannot join channel (+k)"});
      return;
    }
    if (!invited && channel->is_banned(session.full_name())) {
      reply(session, numeric::kBannedFromChan, {channel->name(), "Cannot join channel (+b)"});
      return;
    }
    if (invited) session.invites.erase(invite);
  }
  channel->add(&session, status);
  session.channels.push_back(channel);
  std::string line = relay_line(session, "JOIN", {channel->name()});
  broadcast(*channel, line);
  if (!channel->topic().empty()) {
    reply(session, numeric::kTopic, {channel->name(), channel->topic()});
    reply(session, numeric::kTopicWhoTime,
          {channel->name(), channel->topic_setter(), std::to_string(channel->topic_time())});
  }
  send_names(session, *channel);
}

void Server::leave_channel(Session& session, Channel& channel) {
  channel.remove(&session);
  session.channels.erase(std::remove(session.channels.begin(), session.channels.end(), &channel),
                         session.channels.end());
  if (channel.empty()) channels_.erase(irc_lower(channel.name()));  // destroys `channel`
}

void Server::part_all(Session& session) {
  std::vector<Channel*> joined = session.channels;
  for (Channel* channel : joined) {
    std::string line = relay_line(session, "PART", {channel->name()});
    broadcast(*channel, line);
    leave_channel(session, *channel);
  }
}

void Server::cmd_part(Session& session, const IrcMessage& message) {
  const std::string* reason = message.params.size() >= 2 ? &message.params[1] : nullptr;
  for (std::string_view name : core::split(message.params[0], ',')) {
    if (name.empty()) continue;
    Channel* channel = find_channel_for(session, name, true);
    if (!channel) continue;
    std::string line = relay_line(session, "PART", {channel->name()}, reason);
    broadcast(*channel, line);
    leave_channel(session, *channel);
  }
}

// ---- TOPIC ----

void Server::cmd_topic(Session& session, const IrcMessage& message) {
  Channel* channel = find_channel_for(session, message.params[0], true);
  if (!channel) return;
  if (message.params.size() < 2) {
    if (channel->topic().empty()) {
      reply(session, numeric::kNoTopic, {channel->name(), "No topic is set"});
    } else {
      reply(session, numeric::kTopic, {channel->name(), channel->topic()});
      reply(session, numeric::kTopicWhoTime,
            {channel->name(), channel->topic_setter(), std::to_string(channel->topic_time())});
    }
    return;
  }
  if (channel->topic_protected && !channel->is_op(&session)) {
    reply(session, numeric::kChanOPrivsNeeded, {channel->name(), "You're not channel operator"});
    return;
  }
  std::string topic = message.params[1].substr(0, kTopicLength);
  channel->set_topic(topic, session.nick());
  broadcast(*channel, relay_line(session, "TOPIC", {channel->name()}, &topic));
}

// ---- NAMES / LIST ----

void Server::send_names(Session& session, const Channel& channel) {
  bool member = channel.has(&session);
  const char* kind = channel.secret ? "@" : "=";
  std::string nicks;
  for (const auto& [who, status] : channel.members()) {
    if (!member && who->invisible) continue;
    if (nicks.size() + who->nick().size() + 2 > kNamesLineBudget) {
      reply(session, numeric::kNamReply, {kind, channel.name(), nicks});
      nicks.clear();
    }
    if (!nicks.empty()) nicks += ' ';
    nicks += Channel::prefix_for(status);
    nicks += who->nick();
  }
  if (!nicks.empty()) reply(session, numeric::kNamReply, {kind, channel.name(), nicks});
  reply(session, numeric::kEndOfNames, {channel.name(), "End of NAMES list"});
}

void Server::cmd_names(Session& session, const IrcMessage& message) {
  if (message.params.empty() || message.params[0].empty()) {
    for (const auto& [key, channel] : channels_) {
      if (visible(*channel, session)) send_names(session, *channel);
    }
    reply(session, numeric::kEndOfNames, {"*", "End of NAMES list"});
    return;
  }
  for (std::string_view name : core::split(message.params[0], ',')) {
    Channel* channel = name.empty() ? nullptr : find_channel(name);
    if (channel && visible(*channel, session)) {
      send_names(session, *channel);
    } else {
      reply(session, numeric::kEndOfNames, {sanitize_param(name), "End of NAMES list"});
    }
  }
}

void Server::cmd_list(Session& session, const IrcMessage& message) {
  reply(session, numeric::kListStart, {"Channel", "Users  Name"});
  auto list_one = [&](const Channel& channel) {
    if (!visible(channel, session)) return;
    reply(session, numeric::kList,
          {channel.name(), std::to_string(channel.size()), channel.topic()});
  };
  if (!message.params.empty() && !message.params[0].empty()) {
    for (std::string_view name : core::split(message.params[0], ',')) {
      if (Channel* channel = name.empty() ? nullptr : find_channel(name)) list_one(*channel);
    }
  } else {
    for (const auto& [key, channel] : channels_) list_one(*channel);
  }
  reply(session, numeric::kListEnd, {"End of LIST"});
}

// ---- KICK / INVITE ----

void Server::cmd_kick(Session& session, const IrcMessage& message) {
  // KICK <channel>[,<channel>] <user>[,<user>] [:comment] — one channel for all users, or as
  // many channels as users, paired in order (RFC 2812 3.2.8).
  std::vector<std::string_view> names = core::split(message.params[0], ',');
  std::vector<std::string_view> users = core::split(message.params[1], ',');
  if (names.size() != 1 && names.size() != users.size()) {
    reply(session, numeric::kNeedMoreParams, {"KICK", "Not enough parameters"});
    return;
  }
  std::string comment =
      message.params.size() >= 3 && !message.params[2].empty() ? message.params[2].substr(0, kKickLength)
                                                               : session.nick();
  for (size_t i = 0; i < users.size(); ++i) {
    std::string_view name = names.size() == 1 ? names[0] : names[i];
    Channel* channel = find_channel_for(session, name, true);
    if (!channel) continue;
    if (!channel->is_op(&session)) {
      reply(session, numeric::kChanOPrivsNeeded, {channel->name(), "You're not channel operator"});
      continue;
    }
    Session* victim = find_nick(users[i]);
    if (!victim || !channel->has(victim)) {
      reply(session, numeric::kUserNotInChannel,
            {sanitize_param(users[i]), channel->name(), "They aren't on that channel"});
      continue;
    }
    broadcast(*channel, relay_line(session, "KICK", {channel->name(), victim->nick()}, &comment));
    leave_channel(*victim, *channel);
  }
}

void Server::cmd_invite(Session& session, const IrcMessage& message) {
  const std::string& nick = message.params[0];
  const std::string& name = message.params[1];
  Session* invitee = find_nick(nick);
  if (!invitee) {
    reply(session, numeric::kNoSuchNick, {sanitize_param(nick), "No such nick/channel"});
    return;
  }
  Channel* channel = find_channel(name);
  if (channel) {
    if (!channel->has(&session)) {
      reply(session, numeric::kNotOnChannel, {channel->name(), "You're not on that channel"});
      return;
    }
    if (channel->has(invitee)) {
      reply(session, numeric::kUserOnChannel, {invitee->nick(), channel->name(), "is already on channel"});
      return;
    }
    if (channel->invite_only && !channel->is_op(&session)) {
      reply(session, numeric::kChanOPrivsNeeded, {channel->name(), "You're not channel operator"});
      return;
    }
  }
  std::string channel_name = channel ? channel->name() : name;
  std::string lowered = irc_lower(channel_name);
  if (std::find(invitee->invites.begin(), invitee->invites.end(), lowered) == invitee->invites.end()) {
    if (invitee->invites.size() >= 20) invitee->invites.erase(invitee->invites.begin());
    invitee->invites.push_back(lowered);
  }
  reply(session, numeric::kInviting, {invitee->nick(), channel_name});
  invitee->send_line(relay_line(session, "INVITE", {invitee->nick()}, &channel_name));
  if (!invitee->away.empty()) reply(session, numeric::kAway, {invitee->nick(), invitee->away});
}

// ---- Channel MODE ----

void Server::channel_mode(Session& session, Channel& channel, const IrcMessage& message) {
  bool member = channel.has(&session);
  if (message.params.size() < 2) {
    reply(session, numeric::kChannelModeIs, {channel.name(), channel.mode_string(member)});
    reply(session, numeric::kCreationTime, {channel.name(), std::to_string(channel.created())});
    return;
  }
  const std::string& modes = message.params[1];
  // A bare ban-list query ("MODE #c b" / "+b" with no mask) is allowed for anyone.
  if (modes == "b" || modes == "+b") {
    if (message.params.size() < 3) {
      for (const std::string& ban : channel.bans()) {
        reply(session, numeric::kBanList, {channel.name(), ban, options_.name, "0"});
      }
      reply(session, numeric::kEndOfBanList, {channel.name(), "End of channel ban list"});
      return;
    }
  }
  if (!channel.is_op(&session)) {
    if (!member) {
      reply(session, numeric::kNotOnChannel, {channel.name(), "You're not on that channel"});
    } else {
      reply(session, numeric::kChanOPrivsNeeded, {channel.name(), "You're not channel operator"});
    }
    return;
  }
  size_t next_param = 2;
  auto take_param = [&]() -> const std::string* {
    if (next_param >= message.params.size()) return nullptr;
    return &message.params[next_param++];
  };
  bool adding = true;
  std::string applied_modes;
  std::vector<std::string> applied_params;
  char applied_sign = 0;
  size_t param_modes = 0;
  auto applied = [&](char mode, const std::string* param) {
    char sign = adding ? '+' : '-';
    if (sign != applied_sign) {
      applied_modes += sign;
      applied_sign = sign;
    }
    applied_modes += mode;
    if (param) applied_params.push_back(*param);
  };
  bool listed_bans = false;
  for (char mode : modes) {
    if (mode == '+' || mode == '-') {
      adding = mode == '+';
      continue;
    }
    bool takes_param = mode == 'o' || mode == 'v' || mode == 'b' || mode == 'k' ||
                       (mode == 'l' && adding);
    if (takes_param && ++param_modes > kMaxModeParams) break;
    switch (mode) {
      case 'i':
      case 'm':
      case 'n':
      case 's':
      case 't': {
        bool* flag = mode == 'i'   ? &channel.invite_only
                     : mode == 'm' ? &channel.moderated
                     : mode == 'n' ? &channel.no_external
                     : mode == 's' ? &channel.secret
                                   : &channel.topic_protected;
        if (*flag != adding) {
          *flag = adding;
          applied(mode, nullptr);
        }
        break;
      }
      case 'k': {
        const std::string* key = take_param();
        if (!key) {
          if (adding) reply(session, numeric::kNeedMoreParams, {"MODE", "Not enough parameters"});
          if (!adding && !channel.key.empty()) {
            channel.key.clear();
            static const std::string kStarKey = "*";
            applied('k', &kStarKey);
          }
          break;
        }
        if (adding) {
          bool bad = key->empty() || key->size() > 23 ||
                     key->find_first_of(std::string_view(" ,\x0b\x09", 4)) != std::string::npos;
          if (bad) {
            reply(session, numeric::kInvalidKey, {channel.name(), "Key is not well-formed"});
          } else if (!channel.key.empty()) {
            reply(session, numeric::kKeySet, {channel.name(), "Channel key already set"});
          } else {
            channel.key = *key;
            applied('k', key);
          }
        } else if (!channel.key.empty()) {
          channel.key.clear();
          applied('k', key);
        }
        break;
      }
      case 'l': {
        if (!adding) {
          if (channel.limit > 0) {
            channel.limit = 0;
            applied('l', nullptr);
          }
          break;
        }
        const std::string* text = take_param();
        std::optional<int64_t> limit = text ? core::parse_int64(*text) : std::nullopt;
        if (!text) {
          reply(session, numeric::kNeedMoreParams, {"MODE", "Not enough parameters"});
        } else if (limit && *limit > 0 && static_cast<size_t>(*limit) != channel.limit) {
          channel.limit = static_cast<size_t>(*limit);
          std::string shown = std::to_string(*limit);
          applied('l', &shown);
        }
        break;
      }
      case 'o':
      case 'v': {
        const std::string* nick = take_param();
        if (!nick) {
          reply(session, numeric::kNeedMoreParams, {"MODE", "Not enough parameters"});
          break;
        }
        Session* who = find_nick(*nick);
        if (!who) {
          reply(session, numeric::kNoSuchNick, {sanitize_param(*nick), "No such nick/channel"});
          break;
        }
        if (!channel.has(who)) {
          reply(session, numeric::kUserNotInChannel,
                {who->nick(), channel.name(), "They aren't on that channel"});
          break;
        }
        uint8_t bit = mode == 'o' ? Channel::kOp : Channel::kVoice;
        if (((channel.status(who) & bit) != 0) != adding) {
          channel.set_status(who, bit, adding);
          applied(mode, &who->nick());
        }
        break;
      }
      case 'b': {
        const std::string* mask = take_param();
        if (!mask) {
          if (!listed_bans) {
            for (const std::string& ban : channel.bans()) {
              reply(session, numeric::kBanList, {channel.name(), ban, options_.name, "0"});
            }
            reply(session, numeric::kEndOfBanList, {channel.name(), "End of channel ban list"});
            listed_bans = true;
          }
          break;
        }
        std::string normalized = normalize_mask(sanitize_param(*mask, 100));
        if (adding) {
          if (channel.bans().size() < kMaxBans && channel.add_ban(normalized)) {
            applied('b', &normalized);
          }
        } else if (channel.remove_ban(normalized)) {
          applied('b', &normalized);
        }
        break;
      }
      default: {
        std::string text(1, mode);
        reply(session, numeric::kUnknownMode,
              {sanitize_param(text), "is unknown mode char to me for " + channel.name()});
        break;
      }
    }
  }
  if (applied_modes.empty()) return;
  std::string line = ":" + session.full_name() + " MODE " + channel.name() + " " + applied_modes;
  for (const std::string& param : applied_params) line += " " + param;
  line += "\r\n";
  broadcast(channel, line);
}

}  // namespace sfs::chat
