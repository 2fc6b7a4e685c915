// The interpreter loop: one handler per opcode, threaded with computed gotos (design in vm.h,
// instruction semantics in BYTECODE.md).
//
// Every handler follows the same pattern: the fast path (numbers for arithmetic, a hit in the
// inline cache for properties, a closure for calls) is inline here; anything rarer is a call to
// an out-of-line slow path in vm_support.cc, preceded by SAVE() (write ip and the stack top back
// to the Vm, since the slow path may allocate, and so run the collector, or report an error) and
// followed by LOAD() when it may have changed the frame.
#include <cstring>

#include "systems/lang/vm.h"

#if defined(__GNUC__)
#define SFS_LIKELY(x) __builtin_expect(!!(x), 1)
#define SFS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define SFS_LIKELY(x) (x)
#define SFS_UNLIKELY(x) (x)
#endif

namespace sfs::lang {

Outcome Vm::run() {
  CallFrame* frame = &frames_[frame_count_ - 1];
  const uint8_t* ip = frame->ip;
  Value* slots = frame->slots;
  Value* sp = stack_top_;
  Function* function = frame->closure->function;
  Value* const globals = globals_.values();
  // Operands of the shared call sequence (call_closure below).
  Closure* callee = nullptr;
  int argc = 0;

#define READ_BYTE() (*ip++)
#define READ_SHORT() (ip += 2, static_cast<uint16_t>((ip[-2] << 8) | ip[-1]))
#define CONSTANT(k) (function->chunk.constants.data()[k])
#define CACHE(k) (&function->chunk.caches.data()[k])
#define SAVE() (frame->ip = ip, stack_top_ = sp)
#define LOAD()                                                               \
  (frame = &frames_[frame_count_ - 1], ip = frame->ip, slots = frame->slots, \
   function = frame->closure->function, sp = stack_top_)
#define FAIL(message)              \
  do {                             \
    SAVE();                        \
    runtime_error(message);        \
    return Outcome::kRuntimeError; \
  } while (0)
#define SLOW(call)                              \
  do {                                          \
    SAVE();                                     \
    if (!(call)) return Outcome::kRuntimeError; \
    LOAD();                                     \
  } while (0)

  // The handlers are laid out by hand (labels, one-line cases), so the formatter stays out.
  // clang-format off
  // In Op order (chunk.h).
  static void* const kLabels[] = {
      &&op_constant,      &&op_nil,           &&op_true,          &&op_false,
      &&op_pop,           &&op_get_local,     &&op_set_local,     &&op_get_global,
      &&op_define_global, &&op_set_global,    &&op_get_upvalue,   &&op_set_upvalue,
      &&op_get_property,  &&op_set_property,  &&op_get_this_property,
      &&op_set_this_property,                 &&op_get_super,     &&op_equal,
      &&op_not_equal,     &&op_greater,       &&op_greater_equal, &&op_less,
      &&op_less_equal,    &&op_add,           &&op_subtract,      &&op_multiply,
      &&op_divide,        &&op_not,           &&op_negate,        &&op_print,
      &&op_jump,          &&op_jump_if_false, &&op_pop_jump_if_false,
      &&op_loop,          &&op_call,          &&op_invoke,        &&op_super_invoke,
      &&op_closure,       &&op_close_upvalue, &&op_return,        &&op_class,
      &&op_inherit,       &&op_method,        &&op_add_k,         &&op_subtract_k,
      &&op_multiply_k,    &&op_divide_k,      &&op_equal_k,       &&op_not_equal_k,
      &&op_greater_k,     &&op_greater_equal_k, &&op_less_k,      &&op_less_equal_k,
      &&op_set_local_pop, &&op_set_global_pop, &&op_set_upvalue_pop,
      &&op_set_property_pop, &&op_set_this_property_pop,
  };
  static_assert(sizeof(kLabels) / sizeof(kLabels[0]) == kOpCount, "one label per opcode");

  void* trace_labels[kOpCount];
  void* const* labels = kLabels;
  if (options_.trace) {
    for (auto& label : trace_labels) label = &&trace;
    labels = trace_labels;
  }

#define DISPATCH() goto* labels[*ip++]

  DISPATCH();

trace:
  --ip;
  SAVE();
  trace_instruction(*frame, ip, sp);
  goto* kLabels[*ip++];

op_constant:
  *sp++ = CONSTANT(READ_BYTE());
  DISPATCH();
op_nil:
  *sp++ = Value::nil();
  DISPATCH();
op_true:
  *sp++ = Value::boolean(true);
  DISPATCH();
op_false:
  *sp++ = Value::boolean(false);
  DISPATCH();
op_pop:
  --sp;
  DISPATCH();

op_get_local:
  *sp++ = slots[READ_BYTE()];
  DISPATCH();
op_set_local:
  slots[READ_BYTE()] = sp[-1];
  DISPATCH();
op_set_local_pop:
  slots[READ_BYTE()] = *--sp;
  DISPATCH();

op_get_global: {
  uint16_t slot = READ_SHORT();
  Value value = globals[slot];
  if (SFS_UNLIKELY(value.is_undefined())) {
    FAIL("Undefined variable '" + std::string(globals_.name(slot)->view()) + "'.");
  }
  *sp++ = value;
  DISPATCH();
}
op_define_global:
  globals[READ_SHORT()] = *--sp;
  DISPATCH();
op_set_global: {
  uint16_t slot = READ_SHORT();
  if (SFS_UNLIKELY(globals[slot].is_undefined())) {
    FAIL("Undefined variable '" + std::string(globals_.name(slot)->view()) + "'.");
  }
  globals[slot] = sp[-1];
  DISPATCH();
}
op_set_global_pop: {
  uint16_t slot = READ_SHORT();
  if (SFS_UNLIKELY(globals[slot].is_undefined())) {
    FAIL("Undefined variable '" + std::string(globals_.name(slot)->view()) + "'.");
  }
  globals[slot] = *--sp;
  DISPATCH();
}

op_get_upvalue:
  *sp++ = *frame->closure->upvalues()[READ_BYTE()]->location;
  DISPATCH();
op_set_upvalue:
  *frame->closure->upvalues()[READ_BYTE()]->location = sp[-1];
  DISPATCH();
op_set_upvalue_pop:
  *frame->closure->upvalues()[READ_BYTE()]->location = *--sp;
  DISPATCH();

op_get_property: {
  uint8_t k = READ_BYTE();
  Value receiver = sp[-1];
  PropertyCache* cache = CACHE(k);
  if (SFS_LIKELY(is_instance(receiver))) {
    Instance* instance = as_instance(receiver);
    if (SFS_LIKELY(cache->key == instance->shape && cache->kind == PropertyCache::kField)) {
      sp[-1] = instance->fields[cache->index];
      DISPATCH();
    }
  }
  SLOW(get_property_slow(receiver, as_string(CONSTANT(k)), cache, false));
  DISPATCH();
}
op_get_this_property: {
  uint8_t k = READ_BYTE();
  Value receiver = slots[0];
  PropertyCache* cache = CACHE(k);
  if (SFS_LIKELY(is_instance(receiver))) {
    Instance* instance = as_instance(receiver);
    if (SFS_LIKELY(cache->key == instance->shape && cache->kind == PropertyCache::kField)) {
      *sp++ = instance->fields[cache->index];
      DISPATCH();
    }
  }
  SLOW(get_property_slow(receiver, as_string(CONSTANT(k)), cache, true));
  DISPATCH();
}
// Stores `value` into field name k of `receiver` when the inline cache covers it, then runs
// `done` (which ends with DISPATCH); otherwise falls through to the slow path.
#define SET_FIELD_FAST(receiver, value, cache, done)                                    \
  if (SFS_LIKELY(is_instance(receiver))) {                                               \
    Instance* instance = as_instance(receiver);                                          \
    if (SFS_LIKELY(cache->key == instance->shape)) {                                     \
      if (cache->kind == PropertyCache::kField) {                                        \
        instance->fields[cache->index] = value;                                          \
        done;                                                                            \
      }                                                                                  \
      if (cache->kind == PropertyCache::kAddField && cache->index < instance->capacity) { \
        instance->fields[cache->index] = value;                                          \
        instance->shape = static_cast<Shape*>(cache->target);                           \
        done;                                                                            \
      }                                                                                  \
    }                                                                                    \
  }

op_set_property: {
  uint8_t k = READ_BYTE();
  Value receiver = sp[-2];
  Value value = sp[-1];
  PropertyCache* cache = CACHE(k);
  SET_FIELD_FAST(receiver, value, cache, sp[-2] = value; --sp; DISPATCH());
  SLOW(set_property_slow(receiver, as_string(CONSTANT(k)), cache, value));
  sp[-2] = sp[-1];  // the assignment's value is the instruction's result
  --sp;
  DISPATCH();
}
op_set_property_pop: {
  uint8_t k = READ_BYTE();
  Value receiver = sp[-2];
  Value value = sp[-1];
  PropertyCache* cache = CACHE(k);
  SET_FIELD_FAST(receiver, value, cache, sp -= 2; DISPATCH());
  SLOW(set_property_slow(receiver, as_string(CONSTANT(k)), cache, value));
  sp -= 2;
  DISPATCH();
}
op_set_this_property: {
  uint8_t k = READ_BYTE();
  Value receiver = slots[0];
  Value value = sp[-1];
  PropertyCache* cache = CACHE(k);
  SET_FIELD_FAST(receiver, value, cache, DISPATCH());
  SLOW(set_property_slow(receiver, as_string(CONSTANT(k)), cache, value));
  DISPATCH();
}
op_set_this_property_pop: {
  uint8_t k = READ_BYTE();
  Value receiver = slots[0];
  Value value = sp[-1];
  PropertyCache* cache = CACHE(k);
  SET_FIELD_FAST(receiver, value, cache, --sp; DISPATCH());
  SLOW(set_property_slow(receiver, as_string(CONSTANT(k)), cache, value));
  --sp;
  DISPATCH();
}
op_get_super: {
  uint8_t k = READ_BYTE();
  Class* superclass = as_class(*--sp);
  SLOW(bind_method(superclass, as_string(CONSTANT(k)), sp[-1]));
  DISPATCH();
}

op_equal:
  sp[-2] = Value::boolean(sp[-2] == sp[-1]);
  --sp;
  DISPATCH();
op_not_equal:
  sp[-2] = Value::boolean(!(sp[-2] == sp[-1]));
  --sp;
  DISPATCH();

#define NUMBER_OPERATION(expression)                                             \
  {                                                                              \
    Value b = sp[-1];                                                            \
    Value a = sp[-2];                                                            \
    if (SFS_UNLIKELY(!a.is_number() || !b.is_number())) {                        \
      FAIL("Operands must be numbers.");                                         \
    }                                                                            \
    double x = a.as_number();                                                    \
    double y = b.as_number();                                                    \
    sp[-2] = expression;                                                         \
    --sp;                                                                        \
    DISPATCH();                                                                  \
  }

op_greater:
  NUMBER_OPERATION(Value::boolean(x > y))
op_greater_equal:
  NUMBER_OPERATION(Value::boolean(x >= y))
op_less:
  NUMBER_OPERATION(Value::boolean(x < y))
op_less_equal:
  NUMBER_OPERATION(Value::boolean(x <= y))
op_subtract:
  NUMBER_OPERATION(Value::number(x - y))
op_multiply:
  NUMBER_OPERATION(Value::number(x * y))
op_divide:
  NUMBER_OPERATION(Value::number(x / y))

#define NUMBER_OPERATION_K(expression)                                           \
  {                                                                              \
    Value b = CONSTANT(READ_BYTE());                                             \
    Value a = sp[-1];                                                            \
    if (SFS_UNLIKELY(!a.is_number() || !b.is_number())) {                        \
      FAIL("Operands must be numbers.");                                         \
    }                                                                            \
    double x = a.as_number();                                                    \
    double y = b.as_number();                                                    \
    sp[-1] = expression;                                                         \
    DISPATCH();                                                                  \
  }

op_greater_k:
  NUMBER_OPERATION_K(Value::boolean(x > y))
op_greater_equal_k:
  NUMBER_OPERATION_K(Value::boolean(x >= y))
op_less_k:
  NUMBER_OPERATION_K(Value::boolean(x < y))
op_less_equal_k:
  NUMBER_OPERATION_K(Value::boolean(x <= y))
op_subtract_k:
  NUMBER_OPERATION_K(Value::number(x - y))
op_multiply_k:
  NUMBER_OPERATION_K(Value::number(x * y))
op_divide_k:
  NUMBER_OPERATION_K(Value::number(x / y))
op_equal_k:
  sp[-1] = Value::boolean(sp[-1] == CONSTANT(READ_BYTE()));
  DISPATCH();
op_not_equal_k:
  sp[-1] = Value::boolean(!(sp[-1] == CONSTANT(READ_BYTE())));
  DISPATCH();

op_add_k: {
  Value b = CONSTANT(READ_BYTE());
  Value a = sp[-1];
  if (SFS_LIKELY(a.is_number() && b.is_number())) {
    sp[-1] = Value::number(a.as_number() + b.as_number());
    DISPATCH();
  }
  if (is_string(a) && is_string(b)) {
    String* left = as_string(a);
    String* right = as_string(b);  // a constant: rooted by the function
    if (size_t{left->length} + right->length > options_.max_string_length) {
      FAIL("String too long.");
    }
    SAVE();
    sp[-1] = Value::object(heap_.concat(left, right));
    DISPATCH();
  }
  FAIL("Operands must be two numbers or two strings.");
}

op_add: {
  Value b = sp[-1];
  Value a = sp[-2];
  if (SFS_LIKELY(a.is_number() && b.is_number())) {
    sp[-2] = Value::number(a.as_number() + b.as_number());
    --sp;
    DISPATCH();
  }
  if (is_string(a) && is_string(b)) {
    String* left = as_string(a);
    String* right = as_string(b);
    if (size_t{left->length} + right->length > options_.max_string_length) {
      FAIL("String too long.");
    }
    SAVE();  // both operands stay on the stack (rooted) while the result is allocated
    sp[-2] = Value::object(heap_.concat(left, right));
    --sp;
    DISPATCH();
  }
  FAIL("Operands must be two numbers or two strings.");
}

op_not:
  sp[-1] = Value::boolean(sp[-1].is_falsey());
  DISPATCH();
op_negate:
  if (SFS_UNLIKELY(!sp[-1].is_number())) FAIL("Operand must be a number.");
  sp[-1] = Value::number(-sp[-1].as_number());
  DISPATCH();

op_print:
  print_value(*--sp);
  DISPATCH();

op_jump: {
  uint16_t offset = READ_SHORT();
  ip += offset;
  DISPATCH();
}
op_jump_if_false: {
  uint16_t offset = READ_SHORT();
  if (sp[-1].is_falsey()) ip += offset;
  DISPATCH();
}
op_pop_jump_if_false: {
  uint16_t offset = READ_SHORT();
  if ((--sp)->is_falsey()) ip += offset;
  DISPATCH();
}
op_loop: {
  uint16_t offset = READ_SHORT();
  ip -= offset;
  if (SFS_UNLIKELY(--budget_ <= 0)) {
    SAVE();
    if (!check_budget()) return Outcome::kRuntimeError;
  }
  DISPATCH();
}

op_call: {
  argc = READ_BYTE();
  Value target = sp[-1 - argc];
  if (SFS_LIKELY(is_closure(target))) {
    callee = as_closure(target);
    goto call_closure;
  }
  SLOW(call_value(target, argc));
  DISPATCH();
}
op_invoke: {
  uint8_t k = READ_BYTE();
  argc = READ_BYTE();
  Value receiver = sp[-1 - argc];
  PropertyCache* cache = CACHE(k);
  if (SFS_LIKELY(is_instance(receiver))) {
    if (SFS_LIKELY(cache->key == as_instance(receiver)->shape &&
                   cache->kind == PropertyCache::kMethod)) {
      callee = static_cast<Closure*>(cache->target);
      goto call_closure;
    }
  }
  SLOW(invoke_slow(as_string(CONSTANT(k)), cache, argc));
  DISPATCH();
}
op_super_invoke: {
  uint8_t k = READ_BYTE();
  argc = READ_BYTE();
  Class* superclass = as_class(*--sp);
  PropertyCache* cache = CACHE(k);
  if (SFS_UNLIKELY(cache->key != superclass)) {
    String* name = as_string(CONSTANT(k));
    Value* method = superclass->methods.find(name);
    if (method == nullptr) FAIL("Undefined property '" + std::string(name->view()) + "'.");
    cache->key = superclass;
    cache->target = method->as_object();
    cache->kind = PropertyCache::kMethod;
  }
  callee = static_cast<Closure*>(cache->target);
  goto call_closure;
}

call_closure: {
  // callee: the closure; argc: its arguments, on top of the stack above the callee's slot.
  Function* target = callee->function;
  if (SFS_UNLIKELY(argc != target->arity)) {
    SAVE();
    arity_error(target->arity, argc);
    return Outcome::kRuntimeError;
  }
  Value* base = sp - argc - 1;
  if (SFS_UNLIKELY(frame_count_ == max_frames_ || base + target->max_stack > stack_limit_)) {
    FAIL("Stack overflow.");
  }
  frame->ip = ip;
  frame = &frames_[frame_count_++];
  frame->closure = callee;
  frame->slots = base;
  slots = base;
  function = target;
  ip = target->chunk.code.data();
  if (SFS_UNLIKELY(--budget_ <= 0)) {
    SAVE();
    if (!check_budget()) return Outcome::kRuntimeError;
  }
  DISPATCH();
}

op_closure: {
  Function* target = as_function(CONSTANT(READ_BYTE()));
  SAVE();
  Closure* closure = heap_.make<Closure>(target->upvalue_count * sizeof(Upvalue*), target);
  *sp++ = Value::object(closure);
  for (int i = 0; i < target->upvalue_count; ++i) {
    uint8_t is_local = READ_BYTE();
    uint8_t index = READ_BYTE();
    if (is_local) {
      stack_top_ = sp;  // the new closure is rooted while the upvalue is allocated
      closure->upvalues()[i] = capture_upvalue(slots + index);
    } else {
      closure->upvalues()[i] = frame->closure->upvalues()[index];
    }
  }
  DISPATCH();
}
op_close_upvalue:
  close_upvalues(sp - 1);
  --sp;
  DISPATCH();

op_return: {
  Value result = *--sp;
  if (open_upvalues_ != nullptr) close_upvalues(slots);
  --frame_count_;
  if (frame_count_ == 0) {
    stack_top_ = slots;
    return Outcome::kOk;
  }
  sp = slots;
  *sp++ = result;
  frame = &frames_[frame_count_ - 1];
  ip = frame->ip;
  slots = frame->slots;
  function = frame->closure->function;
  DISPATCH();
}

op_class: {
  String* name = as_string(CONSTANT(READ_BYTE()));
  SAVE();
  *sp++ = Value::object(heap_.make<Class>(0, name));
  DISPATCH();
}
op_inherit: {
  Value superclass = sp[-2];
  if (!is_class(superclass)) FAIL("Superclass must be a class.");
  Class* subclass = as_class(sp[-1]);
  subclass->methods.add_all(as_class(superclass)->methods);
  subclass->initializer = as_class(superclass)->initializer;
  --sp;
  DISPATCH();
}
op_method: {
  String* name = as_string(CONSTANT(READ_BYTE()));
  Class* klass = as_class(sp[-2]);
  klass->methods.set(name, sp[-1]);
  if (name == init_string_) klass->initializer = sp[-1];
  --sp;
  DISPATCH();
}

// clang-format on
#undef READ_BYTE
#undef READ_SHORT
#undef CONSTANT
#undef CACHE
#undef SAVE
#undef LOAD
#undef FAIL
#undef SLOW
#undef DISPATCH
#undef NUMBER_OPERATION
#undef NUMBER_OPERATION_K
#undef SET_FIELD_FAST
}

}  // namespace sfs::lang
