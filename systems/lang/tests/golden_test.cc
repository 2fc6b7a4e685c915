// Our own .lox programs (tests/lox/), judged by the same rules as the reference suite: what the
// reference tests do not cover — number printing, deep recursion and deep nesting, shapes and
// inline caches under changing receivers, closures, and garbage-heavy programs. Each runs
// normally and under --stress-gc.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/file.h"
#include "core/testing/testing.h"
#include "systems/lang/tests/lox_test_runner.h"

namespace sfs::lang::testing {
namespace {

void run_golden(const std::vector<std::string>& extra_flags) {
  std::string dir = core::testing::source_dir() + "/systems/lang/tests/lox";
  std::vector<std::string> files = find_lox_files(dir);
  ASSERT_FALSE(files.empty()) << "no tests in " << dir;
  for (const std::string& path : files) {
    auto source = core::read_file(path);
    ASSERT_TRUE(source.is_ok()) << source.status().to_string();
    bool stress = !extra_flags.empty() && extra_flags[0] == "--stress-gc";
    if (stress && source->find("// stress-gc: skip") != std::string::npos) continue;
    std::vector<std::string> failures =
        check_run(parse_expectations(*source), run_lox_file(path, extra_flags));
    std::string report;
    for (const std::string& failure : failures) report += "\n    " + failure;
    EXPECT_TRUE(failures.empty()) << path.substr(dir.size() + 1) << report;
  }
}

TEST(LoxGolden, Programs) { run_golden({}); }

TEST(LoxGolden, ProgramsUnderStressGc) { run_golden({"--stress-gc"}); }

}  // namespace
}  // namespace sfs::lang::testing
