// `sfs eliza` as a user runs it: the built binary, a script file, stdin in, stdout out.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/file.h"
#include "core/process.h"
#include "core/strings.h"
#include "core/testing/testing.h"

namespace sfs::eliza {
namespace {

using core::testing::sfs_binary;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  for (std::string_view line : core::split(text, '\n')) {
    if (!line.empty()) lines.emplace_back(line);
  }
  return lines;
}

constexpr const char* kScript = R"((GOOD DAY)
START
(I = YOU ((0 YOU ARE 0) (WHY ARE YOU 4)) ((0) (YOU SAY 1)))
(AM = ARE)
(NONE ((0) (GO ON)))
()
)";

TEST(ElizaCli, ConversesOnStdinAndStdout) {
  core::testing::TempDir dir;
  ASSERT_TRUE(core::write_file(dir.file("s.txt"), kScript).is_ok());
  auto run = core::run_and_capture({sfs_binary(), "eliza", "--script", dir.file("s.txt")},
                                   "I am tired.\n\n   \nhello\nI think so\n");
  ASSERT_TRUE(run.is_ok()) << run.status().to_string();
  EXPECT_EQ(run->exit_code, 0) << run->output;
  EXPECT_EQ(lines_of(run->output),
            (std::vector<std::string>{"GOOD DAY", "WHY ARE YOU TIRED", "GO ON",
                                      "YOU SAY YOU THINK SO"}));
}

TEST(ElizaCli, TraceGoesToStderr) {
  core::testing::TempDir dir;
  ASSERT_TRUE(core::write_file(dir.file("s.txt"), kScript).is_ok());
  auto run = core::run_and_capture(
      {"/bin/sh", "-c", "\"$0\" eliza --trace --script \"$1\" 2>&1 >/dev/null", sfs_binary(),
       dir.file("s.txt")},
      "I am tired.\n");
  ASSERT_TRUE(run.is_ok()) << run.status().to_string();
  EXPECT_NE(run->output.find("keystack (I)"), std::string::npos) << run->output;
  EXPECT_NE(run->output.find("(0 YOU ARE 0) matches"), std::string::npos) << run->output;
}

TEST(ElizaCli, BadScriptIsReportedWithLineAndColumn) {
  core::testing::TempDir dir;
  std::string path = dir.file("bad.txt");
  ASSERT_TRUE(core::write_file(path, "(HI)\nSTART\n(KEY ((0 KEY) (SAY 3)))\n").is_ok());
  auto run = core::run_and_capture({sfs_binary(), "eliza", "--script", path}, "hello\n");
  ASSERT_TRUE(run.is_ok());
  EXPECT_EQ(run->exit_code, 1);
  EXPECT_NE(run->output.find(path + ":3:20: reassembly refers to part 3"), std::string::npos)
      << run->output;

  auto check = core::run_and_capture({sfs_binary(), "eliza", "--check", "--script", path});
  ASSERT_TRUE(check.is_ok());
  EXPECT_EQ(check->exit_code, 1);

  auto missing = core::run_and_capture({sfs_binary(), "eliza", "--script", dir.file("none.txt")});
  ASSERT_TRUE(missing.is_ok());
  EXPECT_EQ(missing->exit_code, 1);
  EXPECT_NE(missing->output.find("none.txt"), std::string::npos) << missing->output;
}

TEST(ElizaCli, BuiltinScriptRoundTrips) {
  auto print = core::run_and_capture({sfs_binary(), "eliza", "--print-builtin"});
  ASSERT_TRUE(print.is_ok());
  ASSERT_EQ(print->exit_code, 0);
  core::testing::TempDir dir;
  ASSERT_TRUE(core::write_file(dir.file("duck.txt"), print->output).is_ok());
  auto check = core::run_and_capture({sfs_binary(), "eliza", "--check", "--script",
                                      dir.file("duck.txt")});
  ASSERT_TRUE(check.is_ok());
  EXPECT_EQ(check->exit_code, 0) << check->output;

  std::string input = "My program has a bug.\n";
  auto from_file = core::run_and_capture(
      {sfs_binary(), "eliza", "--script", dir.file("duck.txt")}, input);
  auto builtin = core::run_and_capture({sfs_binary(), "eliza", "--builtin"}, input);
  ASSERT_TRUE(from_file.is_ok());
  ASSERT_TRUE(builtin.is_ok());
  EXPECT_EQ(builtin->output, from_file->output);
  EXPECT_EQ(lines_of(builtin->output).front(),
            "HELLO. I AM THE DUCK. TELL ME WHAT YOUR PROGRAM DOES WRONG");
}

TEST(ElizaCli, UsageErrors) {
  auto both = core::run_and_capture({sfs_binary(), "eliza", "--builtin", "--script", "x"});
  ASSERT_TRUE(both.is_ok());
  EXPECT_EQ(both->exit_code, 2);
  auto unknown = core::run_and_capture({sfs_binary(), "eliza", "--frobnicate"});
  ASSERT_TRUE(unknown.is_ok());
  EXPECT_EQ(unknown->exit_code, 2);
}

// With no --script, `sfs eliza` finds the 1966 DOCTOR script through $SFS_CONFORMANCE and holds
// the published conversation.
TEST(ElizaCli, FindsTheDoctorScriptAndReproducesThePaper) {
  std::string dir = core::testing::conformance_path("eliza");
  if (dir.empty()) SFS_SKIP_UNLESS_CI("conformance data eliza/ is not installed");
  auto text = core::read_file(dir + "/1966-CACM-conversation.txt");
  ASSERT_TRUE(text.is_ok());
  std::string input;
  std::vector<std::string> expected = {"HOW DO YOU DO. PLEASE TELL ME YOUR PROBLEM"};
  for (std::string_view line : core::split(*text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    if (line.substr(0, 2) == "> ") {
      input += std::string(line.substr(2)) + "\n";
    } else {
      expected.emplace_back(line);
    }
  }
  std::string root = dir.substr(0, dir.rfind('/'));
  auto run = core::run_and_capture({sfs_binary(), "eliza"}, input, 60000,
                                   {"SFS_CONFORMANCE=" + root});
  ASSERT_TRUE(run.is_ok()) << run.status().to_string();
  EXPECT_EQ(run->exit_code, 0);
  EXPECT_EQ(lines_of(run->output), expected);
}

}  // namespace
}  // namespace sfs::eliza
