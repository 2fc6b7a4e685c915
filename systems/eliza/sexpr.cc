// The S-expression reader (see sexpr.h): an explicit stack of open lists instead of recursion, so
// the depth limit is a plain counter and hostile input cannot exhaust the C++ stack.
#include "systems/eliza/sexpr.h"

#include <utility>

namespace sfs::eliza {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

bool ends_atom(char c) { return is_space(c) || c == '(' || c == ')' || c == ';'; }

std::string where(std::string_view name, int line, int column) {
  return std::string(name) + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
}

}  // namespace

core::Result<std::vector<SexprNode>> read_sexprs(std::string_view text, std::string_view name) {
  std::vector<SexprNode> top;
  std::vector<SexprNode> open;  // lists begun and not yet closed, innermost last
  int line = 1;
  int column = 1;
  size_t i = 0;

  auto add = [&](SexprNode node) {
    if (open.empty()) {
      top.push_back(std::move(node));
    } else {
      open.back().items.push_back(std::move(node));
    }
  };

  while (i < text.size()) {
    char c = text[i];
    if (c == '\n') {
      ++line;
      column = 1;
      ++i;
      continue;
    }
    if (is_space(c)) {
      ++column;
      ++i;
      continue;
    }
    if (c == ';') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (c == '(') {
      if (static_cast<int>(open.size()) >= kMaxSexprDepth) {
        return core::Status::invalid_argument(where(name, line, column) + "lists nested deeper than " +
                                              std::to_string(kMaxSexprDepth) + " levels");
      }
      SexprNode list;
      list.is_list = true;
      list.line = line;
      list.column = column;
      open.push_back(std::move(list));
      ++column;
      ++i;
      continue;
    }
    if (c == ')') {
      if (open.empty()) {
        return core::Status::invalid_argument(where(name, line, column) +
                                              "unbalanced ')' (no list is open here)");
      }
      SexprNode done = std::move(open.back());
      open.pop_back();
      add(std::move(done));
      ++column;
      ++i;
      continue;
    }
    SexprNode atom;
    atom.line = line;
    atom.column = column;
    size_t start = i;
    while (i < text.size() && !ends_atom(text[i])) ++i;
    atom.atom = std::string(text.substr(start, i - start));
    column += static_cast<int>(i - start);
    add(std::move(atom));
  }
  if (!open.empty()) {
    const SexprNode& unclosed = open.back();
    return core::Status::invalid_argument(where(name, unclosed.line, unclosed.column) +
                                          "'(' opened here is never closed");
  }
  return top;
}

std::string sexpr_position(std::string_view name, const SexprNode& node) {
  return where(name, node.line, node.column);
}

namespace {

void write(const SexprNode& node, std::string* out, size_t max_length) {
  if (out->size() > max_length) return;
  if (node.is_atom()) {
    *out += node.atom;
    return;
  }
  *out += '(';
  for (size_t i = 0; i < node.items.size(); ++i) {
    if (i > 0) *out += ' ';
    write(node.items[i], out, max_length);
    if (out->size() > max_length) return;
  }
  *out += ')';
}

}  // namespace

std::string sexpr_to_string(const SexprNode& node, size_t max_length) {
  std::string out;
  write(node, &out, max_length);
  if (out.size() > max_length) {
    out.resize(max_length);
    out += "...";
  }
  return out;
}

}  // namespace sfs::eliza
