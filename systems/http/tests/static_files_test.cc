// Static files over real sockets: index and redirects, MIME types, validators (304), ranges (206,
// 416, If-Range), sendfile of a large file, listings, and every way of trying to leave the root.
#include "systems/http/static_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "core/file.h"
#include "core/testing/testing.h"
#include "systems/http/tests/test_support.h"

namespace sfs::http {
namespace {

using testing::RawClient;
using testing::RawResponse;
using testing::TestServer;

class HttpStaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() + "/root";
    ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((root_ + "/docs").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((root_ + "/empty").c_str(), 0755), 0);
    ASSERT_TRUE(core::write_file(root_ + "/index.html", "<h1>home</h1>\n").is_ok());
    ASSERT_TRUE(core::write_file(root_ + "/docs/index.html", "docs").is_ok());
    ASSERT_TRUE(core::write_file(root_ + "/style.css", "body{}").is_ok());
    ASSERT_TRUE(core::write_file(root_ + "/digits.txt", "0123456789").is_ok());
    ASSERT_TRUE(core::write_file(root_ + "/.secret", "hidden").is_ok());
    ASSERT_TRUE(core::write_file(root_ + "/a b.txt", "spaced").is_ok());
    big_.resize(3 * 1024 * 1024);
    for (size_t i = 0; i < big_.size(); ++i) big_[i] = static_cast<char>('a' + (i * 7919) % 26);
    ASSERT_TRUE(core::write_file(root_ + "/big.bin", big_).is_ok());
    // Outside the root.
    ASSERT_TRUE(core::write_file(dir_.path() + "/outside.txt", "SECRET").is_ok());
    ASSERT_EQ(::symlink((dir_.path() + "/outside.txt").c_str(), (root_ + "/abs-link").c_str()), 0);
    ASSERT_EQ(::symlink("../outside.txt", (root_ + "/rel-link").c_str()), 0);
    ASSERT_EQ(::symlink("..", (root_ + "/up").c_str()), 0);
    ASSERT_EQ(::symlink("digits.txt", (root_ + "/inside-link").c_str()), 0);
  }

  Router router(StaticOptions options = {}) {
    Router r;
    r.get("/*", static_files(root_, options));
    return r;
  }

  RawResponse get(TestServer& server, const std::string& target, const std::string& extra = "",
                  const std::string& method = "GET") {
    RawClient client(server.port());
    EXPECT_TRUE(client.send(method + " " + target + " HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n"));
    return client.read_response(method == "HEAD");
  }

  core::testing::TempDir dir_;
  std::string root_;
  std::string big_;
};

