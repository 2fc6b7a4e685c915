// Channel state and mask matching: see channel.h.
#include "systems/chat/channel.h"

#include <algorithm>

#include "systems/chat/chat.h"

namespace sfs::chat {

bool mask_match(std::string_view mask, std::string_view text) {
  // Iterative glob with one backtrack point (the last '*'): linear in practice, and no recursion
  // that a mask like "*a*a*a*a*b" could make exponential.
  size_t m = 0, t = 0;
  size_t star = std::string_view::npos, star_text = 0;
  while (t < text.size()) {
    if (m < mask.size() && (mask[m] == '?' || irc_lower_char(mask[m]) == irc_lower_char(text[t]))) {
      ++m;
      ++t;
    } else if (m < mask.size() && mask[m] == '*') {
      star = m++;
      star_text = t;
    } else if (star != std::string_view::npos) {
      m = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (m < mask.size() && mask[m] == '*') ++m;
  return m == mask.size();
}

std::string normalize_mask(std::string_view mask) {
  size_t bang = mask.find('!');
  size_t at = mask.find('@');
  std::string out;
  if (bang == std::string_view::npos && at == std::string_view::npos) {
    out = std::string(mask) + "!*@*";
  } else if (bang == std::string_view::npos) {
    out = "*!" + std::string(mask);
  } else if (at == std::string_view::npos) {
    out = std::string(mask) + "@*";
  } else {
    out = std::string(mask);
  }
  return out;
}

Channel::Channel(std::string name) : name_(std::move(name)), created_(std::time(nullptr)) {}

void Channel::add(Session* session, uint8_t status) { members_[session] = status; }

void Channel::remove(Session* session) { members_.erase(session); }

bool Channel::has(const Session* session) const {
  return members_.count(const_cast<Session*>(session)) > 0;
}

uint8_t Channel::status(const Session* session) const {
  auto it = members_.find(const_cast<Session*>(session));
  return it == members_.end() ? 0 : it->second;
}

void Channel::set_status(Session* session, uint8_t bit, bool on) {
  auto it = members_.find(session);
  if (it == members_.end()) return;
  if (on) {
    it->second |= bit;
  } else {
    it->second &= static_cast<uint8_t>(~bit);
  }
}

const char* Channel::prefix_for(uint8_t status) {
  if (status & kOp) return "@";
  if (status & kVoice) return "+";
  return "";
}

void Channel::set_topic(std::string topic, std::string setter) {
  topic_ = std::move(topic);
  topic_setter_ = std::move(setter);
  topic_time_ = std::time(nullptr);
}

std::string Channel::mode_string(bool show_key) const {
  std::string modes = "+";
  std::string args;
  if (invite_only) modes += 'i';
  if (!key.empty()) {
    modes += 'k';
    args += ' ';
    args += show_key ? key : "*";
  }
  if (limit > 0) {
    modes += 'l';
    args += ' ' + std::to_string(limit);
  }
  if (moderated) modes += 'm';
  if (no_external) modes += 'n';
  if (secret) modes += 's';
  if (topic_protected) modes += 't';
  return modes + args;
}

bool Channel::add_ban(std::string mask) {
  for (const std::string& ban : bans_) {
    if (irc_equal(ban, mask)) return false;
  }
  bans_.push_back(std::move(mask));
  return true;
}

bool Channel::remove_ban(std::string_view mask) {
  auto it = std::find_if(bans_.begin(), bans_.end(),
                         [&](const std::string& ban) { return irc_equal(ban, mask); });
  if (it == bans_.end()) return false;
  bans_.erase(it);
  return true;
}

bool Channel::is_banned(std::string_view full_name) const {
  return std::any_of(bans_.begin(), bans_.end(),
                     [&](const std::string& ban) { return mask_match(ban, full_name); });
}

}  // namespace sfs::chat
