// Value: every Lox value in one 64-bit word (NaN-boxing).
//
// A Lox value is a number (an IEEE-754 double), nil, a boolean, or a pointer to a heap object.
// Instead of a tagged union (16 bytes: a tag plus a payload), the VM packs all of them into the
// 64 bits of a double. The trick is that IEEE-754 leaves a huge space of bit patterns unused: any
// pattern whose exponent bits are all ones and whose mantissa is non-zero is a NaN, and the
// hardware only ever produces one of them (the "quiet NaN" 0x7ff8... or 0xfff8...). Everything in
// the quiet-NaN space with one more bit set (bit 50) is free for us:
//
//    63  62........52  51  50  49 .............................................. 0
//   ┌───┬────────────┬───┬───┬──────────────────────────────────────────────────┐
//   │ s │ 11111111111│ 1 │ 1 │ payload                                          │
//   └───┴────────────┴───┴───┴──────────────────────────────────────────────────┘
//     s = 0: a singleton; payload 2 false, 3 nil, 4 true, 5 "undefined" (an unset global)
//     s = 1: an object; payload = the Obj* (user-space pointers fit in 48 bits)
//   anything without all of bits 62..50 set is a plain double.
//
// Why: values are copied on every instruction (stack pushes, locals, fields), so halving their
// size halves the memory traffic of the interpreter, and "is this a number?" becomes one AND and
// one compare. Rejected alternative: a tagged union, simpler to debug but twice the size; and
// pointer tagging with small integers, which Lox does not have (all numbers are doubles).
//
// nil and false differ only in bit 0, so "is falsey" is ((bits | 1) == nil) — one OR, one compare.
// "undefined" never reaches Lox code: it marks a global slot that was declared by the compiler but
// not yet defined at run time.
#pragma once

#include <bit>
#include <cstdint>
#include <string>

namespace sfs::lang {

struct Obj;

class Value {
 public:
  static constexpr uint64_t kSignBit = 0x8000000000000000ull;
  static constexpr uint64_t kQnan = 0x7ffc000000000000ull;
  static constexpr uint64_t kFalseBits = kQnan | 2;
  static constexpr uint64_t kNilBits = kQnan | 3;
  static constexpr uint64_t kTrueBits = kQnan | 4;
  static constexpr uint64_t kUndefinedBits = kQnan | 5;
  static constexpr uint64_t kObjTag = kSignBit | kQnan;

  // Uninitialized on purpose (the VM stack is allocated without touching its pages).
  Value() = default;

  static constexpr Value from_bits(uint64_t bits) {
    Value v;
    v.bits_ = bits;
    return v;
  }
  static Value number(double d) { return from_bits(std::bit_cast<uint64_t>(d)); }
  static constexpr Value nil() { return from_bits(kNilBits); }
  static constexpr Value boolean(bool b) { return from_bits(kFalseBits + 2 * uint64_t{b}); }
  static constexpr Value undefined() { return from_bits(kUndefinedBits); }
  static Value object(const Obj* obj) {
    return from_bits(kObjTag | reinterpret_cast<uintptr_t>(obj));
  }

  uint64_t bits() const { return bits_; }
  bool is_number() const { return (bits_ & kQnan) != kQnan; }
  bool is_nil() const { return bits_ == kNilBits; }
  bool is_bool() const { return bits_ == kTrueBits || bits_ == kFalseBits; }
  bool is_undefined() const { return bits_ == kUndefinedBits; }
  bool is_object() const { return (bits_ & kObjTag) == kObjTag; }
  bool is_falsey() const { return (bits_ | 1) == kNilBits; }

  double as_number() const { return std::bit_cast<double>(bits_); }
  bool as_bool() const { return bits_ == kTrueBits; }
  Obj* as_object() const {
    return reinterpret_cast<Obj*>(static_cast<uintptr_t>(bits_ & ~kObjTag));
  }

  // Lox equality: numbers by IEEE comparison (NaN != NaN), everything else by identity. Strings
  // are interned, so equal strings are the same object.
  friend bool operator==(Value a, Value b) {
    if (a.is_number() && b.is_number()) return a.as_number() == b.as_number();
    return a.bits_ == b.bits_;
  }

 private:
  uint64_t bits_;
};

static_assert(sizeof(Value) == 8);

// Appends the text `print` shows for a number: the shortest decimal that reads back as the same
// double, integers without a fraction ("3", "-0", "0.1", "1e+21", "nan", "inf").
void append_number(std::string* out, double number);

// Appends the text `print` shows for any value.
void append_value(std::string* out, Value value);
std::string value_to_string(Value value);

// "number", "string", "nil", ... — for messages and the disassembler.
const char* value_type_name(Value value);

}  // namespace sfs::lang
