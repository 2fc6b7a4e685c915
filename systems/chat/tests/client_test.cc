// IrcClient against an in-process Server on one EventLoop: registration, 433 handling, channel
// and private messages, PING answering, long-text splitting, quit; and the terminal client's
// rendering.
#include <gtest/gtest.h>

#include "systems/chat/chat.h"
#include "systems/chat/server.h"
#include "systems/chat/terminal_client.h"

namespace sfs::chat {
namespace {

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.port = 0;
    options.ping_interval_s = 1;
    options.ping_timeout_s = 2;
    server_ = std::make_unique<Server>(loop_, options);
    ASSERT_TRUE(server_->start().is_ok());
  }
  void TearDown() override {
    clients_.clear();
    server_.reset();
    loop_.run_once(core::Milliseconds(0));
  }

  IrcClient& client(const std::string& nick) {
    clients_.push_back(std::make_unique<IrcClient>(loop_));
    IrcClient& c = *clients_.back();
    EXPECT_TRUE(c.connect({.host = "127.0.0.1", .port = server_->port(), .nick = nick}).is_ok());
    return c;
  }
  // Runs the loop until `done()` or 10 s pass.
  bool run_until(const std::function<bool()>& done) {
    auto deadline = core::Clock::now() + std::chrono::seconds(10);
    while (!done()) {
      if (core::Clock::now() > deadline) return false;
      loop_.run_once(core::Milliseconds(20));
    }
    return true;
  }

  core::EventLoop loop_;
  std::unique_ptr<Server> server_;
  std::vector<std::unique_ptr<IrcClient>> clients_;
};

TEST_F(ClientTest, RegistersJoinsAndTalks) {
  IrcClient& alice = client("alice");
  IrcClient& bob = client("bob");
  std::vector<IrcMessage> bob_got;
  int joined = 0;
  auto on_join = [&](IrcClient& c) {
    return [&] { c.join("#sfs"); };
  };
  alice.on_registered(on_join(alice));
  bob.on_registered(on_join(bob));
  alice.on_message([&](const IrcMessage& m) {
    if (m.command == "366") ++joined;
  });
  bob.on_message([&](const IrcMessage& m) {
    bob_got.push_back(m);
    if (m.command == "366") ++joined;
  });
  ASSERT_TRUE(run_until([&] { return joined == 2; }));
  EXPECT_TRUE(alice.registered());
  EXPECT_EQ(alice.server_name(), "sfs.chat");
  EXPECT_FALSE(alice.isupport().empty());
  alice.privmsg("#sfs", "hello bob");
  alice.privmsg("bob", "psst");
  auto got = [&](const std::string& target, const std::string& text) {
    for (const IrcMessage& m : bob_got) {
      if (m.command == "PRIVMSG" && m.param(0) == target && m.param(1) == text &&
          m.prefix_nick() == "alice") {
        return true;
      }
    }
    return false;
  };
  ASSERT_TRUE(run_until([&] { return got("#sfs", "hello bob") && got("bob", "psst"); }));
}

TEST_F(ClientTest, NickInUseIsAltered) {
  IrcClient& first = client("same");
  ASSERT_TRUE(run_until([&] { return first.registered(); }));
  IrcClient& second = client("same");
  ASSERT_TRUE(run_until([&] { return second.registered(); }));
  EXPECT_EQ(first.nick(), "same");
  EXPECT_EQ(second.nick(), "same_");
  IrcClient& third = client("same");
  ASSERT_TRUE(run_until([&] { return third.registered(); }));
  EXPECT_EQ(third.nick(), "same1");
  third.set_nick("other");
  ASSERT_TRUE(run_until([&] { return third.nick() == "other"; }));
}

TEST_F(ClientTest, AnswersPingAndStaysConnected) {
  IrcClient& c = client("pinged");
  int pings = 0;
  c.on_message([&](const IrcMessage& m) {
    if (m.command == "PING") ++pings;
  });
  // The server pings after 1 s of silence and drops after 2 more; answering keeps us in.
  ASSERT_TRUE(run_until([&] { return pings >= 3; }));
  EXPECT_TRUE(c.connected());
}

