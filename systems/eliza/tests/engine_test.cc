// The engine, one mechanism at a time, each on a small script written for the test: ranking and
// the keystack, delimiters, substitution while scanning, decomposition (0, N, (*...), (/TAG)),
// reassembly cycling, =links, PRE, NEWKEY, MEMORY with the LIMIT counter, NONE, and the built-in
// replies when no decomposition matches.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "systems/eliza/eliza.h"

namespace sfs::eliza {
namespace {

std::shared_ptr<const Script> make_script(const std::string& body) {
  auto script = parse_script("(HELLO THERE)\nSTART\n" + body + "\n()\n", "test-script");
  EXPECT_TRUE(script.is_ok()) << script.status().to_string();
  if (!script.is_ok()) return nullptr;
  return std::make_shared<const Script>(std::move(*script));
}

TEST(ElizaSplitInput, WordsAndDelimiters) {
  EXPECT_EQ(split_input("Well, my boyfriend made me come here."),
            (std::vector<std::string>{"WELL", ",", "MY", "BOYFRIEND", "MADE", "ME", "COME", "HERE",
                                      "."}));
  EXPECT_EQ(split_input("  don't\tstop(now)  "),
            (std::vector<std::string>{"DON'T", "STOP", "NOW"}));
  EXPECT_EQ(split_input("why? no!"), (std::vector<std::string>{"WHY", "?", "NO", "!"}));
  EXPECT_TRUE(split_input("   ").empty());
  EXPECT_EQ(split_input(std::string(5000, 'x') + " y").size(), 2u);
  EXPECT_EQ(split_input(std::string(3000, ',')).size(), kMaxInputWords);
}

TEST(ElizaDelimiters, CommaPeriodAndBut) {
  EXPECT_TRUE(is_delimiter(","));
  EXPECT_TRUE(is_delimiter("."));
  EXPECT_TRUE(is_delimiter("BUT"));
  EXPECT_FALSE(is_delimiter("BUTTER"));
  EXPECT_FALSE(is_delimiter("AND"));
}

TEST(ElizaEngine, Greeting) {
  auto script = make_script("(NONE ((0) (GO ON)))");
  ASSERT_TRUE(script);
  EXPECT_EQ(Eliza(script).greeting(), "HELLO THERE");
}

// --- ranking and the keystack

constexpr const char* kRanked = R"(
(ALPHA ((0) (ALPHA REPLY)))
(BETA 5 ((0) (BETA REPLY)))
(GAMMA 5 ((0) (GAMMA REPLY)))
(DELTA 9 ((0) (NEWKEY)))
(LOW ((0) (NEWKEY)))
(NONE ((0) (NONE REPLY)))
)";

TEST(ElizaRanking, HigherRankWinsWhereverItIs) {
  Eliza eliza(make_script(kRanked));
  EXPECT_EQ(eliza.respond("alpha then beta"), "BETA REPLY");
  EXPECT_EQ(eliza.respond("beta then alpha"), "BETA REPLY");
}

TEST(ElizaRanking, EqualRankKeepsTheFirstFound) {
  Eliza eliza(make_script(kRanked));
  EXPECT_EQ(eliza.respond("beta gamma"), "BETA REPLY");
  EXPECT_EQ(eliza.respond("gamma beta"), "GAMMA REPLY");
}

// The keystack is not a sorted list: a keyword that does not outrank the top goes to the bottom,
// so after DELTA (9) comes ALPHA (0, found first), then BETA (5).
TEST(ElizaRanking, LowerRanksGoToTheBottomInTheOrderFound) {
  Eliza eliza(make_script(kRanked));
  EXPECT_EQ(eliza.respond("alpha delta beta"), "ALPHA REPLY");
  EXPECT_EQ(eliza.respond("beta delta alpha"), "BETA REPLY");
}

// A hostile line full of NEWKEY keywords walks the whole keystack once, then NONE.
TEST(ElizaNewKey, ALongChainEnds) {
  Eliza eliza(make_script(kRanked));
  std::string line;
  for (size_t i = 0; i < 2 * kMaxInputWords; ++i) line += "low ";
  EXPECT_EQ(eliza.respond(line), "NONE REPLY");
}

TEST(ElizaNewKey, TriesTheNextKeywordThenNone) {
  Eliza eliza(make_script(kRanked));
  EXPECT_EQ(eliza.respond("low alpha"), "ALPHA REPLY");
  EXPECT_EQ(eliza.respond("low"), "NONE REPLY");
  EXPECT_EQ(eliza.respond("delta low"), "NONE REPLY");
}

// --- delimiters and substitution while scanning

constexpr const char* kPronouns = R"(
(I = YOU ((0 YOU 0) (YOU SAID 3)))
(YOU = I ((0) (ABOUT ME 1)))
(ME = YOU)
(NONE ((0) (GO ON)))
)";

