// The `sfs lang` command end to end: exit codes, run/disasm/repl, reading standard input.
#include <gtest/gtest.h>

#include <string>

#include "core/file.h"
#include "core/process.h"
#include "core/testing/testing.h"

namespace sfs::lang {
namespace {

using core::testing::sfs_binary;

core::CapturedRun run_sfs(const std::vector<std::string>& args, const std::string& input = "") {
  std::vector<std::string> argv = {sfs_binary(), "lang"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = core::run_and_capture(argv, input, 60000);
  EXPECT_TRUE(result.is_ok()) << result.status().to_string();
  return result.is_ok() ? *result : core::CapturedRun{-1, ""};
}

TEST(LoxCli, RunExitCodes) {
  core::testing::TempDir dir;
  ASSERT_TRUE(core::write_file(dir.file("ok.lox"), "print \"hi\";\n").is_ok());
  ASSERT_TRUE(core::write_file(dir.file("compile.lox"), "print ;\n").is_ok());
  ASSERT_TRUE(core::write_file(dir.file("runtime.lox"), "print -\"x\";\n").is_ok());

  auto ok = run_sfs({"run", dir.file("ok.lox")});
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_EQ(ok.output, "hi\n");
  EXPECT_EQ(run_sfs({dir.file("ok.lox")}).output, "hi\n");  // `sfs lang FILE.lox`

  auto compile = run_sfs({"run", dir.file("compile.lox")});
  EXPECT_EQ(compile.exit_code, 65);
  EXPECT_EQ(compile.output, "[line 1] Error at ';': Expect expression.\n");

  auto runtime = run_sfs({"run", dir.file("runtime.lox")});
  EXPECT_EQ(runtime.exit_code, 70);
  EXPECT_EQ(runtime.output, "Operand must be a number.\n[line 1] in script\n");

  auto missing = run_sfs({"run", dir.file("missing.lox")});
  EXPECT_EQ(missing.exit_code, 74);
  EXPECT_NE(missing.output.find("Could not read file"), std::string::npos);

  EXPECT_EQ(run_sfs({"run"}).exit_code, 2);  // usage error
}

TEST(LoxCli, RunReadsStandardInput) {
  auto r = run_sfs({"run", "-"}, "var a = 20; print a + 22;");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, "42\n");
}

TEST(LoxCli, Disasm) {
  core::testing::TempDir dir;
  ASSERT_TRUE(
      core::write_file(dir.file("f.lox"), "fun f(n) { return n * 2; }\nprint f(4);\n").is_ok());
  auto r = run_sfs({"disasm", dir.file("f.lox")});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("== <script> =="), std::string::npos);
  EXPECT_NE(r.output.find("== <fn f> =="), std::string::npos);
  EXPECT_NE(r.output.find("MULTIPLY_K"), std::string::npos);
  EXPECT_NE(r.output.find("DEFINE_GLOBAL          0 'f'"), std::string::npos);
}

TEST(LoxCli, TraceFlag) {
  auto r = run_sfs({"run", "--trace", "-"}, "print 1 + 1;");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("PRINT"), std::string::npos);
  EXPECT_NE(r.output.find("2\n"), std::string::npos);
}

TEST(LoxCli, ReplRunsEntriesAndContinuesMultiLineInput) {
  auto r = run_sfs({"repl"},
                   "var a = 1;\n"
                   "fun f() {\n"
                   "  return a + 1;\n"
                   "}\n"
                   "print f();\n"
                   "print nope;\n"
                   "print \"two\n"
                   "lines\";\n"
                   "print (a +\n"
                   "  41);\n"
                   "print 1 +;\n"
                   "print \"still here\";\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output,
            "2\n"
            "Undefined variable 'nope'.\n[line 1] in script\n"
            "two\nlines\n"
            "42\n"
            "[line 1] Error at ';': Expect expression.\n"
            "still here\n");
}

}  // namespace
}  // namespace sfs::lang
