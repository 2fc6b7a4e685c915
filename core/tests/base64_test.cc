// Base64 against the test vectors of RFC 4648 section 10, plus strict-decoding cases.
#include "core/base64.h"

#include <gtest/gtest.h>

#include "core/sha1.h"

namespace sfs::core {
namespace {

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded.is_ok()) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64Test, UrlAlphabet) {
  std::string bytes = "\xfb\xff\xbf";
  EXPECT_EQ(base64_encode(bytes), "+/+/");
  EXPECT_EQ(base64url_encode(bytes), "-_-_");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("f", true), "Zg==");
  EXPECT_EQ(*base64url_decode("Zg"), "f");
  EXPECT_EQ(*base64url_decode("-_-_"), bytes);
}

TEST(Base64Test, StrictDecoding) {
  EXPECT_FALSE(base64_decode("Zg=").is_ok());     // length not a multiple of 4
  EXPECT_FALSE(base64_decode("Z===").is_ok());    // too much padding
  EXPECT_FALSE(base64_decode("Zm9v\n").is_ok());  // whitespace
  EXPECT_FALSE(base64_decode("Zh==").is_ok());    // non-zero trailing bits
  EXPECT_FALSE(base64_decode("Zg=a").is_ok());    // padding in the middle
  EXPECT_FALSE(base64_decode("-_-_").is_ok());    // URL alphabet in standard base64
  EXPECT_FALSE(base64_decode("Zm9v*").is_ok());
}

TEST(Base64Test, BinaryRoundTrip) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= bytes.size(); n += 17) {
    auto decoded = base64_decode(base64_encode(bytes.substr(0, n)));
    ASSERT_TRUE(decoded.is_ok());
    EXPECT_EQ(*decoded, bytes.substr(0, n));
  }
}

TEST(Base64Test, WebSocketAcceptExample) {
  // RFC 6455 section 1.3: the accept key for the sample nonce.
  std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
  auto digest = sha1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
  EXPECT_EQ(base64_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), 20)),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

}  // namespace
}  // namespace sfs::core
