// Test helpers shared by every system's tests: free loopback ports, the `sfs` binary, conformance
// data, child processes that are servers, and a small blocking TCP client.
//
// Interop tests follow one pattern:
//
//   uint16_t port = testing::free_port();
//   auto server = testing::ServerProcess::start({testing::sfs_binary(), "chat", "server",
//                                                "--port", std::to_string(port)}, port);
//   ASSERT_TRUE(server.is_ok()) << server.status().to_string();
//   ... drive it with a real client ...
//   std::string log = server->stop();   // SIGTERM, wait, collect what it printed
//
// Everything binds to 127.0.0.1 only, and every process a test starts is stopped by the test (or,
// at the latest, by the destructor, which kills it).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/fd.h"
#include "core/process.h"
#include "core/status.h"

namespace sfs::core::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, read back, released).
uint16_t free_port();

// Absolute path of the built `sfs` binary.
std::string sfs_binary();
// Absolute path of the source tree's root.
std::string source_dir();

// The directory of a conformance suite ("json", "commonmark", ...): $SFS_CONFORMANCE/<suite>, else
// <source>/../shared/conformance/<suite>. Empty when neither exists.
std::string conformance_path(std::string_view suite);

// True under CI (CI=true): missing data or tools fail the test instead of skipping it.
bool running_in_ci();

// True when `program` is found in PATH.
bool have_program(std::string_view program);

// Polls until host:port accepts a TCP connection or timeout_ms passes.
bool wait_for_port(uint16_t port, int timeout_ms = 10000, const std::string& host = "127.0.0.1");

// A fresh temporary directory, removed (recursively) by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

// A server started as a child process, with stdout and stderr going to a log file.
class ServerProcess {
 public:
  // Starts `argv` and waits until 127.0.0.1:`port` accepts connections (port 0: do not wait).
  static Result<ServerProcess> start(const std::vector<std::string>& argv, uint16_t port,
                                     int timeout_ms = 15000,
                                     const std::vector<std::string>& env = {});

  // SIGTERM, wait (up to 10 s, then SIGKILL); returns everything the server printed.
  std::string stop();
  // What it has printed so far.
  std::string output() const;
  // Exit code after stop().
  int exit_code() const { return exit_code_; }
  bool running() { return process_.running() && !process_.try_wait(); }
  Subprocess& process() { return process_; }

 private:
  Subprocess process_;
  std::string log_path_;
  std::shared_ptr<TempDir> dir_;
  int exit_code_ = -1;
};

// A blocking TCP client for driving line protocols in tests.
class LineClient {
 public:
  static Result<LineClient> connect(uint16_t port, const std::string& host = "127.0.0.1");

  Status send(std::string_view bytes);
  // The next line without its "\r\n" or "\n"; an error after timeout_ms or on EOF.
  Result<std::string> read_line(int timeout_ms = 5000);
  // Reads lines until one contains `needle`; returns all lines read, joined with '\n'.
  Result<std::string> read_until(std::string_view needle, int timeout_ms = 5000);
  // Whatever arrives within timeout_ms (possibly nothing).
  std::string read_available(int timeout_ms = 200);
  // True when the server closes the connection within timeout_ms.
  bool wait_closed(int timeout_ms = 5000);
  int fd() const { return fd_.get(); }

 private:
  // Reads more bytes into buffer_; false on timeout, EOF or error.
  bool fill(int timeout_ms);
  Fd fd_;
  std::string buffer_;
  bool eof_ = false;
};

}  // namespace sfs::core::testing

// Skips the current test (or fails it under CI) because something it needs is missing.
#define SFS_SKIP_UNLESS_CI(message)                                     \
  do {                                                                  \
    if (::sfs::core::testing::running_in_ci()) {                       \
      FAIL() << "required under CI: " << (message);                    \
    } else {                                                            \
      GTEST_SKIP() << (message);                                        \
    }                                                                   \
  } while (0)
