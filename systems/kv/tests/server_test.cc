// The server over real sockets: pipelining, bad input (and that other clients are unaffected),
// blocking commands, pub/sub, transactions with WATCH, expiry, eviction, client commands.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "systems/kv/tests/test_client.h"
#include "systems/kv/util.h"

namespace sfs::kv {
namespace {

using testing::KvServer;
using testing::RespClient;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = KvServer::start();
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    server_ = std::move(s).value();
  }
  void TearDown() override {
    if (server_) server_->process.stop();
  }
  RespClient client() { return server_->client(); }
  std::unique_ptr<KvServer> server_;
};

// Polls `fn` until it returns true or timeout_ms passes.
template <typename Fn>
bool eventually(Fn fn, int timeout_ms = 10000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (fn()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST_F(ServerTest, PipelinedRequestsGetRepliesInOrder) {
  RespClient c = client();
  std::string batch;
  for (int i = 0; i < 2000; ++i) batch += RespClient::encode({"INCR", "n"});
  ASSERT_TRUE(c.send_raw(batch));
  for (int i = 1; i <= 2000; ++i) ASSERT_EQ(c.read(), ":" + std::to_string(i));
}

TEST_F(ServerTest, InlineCommandsWork) {
  RespClient c = client();
  ASSERT_TRUE(c.send_raw("SET greeting \"hello world\"\r\nGET greeting\r\n\r\nPING\n"));
  EXPECT_EQ(c.read(), "OK");
  EXPECT_EQ(c.read(), "hello world");
  EXPECT_EQ(c.read(), "PONG");
}

TEST_F(ServerTest, ProtocolErrorsReplyAndCloseWithoutHurtingOthers) {
  RespClient healthy = client();
  EXPECT_EQ(healthy.call({"SET", "k", "v"}), "OK");
  struct Case {
    std::string input;
    std::string error;
  } cases[] = {
      {"*1\r\n$999999999999\r\n", "-Protocol error: invalid bulk length"},
      {"*x\r\n", "-Protocol error: invalid multibulk length"},
      {"*2\r\n$3\r\nGET\r\n+k\r\n", "-Protocol error: expected '$', got '+'"},
      {"SET \"open\r\n", "-Protocol error: unbalanced quotes in request"},
      {std::string(70000, 'x'), "-Protocol error: too big inline request"},
  };
  for (const auto& tc : cases) {
    RespClient bad = client();
    ASSERT_TRUE(bad.send_raw(tc.input));
    EXPECT_EQ(bad.read(), tc.error);
    EXPECT_TRUE(bad.wait_closed()) << tc.error;
    EXPECT_EQ(healthy.call({"GET", "k"}), "v");
  }
}

TEST_F(ServerTest, UnbalancedMultibulkWaitsWhileOthersAreServed) {
  RespClient stuck = client();
  ASSERT_TRUE(stuck.send_raw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n"));  // third argument never comes
  RespClient other = client();
  for (int i = 0; i < 100; ++i) ASSERT_EQ(other.call({"PING"}), "PONG");
  // A huge announced bulk that never arrives does not stall the server either.
  RespClient huge = client();
  ASSERT_TRUE(huge.send_raw("*1\r\n$500000000\r\nabc"));
  EXPECT_EQ(other.call({"ECHO", "still here"}), "still here");
  // Completing the first request makes it run.
  ASSERT_TRUE(stuck.send_raw("$1\r\nv\r\n"));
  EXPECT_EQ(stuck.read(), "OK");
  EXPECT_EQ(other.call({"GET", "k"}), "v");
}

TEST_F(ServerTest, ErrorsForUnknownCommandsAndArity) {
  RespClient c = client();
  EXPECT_EQ(c.call({"NOPE", "a", "b"}), "-ERR unknown command 'NOPE', with args beginning with: 'a' 'b' ");
  EXPECT_EQ(c.call({"GET"}), "-ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(c.call({"set", "a"}), "-ERR wrong number of arguments for 'set' command");
  EXPECT_EQ(c.call({"PING"}), "PONG");
}

TEST_F(ServerTest, ClientThatDoesNotReadDoesNotBlockOthers) {
  RespClient flooder = client();
  RespClient other = client();
  ASSERT_EQ(other.call({"SET", "big", std::string(100000, 'x')}), "OK");
  // ~200 MB of replies requested and never read: the server pauses reading that client.
  std::string batch;
  for (int i = 0; i < 100; ++i) batch += RespClient::encode({"GET", "big"});
  for (int round = 0; round < 20; ++round) {
    if (!flooder.send_raw(batch)) break;
    if (other.call({"PING"}, 5000) != "PONG") FAIL() << "server stopped answering";
  }
  EXPECT_EQ(other.call({"GET", "nope"}), "(nil)");
}

TEST_F(ServerTest, BlockingPopIsServedByALaterPush) {
  RespClient waiter = client();
  RespClient pusher = client();
  ASSERT_TRUE(waiter.send_raw(RespClient::encode({"BLPOP", "q1", "q2", "0"})));
  ASSERT_TRUE(eventually([&] { return pusher.call({"INFO", "clients"}).find("blocked_clients:1") != std::string::npos; }));
  EXPECT_EQ(pusher.call({"RPUSH", "q2", "a", "b"}), ":2");
  EXPECT_EQ(waiter.read(), "[q2,a]");
  EXPECT_EQ(pusher.call({"LRANGE", "q2", "0", "-1"}), "[b]");
}

TEST_F(ServerTest, BlockedClientsAreServedInArrivalOrder) {
  RespClient first = client();
  RespClient second = client();
  RespClient pusher = client();
  ASSERT_TRUE(first.send_raw(RespClient::encode({"BRPOP", "q", "0"})));
  ASSERT_TRUE(eventually([&] { return pusher.call({"INFO", "clients"}).find("blocked_clients:1") != std::string::npos; }));
  ASSERT_TRUE(second.send_raw(RespClient::encode({"BRPOP", "q", "0"})));
  ASSERT_TRUE(eventually([&] { return pusher.call({"INFO", "clients"}).find("blocked_clients:2") != std::string::npos; }));
  EXPECT_EQ(pusher.call({"LPUSH", "q", "x"}), ":1");
  EXPECT_EQ(first.read(), "[q,x]");
  EXPECT_EQ(pusher.call({"LPUSH", "q", "y"}), ":1");
  EXPECT_EQ(second.read(), "[q,y]");
}

TEST_F(ServerTest, BlockingTimeoutsAndPipelinedCommandsAfterThem) {
  RespClient c = client();
  ASSERT_TRUE(c.send_raw(RespClient::encode({"BLPOP", "none", "0.1"}) + RespClient::encode({"PING"})));
  EXPECT_EQ(c.read(), "(nil)");
  EXPECT_EQ(c.read(), "PONG");
  EXPECT_EQ(c.call({"BLMOVE", "none", "dst", "LEFT", "RIGHT", "0.05"}), "(nil)");
  EXPECT_EQ(c.call({"BZPOPMIN", "none", "0.05"}), "(nil)");
  // Inside MULTI a blocking command does not block.
  EXPECT_EQ(c.call({"MULTI"}), "OK");
  EXPECT_EQ(c.call({"BLPOP", "none", "0"}), "QUEUED");
  EXPECT_EQ(c.call({"EXEC"}), "[(nil)]");
}

TEST_F(ServerTest, BlockingMoveAndSortedSetPops) {
  RespClient waiter = client();
  RespClient other = client();
  ASSERT_TRUE(waiter.send_raw(RespClient::encode({"BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"})));
  ASSERT_TRUE(eventually([&] { return other.call({"INFO", "clients"}).find("blocked_clients:1") != std::string::npos; }));
  EXPECT_EQ(other.call({"RPUSH", "src", "1", "2"}), ":2");
  EXPECT_EQ(waiter.read(), "2");
  EXPECT_EQ(other.call({"LRANGE", "dst", "0", "-1"}), "[2]");
  ASSERT_TRUE(waiter.send_raw(RespClient::encode({"BZPOPMAX", "z", "0"})));
  ASSERT_TRUE(eventually([&] { return other.call({"INFO", "clients"}).find("blocked_clients:1") != std::string::npos; }));
  EXPECT_EQ(other.call({"ZADD", "z", "1", "a", "2", "b"}), ":2");
  EXPECT_EQ(waiter.read(), "[z,b,2]");
  // A client that disconnects while blocked is forgotten.
  {
    RespClient gone = client();
    ASSERT_TRUE(gone.send_raw(RespClient::encode({"BLPOP", "ghost", "0"})));
    ASSERT_TRUE(eventually([&] { return other.call({"INFO", "clients"}).find("blocked_clients:1") != std::string::npos; }));
  }
  ASSERT_TRUE(eventually([&] { return other.call({"INFO", "clients"}).find("blocked_clients:0") != std::string::npos; }));
  EXPECT_EQ(other.call({"RPUSH", "ghost", "x"}), ":1");
  EXPECT_EQ(other.call({"LLEN", "ghost"}), ":1");
}

TEST_F(ServerTest, PubSub) {
  RespClient sub = client();
  RespClient psub = client();
  RespClient pub = client();
  EXPECT_EQ(sub.call({"SUBSCRIBE", "news", "sport"}), "[subscribe,news,:1]");
  EXPECT_EQ(sub.read(), "[subscribe,sport,:2]");
  EXPECT_EQ(psub.call({"PSUBSCRIBE", "n*"}), "[psubscribe,n*,:1]");
  EXPECT_EQ(pub.call({"PUBLISH", "news", "hello"}), ":2");
  EXPECT_EQ(sub.read(), "[message,news,hello]");
  EXPECT_EQ(psub.read(), "[pmessage,n*,news,hello]");
  EXPECT_EQ(pub.call({"PUBSUB", "NUMSUB", "news", "none"}), "[news,:1,none,:0]");
  EXPECT_EQ(pub.call({"PUBSUB", "NUMPAT"}), ":1");
  EXPECT_EQ(pub.call({"PUBSUB", "CHANNELS", "s*"}), "[sport]");
  EXPECT_EQ(sub.call({"GET", "x"}),
            "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
  EXPECT_EQ(sub.call({"PING"}), "[pong,]");
  EXPECT_EQ(sub.call({"UNSUBSCRIBE", "news"}), "[unsubscribe,news,:1]");
  EXPECT_EQ(pub.call({"PUBLISH", "news", "again"}), ":1");
  EXPECT_EQ(psub.read(), "[pmessage,n*,news,again]");
  EXPECT_EQ(sub.call({"UNSUBSCRIBE"}), "[unsubscribe,sport,:0]");
  EXPECT_EQ(sub.call({"GET", "x"}), "(nil)");
  // RESP3 clients get push messages and may run commands while subscribed.
  RespClient r3 = client();
  EXPECT_EQ(r3.call({"HELLO", "3"}).substr(0, 15), "{server:redis,v");
  EXPECT_EQ(r3.call({"SUBSCRIBE", "news"}), ">[subscribe,news,:1]");
  EXPECT_EQ(r3.call({"GET", "x"}), "(nil)");
  EXPECT_EQ(pub.call({"PUBLISH", "news", "pushed"}), ":2");
  EXPECT_EQ(r3.read(), ">[message,news,pushed]");
}

TEST_F(ServerTest, WatchAbortsTransactionWhenAnotherClientWrites) {
  RespClient a = client();
  RespClient b = client();
  EXPECT_EQ(a.call({"SET", "balance", "10"}), "OK");
  EXPECT_EQ(a.call({"WATCH", "balance"}), "OK");
  EXPECT_EQ(b.call({"INCRBY", "balance", "5"}), ":15");
  EXPECT_EQ(a.call({"MULTI"}), "OK");
  EXPECT_EQ(a.call({"DECRBY", "balance", "10"}), "QUEUED");
  EXPECT_EQ(a.call({"EXEC"}), "(nil)");
  EXPECT_EQ(a.call({"GET", "balance"}), "15");
  // Without interference it commits.
  EXPECT_EQ(a.call({"WATCH", "balance"}), "OK");
  EXPECT_EQ(a.call({"MULTI"}), "OK");
  EXPECT_EQ(a.call({"DECRBY", "balance", "10"}), "QUEUED");
  EXPECT_EQ(a.call({"EXEC"}), "[:5]");
  // FLUSHALL touches watched keys too.
  EXPECT_EQ(a.call({"WATCH", "balance"}), "OK");
  EXPECT_EQ(b.call({"FLUSHALL"}), "OK");
  EXPECT_EQ(a.call({"MULTI"}), "OK");
  EXPECT_EQ(a.call({"PING"}), "QUEUED");
  EXPECT_EQ(a.call({"EXEC"}), "(nil)");
}

TEST_F(ServerTest, KeysExpireLazilyAndActively) {
  RespClient c = client();
  EXPECT_EQ(c.call({"SET", "short", "v", "PX", "50"}), "OK");
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  EXPECT_EQ(c.call({"GET", "short"}), "(nil)");
  // Keys nobody reads are reclaimed by the active cycle.
  for (int i = 0; i < 200; ++i) ASSERT_EQ(c.call({"SET", "k" + std::to_string(i), "v", "PX", "30"}), "OK");
  EXPECT_EQ(c.call({"SET", "keeper", "v"}), "OK");
  EXPECT_TRUE(eventually([&] { return c.call({"DBSIZE"}) == ":1"; }));
  EXPECT_NE(c.call({"INFO", "stats"}).find("expired_keys:201"), std::string::npos);
}

TEST_F(ServerTest, MaxmemoryEvictsOrRefuses) {
  RespClient c = client();
  std::string info = c.call({"INFO", "memory"});
  size_t pos = info.find("used_memory:");
  ASSERT_NE(pos, std::string::npos);
  int64_t used = std::stoll(info.substr(pos + 12));
  std::string limit = std::to_string(used + 2 * 1024 * 1024);
  EXPECT_EQ(c.call({"CONFIG", "SET", "maxmemory", limit}), "OK");
  EXPECT_EQ(c.call({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"}), "OK");
  std::string value(1000, 'v');
  std::string batch;
  for (int i = 0; i < 10000; ++i) batch += RespClient::encode({"SET", "key:" + std::to_string(i), value});
  ASSERT_TRUE(c.send_raw(batch));
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(c.read(), "OK");
  std::string dbsize = c.call({"DBSIZE"});
  EXPECT_LT(std::stoll(dbsize.substr(1)), 10000);
  EXPECT_EQ(c.call({"GET", "key:9999"}), value);  // the most recent key survives
  EXPECT_EQ(c.call({"INFO", "stats"}).find("evicted_keys:0\r"), std::string::npos);
  EXPECT_EQ(c.call({"CONFIG", "SET", "maxmemory-policy", "noeviction"}), "OK");
  std::string result;
  for (int i = 0; i < 5000 && result.empty(); ++i) {
    std::string r = c.call({"SET", "more:" + std::to_string(i), value});
    if (r != "OK") result = r;
  }
  EXPECT_EQ(result, "-OOM command not allowed when used memory > 'maxmemory'.");
  EXPECT_EQ(c.call({"GET", "key:9999"}), value);  // reads still work
  EXPECT_EQ(c.call({"DEL", "key:9999"}), ":1");   // and deletes
  // volatile-ttl evicts only keys with a TTL, shortest first.
  EXPECT_EQ(c.call({"FLUSHALL"}), "OK");
  EXPECT_EQ(c.call({"CONFIG", "SET", "maxmemory-policy", "volatile-ttl"}), "OK");
  EXPECT_EQ(c.call({"SET", "forever", "v"}), "OK");
  batch.clear();
  for (int i = 0; i < 10000; ++i) batch += RespClient::encode({"SET", "t:" + std::to_string(i), value, "EX", std::to_string(1000 + i)});
  ASSERT_TRUE(c.send_raw(batch));
  for (int i = 0; i < 10000; ++i) {
    std::string r = c.read();
    ASSERT_TRUE(r == "OK" || r.rfind("-OOM", 0) == 0) << r;
  }
  EXPECT_EQ(c.call({"GET", "forever"}), "v");
  EXPECT_LT(std::stoll(c.call({"DBSIZE"}).substr(1)), 10001);
  // allkeys-lfu keeps the frequently read keys, evicting ones read once.
  EXPECT_EQ(c.call({"FLUSHALL"}), "OK");
  EXPECT_EQ(c.call({"CONFIG", "SET", "maxmemory", "0"}), "OK");
  EXPECT_EQ(c.call({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"}), "OK");
  batch.clear();
  for (int i = 0; i < 20; ++i) batch += RespClient::encode({"SET", "hot:" + std::to_string(i), value});
  for (int round = 0; round < 300; ++round) {
    for (int i = 0; i < 20; ++i) batch += RespClient::encode({"GET", "hot:" + std::to_string(i)});
  }
  ASSERT_TRUE(c.send_raw(batch));
  for (int i = 0; i < 20 * 301; ++i) ASSERT_NE(c.read(), "<timeout>");
  int64_t freq = 0;
  ASSERT_TRUE(parse_ll(c.call({"OBJECT", "FREQ", "hot:0"}).substr(1), &freq));
  EXPECT_GT(freq, 6);
  EXPECT_EQ(c.call({"CONFIG", "SET", "maxmemory", limit}), "OK");
  batch.clear();
  for (int i = 0; i < 10000; ++i) batch += RespClient::encode({"SET", "cold:" + std::to_string(i), value});
  ASSERT_TRUE(c.send_raw(batch));
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(c.read(), "OK");
  EXPECT_LT(std::stoll(c.call({"DBSIZE"}).substr(1)), 10020);
  int hot_left = 0;
  for (int i = 0; i < 20; ++i) hot_left += c.call({"EXISTS", "hot:" + std::to_string(i)}) == ":1";
  EXPECT_GE(hot_left, 18);  // sampling may, rarely, pick a hot key when it is the best of 5 seen
  EXPECT_EQ(c.call({"CONFIG", "SET", "maxmemory", "0"}), "OK");
}

TEST_F(ServerTest, ClientCommandsAndQuit) {
  RespClient a = client();
  RespClient b = client();
  EXPECT_EQ(a.call({"CLIENT", "SETNAME", "alpha"}), "OK");
  std::string id = b.call({"CLIENT", "ID"}).substr(1);
  std::string list = a.call({"CLIENT", "LIST"});
  EXPECT_NE(list.find("name=alpha"), std::string::npos);
  EXPECT_NE(list.find("id=" + id + " "), std::string::npos);
  EXPECT_EQ(a.call({"CLIENT", "KILL", "ID", id}), ":1");
  EXPECT_TRUE(b.wait_closed());
  EXPECT_EQ(a.call({"QUIT"}), "OK");
  EXPECT_TRUE(a.wait_closed());
}

TEST_F(ServerTest, RequirepassAuthAndHello) {
  RespClient admin = client();
  EXPECT_EQ(admin.call({"CONFIG", "SET", "requirepass", "pw"}), "OK");
  EXPECT_EQ(admin.call({"PING"}), "PONG");  // already connected: stays authenticated
  RespClient c = client();
  EXPECT_EQ(c.call({"GET", "k"}), "-NOAUTH Authentication required.");
  EXPECT_EQ(c.call({"MULTI"}), "-NOAUTH Authentication required.");
  EXPECT_EQ(c.call({"AUTH", "bad"}), "-WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_EQ(c.call({"HELLO", "3"}).substr(0, 40), "-NOAUTH HELLO must be called with the cl");
  EXPECT_EQ(c.call({"HELLO", "3", "AUTH", "default", "pw", "SETNAME", "x"}).substr(0, 16), "{server:redis,ve");
  EXPECT_EQ(c.call({"CLIENT", "GETNAME"}), "x");
  EXPECT_EQ(c.call({"RESET"}), "RESET");  // back to unauthenticated
  EXPECT_EQ(c.call({"GET", "k"}), "-NOAUTH Authentication required.");
  EXPECT_EQ(c.call({"AUTH", "default", "pw"}), "OK");
  EXPECT_EQ(c.call({"GET", "k"}), "(nil)");
  EXPECT_EQ(admin.call({"CONFIG", "SET", "requirepass", ""}), "OK");
  RespClient d = client();
  EXPECT_EQ(d.call({"GET", "k"}), "(nil)");
}

TEST_F(ServerTest, MonitorSeesOtherClientsCommands) {
  RespClient m = client();
  EXPECT_EQ(m.call({"MONITOR"}), "OK");
  RespClient c = client();
  EXPECT_EQ(c.call({"SET", "k", std::string("a\"b\n\x01", 5)}), "OK");
  EXPECT_EQ(c.call({"CONFIG", "GET", "hz"}), "[hz,10]");  // admin commands are not shown
  EXPECT_EQ(c.call({"AUTH", "secret"}).substr(0, 4), "-ERR");
  EXPECT_EQ(c.call({"SELECT", "3"}), "OK");
  std::string line = m.read();
  EXPECT_NE(line.find(" [0 127.0.0.1:"), std::string::npos) << line;
  EXPECT_NE(line.find("] \"SET\" \"k\" \"a\\\"b\\n\\x01\""), std::string::npos) << line;
  EXPECT_NE(m.read().find("\"AUTH\" \"(redacted)\""), std::string::npos);
  EXPECT_NE(m.read().find(" [3 127.0.0.1:"), std::string::npos);  // SELECT shows the new db
  EXPECT_EQ(m.call({"GET", "k"}), "-ERR Replica can't interact with the keyspace");
  EXPECT_NE(m.call({"CLIENT", "INFO"}).find("flags=O"), std::string::npos);
}

TEST_F(ServerTest, ClientReplyAndPause) {
  RespClient c = client();
  ASSERT_TRUE(c.send_raw(RespClient::encode({"CLIENT", "REPLY", "OFF"}) + RespClient::encode({"SET", "a", "1"}) +
                         RespClient::encode({"CLIENT", "REPLY", "ON"})));
  EXPECT_EQ(c.read(), "OK");  // the first reply is ON's
  ASSERT_TRUE(c.send_raw(RespClient::encode({"CLIENT", "REPLY", "SKIP"}) + RespClient::encode({"INCR", "a"}) +
                         RespClient::encode({"GET", "a"})));
  EXPECT_EQ(c.read(), "2");
  RespClient w = client();
  EXPECT_EQ(c.call({"CLIENT", "PAUSE", "100000", "WRITE"}), "OK");
  EXPECT_EQ(w.call({"GET", "a"}), "2");  // reads go on
  ASSERT_TRUE(w.send_raw(RespClient::encode({"SET", "a", "3"})));
  EXPECT_EQ(w.read(300), "<timeout>");  // writes wait
  EXPECT_EQ(c.call({"CLIENT", "UNPAUSE"}), "OK");
  EXPECT_EQ(w.read(), "OK");
  EXPECT_EQ(c.call({"GET", "a"}), "3");
}

TEST_F(ServerTest, DumpRestoreRoundTripAndIdletime) {
  RespClient c = client();
  EXPECT_EQ(c.call({"ZADD", "z", "1", "a", "2", "b"}), ":2");
  EXPECT_EQ(c.call({"HSET", "h", "f", "v"}), ":1");
  for (const char* key : {"z", "h"}) {
    std::string payload = c.call({"DUMP", key});
    EXPECT_EQ(c.call({"RESTORE", std::string(key) + "2", "0", payload, "IDLETIME", "1000"}), "OK");
    int64_t idle = 0;
    ASSERT_TRUE(parse_ll(c.call({"OBJECT", "IDLETIME", std::string(key) + "2"}).substr(1), &idle));
    EXPECT_GE(idle, 1000);
    EXPECT_LE(idle, 1002);
    // A flipped byte fails the checksum.
    payload[1] = static_cast<char>(payload[1] ^ 1);
    EXPECT_EQ(c.call({"RESTORE", "x", "0", payload}), "-ERR DUMP payload version or checksum are wrong");
  }
  EXPECT_EQ(c.call({"ZRANGE", "z2", "0", "-1", "WITHSCORES"}), "[a,1,b,2]");
  EXPECT_EQ(c.call({"HGETALL", "h2"}), "[f,v]");
}

// HLLs are strings anyone can SET: corrupt sparse encodings must give an error or a count, never
// a crash or an out-of-bounds access (the ASan build checks the latter).
TEST_F(ServerTest, CorruptHyperLogLogsAreSafe) {
  RespClient c = client();
  uint64_t seed = 12345;
  auto next = [&] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<unsigned>(seed >> 33);
  };
  for (int round = 0; round < 300; ++round) {
    std::string hll = std::string("HYLL\x01", 5) + std::string(11, '\0');
    size_t len = next() % 40;
    for (size_t i = 0; i < len; ++i) {
      unsigned kind = next() % 4;
      // Mostly long zero runs, so some payloads cover (or overshoot) all 16384 registers.
      hll += static_cast<char>(kind == 0 ? (0x40 | (next() % 64)) : (kind == 1 ? next() % 256 : 0x7f));
      if (kind != 1) hll += static_cast<char>(next() % 256);
    }
    ASSERT_EQ(c.call({"SET", "bad", hll}), "OK");
    std::string add = c.call({"PFADD", "bad", "a", std::to_string(round), "zz"});
    EXPECT_TRUE(add == ":0" || add == ":1" || add == "-INVALIDOBJ Corrupted HLL object detected") << add;
    std::string count = c.call({"PFCOUNT", "bad"});
    EXPECT_TRUE(count[0] == ':' || count == "-INVALIDOBJ Corrupted HLL object detected") << count;
    std::string merge = c.call({"PFMERGE", "dst", "bad"});
    EXPECT_TRUE(merge == "OK" || merge == "-INVALIDOBJ Corrupted HLL object detected") << merge;
  }
  EXPECT_EQ(c.call({"PING"}), "PONG");
}

// INFO commandstats / errorstats and LATENCY HISTOGRAM, in Redis 7.0's formats.
TEST_F(ServerTest, CommandAndErrorStats) {
  RespClient c = client();
  EXPECT_EQ(c.call({"CONFIG", "RESETSTAT"}), "OK");
  EXPECT_EQ(c.call({"GET"}), "-ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(c.call({"SET", "k", "v"}), "OK");
  EXPECT_EQ(c.call({"LPUSH", "k", "x"}).substr(0, 10), "-WRONGTYPE");
  EXPECT_EQ(c.call({"CONFIG", "NOSUCH"}).substr(0, 26), "-ERR unknown subcommand 'N");
  EXPECT_EQ(c.call({"MULTI"}), "OK");
  EXPECT_EQ(c.call({"LPUSH", "k", "y"}), "QUEUED");
  EXPECT_EQ(c.call({"EXEC"}).substr(0, 12), "[-WRONGTYPE ");
  std::string info = c.call({"INFO", "commandstats"});
  EXPECT_NE(info.find("cmdstat_get:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0"), std::string::npos) << info;
  EXPECT_NE(info.find("cmdstat_set:calls=1,"), std::string::npos) << info;
  EXPECT_NE(info.find(",rejected_calls=0,failed_calls=2\r\n"), std::string::npos) << info;  // lpush
  EXPECT_NE(info.find("cmdstat_exec:calls=1,"), std::string::npos) << info;
  EXPECT_NE(info.find("cmdstat_config|resetstat:calls=1,"), std::string::npos) << info;
  EXPECT_EQ(info.find("config|nosuch"), std::string::npos) << info;
  EXPECT_EQ(c.call({"INFO"}).find("cmdstat_"), std::string::npos);  // not a default section
  std::string errors = c.call({"INFO", "errorstats"});
  EXPECT_NE(errors.find("errorstat_ERR:count=2\r\n"), std::string::npos) << errors;
  EXPECT_NE(errors.find("errorstat_WRONGTYPE:count=2\r\n"), std::string::npos) << errors;
  EXPECT_NE(c.call({"INFO", "stats"}).find("total_error_replies:4\r\n"), std::string::npos);
  std::string histogram = c.call({"LATENCY", "HISTOGRAM", "set", "nosuch"});
  EXPECT_EQ(histogram.substr(0, 31), "[set,[calls,:1,histogram_usec,[") << histogram;
  EXPECT_EQ(c.call({"LATENCY", "HISTOGRAM", "config"}).substr(0, 27), "[config|resetstat,[calls,:1");
  EXPECT_EQ(c.call({"CONFIG", "RESETSTAT"}), "OK");
  EXPECT_EQ(c.call({"INFO", "errorstats"}), "# Errorstats\r\n");
}

TEST_F(ServerTest, MaxclientsRefusesExtraConnections) {
  RespClient a = client();
  RespClient b = client();
  EXPECT_EQ(b.call({"PING"}), "PONG");
  // The start-up probe connection may still be counted for a moment.
  ASSERT_TRUE(eventually([&] { return a.call({"INFO", "clients"}).find("connected_clients:2\r") != std::string::npos; }));
  EXPECT_EQ(a.call({"CONFIG", "SET", "maxclients", "2"}), "OK");
  for (int i = 0; i < 3; ++i) {
    RespClient extra = client();
    EXPECT_EQ(extra.read(), "-ERR max number of clients reached");
    EXPECT_TRUE(extra.wait_closed());
  }
  EXPECT_NE(a.call({"INFO", "stats"}).find("rejected_connections:3"), std::string::npos);
  EXPECT_EQ(b.call({"PING"}), "PONG");
  EXPECT_EQ(a.call({"CONFIG", "SET", "maxclients", "10000"}), "OK");
}

TEST_F(ServerTest, ShutdownCommandStopsTheServer) {
  RespClient c = client();
  c.call({"SHUTDOWN", "NOSAVE"}, 10000);
  EXPECT_TRUE(eventually([&] { return !server_->process.running(); }));
  server_->process.stop();
  EXPECT_EQ(server_->process.exit_code(), 0);
  server_.reset();
}

}  // namespace
}  // namespace sfs::kv
