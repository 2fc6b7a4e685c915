// Connection and Acceptor against real loopback sockets: echo, partial writes, backpressure,
// peer EOF, and a misbehaving client not disturbing another.
#include "core/connection.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <memory>

#include "core/file.h"
#include "core/socket.h"
#include "core/testing/testing.h"

namespace sfs::core {
namespace {

constexpr size_t kBigReply = 32 << 20;  // more than the kernel's socket buffers can absorb

// Echoes every line back; "big\n" sends a large reply; counts what happened.
class EchoSession : public Connection {
 public:
  EchoSession(EventLoop& loop, Fd fd, std::function<void(EchoSession*)> on_gone)
      : Connection(loop, std::move(fd)), on_gone_(std::move(on_gone)) {}
  Status close_reason;
  int drains = 0;

 protected:
  void on_data(Buffer& input) override {
    for (;;) {
      std::string_view view = input.view();
      size_t newline = view.find('\n');
      if (newline == std::string_view::npos) return;
      std::string line(view.substr(0, newline));
      input.consume(newline + 1);
      if (line == "big") {
        send(std::string(kBigReply, 'b'));
      } else if (line == "quit") {
        send("bye\n");
        close_after_flush();
        return;
      } else {
        send(line + "\n");
      }
    }
  }
  void on_drain() override { ++drains; }
  void on_close(const Status& reason) override {
    close_reason = reason;
    on_gone_(this);
  }

 private:
  std::function<void(EchoSession*)> on_gone_;
};

class EchoServer {
 public:
  explicit EchoServer(EventLoop& loop) : loop_(loop) {
    Result<Fd> listener = tcp_listen("127.0.0.1", 0);
    EXPECT_TRUE(listener.is_ok());
    port = *local_port(listener->get());
    acceptor_ = std::make_unique<Acceptor>(loop, std::move(listener).value(),
                                           [this](Fd fd, std::string) { accept(std::move(fd)); });
    EXPECT_TRUE(acceptor_->start().is_ok());
  }
  void accept(Fd fd) {
    auto session = std::make_unique<EchoSession>(loop_, std::move(fd), [this](EchoSession* s) {
      ++closed;
      auto it = sessions.find(s);
      loop_.destroy_later(std::move(it->second));
      sessions.erase(it);
    });
    session->set_output_limits(1 << 20, 0);
    EXPECT_TRUE(session->start().is_ok());
    EchoSession* raw = session.get();
    sessions[raw] = std::move(session);
  }
  uint16_t port = 0;
  int closed = 0;
  std::map<EchoSession*, std::unique_ptr<EchoSession>> sessions;

 private:
  EventLoop& loop_;
  std::unique_ptr<Acceptor> acceptor_;
};

// Runs the loop until `done` holds or 5 s pass.
void run_until(EventLoop& loop, const std::function<bool()>& done) {
  auto deadline = Clock::now() + std::chrono::seconds(5);
  while (!done() && Clock::now() < deadline) loop.run_once(Milliseconds(10));
}

std::string read_some(int fd, size_t want, EventLoop& loop, Milliseconds timeout = Milliseconds(20000)) {
  std::string out;
  auto deadline = Clock::now() + timeout;
  while (out.size() < want && Clock::now() < deadline) {
    loop.run_once(Milliseconds(1));
    for (;;) {
      char buf[65536];
      ssize_t n = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
      if (n > 0) {
        out.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n == 0) return out;
      break;
    }
  }
  return out;
}

TEST(ConnectionTest, EchoesPipelinedLines) {
  EventLoop loop;
  EchoServer server(loop);
  Fd client = *tcp_connect("127.0.0.1", server.port);
  std::string request;
  for (int i = 0; i < 1000; ++i) request += "line " + std::to_string(i) + "\n";
  ASSERT_TRUE(write_all(client.get(), request).is_ok());
  EXPECT_EQ(read_some(client.get(), request.size(), loop), request);
}

TEST(ConnectionTest, PartialLinesWaitForTheRest) {
  EventLoop loop;
  EchoServer server(loop);
  Fd client = *tcp_connect("127.0.0.1", server.port);
  ASSERT_EQ(::write(client.get(), "hel", 3), 3);
  EXPECT_EQ(read_some(client.get(), 1, loop, Milliseconds(100)), "");
  ASSERT_EQ(::write(client.get(), "lo\n", 3), 3);
  EXPECT_EQ(read_some(client.get(), 6, loop), "hello\n");
}

TEST(ConnectionTest, CloseAfterFlushDeliversTheLastReply) {
  EventLoop loop;
  EchoServer server(loop);
  Fd client = *tcp_connect("127.0.0.1", server.port);
  ASSERT_EQ(::write(client.get(), "quit\n", 5), 5);
  EXPECT_EQ(read_some(client.get(), 100, loop), "bye\n");
  run_until(loop, [&] { return server.closed == 1; });
  EXPECT_EQ(server.closed, 1);
}

TEST(ConnectionTest, PeerEofClosesAfterReplying) {
  EventLoop loop;
  EchoServer server(loop);
  Fd client = *tcp_connect("127.0.0.1", server.port);
  ASSERT_EQ(::write(client.get(), "last\n", 5), 5);
  ::shutdown(client.get(), SHUT_WR);
  EXPECT_EQ(read_some(client.get(), 100, loop), "last\n");
  run_until(loop, [&] { return server.closed == 1; });
  EXPECT_EQ(server.closed, 1);
}

TEST(ConnectionTest, BackpressureStopsReadingFromANonReader) {
  EventLoop loop;
  EchoServer server(loop);
  Fd slow = *tcp_connect("127.0.0.1", server.port);
  ASSERT_EQ(::write(slow.get(), "big\n", 4), 4);
  run_until(loop, [&] {
    return !server.sessions.empty() && server.sessions.begin()->second->pending_output() > 0;
  });
  // The slow client does not read; its session must hold the reply and stop reading.
  for (int i = 0; i < 20; ++i) loop.run_once(Milliseconds(5));
  ASSERT_EQ(server.sessions.size(), 1u);
  EchoSession* session = server.sessions.begin()->second.get();
  EXPECT_GT(session->pending_output(), size_t{1} << 20);
  // Lines sent now are not read while the output is backed up.
  ASSERT_EQ(::write(slow.get(), "x\n", 2), 2);
  for (int i = 0; i < 10; ++i) loop.run_once(Milliseconds(5));
  EXPECT_EQ(session->buffered_input(), 0u);

  // Meanwhile another client is served normally.
  Fd fast = *tcp_connect("127.0.0.1", server.port);
  ASSERT_EQ(::write(fast.get(), "hi\n", 3), 3);
  EXPECT_EQ(read_some(fast.get(), 3, loop), "hi\n");

  // Once the slow client reads everything, the session resumes and answers the queued line.
  std::string got = read_some(slow.get(), kBigReply + 2, loop);
  EXPECT_EQ(got.size(), kBigReply + 2);
  EXPECT_EQ(got.substr(got.size() - 2), "x\n");
  EXPECT_GE(session->drains, 1);
}

TEST(ConnectionTest, HardOutputLimitDisconnects) {
  EventLoop loop;
  EchoServer server(loop);
  Fd slow = *tcp_connect("127.0.0.1", server.port);
  run_until(loop, [&] { return !server.sessions.empty(); });
  server.sessions.begin()->second->set_output_limits(1 << 16, 1 << 20);
  ASSERT_EQ(::write(slow.get(), "big\n", 4), 4);
  run_until(loop, [&] { return server.closed == 1; });
  EXPECT_EQ(server.closed, 1);
}

}  // namespace
}  // namespace sfs::core
