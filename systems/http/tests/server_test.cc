// The server over real loopback sockets: keep-alive, pipelining, HEAD, 100-continue, status codes,
// timeouts (slowloris), limits, streaming and deferred responses, graceful shutdown, Unix sockets.
#include <gtest/gtest.h>

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "core/strings.h"
#include "core/testing/testing.h"
#include "systems/http/http.h"
#include "systems/http/tests/test_support.h"

namespace sfs::http {
namespace {

using testing::RawClient;
using testing::TestServer;

Router demo_router() {
  Router router;
  router.get("/hello", [](Request&, Response& res) {
    res.text("hello\n");
    return core::Status::ok();
  });
  router.get("/echo-path/*", [](Request& req, Response& res) {
    res.text(std::string(req.param("*")));
    return core::Status::ok();
  });
  router.post("/echo", [](Request& req, Response& res) {
    res.text(req.body);
    return core::Status::ok();
  });
  router.get("/stream", [](Request&, Response& res) {
    auto stream = res.start_stream();
    stream->write("one,");
    stream->write("two,");
    stream->write("three");
    stream->end();
    return core::Status::ok();
  });
  return router;
}

TEST(HttpServerTest, KeepAliveAndPipelining) {
  TestServer server(demo_router());
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"
                          "GET /echo-path/a/b HTTP/1.1\r\nHost: t\r\n\r\n"
                          "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nbody"));
  auto r1 = client.read_response();
  auto r2 = client.read_response();
  auto r3 = client.read_response();
  EXPECT_EQ(r1.status, 200);
  EXPECT_EQ(r1.body, "hello\n");
  EXPECT_EQ(r2.body, "a/b");
  EXPECT_EQ(r3.body, "body");
  EXPECT_TRUE(r1.headers.has("date"));
  EXPECT_EQ(r1.headers.value("server"), "sfs");
  // Still open: one more request on the same connection.
  ASSERT_TRUE(client.send("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  auto r4 = client.read_response();
  EXPECT_EQ(r4.status, 200);
  EXPECT_EQ(r4.headers.value("connection"), "close");
  EXPECT_TRUE(client.wait_closed());
}

TEST(HttpServerTest, PipelinedRequestsSentByteByByte) {
  TestServer server(demo_router());
  RawClient client(server.port());
  std::string wire = "GET /hello HTTP/1.1\r\nHost: t\r\n\r\nPOST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  for (char c : wire) ASSERT_TRUE(client.send(std::string_view(&c, 1)));
  EXPECT_EQ(client.read_response().body, "hello\n");
  EXPECT_EQ(client.read_response().body, "abc");
}

TEST(HttpServerTest, HeadHasHeadersButNoBody) {
  TestServer server(demo_router());
  RawClient client(server.port());
  ASSERT_TRUE(client.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto head = client.read_response(true);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.headers.value("content-length"), "6");
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(client.read_response().body, "hello\n");  // no stray body bytes in between
}

TEST(HttpServerTest, ExpectContinue) {
  TestServer server(demo_router());
  RawClient client(server.port());
  ASSERT_TRUE(client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = client.read_response();
  EXPECT_EQ(interim.status, 100);
  ASSERT_TRUE(client.send("12345"));
  auto final_response = client.read_response();
  EXPECT_EQ(final_response.status, 200);
  EXPECT_EQ(final_response.body, "12345");

  RawClient other(server.port());
  ASSERT_TRUE(other.send("GET /hello HTTP/1.1\r\nHost: t\r\nExpect: teapot\r\n\r\n"));
  EXPECT_EQ(other.read_response().status, 417);
}

TEST(HttpServerTest, StatusCodes) {
  TestServer server(demo_router());
  struct Case {
    std::string wire;
    int status;
  };
  std::vector<Case> cases = {
      {"GET /nope HTTP/1.1\r\nHost: t\r\n\r\n", 404},
      {"DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n", 405},
      {"BREW /hello HTTP/1.1\r\nHost: t\r\n\r\n", 501},
      {"CONNECT t:80 HTTP/1.1\r\nHost: t\r\n\r\n", 501},
      {"GET /hello HTTP/2.0\r\nHost: t\r\n\r\n", 505},
      {"GET /hello HTTP/1.1\r\n\r\n", 400},
      {"GET /" + std::string(10000, 'x') + " HTTP/1.1\r\nHost: t\r\n\r\n", 414},
      {"GET /hello HTTP/1.1\r\nHost: t\r\nX: " + std::string(40000, 'x') + "\r\n\r\n", 431},
      {"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 999999999\r\n\r\n", 413},
      {"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
  };
  for (const Case& c : cases) {
    RawClient client(server.port());
    ASSERT_TRUE(client.send(c.wire));
    auto r = client.read_response();
    EXPECT_EQ(r.status, c.status) << c.wire.substr(0, 60);
    if (c.status == 405) {
      EXPECT_EQ(r.headers.value("allow"), "GET, HEAD, OPTIONS");
    }
    if (c.status >= 400 && c.status != 404 && c.status != 405) {
      // Framing errors end the connection: nothing after them can be trusted.
      EXPECT_EQ(r.headers.value("connection"), "close") << c.status;
      EXPECT_TRUE(client.wait_closed()) << c.status;
    }
  }
  RawClient client(server.port());
  // OPTIONS (RFC 9110 section 9.3.7): 200, Allow, and Content-Length: 0 for the empty body.
  ASSERT_TRUE(client.send("OPTIONS /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto options = client.read_response();
  EXPECT_EQ(options.status, 200);
  EXPECT_EQ(options.headers.value("allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(options.headers.value("content-length"), "0");
  ASSERT_TRUE(client.send("OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto server_wide = client.read_response();
  EXPECT_EQ(server_wide.status, 200);
  EXPECT_EQ(server_wide.headers.value("allow"), "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
  EXPECT_EQ(server_wide.headers.value("content-length"), "0");
  ASSERT_TRUE(client.send("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto not_found = client.read_response();
  EXPECT_EQ(not_found.headers.value("content-type"), "application/json");
  EXPECT_NE(not_found.body.find("\"status\":404"), std::string::npos);
}

TEST(HttpServerTest, Http10) {
  TestServer server(demo_router());
  RawClient client(server.port());
  // No Host needed; the answer is HTTP/1.1 (RFC 9110 section 6.2, as nginx) with 1.0 framing, and
  // the connection closes after it.
  ASSERT_TRUE(client.send("GET /hello HTTP/1.0\r\n\r\n"));
  auto r = client.read_response();
  EXPECT_EQ(r.version, 11);
  EXPECT_EQ(r.body, "hello\n");
  EXPECT_EQ(r.headers.value("connection"), "close");
  EXPECT_EQ(r.headers.value("content-length"), "6");
  EXPECT_TRUE(client.wait_closed());

  // Expect is ignored in HTTP/1.0 (RFC 9110 section 10.1.1): no 100, no 417.
  RawClient expect(server.port());
  ASSERT_TRUE(expect.send("POST /echo HTTP/1.0\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nhi"
                          "GET /x HTTP/1.0\r\n\r\n"));
  r = expect.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hi");
  EXPECT_TRUE(expect.wait_closed());  // the pipelined second request is not answered
  RawClient teapot(server.port());
  ASSERT_TRUE(teapot.send("GET /hello HTTP/1.0\r\nExpect: teapot\r\n\r\n"));
  EXPECT_EQ(teapot.read_response().status, 200);

  // Keep-alive only when asked for (any case, as ApacheBench's "Keep-Alive"), and said so.
  RawClient keep(server.port());
  ASSERT_TRUE(keep.send("GET /hello HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
  r = keep.read_response();
  EXPECT_EQ(r.headers.value("connection"), "keep-alive");
  ASSERT_TRUE(keep.send("HEAD /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  r = keep.read_response(true);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.value("connection"), "keep-alive");
  EXPECT_EQ(r.headers.value("content-length"), "6");
  ASSERT_TRUE(keep.send("GET /nope HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  r = keep.read_response();
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.headers.value("connection"), "keep-alive");
  ASSERT_TRUE(keep.send("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  // A streamed body to an HTTP/1.0 client is delimited by closing the connection.
  std::string rest = keep.read_until_close();
  EXPECT_NE(rest.find("\r\n\r\none,two,three"), std::string::npos) << rest;
}

// RFC 9112 section 6.3 rule 7: no Content-Length and no Transfer-Encoding means an empty body,
// whatever the method (`curl -X POST URL`); the connection stays usable.
TEST(HttpServerTest, RequestWithoutLengthHasAnEmptyBody) {
  TestServer server(demo_router());
  RawClient client(server.port());
  ASSERT_TRUE(client.send("POST /echo HTTP/1.1\r\nHost: t\r\n\r\n"
                          "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto r = client.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.headers.value("connection"), "");
  EXPECT_EQ(client.read_response().body, "hello\n");
  for (const char* method : {"PUT", "PATCH", "DELETE"}) {
    ASSERT_TRUE(client.send(std::string(method) + " /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
    EXPECT_EQ(client.read_response().status, 405) << method;  // routed, not refused for framing
  }
}

// Bare LF line ends (RFC 9112 section 2.2), as `printf 'GET / HTTP/1.1\nHost: x\n\n' | nc`
// sends; a bare CR is still a 400 that closes the connection.
TEST(HttpServerTest, BareLineFeedRequests) {
  TestServer server(demo_router());
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET /hello HTTP/1.1\nHost: x\n\nPOST /echo HTTP/1.1\nHost: x\n"
                          "Content-Length: 2\n\nok"));
  EXPECT_EQ(client.read_response().body, "hello\n");
  EXPECT_EQ(client.read_response().body, "ok");
  ASSERT_TRUE(client.send("GET /hello HTTP/1.1\nHost: x\rX: y\n\n"));
  auto r = client.read_response();
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(client.wait_closed());
}

// absolute-form targets (RFC 9112 section 3.2.2), as a client talking to a proxy sends them.
TEST(HttpServerTest, AbsoluteFormTarget) {
  Router router = demo_router();
  router.get("/host", [](Request& req, Response& res) {
    res.text(std::string(req.headers.value("host")) + " " + req.path + " " + req.query);
    return core::Status::ok();
  });
  TestServer server(std::move(router));
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET http://example.test:8080/host?a=1 HTTP/1.1\r\nHost: other\r\n\r\n"));
  EXPECT_EQ(client.read_response().body, "example.test:8080 /host a=1");
  ASSERT_TRUE(client.send("GET http://t/hello HTTP/1.0\r\n\r\n"));
  EXPECT_EQ(client.read_response().body, "hello\n");
}

// A request line far over the limit: 414 as soon as the limit is passed, and the connection
// closed — but only after the client, which (like Python's http.client) sends everything before it
// reads, has sent it all: the lingering close discards the rest instead of resetting the
// connection under the client. The same for a body over the limit that is sent anyway.
TEST(HttpServerTest, VeryLongUriGets414AndClose) {
  TestServer server(demo_router());
  RawClient client(server.port());
  std::string wire = "GET /" + std::string(8 << 20, 'u') + " HTTP/1.1\r\nHost: t\r\n\r\n";
  ASSERT_TRUE(client.send(wire));
  auto r = client.read_response();
  EXPECT_EQ(r.status, 414);
  EXPECT_EQ(r.headers.value("connection"), "close");
  EXPECT_TRUE(client.wait_closed());

  ServerOptions options;
  options.limits.max_body = 1 << 20;
  TestServer small(demo_router(), options);
  RawClient upload(small.port());
  ASSERT_TRUE(upload.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 8388608\r\n\r\n" +
                          std::string(8 << 20, 'b')));
  r = upload.read_response();
  EXPECT_EQ(r.status, 413);
  EXPECT_TRUE(upload.wait_closed());
}

TEST(HttpServerTest, ChunkedStreamingResponse) {
  TestServer server(demo_router());
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET /stream HTTP/1.1\r\nHost: t\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto r = client.read_response();
  EXPECT_EQ(r.headers.value("transfer-encoding"), "chunked");
  EXPECT_EQ(r.body, "one,two,three");
  EXPECT_EQ(client.read_response().body, "hello\n");
}

TEST(HttpServerTest, DeferredResponsesKeepPipelineOrder) {
  core::EventLoop* loop = nullptr;
  Router router;
  router.get("/later", [&loop](Request&, Response& res) {
    auto deferred = res.defer();
    loop->run_after(core::Milliseconds(100), [deferred] {
      Response later;
      later.text("later");
      deferred->send(std::move(later));
    });
    return core::Status::ok();
  });
  router.get("/now", [](Request&, Response& res) {
    res.text("now");
    return core::Status::ok();
  });
  TestServer server(std::move(router));
  loop = &server.loop();
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET /later HTTP/1.1\r\nHost: t\r\n\r\nGET /now HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(client.read_response().body, "later");
  EXPECT_EQ(client.read_response().body, "now");
}

TEST(HttpServerTest, StreamOutlivingItsClientIsToldSo) {
  core::EventLoop* loop = nullptr;
  auto closed = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<ResponseStream> kept;
  Router router;
  router.get("/events", [&](Request&, Response& res) {
    kept = res.start_stream();
    kept->write("first\n");
    kept->on_close([closed] { *closed = true; });
    return core::Status::ok();
  });
  TestServer server(std::move(router));
  loop = &server.loop();
  {
    RawClient client(server.port());
    ASSERT_TRUE(client.send("GET /events HTTP/1.1\r\nHost: t\r\n\r\n"));
    ASSERT_TRUE(client.fill(5000));
    EXPECT_NE(client.buffer().find("first"), std::string::npos);
  }
  for (int i = 0; i < 500 && !*closed; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(*closed);
  bool wrote = true;
  server.run_on_loop([&] { wrote = kept->write("more"); });
  EXPECT_FALSE(wrote);
  (void)loop;
}

TEST(HttpServerTest, SlowlorisGets408AndOthersAreServed) {
  ServerOptions options;
  options.header_timeout = core::Milliseconds(400);
  TestServer server(demo_router(), options);
  RawClient slow(server.port());
  ASSERT_TRUE(slow.send("GET /hello HTTP/1.1\r\nHost: t\r\n"));
  auto start = std::chrono::steady_clock::now();
  // Trickle a header byte every 50 ms: progress must not extend the header deadline.
  std::string trickle = "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  bool answered = false;
  for (char c : trickle) {
    // Meanwhile a well-behaved client is served.
    RawClient good(server.port());
    ASSERT_TRUE(good.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
    EXPECT_EQ(good.read_response().status, 200);
    if (!slow.send(std::string_view(&c, 1))) break;
    if (slow.fill(50)) {
      answered = true;
      break;
    }
  }
  ASSERT_TRUE(answered || slow.wait_closed(5000));
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_NE(slow.buffer().find("408"), std::string::npos) << slow.buffer();
  EXPECT_LT(elapsed, std::chrono::seconds(4));
  EXPECT_TRUE(slow.wait_closed(5000));
}

TEST(HttpServerTest, BodyTimeoutAndIdleTimeout) {
  ServerOptions options;
  options.body_timeout = core::Milliseconds(300);
  options.idle_timeout = core::Milliseconds(300);
  TestServer server(demo_router(), options);
  RawClient body(server.port());
  ASSERT_TRUE(body.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc"));
  auto r = body.read_response();
  EXPECT_EQ(r.status, 408);
  EXPECT_TRUE(body.wait_closed());

  RawClient idle(server.port());
  ASSERT_TRUE(idle.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(idle.read_response().status, 200);
  EXPECT_TRUE(idle.wait_closed(5000));  // closed quietly after idling
  EXPECT_EQ(idle.buffer(), "");
}

TEST(HttpServerTest, ClientThatDoesNotReadDoesNotBlockOthers) {
  Router router;
  std::string big(256 * 1024, 'x');
  router.get("/big", [&big](Request&, Response& res) {
    res.text(big);
    return core::Status::ok();
  });
  router.get("/hello", [](Request&, Response& res) {
    res.text("hello");
    return core::Status::ok();
  });
  TestServer server(std::move(router));
  RawClient hog(server.port());
  std::string many;
  for (int i = 0; i < 200; ++i) many += "GET /big HTTP/1.1\r\nHost: t\r\n\r\n";
  ASSERT_TRUE(hog.send(many));
  for (int i = 0; i < 5; ++i) {
    RawClient good(server.port());
    ASSERT_TRUE(good.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
    EXPECT_EQ(good.read_response().body, "hello");
  }
  // The hog still gets correct, complete responses once it reads.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(hog.read_response().body.size(), big.size());
}

TEST(HttpServerTest, GracefulShutdownFinishesInFlightRequests) {
  Router router;
  router.post("/echo", [](Request& req, Response& res) {
    res.text(req.body);
    return core::Status::ok();
  });
  TestServer server(std::move(router));
  RawClient idle(server.port());
  RawClient busy(server.port());
  ASSERT_TRUE(busy.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\n\r\nhal"));
  // Wait until both connections exist on the server.
  for (int i = 0; i < 200 && server.connections() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto done = server.shutdown();
  EXPECT_TRUE(idle.wait_closed(5000));  // idle connections close at once
  ASSERT_TRUE(busy.send("f!!"));
  auto r = busy.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "half!!");
  EXPECT_EQ(r.headers.value("connection"), "close");
  EXPECT_EQ(done.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  // No longer accepting.
  auto refused = core::tcp_connect("127.0.0.1", server.port(), 1000);
  EXPECT_FALSE(refused.is_ok());
}

TEST(HttpServerTest, UnixSocket) {
  core::testing::TempDir dir;
  std::string path = dir.file("http.sock");
  TestServer server(demo_router(), {}, path);
  auto fd = core::unix_connect(path);
  ASSERT_TRUE(fd.is_ok()) << fd.status().to_string();
  RawClient client(std::move(*fd));
  ASSERT_TRUE(client.send("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  EXPECT_EQ(client.read_response().body, "hello\n");
}

TEST(HttpServerTest, AccessLogInCommonLogFormat) {
  auto lines = std::make_shared<std::vector<std::string>>();
  auto mutex = std::make_shared<std::mutex>();
  ServerOptions options;
  options.access_log = [lines, mutex](std::string_view line) {
    std::lock_guard<std::mutex> lock(*mutex);
    lines->emplace_back(line);
  };
  TestServer server(demo_router(), options);
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET /hello?x=1 HTTP/1.1\r\nHost: t\r\n\r\n"));
  client.read_response();
  server.stop();
  ASSERT_EQ(lines->size(), 1u);
  const std::string& line = lines->front();
  EXPECT_EQ(line.substr(0, 15), "127.0.0.1 - - [");
  EXPECT_NE(line.find("] \"GET /hello?x=1 HTTP/1.1\" 200 6"), std::string::npos) << line;
}

}  // namespace
}  // namespace sfs::http
