// The instruction table: name, operand layout and stack effect of every opcode (BYTECODE.md is
// the prose version of the same table).
#include "systems/lang/chunk.h"

namespace sfs::lang {

namespace {

using F = OperandFormat;

// clang-format off
constexpr OpInfo kOpInfo[] = {
    {"CONSTANT", F::kConstant, +1},
    {"NIL", F::kNone, +1},
    {"TRUE", F::kNone, +1},
    {"FALSE", F::kNone, +1},
    {"POP", F::kNone, -1},
    {"GET_LOCAL", F::kByte, +1},
    {"SET_LOCAL", F::kByte, 0},
    {"GET_GLOBAL", F::kGlobal, +1},
    {"DEFINE_GLOBAL", F::kGlobal, -1},
    {"SET_GLOBAL", F::kGlobal, 0},
    {"GET_UPVALUE", F::kByte, +1},
    {"SET_UPVALUE", F::kByte, 0},
    {"GET_PROPERTY", F::kConstant, 0},
    {"SET_PROPERTY", F::kConstant, -1},
    {"GET_THIS_PROPERTY", F::kConstant, +1},
    {"SET_THIS_PROPERTY", F::kConstant, 0},
    {"GET_SUPER", F::kConstant, -1},
    {"EQUAL", F::kNone, -1},
    {"NOT_EQUAL", F::kNone, -1},
    {"GREATER", F::kNone, -1},
    {"GREATER_EQUAL", F::kNone, -1},
    {"LESS", F::kNone, -1},
    {"LESS_EQUAL", F::kNone, -1},
    {"ADD", F::kNone, -1},
    {"SUBTRACT", F::kNone, -1},
    {"MULTIPLY", F::kNone, -1},
    {"DIVIDE", F::kNone, -1},
    {"NOT", F::kNone, 0},
    {"NEGATE", F::kNone, 0},
    {"PRINT", F::kNone, -1},
    {"JUMP", F::kJump, 0},
    {"JUMP_IF_FALSE", F::kJump, 0},
    {"POP_JUMP_IF_FALSE", F::kJump, -1},
    {"LOOP", F::kLoop, 0},
    {"CALL", F::kByte, 0},            // and -argc
    {"INVOKE", F::kInvoke, 0},        // and -argc
    {"SUPER_INVOKE", F::kInvoke, -1}, // and -argc
    {"CLOSURE", F::kClosure, +1},
    {"CLOSE_UPVALUE", F::kNone, -1},
    {"RETURN", F::kNone, -1},
    {"CLASS", F::kConstant, +1},
    {"INHERIT", F::kNone, -1},
    {"METHOD", F::kConstant, -1},
    {"ADD_K", F::kConstant, 0},
    {"SUBTRACT_K", F::kConstant, 0},
    {"MULTIPLY_K", F::kConstant, 0},
    {"DIVIDE_K", F::kConstant, 0},
    {"EQUAL_K", F::kConstant, 0},
    {"NOT_EQUAL_K", F::kConstant, 0},
    {"GREATER_K", F::kConstant, 0},
    {"GREATER_EQUAL_K", F::kConstant, 0},
    {"LESS_K", F::kConstant, 0},
    {"LESS_EQUAL_K", F::kConstant, 0},
    {"SET_LOCAL_POP", F::kByte, -1},
    {"SET_GLOBAL_POP", F::kGlobal, -1},
    {"SET_UPVALUE_POP", F::kByte, -1},
    {"SET_PROPERTY_POP", F::kConstant, -2},
    {"SET_THIS_PROPERTY_POP", F::kConstant, -1},
};
// clang-format on

static_assert(sizeof(kOpInfo) / sizeof(kOpInfo[0]) == kOpCount, "one OpInfo per opcode");

}  // namespace

const OpInfo& op_info(Op op) {
  return kOpInfo[static_cast<int>(op)];
}

int operand_bytes(OperandFormat format) {
  switch (format) {
    case F::kNone:
      return 0;
    case F::kByte:
      return 1;
    case F::kConstant:
      return 1;
    case F::kGlobal:
      return 2;
    case F::kJump:
      return 2;
    case F::kLoop:
      return 2;
    case F::kInvoke:
      return 2;
    case F::kClosure:
      return 1;
  }
  return 0;
}

}  // namespace sfs::lang