TEST_F(HttpStaticFilesTest, IndexTypesAndRedirects) {
  TestServer server(router());
  auto r = get(server, "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<h1>home</h1>\n");
  EXPECT_EQ(r.headers.value("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(get(server, "/style.css").headers.value("content-type"), "text/css; charset=utf-8");
  r = get(server, "/docs?x=1");
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(r.headers.value("location"), "/docs/?x=1");
  EXPECT_EQ(get(server, "/docs/").body, "docs");
  EXPECT_EQ(get(server, "/a%20b.txt").body, "spaced");
  EXPECT_EQ(get(server, "/missing").status, 404);
  EXPECT_EQ(get(server, "/empty/").status, 403);  // exists, no index, no listing (as nginx)
  EXPECT_EQ(get(server, "/.secret").status, 404);
  EXPECT_EQ(get(server, "/inside-link").body, "0123456789");
  EXPECT_EQ(get(server, "/digits.txt", "", "POST").status, 405);  // no length: an empty body
  EXPECT_EQ(get(server, "/digits.txt", "Content-Length: 0\r\n", "POST").status, 405);
  r = get(server, "/digits.txt", "", "HEAD");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.value("content-length"), "10");
  EXPECT_EQ(r.body, "");
}

TEST_F(HttpStaticFilesTest, ConfinedToTheRoot) {
  TestServer server(router());
  // Lexical escapes are refused before touching the file system.
  for (const char* target : {"/../outside.txt", "/%2e%2e/outside.txt", "/docs/../../outside.txt",
                             "/%2E%2E%2Foutside.txt", "/docs/..%2f..%2foutside.txt"}) {
    auto r = get(server, target);
    EXPECT_NE(r.status, 200) << target;
    EXPECT_EQ(r.body.find("SECRET"), std::string::npos) << target;
  }
  // Symlinks that leave the root: the kernel refuses them under RESOLVE_BENEATH.
  for (const char* target : {"/abs-link", "/rel-link", "/up/outside.txt", "/up/root/digits.txt"}) {
    auto r = get(server, target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.body.find("SECRET"), std::string::npos) << target;
  }
  // ".." that stays inside is fine.
  EXPECT_EQ(get(server, "/docs/../digits.txt").body, "0123456789");
}

TEST_F(HttpStaticFilesTest, ConditionalRequests) {
  TestServer server(router());
  auto first = get(server, "/digits.txt");
  std::string etag(first.headers.value("etag"));
  std::string modified(first.headers.value("last-modified"));
  ASSERT_FALSE(etag.empty());
  ASSERT_FALSE(modified.empty());
  EXPECT_EQ(first.headers.value("cache-control"), "no-cache");
  auto r = get(server, "/digits.txt", "If-None-Match: " + etag + "\r\n");
  EXPECT_EQ(r.status, 304);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.headers.value("etag"), etag);
  EXPECT_EQ(get(server, "/digits.txt", "If-None-Match: \"other\", W/" + etag + "\r\n").status, 304);
  EXPECT_EQ(get(server, "/digits.txt", "If-None-Match: \"other\"\r\n").status, 200);
  EXPECT_EQ(get(server, "/digits.txt", "If-Modified-Since: " + modified + "\r\n").status, 304);
  EXPECT_EQ(get(server, "/digits.txt", "If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT\r\n").status, 200);
  // If-None-Match wins over If-Modified-Since, both ways (RFC 9110 section 13.2.2).
  EXPECT_EQ(get(server, "/digits.txt", "If-None-Match: \"x\"\r\nIf-Modified-Since: " + modified + "\r\n").status, 200);
  EXPECT_EQ(get(server, "/digits.txt", "If-None-Match: " + etag +
                                           "\r\nIf-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT\r\n").status, 304);
  EXPECT_EQ(get(server, "/digits.txt", "If-None-Match: *\r\n").status, 304);
  // A date that does not parse is ignored; the obsolete date forms are understood.
  EXPECT_EQ(get(server, "/digits.txt", "If-Modified-Since: yesterday\r\n").status, 200);
  EXPECT_EQ(get(server, "/digits.txt", "If-Modified-Since: Sunday, 06-Nov-94 08:49:37 GMT\r\n").status, 200);
  EXPECT_EQ(get(server, "/digits.txt", "If-Modified-Since: Sun Nov  6 08:49:37 1994\r\n").status, 200);
  // A date in the future is ignored (a client's wrong clock must not pin a stale copy).
  EXPECT_EQ(get(server, "/digits.txt", "If-Modified-Since: Fri Dec 31 23:59:59 2100\r\n").status, 200);
  EXPECT_EQ(get(server, "/digits.txt", "If-Modified-Since: Fri, 31 Dec 2100 23:59:59 GMT\r\n").status, 200);
  // HEAD is conditional too.
  EXPECT_EQ(get(server, "/digits.txt", "If-None-Match: " + etag + "\r\n", "HEAD").status, 304);
  // If-Match (strong comparison) and If-Unmodified-Since fail with 412; If-Match wins.
  EXPECT_EQ(get(server, "/digits.txt", "If-Match: " + etag + "\r\n").status, 200);
  EXPECT_EQ(get(server, "/digits.txt", "If-Match: *\r\n").status, 200);
  r = get(server, "/digits.txt", "If-Match: W/" + etag + "\r\n");
  EXPECT_EQ(r.status, 412);
  EXPECT_EQ(r.headers.value("etag"), etag);
  EXPECT_EQ(get(server, "/digits.txt", "If-Match: \"other\"\r\nIf-None-Match: " + etag + "\r\n").status, 412);
  EXPECT_EQ(get(server, "/digits.txt", "If-Unmodified-Since: Sat, 01 Jan 2000 00:00:00 GMT\r\n").status, 412);
  EXPECT_EQ(get(server, "/digits.txt", "If-Unmodified-Since: " + modified + "\r\n").status, 200);
  EXPECT_EQ(get(server, "/digits.txt", "If-Match: " + etag +
                                           "\r\nIf-Unmodified-Since: Sat, 01 Jan 2000 00:00:00 GMT\r\n").status, 200);
}

