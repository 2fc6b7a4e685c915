// Server: an HTTP/1.1 server on a core::EventLoop, serving a Router over TCP and Unix sockets.
//
//   core::EventLoop loop;
//   http::Server server(loop, std::move(router), http::ServerOptions{});
//   SFS_TRY(server.listen("127.0.0.1", 8080));
//   loop.run();
//
// One thread, one event loop, many connections (the design of nginx's worker; see core/README.md).
// Each accepted socket becomes an HttpConnection (http_connection.h) that parses requests as bytes
// arrive, runs the router, and writes responses — pipelined requests are answered in order, bodies
// of files go out with sendfile(2). The server owns the connections and a timer that enforces the
// per-phase timeouts:
//
//   phase          deadline                                    on expiry
//   idle           idle_timeout after the last response        close quietly
//   head           header_timeout after the request's 1st byte 408, close (slowloris defence)
//   body           body_timeout since the last body bytes      408, close
//   sending        send_timeout since the last write progress  close (client stopped reading)
//   handler busy   none (a deferred or streaming response)     —
//
// Graceful shutdown (shutdown()): stop accepting, close idle connections, let every request in
// flight finish (its response carries Connection: close), close WebSockets with 1001, and call
// the callback when the last connection is gone — or after shutdown_grace, closing the rest.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/connection.h"
#include "core/event_loop.h"
#include "core/status.h"
#include "systems/http/message.h"
#include "systems/http/parser.h"
#include "systems/http/router.h"

namespace sfs::http {

class HttpConnection;

struct ServerOptions {
  Limits limits;
  core::Milliseconds header_timeout{10000};
  core::Milliseconds body_timeout{30000};
  core::Milliseconds idle_timeout{60000};
  core::Milliseconds send_timeout{60000};
  core::Milliseconds shutdown_grace{10000};
  std::string server_name = "sfs";
  uint64_t max_websocket_message = 16 * 1024 * 1024;
  // Called with one line per response in the Common Log Format
  // (`127.0.0.1 - - [22/Nov/2026:14:03:07 +0000] "GET / HTTP/1.1" 200 1234`), without newline.
  std::function<void(std::string_view line)> access_log;
};

class Server {
 public:
  Server(core::EventLoop& loop, Router router, ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Listens on host:port (port 0: the kernel picks; see port()). May be called several times.
  core::Status listen(const std::string& host, uint16_t port);
  // Listens on a Unix-domain socket at `path` (a stale socket file is replaced).
  core::Status listen_unix(const std::string& path);
  // The port of the first TCP listener (0 if none).
  uint16_t port() const { return port_; }

  // Graceful shutdown (see the file comment); `done` runs on the loop when it is complete.
  void shutdown(std::function<void()> done = nullptr);
  bool shutting_down() const { return shutting_down_; }

  size_t connection_count() const { return connections_.size(); }
  const Router& router() const { return router_; }
  const ServerOptions& options() const { return options_; }
  core::EventLoop& loop() { return loop_; }

  // Internal to HttpConnection.
  void queue_flush(HttpConnection* connection);
  void connection_closed(HttpConnection* connection);
  void log_access(std::string_view line);
  // "Date: ..." for the current second, cached.
  const std::string& date_line();
  // Parsers are recycled between connections: a keep-alive connection hands its parser back
  // whenever it is between requests, and the next request anywhere takes one from here.
  std::unique_ptr<MessageParser> take_parser();
  void return_parser(std::unique_ptr<MessageParser> parser);

 private:
  void accept(core::Fd fd, std::string peer);
  void sweep();
  void flush_queued();
  void maybe_finish_shutdown();

  core::EventLoop& loop_;
  Router router_;
  ServerOptions options_;
  std::vector<std::unique_ptr<core::Acceptor>> acceptors_;
  std::vector<std::string> unix_paths_;
  uint16_t port_ = 0;
  std::unordered_map<HttpConnection*, std::unique_ptr<HttpConnection>> connections_;
  std::vector<HttpConnection*> flush_queue_;
  std::vector<std::unique_ptr<MessageParser>> spare_parsers_;
  core::EventLoop::TimerId sweep_timer_ = 0;
  core::EventLoop::TimerId grace_timer_ = 0;
  bool shutting_down_ = false;
  std::function<void()> shutdown_done_;
  int64_t date_second_ = -1;
  std::string date_line_;
  std::shared_ptr<bool> alive_;
};

// Runs `router` until SIGINT or SIGTERM, then shuts down gracefully: the body of `sfs http serve`
// and `sfs http todo-api`, and what other systems' "serve" commands call. Listens on host:port
// (unless port is 0 and unix_path is set) and on unix_path when it is not empty. Prints the
// address it listens on. Returns a process exit code.
int run_server(Router router, ServerOptions options, const std::string& host, uint16_t port,
               const std::string& unix_path = "");

}  // namespace sfs::http
