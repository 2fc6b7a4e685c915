// Server: listeners, the connection table, the before-sleep flush, the timeout sweep, graceful
// shutdown and run_server(). See server.h.
#include "systems/http/server.h"

#include <malloc.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "core/log.h"
#include "core/socket.h"
#include "systems/http/http_connection.h"

namespace sfs::http {

Server::Server(core::EventLoop& loop, Router router, ServerOptions options)
    : loop_(loop), router_(std::move(router)), options_(std::move(options)),
      alive_(std::make_shared<bool>(true)) {
  // Writes are batched: every connection that queued output this iteration is flushed once,
  // just before the loop sleeps. Flushing may queue more (a drained stream produces its next
  // piece), so keep going until nothing is queued.
  loop_.add_before_sleep([this, alive = alive_] {
    if (*alive) flush_queued();
  });
  // The sweep runs often enough for the shortest timeout to be honoured within a quarter of it.
  auto shortest = std::min({options_.header_timeout, options_.body_timeout, options_.idle_timeout,
                            options_.send_timeout});
  auto interval = std::clamp(shortest / 4, core::Milliseconds(10), core::Milliseconds(1000));
  sweep_timer_ = loop_.run_every(interval, [this] { sweep(); });
}

Server::~Server() {
  *alive_ = false;
  loop_.cancel(sweep_timer_);
  if (grace_timer_) loop_.cancel(grace_timer_);
  acceptors_.clear();
  // Close what is left, so streams, deferred responses and WebSockets the application still
  // holds learn that their connection is gone.
  std::vector<HttpConnection*> all;
  for (auto& [ptr, connection] : connections_) all.push_back(ptr);
  for (HttpConnection* connection : all) connection->close();
  connections_.clear();
  for (const std::string& path : unix_paths_) ::unlink(path.c_str());
}

core::Status Server::listen(const std::string& host, uint16_t port) {
  SFS_ASSIGN_OR_RETURN(core::Fd fd, core::tcp_listen(host, port, 4096));
  SFS_ASSIGN_OR_RETURN(uint16_t bound, core::local_port(fd.get()));
  if (port_ == 0) port_ = bound;
  auto acceptor = std::make_unique<core::Acceptor>(
      loop_, std::move(fd), [this](core::Fd client, std::string peer) { accept(std::move(client), std::move(peer)); });
  SFS_TRY(acceptor->start());
  acceptors_.push_back(std::move(acceptor));
  return core::Status::ok();
}

core::Status Server::listen_unix(const std::string& path) {
  SFS_ASSIGN_OR_RETURN(core::Fd fd, core::unix_listen(path, 4096));
  auto acceptor = std::make_unique<core::Acceptor>(
      loop_, std::move(fd), [this](core::Fd client, std::string peer) { accept(std::move(client), std::move(peer)); });
  SFS_TRY(acceptor->start());
  acceptors_.push_back(std::move(acceptor));
  unix_paths_.push_back(path);
  return core::Status::ok();
}

void Server::accept(core::Fd fd, std::string peer) {
  if (shutting_down_) return;  // the Fd closes
  auto connection = std::make_unique<HttpConnection>(*this, std::move(fd), std::move(peer));
  HttpConnection* raw = connection.get();
  connections_.emplace(raw, std::move(connection));
  if (core::Status status = raw->start(); !status.is_ok()) raw->close();
}

void Server::queue_flush(HttpConnection* connection) {
  if (connection->flush_queued) return;
  connection->flush_queued = true;
  flush_queue_.push_back(connection);
}

void Server::flush_queued() {
  std::vector<HttpConnection*> batch;
  while (!flush_queue_.empty()) {
    batch.swap(flush_queue_);
    for (HttpConnection* connection : batch) {
      if (connection != nullptr && connection->flush_queued) connection->flush();
    }
    batch.clear();
  }
}

void Server::connection_closed(HttpConnection* connection) {
  // The queue may still name this connection even when its flag is clear (it flushed early from
  // its own I/O handler); the pointer must not outlive it.
  connection->flush_queued = false;
  std::replace(flush_queue_.begin(), flush_queue_.end(), connection, static_cast<HttpConnection*>(nullptr));
  auto it = connections_.find(connection);
  if (it == connections_.end()) return;
  loop_.destroy_later(std::move(it->second));
  connections_.erase(it);
  if (shutting_down_) maybe_finish_shutdown();
}

void Server::sweep() {
  auto now = loop_.now();
  // check_deadline() may close (and so erase) connections: collect first.
  std::vector<HttpConnection*> all;
  all.reserve(connections_.size());
  for (auto& [ptr, connection] : connections_) all.push_back(ptr);
  size_t freed = 0;
  for (HttpConnection* connection : all) {
    if (connections_.count(connection) == 0) continue;
    connection->check_deadline(now);
    if (connections_.count(connection)) freed += connection->release_idle_memory();
  }
  // Buffers of idle connections were freed in the middle of the heap; give whole free pages back
  // to the kernel, or the resident size would stay at the high-water mark of the last burst.
  if (freed > (256u << 10)) ::malloc_trim(0);
}

void Server::log_access(std::string_view line) {
  if (options_.access_log) options_.access_log(line);
}

const std::string& Server::date_line() {
  int64_t now = static_cast<int64_t>(::time(nullptr));
  if (now != date_second_) {
    date_second_ = now;
    date_line_ = "Date: " + http_date(now) + "\r\n";
  }
  return date_line_;
}

std::unique_ptr<MessageParser> Server::take_parser() {
  if (spare_parsers_.empty()) {
    return std::make_unique<MessageParser>(MessageParser::Kind::kRequest, options_.limits);
  }
  auto parser = std::move(spare_parsers_.back());
  spare_parsers_.pop_back();
  return parser;
}

void Server::return_parser(std::unique_ptr<MessageParser> parser) {
  if (spare_parsers_.size() >= 256) return;  // freed: more than that is a burst, not a pattern
  parser->reset();
  spare_parsers_.push_back(std::move(parser));
}

void Server::shutdown(std::function<void()> done) {
  if (shutting_down_) return;
  shutting_down_ = true;
  shutdown_done_ = std::move(done);
  acceptors_.clear();
  for (const std::string& path : unix_paths_) ::unlink(path.c_str());
  unix_paths_.clear();
  std::vector<HttpConnection*> all;
  for (auto& [ptr, connection] : connections_) all.push_back(ptr);
  for (HttpConnection* connection : all) {
    if (connections_.count(connection)) connection->begin_shutdown();
  }
  grace_timer_ = loop_.run_after(options_.shutdown_grace, [this] {
    grace_timer_ = 0;
    if (!connections_.empty()) {
      SFS_LOG_WARN("closing ", connections_.size(), " connection(s) still busy after the grace period");
    }
    std::vector<HttpConnection*> rest;
    for (auto& [ptr, connection] : connections_) rest.push_back(ptr);
    for (HttpConnection* connection : rest) {
      if (connections_.count(connection)) connection->close();
    }
    maybe_finish_shutdown();
  });
  maybe_finish_shutdown();
}

void Server::maybe_finish_shutdown() {
  if (!shutting_down_ || !connections_.empty() || !shutdown_done_) return;
  if (grace_timer_) {
    loop_.cancel(grace_timer_);
    grace_timer_ = 0;
  }
  auto done = std::move(shutdown_done_);
  shutdown_done_ = nullptr;
  loop_.defer(std::move(done));
}

int run_server(Router router, ServerOptions options, const std::string& host, uint16_t port,
               const std::string& unix_path) {
  ::signal(SIGPIPE, SIG_IGN);
  core::EventLoop loop;
  Server server(loop, std::move(router), std::move(options));
  if (port != 0 || unix_path.empty()) {
    if (core::Status status = server.listen(host, port); !status.is_ok()) {
      std::fprintf(stderr, "sfs http: %s\n", status.message().c_str());
      return 1;
    }
    SFS_LOG_INFO("listening on http://", host.find(':') != std::string::npos ? "[" + host + "]" : host,
                 ":", server.port(), "/");
  }
  if (!unix_path.empty()) {
    if (core::Status status = server.listen_unix(unix_path); !status.is_ok()) {
      std::fprintf(stderr, "sfs http: %s\n", status.message().c_str());
      return 1;
    }
    SFS_LOG_INFO("listening on unix:", unix_path);
  }
  auto stop = [&](int signo) {
    if (server.shutting_down()) {
      loop.stop();  // a second signal: stop now
      return;
    }
    SFS_LOG_INFO("signal ", signo, ": finishing ", server.connection_count(), " connection(s)");
    server.shutdown([&loop] { loop.stop(); });
  };
  (void)loop.on_signal(SIGINT, stop);
  (void)loop.on_signal(SIGTERM, stop);
  loop.run();
  SFS_LOG_INFO("stopped");
  return 0;
}

}  // namespace sfs::http
