#include "core/crc64.h"

#include <gtest/gtest.h>

#include <string>

namespace sfs::core {
namespace {

TEST(Crc64Test, CheckValue) {
  // The published check value of CRC-64/Jones as Redis uses it (reflected, init 0, no xorout).
  EXPECT_EQ(crc64(0, std::string_view("123456789")), 0xe9c6d914c4b8d9caULL);
  EXPECT_EQ(crc64(0, std::string_view("")), 0u);
}

TEST(Crc64Test, IncrementalEqualsWhole) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 7 + 3));
  uint64_t whole = crc64(0, data);
  for (size_t cut : {0, 1, 7, 8, 9, 500, 999, 1000}) {
    uint64_t part = crc64(crc64(0, data.substr(0, cut)), data.substr(cut));
    EXPECT_EQ(part, whole) << "cut at " << cut;
  }
}

TEST(Crc64Test, SlicedMatchesBytewise) {
  // Odd lengths and offsets exercise both the 8-byte loop and the tail.
  std::string data = "The quick brown fox jumps over the lazy dog";
  uint64_t crc = 0;
  for (char c : data) crc = crc64(crc, &c, 1);
  EXPECT_EQ(crc, crc64(0, data));
}

}  // namespace
}  // namespace sfs::core
