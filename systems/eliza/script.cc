// The script parser: turns the S-expression tree of sexpr.cc into a Script (script.h), checking
// every rule of SCRIPT_FORMAT.md on the way so that a mistake is reported once, at load time, with
// its line and column — never as a strange reply in the middle of a conversation.
//
// The grammar, one function per rule:
//
//   script      := greeting START entry* '()'?             parse_script()
//   entry       := (MEMORY ...) | (NONE rule+) | keyword   parse_memory(), parse_keyword()
//   keyword     := (WORD ['=' WORD] [DLIST (/TAG...)] [RANK] rule*)
//   rule        := ((pattern...) reassembly+) | (=WORD)    parse_rule()
//   pattern     := N | WORD | (*WORD...) | (/TAG...)        parse_pattern_element()
//   reassembly  := (text...) | (NEWKEY) | (=WORD) | (PRE (text...) (=WORD))   parse_reassembly()
//   memory rule := (pattern... = text...)                   parse_memory_rule()
//
// Forms the 1966 appendix uses and that are accepted here: "=WHAT" and "= WHAT" alike, "DLIST(/
// FAMILY)" with or without a space after the slash, "(*SAD UNHAPPY)" and "(* WANT NEED)". Links
// (=WORD, PRE) are checked after the whole file is read, since a rule may point at a keyword that
// is defined further down (ALIKE -> DIT).
#include "systems/eliza/script.h"

#include <utility>

#include "core/file.h"
#include "core/strings.h"
#include "systems/eliza/sexpr.h"

namespace sfs::eliza {

const Keyword* Script::find(std::string_view word) const {
  auto it = keywords.find(std::string(word));
  return it == keywords.end() ? nullptr : &it->second;
}

std::string Script::greeting_text() const {
  std::string text;
  for (const std::string& word : greeting) {
    if (!text.empty()) text += ' ';
    text += word;
  }
  return text;
}

namespace {

// Part numbers and counts above this are certainly typing mistakes, and keeping them small keeps
// the matcher's arithmetic trivially safe.
constexpr int64_t kMaxCount = 1000;
constexpr int64_t kMaxRank = 1000000;
// The matcher recurses once per pattern element; real patterns have at most eight.
constexpr size_t kMaxPatternElements = 100;

using core::Status;

class Parser {
 public:
  explicit Parser(std::string_view name) : name_(name) { script_.name = std::string(name); }

  core::Result<Script> parse(std::string_view text);

 private:
  struct PendingLink {
    std::string target;
    const SexprNode* node;
  };

  Status error(const SexprNode& node, const std::string& message) const {
    return Status::invalid_argument(sexpr_position(name_, node) + message);
  }

  Status parse_entry(const SexprNode& entry);
  Status parse_keyword(const SexprNode& entry);
  Status parse_memory(const SexprNode& entry);
  Status parse_none(const SexprNode& entry);
  core::Result<DecompositionRule> parse_rule(const SexprNode& rule, const std::string& owner);
  core::Result<PatternElement> parse_pattern_element(const SexprNode& node);
  core::Result<Reassembly> parse_reassembly(const SexprNode& node, size_t parts);
  core::Result<std::vector<ReassemblyToken>> parse_text(const SexprNode& owner,
                                                        const std::vector<SexprNode>& items,
                                                        size_t first, size_t parts);
  // The target of "(=WORD)" or "(= WORD)"; empty when `list` is not a link.
  std::string link_target(const SexprNode& list) const;
  Status check_links() const;