// Names with '+', spaces, '%' and UTF-8, asked for raw and percent-encoded: '+' in a path is a
// plus (only a query's '+' is a space), and a query string never changes which file is served.
TEST_F(HttpStaticFilesTest, PercentEncodedNames) {
  ASSERT_TRUE(core::write_file(root_ + "/c++ notes.txt", "plus").is_ok());
  ASSERT_TRUE(core::write_file(root_ + "/100%.txt", "percent").is_ok());
  ASSERT_TRUE(core::write_file(root_ + "/caf\xC3\xA9.txt", "utf8").is_ok());
  TestServer server(router());
  EXPECT_EQ(get(server, "/c++%20notes.txt").body, "plus");
  EXPECT_EQ(get(server, "/c%2B%2B%20notes.txt").body, "plus");
  EXPECT_EQ(get(server, "/c++%20notes.txt?q=a+b&x=%20").body, "plus");
  EXPECT_EQ(get(server, "/c++%20notes.txt?").body, "plus");
  EXPECT_EQ(get(server, "/c++ notes.txt").status, 400);  // a raw space is not a valid target
  EXPECT_EQ(get(server, "/c%20%20notes.txt").status, 404);  // '+' is not a space in a path
  EXPECT_EQ(get(server, "/100%25.txt").body, "percent");
  EXPECT_EQ(get(server, "/caf%C3%A9.txt").body, "utf8");
  EXPECT_EQ(get(server, "/caf%c3%a9.txt").body, "utf8");
  EXPECT_EQ(get(server, "/caf\xC3\xA9.txt").body, "utf8");  // raw UTF-8, as curl sends it
  EXPECT_EQ(get(server, "/%64igits.txt").body, "0123456789");
  EXPECT_EQ(get(server, "http://t/digits.txt?v=1").body, "0123456789");  // absolute-form
}

