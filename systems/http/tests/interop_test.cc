// Interop with real peers: curl against `sfs http serve` and `sfs http todo-api`; our client and
// `sfs http get` against nginx; headless Chromium (Debian's, driven by playwright-core) loading a
// page, calling the REST API with fetch() and talking over a WebSocket. Every process started
// here listens on 127.0.0.1 and is stopped by the test.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "core/file.h"
#include "core/process.h"
#include "core/strings.h"
#include "core/testing/testing.h"
#include "formats/json/json.h"
#include "systems/http/client.h"

namespace sfs::http {
namespace {

namespace t = core::testing;

std::string port_string(uint16_t port) { return std::to_string(port); }

// Runs curl with `args`; returns its output (stdout and stderr interleaved) and exit code.
core::CapturedRun curl(std::vector<std::string> args) {
  args.insert(args.begin(), {"curl", "-sS", "--max-time", "20"});
  auto run = core::run_and_capture(args, "", 30000);
  EXPECT_TRUE(run.is_ok()) << run.status().to_string();
  return run.is_ok() ? *run : core::CapturedRun{-1, ""};
}

class HttpCurlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!t::have_program("curl")) SFS_SKIP_UNLESS_CI("curl is not installed (tests/apt-packages)");
    root_ = dir_.path();
    ASSERT_TRUE(core::write_file(root_ + "/index.html", "<p>home</p>\n").is_ok());
    ASSERT_TRUE(core::write_file(root_ + "/digits.txt", "0123456789").is_ok());
    big_.assign(2 * 1024 * 1024 + 17, 'b');
    ASSERT_TRUE(core::write_file(root_ + "/big.bin", big_).is_ok());
    port_ = t::free_port();
    socket_ = root_ + "/http.sock";
    auto server = t::ServerProcess::start({t::sfs_binary(), "http", "serve", root_, "--port",
                                           port_string(port_), "--unix", socket_}, port_);
    ASSERT_TRUE(server.is_ok()) << server.status().to_string();
    server_ = std::make_unique<t::ServerProcess>(std::move(*server));
    base_ = "http://127.0.0.1:" + port_string(port_);
  }
  void TearDown() override {
    if (server_) {
      std::string log = server_->stop();
      EXPECT_EQ(server_->exit_code(), 0) << log;
    }
  }

  t::TempDir dir_;
  std::string root_, socket_, base_, big_;
  uint16_t port_ = 0;
  std::unique_ptr<t::ServerProcess> server_;
};

