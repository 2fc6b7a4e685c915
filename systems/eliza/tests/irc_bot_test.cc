// Interop: `sfs eliza --irc` in a channel of `sfs chat server`, driven by plain IRC clients
// speaking the protocol over loopback sockets — the way people on IRC would talk to it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/file.h"
#include "core/strings.h"
#include "core/testing/testing.h"
#include "systems/chat/chat.h"
#include "systems/eliza/irc_bot.h"

namespace sfs::eliza {
namespace {

using core::testing::LineClient;
using core::testing::ServerProcess;

constexpr int kTimeoutMs = 20000;

// One person on IRC: a raw protocol client that registers, joins, talks and listens.
class IrcUser {
 public:
  static std::unique_ptr<IrcUser> connect(uint16_t port, const std::string& nick) {
    auto client = LineClient::connect(port);
    EXPECT_TRUE(client.is_ok()) << client.status().to_string();
    if (!client.is_ok()) return nullptr;
    auto user = std::unique_ptr<IrcUser>(new IrcUser(std::move(*client), nick));
    EXPECT_TRUE(user->client_.send("NICK " + nick + "\r\nUSER " + nick + " 0 * :" + nick + "\r\n")
                    .is_ok());
    if (!user->wait_for([](const chat::IrcMessage& m) { return m.command == "001"; })) return nullptr;
    return user;
  }

  void join(const std::string& channel) {
    ASSERT_TRUE(client_.send("JOIN " + channel + "\r\n").is_ok());
    ASSERT_TRUE(wait_for([](const chat::IrcMessage& m) { return m.command == "366"; }));
  }
  void say(const std::string& target, const std::string& text) {
    ASSERT_TRUE(client_.send("PRIVMSG " + target + " :" + text + "\r\n").is_ok());
  }
  void send_raw(const std::string& line) { ASSERT_TRUE(client_.send(line + "\r\n").is_ok()); }

  // The next PRIVMSG from `from` (skipping everything else); "" on timeout. `target` receives
  // where it was sent. With `for_me`, channel lines not starting "<for_me>: " (answers to other
  // people) are skipped too.
  std::string next_privmsg_from(const std::string& from, std::string* target = nullptr,
                                const std::string& for_me = "") {
    chat::IrcMessage found;
    bool ok = wait_for([&](const chat::IrcMessage& m) {
      if (m.command != "PRIVMSG" || !chat::irc_equal(m.prefix_nick(), from)) return false;
      if (!for_me.empty() && chat::is_channel_name(m.param(0)) &&
          m.param(1).rfind(for_me + ": ", 0) != 0) {
        return false;
      }
      found = m;
      return true;
    });
    if (!ok) return "";
    if (target != nullptr) *target = found.param(0);
    return found.param(1);
  }

  // Reads messages (answering PING) until `match` accepts one; false after kTimeoutMs.
  template <typename Match>
  bool wait_for(Match match) {
    for (;;) {
      auto line = client_.read_line(kTimeoutMs);
      if (!line.is_ok()) {
        ADD_FAILURE() << nick_ << ": " << line.status().to_string();
        return false;
      }
      auto message = chat::parse_message(*line);
      if (!message.is_ok()) continue;
      if (message->command == "PING") send_raw("PONG :" + message->param(0));
      seen_.push_back(*line);
      if (match(*message)) return true;
    }
  }

  const std::vector<std::string>& seen() const { return seen_; }

 private:
  IrcUser(LineClient client, std::string nick) : client_(std::move(client)), nick_(std::move(nick)) {}
  LineClient client_;
  std::string nick_;
  std::vector<std::string> seen_;
};

class ElizaIrc : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = core::testing::free_port();
    auto server = ServerProcess::start({core::testing::sfs_binary(), "chat", "server", "--port",
                                        std::to_string(port_)},
                                       port_);
    ASSERT_TRUE(server.is_ok()) << server.status().to_string();
    server_ = std::make_unique<ServerProcess>(std::move(*server));
  }
  void TearDown() override {
    if (bot_) bot_->stop();
    if (server_) server_->stop();
  }