TEST_F(HttpStaticFilesTest, Ranges) {
  TestServer server(router());
  auto r = get(server, "/digits.txt", "Range: bytes=2-4\r\n");
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, "234");
  EXPECT_EQ(r.headers.value("content-range"), "bytes 2-4/10");
  EXPECT_EQ(get(server, "/digits.txt", "Range: bytes=7-\r\n").body, "789");
  EXPECT_EQ(get(server, "/digits.txt", "Range: bytes=-3\r\n").body, "789");
  EXPECT_EQ(get(server, "/digits.txt", "Range: bytes=5-100\r\n").body, "56789");
  r = get(server, "/digits.txt", "Range: bytes=10-\r\n");
  EXPECT_EQ(r.status, 416);
  EXPECT_EQ(r.headers.value("content-range"), "bytes */10");
  // A suffix longer than the file is the whole file, still as a 206; an empty suffix is a 416.
  r = get(server, "/digits.txt", "Range: bytes=-100\r\n");
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, "0123456789");
  EXPECT_EQ(r.headers.value("content-range"), "bytes 0-9/10");
  EXPECT_EQ(get(server, "/digits.txt", "Range: bytes=-0\r\n").status, 416);
  r = get(server, "/digits.txt", "Range: bytes=0-\r\n");
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.headers.value("content-range"), "bytes 0-9/10");
  EXPECT_EQ(get(server, "/digits.txt", "Range: bytes=9-9\r\n").body, "9");
  EXPECT_EQ(get(server, "/digits.txt", "Range: BYTES=1-1\r\n").body, "1");
  // Malformed or multiple ranges: the whole file with 200 (RFC 9110 section 14.2 lets a server
  // ignore Range), never 416 — even when some of the ranges are outside the file.
  EXPECT_EQ(get(server, "/digits.txt", "Range: bytes=4-2\r\n").status, 200);
  for (const char* ranges : {"bytes=0-1,3-4", "bytes=0-0, -1", "bytes=20-30,40-50", "bytes=-1,0-"}) {
    r = get(server, "/digits.txt", std::string("Range: ") + ranges + "\r\n");
    EXPECT_EQ(r.status, 200) << ranges;
    EXPECT_EQ(r.body, "0123456789") << ranges;
    EXPECT_EQ(r.headers.value("content-range"), "") << ranges;
  }
  EXPECT_EQ(get(server, "/digits.txt", "Range: lines=1-2\r\n").status, 200);
  EXPECT_EQ(get(server, "/digits.txt", "Range: bytes=x-y\r\n").status, 200);
  // An empty file has no bytes to range over: 200 with the empty body (as nginx), not 416.
  ASSERT_TRUE(core::write_file(root_ + "/empty.txt", "").is_ok());
  for (const char* range : {"bytes=0-0", "bytes=-5", "bytes=0-"}) {
    r = get(server, "/empty.txt", std::string("Range: ") + range + "\r\n");
    EXPECT_EQ(r.status, 200) << range;
    EXPECT_EQ(r.headers.value("content-length"), "0") << range;
  }
  // Range is defined for GET only; HEAD gets the 200 head (length of the whole file).
  r = get(server, "/digits.txt", "Range: bytes=2-4\r\n", "HEAD");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.value("content-length"), "10");
  EXPECT_EQ(r.headers.value("accept-ranges"), "bytes");
  // If-Range with the current validator honours the range; a stale one gets the whole file.
  std::string etag(get(server, "/digits.txt").headers.value("etag"));
  EXPECT_EQ(get(server, "/digits.txt", "Range: bytes=0-0\r\nIf-Range: " + etag + "\r\n").status, 206);
  EXPECT_EQ(get(server, "/digits.txt", "Range: bytes=0-0\r\nIf-Range: \"stale\"\r\n").status, 200);
  // A range of a big file goes through sendfile.
  r = get(server, "/big.bin", "Range: bytes=1000000-2999999\r\n");
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, big_.substr(1000000, 2000000));
}

TEST_F(HttpStaticFilesTest, LargeFilesPipelined) {
  TestServer server(router());
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\nGET /digits.txt HTTP/1.1\r\nHost: t\r\n\r\n"
                          "GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(client.read_response().body, big_);
  EXPECT_EQ(client.read_response().body, "0123456789");
  EXPECT_EQ(client.read_response().body, big_);
}

TEST_F(HttpStaticFilesTest, CachedFilesAreRevalidated) {
  TestServer server(router());
  ASSERT_TRUE(core::write_file(root_ + "/changing.txt", "v1").is_ok());
  EXPECT_EQ(get(server, "/changing.txt").body, "v1");
  EXPECT_EQ(get(server, "/changing.txt").body, "v1");  // from the cache
  ASSERT_TRUE(core::write_file(root_ + "/changing.txt", "version two").is_ok());
  std::string body;
  for (int i = 0; i < 60 && body != "version two"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    body = get(server, "/changing.txt").body;
  }
  EXPECT_EQ(body, "version two");  // seen within the cache's one-second validity
  ASSERT_EQ(::unlink((root_ + "/changing.txt").c_str()), 0);
  int status = 200;
  for (int i = 0; i < 60 && status != 404; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = get(server, "/changing.txt").status;
  }
  EXPECT_EQ(status, 404);
  // HEAD of a cached file: the length, no body.
  auto head = get(server, "/digits.txt", "", "HEAD");
  head = get(server, "/digits.txt", "", "HEAD");
  EXPECT_EQ(head.headers.value("content-length"), "10");
  EXPECT_EQ(head.body, "");
}

TEST_F(HttpStaticFilesTest, DirectoryListing) {
  StaticOptions options;
  options.directory_listing = true;
  TestServer server(router(options));
  ASSERT_TRUE(core::write_file(root_ + "/empty/<x>.txt", "x").is_ok());
  auto r = get(server, "/empty/");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("href=\"%3Cx%3E.txt\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("&lt;x&gt;.txt"), std::string::npos);
  EXPECT_EQ(r.body.find("<x>"), std::string::npos);
}

}  // namespace
}  // namespace sfs::http
