// Chunk: the bytecode of one function — its instructions, their source lines, its constants and
// the inline caches of its property instructions. The format of every instruction is documented
// in BYTECODE.md next to this file; kOpInfo (chunk.cc) is the machine-readable form of that table,
// used by the compiler (stack effects), the disassembler and the tests.
#pragma once

#include <cstdint>
#include <vector>

#include "systems/lang/value.h"

namespace sfs::lang {

// One byte per opcode. Operands follow the opcode; 16-bit operands are big-endian.
// clang-format off
enum class Op : uint8_t {
  kConstant,       // k8           push constants[k]
  kNil,            //              push nil
  kTrue,           //              push true
  kFalse,          //              push false
  kPop,            //              pop
  kGetLocal,       // s8           push slots[s]
  kSetLocal,       // s8           slots[s] = top (not popped)
  kGetGlobal,      // g16          push globals[g] (error if undefined)
  kDefineGlobal,   // g16          globals[g] = pop
  kSetGlobal,      // g16          globals[g] = top (error if undefined)
  kGetUpvalue,     // u8           push *upvalues[u]
  kSetUpvalue,     // u8           *upvalues[u] = top
  kGetProperty,    // k8           top = top.name (field, else bound method); cache k
  kSetProperty,    // k8           [inst value] -> [value], inst.name = value; cache k
  kGetThisProperty,// k8           push slots[0].name (this.name in a method); cache k
  kSetThisProperty,// k8           slots[0].name = top (not popped); cache k
  kGetSuper,       // k8           [this super] -> [bound super method]
  kEqual,          //              [a b] -> [a == b]
  kNotEqual,       //              [a b] -> [a != b]
  kGreater,        //              [a b] -> [a > b]
  kGreaterEqual,   //              [a b] -> [a >= b]
  kLess,           //              [a b] -> [a < b]
  kLessEqual,      //              [a b] -> [a <= b]
  kAdd,            //              [a b] -> [a + b] (numbers or strings)
  kSubtract,       //              [a b] -> [a - b]
  kMultiply,       //              [a b] -> [a * b]
  kDivide,         //              [a b] -> [a / b]
  kNot,            //              top = !top
  kNegate,         //              top = -top
  kPrint,          //              print pop
  kJump,           // o16          ip += o
  kJumpIfFalse,    // o16          if top is falsey: ip += o (top stays)
  kPopJumpIfFalse, // o16          if pop is falsey: ip += o
  kLoop,           // o16          ip -= o
  kCall,           // a8           call the value below the a arguments
  kInvoke,         // k8 a8        call method name k of the receiver below the a arguments
  kSuperInvoke,    // k8 a8        [this args... super] call super's method k
  kClosure,        // k8 (l8 i8)*  push a closure of function constants[k]; one pair per upvalue
  kCloseUpvalue,   //              move the top slot into its upvalue, pop
  kReturn,         //              return pop to the caller
  kClass,          // k8           push a new class named constants[k]
  kInherit,        //              [super sub] -> [super]: copy super's methods into sub
  kMethod,         // k8           [class closure] -> [class]: class.methods[k] = closure
  // Superinstructions (compiler peepholes): one dispatch where the plain form needs two.
  kAddK,           // k8           top = top + constants[k]     (CONSTANT k; ADD)
  kSubtractK,      // k8           top = top - constants[k]
  kMultiplyK,      // k8           top = top * constants[k]
  kDivideK,        // k8           top = top / constants[k]
  kEqualK,         // k8           top = top == constants[k]
  kNotEqualK,      // k8           top = top != constants[k]
  kGreaterK,       // k8           top = top > constants[k]
  kGreaterEqualK,  // k8           top = top >= constants[k]
  kLessK,          // k8           top = top < constants[k]
  kLessEqualK,     // k8           top = top <= constants[k]
  kSetLocalPop,    // s8           slots[s] = pop               (SET_LOCAL s; POP)
  kSetGlobalPop,   // g16          globals[g] = pop (error if undefined)
  kSetUpvaluePop,  // u8           *upvalues[u] = pop
  kSetPropertyPop, // k8           [inst value] -> [], inst.name = value; cache k
  kSetThisPropertyPop, // k8       slots[0].name = pop; cache k
  kCount,
};
// clang-format on

constexpr int kOpCount = static_cast<int>(Op::kCount);

// How an instruction's operand bytes are laid out.
enum class OperandFormat : uint8_t {
  kNone,      // no operands
  kByte,      // one byte: a slot, an upvalue index or an argument count
  kConstant,  // one byte: a constant index
  kGlobal,    // two bytes: a global slot
  kJump,      // two bytes: a forward offset
  kLoop,      // two bytes: a backward offset
  kInvoke,    // a constant index and an argument count
  kClosure,   // a constant index, then two bytes per upvalue of that function
};

struct OpInfo {
  const char* name;  // "GET_LOCAL"
  OperandFormat format;
  int8_t stack_effect;  // net pushes; kCall/kInvoke/kSuperInvoke also pop their arguments
};

const OpInfo& op_info(Op op);
// Bytes of operands after the opcode (kClosure: only the constant; the pairs depend on it).
int operand_bytes(OperandFormat format);

// What a property instruction learned about the last receiver it saw (a monomorphic inline
// cache). `key` is the receiver's Shape (or, for kSuperInvoke, the superclass); what the entry
// means depends on `kind`. Entries hold strong references: the GC marks key and target, so a
// cached shape can never be freed and its address reused by another shape.
struct PropertyCache {
  enum Kind : uint8_t {
    kEmpty,
    kField,     // the name is field number `index` of instances of shape `key`
    kMethod,    // the name is method `target` (a Closure) of the class of `key`
    kAddField,  // set: appending the field turns shape `key` into shape `target` at `index`
  };
  struct Obj* key = nullptr;
  struct Obj* target = nullptr;
  uint32_t index = 0;
  Kind kind = kEmpty;
};

struct Chunk {
  std::vector<uint8_t> code;
  std::vector<int> lines;        // source line of each byte of code
  std::vector<Value> constants;  // at most 256
  // caches[k] belongs to the one instruction whose name operand is constant k: the compiler
  // gives every property access its own name constant, so no two sites share an entry. Sized to
  // constants.size() when the function is finished (empty when it has no property access).
  std::vector<PropertyCache> caches;

  void write(uint8_t byte, int line) {
    code.push_back(byte);
    lines.push_back(line);
  }
};

}  // namespace sfs::lang
