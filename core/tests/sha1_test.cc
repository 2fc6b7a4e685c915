// SHA-1 against the test vectors of RFC 3174 section 7.3 and FIPS 180 examples.
#include "core/sha1.h"

#include <gtest/gtest.h>

#include <string>

namespace sfs::core {
namespace {

TEST(Sha1Test, Rfc3174Vectors) {
  EXPECT_EQ(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  std::string million_a(1000000, 'a');
  EXPECT_EQ(sha1_hex(million_a), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  std::string repeated;
  for (int i = 0; i < 10; ++i) {
    repeated += "0123456701234567012345670123456701234567012345670123456701234567";
  }
  EXPECT_EQ(sha1_hex(repeated), "dea356a2cddd90c7a7ecedc5ebb563934f460452");
}

TEST(Sha1Test, EmptyAndBlockBoundaries) {
  EXPECT_EQ(sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  // 55, 56 and 64 bytes put the length field in the same block or force an extra one.
  EXPECT_EQ(sha1_hex(std::string(55, 'a')), "c1c8bbdc22796e28c0e15163d20899b65621d65a");
  EXPECT_EQ(sha1_hex(std::string(56, 'a')), "c2db330f6083854c99d4b5bfb6e8f29f201be699");
  EXPECT_EQ(sha1_hex(std::string(64, 'a')), "0098ba824b5c16427bd7a1122a5a442a25ec644d");
}

TEST(Sha1Test, IncrementalEqualsOneShot) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text.push_back(static_cast<char>(i * 7));
  for (size_t step : {1u, 3u, 63u, 64u, 65u, 200u}) {
    Sha1 hasher;
    for (size_t i = 0; i < text.size(); i += step) hasher.update(std::string_view(text).substr(i, step));
    EXPECT_EQ(hasher.finish(), sha1(text)) << "step " << step;
  }
}

}  // namespace
}  // namespace sfs::core
