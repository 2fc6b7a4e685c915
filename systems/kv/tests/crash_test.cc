// The durability promise under appendfsync always: writers hammer the server, it is killed with
// SIGKILL at a random moment (sometimes in the middle of a BGREWRITEAOF), restarted from its AOF,
// and every write that was acknowledged must be there. Many rounds; fewer under the sanitizers.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <random>
#include <thread>

#include "systems/kv/tests/test_client.h"

namespace sfs::kv {
namespace {

using testing::KvServer;
using testing::RespClient;

#if defined(SFS_SANITIZE)
constexpr int kRounds = 8;
#else
constexpr int kRounds = 40;
#endif
constexpr int kWriters = 3;

TEST(CrashTest, AcknowledgedWritesSurviveSigkill) {
  auto dir = std::make_shared<core::testing::TempDir>();
  std::vector<std::string> args = {"--appendonly", "yes", "--appendfsync", "always"};
  std::mt19937 rng(12345);
  // Per writer: how many SETs were acknowledged in total (keys w<t>:<i> for i < count).
  std::vector<int64_t> acked(kWriters, 0);
  int64_t acked_incr = 0;
  for (int round = 0; round < kRounds; ++round) {
    auto server = KvServer::start(args, dir);
    ASSERT_TRUE(server.is_ok()) << "round " << round << ": " << server.status().to_string();
    uint16_t port = (*server)->port;
    {
      // Everything acknowledged in earlier rounds is still there.
      RespClient check = (*server)->client();
      for (int t = 0; t < kWriters; ++t) {
        if (acked[t] == 0) continue;
        std::string key = "w" + std::to_string(t) + ":" + std::to_string(acked[t] - 1);
        ASSERT_EQ(check.call({"GET", key}), "v" + std::to_string(acked[t] - 1)) << "round " << round << " " << key;
        ASSERT_EQ(check.call({"EXISTS", "w" + std::to_string(t) + ":0"}), ":1") << "round " << round;
      }
      std::string counter = check.call({"GET", "counter"});
      int64_t value = counter == "(nil)" ? 0 : std::stoll(counter);
      ASSERT_GE(value, acked_incr) << "round " << round;
      acked_incr = value;  // unacknowledged INCRs may or may not have landed
      // Spot-check a sample of older keys.
      for (int t = 0; t < kWriters; ++t) {
        for (int k = 0; k < 20 && acked[t] > 0; ++k) {
          int64_t i = static_cast<int64_t>(rng() % static_cast<uint64_t>(acked[t]));
          ASSERT_EQ(check.call({"GET", "w" + std::to_string(t) + ":" + std::to_string(i)}), "v" + std::to_string(i))
              << "round " << round;
        }
      }
    }
    std::atomic<bool> stop{false};
    std::atomic<int64_t> round_incr{0};
    std::vector<std::thread> writers;
    for (int t = 0; t < kWriters; ++t) {
      writers.emplace_back([&, t] {
        auto c = RespClient::connect(port);
        if (!c.is_ok()) return;
        while (!stop) {
          int64_t i = acked[t];
          std::string reply = c->call({"SET", "w" + std::to_string(t) + ":" + std::to_string(i), "v" + std::to_string(i)}, 3000);
          if (reply != "OK") return;
          acked[t] = i + 1;
          if (c->call({"INCR", "counter"}, 3000).rfind(':', 0) != 0) return;
          ++round_incr;
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + rng() % 200));
    if (round % 3 == 1) {
      auto admin = RespClient::connect(port);
      if (admin.is_ok()) admin->call({"BGREWRITEAOF"}, 3000);
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 50));
    }
    (void)(*server)->process.process().kill(SIGKILL);
    (void)(*server)->process.process().wait();
    stop = true;
    for (auto& w : writers) w.join();
    acked_incr += round_incr;
    (*server)->process.stop();
  }
  // A last start checks the final round.
  auto server = KvServer::start(args, dir);
  ASSERT_TRUE(server.is_ok()) << server.status().to_string();
  RespClient check = (*server)->client();
  int64_t total = 0;
  for (int t = 0; t < kWriters; ++t) {
    total += acked[t];
    for (int64_t i = 0; i < acked[t]; i += std::max<int64_t>(1, acked[t] / 200)) {
      ASSERT_EQ(check.call({"GET", "w" + std::to_string(t) + ":" + std::to_string(i)}), "v" + std::to_string(i));
    }
    if (acked[t] > 0) {
      ASSERT_EQ(check.call({"GET", "w" + std::to_string(t) + ":" + std::to_string(acked[t] - 1)}),
                "v" + std::to_string(acked[t] - 1));
    }
  }
  std::string counter = check.call({"GET", "counter"});
  EXPECT_GE(counter == "(nil)" ? 0 : std::stoll(counter), acked_incr);
  EXPECT_GT(total, 100) << "the writers should have made progress";
  (*server)->process.stop();
}

}  // namespace
}  // namespace sfs::kv
