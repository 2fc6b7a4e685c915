// The ELIZA engine: one line of input in, one reply out (the algorithm of eliza.h, step by step).
//
// Sources, in order of authority: Weizenbaum's 1966 CACM paper for the algorithm (keystack, the
// delimiters, decomposition and reassembly, =, PRE, NEWKEY, MEMORY, NONE); the 1965 MAD-SLIP
// listing from his MIT archive for what the paper leaves open (BUT is a delimiter; LIMIT counts
// 1,2,3,4 and a memory is recalled only at 4; the MEMORY rule is chosen by HASH, not at random;
// the built-in replies when no decomposition matches); and the published conversation, which this
// engine reproduces exactly (tests/transcript_test.cc).
//
// Where the two disagree the paper wins: the listing keeps only the highest-ranked keyword, the
// paper (and this engine) keeps a keystack so that NEWKEY can fall back to the next keyword.
#include "systems/eliza/eliza.h"

#include <deque>
#include <utility>

#include "core/strings.h"
#include "systems/eliza/hollerith.h"
#include "systems/eliza/pattern.h"

namespace sfs::eliza {
namespace {

// A chain of =links and PREs longer than this is a loop in the script ((A (=B)) (B (=A))); the
// DOCTOR script's longest chain is 3. NEWKEY steps are not counted: the keystack bounds them.
constexpr int kMaxHops = 32;

// The MAD-SLIP listing's NOMATCH(LIMIT) replies: what ELIZA said when a keyword was found but
// none of its decomposition rules matched (a script error it chose to hide from the user).
constexpr const char* kNoMatchReplies[4] = {"PLEASE CONTINUE", "HMMM", "GO ON , PLEASE", "I SEE"};

bool is_separator(char c) {
  switch (c) {
    case ' ': case '\t': case '\n': case '\r': case '\v': case '\f':
    case '(': case ')': case '[': case ']': case '{': case '}': case '"':
      return true;
    default:
      return false;
  }
}

bool is_delimiter_char(char c) {
  return c == ',' || c == '.' || c == '?' || c == '!' || c == ';' || c == ':';
}

std::string join(const std::vector<std::string>& words, size_t begin = 0,
                 size_t end = std::string::npos) {
  std::string out;
  end = std::min(end, words.size());
  for (size_t i = begin; i < end; ++i) {
    if (!out.empty()) out += ' ';
    out += words[i];
  }
  return out;
}

std::string quote(const std::vector<std::string>& words) { return "\"" + join(words) + "\""; }

}  // namespace

std::vector<std::string> split_input(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  auto finish = [&] {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  };
  for (char c : line) {
    if (words.size() >= kMaxInputWords) break;
    if (is_separator(c)) {
      finish();
    } else if (is_delimiter_char(c)) {
      finish();
      words.emplace_back(1, c);
    } else {
      word += core::ascii_upper(c);
    }
  }
  finish();
  if (words.size() > kMaxInputWords) words.resize(kMaxInputWords);
  return words;
}

bool is_delimiter(std::string_view word) {
  return (word.size() == 1 && is_delimiter_char(word[0])) || word == "BUT";
}

// One respond() call: the text being transformed, the keystack, and the trace.
class Eliza::Step {
 public:
  Step(Eliza& eliza, std::vector<std::string>* trace) : eliza_(eliza), trace_(trace) {}

  std::string run(std::string_view line) {
    // LIMIT=LIMIT+1, W'R LIMIT .E. 5, LIMIT=1 — just after the input is read.
    eliza_.limit_ = eliza_.limit_ == 4 ? 1 : eliza_.limit_ + 1;
    words_ = split_input(line);
    if (tracing()) note("input " + quote(words_) + ", LIMIT " + std::to_string(eliza_.limit_));
    scan();
    if (keystack_.empty()) return no_keyword();
    remember();
    const Keyword* top = keystack_.front();
    keystack_.pop_front();
    if (tracing()) note("keyword " + top->word + " (rank " + std::to_string(top->rank) + ")");
    return transform(&top->rules, top->word);
  }

 private:
  bool tracing() const { return trace_ != nullptr; }
  void note(const std::string& line) {
    if (trace_ != nullptr) trace_->push_back(line);
  }
  // The words [begin, end) in quotes; `prefix` means [0, end) instead.
  std::string quote_range(size_t begin, size_t end, bool prefix) const {
    return "\"" + join(words_, prefix ? 0 : begin, end) + "\"";
  }

  const Script& script() const { return *eliza_.script_; }

