// Runs the command cases in tests/cases/*.txt — commands with the replies Redis 7.0 gives (the
// files are regenerated from a real redis-server by tests/cases/regen.py) — against sfs kv, and,
// as an interop check that the files still match Redis, against Debian's redis-server.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/process.h"
#include "systems/kv/resp.h"
#include "systems/kv/tests/test_client.h"

namespace sfs::kv {
namespace {

using testing::KvServer;
using testing::RespClient;

std::string cases_dir() { return core::testing::source_dir() + "/systems/kv/tests/cases"; }

std::vector<std::string> case_files() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(cases_dir())) {
    if (e.path().extension() == ".txt") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Runs one case file against the server on `port`; reports every mismatch.
void run_cases(uint16_t port, const std::string& path, const std::string& label) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  auto client = RespClient::connect(port);
  ASSERT_TRUE(client.is_ok());
  ASSERT_EQ(client->call({"FLUSHALL"}), "OK");
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  size_t checked = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.empty() || line[0] == '#' || line.rfind("=> ", 0) == 0) continue;
    if (line == "!resp3") {
      client->call({"HELLO", "3"});
      continue;
    }
    std::vector<std::string> args;
    ASSERT_TRUE(split_args(line, &args)) << line;
    ASSERT_TRUE(i + 1 < lines.size() && lines[i + 1].rfind("=> ", 0) == 0)
        << path << ": no expected reply after '" << line << "'";
    std::string expected = lines[i + 1].substr(3);
    std::string got = client->call(args);
    EXPECT_EQ(got, expected) << label << " " << std::filesystem::path(path).filename().string()
                             << ":" << (i + 1) << ": " << line;
    ++checked;
  }
  EXPECT_GT(checked, 10u);
}

TEST(KvCasesTest, SfsKvGivesRedisReplies) {
  auto server = KvServer::start();
  ASSERT_TRUE(server.is_ok()) << server.status().to_string();
  for (const auto& file : case_files()) run_cases((*server)->port, file, "sfs kv");
  (*server)->process.stop();
}

TEST(KvCasesInteropTest, CaseFilesMatchRealRedis) {
  if (!core::testing::have_program("redis-server")) {
    SFS_SKIP_UNLESS_CI("redis-server is not installed (scripts/setup test)");
  }
  core::testing::TempDir dir;
  uint16_t port = core::testing::free_port();
  auto redis = core::testing::ServerProcess::start(
      {"redis-server", "--port", std::to_string(port), "--bind", "127.0.0.1", "--save", "",
       "--appendonly", "no", "--dir", dir.path()},
      port);
  ASSERT_TRUE(redis.is_ok()) << redis.status().to_string();
  for (const auto& file : case_files()) run_cases(port, file, "redis-server");
  redis->stop();
}

}  // namespace
}  // namespace sfs::kv
