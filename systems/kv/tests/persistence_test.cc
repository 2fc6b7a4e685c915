// Persistence: RDB (SAVE, BGSAVE, save rules, the snapshot at shutdown, expired keys, corrupt
// files) and the AOF (replay, BGREWRITEAOF, a truncated tail repaired, an unfinished MULTI
// dropped, corruption refused).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/file.h"
#include "systems/kv/tests/test_client.h"

namespace sfs::kv {
namespace {

using testing::KvServer;
using testing::RespClient;
namespace fs = std::filesystem;

template <typename Fn>
bool eventually(Fn fn, int timeout_ms = 15000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (fn()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::unique_ptr<KvServer> start(std::shared_ptr<core::testing::TempDir> dir, std::vector<std::string> extra = {}) {
  auto s = KvServer::start(std::move(extra), std::move(dir));
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  return s.is_ok() ? std::move(s).value() : nullptr;
}

void fill_all_types(RespClient& c) {
  ASSERT_EQ(c.call({"SET", "str", "hello"}), "OK");
  ASSERT_EQ(c.call({"SET", "int", "-42"}), "OK");
  ASSERT_EQ(c.call({"SET", "long", std::string(5000, 'z')}), "OK");
  ASSERT_EQ(c.call({"SET", "ttl", "v", "EX", "1000"}), "OK");
  ASSERT_EQ(c.call({"RPUSH", "list", "a", "b", "c"}), ":3");
  ASSERT_EQ(c.call({"HSET", "hash", "f", "v", "g", "w"}), ":2");
  ASSERT_EQ(c.call({"SADD", "set", "1", "2", "x"}), ":3");
  ASSERT_EQ(c.call({"ZADD", "zset", "1.5", "a", "-inf", "b"}), ":2");
  std::string batch;
  for (int i = 0; i < 1000; ++i) batch += RespClient::encode({"RPUSH", "biglist", std::to_string(i)});
  for (int i = 0; i < 1000; ++i) batch += RespClient::encode({"ZADD", "bigz", std::to_string(i), "m" + std::to_string(i)});
  ASSERT_TRUE(c.send_raw(batch));
  for (int i = 0; i < 2000; ++i) c.read();
  ASSERT_EQ(c.call({"SELECT", "3"}), "OK");
  ASSERT_EQ(c.call({"SET", "in3", "three"}), "OK");
  ASSERT_EQ(c.call({"SELECT", "0"}), "OK");
}

void check_all_types(RespClient& c) {
  EXPECT_EQ(c.call({"GET", "str"}), "hello");
  EXPECT_EQ(c.call({"GET", "int"}), "-42");
  EXPECT_EQ(c.call({"STRLEN", "long"}), ":5000");
  std::string ttl = c.call({"TTL", "ttl"});
  EXPECT_GT(std::stoll(ttl.substr(1)), 990) << ttl;
  EXPECT_EQ(c.call({"LRANGE", "list", "0", "-1"}), "[a,b,c]");
  EXPECT_EQ(c.call({"HGET", "hash", "g"}), "w");
  EXPECT_EQ(c.call({"SMISMEMBER", "set", "1", "2", "x", "y"}), "[:1,:1,:1,:0]");
  EXPECT_EQ(c.call({"ZRANGE", "zset", "0", "-1", "WITHSCORES"}), "[b,-inf,a,1.5]");
  EXPECT_EQ(c.call({"LINDEX", "biglist", "999"}), "999");
  EXPECT_EQ(c.call({"ZSCORE", "bigz", "m500"}), "500");
  EXPECT_EQ(c.call({"SELECT", "3"}), "OK");
  EXPECT_EQ(c.call({"GET", "in3"}), "three");
  EXPECT_EQ(c.call({"SELECT", "0"}), "OK");
  EXPECT_EQ(c.call({"DBSIZE"}), ":10");
}

TEST(PersistenceTest, SaveAndReload) {
  auto dir = std::make_shared<core::testing::TempDir>();
  {
    auto s = start(dir);
    RespClient c = s->client();
    fill_all_types(c);
    EXPECT_EQ(c.call({"SAVE"}), "OK");
    s->process.stop();
  }
  EXPECT_TRUE(fs::exists(dir->file("dump.rdb")));
  auto s = start(dir);
  RespClient c = s->client();
  check_all_types(c);
  s->process.stop();
}

TEST(PersistenceTest, BgsaveForksAChild) {
  auto dir = std::make_shared<core::testing::TempDir>();
  {
    auto s = start(dir);
    RespClient c = s->client();
    fill_all_types(c);
    EXPECT_EQ(c.call({"BGSAVE"}), "Background saving started");
    // Writes during the save do not disturb the snapshot.
    EXPECT_EQ(c.call({"SET", "after", "x"}), "OK");
    EXPECT_TRUE(eventually([&] {
      std::string info = c.call({"INFO", "persistence"});
      return info.find("rdb_bgsave_in_progress:0") != std::string::npos &&
             info.find("rdb_last_bgsave_status:ok") != std::string::npos && fs::exists(dir->file("dump.rdb"));
    }));
    EXPECT_EQ(c.call({"DEL", "after"}), ":1");
    s->process.stop();
  }
  auto s = start(dir);
  RespClient c = s->client();
  check_all_types(c);
  s->process.stop();
}

TEST(PersistenceTest, SaveRulesAndShutdownSnapshot) {
  auto dir = std::make_shared<core::testing::TempDir>();
  {
    auto s = start(dir, {"--save", "1 1"});
    RespClient c = s->client();
    EXPECT_EQ(c.call({"SET", "k", "v"}), "OK");
    EXPECT_TRUE(eventually([&] { return fs::exists(dir->file("dump.rdb")); }));
    s->process.stop();
  }
  fs::remove(dir->file("dump.rdb"));
  {
    auto s = start(dir, {"--save", "3600 1"});
    RespClient c = s->client();
    EXPECT_EQ(c.call({"SET", "k", "at-shutdown"}), "OK");
    s->process.stop();  // SIGTERM: a save point is configured, so it snapshots
    EXPECT_NE(s->process.output().find("Saving the final RDB snapshot"), std::string::npos);
  }
  {
    auto s = start(dir);
    RespClient c = s->client();
    EXPECT_EQ(c.call({"GET", "k"}), "at-shutdown");
    EXPECT_EQ(c.call({"SET", "k", "not-saved"}), "OK");
    c.call({"SHUTDOWN", "NOSAVE"});
    EXPECT_TRUE(eventually([&] { return !s->process.running(); }));
    s->process.stop();
  }
  auto s = start(dir);
  RespClient c = s->client();
  EXPECT_EQ(c.call({"GET", "k"}), "at-shutdown");
  s->process.stop();
}

TEST(PersistenceTest, ExpiredKeysAreNotLoaded) {
  auto dir = std::make_shared<core::testing::TempDir>();
  {
    auto s = start(dir);
    RespClient c = s->client();
    EXPECT_EQ(c.call({"SET", "soon", "v", "PX", "150"}), "OK");
    EXPECT_EQ(c.call({"SET", "later", "v", "EX", "1000"}), "OK");
    EXPECT_EQ(c.call({"SAVE"}), "OK");
    s->process.stop();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  auto s = start(dir);
  RespClient c = s->client();
  EXPECT_EQ(c.call({"EXISTS", "soon", "later"}), ":1");
  s->process.stop();
}

TEST(PersistenceTest, CorruptRdbIsRefused) {
  auto dir = std::make_shared<core::testing::TempDir>();
  {
    auto s = start(dir);
    RespClient c = s->client();
    EXPECT_EQ(c.call({"SET", "k", "some value to corrupt"}), "OK");
    EXPECT_EQ(c.call({"SAVE"}), "OK");
    s->process.stop();
  }
  auto data = core::read_file(dir->file("dump.rdb"));
  ASSERT_TRUE(data.is_ok());
  std::string bytes = *data;
  bytes[bytes.size() / 2] ^= 0x5a;
  ASSERT_TRUE(core::write_file(dir->file("dump.rdb"), bytes).is_ok());
  uint16_t port = core::testing::free_port();
  auto run = core::run_and_capture({core::testing::sfs_binary(), "kv", "server", "--port", std::to_string(port),
                                    "--dir", dir->path(), "--save", ""}, "", 30000);
  ASSERT_TRUE(run.is_ok());
  EXPECT_NE(run->exit_code, 0);
  EXPECT_TRUE(run->output.find("checksum") != std::string::npos || run->output.find("RDB") != std::string::npos)
      << run->output;
}

std::string incr_file(const std::string& dir) {
  std::string found;
  for (const auto& e : fs::directory_iterator(dir + "/appendonlydir")) {
    std::string name = e.path().filename().string();
    if (name.find(".incr.aof") != std::string::npos && name > found) found = name;
  }
  return dir + "/appendonlydir/" + found;
}

TEST(AofTest, ReplayRewriteAndRestart) {
  auto dir = std::make_shared<core::testing::TempDir>();
  std::vector<std::string> aof = {"--appendonly", "yes", "--appendfsync", "everysec"};
  {
    auto s = start(dir, aof);
    RespClient c = s->client();
    fill_all_types(c);
    for (int i = 0; i < 500; ++i) ASSERT_EQ(c.call({"INCR", "counter"}), ":" + std::to_string(i + 1));
    EXPECT_EQ(c.call({"MULTI"}), "OK");
    EXPECT_EQ(c.call({"INCR", "counter"}), "QUEUED");
    EXPECT_EQ(c.call({"SET", "tx", "done"}), "QUEUED");
    EXPECT_EQ(c.call({"EXEC"}), "[:501,OK]");
    EXPECT_EQ(c.call({"BGREWRITEAOF"}), "Background append only file rewriting started");
    EXPECT_EQ(c.call({"SET", "during", "rewrite"}), "OK");
    EXPECT_TRUE(eventually([&] {
      std::string info = c.call({"INFO", "persistence"});
      return info.find("aof_rewrite_in_progress:0") != std::string::npos;
    }));
    EXPECT_NE(c.call({"INFO", "persistence"}).find("aof_last_bgrewrite_status:ok"), std::string::npos);
    EXPECT_EQ(c.call({"SET", "after", "rewrite"}), "OK");
    EXPECT_EQ(c.call({"DEL", "during", "after", "tx"}), ":3");
    EXPECT_EQ(c.call({"SET", "tx", "done"}), "OK");
    // The crash: no shutdown, no final flush.
    (void)s->process.process().kill(SIGKILL);
    (void)s->process.process().wait();
  }
  auto manifest = core::read_file(dir->file("appendonlydir/appendonly.aof.manifest"));
  ASSERT_TRUE(manifest.is_ok());
  EXPECT_NE(manifest->find("appendonly.aof.2.base.rdb seq 2 type b"), std::string::npos) << *manifest;
  EXPECT_EQ(manifest->find(".1.incr.aof"), std::string::npos) << *manifest;
  auto s = start(dir, aof);
  RespClient c = s->client();
  EXPECT_EQ(c.call({"GET", "counter"}), "501");
  EXPECT_EQ(c.call({"DEL", "counter", "tx"}), ":2");
  check_all_types(c);
  s->process.stop();
}

// SORT ... STORE (propagated as DEL + RPUSH of the result), the bitmap writes, RESTORE with a
// relative TTL (propagated with ABSTTL) and PFADD replay to the same data.
TEST(AofTest, SortStoreBitmapRestoreAndPfaddReplay) {
  auto dir = std::make_shared<core::testing::TempDir>();
  std::vector<std::string> aof = {"--appendonly", "yes", "--appendfsync", "always"};
  {
    auto s = start(dir, aof);
    RespClient c = s->client();
    EXPECT_EQ(c.call({"SADD", "sortme", "pear", "fig", "kiwi", "apple"}), ":4");
    EXPECT_EQ(c.call({"MSET", "w_pear", "1", "w_fig", "3", "w_kiwi", "2", "w_apple", "4"}), "OK");
    EXPECT_EQ(c.call({"SORT", "sortme", "ALPHA", "STORE", "sorted"}), ":4");
    EXPECT_EQ(c.call({"SORT", "sortme", "BY", "w_*", "DESC", "GET", "#", "GET", "w_*", "STORE", "byweight"}), ":8");
    EXPECT_EQ(c.call({"SET", "gone", "x", "EX", "1000"}), "OK");
    EXPECT_EQ(c.call({"SORT", "sortme", "ALPHA", "LIMIT", "0", "0", "STORE", "gone"}), ":0");
    EXPECT_EQ(c.call({"SET", "replaced", "x", "EX", "1000"}), "OK");
    EXPECT_EQ(c.call({"SORT", "sortme", "ALPHA", "LIMIT", "1", "1", "STORE", "replaced"}), ":1");
    EXPECT_EQ(c.call({"SETBIT", "bits", "9", "1"}), ":0");
    EXPECT_EQ(c.call({"BITFIELD", "bits", "SET", "u8", "#2", "65", "INCRBY", "i5", "0", "3"}), "[:0,:3]");
    EXPECT_EQ(c.call({"BITOP", "OR", "bitsor", "bits", "sortme_missing"}), ":3");
    std::string payload = c.call({"DUMP", "sortme"});
    EXPECT_EQ(c.call({"RESTORE", "restored", "100000000", payload}), "OK");
    EXPECT_EQ(c.call({"PFADD", "hll", "a", "b", "c"}), ":1");
    (void)s->process.process().kill(SIGKILL);
    (void)s->process.process().wait();
  }
  auto s = start(dir, aof);
  RespClient c = s->client();
  EXPECT_EQ(c.call({"LRANGE", "sorted", "0", "-1"}), "[apple,fig,kiwi,pear]");
  EXPECT_EQ(c.call({"LRANGE", "byweight", "0", "-1"}), "[apple,4,fig,3,kiwi,2,pear,1]");
  EXPECT_EQ(c.call({"EXISTS", "gone"}), ":0");
  EXPECT_EQ(c.call({"LRANGE", "replaced", "0", "-1"}), "[fig]");
  EXPECT_EQ(c.call({"TTL", "replaced"}), ":-1");
  EXPECT_EQ(c.call({"BITFIELD", "bitsor", "GET", "u8", "0", "GET", "u8", "8", "GET", "u8", "16"}), "[:24,:64,:65]");
  EXPECT_EQ(c.call({"SORT", "restored", "ALPHA"}), "[apple,fig,kiwi,pear]");
  std::string ttl = c.call({"TTL", "restored"});
  EXPECT_TRUE(ttl == ":100000" || ttl == ":99999") << ttl;  // an absolute deadline, not restarted
  EXPECT_EQ(c.call({"PFCOUNT", "hll"}), ":3");
  s->process.stop();
}

TEST(AofTest, TruncatedTailIsRepairedAndUnfinishedMultiDropped) {
  auto dir = std::make_shared<core::testing::TempDir>();
  std::vector<std::string> aof = {"--appendonly", "yes", "--appendfsync", "always"};
  {
    auto s = start(dir, aof);
    RespClient c = s->client();
    EXPECT_EQ(c.call({"SET", "kept", "yes"}), "OK");
    s->process.stop();
  }
  std::string incr = incr_file(dir->path());
  auto before = core::read_file(incr);
  ASSERT_TRUE(before.is_ok());
  {
    std::ofstream out(incr, std::ios::app | std::ios::binary);
    out << RespClient::encode({"MULTI"}) << RespClient::encode({"SET", "half", "tx"});
    out << "*3\r\n$3\r\nSET\r\n$4\r\ntrun";  // cut in the middle of a command
  }
  {
    auto s = start(dir, aof);
    RespClient c = s->client();
    EXPECT_EQ(c.call({"GET", "kept"}), "yes");
    EXPECT_EQ(c.call({"EXISTS", "half", "trun"}), ":0");
    std::string log = s->process.output();
    EXPECT_NE(log.find("short read while loading the AOF"), std::string::npos) << log;
    EXPECT_NE(log.find("aof-load-truncated"), std::string::npos) << log;
    EXPECT_EQ(c.call({"SET", "next", "write"}), "OK");
    s->process.stop();
  }
  auto s = start(dir, aof);
  RespClient c = s->client();
  EXPECT_EQ(c.call({"MGET", "kept", "next"}), "[yes,write]");
  s->process.stop();
}

TEST(AofTest, CorruptionInTheMiddleIsRefused) {
  auto dir = std::make_shared<core::testing::TempDir>();
  {
    auto s = start(dir, {"--appendonly", "yes"});
    RespClient c = s->client();
    EXPECT_EQ(c.call({"SET", "a", "1"}), "OK");
    EXPECT_EQ(c.call({"SET", "b", "2"}), "OK");
    s->process.stop();
  }
  std::string incr = incr_file(dir->path());
  auto data = core::read_file(incr);
  ASSERT_TRUE(data.is_ok());
  std::string bytes = *data;
  size_t pos = bytes.find("*3", 10);
  ASSERT_NE(pos, std::string::npos);
  bytes[pos] = '#';
  ASSERT_TRUE(core::write_file(incr, bytes).is_ok());
  uint16_t port = core::testing::free_port();
  auto run = core::run_and_capture({core::testing::sfs_binary(), "kv", "server", "--port", std::to_string(port),
                                    "--dir", dir->path(), "--save", "", "--appendonly", "yes"}, "", 30000);
  ASSERT_TRUE(run.is_ok());
  EXPECT_NE(run->exit_code, 0);
  EXPECT_NE(run->output.find("Bad file format"), std::string::npos) << run->output;
}

TEST(AofTest, SwitchingOnAtRuntimeKeepsTheDataset) {
  auto dir = std::make_shared<core::testing::TempDir>();
  {
    auto s = start(dir);
    RespClient c = s->client();
    EXPECT_EQ(c.call({"SET", "before", "aof"}), "OK");
    EXPECT_EQ(c.call({"CONFIG", "SET", "appendonly", "yes"}), "OK");
    EXPECT_EQ(c.call({"SET", "with", "aof"}), "OK");
    (void)s->process.process().kill(SIGKILL);
    (void)s->process.process().wait();
  }
  auto s = start(dir, {"--appendonly", "yes"});
  RespClient c = s->client();
  EXPECT_EQ(c.call({"MGET", "before", "with"}), "[aof,aof]");
  s->process.stop();
}

}  // namespace
}  // namespace sfs::kv
