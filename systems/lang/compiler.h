// The Lox compiler: source text in, bytecode out, in a single pass.
//
// There is no syntax tree. A Pratt parser (Vaughan Pratt, "Top Down Operator Precedence", 1973)
// reads tokens and emits each instruction as soon as it knows it: every token type has a prefix
// rule, an infix rule and a precedence (compiler.cc, kRules), and parse_precedence(p) parses
// everything that binds at least as tightly as p. Statements and declarations are plain recursive
// descent. Variables are resolved while parsing: a name is a local (a stack slot), an upvalue (a
// variable of an enclosing function, captured by the closure) or a global (a slot in the VM's
// global array, numbered here by name so that the VM never hashes a global's name at run time).
//
// Errors: the first error of a statement is reported as "[line N] Error at 'tok': message" and
// the parser enters panic mode, skipping tokens until a statement boundary, so one mistake gives
// one message and the rest of the file is still checked (the recovery Crafting Interpreters
// describes, which the reference test suite expects). Limits are those of the reference
// implementation: 256 constants, 256 locals and 256 upvalues per function, 255 parameters and
// arguments, 16-bit jumps; plus one of our own, kMaxNesting, so that deeply nested input is a
// compile error instead of a C++ stack overflow.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "systems/lang/heap.h"
#include "systems/lang/object.h"
#include "systems/lang/table.h"

namespace sfs::lang {

// The directory of global variables: each name the program mentions at top level gets a slot
// number when it is first compiled; the VM keeps the values in a plain array indexed by it.
class Globals {
 public:
  static constexpr int kMaxGlobals = 65536;

  // The slot of `name`, creating it (its value undefined) if needed; -1 when the table is full.
  int slot_for(String* name);
  String* name(int slot) const { return names_[slot]; }
  Value& value(int slot) { return values_[slot]; }
  Value* values() { return values_.data(); }
  int size() const { return static_cast<int>(names_.size()); }
  void mark(Heap& heap);

 private:
  Table slots_;  // name -> slot number
  std::vector<String*> names_;
  std::vector<Value> values_;
};

struct CompileResult {
  Function* function = nullptr;  // the top-level script; null when there were errors
  std::string errors;            // one "[line N] Error ..." line per error
  bool incomplete = false;       // the first error was at the end of the input (REPL: read more)
};

// Compiles a whole program. Objects are allocated in `heap`; global names go into `globals`.
CompileResult compile(std::string_view source, Heap& heap, Globals& globals);

// Deepest nesting of blocks, statements and expressions the compiler accepts.
constexpr int kMaxNesting = 512;

}  // namespace sfs::lang
