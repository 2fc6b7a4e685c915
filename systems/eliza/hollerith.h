// The SLIP HASH function and the IBM 7094 character code it hashed: how the 1966 ELIZA chose which
// MEMORY transformation to apply.
//
// Weizenbaum's paper says a MEMORY transformation is "randomly selected". The MAD-SLIP listing
// found in his MIT archive (2021) shows it is not random: `I=HASH.(BOT.(INPUT),2)+1` — a 2-bit
// hash of the last cell of the input text picks the rule. The SLIP HASH routine (FAP assembly,
// found 2022, described by Anthony Hay) is a mid-square hash: square the 35 magnitude bits of the
// 36-bit word and keep the middle N bits. The word holds up to six 6-bit BCD ("Hollerith")
// characters, left-justified and blank-padded; a longer word spans several cells, and BOT is the
// last of them ("INVENTED" is stored as "INVENT" + "ED    ", and "ED    " is hashed).
//
// The paper itself gives one check value: HASH("ALWAYS", 7) = 14. The published conversation gives
// another: the memory made from "...MADE YOU COME HERE" uses the fourth rule, so HASH("HERE", 2) = 3.
// Both are unit tests.
#pragma once

#include <cstdint>
#include <string_view>

namespace sfs::eliza {

// The 6-bit IBM 7090/7094 BCD code of an (upper-case) character. Characters the 1966 machine had
// no code for (lower case letters are upper-cased first; '?', '!', bytes of UTF-8 sequences, ...)
// are given the blank's code, 060.
uint8_t bcd_code(char c);

// The 36-bit word holding up to six characters, left-justified and padded with blanks.
// REQUIRES: chunk.size() <= 6.
uint64_t bcd_word(std::string_view chunk);

// SLIP HASH(D, N): the middle `bits` bits of the square of D's 35 low (magnitude) bits.
// REQUIRES: 0 <= bits <= 15 (the FAP routine stores its result with STA, which keeps 15 bits).
int slip_hash(uint64_t word, int bits);

// The last SLIP cell of `word`: its final 1-6 characters, as the 1966 program stored it.
std::string_view last_cell(std::string_view word);

}  // namespace sfs::eliza
