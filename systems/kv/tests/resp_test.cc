// RespParser (incremental multibulk and inline parsing, Redis's protocol errors), split_args and
// ReplyWriter (RESP2 and RESP3 forms).
#include "systems/kv/resp.h"

#include <gtest/gtest.h>

#include <cmath>

namespace sfs::kv {
namespace {

std::vector<std::string> parse_all(std::string_view input) {
  RespParser p;
  EXPECT_EQ(p.parse(input), RespParser::Result::kDone);
  EXPECT_EQ(p.consumed(), input.size());
  return std::vector<std::string>(p.args().begin(), p.args().end());
}

TEST(RespParserTest, ParsesMultibulk) {
  EXPECT_EQ(parse_all("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n"),
            (std::vector<std::string>{"SET", "k", "hello"}));
  EXPECT_EQ(parse_all("*1\r\n$0\r\n\r\n"), (std::vector<std::string>{""}));
  // Binary-safe: CR LF inside a bulk string.
  EXPECT_EQ(parse_all("*1\r\n$4\r\na\r\nb\r\n"), (std::vector<std::string>{"a\r\nb"}));
}

TEST(RespParserTest, ParsesByteByByte) {
  std::string input = "*2\r\n$4\r\nECHO\r\n$11\r\nhello world\r\n*1\r\n$4\r\nPING\r\n";
  RespParser p;
  std::string buffer;
  std::vector<std::vector<std::string>> requests;
  for (char ch : input) {
    buffer.push_back(ch);
    while (true) {
      auto r = p.parse(buffer);
      ASSERT_NE(r, RespParser::Result::kError);
      if (r == RespParser::Result::kNeedMore) break;
      requests.emplace_back(p.args().begin(), p.args().end());
      buffer.erase(0, p.consumed());
      p.reset();
    }
  }
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0], (std::vector<std::string>{"ECHO", "hello world"}));
  EXPECT_EQ(requests[1], (std::vector<std::string>{"PING"}));
  EXPECT_TRUE(buffer.empty());
}

TEST(RespParserTest, SurvivesBufferMovesBetweenCalls) {
  // The parser keeps offsets, not pointers: a different copy of the same bytes must work.
  RespParser p;
  std::string part = "*2\r\n$3\r\nGET\r\n$3\r\nke";
  EXPECT_EQ(p.parse(part), RespParser::Result::kNeedMore);
  std::string full = part + "y\r\n";
  EXPECT_EQ(p.parse(full), RespParser::Result::kDone);
  EXPECT_EQ(p.args()[1], "key");
}

TEST(RespParserTest, EmptyRequestsAreSkipped) {
  RespParser p;
  EXPECT_EQ(p.parse("*0\r\n"), RespParser::Result::kDone);
  EXPECT_TRUE(p.args().empty());
  p.reset();
  EXPECT_EQ(p.parse("*-1\r\n"), RespParser::Result::kDone);
  EXPECT_TRUE(p.args().empty());
  p.reset();
  EXPECT_EQ(p.parse("\r\n"), RespParser::Result::kDone);
  EXPECT_TRUE(p.args().empty());
}

TEST(RespParserTest, InlineCommands) {
  EXPECT_EQ(parse_all("SET k v\r\n"), (std::vector<std::string>{"SET", "k", "v"}));
  EXPECT_EQ(parse_all("  PING  \n"), (std::vector<std::string>{"PING"}));
  EXPECT_EQ(parse_all("SET k \"a b\\n\\x41\" 'it\\'s'\r\n"),
            (std::vector<std::string>{"SET", "k", "a b\nA", "it's"}));
}

TEST(RespParserTest, ProtocolErrorsMatchRedis) {
  auto error_of = [](std::string_view input) {
    RespParser p;
    EXPECT_EQ(p.parse(input), RespParser::Result::kError) << input;
    return p.error();
  };
  EXPECT_EQ(error_of("*x\r\n"), "Protocol error: invalid multibulk length");
  EXPECT_EQ(error_of("*2\r\n+ok\r\n"), "Protocol error: expected '$', got '+'");
  EXPECT_EQ(error_of("*1\r\n$-5\r\n"), "Protocol error: invalid bulk length");
  EXPECT_EQ(error_of("*1\r\n$999999999999\r\n"), "Protocol error: invalid bulk length");
  EXPECT_EQ(error_of("*1\r\n$abc\r\n"), "Protocol error: invalid bulk length");
  EXPECT_EQ(error_of("*99999999999\r\n"), "Protocol error: invalid multibulk length");
  EXPECT_EQ(error_of("SET \"unbalanced\r\n"), "Protocol error: unbalanced quotes in request");
  EXPECT_EQ(error_of(std::string(70000, 'a')), "Protocol error: too big inline request");
  EXPECT_EQ(error_of("*1" + std::string(70000, '1')), "Protocol error: too big mbulk count string");
}

TEST(RespParserTest, HugeAnnouncedBulkWaitsForData) {
  // A 100 MB bulk announced but not sent is simply "need more", never an allocation.
  RespParser p;
  EXPECT_EQ(p.parse("*1\r\n$100000000\r\nabc"), RespParser::Result::kNeedMore);
}

TEST(SplitArgsTest, QuotesAndEscapes) {
  std::vector<std::string> out;
  EXPECT_TRUE(split_args("a \"b c\" 'd e' \"\\x00\\t\"", &out));
  EXPECT_EQ(out, (std::vector<std::string>{"a", "b c", "d e", std::string("\0\t", 2)}));
  out.clear();
  EXPECT_FALSE(split_args("\"abc\"def", &out));
  EXPECT_FALSE(split_args("'abc", &out));
  out.clear();
  EXPECT_TRUE(split_args("", &out));
  EXPECT_TRUE(out.empty());
}

TEST(ReplyWriterTest, Resp2AndResp3Forms) {
  core::Buffer out;
  ReplyWriter w(&out);
  w.ok();
  w.integer(-5);
  w.bulk("hi");
  w.null();
  w.null_array();
  w.map(1);
  w.double_value(1.5);
  w.boolean(true);
  w.error("ERR bad\r\nthing");
  EXPECT_EQ(out.view(), "+OK\r\n:-5\r\n$2\r\nhi\r\n$-1\r\n*-1\r\n*2\r\n$3\r\n1.5\r\n:1\r\n-ERR bad  thing\r\n");
  out.clear();
  w.set_protocol(3);
  w.null();
  w.null_array();
  w.map(1);
  w.set(2);
  w.double_value(1.5);
  w.double_value(-INFINITY);
  w.boolean(false);
  w.verbatim("x");
  w.push(3);
  EXPECT_EQ(out.view(), "_\r\n_\r\n%1\r\n~2\r\n,1.5\r\n,-inf\r\n#f\r\n=5\r\ntxt:x\r\n>3\r\n");
}

TEST(FormatTest, DoublesAsRedis70) {
  EXPECT_EQ(format_double(1.5), "1.5");
  EXPECT_EQ(format_double(0.1), "0.10000000000000001");
  EXPECT_EQ(format_double(INFINITY), "inf");
  EXPECT_EQ(format_long_double(10.5L), "10.5");
  EXPECT_EQ(format_long_double(3.0L), "3");
  EXPECT_EQ(format_long_double(5.0e3L), "5000");
}

}  // namespace
}  // namespace sfs::kv
