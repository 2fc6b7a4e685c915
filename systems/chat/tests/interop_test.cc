// Interop with real IRC software:
//   - irc-framework (npm) clients chat through `sfs chat server`;
//   - irssi (Debian), running in tmux, connects to `sfs chat server` and sends a message;
//   - our `sfs chat connect` chats through ngircd (Debian) and through our own server, both
//     driven through a pipe (plain mode) and interactively in tmux (raw-mode line editor).
// Every server and client runs on 127.0.0.1 on a free port, and is stopped by the test.
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "core/file.h"
#include "core/process.h"
#include "core/testing/testing.h"

namespace sfs::chat {
namespace {

using core::testing::LineClient;
using core::testing::ServerProcess;
using core::testing::TempDir;

#ifdef SFS_SANITIZE
constexpr int kTimeoutMs = 30000;
#else
constexpr int kTimeoutMs = 15000;
#endif

std::string chat_dir() { return core::testing::source_dir() + "/systems/chat"; }

core::Result<ServerProcess> start_sfs_server(uint16_t port) {
  return ServerProcess::start({core::testing::sfs_binary(), "chat", "server", "--port",
                               std::to_string(port)},
                              port);
}

// ngircd with a generated configuration in `dir`, listening on 127.0.0.1:port only.
core::Result<ServerProcess> start_ngircd(const TempDir& dir, uint16_t port) {
  std::string config =
      "[Global]\n"
      "Name = ngircd.test\n"
      "Info = sfs interop peer\n"
      "Listen = 127.0.0.1\n"
      "Ports = " + std::to_string(port) + "\n"
      "MotdPhrase = ngircd for sfs tests\n"
      "PidFile = " + dir.file("ngircd.pid") + "\n"
      "[Limits]\n"
      "MaxConnections = 0\n"
      "MaxConnectionsIP = 0\n"
      "MaxJoins = 0\n"
      "MaxNickLength = 30\n"
      "[Options]\n"
      "DNS = no\n"
      "Ident = no\n"
      "PAM = no\n";
  SFS_TRY(core::write_file(dir.file("ngircd.conf"), config));
  return ServerProcess::start({"ngircd", "-n", "-f", dir.file("ngircd.conf")}, port);
}

// A raw-protocol participant that checks what the client under test does.
class Watcher {
 public:
  static Watcher join(uint16_t port, const std::string& nick, const std::string& channel) {
    Watcher w;
    auto client = LineClient::connect(port);
    EXPECT_TRUE(client.is_ok()) << client.status().to_string();
    w.client_ = std::make_unique<LineClient>(std::move(client).value());
    w.send("NICK " + nick);
    w.send("USER " + nick + " 0 * :watcher");
    w.expect(" 001 ");
    w.send("JOIN " + channel);
    w.expect(" 366 ");
    // Servers differ on whether new channels are +t; make it the same everywhere.
    w.send("MODE " + channel + " -t");
    w.send("PING :synced");
    w.expect("synced");
    return w;
  }
  void send(const std::string& line) { ASSERT_TRUE(client_->send(line + "\r\n").is_ok()); }
  std::string expect(const std::string& needle) {
    // Answer PINGs while waiting (ngircd pings new clients).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTimeoutMs);
    std::string seen;
    while (std::chrono::steady_clock::now() < deadline) {
      auto line = client_->read_line(500);
      if (!line.is_ok()) {
        if (line.status().code() == core::Code::kClosed) break;
        continue;
      }
      seen += *line + "\n";
      if (line->rfind("PING ", 0) == 0) send("PONG " + line->substr(5));
      if (line->find(needle) != std::string::npos) return seen;
    }
    ADD_FAILURE() << "watcher never saw '" << needle << "'; saw:\n" << seen;
    return seen;
  }

 private:
  std::unique_ptr<LineClient> client_;
};

// A private tmux server (its own socket) running one program in a fixed-size window.
class Tmux {
 public:
  explicit Tmux(const TempDir& dir) : socket_(dir.file("tmux.sock")) {}
  ~Tmux() { (void)core::run_and_capture({"tmux", "-S", socket_, "kill-server"}, "", 10000); }

