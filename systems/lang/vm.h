// Vm: the Lox virtual machine — value stack, call frames, globals, and the interpreter loop.
//
//   stack_ (fixed size)                                   frames_ (fixed size)
//   ┌────────┬──────┬──────┬───────┬──────┬─────┬──     ┌──────────────────────────────┐
//   │ script │ loc  │ tmp  │ callee│ arg0 │ loc │ ...   │ script: closure, ip, slots ──┼─> [0]
//   └────────┴──────┴──────┴───────┴──────┴─────┴──     │ f:      closure, ip, slots ──┼─> [3]
//   ^ frames_[0].slots     ^ frames_[1].slots   ^ stack_top_   └──────────────────────────────┘
//
// A call does not copy arguments: the caller pushes the callee and its arguments, and that
// window becomes slot 0.. of the callee's frame. A return drops the window and leaves the result
// where the callee was. The stack never moves (so upvalues may point into it); the compiler
// computes the deepest stack each function can use, and a call that would not fit, or nest
// deeper than Options::max_frames, is the runtime error "Stack overflow." The Lox call depth
// never uses the C++ stack.
//
// Upvalues: a closure reaches the variables of enclosing functions through Upvalue objects. While
// the variable's frame is live, the upvalue points at its stack slot ("open"), and the VM keeps
// open upvalues in a list sorted by slot so two closures capturing one variable share one
// upvalue. When the frame returns (or the block ends), the value moves into the upvalue itself
// ("closed"). This is the scheme of Lua 5 (Ierusalimschy et al., "The Implementation of Lua 5.0").
//
// Dispatch (vm.cc): one function, one computed goto per instruction ("direct threading" of the
// opcode bytes through a table of label addresses, a GCC/Clang extension). Each handler ends with
// its own indirect jump, which gives the branch predictor one history per opcode instead of the
// single shared jump of a switch. The instruction pointer, stack top and frame base live in
// locals (registers), written back to the Vm only before something that can look at them:
// allocation (the GC scans the stack), calls into C++, and errors.
//
// The trace flag swaps the table for one whose every entry prints the instruction and the stack
// first, so tracing costs nothing when it is off.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "systems/lang/compiler.h"
#include "systems/lang/heap.h"
#include "systems/lang/lang.h"
#include "systems/lang/object.h"

namespace sfs::lang {

struct CallFrame {
  Closure* closure;
  const uint8_t* ip;  // saved when another frame runs or on error; the loop keeps it in a register
  Value* slots;       // slot 0 of this call (the callee or `this`)
};

class Vm final : public GcRoots {
 public:
  // Loop iterations and calls between two checks of the interrupt / out-of-memory flags.
  static constexpr int64_t kCheckInterval = 1 << 16;
  // Fields beyond this many live in a separate array rather than inside the instance.
  static constexpr uint32_t kMaxInlineSlots = 64;

  explicit Vm(const Options& options);
  ~Vm();
  Vm(const Vm&) = delete;
  Vm& operator=(const Vm&) = delete;

  // Compiles and runs `source` as a script; globals persist from one call to the next (REPL).
  Outcome interpret(std::string_view source);
  // Runs a compiled top-level function (from compile()).
  Outcome run_script(Function* script);

  // Reports a runtime error with a stack trace (to the error stream) and unwinds the stack.
  // Returns false so that callers can `return vm.runtime_error(...)`.
  bool runtime_error(std::string_view message);

  // Makes the running program stop with the runtime error "Interrupted." (async-signal-safe).
  void interrupt() { interrupted_.store(true, std::memory_order_relaxed); }

  Heap& heap() { return heap_; }
  Globals& globals() { return globals_; }
  const Options& options() const { return options_; }

  void mark_roots(Heap& heap) override;

 private:
  Outcome run();
  void define_native(std::string_view name, NativeFn fn, int arity);

  // Calls `callee` with the `argc` values on top of the stack (stack_top_ is current). Pushes a
  // frame for closures; runs natives and class instantiation at once. False after an error.
  bool call_value(Value callee, int argc);
  bool call_closure(Closure* closure, int argc);
  bool arity_error(int expected, int got);
  // Slow paths of the property instructions: look the name up, fill the inline cache, and leave
  // the result on the stack (stack_top_ is current). False after an error.
  bool get_property_slow(Value receiver, String* name, PropertyCache* cache, bool push);
  bool set_property_slow(Value receiver, String* name, PropertyCache* cache, Value value);
  Closure* find_method(Instance* instance, String* name, PropertyCache* cache, int* field_slot);
  bool invoke_slow(String* name, PropertyCache* cache, int argc);
  bool bind_method(Class* klass, String* name, Value receiver);
  // Checks the flags that the budget counter polls; false after reporting an error.
  bool check_budget();

  Upvalue* capture_upvalue(Value* slot);
  void close_upvalues(Value* last);
  void reset_stack();
  void print_value(Value value);
  void trace_instruction(const CallFrame& frame, const uint8_t* ip, const Value* sp);

  Options options_;
  Heap heap_;
  Globals globals_;
  std::unique_ptr<Value[]> stack_;
  Value* stack_top_;
  Value* stack_limit_;
  std::unique_ptr<CallFrame[]> frames_;
  int frame_count_ = 0;
  int max_frames_;
  Upvalue* open_upvalues_ = nullptr;
  String* init_string_ = nullptr;
  int64_t budget_ = kCheckInterval;
  int64_t steps_left_ = -1;  // -1: unlimited
  std::atomic<bool> interrupted_{false};
  std::string print_buffer_;
};

}  // namespace sfs::lang
