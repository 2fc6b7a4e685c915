#include "formats/json/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

namespace sfs::json {
namespace {

Value parse_ok(std::string_view text) {
  core::Result<Value> value = parse(text);
  EXPECT_TRUE(value.is_ok()) << text << ": " << value.status().message();
  return value.is_ok() ? *value : Value();
}

std::string parse_error(std::string_view text) {
  core::Result<Value> value = parse(text);
  EXPECT_FALSE(value.is_ok()) << text;
  return value.is_ok() ? "" : value.status().message();
}

TEST(JsonTest, Scalars) {
  EXPECT_TRUE(parse_ok("null").is_null());
  EXPECT_EQ(parse_ok("true").as_bool(), true);
  EXPECT_EQ(parse_ok(" false ").as_bool(), false);
  EXPECT_EQ(parse_ok("\"hi\"").as_string(), "hi");
  EXPECT_EQ(parse_ok("-0").as_int(), 0);
  EXPECT_EQ(parse_ok("1.5").as_double(), 1.5);
}

TEST(JsonTest, Int64Extremes) {
  EXPECT_EQ(parse_ok("9223372036854775807").as_int(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(parse_ok("-9223372036854775808").as_int(), std::numeric_limits<int64_t>::min());
  Value big = parse_ok("9223372036854775808");  // one past: becomes a double
  EXPECT_TRUE(big.is_double());
  EXPECT_EQ(big.as_double(), 9223372036854775808.0);
  EXPECT_EQ(write(Value(std::numeric_limits<int64_t>::min())), "-9223372036854775808");
}

TEST(JsonTest, DoublesRoundTripExactly) {
  std::mt19937_64 random(7);
  for (int i = 0; i < 20000; ++i) {
    uint64_t bits = random();
    double d;
    std::memcpy(&d, &bits, sizeof(d));
    if (!std::isfinite(d)) continue;
    std::string text = write(Value(d));
    Value back = parse_ok(text);
    ASSERT_TRUE(back.is_double()) << text;
    double e = back.as_double();
    ASSERT_EQ(std::memcmp(&d, &e, sizeof(d)), 0) << text;
  }
  EXPECT_EQ(write(Value(0.1)), "0.1");
  EXPECT_EQ(write(Value(2.0)), "2.0");
  EXPECT_EQ(write(Value(1e300)), "1e+300");
  EXPECT_EQ(write(Value(std::nan(""))), "null");
}

TEST(JsonTest, HugeAndTinyNumbers) {
  EXPECT_NE(parse_error("1e400").find("out of range"), std::string::npos);
  EXPECT_EQ(parse_ok("1e-400").as_double(), 0.0);
  EXPECT_EQ(parse_ok("123456789012345678901234567890").as_double(), 1.2345678901234568e29);
}

TEST(JsonTest, Escapes) {
  Value v = parse_ok(R"("a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00")");
  EXPECT_EQ(v.as_string(), "a\"b\\c/d\b\f\n\r\tA\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  EXPECT_EQ(write(v), R"("a\"b\\c/d\b\f\n\r\tAé€😀")");
  WriteOptions ascii;
  ascii.ascii_only = true;
  EXPECT_EQ(write(v, ascii), R"("a\"b\\c/d\b\f\n\r\tA\u00e9\u20ac\ud83d\ude00")");
  EXPECT_EQ(write(Value(std::string("\x01\x1f", 2))), R"("\u0001\u001f")");
}

TEST(JsonTest, SurrogatesMustPair) {
  parse_error(R"("\ud800")");
  parse_error(R"("\udc00")");
  parse_error(R"("\ud800\u0041")");
  parse_error(R"("\ud800x")");
}

TEST(JsonTest, RejectsInvalidUtf8) {
  parse_error("\"\xc3\"");
  parse_error("\"\xc0\xaf\"");
  parse_error("\"\xed\xa0\x80\"");
  EXPECT_EQ(write(Value(std::string("a\xff" "b"))), "\"a\xEF\xBF\xBD" "b\"");
}

TEST(JsonTest, ObjectsKeepOrderAndAllowLookup) {
  Value v = parse_ok(R"({"b": 1, "a": [true, null, {"x": "y"}], "c": {}})");
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.as_object()[0].first, "b");
  EXPECT_EQ(v["a"][2]["x"].as_string(), "y");
  EXPECT_TRUE(v["missing"]["deeper"].is_null());
  EXPECT_TRUE(v["a"][99].is_null());
  EXPECT_EQ(write(v), R"({"b":1,"a":[true,null,{"x":"y"}],"c":{}})");
}

TEST(JsonTest, BuildAndPrettyPrint) {
  Value v = Object{{"name", "sfs"}, {"tags", Array{"a", 2, 3.5, false, nullptr}}, {"empty", Array{}}};
  v.set("name", "changed");
  v.set("added", Object{});
  WriteOptions pretty;
  pretty.indent = 2;
  EXPECT_EQ(write(v, pretty),
            "{\n  \"name\": \"changed\",\n  \"tags\": [\n    \"a\",\n    2,\n    3.5,\n"
            "    false,\n    null\n  ],\n  \"empty\": [],\n  \"added\": {}\n}");
  EXPECT_EQ(parse_ok(write(v, pretty)), v);
}

TEST(JsonTest, ErrorsNameLineAndColumn) {
  EXPECT_EQ(parse_error("{\n  \"a\": 1\n  \"b\": 2\n}"),
            "3:3: expected ',' or '}' after an object member, got '\"'");
  EXPECT_EQ(parse_error("[1, 2,]"), "1:7: expected a value, got ']'");
  EXPECT_EQ(parse_error(""), "1:1: expected a value, got end of input");
  EXPECT_EQ(parse_error("01"), "1:2: leading zero in number");
  EXPECT_EQ(parse_error("[1] x"), "1:5: unexpected 'x' after the JSON value");
  EXPECT_EQ(parse_error("\"abc"), "1:1: unterminated string");
  EXPECT_EQ(parse_error("tru"), "1:1: invalid literal near 't' (expected 'true')");
  EXPECT_EQ(parse_error("\"a\tb\""), "1:3: unescaped control character byte 0x09 in string");
}

TEST(JsonTest, DepthLimit) {
  std::string deep(100000, '[');
  EXPECT_NE(parse_error(deep).find("nesting deeper than 512"), std::string::npos);
  std::string ok = std::string(512, '[') + std::string(512, ']');
  EXPECT_TRUE(parse(ok).is_ok());
  ParseOptions shallow;
  shallow.max_depth = 2;
  EXPECT_FALSE(parse("[[[1]]]", shallow).is_ok());
  EXPECT_TRUE(parse("[[1]]", shallow).is_ok());
}

TEST(JsonTest, ByteOrderMarkIsSkipped) {
  EXPECT_TRUE(parse_ok("\xEF\xBB\xBF{}").is_object());
  parse_error("\xEF\xBB\xBF");
}

TEST(JsonTest, IntAndDoubleCompareByValue) {
  EXPECT_EQ(parse_ok("1"), parse_ok("1.0"));
  EXPECT_FALSE(parse_ok("1") == parse_ok("\"1\""));
}

}  // namespace
}  // namespace sfs::json
