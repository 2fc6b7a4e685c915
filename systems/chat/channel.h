// Channel: a named group of sessions with its topic, modes, operators and ban list — the state
// behind JOIN, PART, TOPIC, NAMES, KICK, INVITE and channel MODE (RFC 2811 and 2812 section 3.2).
//
// Members are a hash map from Session* to their status bits (op, voice), so joins, parts and
// "is X on the channel" are O(1) even with 10,000 members, and fan-out walks the map once.
// The channel owns nothing: sessions belong to the Server, and a Channel only points at them;
// the Server removes a session from every channel before it destroys it (Server::detach_session).
//
// Modes (CHANMODES=b,k,l,imnst, PREFIX=(ov)@+):
//   i invite only   m moderated (only @/+ speak)   n no messages from outside   s secret
//   t only ops set the topic   k key   l user limit   b ban mask   o operator   v voice
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sfs::chat {

class Session;

// Glob match with '*' and '?' under the rfc1459 case mapping (ban masks, WHO masks).
bool mask_match(std::string_view mask, std::string_view text);

// Completes a ban mask the way servers do: "bob" -> "bob!*@*", "*@host" -> "*!*@host".
std::string normalize_mask(std::string_view mask);

class Channel {
 public:
  static constexpr uint8_t kOp = 1;
  static constexpr uint8_t kVoice = 2;

  explicit Channel(std::string name);

  const std::string& name() const { return name_; }
  std::time_t created() const { return created_; }

  // ---- Membership ----
  void add(Session* session, uint8_t status);
  void remove(Session* session);
  bool has(const Session* session) const;
  // Status bits of a member (0 for none, or not a member).
  uint8_t status(const Session* session) const;
  void set_status(Session* session, uint8_t bit, bool on);
  bool is_op(const Session* session) const { return status(session) & kOp; }
  size_t size() const { return members_.size(); }
  bool empty() const { return members_.empty(); }
  const std::unordered_map<Session*, uint8_t>& members() const { return members_; }
  // "@" for ops, "+" for voiced members, "" otherwise.
  static const char* prefix_for(uint8_t status);

  // ---- Topic ----
  const std::string& topic() const { return topic_; }
  const std::string& topic_setter() const { return topic_setter_; }
  std::time_t topic_time() const { return topic_time_; }
  void set_topic(std::string topic, std::string setter);

  // ---- Modes ----
  bool invite_only = false;     // +i
  bool moderated = false;       // +m
  bool no_external = true;      // +n (on for new channels, as most servers do)
  bool secret = false;          // +s
  bool topic_protected = true;  // +t (on for new channels)
  std::string key;              // +k ("" = none)
  size_t limit = 0;             // +l (0 = none)

  // "+nt" or "+klnt key 10" (with the key and limit; `show_key` false hides the key from
  // non-members, as servers do).
  std::string mode_string(bool show_key) const;

  // ---- Bans ----
  const std::vector<std::string>& bans() const { return bans_; }
  bool add_ban(std::string mask);     // false when already there
  bool remove_ban(std::string_view mask);
  // True when "nick!user@host" matches a ban mask.
  bool is_banned(std::string_view full_name) const;

 private:
  std::string name_;
  std::time_t created_;
  std::unordered_map<Session*, uint8_t> members_;
  std::string topic_;
  std::string topic_setter_;
  std::time_t topic_time_ = 0;
  std::vector<std::string> bans_;
};

}  // namespace sfs::chat
