// Conformance: the conversation published in Weizenbaum's 1966 paper, replayed against the 1966
// DOCTOR script from the same paper, must come out exactly — every reply, word for word.
//
// Both files are conformance data (../shared/conformance/eliza, see SOURCES.md there): the
// conversation file holds "> input" lines, each followed by ELIZA's published reply.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/file.h"
#include "core/strings.h"
#include "core/testing/testing.h"
#include "systems/eliza/eliza.h"

namespace sfs::eliza {
namespace {

struct Exchange {
  std::string input;
  std::string reply;
  int line = 0;
};

std::vector<Exchange> read_conversation(const std::string& text) {
  std::vector<Exchange> exchanges;
  int number = 0;
  bool want_reply = false;
  for (std::string_view line : core::split(text, '\n')) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    if (line.substr(0, 2) == "> ") {
      exchanges.push_back({std::string(line.substr(2)), "", number});
      want_reply = true;
    } else if (want_reply) {
      exchanges.back().reply = std::string(line);
      want_reply = false;
    }
  }
  return exchanges;
}

class ElizaTranscript1966 : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = core::testing::conformance_path("eliza");
    if (dir_.empty()) SFS_SKIP_UNLESS_CI("conformance data eliza/ is not installed");
  }
  std::string dir_;
};

TEST_F(ElizaTranscript1966, DoctorScriptLoads) {
  auto script = load_script(dir_ + "/DOCTOR-1966-CACM.txt");
  ASSERT_TRUE(script.is_ok()) << script.status().to_string();
  EXPECT_EQ(script->greeting_text(), "HOW DO YOU DO. PLEASE TELL ME YOUR PROBLEM");
  EXPECT_EQ(script->memory_keyword, "MY");
  EXPECT_EQ(script->memory_rules.size(), 4u);
  EXPECT_NE(script->find("DIT"), nullptr);
}

TEST_F(ElizaTranscript1966, PublishedConversationIsReproducedExactly) {
  auto script = load_script(dir_ + "/DOCTOR-1966-CACM.txt");
  ASSERT_TRUE(script.is_ok()) << script.status().to_string();
  auto text = core::read_file(dir_ + "/1966-CACM-conversation.txt");
  ASSERT_TRUE(text.is_ok()) << text.status().to_string();
  std::vector<Exchange> exchanges = read_conversation(*text);
  ASSERT_EQ(exchanges.size(), 15u);

  Eliza eliza(std::make_shared<const Script>(std::move(*script)));
  int passed = 0;
  for (const Exchange& exchange : exchanges) {
    std::vector<std::string> trace;
    std::string reply = eliza.respond(exchange.input, &trace);
    if (reply == exchange.reply) {
      ++passed;
      continue;
    }
    std::string steps;
    for (const std::string& step : trace) steps += "\n    " + step;
    ADD_FAILURE() << "conversation line " << exchange.line << ": " << exchange.input
                  << "\n  expected: " << exchange.reply << "\n  got:      " << reply
                  << "\n  trace:" << steps;
  }
  std::printf("[ eliza ] 1966 CACM conversation: %d/%zu replies exact\n", passed, exchanges.size());
  EXPECT_EQ(passed, static_cast<int>(exchanges.size()));
}

}  // namespace
}  // namespace sfs::eliza