TEST(ElizaDelimiters, OnlyTheFirstClauseWithAKeywordIsKept) {
  Eliza eliza(make_script(kPronouns));
  EXPECT_EQ(eliza.respond("well, I like cats. dogs too"), "YOU SAID LIKE CATS");
  EXPECT_EQ(eliza.respond("ok, fine, I agree"), "YOU SAID AGREE");
  EXPECT_EQ(eliza.respond("I like cats, and I like dogs"), "YOU SAID LIKE CATS");
}

TEST(ElizaDelimiters, ButEndsAClauseToo) {
  Eliza eliza(make_script(kPronouns));
  EXPECT_EQ(eliza.respond("I like cats but not dogs"), "YOU SAID LIKE CATS");
  EXPECT_EQ(eliza.respond("but I like dogs"), "YOU SAID LIKE DOGS");
}

TEST(ElizaDelimiters, QuestionAndExclamationMarks) {
  Eliza eliza(make_script(kPronouns));
  EXPECT_EQ(eliza.respond("Hm? I am here! ok"), "YOU SAID AM HERE");
}

TEST(ElizaDelimiters, TextWithoutKeywordsGetsNone) {
  Eliza eliza(make_script(kPronouns));
  EXPECT_EQ(eliza.respond("ok, fine."), "GO ON");
}

// I becomes YOU in the text, but the scan has moved on: the keyword is I, not YOU.
TEST(ElizaSubstitution, AppliedWhileScanningAndNotRescanned) {
  Eliza eliza(make_script(kPronouns));
  EXPECT_EQ(eliza.respond("I like me"), "YOU SAID LIKE YOU");
  EXPECT_EQ(eliza.respond("you like me"), "ABOUT ME I LIKE YOU");
}

// --- decomposition

constexpr const char* kPatterns = R"(
(KEY
   ((0 KEY 2 END) (TWO 3))
   ((0 KEY (*RED GREEN) 0) (COLOUR 3 REST 4))
   ((0 KEY (/ANIMAL) 0) (ANIMAL 3))
   ((0 KEY 0 X 0) (FIRST 3 THEN 5))
   ((0 KEY 0) (FALLBACK 1 / 3)))
(CAT DLIST(/ANIMAL PET))
(DOG DLIST(/ PET ANIMAL))
(KITTY = CAT)
(NONE ((0) (GO ON)))
)";

TEST(ElizaDecomposition, NumberMatchesExactlyThatManyWords) {
  Eliza eliza(make_script(kPatterns));
  EXPECT_EQ(eliza.respond("key a b end"), "TWO A B");
  EXPECT_EQ(eliza.respond("key a end"), "FALLBACK / A END");
  EXPECT_EQ(eliza.respond("key a b c end"), "FALLBACK / A B C END");
}

TEST(ElizaDecomposition, ZeroMatchesAnyNumberIncludingNone) {
  Eliza eliza(make_script(kPatterns));
  EXPECT_EQ(eliza.respond("key"), "FALLBACK /");
  EXPECT_EQ(eliza.respond("so the key"), "FALLBACK SO THE /");
}

