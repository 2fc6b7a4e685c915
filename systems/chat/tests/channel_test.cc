// Channel state (membership, status bits, modes, bans) and mask matching, without sockets.
#include "systems/chat/channel.h"

#include <gtest/gtest.h>

namespace sfs::chat {
namespace {

// Channel only stores Session pointers; these tests never dereference them.
Session* fake(uintptr_t n) { return reinterpret_cast<Session*>(n * 64); }

TEST(ChannelTest, Membership) {
  Channel channel("#sfs");
  EXPECT_TRUE(channel.empty());
  channel.add(fake(1), Channel::kOp);
  channel.add(fake(2), 0);
  EXPECT_EQ(channel.size(), 2u);
  EXPECT_TRUE(channel.has(fake(1)));
  EXPECT_TRUE(channel.is_op(fake(1)));
  EXPECT_FALSE(channel.is_op(fake(2)));
  channel.set_status(fake(2), Channel::kVoice, true);
  EXPECT_EQ(channel.status(fake(2)), Channel::kVoice);
  EXPECT_STREQ(Channel::prefix_for(channel.status(fake(2))), "+");
  EXPECT_STREQ(Channel::prefix_for(Channel::kOp | Channel::kVoice), "@");
  channel.set_status(fake(2), Channel::kVoice, false);
  EXPECT_EQ(channel.status(fake(2)), 0);
  channel.remove(fake(1));
  EXPECT_FALSE(channel.has(fake(1)));
  EXPECT_EQ(channel.status(fake(1)), 0);
  channel.set_status(fake(9), Channel::kOp, true);  // not a member: nothing happens
  EXPECT_FALSE(channel.has(fake(9)));
}

TEST(ChannelTest, ModeString) {
  Channel channel("#sfs");
  EXPECT_EQ(channel.mode_string(true), "+nt");
  channel.invite_only = true;
  channel.key = "secret";
  channel.limit = 10;
  channel.topic_protected = false;
  EXPECT_EQ(channel.mode_string(true), "+ikln secret 10");
  EXPECT_EQ(channel.mode_string(false), "+ikln * 10");
}

TEST(ChannelTest, Topic) {
  Channel channel("#sfs");
  channel.set_topic("welcome", "alice");
  EXPECT_EQ(channel.topic(), "welcome");
  EXPECT_EQ(channel.topic_setter(), "alice");
  EXPECT_GT(channel.topic_time(), 0);
}

TEST(ChannelTest, MaskMatch) {
  EXPECT_TRUE(mask_match("*", ""));
  EXPECT_TRUE(mask_match("*!*@*", "bob!b@127.0.0.1"));
  EXPECT_TRUE(mask_match("BOB!*@*", "bob!b@host"));  // case-insensitive
  EXPECT_TRUE(mask_match("b?b!*", "bob!x@y"));
  EXPECT_TRUE(mask_match("*@127.0.0.*", "a!b@127.0.0.1"));
  EXPECT_TRUE(mask_match("[x]*", "{X}yz"));  // rfc1459 mapping
  EXPECT_FALSE(mask_match("bob!*@*", "bobby!b@h"));
  EXPECT_FALSE(mask_match("?", ""));
  // Pathological masks stay fast (no exponential backtracking).
  EXPECT_FALSE(mask_match("*a*a*a*a*a*a*a*a*a*b", std::string(5000, 'a')));
}

TEST(ChannelTest, NormalizeMask) {
  EXPECT_EQ(normalize_mask("bob"), "bob!*@*");
  EXPECT_EQ(normalize_mask("*@host"), "*!*@host");
  EXPECT_EQ(normalize_mask("bob!u"), "bob!u@*");
  EXPECT_EQ(normalize_mask("a!b@c"), "a!b@c");
}

TEST(ChannelTest, Bans) {
  Channel channel("#sfs");
  EXPECT_TRUE(channel.add_ban("bob!*@*"));
  EXPECT_FALSE(channel.add_ban("BOB!*@*"));
  EXPECT_TRUE(channel.is_banned("bob!x@y"));
  EXPECT_FALSE(channel.is_banned("alice!x@y"));
  EXPECT_TRUE(channel.remove_ban("Bob!*@*"));
  EXPECT_FALSE(channel.remove_ban("bob!*@*"));
  EXPECT_FALSE(channel.is_banned("bob!x@y"));
}

}  // namespace
}  // namespace sfs::chat
