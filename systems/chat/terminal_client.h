// `sfs chat connect`: an interactive IRC client for the terminal, built from IrcClient (the
// protocol) and core::LineEditor (the input line, history, and printing above it).
//
//   ┌──────────────────────────────────────────────┐
//   │ 14:02 --> bob has joined #sfs                │  server messages, rendered by
//   │ 14:02 <bob> hi alice                         │  TerminalClient::render(), printed with
//   │ 14:03 <alice> hello                          │  LineEditor::print_above()
//   │ [alice on 127.0.0.1:6667] #sfs (2 users)     │  status line (reverse video)
//   │ [#sfs] hel|                                  │  prompt + input line
//   └──────────────────────────────────────────────┘
//
// A line that does not start with '/' goes to the current channel (the one joined last, or
// chosen with /join again). Commands: /join /part /msg /me /notice /nick /topic /names /whois
// /list /away /raw /quit /help. Lines typed before registration completes wait for it.
// Without a terminal (stdin a pipe) the same commands are read line by line and the output is
// plain text, which is how the tests drive it.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_loop.h"
#include "core/line_editor.h"
#include "systems/chat/chat.h"

namespace sfs::chat {

class TerminalClient {
 public:
  TerminalClient(core::EventLoop& loop, IrcClientOptions options,
                 std::vector<std::string> autojoin);
  // Connects and attaches the editor; errors when the connection fails.
  core::Status start();
  // 0 after a clean quit, 1 when the connection was lost.
  int exit_code() const { return exit_code_; }

  // How a server message is shown (a line of text, or "" to show nothing). Public for tests.
  std::string render(const IrcMessage& message);
  // Runs one line of user input (a /command or text for the current channel). Public for tests.
  void handle_input(std::string_view line);
  const std::string& current_channel() const { return current_; }

 private:
  void on_message(const IrcMessage& message);
  void on_close(const core::Status& reason);
  void on_input(const core::LineEditor::Input& input);
  void run_command(std::string_view command, std::string_view args);
  void say(std::string_view target, std::string_view text, bool action);
  void show(std::string_view text);
  void update_status();
  void finish(int code);

  core::EventLoop& loop_;
  IrcClientOptions options_;
  std::vector<std::string> autojoin_;
  IrcClient client_;
  core::LineEditor editor_;
  std::vector<std::string> channels_;  // joined, in order
  std::string current_;
  std::vector<std::string> queued_;  // input typed before registration
  bool input_ended_ = false;
  bool finished_ = false;
  int exit_code_ = 0;
  std::map<std::string, std::set<std::string>> members_;  // irc_lower(channel) -> nicks
  std::map<std::string, std::string> pending_names_;      // 353 replies collected until 366
};

// `sfs chat connect [host] [port] --nick N`.
int connect_main(int argc, char** argv);

}  // namespace sfs::chat
