// WebSocket (RFC 6455): the handshake, framing in both directions, masking, fragmentation,
// ping/pong, close codes, limits and UTF-8 validation — against the server over a socket.
#include "systems/http/websocket.h"

#include <gtest/gtest.h>

#include "systems/http/tests/test_support.h"
#include "systems/http/websocket_frame.h"

namespace sfs::http {
namespace {

using testing::RawClient;
using testing::TestServer;

constexpr uint8_t kMask[4] = {0x12, 0x34, 0x56, 0x78};

Router echo_router(std::vector<std::string>* closes = nullptr) {
  Router router;
  router.websocket("/ws", [closes](const std::shared_ptr<WebSocket>& socket, const Request& request) {
    socket->send_text("welcome " + std::string(request.query_param("name").value_or("")));
    socket->on_message([](WebSocket& self, std::string_view data, bool binary) {
      if (data == "close please") {
        self.close(4000, "asked to");
        return;
      }
      binary ? self.send_binary(data) : self.send_text(data);
    });
    socket->on_close([closes](WebSocket&, uint16_t code, std::string_view reason) {
      if (closes) closes->push_back(std::to_string(code) + " " + std::string(reason));
    });
  });
  router.get("/plain", [](Request&, Response& res) {
    res.text("plain");
    return core::Status::ok();
  });
  return router;
}

std::string handshake(std::string_view path = "/ws?name=ann", std::string_view key = "dGhlIHNhbXBsZSBub25jZQ==",
                      std::string_view version = "13") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
         "Sec-WebSocket-Key: " + std::string(key) + "\r\nSec-WebSocket-Version: " + std::string(version) + "\r\n\r\n";
}

class WsClient {
 public:
  explicit WsClient(uint16_t port) : raw_(port) {}
  RawClient& raw() { return raw_; }
  bool open() {
    if (!raw_.send(handshake())) return false;
    auto r = raw_.read_response();
    return r.status == 101;
  }
  void send(uint8_t opcode, std::string_view payload, bool fin = true, bool masked = true) {
    std::string bytes;
    ws::encode_frame(&bytes, opcode, payload, fin, masked ? kMask : nullptr);
    raw_.send(bytes);
  }
  // Reads the next frame from the server (unmasked); false on timeout/close.
  bool read(ws::Frame* frame, int timeout_ms = 5000) {
    ws::FrameParser parser(false, 1 << 26);
    while (true) {
      size_t used = 0;
      auto r = parser.parse(raw_.buffer(), &used, frame);
      if (r == ws::FrameParser::Result::kFrame) {
        raw_.buffer().erase(0, used);
        return true;
      }
      if (r == ws::FrameParser::Result::kError) return false;
      if (!raw_.fill(timeout_ms)) return false;
    }
  }
  static uint16_t close_code(const ws::Frame& frame) {
    if (frame.payload.size() < 2) return 1005;
    return static_cast<uint16_t>((static_cast<uint8_t>(frame.payload[0]) << 8) | static_cast<uint8_t>(frame.payload[1]));
  }

