// An ELIZA script in memory: the keyword dictionary, its decomposition and reassembly rules, the
// MEMORY rules and the NONE fallback — and the parser that builds it from the 1966 S-expression
// format (SCRIPT_FORMAT.md describes that format; Weizenbaum 1966, pp. 38-41 and the appendix).
//
// A Script is immutable once parsed and holds no conversation state: the per-conversation state
// (which reassembly comes next for each decomposition, the memory queue, the LIMIT counter) lives
// in Eliza (eliza.h), so one Script can serve many conversations at once (the IRC bot keeps one
// per nick).
//
//   Script
//    ├─ greeting                 (HOW DO YOU DO.  PLEASE TELL ME YOUR PROBLEM)
//    ├─ keywords: word -> Keyword
//    │    ├─ substitute          (I = YOU ...)          the word is replaced while scanning
//    │    ├─ rank                (ALIKE 10 ...)         precedence on the keystack
//    │    ├─ tags                (MOTHER DLIST(/NOUN FAMILY))
//    │    └─ rules[]             decomposition -> reassemblies (cycled), or a whole-rule =LINK
//    │         ├─ pattern        (0 YOU (* WANT NEED) 0), (0 YOUR 0 (/FAMILY) 0)
//    │         └─ reassemblies   (WHY DO YOU WANT 4) | (=WHAT) | (NEWKEY) | (PRE (I ARE 3) (=YOU))
//    ├─ memory_keyword + memory_rules[4]     (MEMORY MY (0 YOUR 0 = EARLIER YOU SAID YOUR 3) ...)
//    └─ none_rules               (NONE ((0) (PLEASE GO ON) ...))
//
// Words are stored in upper case; input is upper-cased before it is compared with them.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace sfs::eliza {

// One element of a decomposition pattern.
struct PatternElement {
  enum class Kind {
    kCount,         // 0 = any number of words (possibly none); N > 0 = exactly N words
    kWord,          // this word
    kAlternatives,  // (*A B C): one word, any of these
    kTags,          // (/NOUN FAMILY): one word whose DLIST holds any of these tags
  };
  Kind kind = Kind::kWord;
  int count = 0;                    // kCount
  std::string word;                 // kWord
  std::vector<std::string> words;   // kAlternatives: the words; kTags: the tags
};

// One token of reassembly text: a literal word, or a reference to part N of the decomposition.
struct ReassemblyToken {
  std::string word;  // when part == 0
  int part = 0;      // 1-based decomposition part, 0 for a literal
};

struct Reassembly {
  enum class Kind {
    kText,    // (WHY DO YOU WANT 4)
    kNewKey,  // (NEWKEY): give up on this keyword, try the next one on the keystack
    kLink,    // (=WHAT): decompose the same text under WHAT's rules
    kPre,     // (PRE (I ARE 3) (=YOU)): reassemble, then decompose the result under YOU's rules
  };
  Kind kind = Kind::kText;
  std::vector<ReassemblyToken> tokens;  // kText and kPre
  std::string link;                     // kLink and kPre: the target keyword
  int line = 0;
};

// A decomposition rule and its reassembly rules. The script form `(=WHAT)` in a keyword's rule
// list (a link standing for the whole rule, as in (HOW (=WHAT))) is stored as the pattern (0)
// with the single reassembly (=WHAT), which is exactly how it behaves.
struct DecompositionRule {
  std::vector<PatternElement> pattern;
  std::vector<Reassembly> reassemblies;
  size_t id = 0;  // index into Eliza's per-conversation "next reassembly" counters
  int line = 0;
};

struct Keyword {
  std::string word;
  std::string substitute;              // empty: the word stays as it is
  int rank = 0;                        // precedence; higher wins the keystack
  std::vector<std::string> tags;       // DLIST tags
  std::vector<DecompositionRule> rules;  // empty: a substitution or DLIST entry only
  int line = 0;

  // Only keywords with rules go on the keystack.
  bool has_rules() const { return !rules.empty(); }
};

struct MemoryRule {
  std::vector<PatternElement> pattern;
  Reassembly reassembly;  // kText
  int line = 0;
};

// The 1966 program requires exactly four MEMORY transformations: it picks one with a 2-bit hash.
inline constexpr size_t kMemoryRuleCount = 4;

struct Script {
  std::string name;                                   // file name, for messages
  std::vector<std::string> greeting;                  // words of the opening line
  std::unordered_map<std::string, Keyword> keywords;  // by upper-case word
  std::string memory_keyword;                         // empty: no MEMORY mechanism
  std::vector<MemoryRule> memory_rules;               // kMemoryRuleCount of them, or none
  std::vector<DecompositionRule> none_rules;          // the NONE fallback
  size_t decomposition_count = 0;                     // ids handed out to DecompositionRules

  const Keyword* find(std::string_view word) const;
  std::string greeting_text() const;
};

// Parses a script. `name` prefixes error messages: "doctor.txt:57:9: reassembly refers to part 5
// but the pattern (0 YOU 0) has only 3 parts". Every structural rule of SCRIPT_FORMAT.md is
// checked here, so the engine never meets a malformed script.
core::Result<Script> parse_script(std::string_view text, std::string_view name = "script");

// Reads and parses a script file.
core::Result<Script> load_script(const std::string& path);

// The project's own default script (default_script.cc), used when the 1966 DOCTOR script is not
// available. Always parses.
std::string_view default_script_text();

}  // namespace sfs::eliza
