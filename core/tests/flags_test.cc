#include "core/flags.h"

#include <gtest/gtest.h>

namespace sfs::core {
namespace {

TEST(FlagsTest, ParsesAllForms) {
  uint16_t port = 6667;
  std::string name;
  bool verbose = false;
  bool color = true;
  std::vector<std::string> files;
  Flags flags("prog", "A test program.");
  flags.add("port", &port, "port", 'p');
  flags.add("name", &name, "name");
  flags.add("verbose", &verbose, "more output", 'v');
  flags.add("color", &color, "colour output");
  flags.rest("FILE", &files, "inputs");
  EXPECT_FALSE(flags.parse({"-p", "7000", "a.txt", "--name=x", "--verbose", "--no-color", "b"}));
  EXPECT_EQ(port, 7000);
  EXPECT_EQ(name, "x");
  EXPECT_TRUE(verbose);
  EXPECT_FALSE(color);
  EXPECT_EQ(files, (std::vector<std::string>{"a.txt", "b"}));
  EXPECT_FALSE(flags.parse({"-p7001"}));
  EXPECT_EQ(port, 7001);
}

TEST(FlagsTest, ReportsUsageErrors) {
  uint16_t port = 0;
  std::string host;
  Flags flags("prog", "A test program.");
  flags.add("port", &port, "port");
  flags.positional("HOST", &host, "host", /*required=*/true);
  EXPECT_EQ(flags.parse({"--port", "70000", "h"}), 2);
  EXPECT_EQ(flags.parse({"--bogus", "h"}), 2);
  EXPECT_EQ(flags.parse({"--port"}), 2);
  EXPECT_EQ(flags.parse(std::vector<std::string>{}), 2);  // missing HOST
  EXPECT_EQ(flags.parse({"h", "extra"}), 2);
  EXPECT_FALSE(flags.parse({"h"}));
  EXPECT_EQ(host, "h");
}

TEST(FlagsTest, HelpListsEverything) {
  int count = 1;
  Flags flags("sfs demo run", "Runs the demo.");
  flags.add("count", &count, "how many times", 'c');
  std::string help = flags.help();
  EXPECT_NE(help.find("usage: sfs demo run [options]"), std::string::npos);
  EXPECT_NE(help.find("-c, --count N"), std::string::npos);
  EXPECT_NE(help.find("how many times"), std::string::npos);
  EXPECT_EQ(flags.parse({"--help"}), 0);
}

TEST(FlagsTest, StopAtFirstPositional) {
  std::vector<std::string> words;
  int port = 0;
  Flags flags("cli", "x");
  flags.add("port", &port, "p", 'p');
  flags.rest("WORD", &words, "w");
  flags.stop_at_first_positional();
  EXPECT_FALSE(flags.parse({"-p", "1", "INCRBY", "x", "-5", "--port"}));
  EXPECT_EQ(port, 1);
  EXPECT_EQ(words, (std::vector<std::string>{"INCRBY", "x", "-5", "--port"}));
}

TEST(FlagsTest, DispatchesSubcommands) {
  std::string seen;
  std::vector<Subcommand> subs = {
      {"server", "run a server", [&](int argc, char** argv) {
         seen = std::string(argv[0]) + ":" + std::to_string(argc);
         return 7;
       }}};
  char a0[] = "demo", a1[] = "server", a2[] = "--port";
  char* argv[] = {a0, a1, a2, nullptr};
  EXPECT_EQ(dispatch_subcommands(3, argv, "sfs demo", "Demo.", subs), 7);
  EXPECT_EQ(seen, "sfs demo server:2");
  char bad[] = "nope";
  char* argv2[] = {a0, bad, nullptr};
  EXPECT_EQ(dispatch_subcommands(2, argv2, "sfs demo", "Demo.", subs), 2);
}

}  // namespace
}  // namespace sfs::core
