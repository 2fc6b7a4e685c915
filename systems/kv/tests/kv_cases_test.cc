// Runs the command cases in tests/cases/*.txt — commands with the replies Redis 7.0 gives (the
// files are regenerated from a real redis-server by tests/cases/regen.py) — against sfs kv.
// interop_test.cc runs the same files against Debian's redis-server, so they stay true.
#include <gtest/gtest.h>

#include "systems/kv/tests/test_client.h"

namespace sfs::kv {
namespace {

using testing::KvServer;
using testing::run_cases;
using testing::case_files;

TEST(KvCasesTest, SfsKvGivesRedisReplies) {
  auto server = KvServer::start();
  ASSERT_TRUE(server.is_ok()) << server.status().to_string();
  for (const auto& file : case_files()) run_cases((*server)->port, file, "sfs kv");
  (*server)->process.stop();
}

}  // namespace
}  // namespace sfs::kv
