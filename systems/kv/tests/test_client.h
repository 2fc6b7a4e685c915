// Test helpers for kv: a blocking RESP client whose replies come back as compact strings, and a
// helper that starts `sfs kv server` in a temporary directory on a free port.
//
// Reply notation (chosen so expectations read like redis-cli output):
//   +OK -> "OK"     -ERR x -> "-ERR x"    :5 -> ":5"     $3 abc -> "abc"    $-1 / _ -> "(nil)"
//   *2 [..] -> "[a,:1]"    *-1 -> "(nil)"    ,1.5 -> ",1.5"    #t -> "#t"    %1 -> "{k:v}"
//   ~2 -> "~[a,b]"    >3 -> ">[message,ch,hi]"
#pragma once

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/socket.h"
#include "core/strings.h"
#include "core/testing/testing.h"
#include "systems/kv/resp.h"

namespace sfs::kv::testing {

class RespClient {
 public:
  static core::Result<RespClient> connect(uint16_t port) {
    RespClient c;
    SFS_ASSIGN_OR_RETURN(c.fd_, core::tcp_connect("127.0.0.1", port, 5000));
    return c;
  }

  static std::string encode(const std::vector<std::string>& args) {
    std::string out = "*" + std::to_string(args.size()) + "\r\n";
    for (const auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
    return out;
  }

  bool send_raw(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Sends a command and returns its reply ("<timeout>" / "<closed>" on failure).
  std::string call(const std::vector<std::string>& args, int timeout_ms = 10000) {
    if (!send_raw(encode(args))) return "<closed>";
    return read(timeout_ms);
  }

  // Reads one reply.
  std::string read(int timeout_ms = 10000) {
    while (true) {
      size_t pos = 0;
      std::string out;
      int r = parse(&pos, &out);
      if (r > 0) {
        buffer_.erase(0, pos);
        return out;
      }
      if (r < 0) return "<protocol error>";
      if (!fill(timeout_ms)) return closed_ ? "<closed>" : "<timeout>";
    }
  }

  // True if the server closes the connection within timeout_ms.
  bool wait_closed(int timeout_ms = 5000) {
    while (fill(timeout_ms)) {}
    return closed_;
  }
  int fd() const { return fd_.get(); }

 private:
  bool fill(int timeout_ms) {
    if (closed_) return false;
    pollfd p{fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    char chunk[65536];
    ssize_t n = ::recv(fd_.get(), chunk, sizeof(chunk), 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  // 1: parsed, 0: need more, -1: error.
  int parse(size_t* pos, std::string* out) {
    size_t p = *pos;
    size_t nl = buffer_.find("\r\n", p);
    if (p >= buffer_.size() || nl == std::string::npos) return 0;
    char type = buffer_[p];
    std::string line = buffer_.substr(p + 1, nl - p - 1);
    p = nl + 2;
    switch (type) {
      case '+': *out = line; break;
      case '-': *out = "-" + line; break;
      case ':': *out = ":" + line; break;
      case ',': *out = "," + line; break;
      case '#': *out = "#" + line; break;
      case '_': *out = "(nil)"; break;
      case '$': case '=': {
        long len = std::stol(line);
        if (len < 0) {
          *out = "(nil)";
          break;
        }
        if (buffer_.size() < p + static_cast<size_t>(len) + 2) return 0;
        *out = buffer_.substr(p, static_cast<size_t>(len));
        p += static_cast<size_t>(len) + 2;
        break;
      }
      case '*': case '~': case '>': case '%': {
        long n = std::stol(line);
        if (n < 0) {
          *out = "(nil)";
          break;
        }
        size_t count = static_cast<size_t>(n) * (type == '%' ? 2 : 1);
        std::string joined;
        for (size_t i = 0; i < count; ++i) {
          std::string item;
          int r = parse(&p, &item);
          if (r <= 0) return r;
          if (i > 0) joined += (type == '%' && i % 2 == 1) ? ":" : ",";
          joined += item;
        }
        if (type == '%') *out = "{" + joined + "}";
        else *out = std::string(type == '~' ? "~" : type == '>' ? ">" : "") + "[" + joined + "]";
        break;
      }
      default:
        return -1;
    }
    *pos = p;
    return 1;
  }

  core::Fd fd_;
  std::string buffer_;
  bool closed_ = false;
};

// A running `sfs kv server` in its own temporary directory.
struct KvServer {
  uint16_t port = 0;
  std::shared_ptr<core::testing::TempDir> dir;
  core::testing::ServerProcess process;

  // Extra arguments are appended to the command line ("--appendonly", "yes", ...).
  static core::Result<std::unique_ptr<KvServer>> start(std::vector<std::string> extra = {},
                                                       std::shared_ptr<core::testing::TempDir> dir = nullptr) {
    auto s = std::make_unique<KvServer>();
    s->port = core::testing::free_port();
    s->dir = dir ? dir : std::make_shared<core::testing::TempDir>();
    std::vector<std::string> argv = {core::testing::sfs_binary(), "kv", "server", "--port",
                                     std::to_string(s->port), "--dir", s->dir->path(), "--save", ""};
    argv.insert(argv.end(), extra.begin(), extra.end());
    SFS_ASSIGN_OR_RETURN(s->process, core::testing::ServerProcess::start(argv, s->port, 30000));
    return s;
  }

  RespClient client() {
    auto c = RespClient::connect(port);
    EXPECT_TRUE(c.is_ok()) << c.status().to_string();
    return std::move(c).value();
  }
};

// The command case files (tests/cases/*.txt): each command line is followed by "=> <reply>".
inline std::string cases_dir() { return core::testing::source_dir() + "/systems/kv/tests/cases"; }

inline std::vector<std::string> case_files() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(cases_dir())) {
    if (e.path().extension() == ".txt") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Runs one case file against the server on `port`; reports every mismatch.
inline void run_cases(uint16_t port, const std::string& path, const std::string& label) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  auto client = RespClient::connect(port);
  ASSERT_TRUE(client.is_ok());
  ASSERT_EQ(client->call({"FLUSHALL"}), "OK");
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  size_t checked = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.empty() || line[0] == '#' || line.rfind("=> ", 0) == 0) continue;
    if (line == "!resp3") {
      client->call({"HELLO", "3"});
      continue;
    }
    std::vector<std::string> args;
    ASSERT_TRUE(split_args(line, &args)) << line;
    ASSERT_TRUE(i + 1 < lines.size() && lines[i + 1].rfind("=> ", 0) == 0)
        << path << ": no expected reply after '" << line << "'";
    std::string expected = lines[i + 1].substr(3);
    std::string got = client->call(args);
    EXPECT_EQ(got, expected) << label << " " << std::filesystem::path(path).filename().string()
                             << ":" << (i + 1) << ": " << line;
    ++checked;
  }
  EXPECT_GT(checked, 10u);
}

}  // namespace sfs::kv::testing
