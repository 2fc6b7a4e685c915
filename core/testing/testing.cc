// Test helpers: see testing.h.
#include "core/testing/testing.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "core/file.h"
#include "core/socket.h"

namespace sfs::core::testing {

uint16_t free_port() {
  // Bind to an ephemeral port, then release it. Another process could take it in between; in
  // practice the kernel hands ports out round-robin, so the window is tiny.
  Result<Fd> fd = tcp_listen("127.0.0.1", 0);
  if (!fd.is_ok()) return 0;
  Result<uint16_t> port = local_port(fd->get());
  return port.is_ok() ? *port : 0;
}

std::string sfs_binary() { return SFS_BINARY_PATH; }
std::string source_dir() { return SFS_SOURCE_DIR; }

std::string conformance_path(std::string_view suite) {
  namespace fs = std::filesystem;
  std::vector<fs::path> roots;
  if (const char* env = std::getenv("SFS_CONFORMANCE"); env && *env) roots.emplace_back(env);
  roots.emplace_back(fs::path(SFS_SOURCE_DIR) / ".." / "shared" / "conformance");
  for (const auto& root : roots) {
    fs::path path = root / std::string(suite);
    std::error_code error;
    if (fs::exists(path, error)) return fs::canonical(path, error).string();
  }
  return "";
}

bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci && (std::string_view(ci) == "true" || std::string_view(ci) == "1");
}

bool have_program(std::string_view program) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::string_view rest = path;
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + std::string(program);
    if (::access(candidate.c_str(), X_OK) == 0) return true;
  }
  return false;
}

bool wait_for_port(uint16_t port, int timeout_ms, const std::string& host) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (tcp_connect(host, port, 1000).is_ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TempDir::TempDir() {
  Result<std::string> path = make_temp_directory("sfs-test-");
  path_ = path.is_ok() ? *path : "/tmp";
}

TempDir::~TempDir() {
  if (path_ != "/tmp") (void)remove_all(path_);
}

Result<ServerProcess> ServerProcess::start(const std::vector<std::string>& argv, uint16_t port,
                                           int timeout_ms, const std::vector<std::string>& env) {
  ServerProcess server;
  server.dir_ = std::make_shared<TempDir>();
  server.log_path_ = server.dir_->file("server.log");
  SubprocessOptions options;
  options.argv = argv;
  options.env = env;
  options.stdin_mode = SubprocessOptions::Stream::kNull;
  options.stdout_mode = SubprocessOptions::Stream::kFile;
  options.stdout_file = server.log_path_;
  options.stderr_to_stdout = true;
  SFS_ASSIGN_OR_RETURN(server.process_, Subprocess::start(options));
  if (port != 0) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!tcp_connect("127.0.0.1", port, 500).is_ok()) {
      if (auto code = server.process_.try_wait()) {
        return Status::io_error("server exited with code " + std::to_string(*code) +
                                " before listening:\n" + server.output());
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        return Status::timeout("server did not listen on port " + std::to_string(port) +
                               " within " + std::to_string(timeout_ms) + " ms:\n" +
                               server.output());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return server;
}

std::string ServerProcess::stop() {
  exit_code_ = process_.terminate(10000);
  return output();
}

std::string ServerProcess::output() const {
  Result<std::string> log = read_file(log_path_);
  return log.is_ok() ? *log : "";
}

Result<LineClient> LineClient::connect(uint16_t port, const std::string& host) {
  LineClient client;
  SFS_ASSIGN_OR_RETURN(client.fd_, tcp_connect(host, port, 5000));
  return client;
}

Status LineClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::io_error("send", errno);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::ok();
}

bool LineClient::fill(int timeout_ms) {
  if (eof_) return false;
  pollfd pfd{fd_.get(), POLLIN, 0};
  int rc = ::poll(&pfd, 1, timeout_ms);
  if (rc <= 0) return false;
  char chunk[8192];
  ssize_t n = ::recv(fd_.get(), chunk, sizeof(chunk), 0);
  if (n <= 0) {
    eof_ = true;
    return false;
  }
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

Result<std::string> LineClient::read_line(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    size_t newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) return Status::timeout("no complete line; have '" + buffer_ + "'");
    if (!fill(static_cast<int>(left)) && eof_) {
      return Status::closed("connection closed; have '" + buffer_ + "'");
    }
  }
}

Result<std::string> LineClient::read_until(std::string_view needle, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string seen;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    Result<std::string> line = read_line(static_cast<int>(std::max<long long>(left, 1)));
    if (!line.is_ok()) {
      return Status(line.status().code(), "waiting for '" + std::string(needle) + "': " +
                                              line.status().message() + "\nlines so far:\n" + seen);
    }
    if (!seen.empty()) seen += '\n';
    seen += *line;
    if (line->find(needle) != std::string::npos) return seen;
  }
}

std::string LineClient::read_available(int timeout_ms) {
  while (fill(timeout_ms)) timeout_ms = 50;
  std::string out;
  out.swap(buffer_);
  return out;
}

bool LineClient::wait_closed(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!eof_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) return false;
    fill(static_cast<int>(left));
  }
  return true;
}

}  // namespace sfs::core::testing