TEST(ElizaDecomposition, LeftmostShortestCut) {
  Eliza eliza(make_script(kPatterns));
  EXPECT_EQ(eliza.respond("key a x b x c"), "FIRST A THEN B X C");
}

TEST(ElizaDecomposition, Alternatives) {
  Eliza eliza(make_script(kPatterns));
  EXPECT_EQ(eliza.respond("key green house"), "COLOUR GREEN REST HOUSE");
  EXPECT_EQ(eliza.respond("key blue house"), "FALLBACK / BLUE HOUSE");
}

TEST(ElizaDecomposition, DlistTags) {
  Eliza eliza(make_script(kPatterns));
  EXPECT_EQ(eliza.respond("key cat"), "ANIMAL CAT");
  EXPECT_EQ(eliza.respond("key dog"), "ANIMAL DOG");
  // KITTY is replaced by CAT while scanning, and CAT carries the tag.
  EXPECT_EQ(eliza.respond("key kitty"), "ANIMAL CAT");
  EXPECT_EQ(eliza.respond("key cow"), "FALLBACK / COW");
}

// Many 0s against a long text: the failure memo keeps this polynomial (it would take ages as a
// plain backtracking search).
TEST(ElizaDecomposition, ManyWildcardsOnALongTextFinish) {
  Eliza eliza(make_script(R"(
(A ((0 A 0 A 0 A 0 A 0 A 0 B 0) (FOUND)) ((0) (NOT FOUND)))
(NONE ((0) (GO ON)))
)"));
  std::string line;
  for (int i = 0; i < 900; ++i) line += "A ";
  EXPECT_EQ(eliza.respond(line), "NOT FOUND");
  EXPECT_EQ(eliza.respond(line + "B"), "FOUND");
}

// --- reassembly

constexpr const char* kCycling = R"(
(KEY ((0 KEY) (ONE) (TWO) (THREE)) ((0) (OTHER A) (OTHER B)))
(LINK (=KEY))
(NONE ((0) (N1) (N2)))
)";

TEST(ElizaReassembly, CycledInOrderPerDecomposition) {
  Eliza eliza(make_script(kCycling));
  EXPECT_EQ(eliza.respond("key"), "ONE");
  EXPECT_EQ(eliza.respond("key more"), "OTHER A");
  EXPECT_EQ(eliza.respond("key"), "TWO");
  EXPECT_EQ(eliza.respond("key"), "THREE");
  EXPECT_EQ(eliza.respond("key"), "ONE");
  EXPECT_EQ(eliza.respond("key more"), "OTHER B");
  EXPECT_EQ(eliza.respond("key more"), "OTHER A");
}

TEST(ElizaReassembly, ALinkSharesTheTargetsCounters) {
  Eliza eliza(make_script(kCycling));
  EXPECT_EQ(eliza.respond("key more"), "OTHER A");
  EXPECT_EQ(eliza.respond("link"), "OTHER B");  // LINK's text does not end in KEY
}

TEST(ElizaReassembly, EachConversationHasItsOwnCounters) {
  auto script = make_script(kCycling);
  Eliza first(script);
  Eliza second(script);
  EXPECT_EQ(first.respond("key"), "ONE");
  EXPECT_EQ(first.respond("key"), "TWO");
  EXPECT_EQ(second.respond("key"), "ONE");
}

TEST(ElizaNone, CycledLikeAnyRule) {
  Eliza eliza(make_script(kCycling));
  EXPECT_EQ(eliza.respond("hello"), "N1");
  EXPECT_EQ(eliza.respond("hello"), "N2");
  EXPECT_EQ(eliza.respond("hello"), "N1");
}

// --- =links and PRE

