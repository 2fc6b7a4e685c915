// Interop with more real clients than curl and Chromium, the way other users will try the server:
// ApacheBench (HTTP/1.0, with and without keep-alive), wget, Python's http.client and urllib,
// curl in its HTTP/1.0, --compressed, proxy (absolute-form) and bodiless-POST modes, and h2load in
// HTTP/1.1 mode with pipelining. Each runs against `sfs http serve` and `sfs http todo-api`
// started on free loopback ports and stopped by the test. A missing client skips its test
// locally and fails under CI (they are in tests/apt-packages).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "core/file.h"
#include "core/process.h"
#include "core/strings.h"
#include "core/testing/testing.h"

namespace sfs::http {
namespace {

namespace t = core::testing;

core::CapturedRun run(std::vector<std::string> args, int timeout_ms = 60000) {
  auto result = core::run_and_capture(args, "", timeout_ms);
  EXPECT_TRUE(result.is_ok()) << result.status().to_string();
  return result.is_ok() ? *result : core::CapturedRun{-1, ""};
}

// The value after "Label:" on its line of a report (ab, h2load), trimmed; "" when absent.
std::string report_field(const std::string& output, std::string_view label) {
  size_t at = output.find(label);
  if (at == std::string::npos) return "";
  size_t start = at + label.size();
  size_t end = output.find('\n', start);
  return std::string(core::trim(std::string_view(output).substr(start, end - start)));
}

class HttpClientsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() + "/site";
    ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((root_ + "/docs").c_str(), 0755), 0);
    ASSERT_TRUE(core::write_file(root_ + "/index.html", "<p>home</p>\n").is_ok());
    ASSERT_TRUE(core::write_file(root_ + "/docs/index.html", "docs\n").is_ok());
    ASSERT_TRUE(core::write_file(root_ + "/c++ notes.txt", "plus\n").is_ok());
    big_.resize(300 * 1024 + 5);
    for (size_t i = 0; i < big_.size(); ++i) big_[i] = static_cast<char>('a' + (i * 31) % 26);
    ASSERT_TRUE(core::write_file(root_ + "/big.bin", big_).is_ok());
    static_port_ = t::free_port();
    auto files = t::ServerProcess::start(
        {t::sfs_binary(), "http", "serve", root_, "--port", std::to_string(static_port_)}, static_port_);
    ASSERT_TRUE(files.is_ok()) << files.status().to_string();
    files_ = std::make_unique<t::ServerProcess>(std::move(*files));
    api_port_ = t::free_port();
    auto api = t::ServerProcess::start(
        {t::sfs_binary(), "http", "todo-api", "--port", std::to_string(api_port_)}, api_port_);
    ASSERT_TRUE(api.is_ok()) << api.status().to_string();
    api_ = std::make_unique<t::ServerProcess>(std::move(*api));
    files_url_ = "http://127.0.0.1:" + std::to_string(static_port_);
    api_url_ = "http://127.0.0.1:" + std::to_string(api_port_);
  }
  void TearDown() override {
    for (auto* server : {&files_, &api_}) {
      if (!*server) continue;
      std::string log = (*server)->stop();
      EXPECT_EQ((*server)->exit_code(), 0) << log.substr(0, 2000);
    }
  }
  // Adds a todo with curl so the API has something to serve.
  void add_todo(std::string_view title) {
    auto r = run({"curl", "-sS", "-H", "Content-Type: application/json", "-d",
                  "{\"title\":\"" + std::string(title) + "\"}", api_url_ + "/todos"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  t::TempDir dir_;
  std::string root_, big_, files_url_, api_url_;
  uint16_t static_port_ = 0, api_port_ = 0;
  std::unique_ptr<t::ServerProcess> files_, api_;
};

// ab speaks HTTP/1.0: a close per request without -k; with -k it sends Connection: Keep-Alive and
// counts the responses that promise keep-alive (and must carry a Content-Length).
TEST_F(HttpClientsTest, ApacheBench) {
  if (!t::have_program("ab")) SFS_SKIP_UNLESS_CI("ab is not installed (apache2-utils)");
  if (!t::have_program("curl")) SFS_SKIP_UNLESS_CI("curl is not installed");
  auto r = run({"ab", "-n", "300", "-c", "4", files_url_ + "/index.html"});
  EXPECT_EQ(report_field(r.output, "Complete requests:"), "300") << r.output;
  EXPECT_EQ(report_field(r.output, "Failed requests:"), "0") << r.output;
  EXPECT_EQ(report_field(r.output, "Non-2xx responses:"), "") << r.output;
  EXPECT_EQ(report_field(r.output, "Keep-Alive requests:"), "") << r.output;  // none, none asked
  EXPECT_EQ(report_field(r.output, "Server Software:"), "sfs");

  r = run({"ab", "-k", "-n", "300", "-c", "4", files_url_ + "/big.bin"});
  EXPECT_EQ(report_field(r.output, "Complete requests:"), "300") << r.output;
  EXPECT_EQ(report_field(r.output, "Failed requests:"), "0") << r.output;
  EXPECT_EQ(report_field(r.output, "Keep-Alive requests:"), "300") << r.output;
  EXPECT_EQ(report_field(r.output, "Document Length:"), std::to_string(big_.size()) + " bytes");

  r = run({"ab", "-k", "-i", "-n", "100", "-c", "2", files_url_ + "/index.html"});  // HEAD
  EXPECT_EQ(report_field(r.output, "Failed requests:"), "0") << r.output;
  EXPECT_EQ(report_field(r.output, "Keep-Alive requests:"), "100") << r.output;

  add_todo("benchmark me");
  r = run({"ab", "-k", "-n", "300", "-c", "4", api_url_ + "/todos/1"});
  EXPECT_EQ(report_field(r.output, "Failed requests:"), "0") << r.output;
  EXPECT_EQ(report_field(r.output, "Non-2xx responses:"), "") << r.output;
  EXPECT_EQ(report_field(r.output, "Keep-Alive requests:"), "300") << r.output;
  // PUT with a body (ab -u), answered with the same JSON every time.
  ASSERT_TRUE(core::write_file(dir_.path() + "/put.json", R"({"title":"same","done":true})").is_ok());
  r = run({"ab", "-k", "-n", "100", "-c", "2", "-u", dir_.path() + "/put.json", "-T",
           "application/json", api_url_ + "/todos/1"});
  EXPECT_EQ(report_field(r.output, "Failed requests:"), "0") << r.output;
  EXPECT_EQ(report_field(r.output, "Non-2xx responses:"), "") << r.output;
  EXPECT_EQ(report_field(r.output, "Keep-Alive requests:"), "100") << r.output;
}

TEST_F(HttpClientsTest, Wget) {
  if (!t::have_program("wget")) SFS_SKIP_UNLESS_CI("wget is not installed");
  std::string out = dir_.path() + "/wget";
  ASSERT_EQ(::mkdir(out.c_str(), 0755), 0);
  auto r = run({"wget", "-S", "-P", out, files_url_ + "/big.bin"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("HTTP/1.1 200 OK"), std::string::npos) << r.output;
  EXPECT_EQ(*core::read_file(out + "/big.bin"), big_);
  // Resume (-c: Range bytes=N-) and timestamping (-N: If-Modified-Since -> 304).
  ASSERT_TRUE(core::write_file(out + "/big.bin", big_.substr(0, 1000)).is_ok());
  r = run({"wget", "-S", "-c", "-P", out, files_url_ + "/big.bin"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("206 Partial Content"), std::string::npos) << r.output;
  EXPECT_EQ(*core::read_file(out + "/big.bin"), big_);
  r = run({"wget", "-S", "-N", "-P", out + "/n", files_url_ + "/index.html"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = run({"wget", "-S", "-N", "-P", out + "/n", files_url_ + "/index.html"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("304 Not Modified"), std::string::npos) << r.output;
  // A directory redirect, a name with '+' and a space, and the API with a POST body.
  r = run({"wget", "-qO-", files_url_ + "/docs"});
  EXPECT_EQ(r.output, "docs\n");
  r = run({"wget", "-qO-", files_url_ + "/c++%20notes.txt"});
  EXPECT_EQ(r.output, "plus\n");
  r = run({"wget", "-qO-", "--header=Content-Type: application/json", "--post-data={\"title\":\"wget\"}",
           api_url_ + "/todos"});
  EXPECT_EQ(r.output, "{\"id\":1,\"title\":\"wget\",\"done\":false}\n");
  r = run({"wget", "-qO-", api_url_ + "/todos?q=wg"});
  EXPECT_EQ(r.output, "[{\"id\":1,\"title\":\"wget\",\"done\":false}]\n");
}

// Python's standard library (http.client keeps one connection; urllib follows redirects).
TEST_F(HttpClientsTest, PythonStandardLibrary) {
  if (!t::have_program("python3")) SFS_SKIP_UNLESS_CI("python3 is not installed");
  std::string script = dir_.path() + "/client.py";
  ASSERT_TRUE(core::write_file(script, R"PY(
import http.client, json, sys, urllib.request
files_port, api_port, big_size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])

def check(what, got, want):
    if got != want:
        print(f"{what}: got {got!r}, want {want!r}")
        sys.exit(1)

c = http.client.HTTPConnection("127.0.0.1", api_port, timeout=10)
c.request("POST", "/todos", body=json.dumps({"title": "tea & a+b"}),
          headers={"Content-Type": "application/json"})
r = c.getresponse()
check("POST status", r.status, 201)
check("Location", r.getheader("Location"), "/todos/1")
r.read()
sock = c.sock
c.request("GET", "/todos?q=a%2Bb")
r = c.getresponse()
check("search %2B", json.loads(r.read())[0]["title"], "tea & a+b")
c.request("GET", "/todos?q=tea+%26")
check("search + is space", json.loads(c.getresponse().read())[0]["id"], 1)
c.request("HEAD", "/todos/1")
r = c.getresponse()
check("HEAD status", r.status, 200)
check("HEAD body", r.read(), b"")
check("HEAD length", r.getheader("Content-Length"), "42")
c.request("OPTIONS", "/todos/1")
r = c.getresponse()
check("OPTIONS", (r.status, r.getheader("Allow"), r.getheader("Content-Length"), r.read()),
      (200, "GET, HEAD, PUT, PATCH, DELETE, OPTIONS", "0", b""))
c.request("POST", "/todos")  # no body at all: an empty body, so a JSON error rather than 411
r = c.getresponse()
check("bodiless POST", (r.status, b"empty" in r.read()), (400, True))
c.putrequest("PUT", "/todos/1")
c.putheader("Content-Type", "application/json")
c.putheader("Transfer-Encoding", "chunked")
c.endheaders()
for piece in [b'{"title":', b'"chunked"}']:
    c.send(b"%x\r\n%s\r\n" % (len(piece), piece))
c.send(b"0\r\n\r\n")
r = c.getresponse()
check("chunked PUT", r.read(), b'{"id":1,"title":"chunked","done":false}\n')
check("one connection throughout", c.sock is sock, True)
c.close()

base = f"http://127.0.0.1:{files_port}"
check("urllib +", urllib.request.urlopen(base + "/c++%20notes.txt").read(), b"plus\n")
r = urllib.request.urlopen(base + "/docs")
check("redirect", (r.url, r.read()), (base + "/docs/", b"docs\n"))
r = urllib.request.urlopen(urllib.request.Request(base + "/big.bin", headers={"Range": "bytes=-10"}))
check("suffix range", (r.status, r.headers["Content-Range"], len(r.read())),
      (206, f"bytes {big_size - 10}-{big_size - 1}/{big_size}", 10))
r = urllib.request.urlopen(urllib.request.Request(base + "/big.bin", headers={"Range": "bytes=0-1,5-6"}))
check("multiple ranges", (r.status, len(r.read())), (200, big_size))

class Http10(http.client.HTTPConnection):
    _http_vsn = 10
    _http_vsn_str = "HTTP/1.0"
c = Http10("127.0.0.1", files_port, timeout=10)
c.request("GET", "/")
r = c.getresponse()
check("HTTP/1.0", (r.status, r.getheader("Connection"), r.read()), (200, "close", b"<p>home</p>\n"))

# A request line of 4 MB, sent whole before reading: the 414 still arrives.
c = http.client.HTTPConnection("127.0.0.1", files_port, timeout=20)
c.request("GET", "/" + "u" * (4 << 20))
r = c.getresponse()
check("huge URI", (r.status, r.getheader("Connection")), (414, "close"))
print("PASS")
)PY").is_ok());
  auto r = run({"python3", script, std::to_string(static_port_), std::to_string(api_port_),
                std::to_string(big_.size())});
  EXPECT_EQ(r.output, "PASS\n");
  EXPECT_EQ(r.exit_code, 0);
}

TEST_F(HttpClientsTest, CurlModes) {
  if (!t::have_program("curl")) SFS_SKIP_UNLESS_CI("curl is not installed");
  // HTTP/1.0: closes unless keep-alive is asked for; with it, curl reuses the connection.
  auto r = run({"curl", "-sS", "-v", "--http1.0", files_url_ + "/", files_url_ + "/"});
  EXPECT_EQ(r.output.find("Re-using existing connection"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("< Connection: close"), std::string::npos) << r.output;
  r = run({"curl", "-sS", "-v", "--http1.0", "-H", "Connection: keep-alive", files_url_ + "/",
           files_url_ + "/"});
  EXPECT_NE(r.output.find("Re-using existing connection"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("< Connection: keep-alive"), std::string::npos) << r.output;
  // --compressed: we have no compression, so an identity body that curl takes as it is.
  std::string copy = dir_.path() + "/copy.bin";
  r = run({"curl", "-sS", "--compressed", "-D", "-", "-o", copy, files_url_ + "/big.bin"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output.find("Content-Encoding"), std::string::npos) << r.output;
  EXPECT_EQ(*core::read_file(copy), big_);
  // `curl -X POST URL` sends no length: an empty body, never 411.
  r = run({"curl", "-sS", "-X", "POST", "-w", " %{http_code}", api_url_ + "/todos"});
  EXPECT_EQ(r.output, "{\"error\":{\"status\":400,\"message\":\"request body is empty: expected JSON\"}}\n 400");
  r = run({"curl", "-sS", "-X", "POST", "-o", "/dev/null", "-w", "%{http_code}", files_url_ + "/"});
  EXPECT_EQ(r.output, "405");
  // Through curl as a proxy client: absolute-form targets.
  r = run({"curl", "-sS", "-x", files_url_, "http://example.test/c++%20notes.txt"});
  EXPECT_EQ(r.output, "plus\n");
  // OPTIONS * and HEAD.
  r = run({"curl", "-sS", "-i", "-X", "OPTIONS", "--request-target", "*", files_url_});
  EXPECT_NE(r.output.find("HTTP/1.1 200 OK"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Allow: GET, HEAD"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Content-Length: 0"), std::string::npos) << r.output;
  r = run({"curl", "-sS", "-I", api_url_ + "/ws/echo"});
  EXPECT_NE(r.output.find("HTTP/1.1 426 Upgrade Required"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Upgrade: websocket"), std::string::npos) << r.output;
}

// h2load (nghttp2) in HTTP/1.1 mode, 8 requests in flight per connection (pipelining).
TEST_F(HttpClientsTest, H2loadHttp11Pipelined) {
  if (!t::have_program("h2load")) SFS_SKIP_UNLESS_CI("h2load is not installed (nghttp2-client)");
  for (const std::string& url : {files_url_ + "/index.html", files_url_ + "/big.bin", api_url_ + "/health"}) {
    auto r = run({"h2load", "--h1", "-n", "800", "-c", "4", "-m", "8", url});
    EXPECT_NE(r.output.find("800 succeeded, 0 failed, 0 errored, 0 timeout"), std::string::npos)
        << url << "\n" << r.output;
    EXPECT_EQ(report_field(r.output, "status codes:"), "800 2xx, 0 3xx, 0 4xx, 0 5xx") << r.output;
  }
}

}  // namespace
}  // namespace sfs::http
