// The bytecode disassembler: `sfs lang disasm FILE.lox` and the --trace flag print through it.
//
//   == <fn fib> ==
//   0000    2 GET_LOCAL            1
//   0002    | CONSTANT             0 '2'
//   0004    | LESS
//   0005    | POP_JUMP_IF_FALSE    5 -> 13
//
// Columns: byte offset, source line ("|" when it is the line of the previous instruction), the
// opcode, and its operands decoded (constants and global names shown by value, jump targets as
// absolute offsets).
#pragma once

#include <cstddef>
#include <string>

#include "systems/lang/compiler.h"
#include "systems/lang/object.h"

namespace sfs::lang {

// Appends the listing line of the instruction at `offset`; returns the offset of the next one.
// `globals` (may be null) names global slots.
size_t disassemble_instruction(const Function& function, size_t offset, const Globals* globals,
                               std::string* out);

// Appends the listing of `function` and then, recursively, of every function in its constants.
void disassemble_function(const Function& function, const Globals* globals, std::string* out);

}  // namespace sfs::lang