  bool start(const std::string& command) {
    auto run = core::run_and_capture({"tmux", "-S", socket_, "-f", "/dev/null", "new-session",
                                      "-d", "-x", "120", "-y", "30", command},
                                     "", 10000, {"TERM=xterm-256color"});
    return run.is_ok() && run->exit_code == 0;
  }
  void type(const std::string& text) {
    (void)core::run_and_capture({"tmux", "-S", socket_, "send-keys", "-l", text}, "", 10000);
  }
  void enter() { (void)core::run_and_capture({"tmux", "-S", socket_, "send-keys", "Enter"}, "", 10000); }
  std::string screen() {
    auto run = core::run_and_capture({"tmux", "-S", socket_, "capture-pane", "-p", "-S", "-100"},
                                     "", 10000);
    return run.is_ok() ? run->output : "";
  }
  // Polls the screen until it shows `needle`.
  bool wait_for(const std::string& needle) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTimeoutMs);
    while (std::chrono::steady_clock::now() < deadline) {
      if (screen().find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

 private:
  std::string socket_;
};

// ---- irc-framework ----

TEST(ChatInteropTest, IrcFrameworkClientsChat) {
  std::string script = chat_dir() + "/tests/node/chat_interop.js";
  if (!core::testing::have_program("node") ||
      !core::file_exists(chat_dir() + "/tests/node/node_modules/irc-framework/package.json")) {
    SFS_SKIP_UNLESS_CI("node and irc-framework are needed (scripts/setup test)");
  }
  uint16_t port = core::testing::free_port();
  auto server = start_sfs_server(port);
  ASSERT_TRUE(server.is_ok()) << server.status().to_string();
  auto run = core::run_and_capture({"node", script, std::to_string(port)}, "", 60000);
  ASSERT_TRUE(run.is_ok()) << run.status().to_string();
  std::string log = server->stop();
  EXPECT_EQ(run->exit_code, 0) << run->output << "\nserver:\n" << log;
  EXPECT_NE(run->output.find("OK"), std::string::npos) << run->output;
}

// ---- irssi ----

TEST(ChatInteropTest, IrssiSendsAMessage) {
  if (!core::testing::have_program("irssi") || !core::testing::have_program("tmux")) {
    SFS_SKIP_UNLESS_CI("irssi and tmux are needed (scripts/setup test)");
  }
  TempDir dir;
  uint16_t port = core::testing::free_port();
  auto server = start_sfs_server(port);
  ASSERT_TRUE(server.is_ok()) << server.status().to_string();
  Watcher watcher = Watcher::join(port, "watcher", "#smoke");
  Tmux tmux(dir);
  ASSERT_TRUE(tmux.start("irssi --home=" + dir.path() + "/irssi -c 127.0.0.1 -p " +
                         std::to_string(port) + " -n irssiuser"));
  ASSERT_TRUE(tmux.wait_for("End of MOTD")) << tmux.screen();
  tmux.type("/join #smoke");
  tmux.enter();
  watcher.expect(":irssiuser!");
  tmux.type("hello from irssi");
  tmux.enter();
  watcher.expect("PRIVMSG #smoke :hello from irssi");
  watcher.send("PRIVMSG #smoke :hello irssi");
  EXPECT_TRUE(tmux.wait_for("hello irssi")) << tmux.screen();
  tmux.type("/quit");
  tmux.enter();
  watcher.expect("QUIT");
  server->stop();
}

// ---- our terminal client ----

// Runs `sfs chat connect` with its stdin and stdout on pipes (plain mode).
class PipedClient {
 public:
  bool start(uint16_t port, const std::string& nick) {
    core::SubprocessOptions options;
    options.argv = {core::testing::sfs_binary(), "chat", "connect", "127.0.0.1",
                    std::to_string(port), "--nick", nick};
    options.stdin_mode = core::SubprocessOptions::Stream::kPipe;
    options.stdout_mode = core::SubprocessOptions::Stream::kPipe;
    options.stderr_to_stdout = true;
    auto process = core::Subprocess::start(options);
    if (!process.is_ok()) return false;
    process_ = std::move(process).value();
    return true;
  }
  void type(const std::string& line) {
    ASSERT_TRUE(core::write_all(process_.stdin_pipe().get(), line + "\n").is_ok());
  }
  void close_input() { process_.stdin_pipe().reset(); }
  bool wait_for(const std::string& needle) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTimeoutMs);
    while (output_.find(needle) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) return false;
      pollfd pfd{process_.stdout_pipe().get(), POLLIN, 0};
      if (::poll(&pfd, 1, static_cast<int>(left)) <= 0) continue;
      char chunk[4096];
      ssize_t n = ::read(process_.stdout_pipe().get(), chunk, sizeof(chunk));
      if (n <= 0) return output_.find(needle) != std::string::npos;
      output_.append(chunk, static_cast<size_t>(n));
    }
    return true;
  }
  const std::string& output() const { return output_; }
  std::optional<int> wait_exit() { return process_.wait_for(kTimeoutMs); }

