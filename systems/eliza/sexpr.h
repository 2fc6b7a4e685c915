// The S-expression reader under the script parser: text in, a tree of atoms and lists out, every
// node stamped with the line and column where it starts.
//
// ELIZA scripts are "a set of list structures" (Weizenbaum 1966, p. 38) typed as parenthesised
// lists of words: `(SORRY ((0) (PLEASE DON'T APOLIGIZE)))`. The syntax is the smallest there is:
//
//   item    := atom | list
//   list    := '(' item* ')'
//   atom    := any run of characters other than whitespace, '(' , ')' and ';'
//   comment := ';' up to the end of the line (the CACM transcription uses them; the 1966 card
//              decks had none)
//
// Atoms are kept exactly as written ("DON'T", "REALLY,", "=WHAT", "*SAD"); giving them meaning
// (numbers, '=' links, '*' alternatives, '/' tags) is the script parser's job (script.cc), which
// can then say precisely what is wrong and where. This split keeps each file about one thing: here
// only parentheses and positions, there only ELIZA.
//
// Limits: nesting deeper than kMaxDepth is an error rather than a stack overflow (scripts nest four
// levels deep; a fuzzer can nest a million).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sfs::eliza {

struct SexprNode {
  bool is_list = false;
  std::string atom;               // when !is_list
  std::vector<SexprNode> items;   // when is_list
  int line = 0;                   // 1-based, where the atom or the '(' starts
  int column = 0;                 // 1-based

  bool is_atom() const { return !is_list; }
};

inline constexpr int kMaxSexprDepth = 64;

// Reads every top-level item of `text`. Errors carry "<name>:<line>:<column>: <reason>", for
// example "doctor.txt:41:5: unbalanced ')'" or "doctor.txt:12:1: '(' opened here is never closed".
core::Result<std::vector<SexprNode>> read_sexprs(std::string_view text, std::string_view name);

// "line:column" prefix helper used by the script parser for its own messages.
std::string sexpr_position(std::string_view name, const SexprNode& node);

// The item as it would be written back ("(0 YOU 0)"), for error messages; long lists are cut.
std::string sexpr_to_string(const SexprNode& node, size_t max_length = 60);

}  // namespace sfs::eliza