TEST_F(ClientTest, LongAndMultiLineTextIsSplit) {
  IrcClient& alice = client("alice");
  IrcClient& bob = client("bob");
  std::string received;
  int messages = 0;
  bob.on_message([&](const IrcMessage& m) {
    if (m.command == "PRIVMSG") {
      received += m.param(1);
      ++messages;
    }
  });
  ASSERT_TRUE(run_until([&] { return alice.registered() && bob.registered(); }));
  std::string text;
  for (int i = 0; i < 300; ++i) text += "word" + std::to_string(i) + " ";
  text += "\xe2\x82\xac\xe2\x82\xac";  // two euro signs: never cut in half
  alice.privmsg("bob", text);
  alice.privmsg("bob", "line one\nline two\r\n");
  ASSERT_TRUE(run_until([&] { return received.find("line two") != std::string::npos; }));
  EXPECT_GE(messages, 5);
  EXPECT_NE(received.find("\xe2\x82\xac\xe2\x82\xac"), std::string::npos);
  EXPECT_NE(received.find("word299"), std::string::npos);
  EXPECT_EQ(received.find('\n'), std::string::npos);
}

TEST_F(ClientTest, QuitClosesCleanly) {
  IrcClient& c = client("leaver");
  ASSERT_TRUE(run_until([&] { return c.registered(); }));
  bool closed = false;
  core::Status why = core::Status::internal("not called");
  c.on_close([&](const core::Status& status) {
    closed = true;
    why = status;
  });
  c.quit("bye");
  ASSERT_TRUE(run_until([&] { return closed; }));
  EXPECT_TRUE(why.is_ok()) << why.to_string();
  EXPECT_FALSE(c.connected());
  c.privmsg("#x", "ignored after close");  // no crash
}

TEST_F(ClientTest, ServerClosingIsReported) {
  IrcClient& c = client("victim");
  ASSERT_TRUE(run_until([&] { return c.registered(); }));
  core::Status why;
  bool closed = false;
  c.on_close([&](const core::Status& status) {
    closed = true;
    why = status;
  });
  server_->shutdown("maintenance");
  ASSERT_TRUE(run_until([&] { return closed; }));
  EXPECT_FALSE(why.is_ok());
  EXPECT_NE(why.message().find("maintenance"), std::string::npos) << why.message();
}

TEST_F(ClientTest, ConnectFailureIsAnError) {
  IrcClient c(loop_);
  EXPECT_FALSE(c.connect({.host = "127.0.0.1", .port = 1, .nick = "x"}).is_ok());
  EXPECT_FALSE(c.connect({.host = "127.0.0.1", .port = server_->port(), .nick = ""}).is_ok());
}

TEST(TerminalClientTest, RendersMessages) {
  core::EventLoop loop;
  TerminalClient tc(loop, {.nick = "me"}, {});
  auto render = [&](const char* line) { return tc.render(*parse_message(line)); };
  EXPECT_EQ(render(":bob!b@h PRIVMSG me :hi"), "*bob* hi");
  EXPECT_EQ(render(":bob!b@h PRIVMSG #x :hi all"), "[#x] <bob> hi all");
  EXPECT_EQ(render(":bob!b@h PRIVMSG #x :\x01" "ACTION waves\x01"), "[#x] * bob waves");
  EXPECT_EQ(render(":bob!b@h NOTICE me :note"), "-bob- note");
  EXPECT_EQ(render(":bob!b@h JOIN #x"), "--> bob has joined #x");
  EXPECT_EQ(render(":bob!b@h PART #x :later"), "<-- bob has left #x (later)");
  EXPECT_EQ(render(":bob!b@h QUIT :Quit: bye"), "<-- bob has quit (Quit: bye)");
  EXPECT_EQ(render(":bob!b@h NICK :robert"), "bob is now known as robert");
  EXPECT_EQ(render(":bob!b@h TOPIC #x :new topic"), "bob changed the topic of #x to: new topic");
  EXPECT_EQ(render(":srv 433 me bob :Nickname is already in use"),
            "! bob Nickname is already in use");
  EXPECT_EQ(render(":srv 332 me #x :the topic"), "Topic for #x: the topic");
  EXPECT_EQ(render(":srv 353 me = #x :@a b"), "");
  EXPECT_EQ(render(":srv 366 me #x :End of NAMES list"), "Users on #x: @a b");
  EXPECT_EQ(render("PING :x"), "");
  // Control characters cannot reach the terminal.
  EXPECT_EQ(render(":bob!b@h PRIVMSG me :\x1b[2Jgotcha"), "*bob* [2Jgotcha");
}

}  // namespace
}  // namespace sfs::chat