TEST_F(HttpCurlTest, GetHeadAndKeepAlive) {
  auto run = curl({base_ + "/"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.output, "<p>home</p>\n");
  run = curl({"-I", base_ + "/digits.txt"});
  EXPECT_NE(run.output.find("HTTP/1.1 200 OK"), std::string::npos);
  EXPECT_NE(run.output.find("Content-Length: 10"), std::string::npos);
  // Several URLs in one curl run share one connection.
  run = curl({"-v", base_ + "/digits.txt", base_ + "/digits.txt", base_ + "/index.html"});
  EXPECT_EQ(core::split(run.output, '\n').size() > 3, true);
  EXPECT_NE(run.output.find("Re-using existing connection"), std::string::npos) << run.output;
  run = curl({"--http1.0", base_ + "/digits.txt"});
  EXPECT_EQ(run.output, "0123456789");
  // A big file (sendfile) arrives intact.
  run = curl({"-o", root_ + "/copy.bin", "-w", "%{http_code} %{size_download}", base_ + "/big.bin"});
  EXPECT_EQ(run.output, "200 " + std::to_string(big_.size()));
  EXPECT_EQ(*core::read_file(root_ + "/copy.bin"), big_);
}

TEST_F(HttpCurlTest, RangesAndConditionals) {
  EXPECT_EQ(curl({"-r", "3-5", base_ + "/digits.txt"}).output, "345");
  auto run = curl({"-r", "50-60", "-w", "%{http_code}", "-o", "/dev/null", base_ + "/digits.txt"});
  EXPECT_EQ(run.output, "416");
  // Resume a partial download.
  ASSERT_TRUE(core::write_file(root_ + "/part.bin", big_.substr(0, 1000)).is_ok());
  run = curl({"-C", "-", "-o", root_ + "/part.bin", base_ + "/big.bin"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(*core::read_file(root_ + "/part.bin"), big_);
  // -z: only if modified since the file's own time -> 304, no body.
  run = curl({"-z", root_ + "/digits.txt", "-w", "%{http_code}", base_ + "/digits.txt"});
  EXPECT_EQ(run.output, "304");
  run = curl({"-D", "-", "-o", "/dev/null", base_ + "/digits.txt"});
  size_t at = run.output.find("ETag: ");
  ASSERT_NE(at, std::string::npos);
  std::string etag(core::trim(run.output.substr(at + 6, run.output.find('\n', at) - at - 6)));
  run = curl({"-H", "If-None-Match: " + etag, "-w", "%{http_code}", base_ + "/digits.txt"});
  EXPECT_EQ(run.output, "304");
}

TEST_F(HttpCurlTest, EscapesAndErrors) {
  auto run = curl({"--path-as-is", "-w", "%{http_code}", "-o", "/dev/null", base_ + "/../../etc/passwd"});
  EXPECT_EQ(run.output, "400");
  run = curl({"--path-as-is", "-w", "%{http_code}", "-o", "/dev/null", base_ + "/%2e%2e/%2e%2e/etc/passwd"});
  EXPECT_EQ(run.output, "400");
  run = curl({"-w", "%{http_code}", "-o", "/dev/null", "-X", "DELETE", base_ + "/digits.txt"});
  EXPECT_EQ(run.output, "405");
  run = curl({"-w", "%{http_code}", "-o", "/dev/null", "-X", "BREW", base_ + "/"});
  EXPECT_EQ(run.output, "501");
}

TEST_F(HttpCurlTest, UnixSocket) {
  auto run = curl({"--unix-socket", socket_, "http://localhost/digits.txt"});
  EXPECT_EQ(run.output, "0123456789");
}

TEST(HttpCurlTodoTest, RestApiWithCurl) {
  if (!t::have_program("curl")) SFS_SKIP_UNLESS_CI("curl is not installed (tests/apt-packages)");
  uint16_t port = t::free_port();
  auto server = t::ServerProcess::start({t::sfs_binary(), "http", "todo-api", "--port", port_string(port)}, port);
  ASSERT_TRUE(server.is_ok()) << server.status().to_string();
  std::string base = "http://127.0.0.1:" + port_string(port);
  auto run = curl({"-i", "-H", "Content-Type: application/json", "-d", R"({"title":"buy milk"})", base + "/todos"});
  EXPECT_NE(run.output.find("HTTP/1.1 201 Created"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("Location: /todos/1"), std::string::npos);
  // Chunked upload and Expect: 100-continue.
  run = curl({"-H", "Content-Type: application/json", "-H", "Transfer-Encoding: chunked", "-d",
              R"({"title":"chunked"})", base + "/todos"});
  EXPECT_EQ(run.output, "{\"id\":2,\"title\":\"chunked\",\"done\":false}\n");
  run = curl({"-v", "-H", "Content-Type: application/json", "-H", "Expect: 100-continue", "-d",
              R"({"title":"expect"})", base + "/todos"});
  EXPECT_NE(run.output.find("HTTP/1.1 100 Continue"), std::string::npos) << run.output;
  run = curl({"-X", "PATCH", "-H", "Content-Type: application/json", "-d", R"({"done":true})", base + "/todos/1"});
  EXPECT_EQ(run.output, "{\"id\":1,\"title\":\"buy milk\",\"done\":true}\n");
  EXPECT_EQ(curl({base + "/todos?done=true"}).output, "[{\"id\":1,\"title\":\"buy milk\",\"done\":true}]\n");
  run = curl({"-w", "%{http_code}", "-X", "DELETE", base + "/todos/1"});
  EXPECT_EQ(run.output, "204");
  run = curl({"-w", " %{http_code}", base + "/todos/1"});
  EXPECT_EQ(run.output, "{\"error\":{\"status\":404,\"message\":\"no todo with id 1\"}}\n 404");
  // The streamed change feed: curl reads chunks as they come, until --max-time.
  run = curl({"-N", "--max-time", "1", base + "/todos/events"});
  EXPECT_NE(run.output.find("\"event\":\"hello\""), std::string::npos) << run.output;
  std::string log = server->stop();
  EXPECT_EQ(server->exit_code(), 0) << log;
}

// --- nginx as the server, our client as the client -------------------------------------------

class HttpNginxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    nginx_ = t::have_program("nginx") ? "nginx" : (core::file_exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "");
    if (nginx_.empty()) SFS_SKIP_UNLESS_CI("nginx is not installed (tests/apt-packages)");
    std::string prefix = dir_.path();
    ::chmod(prefix.c_str(), 0755);  // nginx's worker may run as another user
    ASSERT_EQ(::mkdir((prefix + "/www").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((prefix + "/tmp").c_str(), 0755), 0);
    ASSERT_TRUE(core::write_file(prefix + "/www/hello.txt", "hello from nginx\n").is_ok());
    big_.assign(1 << 20, 'n');
    ASSERT_TRUE(core::write_file(prefix + "/www/big.txt", big_).is_ok());
    port_ = t::free_port();
    std::string conf = prefix + "/nginx.conf";
    std::string text =
        "daemon off;\nworker_processes 1;\npid " + prefix + "/nginx.pid;\nerror_log " + prefix + "/error.log;\n"
        "events { worker_connections 256; }\n"
        "http {\n  access_log off;\n  default_type text/plain;\n"
        "  client_body_temp_path " + prefix + "/tmp;\n  proxy_temp_path " + prefix + "/tmp;\n"
        "  fastcgi_temp_path " + prefix + "/tmp;\n  uwsgi_temp_path " + prefix + "/tmp;\n"
        "  scgi_temp_path " + prefix + "/tmp;\n"
        "  server {\n    listen 127.0.0.1:" + port_string(port_) + ";\n    root " + prefix + "/www;\n"
        "    location = /moved { return 301 /hello.txt; }\n"
        "    location = /see-other { return 303 /hello.txt; }\n"
        "    location = /upload { client_max_body_size 10m; return 200 \"got it\\n\"; }\n"
        "    location /chunked/ { alias " + prefix + "/www/; sub_filter 'hello' 'HELLO'; sub_filter_types text/plain; }\n"
        "  }\n}\n";
    ASSERT_TRUE(core::write_file(conf, text).is_ok());
    auto server = t::ServerProcess::start({nginx_, "-p", prefix, "-c", conf, "-e", prefix + "/error.log"}, port_);
    ASSERT_TRUE(server.is_ok()) << server.status().to_string();
    server_ = std::make_unique<t::ServerProcess>(std::move(*server));
    base_ = "http://127.0.0.1:" + port_string(port_);
  }
  void TearDown() override {
    if (server_) server_->stop();
  }

  t::TempDir dir_;
  std::string nginx_, base_, big_;
  uint16_t port_ = 0;
  std::unique_ptr<t::ServerProcess> server_;
};

TEST_F(HttpNginxTest, ClientAgainstNginx) {
  Client client;
  auto r = client.get(base_ + "/hello.txt");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello from nginx\n");
  EXPECT_NE(r->headers.value("server").find("nginx"), std::string::npos);
  auto big = client.get(base_ + "/big.txt");
  ASSERT_TRUE(big.is_ok());
  EXPECT_EQ(big->body, big_);
  EXPECT_TRUE(big->reused_connection);  // nginx keeps the connection alive
  auto head = client.head(base_ + "/big.txt");
  ASSERT_TRUE(head.is_ok());
  EXPECT_EQ(head->headers.value("content-length"), std::to_string(big_.size()));
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(client.get(base_ + "/missing")->status, 404);
  // Redirects.
  auto moved = client.get(base_ + "/moved");
  ASSERT_TRUE(moved.is_ok());
  EXPECT_EQ(moved->body, "hello from nginx\n");
  EXPECT_EQ(moved->redirects, 1);
  EXPECT_EQ(client.post(base_ + "/see-other", "x")->body, "hello from nginx\n");
  // A chunked response (sub_filter changes the length, so nginx streams chunks).
  auto chunked = client.get(base_ + "/chunked/hello.txt");
  ASSERT_TRUE(chunked.is_ok());
  EXPECT_EQ(chunked->headers.value("transfer-encoding"), "chunked");
  EXPECT_EQ(chunked->body, "HELLO from nginx\n");
  // A chunked request body.
  ClientRequest upload;
  upload.method = "POST";
  upload.url = base_ + "/upload";
  upload.body = std::string(100000, 'u');
  upload.chunked = true;
  auto uploaded = client.send(upload);
  ASSERT_TRUE(uploaded.is_ok()) << uploaded.status().to_string();
  EXPECT_EQ(uploaded->body, "got it\n");
  EXPECT_EQ(client.get(base_ + "/hello.txt")->status, 200);
}

TEST_F(HttpNginxTest, CommandLineClientAgainstNginx) {
  auto run = core::run_and_capture({t::sfs_binary(), "http", "get", "-i", base_ + "/hello.txt"});
  ASSERT_TRUE(run.is_ok());
  EXPECT_EQ(run->exit_code, 0);
  EXPECT_EQ(run->output.substr(0, 17), "HTTP/1.1 200 OK\r\n");
  EXPECT_NE(run->output.find("\r\n\r\nhello from nginx\n"), std::string::npos);
  run = core::run_and_capture({t::sfs_binary(), "http", "get", "-L", base_ + "/moved"});
  EXPECT_EQ(run->output, "hello from nginx\n");
  run = core::run_and_capture({t::sfs_binary(), "http", "get", "-f", base_ + "/missing"});
  EXPECT_EQ(run->exit_code, 22);
  run = core::run_and_capture({t::sfs_binary(), "http", "head", base_ + "/hello.txt"});
  EXPECT_EQ(run->output, "");
  EXPECT_EQ(run->exit_code, 0);
}

// --- Chromium ---------------------------------------------------------------------------------

TEST(HttpBrowserTest, PageFetchAndWebSocketInChromium) {
  std::string node_dir = t::source_dir() + "/systems/http/tests/node";
  if (!core::file_exists("/usr/bin/chromium") || !t::have_program("node") ||
      !core::file_exists(node_dir + "/node_modules/playwright-core/package.json")) {
    SFS_SKIP_UNLESS_CI("needs /usr/bin/chromium, node and playwright-core (scripts/setup test)");
  }
  uint16_t page_port = t::free_port();
  auto page_server = t::ServerProcess::start({t::sfs_binary(), "http", "serve",
                                              t::source_dir() + "/systems/http/tests/browser",
                                              "--port", port_string(page_port)}, page_port);
  ASSERT_TRUE(page_server.is_ok()) << page_server.status().to_string();
  uint16_t api_port = t::free_port();
  auto api_server = t::ServerProcess::start({t::sfs_binary(), "http", "todo-api", "--port", port_string(api_port)}, api_port);
  ASSERT_TRUE(api_server.is_ok()) << api_server.status().to_string();
  t::TempDir profile;
  std::string url = "http://127.0.0.1:" + port_string(page_port) + "/?api=http://127.0.0.1:" + port_string(api_port);
  auto run = core::run_and_capture({"node", node_dir + "/browser_test.mjs", url, profile.path()}, "", 120000);
  ASSERT_TRUE(run.is_ok()) << run.status().to_string();
  EXPECT_EQ(run->exit_code, 0) << run->output;
  // The last line is the JSON report.
  std::string_view out = core::trim(run->output);
  auto report = json::parse(out.substr(out.rfind('\n') == std::string_view::npos ? 0 : out.rfind('\n') + 1));
  ASSERT_TRUE(report.is_ok()) << run->output;
  const json::Value& r = *report;
  EXPECT_EQ(r["status"].as_int(), 200);
  EXPECT_EQ(r["title"].as_string(), "sfs http browser test");
  EXPECT_EQ(r["color"].as_string(), "rgb(0, 128, 0)");  // the stylesheet loaded
  EXPECT_EQ(r["imageWidth"].as_int(), 16);              // the SVG loaded with its MIME type
  const json::Value& result = r["result"];
  EXPECT_TRUE(result["ok"].is_bool() && result["ok"].as_bool()) << run->output;
  EXPECT_EQ(result["created"]["status"].as_int(), 201);
  EXPECT_EQ(result["created"]["location"].as_string(), "/todos/1");
  EXPECT_TRUE(result["patched"]["done"].as_bool());
  EXPECT_EQ(result["list"].size(), 1u);
  EXPECT_EQ(result["missing"]["status"].as_int(), 404);
  EXPECT_EQ(result["deleted"].as_int(), 204);
  const json::Value& ws = result["ws"];
  ASSERT_EQ(ws["messages"].size(), 3u) << run->output;
  EXPECT_EQ(ws["messages"][0].as_string(), "héllo wörld");
  EXPECT_EQ(ws["messages"][1].as_string(), "0,1,2,255");
  EXPECT_EQ(ws["messages"][2].as_string(), "big text ok");
  EXPECT_EQ(ws["code"].as_int(), 1000);
  EXPECT_TRUE(ws["clean"].as_bool());
  api_server->stop();
  std::string log = page_server->stop();
  EXPECT_NE(log.find("\"GET /app.js HTTP/1.1\" 200"), std::string::npos) << log;
}

}  // namespace
}  // namespace sfs::http
