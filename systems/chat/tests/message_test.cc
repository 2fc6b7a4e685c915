// The IRC message parser, formatter, line splitter, case mapping and name rules.
#include <gtest/gtest.h>

#include "systems/chat/chat.h"
#include "systems/chat/line_reader.h"

namespace sfs::chat {
namespace {

TEST(MessageTest, ParsesPrefixCommandAndParams) {
  auto m = parse_message(":alice!al@127.0.0.1 PRIVMSG #sfs :hello there\r\n");
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_EQ(m->prefix, "alice!al@127.0.0.1");
  EXPECT_EQ(m->prefix_nick(), "alice");
  EXPECT_EQ(m->command, "PRIVMSG");
  EXPECT_EQ(m->params, (std::vector<std::string>{"#sfs", "hello there"}));
}

TEST(MessageTest, CommandIsUpperCasedAndNumericsKept) {
  auto m = parse_message("privmsg bob hi");
  ASSERT_TRUE(m.is_ok());
  EXPECT_EQ(m->command, "PRIVMSG");
  EXPECT_EQ(m->params, (std::vector<std::string>{"bob", "hi"}));
  auto n = parse_message(":srv 433 * bob :Nickname is already in use");
  ASSERT_TRUE(n.is_ok());
  EXPECT_EQ(n->command, "433");
  EXPECT_EQ(n->param(2), "Nickname is already in use");
  EXPECT_EQ(n->param(9), "");
}

TEST(MessageTest, TrailingParamEdgeCases) {
  auto empty = parse_message("TOPIC #c :");
  ASSERT_TRUE(empty.is_ok());
  EXPECT_EQ(empty->params, (std::vector<std::string>{"#c", ""}));
  auto colons = parse_message("PRIVMSG #c ::-) a:b");
  ASSERT_TRUE(colons.is_ok());
  EXPECT_EQ(colons->params[1], ":-) a:b");
  auto spaces = parse_message("  NICK    bob   ");
  ASSERT_TRUE(spaces.is_ok());
  EXPECT_EQ(spaces->params, (std::vector<std::string>{"bob"}));
}

TEST(MessageTest, FifteenthParamTakesTheRest) {
  auto m = parse_message("CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17");
  ASSERT_TRUE(m.is_ok());
  ASSERT_EQ(m->params.size(), 15u);
  EXPECT_EQ(m->params[14], "15 16 17");
}

TEST(MessageTest, TagsAreSkipped) {
  auto m = parse_message("@time=2023-01-01T00:00:00Z;msgid=x :srv NOTICE * :hi");
  ASSERT_TRUE(m.is_ok());
  EXPECT_EQ(m->prefix, "srv");
  EXPECT_EQ(m->command, "NOTICE");
}

TEST(MessageTest, RejectsMalformedLines) {
  EXPECT_FALSE(parse_message("").is_ok());
  EXPECT_FALSE(parse_message("   ").is_ok());
  EXPECT_FALSE(parse_message(":prefix-only").is_ok());
  EXPECT_FALSE(parse_message(": NICK x").is_ok());  // empty prefix
  EXPECT_FALSE(parse_message("12 x").is_ok());      // numerics are exactly three digits
  EXPECT_FALSE(parse_message("PRIV-MSG x").is_ok());
  EXPECT_FALSE(parse_message("\xff\xfe garbage").is_ok());
  EXPECT_FALSE(parse_message(std::string("NICK a\0b", 8)).is_ok());
  EXPECT_FALSE(parse_message("NICK a\rb").is_ok());
  auto status = parse_message("PRIV-MSG x").status();
  EXPECT_NE(status.message().find("PRIV-MSG"), std::string::npos);
}

TEST(MessageTest, FormatAddsColonOnlyWhenNeeded) {
  EXPECT_EQ(format_message({"", "NICK", {"bob"}}), "NICK bob\r\n");
  EXPECT_EQ(format_message({"a!b@c", "PRIVMSG", {"#sfs", "hi there"}}),
            ":a!b@c PRIVMSG #sfs :hi there\r\n");
  EXPECT_EQ(format_message({"", "TOPIC", {"#c", ""}}), "TOPIC #c :\r\n");
  EXPECT_EQ(format_message({"", "PRIVMSG", {"bob", ":)"}}), "PRIVMSG bob ::)\r\n");
  EXPECT_EQ(format_message({"", "PRIVMSG", {"bob", "hi"}}, true), "PRIVMSG bob :hi\r\n");
}

TEST(MessageTest, FormatNeverProducesTwoLines) {
  std::string wire = format_message({"", "PRIVMSG", {"bob", "one\r\nQUIT :two"}});
  EXPECT_EQ(wire, "PRIVMSG bob :one  QUIT :two\r\n");
  // A middle parameter cannot hold a space: it is made harmless.
  EXPECT_EQ(format_message({"", "MODE", {"#c b", "+o"}}), "MODE #c_b +o\r\n");
}

TEST(MessageTest, RoundTrip) {
  for (const char* line : {":n!u@h PRIVMSG #c :hello world", "PING :token", "MODE #c +kl key 10",
                           ":srv 353 me = #c :@a +b c", "JOIN #a,#b k1,k2"}) {
    auto first = parse_message(line);
    ASSERT_TRUE(first.is_ok()) << line;
    auto second = parse_message(format_message(*first));
    ASSERT_TRUE(second.is_ok()) << line;
    EXPECT_EQ(second->prefix, first->prefix);
    EXPECT_EQ(second->command, first->command);
    EXPECT_EQ(second->params, first->params) << line;
  }
}

TEST(MessageTest, NextLineSplitsOnAnyTerminator) {
  std::string_view line;
  size_t consumed = 0;
  EXPECT_EQ(next_line("NICK a\r\nUSER", 510, &line, &consumed), LineResult::kLine);
  EXPECT_EQ(line, "NICK a");
  EXPECT_EQ(consumed, 8u);
  EXPECT_EQ(next_line("NICK a\nX", 510, &line, &consumed), LineResult::kLine);
  EXPECT_EQ(consumed, 7u);
  EXPECT_EQ(next_line("NICK a\rX", 510, &line, &consumed), LineResult::kLine);
  EXPECT_EQ(consumed, 7u);
  EXPECT_EQ(next_line("NICK a", 510, &line, &consumed), LineResult::kNeedMore);
  EXPECT_EQ(next_line(std::string(600, 'x'), 510, &line, &consumed), LineResult::kTooLong);
  EXPECT_EQ(consumed, 600u);
  EXPECT_EQ(next_line(std::string(511, 'x') + "\r\nPING x\r\n", 510, &line, &consumed),
            LineResult::kTooLong);
  EXPECT_EQ(consumed, 513u);
}

TEST(MessageTest, LineReaderDropsAnOverlongLineAcrossReads) {
  LineReader reader(510);
  std::string_view line;
  size_t consumed = 0;
  std::string first(600, 'x');
  EXPECT_EQ(reader.next(first, &line, &consumed), LineReader::kTooLong);
  EXPECT_EQ(consumed, 600u);
  // The rest of that line, then a good one.
  std::string second = std::string(100, 'y') + "\r\nPING :ok\r\n";
  EXPECT_EQ(reader.next(second, &line, &consumed), LineReader::kLine);
  EXPECT_EQ(line, "");  // the dropped tail reads as an empty line
  std::string_view rest = std::string_view(second).substr(consumed);
  EXPECT_EQ(reader.next(rest, &line, &consumed), LineReader::kLine);
  EXPECT_EQ(line, "PING :ok");
}

TEST(MessageTest, Rfc1459CaseMapping) {
  EXPECT_EQ(irc_lower("Alice[]\\~"), "alice{}|^");
  EXPECT_TRUE(irc_equal("#SFS[x]", "#sfs{X}"));
  EXPECT_FALSE(irc_equal("abc", "abd"));
  EXPECT_FALSE(irc_equal("abc", "abcd"));
}

TEST(MessageTest, NickAndChannelRules) {
  EXPECT_TRUE(is_valid_nick("alice"));
  EXPECT_TRUE(is_valid_nick("[bot]_-1"));
  EXPECT_TRUE(is_valid_nick("`x|y^"));
  EXPECT_FALSE(is_valid_nick(""));
  EXPECT_FALSE(is_valid_nick("1abc"));
  EXPECT_FALSE(is_valid_nick("-abc"));
  EXPECT_FALSE(is_valid_nick("a b"));
  EXPECT_FALSE(is_valid_nick("a!b"));
  EXPECT_FALSE(is_valid_nick("\xc3\xa9t\xc3\xa9"));
  EXPECT_FALSE(is_valid_nick(std::string(31, 'a')));
  EXPECT_TRUE(is_valid_nick(std::string(30, 'a')));
  EXPECT_TRUE(is_valid_channel("#sfs"));
  EXPECT_TRUE(is_valid_channel("&local"));
  EXPECT_FALSE(is_valid_channel("#"));
  EXPECT_FALSE(is_valid_channel("sfs"));
  EXPECT_FALSE(is_valid_channel("#a,b"));
  EXPECT_FALSE(is_valid_channel("#a\x07"));
  EXPECT_FALSE(is_valid_channel("#a:b"));
  EXPECT_FALSE(is_valid_channel("#" + std::string(50, 'x')));
}

}  // namespace
}  // namespace sfs::chat
