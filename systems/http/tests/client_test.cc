// The client against our own server: keep-alive pooling, chunked bodies both ways, redirects,
// timeouts, HEAD, stale pooled connections, and URL parsing.
#include "systems/http/client.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/strings.h"

#include "systems/http/tests/test_support.h"

namespace sfs::http {
namespace {

using testing::TestServer;

Router client_router(core::EventLoop** loop) {
  Router router;
  router.any("/echo", [](Request& req, Response& res) {
    res.text(req.method + " " + req.body + (req.headers.has("transfer-encoding") ? " (chunked)" : ""));
    res.headers.set("X-Peer", req.peer);
    return core::Status::ok();
  });
  router.get("/stream", [](Request&, Response& res) {
    auto stream = res.start_stream();
    for (int i = 0; i < 100; ++i) stream->write("line " + std::to_string(i) + "\n");
    stream->end();
    return core::Status::ok();
  });
  router.any("/redirect/:code", [](Request& req, Response& res) {
    res.redirect("/echo", static_cast<int>(*core::parse_int64(req.param("code"))));
    return core::Status::ok();
  });
  router.get("/relative/a/b", [](Request&, Response& res) {
    res.redirect("../../echo", 302);
    return core::Status::ok();
  });
  router.get("/loop", [](Request&, Response& res) {
    res.redirect("/loop", 302);
    return core::Status::ok();
  });
  router.get("/hang", [loop](Request&, Response& res) {
    auto deferred = res.defer();
    (*loop)->run_after(core::Milliseconds(3000), [deferred] {
      Response late;
      late.text("late");
      deferred->send(std::move(late));
    });
    return core::Status::ok();
  });
  return router;
}

TEST(HttpClientTest, ParseUrl) {
  auto url = parse_url("http://example.test:8080/a/b?c=d#frag");
  ASSERT_TRUE(url.is_ok());
  EXPECT_EQ(url->host, "example.test");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->target, "/a/b?c=d");
  url = parse_url("http://[::1]/");
  ASSERT_TRUE(url.is_ok());
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->authority(), "[::1]");
  url = parse_url("HTTP://h?x=1");
  ASSERT_TRUE(url.is_ok());
  EXPECT_EQ(url->target, "/?x=1");
  EXPECT_EQ(parse_url("https://h/").status().code(), core::Code::kUnsupported);
  EXPECT_FALSE(parse_url("ftp://h/").is_ok());
  EXPECT_FALSE(parse_url("http://h:99999/").is_ok());
  EXPECT_FALSE(parse_url("http:///x").is_ok());
  EXPECT_FALSE(parse_url("/relative").is_ok());
  auto resolved = resolve_location(*parse_url("http://h/a/b/c?q"), "../d");
  EXPECT_EQ(resolved->target, "/a/d");
  EXPECT_EQ(resolve_location(*parse_url("http://h/a/b"), "./c/./e/..?x")->target, "/a/c/?x");
}

TEST(HttpClientTest, KeepAlivePooling) {
  core::EventLoop* loop = nullptr;
  TestServer server(client_router(&loop));
  loop = &server.loop();
  Client client;
  auto first = client.get(server.url("/echo"));
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  EXPECT_EQ(first->body, "GET ");
  EXPECT_FALSE(first->reused_connection);
  EXPECT_EQ(client.idle_connections(), 1u);
  auto second = client.post(server.url("/echo"), "data", "text/plain");
  ASSERT_TRUE(second.is_ok());
  EXPECT_EQ(second->body, "POST data");
  EXPECT_TRUE(second->reused_connection);
  EXPECT_EQ(first->headers.value("x-peer"), second->headers.value("x-peer"));  // same socket
  auto head = client.head(server.url("/echo"));
  ASSERT_TRUE(head.is_ok());
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(head->headers.value("content-length"), "5");  // "HEAD "
  EXPECT_TRUE(client.get(server.url("/echo"))->reused_connection);
}

TEST(HttpClientTest, ChunkedBothWays) {
  core::EventLoop* loop = nullptr;
  TestServer server(client_router(&loop));
  Client client;
  auto streamed = client.get(server.url("/stream"));
  ASSERT_TRUE(streamed.is_ok());
  EXPECT_EQ(streamed->headers.value("transfer-encoding"), "chunked");
  EXPECT_EQ(streamed->body.substr(0, 14), "line 0\nline 1\n");
  EXPECT_EQ(streamed->body.size(), 790u);
  ClientRequest request;
  request.method = "PUT";
  request.url = server.url("/echo");
  request.body = std::string(40000, 'q');
  request.chunked = true;
  auto uploaded = client.send(request);
  ASSERT_TRUE(uploaded.is_ok());
  EXPECT_EQ(uploaded->body, "PUT " + request.body + " (chunked)");
}

TEST(HttpClientTest, Redirects) {
  core::EventLoop* loop = nullptr;
  TestServer server(client_router(&loop));
  Client client;
  auto r = client.get(server.url("/redirect/301"));
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->redirects, 1);
  EXPECT_EQ(r->url, server.url("/echo"));
  EXPECT_EQ(client.post(server.url("/redirect/303"), "x")->body, "GET ");
  EXPECT_EQ(client.post(server.url("/redirect/307"), "x")->body, "POST x");
  EXPECT_EQ(client.post(server.url("/redirect/308"), "x")->body, "POST x");
  EXPECT_EQ(client.get(server.url("/relative/a/b"))->body, "GET ");
  EXPECT_EQ(client.get(server.url("/loop")).status().code(), core::Code::kLimitExceeded);
  Client no_follow(ClientOptions{.max_redirects = 0});
  EXPECT_EQ(no_follow.get(server.url("/redirect/302"))->status, 302);
}

TEST(HttpClientTest, TimeoutAndStalePooledConnections) {
  core::EventLoop* loop = nullptr;
  ServerOptions options;
  options.idle_timeout = core::Milliseconds(200);
  TestServer server(client_router(&loop), options);
  loop = &server.loop();
  Client client(ClientOptions{.timeout_ms = 300});
  auto slow = client.get(server.url("/hang"));
  EXPECT_EQ(slow.status().code(), core::Code::kTimeout);
  // A pooled connection the server closed while idle is replaced transparently.
  ASSERT_TRUE(client.get(server.url("/echo")).is_ok());
  EXPECT_EQ(client.idle_connections(), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  auto again = client.get(server.url("/echo"));
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  EXPECT_EQ(again->body, "GET ");
  EXPECT_FALSE(again->reused_connection);
}

TEST(HttpClientTest, ConnectionRefused) {
  uint16_t port = 0;
  {
    auto fd = core::tcp_listen("127.0.0.1", 0);
    ASSERT_TRUE(fd.is_ok());
    port = *core::local_port(fd->get());
  }
  Client client;
  EXPECT_FALSE(client.get("http://127.0.0.1:" + std::to_string(port) + "/").is_ok());
}

}  // namespace
}  // namespace sfs::http
