// Decomposition and reassembly: the two halves of an ELIZA transformation rule.
//
// Decomposition (Weizenbaum 1966, p. 37) matches a pattern against the words of the text and cuts
// the text into one part per pattern element:
//
//   pattern  (0        YOU  (* WANT NEED)  0)
//   text      I THINK  YOU  NEED           A HOLIDAY
//   parts     1        2    3              4
//
// `0` takes any number of words (none included), `N` exactly N words, a word itself, (*A B C) one
// of the listed words, (/TAG) one word whose DLIST carries the tag. When several cuts are possible
// the leftmost-shortest one is taken: each 0 takes as few words as it can while the rest of the
// pattern still matches (the order a left-to-right backtracking matcher finds first).
//
// Reassembly (p. 38) builds the reply from the rule's words and the parts: (WHY DO YOU WANT 4)
// gives WHY DO YOU WANT A HOLIDAY.
//
// Cost: a naive backtracking matcher is exponential in the number of 0s. Here a failed
// (element, position) pair is remembered — whether the rest of a pattern matches from a position
// does not depend on how the earlier words were cut — so a match costs at most
// O(elements x words^2) however the pattern and text are built.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "systems/eliza/script.h"

namespace sfs::eliza {

// A part of the decomposed text: words [begin, end).
struct Part {
  size_t begin = 0;
  size_t end = 0;
};

// Matches `pattern` against all of `words`. On success fills `parts` (one per element) and returns
// true. `script` supplies the DLIST tags of words.
bool decompose(const std::vector<PatternElement>& pattern, const std::vector<std::string>& words,
               const Script& script, std::vector<Part>* parts);

// Builds the words of a reply from reassembly tokens and the parts of a decomposition.
// REQUIRES: every part number in `tokens` is <= parts.size() (the parser checks this).
std::vector<std::string> reassemble(const std::vector<ReassemblyToken>& tokens,
                                    const std::vector<std::string>& words,
                                    const std::vector<Part>& parts);

// "(0 YOU (*WANT NEED) 0)" — a pattern written back, for traces.
std::string pattern_to_string(const std::vector<PatternElement>& pattern);
// "(WHY DO YOU WANT 4)", "(=WHAT)", "(NEWKEY)", "(PRE (I ARE 3) (=YOU))".
std::string reassembly_to_string(const Reassembly& reassembly);

}  // namespace sfs::eliza
