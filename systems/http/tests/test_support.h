// Test support: an in-process Server running on its own thread, and a raw blocking client that
// sends exact bytes and parses whatever comes back (with the project's own response parser).
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "core/event_loop.h"
#include "core/socket.h"
#include "systems/http/http.h"
#include "systems/http/parser.h"

namespace sfs::http::testing {

class TestServer {
 public:
  explicit TestServer(Router router, ServerOptions options = {}, std::string unix_path = "") {
    server_ = std::make_unique<Server>(loop_, std::move(router), std::move(options));
    core::Status status = server_->listen("127.0.0.1", 0);
    EXPECT_TRUE(status.is_ok()) << status.to_string();
    if (!unix_path.empty()) {
      status = server_->listen_unix(unix_path);
      EXPECT_TRUE(status.is_ok()) << status.to_string();
    }
    port_ = server_->port();
    thread_ = std::thread([this] { loop_.run(); });
  }
  ~TestServer() { stop(); }

  uint16_t port() const { return port_; }
  core::EventLoop& loop() { return loop_; }
  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  // Runs `fn` on the loop thread and waits for it.
  void run_on_loop(std::function<void()> fn) {
    std::promise<void> done;
    loop_.post([&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  }
  size_t connections() {
    size_t n = 0;
    run_on_loop([&] { n = server_->connection_count(); });
    return n;
  }
  // Starts a graceful shutdown; the returned future is ready when it completes.
  std::shared_future<void> shutdown() {
    auto done = std::make_shared<std::promise<void>>();
    std::shared_future<void> future = done->get_future().share();
    loop_.post([this, done] { server_->shutdown([done] { done->set_value(); }); });
    return future;
  }
  void stop() {
    if (thread_.joinable()) {
      loop_.stop();
      thread_.join();
    }
    server_.reset();
  }

 private:
  core::EventLoop loop_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  std::thread thread_;
};

struct RawResponse {
  int status = 0;
  int version = 11;
  Headers headers;
  std::string body;
};

class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    auto fd = core::tcp_connect("127.0.0.1", port, 5000);
    EXPECT_TRUE(fd.is_ok()) << fd.status().to_string();
    if (fd.is_ok()) fd_ = std::move(*fd);
  }
  explicit RawClient(core::Fd fd) : fd_(std::move(fd)) {}

  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response. Returns status 0 on timeout or when the connection closed first.
  RawResponse read_response(bool head_request = false, int timeout_ms = 10000) {
    MessageParser parser(MessageParser::Kind::kResponse);
    parser.set_head_request(head_request);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
      size_t used = 0;
      auto r = parser.parse(buffer_, &used);
      buffer_.erase(0, used);
      if (r == MessageParser::Result::kHeadComplete) continue;
      if (r == MessageParser::Result::kError) {
        ADD_FAILURE() << "bad response: " << parser.error();
        return {};
      }
      if (r == MessageParser::Result::kComplete) {
        RawResponse out{parser.response().status, parser.response().version,
                        parser.response().headers, parser.body()};
        return out;
      }
      int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      deadline - std::chrono::steady_clock::now()).count());
      if (left <= 0) return {};
      if (!fill(left)) {
        if (parser.finish_at_eof() == MessageParser::Result::kComplete && !parser.in_head()) {
          return {parser.response().status, parser.response().version, parser.response().headers,
                  parser.body()};
        }
        return {};
      }
    }
  }

  // Everything until the peer closes (or the timeout).
  std::string read_until_close(int timeout_ms = 10000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
      int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      deadline - std::chrono::steady_clock::now()).count());
      if (left <= 0 || !fill(left)) break;
    }
    std::string out = std::move(buffer_);
    buffer_.clear();
    return out;
  }

  // True when the server closes the connection within timeout_ms.
  bool wait_closed(int timeout_ms = 10000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
      int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      deadline - std::chrono::steady_clock::now()).count());
      if (left <= 0) return false;
      if (!fill(left)) return eof_;
    }
  }

  std::string& buffer() { return buffer_; }
  int fd() const { return fd_.get(); }
  // Reads more bytes; false on EOF, error or timeout.
  bool fill(int timeout_ms) {
    struct pollfd p = {fd_.get(), POLLIN, 0};
    int r = ::poll(&p, 1, timeout_ms);
    if (r <= 0) return false;
    char chunk[65536];
    ssize_t n = ::recv(fd_.get(), chunk, sizeof(chunk), 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

 private:
  core::Fd fd_;
  std::string buffer_;
  bool eof_ = false;
};

}  // namespace sfs::http::testing
