#include "core/strings.h"

#include <gtest/gtest.h>

namespace sfs::core {
namespace {

TEST(StringsTest, ParseInt) {
  EXPECT_EQ(parse_int64("42"), 42);
  EXPECT_EQ(parse_int64("-9223372036854775808"), INT64_MIN);
  EXPECT_FALSE(parse_int64("9223372036854775808"));
  EXPECT_FALSE(parse_int64(""));
  EXPECT_FALSE(parse_int64("1x"));
  EXPECT_FALSE(parse_int64(" 1"));
  EXPECT_FALSE(parse_uint64("-1"));
  EXPECT_EQ(parse_uint64("18446744073709551615"), UINT64_MAX);
}

TEST(StringsTest, ParseDouble) {
  EXPECT_EQ(parse_double("1.5"), 1.5);
  EXPECT_EQ(parse_double("-2e3"), -2000.0);
  EXPECT_TRUE(parse_double("inf"));
  EXPECT_FALSE(parse_double("1.5x"));
  EXPECT_FALSE(parse_double(""));
}

TEST(StringsTest, SplitAndTrim) {
  auto pieces = split("a,,b", ',');
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_EQ(pieces[1], "");
  auto words = split_whitespace("  one\ttwo  three\n");
  ASSERT_EQ(words.size(), 3u);
  EXPECT_EQ(words[2], "three");
  EXPECT_EQ(trim(" \t x y \r\n"), "x y");
  EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
}

TEST(StringsTest, Case) {
  EXPECT_TRUE(iequals("PrivMsg", "PRIVMSG"));
  EXPECT_FALSE(iequals("a", "ab"));
  EXPECT_EQ(to_upper("nick"), "NICK");
  EXPECT_EQ(to_lower("NiCk"), "nick");
}

TEST(StringsTest, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9 \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xc3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  std::string out;
  append_utf8(&out, 0x1F600);
  EXPECT_EQ(out, "\xf0\x9f\x98\x80");
}

TEST(StringsTest, HexDigitValue) {
  EXPECT_EQ(hex_digit_value('0'), 0);
  EXPECT_EQ(hex_digit_value('9'), 9);
  EXPECT_EQ(hex_digit_value('a'), 10);
  EXPECT_EQ(hex_digit_value('F'), 15);
  EXPECT_EQ(hex_digit_value('g'), -1);
  EXPECT_EQ(hex_digit_value('/'), -1);
  EXPECT_EQ(hex_digit_value('\xff'), -1);
}

}  // namespace
}  // namespace sfs::core