  // Step 2: keywords, substitutions, delimiters.
  void scan() {
    int top_rank = 0;
    for (size_t i = 0; i < words_.size();) {
      if (is_delimiter(words_[i])) {
        if (keystack_.empty()) {
          if (tracing()) note("delimiter " + words_[i] + " before any keyword: drop " + quote_range(i, i + 1, true));
          words_.erase(words_.begin(), words_.begin() + static_cast<std::ptrdiff_t>(i + 1));
          i = 0;
          continue;
        }
        if (tracing()) note("delimiter " + words_[i] + " after a keyword: drop " + quote_range(i, words_.size(), false));
        words_.resize(i);
        break;
      }
      if (const Keyword* keyword = script().find(words_[i])) {
        std::string what;
        if (keyword->has_rules()) {
          if (keyword->rank > top_rank) {
            keystack_.push_front(keyword);
            top_rank = keyword->rank;
            if (tracing()) what = "keyword, rank " + std::to_string(keyword->rank) + ": on top";
          } else {
            keystack_.push_back(keyword);
            if (tracing()) what = "keyword, rank " + std::to_string(keyword->rank) + ": at the bottom";
          }
        }
        if (!keyword->substitute.empty()) {
          if (tracing()) what += (what.empty() ? "" : "; ") + std::string("replaced by ") + keyword->substitute;
          words_[i] = keyword->substitute;
        }
        if (tracing() && !what.empty()) note(keyword->word + ": " + what);
      }
      ++i;
    }
    if (!tracing()) return;
    std::string stack;
    for (const Keyword* keyword : keystack_) stack += " " + keyword->word;
    note("text " + quote(words_) + ", keystack (" + (stack.empty() ? "" : stack.substr(1)) + ")");
  }

  // Step 3: a text without keywords.
  std::string no_keyword() {
    if (eliza_.limit_ == 4 && !eliza_.memories_.empty()) {
      std::string memory = std::move(eliza_.memories_.front());
      eliza_.memories_.pop_front();
      note("no keyword, LIMIT 4: recall the oldest memory");
      return memory;
    }
    note("no keyword: NONE");
    return transform(&script().none_rules, "NONE");
  }

  // Step 4: the MEMORY mechanism.
  void remember() {
    const Script& s = script();
    if (s.memory_keyword.empty() || words_.empty() || keystack_.front()->word != s.memory_keyword) {
      return;
    }
    std::string_view cell = last_cell(words_.back());
    int index = slip_hash(bcd_word(cell), 2);
    const MemoryRule& rule = s.memory_rules[static_cast<size_t>(index)];
    std::vector<Part> parts;
    if (!decompose(rule.pattern, words_, s, &parts)) {
      note("MEMORY rule " + std::to_string(index + 1) + " does not match; nothing remembered");
      return;
    }
    std::string memory = join(reassemble(rule.reassembly.tokens, words_, parts));
    if (tracing()) {
      note("HASH(\"" + std::string(cell) + "\", 2) = " + std::to_string(index) + ": remember \"" +
           memory + "\"");
    }
    eliza_.memories_.push_back(std::move(memory));
    if (eliza_.memories_.size() > kMaxMemories) eliza_.memories_.pop_front();
  }

  // Step 5 and 6: decomposition and reassembly under `rules` (a keyword's, or NONE's).
  std::string transform(const std::vector<DecompositionRule>* rules, std::string owner) {
    bool in_none = owner == "NONE";
    for (int hops = 0; hops < kMaxHops;) {
      const DecompositionRule* matched = nullptr;
      std::vector<Part> parts;
      for (const DecompositionRule& rule : *rules) {
        if (decompose(rule.pattern, words_, script(), &parts)) {
          matched = &rule;
          break;
        }
      }
      if (matched == nullptr) {
        note("no decomposition of " + owner + " matches: built-in reply " +
             std::to_string(eliza_.limit_));
        return kNoMatchReplies[eliza_.limit_ - 1];
      }
      size_t& next = eliza_.next_reassembly_[matched->id];
      const Reassembly& reassembly = matched->reassemblies[next];
      if (tracing()) {
        note(owner + " " + pattern_to_string(matched->pattern) + " matches; reassembly " +
             std::to_string(next + 1) + " of " + std::to_string(matched->reassemblies.size()) +
             ": " + reassembly_to_string(reassembly));
      }
      next = (next + 1) % matched->reassemblies.size();
      switch (reassembly.kind) {
        case Reassembly::Kind::kText:
          return join(reassemble(reassembly.tokens, words_, parts));
        case Reassembly::Kind::kPre:
          words_ = reassemble(reassembly.tokens, words_, parts);
          if (words_.size() > kMaxInputWords) words_.resize(kMaxInputWords);
          if (tracing()) note("PRE: text is now " + quote(words_));
          [[fallthrough]];
        case Reassembly::Kind::kLink: {
          ++hops;
          const Keyword* target = script().find(reassembly.link);
          rules = &target->rules;  // the parser checked that the link has rules
          owner = target->word;
          in_none = false;
          break;
        }
        case Reassembly::Kind::kNewKey:
          if (keystack_.empty()) {
            if (in_none) return kNoMatchReplies[eliza_.limit_ - 1];
            note("NEWKEY: keystack empty, NONE");
            rules = &script().none_rules;
            owner = "NONE";
            in_none = true;
          } else {
            const Keyword* next_key = keystack_.front();
            keystack_.pop_front();
            note("NEWKEY: next keyword " + next_key->word);
            rules = &next_key->rules;
            owner = next_key->word;
          }
          break;
      }
    }
    note("more than " + std::to_string(kMaxHops) + " links: the script loops");
    return kNoMatchReplies[eliza_.limit_ - 1];
  }

  Eliza& eliza_;
  std::vector<std::string>* trace_;
  std::vector<std::string> words_;
  std::deque<const Keyword*> keystack_;
};

Eliza::Eliza(std::shared_ptr<const Script> script)
    : script_(std::move(script)), next_reassembly_(script_->decomposition_count, 0) {}

std::string Eliza::respond(std::string_view line, std::vector<std::string>* trace) {
  Step step(*this, trace);
  return step.run(line);
}

}  // namespace sfs::eliza
