// The SLIP HASH and the 7094 BCD code: check values from the 1966 paper, the published
// conversation, and the 1965 archive conversation (see hollerith.h).
#include "systems/eliza/hollerith.h"

#include <gtest/gtest.h>

namespace sfs::eliza {
namespace {

TEST(ElizaHollerith, CharacterCodes) {
  EXPECT_EQ(bcd_code('0'), 0);
  EXPECT_EQ(bcd_code('9'), 9);
  EXPECT_EQ(bcd_code('A'), 021);
  EXPECT_EQ(bcd_code('I'), 031);
  EXPECT_EQ(bcd_code('J'), 041);
  EXPECT_EQ(bcd_code('R'), 051);
  EXPECT_EQ(bcd_code('S'), 062);
  EXPECT_EQ(bcd_code('Z'), 071);
  EXPECT_EQ(bcd_code('a'), 021);
  EXPECT_EQ(bcd_code(' '), 060);
  EXPECT_EQ(bcd_code('\''), 014);
  EXPECT_EQ(bcd_code('?'), 060);  // the 7094 had no question mark
}

TEST(ElizaHollerith, WordsAreLeftJustifiedAndBlankPadded) {
  EXPECT_EQ(bcd_word("ALWAYS"), 0214366217062ull);
  EXPECT_EQ(bcd_word("HERE"), 0302551256060ull);
  EXPECT_EQ(bcd_word(""), 0606060606060ull);
}

// "The word 'always', for example, yields the integer 14." (Weizenbaum 1966, p. 38)
TEST(ElizaSlipHash, PaperExampleAlwaysIs14) { EXPECT_EQ(slip_hash(bcd_word("ALWAYS"), 7), 14); }

// The published conversation's last reply uses the fourth MEMORY rule for a memory made from a
// text ending in HERE.
TEST(ElizaSlipHash, PublishedConversationHereIs3) { EXPECT_EQ(slip_hash(bcd_word("HERE"), 2), 3); }

// A 1965 conversation in Weizenbaum's archive recalls EARLIER YOU SAID YOUR WIFE WANTS KIDS (rule
// 2) and LETS DISCUSS FURTHER WHY YOUR FATHER ... ALL THE TIME (rule 1).
TEST(ElizaSlipHash, ArchiveConversation) {
  EXPECT_EQ(slip_hash(bcd_word("KIDS"), 2), 1);
  EXPECT_EQ(slip_hash(bcd_word("TIME"), 2), 0);
}

TEST(ElizaSlipHash, StaysInRange) {
  for (int bits = 0; bits <= 15; ++bits) {
    for (const char* word : {"A", "ZZZZZZ", "999999", "HELLO", "''''''"}) {
      int h = slip_hash(bcd_word(word), bits);
      EXPECT_GE(h, 0);
      EXPECT_LT(h, 1 << bits);
    }
  }
}

TEST(ElizaLastCell, LongWordsSpanSixCharacterCells) {
  EXPECT_EQ(last_cell("HERE"), "HERE");
  EXPECT_EQ(last_cell("ALWAYS"), "ALWAYS");
  EXPECT_EQ(last_cell("INVENTED"), "ED");
  EXPECT_EQ(last_cell("ABCDEFGHIJKL"), "GHIJKL");
  EXPECT_EQ(last_cell("ABCDEFGHIJKLM"), "M");
  EXPECT_EQ(last_cell(""), "");
}

}  // namespace
}  // namespace sfs::eliza