  std::string name_;
  Script script_;
  std::vector<PendingLink> links_;
  std::unordered_map<std::string, const SexprNode*> memory_entry_;
};

bool is_number(const std::string& atom, int64_t* value) {
  auto parsed = core::parse_int64(atom);
  if (!parsed) return false;
  *value = *parsed;
  return true;
}

std::string upper(std::string_view text) { return core::to_upper(text); }

core::Result<Script> Parser::parse(std::string_view text) {
  SFS_ASSIGN_OR_RETURN(std::vector<SexprNode> items, read_sexprs(text, name_));
  if (items.empty() || !items[0].is_list) {
    SexprNode start;
    start.line = items.empty() ? 1 : items[0].line;
    start.column = items.empty() ? 1 : items[0].column;
    return error(start,
                 "a script begins with the greeting list, e.g. (HOW DO YOU DO. PLEASE TELL ME "
                 "YOUR PROBLEM)");
  }
  for (const SexprNode& word : items[0].items) {
    if (word.is_list) return error(word, "the greeting is a list of words; it holds a list");
    script_.greeting.push_back(upper(word.atom));
  }
  if (items.size() < 2 || !items[1].is_atom() || upper(items[1].atom) != "START") {
    const SexprNode& at = items.size() < 2 ? items[0] : items[1];
    return error(at, "expected the word START after the greeting");
  }
  bool ended = false;
  const SexprNode* last = &items[1];
  for (size_t i = 2; i < items.size(); ++i) {
    const SexprNode& entry = items[i];
    last = &entry;
    if (ended) return error(entry, "text after the closing () that ends the script");
    if (entry.is_atom()) {
      return error(entry, "expected a keyword entry (KEYWORD ...), found the word '" + entry.atom +
                              "' outside any list");
    }
    if (entry.items.empty()) {
      ended = true;
      continue;
    }
    SFS_TRY(parse_entry(entry));
  }
  if (script_.none_rules.empty()) {
    return error(*last,
                 "the script has no NONE entry: (NONE ((0) (PLEASE GO ON) ...)) gives the reply "
                 "when no keyword is found");
  }
  SFS_TRY(check_links());
  if (!script_.memory_keyword.empty()) {
    const Keyword* key = script_.find(script_.memory_keyword);
    if (key == nullptr || !key->has_rules()) {
      return error(*memory_entry_.begin()->second,
                   "the MEMORY keyword " + script_.memory_keyword +
                       " must also be an ordinary keyword with rules of its own");
    }
  }
  return std::move(script_);
}

Status Parser::parse_entry(const SexprNode& entry) {
  const SexprNode& head = entry.items[0];
  if (head.is_list) {
    return error(head, "a keyword entry starts with its keyword, e.g. (SORRY ((0) ...)); found a list");
  }
  std::string word = upper(head.atom);
  if (word == "MEMORY") return parse_memory(entry);
  if (word == "NONE") return parse_none(entry);
  return parse_keyword(entry);
}

Status Parser::parse_keyword(const SexprNode& entry) {
  const SexprNode& head = entry.items[0];
  Keyword keyword;
  keyword.word = upper(head.atom);
  keyword.line = head.line;
  int64_t number = 0;
  if (is_number(keyword.word, &number) || keyword.word[0] == '=') {
    return error(head, "'" + head.atom + "' cannot be a keyword");
  }
  if (auto it = script_.keywords.find(keyword.word); it != script_.keywords.end()) {
    return error(head, "keyword " + keyword.word + " is defined twice (first at line " +
                           std::to_string(it->second.line) + ")");
  }
  bool have_rank = false;
  for (size_t i = 1; i < entry.items.size(); ++i) {
    const SexprNode& item = entry.items[i];
    if (item.is_list) {
      SFS_ASSIGN_OR_RETURN(DecompositionRule rule, parse_rule(item, keyword.word));
      keyword.rules.push_back(std::move(rule));
      continue;
    }
    std::string atom = upper(item.atom);
    if (!keyword.rules.empty()) {
      return error(item, "'" + item.atom + "' after the rules of " + keyword.word +
                             " (substitution, DLIST and rank come before the rules)");
    }
    if (atom == "=" || (atom.size() > 1 && atom[0] == '=')) {
      std::string target = atom.substr(1);
      if (target.empty()) {
        if (i + 1 >= entry.items.size() || entry.items[i + 1].is_list) {
          return error(item, "'=' must be followed by the word that replaces " + keyword.word);
        }
        target = upper(entry.items[++i].atom);
      }
      if (!keyword.substitute.empty()) {
        return error(item, keyword.word + " has two substitutions");
      }
      keyword.substitute = target;
    } else if (atom == "DLIST") {
      if (i + 1 >= entry.items.size() || !entry.items[i + 1].is_list) {
        return error(item, "DLIST must be followed by a tag list, e.g. DLIST(/NOUN FAMILY)");
      }
      const SexprNode& list = entry.items[++i];
      if (list.items.empty() || list.items[0].is_list || list.items[0].atom.empty() ||
          list.items[0].atom[0] != '/') {
        return error(list, "a DLIST tag list starts with '/', e.g. (/NOUN FAMILY)");
      }
      if (!keyword.tags.empty()) return error(item, keyword.word + " has two DLISTs");
      for (size_t j = 0; j < list.items.size(); ++j) {
        const SexprNode& tag = list.items[j];
        if (tag.is_list) return error(tag, "a DLIST holds tag words, not lists");
        std::string name = upper(j == 0 ? tag.atom.substr(1) : tag.atom);
        if (!name.empty()) keyword.tags.push_back(name);
      }
      if (keyword.tags.empty()) return error(list, "the DLIST names no tag");
    } else if (is_number(atom, &number)) {
      if (have_rank) return error(item, keyword.word + " has two ranks");
      if (number < 0 || number > kMaxRank) {
        return error(item, "rank " + item.atom + " is out of range (0.." +
                               std::to_string(kMaxRank) + ")");
      }
      keyword.rank = static_cast<int>(number);
      have_rank = true;
    } else {
      return error(item, "unexpected '" + item.atom + "' in the entry for " + keyword.word +
                             " (expected '= WORD', DLIST(/TAG), a rank, or a rule list)");
    }
  }
  script_.keywords.emplace(keyword.word, std::move(keyword));
  return Status::ok();
}

std::string Parser::link_target(const SexprNode& list) const {
  if (!list.is_list || list.items.empty() || list.items[0].is_list) return "";
  const std::string& first = list.items[0].atom;
  if (list.items.size() == 1 && first.size() > 1 && first[0] == '=') return upper(first.substr(1));
  if (list.items.size() == 2 && first == "=" && list.items[1].is_atom()) {
    return upper(list.items[1].atom);
  }
  return "";
}

core::Result<DecompositionRule> Parser::parse_rule(const SexprNode& rule, const std::string& owner) {
  DecompositionRule out;
  out.line = rule.line;
  if (rule.items.empty()) return error(rule, "empty rule () in the entry for " + owner);
  if (rule.items[0].is_atom()) {
    std::string target = link_target(rule);
    if (target.empty()) {
      return error(rule, "a rule of " + owner +
                             " is ((decomposition) (reassembly) ...) or a link (=KEYWORD); "
                             "found " + sexpr_to_string(rule));
    }
    PatternElement any;
    any.kind = PatternElement::Kind::kCount;
    any.count = 0;
    out.pattern.push_back(any);
    Reassembly link;
    link.kind = Reassembly::Kind::kLink;
    link.link = target;
    link.line = rule.line;
    out.reassemblies.push_back(std::move(link));
    links_.push_back({target, &rule});
    out.id = script_.decomposition_count++;
    return out;
  }
  const SexprNode& pattern = rule.items[0];
  if (pattern.items.empty()) return error(pattern, "empty decomposition pattern ()");
  if (pattern.items.size() > kMaxPatternElements) {
    return error(pattern, "pattern of " + std::to_string(pattern.items.size()) +
                              " elements (at most " + std::to_string(kMaxPatternElements) + ")");
  }
  for (const SexprNode& node : pattern.items) {
    SFS_ASSIGN_OR_RETURN(PatternElement element, parse_pattern_element(node));
    out.pattern.push_back(std::move(element));
  }
  if (rule.items.size() < 2) {
    return error(rule, "decomposition " + sexpr_to_string(pattern) + " has no reassembly rule");
  }
  for (size_t i = 1; i < rule.items.size(); ++i) {
    SFS_ASSIGN_OR_RETURN(Reassembly reassembly,
                         parse_reassembly(rule.items[i], out.pattern.size()));
    out.reassemblies.push_back(std::move(reassembly));
  }
  out.id = script_.decomposition_count++;
  return out;
}

core::Result<PatternElement> Parser::parse_pattern_element(const SexprNode& node) {
  PatternElement element;
  if (node.is_atom()) {
    int64_t number = 0;
    if (is_number(node.atom, &number)) {
      if (number < 0 || number > kMaxCount) {
        return error(node, "word count " + node.atom + " is out of range (0.." +
                               std::to_string(kMaxCount) + ")");
      }
      element.kind = PatternElement::Kind::kCount;
      element.count = static_cast<int>(number);
    } else {
      element.kind = PatternElement::Kind::kWord;
      element.word = upper(node.atom);
    }
    return element;
  }
  if (node.items.empty() || node.items[0].is_list || node.items[0].atom.empty() ||
      (node.items[0].atom[0] != '*' && node.items[0].atom[0] != '/')) {
    return error(node, "a list in a pattern is (*WORD WORD ...) or (/TAG ...); found " +
                           sexpr_to_string(node));
  }
  bool alternatives = node.items[0].atom[0] == '*';
  element.kind = alternatives ? PatternElement::Kind::kAlternatives : PatternElement::Kind::kTags;
  for (size_t i = 0; i < node.items.size(); ++i) {
    const SexprNode& item = node.items[i];
    if (item.is_list) return error(item, "nested list inside " + sexpr_to_string(node));
    std::string word = upper(i == 0 ? item.atom.substr(1) : item.atom);
    if (!word.empty()) element.words.push_back(word);
  }
  if (element.words.empty()) {
    return error(node, alternatives ? "(*) lists no alternative words" : "(/) names no tag");
  }
  return element;
}

core::Result<std::vector<ReassemblyToken>> Parser::parse_text(const SexprNode& owner,
                                                              const std::vector<SexprNode>& items,
                                                              size_t first, size_t parts) {
  std::vector<ReassemblyToken> tokens;
  for (size_t i = first; i < items.size(); ++i) {
    const SexprNode& item = items[i];
    if (item.is_list) {
      return error(item, "reassembly text holds words and part numbers, not lists: " +
                             sexpr_to_string(owner));
    }
    ReassemblyToken token;
    int64_t number = 0;
    if (is_number(item.atom, &number)) {
      if (number < 1 || static_cast<uint64_t>(number) > parts) {
        return error(item, "reassembly refers to part " + item.atom + " but the pattern has " +
                               std::to_string(parts) + " part" + (parts == 1 ? "" : "s"));
      }
      token.part = static_cast<int>(number);
    } else {
      token.word = upper(item.atom);
    }
    tokens.push_back(std::move(token));
  }
  return tokens;
}

core::Result<Reassembly> Parser::parse_reassembly(const SexprNode& node, size_t parts) {
  Reassembly out;
  out.line = node.line;
  if (node.is_atom()) {
    return error(node, "a reassembly rule is a list, e.g. (WHY DO YOU SAY 3); found the word '" +
                           node.atom + "'");
  }
  if (node.items.empty()) return error(node, "empty reassembly rule ()");
  const SexprNode& first = node.items[0];
  std::string head = first.is_atom() ? upper(first.atom) : "";
  if (node.items.size() == 1 && head == "NEWKEY") {
    out.kind = Reassembly::Kind::kNewKey;
    return out;
  }
  if (std::string target = link_target(node); !target.empty()) {
    out.kind = Reassembly::Kind::kLink;
    out.link = target;
    links_.push_back({target, &node});
    return out;
  }
  if (head == "PRE" && node.items.size() > 1 && node.items[1].is_list) {
    if (node.items.size() != 3 || link_target(node.items[2]).empty()) {
      return error(node, "PRE takes a reassembly and a link: (PRE (I ARE 3) (=YOU))");
    }
    out.kind = Reassembly::Kind::kPre;
    SFS_ASSIGN_OR_RETURN(out.tokens, parse_text(node.items[1], node.items[1].items, 0, parts));
    out.link = link_target(node.items[2]);
    links_.push_back({out.link, &node.items[2]});
    return out;
  }
  out.kind = Reassembly::Kind::kText;
  SFS_ASSIGN_OR_RETURN(out.tokens, parse_text(node, node.items, 0, parts));
  return out;
}

Status Parser::parse_memory(const SexprNode& entry) {
  const SexprNode& head = entry.items[0];
  if (!script_.memory_keyword.empty()) {
    return error(head, "a second MEMORY entry (there is one memory keyword per script)");
  }
  if (entry.items.size() < 2 || entry.items[1].is_list) {
    return error(head, "MEMORY names its keyword first: (MEMORY MY (0 YOUR 0 = ...) ...)");
  }
  script_.memory_keyword = upper(entry.items[1].atom);
  memory_entry_[script_.memory_keyword] = &head;
  for (size_t i = 2; i < entry.items.size(); ++i) {
    const SexprNode& rule = entry.items[i];
    if (rule.is_atom()) {
      return error(rule, "a MEMORY rule is a list (pattern... = reassembly...)");
    }
    size_t equals = 0;
    while (equals < rule.items.size() &&
           !(rule.items[equals].is_atom() && rule.items[equals].atom == "=")) {
      ++equals;
    }
    if (equals == rule.items.size()) {
      return error(rule, "a MEMORY rule needs '=' between its pattern and its reassembly, e.g. "
                         "(0 YOUR 0 = EARLIER YOU SAID YOUR 3)");
    }
    if (equals == 0) return error(rule, "the MEMORY rule has no pattern before '='");
    if (equals > kMaxPatternElements) {
      return error(rule, "pattern of " + std::to_string(equals) + " elements (at most " +
                             std::to_string(kMaxPatternElements) + ")");
    }
    if (equals + 1 == rule.items.size()) {
      return error(rule, "the MEMORY rule has no reassembly after '='");
    }
    MemoryRule memory;
    memory.line = rule.line;
    for (size_t j = 0; j < equals; ++j) {
      SFS_ASSIGN_OR_RETURN(PatternElement element, parse_pattern_element(rule.items[j]));
      memory.pattern.push_back(std::move(element));
    }
    memory.reassembly.kind = Reassembly::Kind::kText;
    memory.reassembly.line = rule.line;
    SFS_ASSIGN_OR_RETURN(memory.reassembly.tokens,
                         parse_text(rule, rule.items, equals + 1, memory.pattern.size()));
    script_.memory_rules.push_back(std::move(memory));
  }
  if (script_.memory_rules.size() != kMemoryRuleCount) {
    return error(head, "MEMORY has " + std::to_string(script_.memory_rules.size()) +
                           " rules; ELIZA picks one of exactly " +
                           std::to_string(kMemoryRuleCount) + " with a 2-bit hash");
  }
  return Status::ok();
}

Status Parser::parse_none(const SexprNode& entry) {
  if (!script_.none_rules.empty()) return error(entry, "a second NONE entry");
  for (size_t i = 1; i < entry.items.size(); ++i) {
    const SexprNode& item = entry.items[i];
    if (item.is_atom()) {
      return error(item, "NONE holds rules only, e.g. (NONE ((0) (PLEASE GO ON)))");
    }
    SFS_ASSIGN_OR_RETURN(DecompositionRule rule, parse_rule(item, "NONE"));
    script_.none_rules.push_back(std::move(rule));
  }
  if (script_.none_rules.empty()) return error(entry, "NONE has no rules");
  return Status::ok();
}

Status Parser::check_links() const {
  for (const PendingLink& link : links_) {
    const Keyword* target = script_.find(link.target);
    if (target == nullptr) {
      return error(*link.node, "link to " + link.target + ", which is not a keyword of this script");
    }
    if (!target->has_rules()) {
      return error(*link.node, "link to " + link.target + ", which has no rules to apply");
    }
  }
  return Status::ok();
}

}  // namespace

core::Result<Script> parse_script(std::string_view text, std::string_view name) {
  Parser parser(name);
  return parser.parse(text);
}

core::Result<Script> load_script(const std::string& path) {
  SFS_ASSIGN_OR_RETURN(std::string text, core::read_file(path));
  return parse_script(text, path);
}

}  // namespace sfs::eliza