 private:
  RawClient raw_;
};

TEST(HttpWebSocketTest, AcceptKeyFromTheRfc) {
  EXPECT_EQ(websocket_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(HttpWebSocketTest, HandshakeAndEcho) {
  TestServer server(echo_router());
  WsClient client(server.port());
  ASSERT_TRUE(client.raw().send(handshake()));
  auto r = client.raw().read_response();
  ASSERT_EQ(r.status, 101);
  EXPECT_EQ(r.headers.value("sec-websocket-accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_TRUE(r.headers.has_token("connection", "upgrade"));
  ws::Frame frame;
  ASSERT_TRUE(client.read(&frame));
  EXPECT_EQ(frame.opcode, ws::kText);
  EXPECT_EQ(frame.payload, "welcome ann");
  client.send(ws::kText, "héllo");
  ASSERT_TRUE(client.read(&frame));
  EXPECT_EQ(frame.payload, "héllo");
  std::string binary("\x00\xff\x10", 3);
  client.send(ws::kBinary, binary);
  ASSERT_TRUE(client.read(&frame));
  EXPECT_EQ(frame.opcode, ws::kBinary);
  EXPECT_EQ(frame.payload, binary);
  // 16-bit and 64-bit lengths.
  for (size_t size : {200u, 70000u}) {
    std::string big(size, 'z');
    client.send(ws::kText, big);
    ASSERT_TRUE(client.read(&frame));
    EXPECT_EQ(frame.payload, big);
  }
}

TEST(HttpWebSocketTest, FragmentationWithInterleavedPing) {
  TestServer server(echo_router());
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  ws::Frame frame;
  ASSERT_TRUE(client.read(&frame));  // welcome
  client.send(ws::kText, "Hel", false);
  client.send(ws::kPing, "are you there");
  client.send(ws::kContinuation, "lo, ", false);
  client.send(ws::kContinuation, "world", true);
  ASSERT_TRUE(client.read(&frame));
  EXPECT_EQ(frame.opcode, ws::kPong);
  EXPECT_EQ(frame.payload, "are you there");
  ASSERT_TRUE(client.read(&frame));
  EXPECT_EQ(frame.opcode, ws::kText);
  EXPECT_EQ(frame.payload, "Hello, world");
}

TEST(HttpWebSocketTest, ClosingHandshake) {
  std::vector<std::string> closes;
  TestServer server(echo_router(&closes));
  {
    WsClient client(server.port());
    ASSERT_TRUE(client.open());
    ws::Frame frame;
    ASSERT_TRUE(client.read(&frame));
    client.send(ws::kClose, std::string("\x03\xe8" "bye", 5));
    ASSERT_TRUE(client.read(&frame));
    EXPECT_EQ(frame.opcode, ws::kClose);
    EXPECT_EQ(WsClient::close_code(frame), 1000);
    EXPECT_TRUE(client.raw().wait_closed());
  }
  {
    // Server-initiated close.
    WsClient client(server.port());
    ASSERT_TRUE(client.open());
    ws::Frame frame;
    ASSERT_TRUE(client.read(&frame));
    client.send(ws::kText, "close please");
    ASSERT_TRUE(client.read(&frame));
    EXPECT_EQ(frame.opcode, ws::kClose);
    EXPECT_EQ(WsClient::close_code(frame), 4000);
    EXPECT_EQ(frame.payload.substr(2), "asked to");
    client.send(ws::kClose, frame.payload);
    EXPECT_TRUE(client.raw().wait_closed());
  }
  server.stop();
  ASSERT_EQ(closes.size(), 2u);
  EXPECT_EQ(closes[0], "1000 bye");
  EXPECT_EQ(closes[1], "4000 asked to");
}

// Each protocol violation gets a close frame with the right code, then the connection closes.
TEST(HttpWebSocketTest, ProtocolErrors) {
  ServerOptions options;
  options.max_websocket_message = 1000;
  TestServer server(echo_router(), options);
  struct Case {
    const char* what;
    std::function<void(WsClient&)> send;
    uint16_t code;
  };
  std::vector<Case> cases = {
      {"unmasked frame", [](WsClient& c) { c.send(ws::kText, "x", true, false); }, 1002},
      {"reserved bit", [](WsClient& c) { c.raw().send(std::string("\xc1\x80\x00\x00\x00\x00", 6)); }, 1002},
      {"unknown opcode", [](WsClient& c) { c.send(0x3, "x"); }, 1002},
      {"fragmented ping", [](WsClient& c) { c.send(ws::kPing, "x", false); }, 1002},
      {"long ping", [](WsClient& c) { c.send(ws::kPing, std::string(126, 'p')); }, 1002},
      {"continuation first", [](WsClient& c) { c.send(ws::kContinuation, "x"); }, 1002},
      {"new message mid-fragment", [](WsClient& c) { c.send(ws::kText, "a", false); c.send(ws::kText, "b"); }, 1002},
      {"invalid UTF-8", [](WsClient& c) { c.send(ws::kText, "\xc3\x28"); }, 1007},
      {"UTF-8 split across fragments is fine until it ends badly",
       [](WsClient& c) { c.send(ws::kText, "\xc3", false); c.send(ws::kContinuation, "\xa9\xff"); }, 1007},
      {"frame over the limit", [](WsClient& c) { c.send(ws::kBinary, std::string(1001, 'b')); }, 1009},
      {"message over the limit",
       [](WsClient& c) { c.send(ws::kBinary, std::string(600, 'b'), false); c.send(ws::kContinuation, std::string(600, 'b')); }, 1009},
      {"1-byte close", [](WsClient& c) { c.send(ws::kClose, "x"); }, 1002},
      {"reserved close code", [](WsClient& c) { c.send(ws::kClose, std::string("\x03\xed", 2)); }, 1002},
      {"close reason not UTF-8", [](WsClient& c) { c.send(ws::kClose, std::string("\x03\xe8\xff", 3)); }, 1007},
  };
  for (const Case& c : cases) {
    WsClient client(server.port());
    ASSERT_TRUE(client.open()) << c.what;
    ws::Frame frame;
    ASSERT_TRUE(client.read(&frame)) << c.what;  // welcome
    c.send(client);
    ASSERT_TRUE(client.read(&frame)) << c.what;
    EXPECT_EQ(frame.opcode, ws::kClose) << c.what;
    EXPECT_EQ(WsClient::close_code(frame), c.code) << c.what;
    EXPECT_TRUE(client.raw().wait_closed()) << c.what;
  }
  // Split UTF-8 that completes correctly is accepted.
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  ws::Frame frame;
  ASSERT_TRUE(client.read(&frame));
  client.send(ws::kText, "\xc3", false);
  client.send(ws::kContinuation, "\xa9");
  ASSERT_TRUE(client.read(&frame));
  EXPECT_EQ(frame.payload, "\xc3\xa9");
}

TEST(HttpWebSocketTest, BadHandshakes) {
  TestServer server(echo_router());
  {
    RawClient c(server.port());
    ASSERT_TRUE(c.send(handshake("/ws", "dGhlIHNhbXBsZSBub25jZQ==", "8")));
    auto r = c.read_response();
    EXPECT_EQ(r.status, 426);
    EXPECT_EQ(r.headers.value("sec-websocket-version"), "13");
  }
  {
    RawClient c(server.port());
    ASSERT_TRUE(c.send(handshake("/ws", "short")));
    EXPECT_EQ(c.read_response().status, 400);
  }
  {
    // An upgrade request on a path without a WebSocket route is an ordinary request.
    RawClient c(server.port());
    ASSERT_TRUE(c.send(handshake("/plain")));
    auto r = c.read_response();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "plain");
  }
  {
    // The endpoint without the upgrade (a browser's address bar, curl, HEAD): 426 offering it.
    RawClient c(server.port());
    ASSERT_TRUE(c.send("GET /ws HTTP/1.1\r\nHost: t\r\n\r\nHEAD /ws HTTP/1.1\r\nHost: t\r\n\r\n"
                       "POST /ws HTTP/1.1\r\nHost: t\r\n\r\n"));
    auto r = c.read_response();
    EXPECT_EQ(r.status, 426);
    EXPECT_EQ(r.headers.value("upgrade"), "websocket");
    EXPECT_EQ(r.headers.value("connection"), "upgrade");
    EXPECT_EQ(c.read_response(true).status, 426);
    r = c.read_response();
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.headers.value("allow"), "GET, HEAD, OPTIONS");
  }
}

TEST(HttpWebSocketTest, ShutdownClosesWith1001) {
  TestServer server(echo_router());
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  ws::Frame frame;
  ASSERT_TRUE(client.read(&frame));
  auto done = server.shutdown();
  ASSERT_TRUE(client.read(&frame));
  EXPECT_EQ(frame.opcode, ws::kClose);
  EXPECT_EQ(WsClient::close_code(frame), 1001);
  client.send(ws::kClose, frame.payload);
  EXPECT_TRUE(client.raw().wait_closed());
  EXPECT_EQ(done.wait_for(std::chrono::seconds(5)), std::future_status::ready);
}

}  // namespace
}  // namespace sfs::http
