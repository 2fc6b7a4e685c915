#include "core/process.h"

#include <gtest/gtest.h>
#include <signal.h>

#include "core/testing/testing.h"

namespace sfs::core {
namespace {

TEST(ProcessTest, CapturesOutputAndExitCode) {
  Result<CapturedRun> run = run_and_capture({"sh", "-c", "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(run.is_ok()) << run.status().to_string();
  EXPECT_EQ(run->exit_code, 3);
  EXPECT_NE(run->output.find("out\n"), std::string::npos);
  EXPECT_NE(run->output.find("err\n"), std::string::npos);
}

TEST(ProcessTest, FeedsLargeInputWithoutDeadlock) {
  std::string input(1 << 20, 'a');
  Result<CapturedRun> run = run_and_capture({"cat"}, input);
  ASSERT_TRUE(run.is_ok());
  EXPECT_EQ(run->output.size(), input.size());
}

TEST(ProcessTest, MissingProgramIsAnError) {
  SubprocessOptions options;
  options.argv = {"/nonexistent/program"};
  Result<Subprocess> child = Subprocess::start(options);
  ASSERT_FALSE(child.is_ok());
  EXPECT_NE(child.status().message().find("No such file"), std::string::npos);
}

TEST(ProcessTest, TerminateStopsALongRunningChild) {
  SubprocessOptions options;
  options.argv = {"sleep", "60"};
  Result<Subprocess> child = Subprocess::start(options);
  ASSERT_TRUE(child.is_ok());
  EXPECT_FALSE(child->try_wait());
  EXPECT_EQ(child->terminate(2000), 128 + SIGTERM);
}

TEST(ProcessTest, EnvironmentAndWorkingDirectory) {
  testing::TempDir dir;
  SubprocessOptions options;
  options.argv = {"sh", "-c", "echo $SFS_X; pwd"};
  options.env = {"SFS_X=hello"};
  options.working_directory = dir.path();
  options.stdout_mode = SubprocessOptions::Stream::kPipe;
  Result<Subprocess> child = Subprocess::start(options);
  ASSERT_TRUE(child.is_ok());
  Result<std::string> out = read_all(child->stdout_pipe().get());
  EXPECT_EQ(*child->wait(), 0);
  EXPECT_EQ(*out, "hello\n" + dir.path() + "\n");
}

}  // namespace
}  // namespace sfs::core
