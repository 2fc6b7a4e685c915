// The script reader: every form the 1966 appendix uses is accepted, and every malformed script is
// rejected with "<file>:<line>:<column>: <reason>".
#include <gtest/gtest.h>

#include <string>

#include "core/file.h"
#include "core/testing/testing.h"
#include "systems/eliza/script.h"
#include "systems/eliza/sexpr.h"

namespace sfs::eliza {
namespace {

std::string wrap(const std::string& body) { return "(HI THERE)\nSTART\n" + body + "\n()\n"; }

constexpr const char* kNone = "(NONE ((0) (GO ON)))";

// Parses and expects an error whose message starts with `position` and contains `reason`.
void expect_error(const std::string& text, const std::string& position, const std::string& reason) {
  auto script = parse_script(text, "s.txt");
  ASSERT_FALSE(script.is_ok()) << "accepted:\n" << text;
  const std::string& message = script.status().message();
  EXPECT_EQ(message.rfind("s.txt:" + position + ": ", 0), 0u) << message;
  EXPECT_NE(message.find(reason), std::string::npos) << message;
  EXPECT_EQ(script.status().code(), core::Code::kInvalidArgument);
}

TEST(ElizaSexpr, AtomsListsCommentsAndPositions) {
  auto items = read_sexprs("; comment\n(A (B C)) D ; trailing\n  (E)", "x");
  ASSERT_TRUE(items.is_ok()) << items.status().to_string();
  ASSERT_EQ(items->size(), 3u);
  EXPECT_TRUE((*items)[0].is_list);
  EXPECT_EQ((*items)[0].line, 2);
  EXPECT_EQ((*items)[0].column, 1);
  EXPECT_EQ((*items)[0].items[1].items[1].atom, "C");
  EXPECT_EQ((*items)[0].items[1].items[1].column, 7);
  EXPECT_EQ((*items)[1].atom, "D");
  EXPECT_EQ((*items)[2].line, 3);
  EXPECT_EQ((*items)[2].column, 3);
  EXPECT_EQ(sexpr_to_string((*items)[0]), "(A (B C))");
}

TEST(ElizaSexpr, UnbalancedParentheses) {
  auto open = read_sexprs("(A\n  (B C)", "x");
  ASSERT_FALSE(open.is_ok());
  EXPECT_EQ(open.status().message(), "x:1:1: '(' opened here is never closed");
  auto close = read_sexprs("(A)\n (B))", "x");
  ASSERT_FALSE(close.is_ok());
  EXPECT_EQ(close.status().message(), "x:2:5: unbalanced ')' (no list is open here)");
}

TEST(ElizaSexpr, NestingLimit) {
  std::string deep(kMaxSexprDepth + 1, '(');
  auto items = read_sexprs(deep, "x");
  ASSERT_FALSE(items.is_ok());
  EXPECT_NE(items.status().message().find("nested deeper"), std::string::npos);
}

TEST(ElizaScript, AcceptsEveryFormOfThe1966Appendix) {
  auto script = parse_script(wrap(R"(
(SORRY ((0) (PLEASE DON'T APOLIGIZE) (APOLOGIES ARE NOT NECESSARY)))
(DONT = DON'T)
(REMEMBER 5 ((0 YOU REMEMBER 0) (DO YOU OFTEN THINK OF 4) (=WHAT)) ((0) (NEWKEY)))
(DREAMT 4 ((0 YOU DREAMT 0) (REALLY, 4)))
(DREAMED = DREAMT 4 (=DREAMT))
(HOW (=WHAT))
(EVERYBODY 2 (= WHAT))
(FEEL DLIST(/BELIEF))
(MOM = MOTHER DLIST(/ FAMILY))
(MOTHER DLIST(/NOUN FAMILY))
(MY = YOUR 2
    ((0 YOUR 0 (/FAMILY) 0) (TELL ME MORE ABOUT YOUR FAMILY) (WHO ELSE IN YOUR FAMILY 5)))
(I = YOU
    ((0 YOU (* WANT NEED) 0) (WHAT WOULD IT MEAN TO YOU IF YOU GOT 4))
    ((0 YOU ARE 0 (*SAD UNHAPPY DEPRESSED SICK ) 0) (I AM SORRY TO HEAR YOU ARE 5)))
(I'M = YOU'RE ((0 YOU'RE 0) (PRE (YOU ARE 3) (=I))))
(WHAT ((0) (WHY DO YOU ASK)))
(WHY ((0 WHY DON'T I 0) (DO YOU BELIEVE I DON'T 5) (=WHAT)) (=WHAT))
(MEMORY MY
    (0 YOUR 0 = LETS DISCUSS FURTHER WHY YOUR 3)
    (0 YOUR 0 = EARLIER YOU SAID YOUR 3)
    (0 YOUR 0 = BUT YOUR 3)
    (0 YOUR 0 = DOES THAT HAVE ANYTHING TO DO WITH THE FACT THAT YOUR 3))
)" + std::string(kNone)), "appendix");
  ASSERT_TRUE(script.is_ok()) << script.status().to_string();
  EXPECT_EQ(script->greeting_text(), "HI THERE");

  const Keyword* dreamed = script->find("DREAMED");
  ASSERT_NE(dreamed, nullptr);
  EXPECT_EQ(dreamed->substitute, "DREAMT");
  EXPECT_EQ(dreamed->rank, 4);
  ASSERT_EQ(dreamed->rules.size(), 1u);
  EXPECT_EQ(dreamed->rules[0].reassemblies[0].kind, Reassembly::Kind::kLink);
  EXPECT_EQ(dreamed->rules[0].reassemblies[0].link, "DREAMT");

  EXPECT_EQ(script->find("EVERYBODY")->rules[0].reassemblies[0].link, "WHAT");
  EXPECT_EQ(script->find("MOM")->tags, (std::vector<std::string>{"FAMILY"}));
  EXPECT_EQ(script->find("MOTHER")->tags, (std::vector<std::string>{"NOUN", "FAMILY"}));
  EXPECT_FALSE(script->find("MOTHER")->has_rules());
  EXPECT_EQ(script->find("DONT")->substitute, "DON'T");

  const Keyword* i = script->find("I");
  const PatternElement& sad = i->rules[1].pattern[4];
  EXPECT_EQ(sad.kind, PatternElement::Kind::kAlternatives);
  EXPECT_EQ(sad.words, (std::vector<std::string>{"SAD", "UNHAPPY", "DEPRESSED", "SICK"}));
  EXPECT_EQ(i->rules[0].pattern[2].words, (std::vector<std::string>{"WANT", "NEED"}));

  const Reassembly& pre = script->find("I'M")->rules[0].reassemblies[0];
  EXPECT_EQ(pre.kind, Reassembly::Kind::kPre);
  EXPECT_EQ(pre.link, "I");
  ASSERT_EQ(pre.tokens.size(), 3u);
  EXPECT_EQ(pre.tokens[2].part, 3);

  EXPECT_EQ(script->find("REMEMBER")->rules[1].reassemblies[0].kind, Reassembly::Kind::kNewKey);
  EXPECT_EQ(script->find("MY")->rules[0].pattern[3].kind, PatternElement::Kind::kTags);
  EXPECT_EQ(script->find("DREAMT")->rules[0].reassemblies[0].tokens[0].word, "REALLY,");

  EXPECT_EQ(script->memory_keyword, "MY");
  ASSERT_EQ(script->memory_rules.size(), 4u);
  EXPECT_EQ(script->memory_rules[2].reassembly.tokens[0].word, "BUT");
  EXPECT_EQ(script->none_rules.size(), 1u);
  // NONE and MEMORY are not keywords: "none" typed by a user is an ordinary word.
  EXPECT_EQ(script->find("NONE"), nullptr);
  EXPECT_EQ(script->find("MEMORY"), nullptr);
}

TEST(ElizaScript, LowerCaseScriptsAreUpperCased) {
  auto script = parse_script("(hi)\nstart\n(key ((0 key 0) (you said 3)))\n(none ((0) (go on)))");
  ASSERT_TRUE(script.is_ok()) << script.status().to_string();
  EXPECT_NE(script->find("KEY"), nullptr);
  EXPECT_EQ(script->greeting_text(), "HI");
}

TEST(ElizaScript, DecompositionIdsAreDistinct) {
  auto script = parse_script(wrap("(A ((0) (X)) ((1) (Y)))\n(B (=A))\n" + std::string(kNone)));
  ASSERT_TRUE(script.is_ok()) << script.status().to_string();
  EXPECT_EQ(script->decomposition_count, 4u);
  EXPECT_NE(script->find("A")->rules[0].id, script->find("A")->rules[1].id);
}

TEST(ElizaScriptErrors, Structure) {
  expect_error("", "1:1", "begins with the greeting list");
  expect_error("START", "1:1", "begins with the greeting list");
  expect_error("(HI)\n(FOO)", "2:1", "expected the word START");
  expect_error("(HI)\nSTART\nFOO\n", "3:1", "outside any list");
  expect_error("(HI)\nSTART\n(KEY ((0) (A))", "3:1", "never closed");
  expect_error("(HI)\nSTART\n" + std::string(kNone) + "\n()\n(MORE ((0) (A)))", "5:1",
               "after the closing ()");
  expect_error("(HI)\nSTART\n(KEY ((0) (A)))\n()", "4:1", "no NONE entry");
  expect_error(wrap("(NONE)"), "3:1", "NONE has no rules");
  expect_error(wrap(std::string(kNone) + "\n" + kNone), "4:1", "a second NONE");
}

TEST(ElizaScriptErrors, Keywords) {
  expect_error(wrap("(5 ((0) (A)))"), "3:2", "cannot be a keyword");
  expect_error(wrap("(KEY ((0) (A)))\n(KEY ((0) (B)))"), "4:2", "defined twice (first at line 3)");
  expect_error(wrap("(KEY =)"), "3:6", "'=' must be followed");
  expect_error(wrap("(KEY = A = B)"), "3:10", "two substitutions");
  expect_error(wrap("(KEY 1 2 ((0) (A)))"), "3:8", "two ranks");
  expect_error(wrap("(KEY -1 ((0) (A)))"), "3:6", "out of range");
  expect_error(wrap("(KEY ((0) (A)) 5)"), "3:16", "after the rules");
  expect_error(wrap("(KEY DLIST)"), "3:6", "DLIST must be followed by a tag list");
  expect_error(wrap("(KEY DLIST(NOUN))"), "3:11", "starts with '/'");
  expect_error(wrap("(KEY DLIST(/))"), "3:11", "names no tag");
  expect_error(wrap("(KEY WHAT ((0) (A)))"), "3:6", "unexpected 'WHAT'");
  expect_error(wrap("((KEY) ((0) (A)))"), "3:2", "starts with its keyword");
}

TEST(ElizaScriptErrors, Rules) {
  expect_error(wrap("(KEY ())"), "3:6", "empty rule");
  expect_error(wrap("(KEY (A B))"), "3:6", "((decomposition) (reassembly) ...) or a link");
  expect_error(wrap("(KEY (() (A)))"), "3:7", "empty decomposition pattern");
  expect_error(wrap("(KEY ((0 KEY)))"), "3:6", "has no reassembly rule");
  expect_error(wrap("(KEY ((0 (A B)) (X)))"), "3:10", "(*WORD WORD ...) or (/TAG ...)");
  expect_error(wrap("(KEY ((0 (*)) (X)))"), "3:10", "lists no alternative");
  expect_error(wrap("(KEY ((0 (/)) (X)))"), "3:10", "names no tag");
  expect_error(wrap("(KEY ((0 (* A (B))) (X)))"), "3:15", "nested list");
  expect_error(wrap("(KEY ((-2) (X)))"), "3:8", "out of range");
  expect_error(wrap("(KEY ((0 KEY) (SAY 3)))"), "3:20", "refers to part 3 but the pattern has 2 parts");
  expect_error(wrap("(KEY ((0) (SAY 0)))"), "3:16", "refers to part 0");
  expect_error(wrap("(KEY ((0) ()))"), "3:11", "empty reassembly");
  expect_error(wrap("(KEY ((0) WORD))"), "3:11", "a reassembly rule is a list");
  expect_error(wrap("(KEY ((0) (SAY (1))))"), "3:16", "not lists");
  expect_error(wrap("(KEY ((0) (PRE (A) B)))"), "3:11", "PRE takes a reassembly and a link");
  std::string long_pattern = "(KEY ((";
  for (int i = 0; i < 101; ++i) long_pattern += "0 ";
  expect_error(wrap(long_pattern + ") (X)))"), "3:7", "at most 100");
}

TEST(ElizaScriptErrors, Links) {
  expect_error(wrap("(KEY (=NOPE))\n" + std::string(kNone)), "3:6",
               "link to NOPE, which is not a keyword");
  expect_error(wrap("(ME = YOU)\n(KEY ((0) (=ME)))\n" + std::string(kNone)), "4:11",
               "link to ME, which has no rules");
  expect_error(wrap("(KEY ((0) (PRE (A) (=GONE))))\n" + std::string(kNone)), "3:20",
               "link to GONE");
  expect_error(wrap("(KEY ((0) (A)))\n(NONE (=NONE))"), "4:7", "link to NONE");
}

TEST(ElizaScriptErrors, Memory) {
  std::string key = "(MY = YOUR ((0) (A)))\n" + std::string(kNone) + "\n";
  expect_error(wrap(key + "(MEMORY MY (0 = A) (0 = B) (0 = C))"), "5:2", "MEMORY has 3 rules");
  expect_error(wrap(key + "(MEMORY MY (0 A) (0 = B) (0 = C) (0 = D))"), "5:12", "needs '='");
  expect_error(wrap(key + "(MEMORY MY (= A) (0 = B) (0 = C) (0 = D))"), "5:12", "no pattern");
  expect_error(wrap(key + "(MEMORY MY (0 =) (0 = B) (0 = C) (0 = D))"), "5:12", "no reassembly");
  expect_error(wrap(key + "(MEMORY MY (0 = 2) (0 = B) (0 = C) (0 = D))"), "5:17", "refers to part 2");
  expect_error(wrap(key + "(MEMORY (0 = A))"), "5:2", "names its keyword first");
  expect_error(wrap(key + "(MEMORY XX (0 = A) (0 = B) (0 = C) (0 = D))"), "5:2",
               "must also be an ordinary keyword");
  expect_error(wrap(key + "(MEMORY MY (0 = A) (0 = B) (0 = C) (0 = D))\n(MEMORY MY)"), "6:2",
               "a second MEMORY");
}

TEST(ElizaScript, LoadScriptReportsMissingFiles) {
  auto script = load_script("/nonexistent/doctor.txt");
  ASSERT_FALSE(script.is_ok());
  EXPECT_EQ(script.status().code(), core::Code::kNotFound);
  EXPECT_NE(script.status().message().find("/nonexistent/doctor.txt"), std::string::npos);
}

TEST(ElizaScript, LoadScriptNamesTheFileInErrors) {
  core::testing::TempDir dir;
  std::string path = dir.file("bad.txt");
  ASSERT_TRUE(core::write_file(path, "(HI)\nSTART\n(KEY ((0) (SAY 2)))\n").is_ok());
  auto script = load_script(path);
  ASSERT_FALSE(script.is_ok());
  EXPECT_EQ(script.status().message(),
            path + ":3:16: reassembly refers to part 2 but the pattern has 1 part");
}

}  // namespace
}  // namespace sfs::eliza
