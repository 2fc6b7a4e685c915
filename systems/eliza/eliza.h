// sfs eliza: Joseph Weizenbaum's ELIZA (CACM 9(1), 1966) — the public face of the system.
//
// Eliza is one conversation: it holds a Script (shared, immutable) and the state the 1966 program
// kept between inputs — the next reassembly rule of every decomposition, the queue of MEMORY
// replies, and the LIMIT counter that says when a memory may be recalled. respond() is the whole
// algorithm of the paper for one line of input (README.md traces a sentence through it):
//
//   1. split the line into upper-case words; ',' '.' (and '?' '!' ';' ':') are delimiter tokens
//   2. scan left to right: a delimiter (or the word BUT) ends the clause — drop what came before
//      it if no keyword was found yet, else drop it and everything after; a keyword goes on the
//      keystack (on top when it outranks every keyword so far, else at the bottom) and its
//      substitution (I -> YOU, MY -> YOUR, ...) replaces it in the text
//   3. no keyword: when LIMIT is 4 and a memory is queued, reply with the oldest memory; else
//      apply the NONE rules
//   4. if the top keyword is the MEMORY keyword, a MEMORY rule (chosen by the SLIP hash of the
//      text's last word) transforms a copy of the text onto the memory queue
//   5. pop the top keyword; try its decomposition patterns in order; the first that matches picks
//      its next reassembly rule (cycling): text is the reply; =KEY decomposes the same text under
//      KEY; PRE reassembles first and then does =KEY; NEWKEY pops the next keyword (NONE when the
//      keystack is empty)
//   6. a keyword none of whose patterns match gets one of the 1966 program's built-in replies
//      (PLEASE CONTINUE, HMMM, GO ON , PLEASE, I SEE — by LIMIT), as the original did
//
// Thread safety: an Eliza is used by one thread at a time; a Script may be shared freely.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "systems/eliza/script.h"

namespace sfs::eliza {

// Input beyond this many words is ignored (the 1966 program read one typed line; this bounds the
// cost of a hostile line on the IRC bot).
inline constexpr size_t kMaxInputWords = 1000;
// At most this many memories are queued; the oldest is dropped beyond it.
inline constexpr size_t kMaxMemories = 100;

// Splits a line of input into upper-case words and delimiter tokens ("," "." "?" "!" ";" ":").
// Whitespace and the bracket/quote characters ( ) [ ] { } " separate words; everything else
// (apostrophes, hyphens, digits) stays inside a word.
std::vector<std::string> split_input(std::string_view line);

// True for the tokens that end a clause: "," "." "?" "!" ";" ":" and the word "BUT".
bool is_delimiter(std::string_view word);

class Eliza {
 public:
  explicit Eliza(std::shared_ptr<const Script> script);

  // The script's opening line, "HOW DO YOU DO. PLEASE TELL ME YOUR PROBLEM".
  std::string greeting() const { return script_->greeting_text(); }

  // ELIZA's reply to one line: upper-case words separated by single spaces. When `trace` is given,
  // a line is appended to it for every step taken (sfs eliza --trace prints them).
  std::string respond(std::string_view line, std::vector<std::string>* trace = nullptr);

  const Script& script() const { return *script_; }
  // The queued memories, oldest first.
  const std::deque<std::string>& memories() const { return memories_; }
  // The LIMIT counter (1..4), as it was for the last respond().
  int limit() const { return limit_; }

 private:
  class Step;  // one respond() call's working state (eliza.cc)

  std::shared_ptr<const Script> script_;
  std::vector<size_t> next_reassembly_;  // by DecompositionRule::id
  std::deque<std::string> memories_;
  int limit_ = 1;
};

// Finds the 1966 DOCTOR script: $SFS_CONFORMANCE/eliza/DOCTOR-1966-CACM.txt, else
// ../shared/conformance/eliza/DOCTOR-1966-CACM.txt beside the source tree or beside (a parent of)
// the directory holding the running binary. Empty when none exists.
std::string find_doctor_script();

// Loads `path`; with an empty path, the DOCTOR script when `prefer_doctor` is set and
// find_doctor_script() finds it, else the project's built-in DUCK script. `used` receives the
// path loaded, or a description of the built-in script.
core::Result<std::shared_ptr<const Script>> load_script_or_default(const std::string& path,
                                                                   std::string* used = nullptr,
                                                                   bool prefer_doctor = true);

// `sfs eliza [--script FILE] [--trace] [--irc HOST:PORT --channel '#room' [--nick eliza]]`.
int cli_main(int argc, char** argv);

}  // namespace sfs::eliza
