// Decomposition matching and reassembly (see pattern.h).
#include "systems/eliza/pattern.h"

#include <algorithm>

namespace sfs::eliza {
namespace {

bool has_tag(const Script& script, const std::string& word, const std::vector<std::string>& tags) {
  const Keyword* entry = script.find(word);
  if (entry == nullptr) return false;
  for (const std::string& tag : entry->tags) {
    if (std::find(tags.begin(), tags.end(), tag) != tags.end()) return true;
  }
  return false;
}

// One word matched against a single-word element.
bool matches_word(const PatternElement& element, const std::string& word, const Script& script) {
  switch (element.kind) {
    case PatternElement::Kind::kWord:
      return element.word == word;
    case PatternElement::Kind::kAlternatives:
      return std::find(element.words.begin(), element.words.end(), word) != element.words.end();
    case PatternElement::Kind::kTags:
      return has_tag(script, word, element.words);
    case PatternElement::Kind::kCount:
      return true;
  }
  return false;
}

class Matcher {
 public:
  Matcher(const std::vector<PatternElement>& pattern, const std::vector<std::string>& words,
          const Script& script, std::vector<Part>* parts)
      : pattern_(pattern),
        words_(words),
        script_(script),
        parts_(parts),
        failed_((pattern.size() + 1) * (words.size() + 1), false) {}

  // Matches pattern_[element..] against words_[position..]. Recursion depth is the pattern's
  // length, which the parser bounds.
  bool match(size_t element, size_t position) {
    if (element == pattern_.size()) return position == words_.size();
    size_t key = element * (words_.size() + 1) + position;
    if (failed_[key]) return false;
    const PatternElement& e = pattern_[element];
    size_t remaining = words_.size() - position;
    if (e.kind == PatternElement::Kind::kCount) {
      if (e.count > 0) {
        size_t n = static_cast<size_t>(e.count);
        if (n <= remaining) {
          (*parts_)[element] = {position, position + n};
          if (match(element + 1, position + n)) return true;
        }
      } else {
        for (size_t n = 0; n <= remaining; ++n) {
          (*parts_)[element] = {position, position + n};
          if (match(element + 1, position + n)) return true;
        }
      }
    } else if (remaining > 0 && matches_word(e, words_[position], script_)) {
      (*parts_)[element] = {position, position + 1};
      if (match(element + 1, position + 1)) return true;
    }
    failed_[key] = true;
    return false;
  }

 private:
  const std::vector<PatternElement>& pattern_;
  const std::vector<std::string>& words_;
  const Script& script_;
  std::vector<Part>* parts_;
  std::vector<bool> failed_;
};

}  // namespace

bool decompose(const std::vector<PatternElement>& pattern, const std::vector<std::string>& words,
               const Script& script, std::vector<Part>* parts) {
  parts->assign(pattern.size(), Part{});
  Matcher matcher(pattern, words, script, parts);
  return matcher.match(0, 0);
}

std::vector<std::string> reassemble(const std::vector<ReassemblyToken>& tokens,
                                    const std::vector<std::string>& words,
                                    const std::vector<Part>& parts) {
  std::vector<std::string> out;
  for (const ReassemblyToken& token : tokens) {
    if (token.part == 0) {
      out.push_back(token.word);
      continue;
    }
    const Part& part = parts[static_cast<size_t>(token.part - 1)];
    for (size_t i = part.begin; i < part.end; ++i) out.push_back(words[i]);
  }
  return out;
}

std::string pattern_to_string(const std::vector<PatternElement>& pattern) {
  std::string out = "(";
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (i > 0) out += ' ';
    const PatternElement& e = pattern[i];
    switch (e.kind) {
      case PatternElement::Kind::kCount:
        out += std::to_string(e.count);
        break;
      case PatternElement::Kind::kWord:
        out += e.word;
        break;
      case PatternElement::Kind::kAlternatives:
      case PatternElement::Kind::kTags:
        out += e.kind == PatternElement::Kind::kAlternatives ? "(*" : "(/";
        for (size_t j = 0; j < e.words.size(); ++j) {
          if (j > 0) out += ' ';
          out += e.words[j];
        }
        out += ')';
        break;
    }
  }
  return out + ")";
}

namespace {

std::string tokens_to_string(const std::vector<ReassemblyToken>& tokens) {
  std::string out = "(";
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) out += ' ';
    out += tokens[i].part > 0 ? std::to_string(tokens[i].part) : tokens[i].word;
  }
  return out + ")";
}

}  // namespace

std::string reassembly_to_string(const Reassembly& reassembly) {
  switch (reassembly.kind) {
    case Reassembly::Kind::kText:
      return tokens_to_string(reassembly.tokens);
    case Reassembly::Kind::kNewKey:
      return "(NEWKEY)";
    case Reassembly::Kind::kLink:
      return "(=" + reassembly.link + ")";
    case Reassembly::Kind::kPre:
      return "(PRE " + tokens_to_string(reassembly.tokens) + " (=" + reassembly.link + "))";
  }
  return "";
}

}  // namespace sfs::eliza
