// Interop with the real Redis tools and clients (Debian's redis-server, redis-cli,
// redis-benchmark; ioredis and node-redis from npm; redis-py from Debian): scripted and
// interactive redis-cli, every redis-benchmark test of the bench, the ioredis suite, redis-py and
// node-redis transcripts compared line by line with the same scripts run against redis-server,
// RDB files in both directions, and Redis 7's reading of our AOF directory. Also `sfs kv cli`,
// scripted and interactive.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include "core/file.h"
#include "core/process.h"
#include "core/strings.h"
#include "systems/kv/tests/test_client.h"

namespace sfs::kv {
namespace {

using testing::KvServer;
using testing::RespClient;
namespace fs = std::filesystem;

#define REQUIRE_PROGRAM(name)                                               \
  do {                                                                      \
    if (!core::testing::have_program(name)) {                               \
      SFS_SKIP_UNLESS_CI(std::string(name) + " is not installed (scripts/setup test)"); \
    }                                                                       \
  } while (0)

std::string run(const std::vector<std::string>& argv, const std::string& input = "", int* code = nullptr) {
  auto r = core::run_and_capture(argv, input, 120000);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  if (!r.is_ok()) return "";
  if (code) *code = r->exit_code;
  return r->output;
}

// A real redis-server on a free port in its own directory.
struct RealRedis {
  uint16_t port = core::testing::free_port();
  core::testing::ServerProcess process;
  static std::unique_ptr<RealRedis> start(const std::string& dir, std::vector<std::string> extra = {}) {
    auto r = std::make_unique<RealRedis>();
    std::vector<std::string> argv = {"redis-server", "--port", std::to_string(r->port), "--bind", "127.0.0.1",
                                     "--dir", dir, "--save", "", "--appendonly", "no"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto p = core::testing::ServerProcess::start(argv, r->port, 30000);
    EXPECT_TRUE(p.is_ok()) << p.status().to_string();
    if (!p.is_ok()) return nullptr;
    r->process = std::move(p).value();
    // Redis accepts connections while it is still loading its files and answers -LOADING.
    auto c = RespClient::connect(r->port);
    for (int i = 0; i < 1500 && c.is_ok() && c->call({"PING"}) != "PONG"; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return r;
  }
};

// Fills a server with every type in both small and large encodings, TTLs and two databases.
void populate(RespClient& c) {
  std::string batch;
  size_t commands = 0;
  auto add = [&](std::vector<std::string> args) {
    batch += RespClient::encode(args);
    ++commands;
  };
  add({"SET", "str", "hello"});
  add({"SET", "int", "123456789"});
  add({"SET", "neg", "-7"});
  add({"SET", "compressible", std::string(2000, 'a') + "tail"});
  add({"SET", "binary", std::string("\0\1\2\xff\r\n*", 7)});
  add({"SET", "ttl", "v", "EX", "100000"});
  add({"RPUSH", "small-list", "a", "1", "-2", "long element that is not short at all"});
  for (int i = 0; i < 400; ++i) add({"RPUSH", "big-list", "item" + std::to_string(i)});
  add({"HSET", "small-hash", "f", "v", "n", "12"});
  for (int i = 0; i < 600; ++i) add({"HSET", "big-hash", "f" + std::to_string(i), "v" + std::to_string(i)});
  add({"SADD", "int-set", "1", "2", "3", "-100", "70000", "5000000000"});
  add({"SADD", "str-set", "a", "b", "c"});
  for (int i = 0; i < 700; ++i) add({"SADD", "big-set", "m" + std::to_string(i)});
  add({"ZADD", "small-zset", "1", "a", "2.5", "b", "-inf", "c", "+inf", "d"});
  for (int i = 0; i < 300; ++i) add({"ZADD", "big-zset", std::to_string(i * 0.5), "m" + std::to_string(i)});
  add({"SELECT", "5"});
  add({"SET", "db5", "five"});
  add({"HSET", "db5-hash", "x", "y"});
  add({"SELECT", "0"});
  ASSERT_TRUE(c.send_raw(batch));
  for (size_t i = 0; i < commands; ++i) {
    std::string r = c.read();
    ASSERT_TRUE(r.rfind("-", 0) != 0) << r;
  }
}

// Everything in databases 0..15 as key -> canonical text (order-independent for sets and hashes).
std::map<std::string, std::string> snapshot(RespClient& c) {
  std::map<std::string, std::string> out;
  for (int db = 0; db < 16; ++db) {
    c.call({"SELECT", std::to_string(db)});
    std::string keys = c.call({"KEYS", "*"});
    if (keys == "[]") continue;
    std::string inner = keys.substr(1, keys.size() - 2);
    std::vector<std::string> names;
    for (auto piece : core::split(inner, ',')) names.emplace_back(piece);
    for (const auto& k : names) {
      std::string type = c.call({"TYPE", k});
      std::string value;
      if (type == "string") value = c.call({"GET", k});
      else if (type == "list") value = c.call({"LRANGE", k, "0", "-1"});
      else if (type == "zset") value = c.call({"ZRANGE", k, "0", "-1", "WITHSCORES"});
      else if (type == "set" || type == "hash") {
        std::string raw = type == "set" ? c.call({"SMEMBERS", k}) : c.call({"HGETALL", k});
        std::string body = raw.substr(1, raw.size() - 2);
        auto parts = core::split(body, ',');
        std::vector<std::string> items;
        if (type == "set") {
          for (auto p : parts) items.emplace_back(p);
        } else {
          for (size_t i = 0; i + 1 < parts.size(); i += 2) items.push_back(std::string(parts[i]) + "=" + std::string(parts[i + 1]));
        }
        std::sort(items.begin(), items.end());
        value = core::join(items, ",");
      }
      std::string ttl = c.call({"TTL", k});
      out["db" + std::to_string(db) + ":" + k] = type + " " + value + (ttl == ":-1" ? "" : " (ttl)");
    }
  }
  c.call({"SELECT", "0"});
  return out;
}

TEST(InteropTest, CaseFilesMatchRealRedis) {
  REQUIRE_PROGRAM("redis-server");
  core::testing::TempDir dir;
  auto redis = RealRedis::start(dir.path());
  ASSERT_TRUE(redis);
  for (const auto& file : testing::case_files()) testing::run_cases(redis->port, file, "redis-server");
  redis->process.stop();
}

TEST(InteropTest, RdbFromRealRedisLoadsIntoSfsKv) {
  REQUIRE_PROGRAM("redis-server");
  core::testing::TempDir redis_dir;
  auto redis = RealRedis::start(redis_dir.path());
  ASSERT_TRUE(redis);
  auto rc = RespClient::connect(redis->port);
  ASSERT_TRUE(rc.is_ok());
  populate(*rc);
  auto expected = snapshot(*rc);
  EXPECT_EQ(expected.size(), 17u);
  EXPECT_EQ(rc->call({"SAVE"}), "OK");
  redis->process.stop();
  auto dir = std::make_shared<core::testing::TempDir>();
  fs::copy_file(redis_dir.file("dump.rdb"), dir->file("dump.rdb"));
  auto ours = KvServer::start({}, dir);
  ASSERT_TRUE(ours.is_ok()) << ours.status().to_string();
  RespClient c = (*ours)->client();
  EXPECT_EQ(snapshot(c), expected);
  (*ours)->process.stop();
}

TEST(InteropTest, RdbFromSfsKvLoadsIntoRealRedis) {
  REQUIRE_PROGRAM("redis-server");
  auto dir = std::make_shared<core::testing::TempDir>();
  auto ours = KvServer::start({}, dir);
  ASSERT_TRUE(ours.is_ok()) << ours.status().to_string();
  RespClient c = (*ours)->client();
  populate(c);
  auto expected = snapshot(c);
  EXPECT_EQ(c.call({"SAVE"}), "OK");
  (*ours)->process.stop();
  core::testing::TempDir redis_dir;
  fs::copy_file(dir->file("dump.rdb"), redis_dir.file("dump.rdb"));
  auto redis = RealRedis::start(redis_dir.path());
  ASSERT_TRUE(redis);
  auto rc = RespClient::connect(redis->port);
  ASSERT_TRUE(rc.is_ok());
  EXPECT_EQ(snapshot(*rc), expected);
  redis->process.stop();
}

// HyperLogLogs are strings in Redis's own layout: the same PFADD/PFMERGE sequence must leave the
// same bytes (sparse while small, dense after), and an HLL made by either server counts the same
// in the other.
TEST(InteropTest, HyperLogLogBytesMatchRealRedis) {
  REQUIRE_PROGRAM("redis-server");
  core::testing::TempDir redis_dir;
  auto redis = RealRedis::start(redis_dir.path());
  ASSERT_TRUE(redis);
  auto ours = KvServer::start();
  ASSERT_TRUE(ours.is_ok()) << ours.status().to_string();
  auto rc = RespClient::connect(redis->port);
  ASSERT_TRUE(rc.is_ok());
  RespClient c = (*ours)->client();
#if defined(SFS_SANITIZE)
  const int kTotal = 6000;
#else
  const int kTotal = 20000;
#endif
  int added = 0;
  for (int step = 1; added < kTotal; step *= 2) {
    std::vector<std::string> args = {"PFADD", "h"};
    for (int i = 0; i < step && added < kTotal; ++i, ++added) args.push_back("member:" + std::to_string(added * 7919));
    EXPECT_EQ(c.call(args), rc->call(args)) << added;
    EXPECT_EQ(c.call({"GET", "h"}), rc->call({"GET", "h"})) << "after " << added << " elements";
    EXPECT_EQ(c.call({"PFCOUNT", "h"}), rc->call({"PFCOUNT", "h"})) << added;
    std::vector<std::string> other = {"PFADD", "o" + std::to_string(step % 3), "x" + std::to_string(step), "y" + std::to_string(added)};
    EXPECT_EQ(c.call(other), rc->call(other));
  }
  for (const auto& args : std::vector<std::vector<std::string>>{{"PFMERGE", "m", "o0", "o1", "o2"},
                                                                 {"PFMERGE", "m2", "o1", "h"},
                                                                 {"PFCOUNT", "o0", "o1", "o2", "h"}}) {
    EXPECT_EQ(c.call(args), rc->call(args));
  }
  for (const char* key : {"m", "m2", "o0", "o1", "o2"}) {
    EXPECT_EQ(c.call({"GET", key}), rc->call({"GET", key})) << key;
  }
  // Redis's dense HLL into ours, ours into Redis, then both keep adding.
  std::string dense = rc->call({"GET", "h"});
  ASSERT_EQ(dense.size(), 12304u);
  EXPECT_EQ(c.call({"SET", "fromredis", dense}), "OK");
  EXPECT_EQ(rc->call({"SET", "fromsfs", c.call({"GET", "m"})}), "OK");
  EXPECT_EQ(c.call({"PFADD", "fromredis", "one", "more"}), rc->call({"PFADD", "h", "one", "more"}));
  EXPECT_EQ(c.call({"PFCOUNT", "fromredis"}), rc->call({"PFCOUNT", "h"}));
  EXPECT_EQ(rc->call({"PFCOUNT", "fromsfs"}), c.call({"PFCOUNT", "m"}));
  (*ours)->process.stop();
  redis->process.stop();
}

// DUMP payloads move values both ways: Redis 7's compact encodings into ours, our plain ones into
// Redis, for small and large values of every type.
TEST(InteropTest, DumpRestoreBothWays) {
  REQUIRE_PROGRAM("redis-server");
  core::testing::TempDir redis_dir;
  auto redis = RealRedis::start(redis_dir.path());
  ASSERT_TRUE(redis);
  auto ours = KvServer::start();
  ASSERT_TRUE(ours.is_ok()) << ours.status().to_string();
  auto rc = RespClient::connect(redis->port);
  ASSERT_TRUE(rc.is_ok());
  RespClient c = (*ours)->client();
  std::vector<std::vector<std::string>> fill = {
      {"SET", "str", "hello"}, {"SET", "int", "-123456789"}, {"SET", "long", std::string(300, 'z')},
      {"RPUSH", "list", "a", "b", "3"}, {"HSET", "hash", "f", "v", "n", "7"}, {"SADD", "iset", "1", "2", "3"},
      {"SADD", "set", "x", "y"}, {"ZADD", "zset", "1.5", "a", "-2", "b", "inf", "c"}};
  std::vector<std::string> big_list = {"RPUSH", "biglist"}, big_hash = {"HSET", "bighash"},
                           big_set = {"SADD", "bigset"}, big_zset = {"ZADD", "bigzset"};
  for (int i = 0; i < 700; ++i) {
    std::string v = "value-" + std::to_string(i * 31);
    big_list.push_back(v);
    big_hash.insert(big_hash.end(), {"field" + std::to_string(i), v});
    big_set.push_back(v);
    big_zset.insert(big_zset.end(), {std::to_string(i * 0.25), v});
  }
  fill.insert(fill.end(), {big_list, big_hash, big_set, big_zset});
  for (const auto& args : fill) {
    c.call(args);
    rc->call(args);
  }
  auto value_of = [](RespClient& client, const std::string& key) {
    std::string type = client.call({"TYPE", key});
    if (type == "string") return client.call({"GET", key});
    if (type == "list") return client.call({"LRANGE", key, "0", "-1"});
    if (type == "hash") {  // field order is the table's: compare sorted pairs
      std::string all = client.call({"HGETALL", key});
      auto parts = core::split(std::string_view(all).substr(1, all.size() - 2), ',');
      std::vector<std::string> pairs;
      for (size_t i = 0; i + 1 < parts.size(); i += 2) pairs.push_back(std::string(parts[i]) + "=" + std::string(parts[i + 1]));
      std::sort(pairs.begin(), pairs.end());
      return core::join(pairs, ",");
    }
    if (type == "set") return client.call({"SORT", key, "ALPHA"});
    if (type == "zset") return client.call({"ZRANGE", key, "0", "-1", "WITHSCORES"});
    return type;
  };
  for (const char* key : {"str", "int", "long", "list", "hash", "iset", "set", "zset", "biglist", "bighash", "bigset", "bigzset"}) {
    std::string from_redis = rc->call({"DUMP", key});
    std::string from_ours = c.call({"DUMP", key});
    EXPECT_EQ(c.call({"RESTORE", std::string("r-") + key, "0", from_redis}), "OK") << key;
    EXPECT_EQ(rc->call({"RESTORE", std::string("r-") + key, "0", from_ours}), "OK") << key;
    std::string expected = value_of(*rc, key);
    EXPECT_EQ(value_of(c, std::string("r-") + key), expected) << key;
    EXPECT_EQ(value_of(*rc, std::string("r-") + key), expected) << key;
  }
  (*ours)->process.stop();
  redis->process.stop();
}

TEST(InteropTest, AofDirectoryLoadsIntoRealRedis) {
  REQUIRE_PROGRAM("redis-server");
  auto dir = std::make_shared<core::testing::TempDir>();
  auto ours = KvServer::start({"--appendonly", "yes"}, dir);
  ASSERT_TRUE(ours.is_ok()) << ours.status().to_string();
  RespClient c = (*ours)->client();
  populate(c);
  EXPECT_EQ(c.call({"BGREWRITEAOF"}), "Background append only file rewriting started");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (c.call({"INFO", "persistence"}).find("aof_rewrite_in_progress:1") != std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(c.call({"INCR", "after-rewrite"}), ":1");
  EXPECT_EQ(c.call({"LPOP", "small-list"}), "a");
  auto expected = snapshot(c);
  (*ours)->process.stop();
  core::testing::TempDir redis_dir;
  fs::copy(dir->file("appendonlydir"), redis_dir.file("appendonlydir"));
  auto redis = RealRedis::start(redis_dir.path(), {"--appendonly", "yes"});
  ASSERT_TRUE(redis);
  auto rc = RespClient::connect(redis->port);
  ASSERT_TRUE(rc.is_ok());
  EXPECT_EQ(snapshot(*rc), expected);
  redis->process.stop();
}

TEST(InteropTest, RedisCliScripted) {
  REQUIRE_PROGRAM("redis-cli");
  auto s = KvServer::start();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  std::string p = std::to_string((*s)->port);
  EXPECT_EQ(run({"redis-cli", "-p", p, "SET", "greeting", "hello world"}), "OK\n");
  EXPECT_EQ(run({"redis-cli", "-p", p, "GET", "greeting"}), "hello world\n");
  EXPECT_EQ(run({"redis-cli", "-p", p, "RPUSH", "l", "a", "b"}), "2\n");
  EXPECT_EQ(run({"redis-cli", "-p", p, "LRANGE", "l", "0", "-1"}), "a\nb\n");
  EXPECT_EQ(run({"redis-cli", "-p", p, "--no-raw", "LRANGE", "l", "0", "-1"}), "1) \"a\"\n2) \"b\"\n");
  EXPECT_EQ(run({"redis-cli", "-p", p, "--no-raw", "INCR", "greeting"}),
            "(error) ERR value is not an integer or out of range\n");
  EXPECT_EQ(run({"redis-cli", "-p", p, "-3", "--no-raw", "HSET", "h", "f", "v"}), "(integer) 1\n");
  EXPECT_EQ(run({"redis-cli", "-p", p, "-3", "--no-raw", "HGETALL", "h"}), "1# \"f\" => \"v\"\n");
  EXPECT_EQ(run({"redis-cli", "-p", p, "-n", "4", "SET", "in4", "x"}), "OK\n");
  EXPECT_EQ(run({"redis-cli", "-p", p, "-n", "4", "DBSIZE"}), "1\n");
  // Commands from stdin, and the mass-insertion pipe mode.
  EXPECT_EQ(run({"redis-cli", "-p", p}, "SET a 1\nINCR a\nGET a\n"), "OK\n2\n2\n");
  std::string mass;
  for (int i = 0; i < 5000; ++i) mass += RespClient::encode({"SET", "mass:" + std::to_string(i), std::to_string(i)});
  std::string piped = run({"redis-cli", "-p", p, "--pipe"}, mass);
  EXPECT_NE(piped.find("errors: 0, replies: 5000"), std::string::npos) << piped;
  std::string scanned = run({"redis-cli", "-p", p, "--scan", "--pattern", "mass:1*"});
  EXPECT_EQ(std::count(scanned.begin(), scanned.end(), '\n'), 1111);
  std::string info = run({"redis-cli", "-p", p, "INFO", "server"});
  EXPECT_NE(info.find("redis_version:"), std::string::npos);
  (*s)->process.stop();
}

// Runs an interactive program in a detached tmux session; returns captured screens.
class Tmux {
 public:
  explicit Tmux(const std::vector<std::string>& argv) {
    name_ = "sfs-kv-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++);
    std::vector<std::string> cmd = {"tmux", "-L", name_, "new-session", "-d", "-s", name_, "-x", "120", "-y", "40"};
    cmd.insert(cmd.end(), argv.begin(), argv.end());
    run(cmd);
  }
  ~Tmux() { run({"tmux", "-L", name_, "kill-server"}); }
  void keys(const std::string& text) { run({"tmux", "-L", name_, "send-keys", "-t", name_, "-l", text}); }
  void key(const std::string& k) { run({"tmux", "-L", name_, "send-keys", "-t", name_, k}); }
  std::string screen() { return run({"tmux", "-L", name_, "capture-pane", "-p", "-t", name_}); }
  // Waits until `needle` appears at least `times` times on the screen.
  bool wait_count(const std::string& needle, size_t times, int timeout_ms = 10000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      std::string s = screen();
      size_t n = 0;
      for (size_t pos = 0; (pos = s.find(needle, pos)) != std::string::npos; pos += needle.size()) ++n;
      if (n >= times) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  // Waits until the screen contains `needle`.
  bool wait_for(const std::string& needle, int timeout_ms = 10000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      if (screen().find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

 private:
  std::string name_;
  static inline int counter_ = 0;
};

TEST(InteropTest, RedisCliInteractiveWithHints) {
  REQUIRE_PROGRAM("redis-cli");
  REQUIRE_PROGRAM("tmux");
  auto s = KvServer::start();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  std::string p = std::to_string((*s)->port);
  core::testing::TempDir home;
  Tmux t({"env", "HOME=" + home.path(), "TERM=xterm", "redis-cli", "-p", p});
  ASSERT_TRUE(t.wait_for("127.0.0.1:" + p + ">")) << t.screen();
  // redis-cli builds its hints from COMMAND DOCS: typing "SET " shows the argument syntax.
  t.keys("SET ");
  EXPECT_TRUE(t.wait_for("key value")) << t.screen();
  t.keys("color blue");
  t.key("Enter");
  EXPECT_TRUE(t.wait_for("OK")) << t.screen();
  t.keys("GET color");
  t.key("Enter");
  EXPECT_TRUE(t.wait_for("\"blue\"")) << t.screen();
  t.keys("ZADD z 1 a");
  t.key("Enter");
  EXPECT_TRUE(t.wait_for("(integer) 1")) << t.screen();
  t.keys("SELECT 3");
  t.key("Enter");
  EXPECT_TRUE(t.wait_for("127.0.0.1:" + p + "[3]>")) << t.screen();
  t.keys("quit");
  t.key("Enter");
  (*s)->process.stop();
}

TEST(InteropTest, RedisBenchmarkRunsEveryBenchTestWithoutErrors) {
  REQUIRE_PROGRAM("redis-benchmark");
  auto s = KvServer::start();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  std::string p = std::to_string((*s)->port);
  const char* tests = "set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,mset";
  for (const char* pipeline : {"1", "16"}) {
    int code = -1;
    std::string out = run({"redis-benchmark", "-p", p, "-q", "-n", "3000", "-c", "20", "-P", pipeline, "-t", tests}, "", &code);
    EXPECT_EQ(code, 0) << out;
    for (const char* name : {"SET:", "GET:", "INCR:", "LPUSH:", "RPUSH:", "LPOP:", "RPOP:", "SADD:", "HSET:",
                             "SPOP:", "ZADD:", "ZPOPMIN:", "LRANGE_100 (first 100 elements):", "MSET (10 keys):"}) {
      EXPECT_NE(out.find(name), std::string::npos) << name << " missing in\n" << out;
    }
    EXPECT_EQ(out.find("ERR"), std::string::npos) << out;
    EXPECT_EQ(out.find("rror"), std::string::npos) << out;
  }
  (*s)->process.stop();
}

TEST(InteropTest, Ioredis) {
  REQUIRE_PROGRAM("node");
  std::string dir = core::testing::source_dir() + "/systems/kv/tests/node";
  if (!fs::exists(dir + "/node_modules/ioredis")) {
    SFS_SKIP_UNLESS_CI("ioredis is not installed (scripts/setup test runs npm ci)");
  }
  auto s = KvServer::start();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  int code = -1;
  std::string out = run({"node", dir + "/ioredis_test.js", std::to_string((*s)->port)}, "", &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("all checks passed"), std::string::npos) << out;
  (*s)->process.stop();
}

// Runs a transcript script (one line per operation) against Debian's redis-server and against
// sfs kv and expects the same transcript: every difference a client library's user could see
// shows up as a differing line.
void expect_same_transcript(const std::vector<std::string>& script, const std::string& what) {
  core::testing::TempDir redis_dir;
  auto redis = RealRedis::start(redis_dir.path());
  ASSERT_TRUE(redis);
  auto s = KvServer::start();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  auto transcript = [&](uint16_t port) {
    std::vector<std::string> argv = script;
    argv.push_back(std::to_string(port));
    int code = -1;
    std::string out = run(argv, "", &code);
    EXPECT_EQ(code, 0) << what << " failed against port " << port << ":\n" << out;
    EXPECT_NE(out.find("\ndone\n"), std::string::npos) << out;
    return out;
  };
  std::string expected = transcript(redis->port);
  std::string got = transcript((*s)->port);
  auto split_lines = [](const std::string& text) {
    std::vector<std::string> out;
    for (auto piece : core::split(text, '\n')) out.emplace_back(piece);
    return out;
  };
  std::vector<std::string> a = split_lines(expected), b = split_lines(got);
  std::string differences;
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    std::string x = i < a.size() ? a[i] : "<missing>", y = i < b.size() ? b[i] : "<missing>";
    if (x != y) differences += "  redis:  " + x + "\n  sfs kv: " + y + "\n";
  }
  EXPECT_TRUE(differences.empty()) << what << " sees differences between Redis and sfs kv:\n"
                                   << differences;
  EXPECT_GT(a.size(), 100u);
  (*s)->process.stop();
  redis->process.stop();
}

TEST(InteropTest, RedisPySameAsRealRedis) {
  REQUIRE_PROGRAM("redis-server");
  // Debian's python3-redis lives in the system interpreter's dist-packages.
  if (run({"/usr/bin/python3", "-c", "import redis"}).find("Error") != std::string::npos ||
      !fs::exists("/usr/lib/python3/dist-packages/redis")) {
    SFS_SKIP_UNLESS_CI("python3-redis is not installed (scripts/setup test)");
  }
  expect_same_transcript({"/usr/bin/python3", core::testing::source_dir() +
                                                  "/systems/kv/tests/python/redis_py_test.py"},
                         "redis-py");
}

TEST(InteropTest, NodeRedisSameAsRealRedis) {
  REQUIRE_PROGRAM("node");
  REQUIRE_PROGRAM("redis-server");
  std::string dir = core::testing::source_dir() + "/systems/kv/tests/node";
  if (!fs::exists(dir + "/node_modules/redis")) {
    SFS_SKIP_UNLESS_CI("node-redis is not installed (scripts/setup test runs npm ci)");
  }
  expect_same_transcript({"node", dir + "/node_redis_test.js"}, "node-redis");
}

TEST(InteropTest, SfsKvCliScriptedAgainstRealRedisAndOurs) {
  auto s = KvServer::start();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  std::string p = std::to_string((*s)->port);
  std::string cli = core::testing::sfs_binary();
  EXPECT_EQ(run({cli, "kv", "cli", "-p", p, "SET", "k", "-1"}), "OK\n");
  EXPECT_EQ(run({cli, "kv", "cli", "-h", "127.0.0.1", "-p", p, "GET", "k"}), "-1\n");
  EXPECT_EQ(run({cli, "kv", "cli", "-p", p, "--no-raw", "INCR", "k"}), "(integer) 0\n");
  EXPECT_EQ(run({cli, "kv", "cli", "-p", p, "--no-raw", "RPUSH", "l", "a", "b"}), "(integer) 2\n");
  EXPECT_EQ(run({cli, "kv", "cli", "-p", p, "--no-raw", "LRANGE", "l", "0", "-1"}), "1) \"a\"\n2) \"b\"\n");
  EXPECT_EQ(run({cli, "kv", "cli", "-p", p, "-3", "--no-raw", "HSET", "h", "f", "v"}), "(integer) 1\n");
  EXPECT_EQ(run({cli, "kv", "cli", "-p", p, "-3", "--no-raw", "HGETALL", "h"}), "1# \"f\" => \"v\"\n");
  EXPECT_EQ(run({cli, "kv", "cli", "-p", p, "-3", "--no-raw", "ZADD", "z", "1.5", "m"}), "(integer) 1\n");
  EXPECT_EQ(run({cli, "kv", "cli", "-p", p, "-3", "--no-raw", "ZSCORE", "z", "m"}), "(double) 1.5\n");
  int code = 0;
  EXPECT_EQ(run({cli, "kv", "cli", "-p", p, "--no-raw", "NOPE"}, "", &code),
            "(error) ERR unknown command 'NOPE', with args beginning with: \n");
  EXPECT_EQ(code, 1);
  EXPECT_EQ(run({cli, "kv", "cli", "-p", p}, "SET a 1\nINCR a\n\nGET a\n"), "OK\n2\n2\n");
  // -a / --user --pass authenticate first, as with redis-cli (which also warns on stderr).
  EXPECT_EQ(run({cli, "kv", "cli", "-p", p, "CONFIG", "SET", "requirepass", "s3"}), "OK\n");
  std::string out = run({cli, "kv", "cli", "-p", p, "-a", "s3", "GET", "a"});
  EXPECT_TRUE(out.ends_with("2\n")) << out;
  out = run({cli, "kv", "cli", "-p", p, "--user", "default", "--pass", "s3", "GET", "a"});
  EXPECT_TRUE(out.ends_with("2\n")) << out;
  out = run({cli, "kv", "cli", "-p", p, "-a", "wrong", "GET", "a"});
  EXPECT_NE(out.find("AUTH failed: WRONGPASS"), std::string::npos) << out;
  EXPECT_TRUE(out.ends_with("NOAUTH Authentication required.\n")) << out;
  EXPECT_EQ(run({cli, "kv", "cli", "-p", p, "-a", "s3", "CONFIG", "SET", "requirepass", ""}).substr(0, 7), "Warning");
  if (core::testing::have_program("redis-server")) {
    core::testing::TempDir redis_dir;
    auto redis = RealRedis::start(redis_dir.path());
    ASSERT_TRUE(redis);
    std::string rp = std::to_string(redis->port);
    EXPECT_EQ(run({cli, "kv", "cli", "-p", rp, "SET", "k", "v"}), "OK\n");
    EXPECT_EQ(run({cli, "kv", "cli", "-p", rp, "--no-raw", "GET", "k"}), "\"v\"\n");
    redis->process.stop();
  }
  (*s)->process.stop();
}

TEST(InteropTest, SfsKvCliInteractiveWithHistory) {
  REQUIRE_PROGRAM("tmux");
  auto s = KvServer::start();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  std::string p = std::to_string((*s)->port);
  core::testing::TempDir home;
  {
    Tmux t({"env", "HOME=" + home.path(), "TERM=xterm", core::testing::sfs_binary(), "kv", "cli", "-p", p});
    std::string prompt = "127.0.0.1:" + p + ">";
    ASSERT_TRUE(t.wait_for(prompt)) << t.screen();
    t.keys("SET fruit apple");
    t.key("Enter");
    EXPECT_TRUE(t.wait_for("OK")) << t.screen();
    // Like redis-cli (linenoise), the editor discards keys typed before its prompt is back.
    ASSERT_TRUE(t.wait_count(prompt, 2)) << t.screen();
    t.keys("GET fruit");
    t.key("Enter");
    EXPECT_TRUE(t.wait_for("\"apple\"")) << t.screen();
    ASSERT_TRUE(t.wait_count(prompt, 3)) << t.screen();
    t.keys("SELECT 2");
    t.key("Enter");
    EXPECT_TRUE(t.wait_for("127.0.0.1:" + p + "[2]>")) << t.screen();
    t.keys("quit");
    t.key("Enter");
  }
  // History survives: Up recalls "quit", "SELECT 2", then "GET fruit" in a new session. (Keys
  // sent before the editor takes the terminal may be dropped, so press Up until it shows.)
  Tmux t({"env", "HOME=" + home.path(), "TERM=xterm", core::testing::sfs_binary(), "kv", "cli", "-p", p});
  ASSERT_TRUE(t.wait_for("127.0.0.1:" + p + ">")) << t.screen();
  bool recalled = false;
  for (int i = 0; i < 20 && !recalled; ++i) {
    t.key("Up");
    recalled = t.wait_for("127.0.0.1:" + p + "> GET fruit", 500);
  }
  ASSERT_TRUE(recalled) << t.screen();
  t.key("Enter");
  EXPECT_TRUE(t.wait_for("\"apple\"")) << t.screen();
  t.keys("quit");
  t.key("Enter");
  (*s)->process.stop();
}

}  // namespace
}  // namespace sfs::kv
