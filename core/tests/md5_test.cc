// MD5 against the test suite of RFC 1321 (appendix A.5), plus streaming in odd-sized pieces.
#include "core/md5.h"

#include <gtest/gtest.h>

#include <string>

namespace sfs::core {
namespace {

TEST(Md5Test, Rfc1321Vectors) {
  EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5_hex("a"), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(md5_hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(md5_hex("abcdefghijklmnopqrstuvwxyz"), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(md5_hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
            "d174ab98d277d9f5a5611c2c9f419d9f");
  EXPECT_EQ(md5_hex("1234567890123456789012345678901234567890123456789012345678901234567890"
                    "1234567890"),
            "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(Md5Test, StreamingMatchesOneShot) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 7 + 3));
  std::string expected = md5_hex(data);
  for (size_t piece : {1, 3, 55, 56, 63, 64, 65, 200}) {
    Md5 md5;
    for (size_t at = 0; at < data.size(); at += piece) md5.update(data.substr(at, piece));
    EXPECT_EQ(md5.hex_digest(), expected) << "piece size " << piece;
  }
}

TEST(Md5Test, BlockBoundaryLengths) {
  // Lengths around the padding boundary (55, 56, 64 bytes) exercise the one- and two-block pads.
  EXPECT_EQ(md5_hex(std::string(55, 'a')), "ef1772b6dff9a122358552954ad0df65");
  EXPECT_EQ(md5_hex(std::string(56, 'a')), "3b0c8ac703f828b04c6c197006d17218");
  EXPECT_EQ(md5_hex(std::string(64, 'a')), "014842d480b571495a4a0363793f7367");
}

TEST(Md5Test, ResetReuses) {
  Md5 md5;
  md5.update("junk");
  (void)md5.finish();
  md5.reset();
  md5.update("abc");
  EXPECT_EQ(md5.hex_digest(), "900150983cd24fb0d6963f7d28e17f72");
}

}  // namespace
}  // namespace sfs::core