constexpr const char* kLinks = R"(
(I'M = YOU'RE ((0 YOU'RE 0) (PRE (YOU ARE 3) (=I))))
(I = YOU ((0 YOU ARE 0) (WHY ARE YOU 4)) ((0) (OK)))
(HOW (=WHAT))
(WHAT ((0) (WHY DO YOU ASK) (=HOW) (=NOWHERE)))
(NOWHERE ((NEVER MATCHES) (NO)))
(WHY ((0 WHY NOT 0) (BECAUSE 4)) (=WHAT))
(NONE ((0) (GO ON)))
)";

TEST(ElizaLinks, WholeRuleLinkAndFallThroughLink) {
  Eliza eliza(make_script(kLinks));
  EXPECT_EQ(eliza.respond("how so"), "WHY DO YOU ASK");
  EXPECT_EQ(eliza.respond("why not now"), "BECAUSE NOW");
  // (0 WHY NOT 0) does not match, so WHY's last rule, (=WHAT), applies: WHAT's second
  // reassembly, (=HOW), leads back to WHAT, whose rule has moved on to its third, (=NOWHERE),
  // whose only pattern does not match: a built-in reply (LIMIT is 4 on this third input).
  EXPECT_EQ(eliza.respond("why is that"), "I SEE");
  EXPECT_EQ(eliza.respond("what now"), "WHY DO YOU ASK");
}

TEST(ElizaPre, ReassemblesThenDecomposesUnderTheLinkedKeyword) {
  Eliza eliza(make_script(kLinks));
  std::vector<std::string> trace;
  EXPECT_EQ(eliza.respond("He says i'm tired", &trace), "WHY ARE YOU TIRED");
  bool saw_pre = false;
  for (const std::string& step : trace) saw_pre |= step.find("PRE: text is now") != std::string::npos;
  EXPECT_TRUE(saw_pre);
}

TEST(ElizaLinks, ALoopEndsWithABuiltInReply) {
  Eliza eliza(make_script(R"(
(A ((0) (=B)))
(B ((0) (=A)))
(NONE ((0) (GO ON)))
)"));
  std::string reply = eliza.respond("a");
  EXPECT_FALSE(reply.empty());
}

// --- no decomposition matches: the 1966 program's built-in replies, chosen by LIMIT

TEST(ElizaNoMatch, BuiltInRepliesFollowTheLimitCounter) {
  Eliza eliza(make_script(R"(
(KEY ((KEY ONLY) (YES)))
(NONE ((0) (GO ON)))
)"));
  EXPECT_EQ(eliza.respond("the key"), "HMMM");            // LIMIT 2
  EXPECT_EQ(eliza.respond("the key"), "GO ON , PLEASE");  // 3
  EXPECT_EQ(eliza.respond("the key"), "I SEE");           // 4
  EXPECT_EQ(eliza.respond("the key"), "PLEASE CONTINUE"); // 1
  EXPECT_EQ(eliza.respond("key only"), "YES");
}

// --- MEMORY

constexpr const char* kMemory = R"(
(MY = YOUR 2 ((0 YOUR 0) (YOUR 3)))
(FOO ((0) (FOO)))
(BIG 9 ((0) (BIG)))
(MEMORY MY
  (0 YOUR 0 = ONE 3)
  (0 YOUR 0 = TWO 3)
  (0 YOUR 0 = THREE 3)
  (0 YOUR 0 = FOUR 3))
(NONE ((0) (N1) (N2) (N3) (N4)))
)";

TEST(ElizaMemory, RuleChosenByTheHashOfTheLastWord) {
  Eliza eliza(make_script(kMemory));
  EXPECT_EQ(eliza.respond("my dog came here"), "YOUR DOG CAME HERE");  // HASH(HERE) = 3
  EXPECT_EQ(eliza.respond("my wife wants kids"), "YOUR WIFE WANTS KIDS");  // HASH(KIDS) = 1
  EXPECT_EQ(eliza.respond("and my father all the time"), "YOUR FATHER ALL THE TIME");  // 0
  ASSERT_EQ(eliza.memories().size(), 3u);
  EXPECT_EQ(eliza.memories()[0], "FOUR DOG CAME HERE");
  EXPECT_EQ(eliza.memories()[1], "TWO WIFE WANTS KIDS");
  EXPECT_EQ(eliza.memories()[2], "ONE FATHER ALL THE TIME");
}

TEST(ElizaMemory, OnlyWhenTheMemoryKeywordIsOnTop) {
  Eliza eliza(make_script(kMemory));
  EXPECT_EQ(eliza.respond("my big dog"), "BIG");
  EXPECT_TRUE(eliza.memories().empty());
}

TEST(ElizaMemory, RecalledOldestFirstOnlyWhenLimitIsFourAndNoKeyword) {
  Eliza eliza(make_script(kMemory));
  EXPECT_EQ(eliza.respond("my dog came here"), "YOUR DOG CAME HERE");  // LIMIT 2
  EXPECT_EQ(eliza.respond("my wife wants kids"), "YOUR WIFE WANTS KIDS");  // 3
  EXPECT_EQ(eliza.respond("foo"), "FOO");  // 4, but a keyword was found
  EXPECT_EQ(eliza.limit(), 4);
  EXPECT_EQ(eliza.respond("nothing"), "N1");  // 1
  EXPECT_EQ(eliza.respond("nothing"), "N2");  // 2
  EXPECT_EQ(eliza.respond("nothing"), "N3");  // 3
  EXPECT_EQ(eliza.respond("nothing"), "FOUR DOG CAME HERE");  // 4: the oldest memory
  EXPECT_EQ(eliza.respond("nothing"), "N4");  // 1
  EXPECT_EQ(eliza.respond("nothing"), "N1");
  EXPECT_EQ(eliza.respond("nothing"), "N2");
  EXPECT_EQ(eliza.respond("nothing"), "TWO WIFE WANTS KIDS");  // 4 again
  EXPECT_TRUE(eliza.memories().empty());
  EXPECT_EQ(eliza.respond("nothing"), "N3");
  EXPECT_EQ(eliza.respond("nothing"), "N4");
  EXPECT_EQ(eliza.respond("nothing"), "N1");
  EXPECT_EQ(eliza.respond("nothing"), "N2");  // 4, but the queue is empty
}

TEST(ElizaMemory, QueueIsBounded) {
  Eliza eliza(make_script(kMemory));
  for (size_t i = 0; i < kMaxMemories + 10; ++i) eliza.respond("my number " + std::to_string(i));
  EXPECT_EQ(eliza.memories().size(), kMaxMemories);
}

// --- the built-in DUCK script exercises everything and always parses

TEST(ElizaDefaultScript, ParsesAndAnswers) {
  auto script = parse_script(default_script_text(), "default");
  ASSERT_TRUE(script.is_ok()) << script.status().to_string();
  EXPECT_EQ(script->memory_keyword, "MY");
  Eliza eliza(std::make_shared<const Script>(std::move(*script)));
  EXPECT_EQ(eliza.respond("My program has a bug."),  // BUG outranks MY: no memory
            "WHAT DOES YOUR PROGRAM DO JUST BEFORE IT GOES WRONG");
  EXPECT_EQ(eliza.respond("I'm confused"), "HOW LONG HAVE YOU BEEN CONFUSED");  // PRE
  EXPECT_EQ(eliza.respond("My code is slow"), "YOUR CODE IS SLOW");
  ASSERT_EQ(eliza.memories().size(), 1u);
  std::string memory = eliza.memories().front();
  EXPECT_NE(memory.find("YOUR CODE IS SLOW"), std::string::npos) << memory;
  EXPECT_EQ(eliza.respond("The test passes"), "THEN WHAT DO THE TESTS NOT TEST");
  EXPECT_EQ(eliza.respond("My compiler is weird"), "ARE YOU SURE THE COMPILER IS TO BLAME");
  EXPECT_EQ(eliza.respond("I like it"), "YOU SAY YOU LIKE IT");  // LIKE says NEWKEY
  EXPECT_EQ(eliza.respond("hmm"), memory);                       // LIMIT 4
  EXPECT_EQ(eliza.respond("It looks like a race"), "HOW ARE THEY ALIKE");
  EXPECT_EQ(eliza.respond("hmm"), "GO ON. EXPLAIN IT LINE BY LINE");
}

}  // namespace
}  // namespace sfs::eliza