 private:
  core::Subprocess process_;
  std::string output_;
};

void chat_through_pipe(uint16_t port) {
  Watcher watcher = Watcher::join(port, "watcher", "#room");
  PipedClient client;
  ASSERT_TRUE(client.start(port, "piped"));
  client.type("/join #room");
  watcher.expect(":piped!");
  ASSERT_TRUE(client.wait_for("Users on #room")) << client.output();
  client.type("hello from sfs chat connect");
  watcher.expect("PRIVMSG #room :hello from sfs chat connect");
  watcher.send("PRIVMSG #room :hi piped");
  ASSERT_TRUE(client.wait_for("<watcher> hi piped")) << client.output();
  client.type("/msg watcher a private word");
  watcher.expect("PRIVMSG watcher :a private word");
  watcher.send("PRIVMSG piped :private reply");
  ASSERT_TRUE(client.wait_for("*watcher* private reply")) << client.output();
  client.type("/me waves");
  watcher.expect("PRIVMSG #room :\x01" "ACTION waves\x01");
  client.type("/topic a topic from the client");
  watcher.expect("TOPIC #room :a topic from the client");
  client.type("/names");
  ASSERT_TRUE(client.wait_for("watcher")) << client.output();
  client.type("/nick piped2");
  watcher.expect("NICK :piped2");
  client.type("/part #room");
  watcher.expect("PART #room");
  client.type("/join #room");
  watcher.expect("JOIN");
  client.type("/quit see you");
  watcher.expect("QUIT :");
  auto code = client.wait_exit();
  ASSERT_TRUE(code.has_value()) << client.output();
  EXPECT_EQ(*code, 0) << client.output();
}

void chat_in_tmux(uint16_t port, const TempDir& dir) {
  Watcher watcher = Watcher::join(port, "watcher", "#room");
  Tmux tmux(dir);
  ASSERT_TRUE(tmux.start(core::testing::sfs_binary() + " chat connect 127.0.0.1 " +
                         std::to_string(port) + " --nick tty -j '#room'"));
  watcher.expect(":tty!");
  ASSERT_TRUE(tmux.wait_for("[#room]")) << tmux.screen();  // the prompt names the channel
  EXPECT_TRUE(tmux.wait_for("[tty on 127.0.0.1:" + std::to_string(port) + "] #room"))
      << tmux.screen();  // the status line
  // Type with a correction: "hellp" Backspace "o".
  tmux.type("hellp");
  (void)core::run_and_capture({"tmux", "-S", dir.file("tmux.sock"), "send-keys", "BSpace"}, "",
                              10000);
  tmux.type("o from tmux");
  tmux.enter();
  watcher.expect("PRIVMSG #room :hello from tmux");
  // A message arriving while something is typed shows above the input line, which survives.
  tmux.type("half typed");
  watcher.send("PRIVMSG #room :incoming while typing");
  ASSERT_TRUE(tmux.wait_for("<watcher> incoming while typing")) << tmux.screen();
  ASSERT_TRUE(tmux.wait_for("[#room] half typed")) << tmux.screen();
  tmux.enter();
  watcher.expect("PRIVMSG #room :half typed");
  tmux.type("/quit");
  tmux.enter();
  watcher.expect("QUIT");
}

TEST(ChatInteropTest, OurClientThroughNgircd) {
  if (!core::testing::have_program("ngircd")) {
    SFS_SKIP_UNLESS_CI("ngircd is needed (scripts/setup test)");
  }
  TempDir dir;
  uint16_t port = core::testing::free_port();
  auto server = start_ngircd(dir, port);
  ASSERT_TRUE(server.is_ok()) << server.status().to_string();
  chat_through_pipe(port);
  if (core::testing::have_program("tmux")) chat_in_tmux(port, dir);
  server->stop();
}

TEST(ChatInteropTest, OurClientThroughOurServer) {
  TempDir dir;
  uint16_t port = core::testing::free_port();
  auto server = start_sfs_server(port);
  ASSERT_TRUE(server.is_ok()) << server.status().to_string();
  chat_through_pipe(port);
  if (core::testing::have_program("tmux")) {
    chat_in_tmux(port, dir);
  } else {
    SFS_SKIP_UNLESS_CI("tmux is needed for the interactive part (scripts/setup test)");
  }
  std::string log = server->stop();
  EXPECT_EQ(server->exit_code(), 0) << log;
}

}  // namespace
}  // namespace sfs::chat
