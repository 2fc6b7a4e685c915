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

// The judge itself must be able to fail.
TEST(LoxRunner, ChecksOutputErrorsLinesAndExitCodes) {
  Expectations output = parse_expectations("print 1; // expect: 1\nprint 2; // expect: 2\n");
  EXPECT_TRUE(check_run(output, RunResult{0, "1\n2\n", ""}).empty());
  EXPECT_FALSE(check_run(output, RunResult{0, "1\n3\n", ""}).empty());
  EXPECT_FALSE(check_run(output, RunResult{0, "1\n", ""}).empty());
  EXPECT_FALSE(check_run(output, RunResult{0, "1\n2\n3\n", ""}).empty());
  EXPECT_FALSE(check_run(output, RunResult{70, "1\n2\n", ""}).empty());
  EXPECT_FALSE(check_run(output, RunResult{0, "1\n2\n", "noise\n"}).empty());

  Expectations runtime = parse_expectations("\nnil();  // expect runtime error: Bad.\n");
  EXPECT_EQ(runtime.exit_code, 70);
  EXPECT_TRUE(check_run(runtime, RunResult{70, "", "Bad.\n[line 2] in script\n"}).empty());
  EXPECT_FALSE(check_run(runtime, RunResult{70, "", "Bad.\n[line 1] in script\n"}).empty());
  EXPECT_FALSE(check_run(runtime, RunResult{70, "", "Worse.\n[line 2] in script\n"}).empty());
  EXPECT_FALSE(check_run(runtime, RunResult{65, "", "Bad.\n[line 2] in script\n"}).empty());

  Expectations compile = parse_expectations(
      "a = ; // Error at ';': Expect expression.\n"
      "// [c line 5] Error at end: Expect '}'.\n"
      "// [java line 6] Error at 'x': Java only.\n");
  EXPECT_EQ(compile.exit_code, 65);
  EXPECT_EQ(compile.compile_errors.size(), 2u);
  RunResult good{65, "",
                 "[line 5] Error at end: Expect '}'.\n"
                 "[line 1] Error at ';': Expect expression.\n"};
  EXPECT_TRUE(check_run(compile, good).empty());
  RunResult missing{65, "", "[line 1] Error at ';': Expect expression.\n"};
  EXPECT_FALSE(check_run(compile, missing).empty());
  RunResult extra = good;
  extra.err += "[line 6] Error at 'x': Java only.\n";
  EXPECT_FALSE(check_run(compile, extra).empty());
}

TEST(LoxGolden, Programs) {
  run_golden({});
}

TEST(LoxGolden, ProgramsUnderStressGc) {
  run_golden({"--stress-gc"});
}

}  // namespace
}  // namespace sfs::lang::testing
