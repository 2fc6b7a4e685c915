// BCD character codes and the SLIP mid-square hash (see hollerith.h).
//
// The code table is the IBM 7090 BCD set as printed in Sherman, "Programming and Coding the IBM
// 709-7090-7094 Computers" (1963), with the University of Michigan variant's apostrophe (octal 14,
// which printed as a prime) since the DOCTOR script uses DON'T, CAN'T and I'M:
//
//   0-9  00-11    A-I  21-31    J-R  41-51    S-Z  62-71    blank 60
//   =    13       '    14       +    20       .    33       )    34
//   -    40       $    53       *    54       /    61       ,    73       (    74
#include "systems/eliza/hollerith.h"

#include <cassert>

namespace sfs::eliza {

uint8_t bcd_code(char c) {
  if (c >= '0' && c <= '9') return static_cast<uint8_t>(c - '0');
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  if (c >= 'A' && c <= 'I') return static_cast<uint8_t>(021 + (c - 'A'));
  if (c >= 'J' && c <= 'R') return static_cast<uint8_t>(041 + (c - 'J'));
  if (c >= 'S' && c <= 'Z') return static_cast<uint8_t>(062 + (c - 'S'));
  switch (c) {
    case '=': return 013;
    case '\'': return 014;
    case '+': return 020;
    case '.': return 033;
    case ')': return 034;
    case '-': return 040;
    case '$': return 053;
    case '*': return 054;
    case '/': return 061;
    case ',': return 073;
    case '(': return 074;
    default: return 060;  // blank, and everything the 7094 could not type
  }
}

uint64_t bcd_word(std::string_view chunk) {
  assert(chunk.size() <= 6);
  uint64_t word = 0;
  for (size_t i = 0; i < 6; ++i) {
    word = (word << 6) | (i < chunk.size() ? bcd_code(chunk[i]) : 060);
  }
  return word;
}

int slip_hash(uint64_t word, int bits) {
  assert(bits >= 0 && bits <= 15);
  // The 7094 multiplied sign-magnitude numbers: bit 35 (the first character's top bit) is the
  // sign, only the 35 magnitude bits are squared. The 70-bit product does not fit in 64 bits, but
  // the bits we keep (at most bits 35-7 .. 35+7) do, and unsigned overflow only loses bits above
  // 63, so plain 64-bit arithmetic gives the exact answer.
  uint64_t magnitude = word & 0x7FFFFFFFFull;
  uint64_t square = magnitude * magnitude;
  // LLS N/2 then keep the accumulator's low N bits: the product's bits 35 - N/2 upward.
  uint64_t shifted = square >> (35 - bits / 2);
  return static_cast<int>(shifted & ((uint64_t{1} << bits) - 1));
}

std::string_view last_cell(std::string_view word) {
  if (word.size() <= 6) return word;
  size_t start = ((word.size() - 1) / 6) * 6;
  return word.substr(start);
}

}  // namespace sfs::eliza
