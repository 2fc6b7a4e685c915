// sqllogictest conformance: SQLite's select1-5 and evidence/ files, run with the same runner as
// `sfs sql logictest` (logictest.h), each file as its own test.
//
// The bar is "every record SQLite itself passes": a handful of records in the suite expect
// results from an old SQLite (REALs printed from doubles, an overflowing sum() that no longer
// returns a row); SQLite 3.40.1 fails them as well (tests/slt_reference.py shows which), and they
// are listed below. Any other failure fails the test.
//
// Under the sanitizers (SFS_SANITIZE) the largest files are checked in part — their first
// records, a deterministic prefix — to stay inside the test-time budget; the Release build runs
// every record.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "core/testing/testing.h"
#include "systems/sql/logictest.h"

namespace sfs::sql {
namespace {

// Records SQLite 3.40.1 fails too (file name : line).
const std::set<std::string> kSqliteFailsToo = {
    "slt_lang_aggfunc.test:480",  // sum() overflow: SQLite now raises "integer overflow"
    "slt_lang_aggfunc.test:484",  // REAL printed from a double by the old SQLite printf
    "slt_lang_aggfunc.test:496",  // same
};

std::string suite_dir() { return core::testing::conformance_path("sqllogictest"); }

class SqlLogicTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SqlLogicTest, PassesWhatSqlitePasses) {
  std::string dir = suite_dir();
  if (dir.empty()) SFS_SKIP_UNLESS_CI("sqllogictest data missing (see scripts/fetch-conformance)");
  std::string path = dir + "/" + GetParam();
  if (!std::filesystem::exists(path)) SFS_SKIP_UNLESS_CI(path + " missing");
  LogicTestOptions options;
  options.max_reported_failures = 1000;
#if defined(SFS_SANITIZE)
  options.max_records = 900;
#endif
  auto result = run_logic_test(path, options);
  ASSERT_TRUE(result.is_ok()) << result.status().to_string();
  int expected_failures = 0;
  for (const std::string& failure : result->failures) {
    // "<path>:<line>: message"
    std::string where = failure.substr(path.size() - GetParam().size());
    where = where.substr(0, where.find(':', where.find(':') + 1));
    std::string name = std::filesystem::path(where).filename().string();
    if (kSqliteFailsToo.count(name)) {
      ++expected_failures;
    } else {
      ADD_FAILURE() << failure;
    }
  }
  EXPECT_GT(result->passed, 0);
  RecordProperty("passed", result->passed);
  std::printf("%s: %d passed, %d failed (%d also failed by SQLite 3.40.1), %d skipped\n",
              GetParam().c_str(), result->passed, result->failed, expected_failures,
              result->skipped);
}

INSTANTIATE_TEST_SUITE_P(
    Files, SqlLogicTest,
    ::testing::Values("select1.test", "select2.test", "select3.test", "select4.test",
                      "select5.test", "evidence/in1.test", "evidence/in2.test",
                      "evidence/slt_lang_aggfunc.test", "evidence/slt_lang_createtrigger.test",
                      "evidence/slt_lang_createview.test", "evidence/slt_lang_dropindex.test",
                      "evidence/slt_lang_droptable.test", "evidence/slt_lang_droptrigger.test",
                      "evidence/slt_lang_dropview.test", "evidence/slt_lang_reindex.test",
                      "evidence/slt_lang_replace.test", "evidence/slt_lang_update.test"),
    [](const ::testing::TestParamInfo<std::string>& info) {
      std::string name = std::filesystem::path(info.param).stem().string();
      for (char& c : name) {
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

}  // namespace
}  // namespace sfs::sql
