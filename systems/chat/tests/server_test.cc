// `sfs chat server` driven over loopback with raw protocol lines: registration, numerics,
// channels and modes, messaging, case mapping, bad input, idle PING, flood control, shutdown.
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "core/strings.h"
#include "core/testing/testing.h"

namespace sfs::chat {
namespace {

using core::testing::LineClient;
using core::testing::ServerProcess;

#ifdef SFS_SANITIZE
constexpr int kTimeoutMs = 20000;
#else
constexpr int kTimeoutMs = 8000;
#endif

class ChatServerTest : public ::testing::Test {
 protected:
  void start(std::vector<std::string> extra = {}) {
    port_ = core::testing::free_port();
    std::vector<std::string> argv = {core::testing::sfs_binary(), "chat", "server", "--port",
                                     std::to_string(port_)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto server = ServerProcess::start(argv, port_);
    ASSERT_TRUE(server.is_ok()) << server.status().to_string();
    server_ = std::make_unique<ServerProcess>(std::move(server).value());
  }
  void SetUp() override {
    if (!std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())
             .starts_with("Custom")) {
      start();
    }
  }
  void TearDown() override {
    if (server_) {
      std::string log = server_->stop();
      EXPECT_EQ(server_->exit_code(), 0) << log;
    }
  }

  LineClient raw() {
    auto client = LineClient::connect(port_);
    EXPECT_TRUE(client.is_ok()) << client.status().to_string();
    return std::move(client).value();
  }
  // A registered client; the welcome burst has been read.
  LineClient user(const std::string& nick) {
    LineClient client = raw();
    EXPECT_TRUE(client.send("NICK " + nick + "\r\nUSER " + nick + " 0 * :" + nick + " real\r\n").is_ok());
    expect(client, " 376 " + nick + " ");
    return client;
  }
  // Reads until a line containing `needle`; returns all lines read.
  std::string expect(LineClient& client, const std::string& needle) {
    auto lines = client.read_until(needle, kTimeoutMs);
    EXPECT_TRUE(lines.is_ok()) << lines.status().to_string();
    return lines.is_ok() ? *lines : "";
  }
  void send(LineClient& client, const std::string& line) {
    ASSERT_TRUE(client.send(line + "\r\n").is_ok());
  }
  // Sends a PING and reads up to its PONG: everything the server sent before it is returned.
  std::string sync(LineClient& client) {
    std::string token = "sync" + std::to_string(++syncs_);
    send(client, "PING " + token);
    return expect(client, "PONG sfs.chat :" + token);
  }

