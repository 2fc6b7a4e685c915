#include "core/lzf.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace sfs::core {
namespace {

std::string round_trip(const std::string& data) {
  std::string buffer(data.size() + data.size() / 16 + 64, '\0');
  size_t n = lzf_compress(data, buffer.data(), buffer.size());
  EXPECT_GT(n, 0u);
  auto back = lzf_decompress(std::string_view(buffer.data(), n), data.size());
  EXPECT_TRUE(back.is_ok()) << back.status().to_string();
  return back.is_ok() ? *back : "";
}

TEST(LzfTest, RoundTripsRepetitiveAndRandomData) {
  std::string repetitive;
  for (int i = 0; i < 5000; ++i) repetitive += "abcabcabd" + std::to_string(i % 13);
  EXPECT_EQ(round_trip(repetitive), repetitive);
  std::string zeros(100000, 'x');
  EXPECT_EQ(round_trip(zeros), zeros);
  std::mt19937 rng(42);
  std::string noise;
  for (int i = 0; i < 70000; ++i) noise.push_back(static_cast<char>(rng()));
  EXPECT_EQ(round_trip(noise), noise);
  for (size_t len = 1; len < 80; ++len) {
    std::string small = noise.substr(0, len) + noise.substr(0, len);
    EXPECT_EQ(round_trip(small), small) << len;
  }
}

TEST(LzfTest, CompressesRepetitiveData) {
  std::string data(10000, 'a');
  std::string out(data.size(), '\0');
  size_t n = lzf_compress(data, out.data(), data.size() - 1);
  EXPECT_GT(n, 0u);
  EXPECT_LT(n, 200u);
}

TEST(LzfTest, ReportsWhenOutputDoesNotFit) {
  std::string noise;
  std::mt19937 rng(7);
  for (int i = 0; i < 1000; ++i) noise.push_back(static_cast<char>(rng()));
  std::string out(noise.size(), '\0');
  EXPECT_EQ(lzf_compress(noise, out.data(), noise.size() - 1), 0u);
}

TEST(LzfTest, DecodesHandWrittenStream) {
  // "abc" literal, then a back reference of length 6 at offset 3: "abcabcabc".
  std::string stream = {2, 'a', 'b', 'c', static_cast<char>((4 << 5) | 0), 2};
  auto out = lzf_decompress(stream, 9);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ(*out, "abcabcabc");
}

TEST(LzfTest, RejectsCorruptStreams) {
  EXPECT_FALSE(lzf_decompress(std::string("\x05" "ab", 3), 6).is_ok());          // short literal
  EXPECT_FALSE(lzf_decompress(std::string("\x20\x05", 2), 3).is_ok());          // ref before start
  EXPECT_FALSE(lzf_decompress(std::string("\x01" "ab", 3), 5).is_ok());          // size mismatch
  EXPECT_FALSE(lzf_decompress(std::string("\x00" "a" "\xe0", 3), 20).is_ok());  // truncated
}

}  // namespace
}  // namespace sfs::core