  // Starts the bot with `args` and waits until it greets `watcher`'s channel.
  std::string start_bot(const std::vector<std::string>& args, IrcUser& watcher) {
    std::vector<std::string> argv = {core::testing::sfs_binary(), "eliza", "--irc",
                                     "127.0.0.1:" + std::to_string(port_), "--channel",
                                     "#therapy"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto bot = ServerProcess::start(argv, 0);
    EXPECT_TRUE(bot.is_ok()) << bot.status().to_string();
    if (!bot.is_ok()) return "";
    bot_ = std::make_unique<ServerProcess>(std::move(*bot));
    return watcher.next_privmsg_from("eliza");
  }

  uint16_t port_ = 0;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<ServerProcess> bot_;
};

TEST(ElizaAddressedTo, NickThenColonOrComma) {
  EXPECT_EQ(addressed_to("eliza: hello there", "eliza"), "hello there");
  EXPECT_EQ(addressed_to("ELIZA,hi", "eliza"), "hi");
  EXPECT_EQ(addressed_to("eliza:", "eliza"), "");
  EXPECT_EQ(addressed_to("Eliza[]: x", "eliza{}"), "x");  // rfc1459 case mapping
  EXPECT_FALSE(addressed_to("eliza", "eliza"));
  EXPECT_FALSE(addressed_to("elizabeth: hi", "eliza"));
  EXPECT_FALSE(addressed_to("hello eliza: hi", "eliza"));
  EXPECT_FALSE(addressed_to("hi", ""));
}

TEST_F(ElizaIrc, AnswersInTheChannelOneConversationPerNick) {
  auto alice = IrcUser::connect(port_, "alice");
  auto bob = IrcUser::connect(port_, "bob");
  ASSERT_TRUE(alice && bob);
  alice->join("#therapy");
  bob->join("#therapy");
  ASSERT_EQ(start_bot({"--builtin"}, *alice),
            "HELLO. I AM THE DUCK. TELL ME WHAT YOUR PROGRAM DOES WRONG");

  // Not addressed to the bot: ignored. The next thing alice hears from it answers her next line.
  alice->say("#therapy", "hello everyone");  // answered, it would get a NONE reply
  alice->say("#therapy", "eliza: My program has a bug.");
  std::string target;
  EXPECT_EQ(alice->next_privmsg_from("eliza", &target, "alice"),
            "alice: WHAT DOES YOUR PROGRAM DO JUST BEFORE IT GOES WRONG");
  EXPECT_EQ(target, "#therapy");

  // Bob has a conversation of his own: the same line gets the first reassembly again.
  bob->say("#therapy", "Eliza, my program has a bug");
  EXPECT_EQ(bob->next_privmsg_from("eliza", nullptr, "bob"),
            "bob: WHAT DOES YOUR PROGRAM DO JUST BEFORE IT GOES WRONG");
  alice->say("#therapy", "eliza: my program has a bug");
  EXPECT_EQ(alice->next_privmsg_from("eliza", nullptr, "alice"),
            "alice: WHEN DID YOUR PROGRAM LAST WORK PROPERLY");

  // A private message gets a private reply, in the same conversation.
  alice->say("eliza", "my program has a bug");
  EXPECT_EQ(alice->next_privmsg_from("eliza", &target, "alice"),
            "COULD YOU SHOW THE PROBLEM WITH A SMALLER PROGRAM");
  EXPECT_EQ(target, "alice");

  // A nick change keeps the conversation.
  alice->send_raw("NICK carol");
  alice->say("#therapy", "eliza: my program has a bug");
  EXPECT_EQ(alice->next_privmsg_from("eliza", nullptr, "carol"),
            "carol: WHO ELSE HAS LOOKED AT YOUR PROGRAM");

  // Addressed with nothing said: the greeting.
  bob->say("#therapy", "eliza:");
  EXPECT_EQ(bob->next_privmsg_from("eliza", nullptr, "bob"),
            "bob: HELLO. I AM THE DUCK. TELL ME WHAT YOUR PROGRAM DOES WRONG");

  // SIGTERM: the bot says goodbye with QUIT and exits cleanly.
  std::string log = bot_->stop();
  EXPECT_EQ(bot_->exit_code(), 0) << log;
  EXPECT_TRUE(bob->wait_for([](const chat::IrcMessage& m) {
    return m.command == "QUIT" && m.prefix_nick() == "eliza";
  }));
  bot_.reset();
}

TEST_F(ElizaIrc, PublishedConversationOverIrc) {
  std::string dir = core::testing::conformance_path("eliza");
  if (dir.empty()) SFS_SKIP_UNLESS_CI("conformance data eliza/ is not installed");
  auto text = core::read_file(dir + "/1966-CACM-conversation.txt");
  ASSERT_TRUE(text.is_ok());
  auto user = IrcUser::connect(port_, "patient");
  ASSERT_TRUE(user);
  user->join("#therapy");
  ASSERT_EQ(start_bot({"--script", dir + "/DOCTOR-1966-CACM.txt"}, *user),
            "HOW DO YOU DO. PLEASE TELL ME YOUR PROBLEM");
  int exchanges = 0;
  std::string input;
  for (std::string_view line : core::split(*text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    if (line.substr(0, 2) == "> ") {
      input = std::string(line.substr(2));
      user->say("#therapy", "eliza: " + input);
    } else {
      EXPECT_EQ(user->next_privmsg_from("eliza", nullptr, "patient"),
                "patient: " + std::string(line))
          << input;
      ++exchanges;
    }
  }
  EXPECT_EQ(exchanges, 15);
}

TEST_F(ElizaIrc, ReconnectsWhenTheServerComesBack) {
  auto user = IrcUser::connect(port_, "alice");
  ASSERT_TRUE(user);
  user->join("#therapy");
  ASSERT_FALSE(start_bot({"--builtin"}, *user).empty());
  user.reset();
  server_->stop();
  auto server = ServerProcess::start({core::testing::sfs_binary(), "chat", "server", "--port",
                                      std::to_string(port_)},
                                     port_);
  ASSERT_TRUE(server.is_ok()) << server.status().to_string();
  server_ = std::make_unique<ServerProcess>(std::move(*server));
  user = IrcUser::connect(port_, "alice");
  ASSERT_TRUE(user);
  user->join("#therapy");
  // The bot retries after 1 s, then 2 s, ...; when it is back it joins and greets again.
  EXPECT_EQ(user->next_privmsg_from("eliza"),
            "HELLO. I AM THE DUCK. TELL ME WHAT YOUR PROGRAM DOES WRONG");
  user->say("#therapy", "eliza: thanks");
  EXPECT_EQ(user->next_privmsg_from("eliza", nullptr, "alice"),
            "alice: YOU FOUND IT YOURSELF. I ONLY LISTENED");
}

// The bot on a real IRC server: ngircd (Debian), on a free loopback port.
TEST(ElizaIrcNgircd, AnswersOnARealIrcServer) {
  std::string ngircd = core::file_exists("/usr/sbin/ngircd") ? "/usr/sbin/ngircd" : "ngircd";
  if (!core::file_exists("/usr/sbin/ngircd") && !core::testing::have_program("ngircd")) {
    SFS_SKIP_UNLESS_CI("ngircd is not installed (scripts/setup test installs it)");
  }
  core::testing::TempDir dir;
  uint16_t port = core::testing::free_port();
  ASSERT_TRUE(core::write_file(dir.file("ngircd.conf"),
                               "[Global]\nName = irc.sfs.test\nInfo = sfs eliza test\n"
                               "Listen = 127.0.0.1\nPorts = " + std::to_string(port) +
                                   "\nMotdPhrase = hello\n[Options]\nPAM = no\nIdent = no\n"
                                   "DNS = no\n")
                  .is_ok());
  auto server = ServerProcess::start({ngircd, "-n", "-f", dir.file("ngircd.conf")}, port);
  ASSERT_TRUE(server.is_ok()) << server.status().to_string();

  auto user = IrcUser::connect(port, "alice");
  ASSERT_TRUE(user);
  user->join("#therapy");
  auto bot = ServerProcess::start({core::testing::sfs_binary(), "eliza", "--builtin", "--irc",
                                   "127.0.0.1:" + std::to_string(port), "--channel", "#therapy"},
                                  0);
  ASSERT_TRUE(bot.is_ok()) << bot.status().to_string();
  EXPECT_EQ(user->next_privmsg_from("eliza"),
            "HELLO. I AM THE DUCK. TELL ME WHAT YOUR PROGRAM DOES WRONG");
  user->say("#therapy", "eliza: My program has a bug.");
  EXPECT_EQ(user->next_privmsg_from("eliza", nullptr, "alice"),
            "alice: WHAT DOES YOUR PROGRAM DO JUST BEFORE IT GOES WRONG");
  user->say("eliza", "I'm stuck");
  EXPECT_EQ(user->next_privmsg_from("eliza", nullptr, "alice"), "HOW LONG HAVE YOU BEEN STUCK");
  std::string log = bot->stop();
  EXPECT_EQ(bot->exit_code(), 0) << log;
  server->stop();
}

TEST(ElizaIrcCli, ReportsBadArgumentsAndUnreachableServers) {
  std::string sfs = core::testing::sfs_binary();
  auto no_channel = core::run_and_capture({sfs, "eliza", "--builtin", "--irc", "127.0.0.1:6667"});
  ASSERT_TRUE(no_channel.is_ok());
  EXPECT_EQ(no_channel->exit_code, 2);
  EXPECT_NE(no_channel->output.find("--channel"), std::string::npos);

  auto bad_channel = core::run_and_capture(
      {sfs, "eliza", "--builtin", "--irc", "127.0.0.1:6667", "--channel", "therapy"});
  ASSERT_TRUE(bad_channel.is_ok());
  EXPECT_EQ(bad_channel->exit_code, 2);
  EXPECT_NE(bad_channel->output.find("not a channel name"), std::string::npos);

  uint16_t closed = core::testing::free_port();
  auto refused = core::run_and_capture({sfs, "eliza", "--builtin", "--irc",
                                        "127.0.0.1:" + std::to_string(closed), "--channel", "#x"});
  ASSERT_TRUE(refused.is_ok());
  EXPECT_EQ(refused->exit_code, 1);
  EXPECT_NE(refused->output.find("sfs eliza:"), std::string::npos) << refused->output;
}

}  // namespace
}  // namespace sfs::eliza