  uint16_t port_ = 0;
  std::unique_ptr<ServerProcess> server_;
  int syncs_ = 0;
};

TEST_F(ChatServerTest, RegistrationSendsWelcomeBurst) {
  LineClient c = raw();
  send(c, "NICK alice");
  send(c, "USER al 0 * :Alice Example");
  std::string burst = expect(c, " 376 ");
  for (const char* code : {" 001 alice :Welcome to the sfs IRC Network alice!al@127.0.0.1", " 002 ",
                           " 003 ", " 004 alice sfs.chat ", " 005 alice ", "CASEMAPPING=rfc1459",
                           "PREFIX=(ov)@+", "CHANTYPES=#&", " 251 ", " 252 ", " 253 ", " 254 ",
                           " 255 ", " 375 ", " 372 "}) {
    EXPECT_NE(burst.find(code), std::string::npos) << code << "\n" << burst;
  }
}

TEST_F(ChatServerTest, CommandsBeforeRegistrationGet451) {
  LineClient c = raw();
  send(c, "JOIN #sfs");
  expect(c, ":sfs.chat 451 * :You have not registered");
  send(c, "PRIVMSG bob :hi");
  expect(c, " 451 ");
  send(c, "BOGUS");
  expect(c, " 451 ");
  send(c, "PING :still here");  // allowed before registration
  expect(c, "PONG sfs.chat :still here");
  send(c, "NICK early");
  send(c, "USER e 0 * :E");
  expect(c, " 001 early ");
}

TEST_F(ChatServerTest, RegistrationErrors) {
  LineClient c = raw();
  send(c, "NICK");
  expect(c, " 431 * :No nickname given");
  send(c, "NICK 1bad");
  expect(c, " 432 * 1bad :Erroneous nickname");
  send(c, "NICK \xc3\xa9t\xc3\xa9");
  expect(c, " 432 ");
  send(c, "USER onlyone");
  expect(c, " 461 * USER :Not enough parameters");
  LineClient alice = user("alice");
  send(c, "NICK ALICE");  // rfc1459 case mapping: the same nick
  expect(c, " 433 * ALICE :Nickname is already in use");
  send(c, "NICK al{ce");
  send(c, "USER x 0 * :x");
  expect(c, " 001 al{ce ");
  send(c, "USER again 0 * :x");
  expect(c, " 462 ");
  LineClient d = raw();
  send(d, "NICK AL[CE");  // '[' is the upper case of '{'
  expect(d, " 433 * AL[CE ");
}

TEST_F(ChatServerTest, UnknownCommandAfterRegistration) {
  LineClient c = user("alice");
  send(c, "FROBNICATE x y");
  expect(c, ":sfs.chat 421 alice FROBNICATE :Unknown command");
  send(c, "privmsg");  // lower case commands are fine; too few params
  expect(c, " 411 alice :No recipient given (PRIVMSG)");
  send(c, "PRIVMSG bob");
  expect(c, " 412 alice :No text to send");
  send(c, "PRIVMSG nobody :hi");
  expect(c, " 401 alice nobody :No such nick/channel");
  send(c, "PRIVMSG #nowhere :hi");
  expect(c, " 403 alice #nowhere :No such channel");
  send(c, "KICK #x");
  expect(c, " 461 alice KICK :Not enough parameters");
  send(c, "PING");
  expect(c, " 409 alice ");
}

TEST_F(ChatServerTest, ChannelMessagesAndPrivateMessages) {
  LineClient alice = user("alice");
  LineClient bob = user("bob");
  LineClient carol = user("carol");
  send(alice, "JOIN #sfs");
  std::string joined = expect(alice, " 366 alice #sfs ");
  EXPECT_NE(joined.find(":alice!alice@127.0.0.1 JOIN #sfs"), std::string::npos);
  EXPECT_NE(joined.find(" 353 alice = #sfs :@alice"), std::string::npos);
  send(bob, "JOIN #SFS");  // the same channel
  std::string names = expect(bob, " 366 bob #sfs ");
  EXPECT_NE(names.find("@alice"), std::string::npos);
  expect(alice, ":bob!bob@127.0.0.1 JOIN #sfs");

  send(alice, "PRIVMSG #sfs :hello channel");
  expect(bob, ":alice!alice@127.0.0.1 PRIVMSG #sfs :hello channel");
  send(bob, "NOTICE #sfs :a notice");
  expect(alice, ":bob!bob@127.0.0.1 NOTICE #sfs :a notice");
  // The sender does not get its own message back.
  EXPECT_EQ(sync(alice).find("hello channel"), std::string::npos);

  // +n: outsiders cannot talk to the channel.
  send(carol, "PRIVMSG #sfs :let me in");
  expect(carol, " 404 carol #sfs :Cannot send to channel");

  send(carol, "PRIVMSG alice,bob :private hi");
  expect(alice, ":carol!carol@127.0.0.1 PRIVMSG alice :private hi");
  expect(bob, ":carol!carol@127.0.0.1 PRIVMSG bob :private hi");

  send(bob, "AWAY :lunch");
  expect(bob, " 306 bob ");
  send(carol, "PRIVMSG bob :are you there");
  expect(carol, " 301 carol bob :lunch");
  send(bob, "AWAY");
  expect(bob, " 305 bob ");
}

TEST_F(ChatServerTest, JoinPartSeveralChannelsAndJoinZero) {
  LineClient alice = user("alice");
  LineClient bob = user("bob");
  send(alice, "JOIN #a,#b,&c");
  expect(alice, " 366 alice &c ");
  send(bob, "JOIN #a,#b");
  expect(bob, " 366 bob #b ");
  send(alice, "PART #a :see you");
  expect(bob, ":alice!alice@127.0.0.1 PART #a :see you");
  send(alice, "PART #a");
  expect(alice, " 442 alice #a :You're not on that channel");
  send(alice, "PART #zzz");
  expect(alice, " 403 alice #zzz ");
  send(alice, "JOIN 0");
  expect(bob, ":alice!alice@127.0.0.1 PART #b");
  std::string rest = sync(alice);
  EXPECT_NE(rest.find("PART &c"), std::string::npos) << rest;
  send(alice, "JOIN bad-name");
  expect(alice, " 403 alice bad-name ");
}

TEST_F(ChatServerTest, QuitIsBroadcastToChannelPeers) {
  LineClient alice = user("alice");
  LineClient bob = user("bob");
  send(alice, "JOIN #q");
  expect(alice, " 366 ");
  send(bob, "JOIN #q");
  expect(alice, "JOIN #q");
  send(bob, "QUIT :gone fishing");
  expect(bob, "ERROR :Closing Link: 127.0.0.1 (Quit: gone fishing)");
  EXPECT_TRUE(bob.wait_closed(kTimeoutMs));
  expect(alice, ":bob!bob@127.0.0.1 QUIT :Quit: gone fishing");
  // The nick is free again.
  LineClient bob2 = user("bob");
}

TEST_F(ChatServerTest, NickChangeIsBroadcast) {
  LineClient alice = user("alice");
  LineClient bob = user("bob");
  send(alice, "JOIN #n");
  expect(alice, " 366 ");
  send(bob, "JOIN #n");
  expect(alice, "JOIN #n");
  send(bob, "NICK robert");
  expect(bob, ":bob!bob@127.0.0.1 NICK :robert");
  expect(alice, ":bob!bob@127.0.0.1 NICK :robert");
  send(alice, "PRIVMSG robert :hi robert");
  expect(bob, "PRIVMSG robert :hi robert");
  send(alice, "NICK robert");
  expect(alice, " 433 alice robert ");
}

TEST_F(ChatServerTest, TopicNamesListWhoWhois) {
  LineClient alice = user("alice");
  LineClient bob = user("bob");
  send(alice, "JOIN #t");
  expect(alice, " 366 ");
  send(bob, "JOIN #t");
  expect(alice, "JOIN #t");
  send(alice, "TOPIC #t");
  expect(alice, " 331 alice #t :No topic is set");
  send(bob, "TOPIC #t :bob's topic");
  expect(bob, " 482 bob #t :You're not channel operator");  // +t is on by default
  send(alice, "TOPIC #t :Welcome to #t");
  expect(bob, ":alice!alice@127.0.0.1 TOPIC #t :Welcome to #t");
  send(bob, "TOPIC #t");
  expect(bob, " 332 bob #t :Welcome to #t");
  expect(bob, " 333 bob #t alice ");

  send(bob, "NAMES #t");
  std::string names = expect(bob, " 366 bob #t :End of NAMES list");
  EXPECT_NE(names.find("@alice"), std::string::npos);
  EXPECT_NE(names.find(" bob"), std::string::npos);

  send(bob, "LIST");
  std::string list = expect(bob, " 323 bob ");
  EXPECT_NE(list.find(" 322 bob #t 2 :Welcome to #t"), std::string::npos) << list;

  send(bob, "WHO #t");
  std::string who = expect(bob, " 315 bob #t ");
  EXPECT_NE(who.find(" 352 bob #t alice 127.0.0.1 sfs.chat alice H@ :0 alice real"), std::string::npos)
      << who;

  send(bob, "WHOIS alice");
  std::string whois = expect(bob, " 318 bob alice ");
  EXPECT_NE(whois.find(" 311 bob alice alice 127.0.0.1 * :alice real"), std::string::npos);
  EXPECT_NE(whois.find(" 319 bob alice :@#t"), std::string::npos);
  EXPECT_NE(whois.find(" 312 bob alice sfs.chat "), std::string::npos);
  EXPECT_NE(whois.find(" 317 bob alice "), std::string::npos);
  send(bob, "WHOIS ghost");
  expect(bob, " 401 bob ghost ");

  send(bob, "USERHOST alice ghost");
  expect(bob, " 302 bob :alice=+alice@127.0.0.1");
  send(bob, "ISON alice ghost bob");
  expect(bob, " 303 bob :alice bob");
  send(bob, "LUSERS");
  expect(bob, " 251 bob :There are 2 users");
  send(bob, "MOTD");
  expect(bob, " 376 bob ");
}

TEST_F(ChatServerTest, ChannelModes) {
  LineClient op = user("op");
  LineClient bob = user("bob");
  LineClient carol = user("carol");
  send(op, "JOIN #m");
  expect(op, " 366 ");
  send(op, "MODE #m");
  expect(op, " 324 op #m :+nt");
  send(bob, "MODE #m +i");
  expect(bob, " 442 bob #m ");

  // +k
  send(op, "MODE #m +k sesame");
  expect(op, ":op!op@127.0.0.1 MODE #m +k sesame");
  send(bob, "JOIN #m");
  expect(bob, " 475 bob #m :Cannot join channel (+k)");
  send(bob, "JOIN #m wrong");
  expect(bob, " 475 ");
  send(bob, "JOIN #m sesame");
  expect(bob, " 366 bob #m ");
  send(bob, "MODE #m -k");
  expect(bob, " 482 bob #m ");
  send(op, "MODE #m -k sesame");
  expect(bob, "MODE #m -k");

  // +l
  send(op, "MODE #m +l 2");
  expect(op, "MODE #m +l 2");
  send(carol, "JOIN #m");
  expect(carol, " 471 carol #m :Cannot join channel (+l)");
  send(op, "MODE #m -l");
  expect(op, "MODE #m -l");

  // +i and INVITE
  send(op, "MODE #m +i");
  expect(op, "MODE #m +i");
  send(carol, "JOIN #m");
  expect(carol, " 473 carol #m :Cannot join channel (+i)");
  send(bob, "INVITE carol #m");
  expect(bob, " 482 bob #m ");
  send(op, "INVITE bob #m");
  expect(op, " 443 op bob #m :is already on channel");
  send(op, "INVITE nobody #m");
  expect(op, " 401 op nobody ");
  send(op, "INVITE carol #m");
  expect(op, " 341 op carol :#m");
  expect(carol, ":op!op@127.0.0.1 INVITE carol :#m");
  send(carol, "JOIN #m");
  expect(carol, " 366 carol #m ");

  // +o, +v, +m
  send(op, "MODE #m +m");
  expect(op, "MODE #m +m");
  send(bob, "PRIVMSG #m :can I talk?");
  expect(bob, " 404 bob #m ");
  send(op, "MODE #m +v bob");
  expect(bob, ":op!op@127.0.0.1 MODE #m +v bob");
  send(bob, "PRIVMSG #m :now I can");
  expect(carol, "PRIVMSG #m :now I can");
  send(op, "MODE #m +o carol");
  expect(carol, "MODE #m +o carol");
  send(carol, "MODE #m -m");
  expect(op, ":carol!carol@127.0.0.1 MODE #m -m");
  send(op, "MODE #m +o ghost");
  expect(op, " 401 op ghost ");
  LineClient dave = user("dave");
  send(op, "MODE #m +o dave");
  expect(op, " 441 op dave #m ");
  send(op, "MODE #m +z");
  expect(op, " 472 op z ");

  // +b
  send(op, "MODE #m +b dave");
  expect(op, "MODE #m +b dave!*@*");
  send(op, "MODE #m b");
  std::string bans = expect(op, " 368 op #m ");
  EXPECT_NE(bans.find(" 367 op #m dave!*@* "), std::string::npos);
  send(op, "MODE #m -i");
  expect(op, "MODE #m -i");
  send(dave, "JOIN #m");
  expect(dave, " 474 dave #m :Cannot join channel (+b)");

  send(op, "MODE #m");
  expect(op, " 324 op #m :+nt");
}

TEST_F(ChatServerTest, Kick) {
  LineClient op = user("op");
  LineClient bob = user("bob");
  LineClient carol = user("carol");
  send(op, "JOIN #k");
  expect(op, " 366 ");
  send(bob, "JOIN #k");
  expect(bob, " 366 ");
  send(bob, "KICK #k op");
  expect(bob, " 482 bob #k ");
  send(op, "KICK #k carol");
  expect(op, " 441 op carol #k ");
  send(carol, "KICK #k bob");
  expect(carol, " 442 carol #k ");
  send(op, "KICK #k bob :behave");
  expect(bob, ":op!op@127.0.0.1 KICK #k bob :behave");
  expect(op, ":op!op@127.0.0.1 KICK #k bob :behave");
  send(bob, "PRIVMSG #k :still here?");
  expect(bob, " 404 bob #k ");
}

TEST_F(ChatServerTest, UserModes) {
  LineClient alice = user("alice");
  LineClient bob = user("bob");
  send(alice, "MODE alice +i");
  expect(alice, ":alice MODE alice :+i");
  send(alice, "MODE alice");
  expect(alice, " 221 alice :+i");
  send(alice, "MODE bob +i");
  expect(alice, " 502 alice ");
  send(alice, "MODE alice +x");
  expect(alice, " 501 alice ");
}

TEST_F(ChatServerTest, OverlongLinesGet417AndTheConnectionGoesOn) {
  LineClient c = user("alice");
  send(c, "PRIVMSG alice :" + std::string(600, 'x'));
  expect(c, " 417 alice :Input line was too long");
  // A huge line without a newline, in pieces, then the end of it.
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(c.send(std::string(4000, 'y')).is_ok());
  send(c, "tail");
  expect(c, " 417 alice ");
  std::string after = sync(c);
  EXPECT_EQ(after.find(" 421 "), std::string::npos) << "the tail was parsed as a command";
  // Exactly 512 bytes with CR LF is allowed.
  std::string line = "PRIVMSG alice :";
  line += std::string(510 - line.size(), 'z');
  send(c, line);
  expect(c, "PRIVMSG alice :zzz");
}

TEST_F(ChatServerTest, GarbageAndInvalidUtf8NeverCrash) {
  LineClient alice = user("alice");
  LineClient bob = user("bob");
  send(alice, "JOIN #g");
  expect(alice, " 366 ");
  send(bob, "JOIN #g");
  expect(alice, "JOIN #g");
  // Invalid UTF-8 in text is relayed as bytes, as IRC servers do.
  send(alice, "PRIVMSG #g :\xff\xfe\xc3(");
  expect(bob, "PRIVMSG #g :\xff\xfe\xc3(");
  // Garbage command words get 421.
  send(alice, "\x01\x02\x03 zz");
  expect(alice, " 421 alice ");
  send(alice, std::string("NICK a\0b", 8));
  expect(alice, " 421 alice ");

  LineClient evil = raw();
  std::mt19937 random(42);
  std::string junk;
  for (int i = 0; i < 200000; ++i) junk.push_back(static_cast<char>(random() & 0xff));
  ASSERT_TRUE(evil.send(junk).is_ok());
  ASSERT_TRUE(evil.send("\r\n:x\r\n::\r\n@\r\n  \r\n:a b\r\n").is_ok());
  // Others are still served, and the server is alive.
  send(bob, "PRIVMSG #g :after the junk");
  expect(alice, "PRIVMSG #g :after the junk");
  LineClient late = user("late");
  EXPECT_TRUE(server_->running());
}

TEST_F(ChatServerTest, CustomPasswordRequired) {
  start({"--password", "letmein"});
  LineClient wrong = raw();
  send(wrong, "PASS nope");
  send(wrong, "NICK w");
  send(wrong, "USER w 0 * :w");
  expect(wrong, " 464 w :Password incorrect");
  expect(wrong, "ERROR :Closing Link");
  EXPECT_TRUE(wrong.wait_closed(kTimeoutMs));
  LineClient right = raw();
  send(right, "PASS letmein");
  send(right, "NICK r");
  send(right, "USER r 0 * :r");
  expect(right, " 001 r ");
  send(right, "PASS again");
  expect(right, " 462 ");
}

TEST_F(ChatServerTest, CustomIdleClientsArePingedThenDropped) {
  start({"--ping-interval", "1", "--ping-timeout", "1"});
  LineClient quiet = user("quiet");
  LineClient polite = user("polite");
  expect(polite, "PING :sfs.chat");
  send(polite, "PONG :sfs.chat");
  expect(quiet, "PING :sfs.chat");
  expect(quiet, "ERROR :Closing Link: 127.0.0.1 (Ping timeout");
  EXPECT_TRUE(quiet.wait_closed(kTimeoutMs));
  // The polite one answers every PING and stays.
  expect(polite, "PING :sfs.chat");
  send(polite, "PONG :sfs.chat");
  sync(polite);
}

TEST_F(ChatServerTest, CustomFloodIsThrottledNotDropped) {
  start({"--flood-rate", "10", "--flood-burst", "5"});
  LineClient flooder = user("flooder");
  LineClient other = user("other");
  auto began = std::chrono::steady_clock::now();
  std::string burst;
  for (int i = 0; i < 25; ++i) burst += "PING :f" + std::to_string(i) + "\r\n";
  ASSERT_TRUE(flooder.send(burst).is_ok());
  // Another client is served while the flooder waits.
  sync(other);
  expect(flooder, "PONG sfs.chat :f24");
  auto took = std::chrono::steady_clock::now() - began;
  // 25 lines at 10/s after a burst of 5 (the registration lines already spent 2): at least 1.5 s.
  EXPECT_GE(took, std::chrono::milliseconds(1500));
}

TEST_F(ChatServerTest, CustomShutdownTellsClients) {
  start();
  LineClient alice = user("alice");
  std::string log = server_->stop();
  EXPECT_EQ(server_->exit_code(), 0) << log;
  expect(alice, "ERROR :Closing Link: 127.0.0.1 (Server shutting down)");
  EXPECT_TRUE(alice.wait_closed(kTimeoutMs));
  server_.reset();
}

}  // namespace
}  // namespace sfs::chat
