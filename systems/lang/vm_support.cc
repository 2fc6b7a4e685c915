// The VM outside its loop: setup, calls that are not plain closure calls, the slow paths of the
// property instructions (lookups that fill the inline caches), upvalues, errors and tracing.
//
// Inline caches (chunk.h, PropertyCache). On a miss, the slow path resolves the name the long way
// and records the answer for the receiver's shape:
//
//   get    field of the shape?            kField  (shape, slot)
//          else method of the class?      kMethod (shape, closure)  -> a bound method is created
//   set    field of the shape?            kField  (shape, slot)
//          else                           kAddField (old shape, new shape, slot): the instance
//                                         moves to the child shape for the name
//   invoke field of the shape?            (not cached) call whatever the field holds
//          else method of the class?      kMethod (shape, closure)
//
// A shape belongs to one class and classes are immutable once their declaration has run (Lox has
// no way to add a method later), so (shape -> method) stays true for as long as the entry lives.
#include <algorithm>
#include <cstring>
#include <ctime>

#include "systems/lang/disassembler.h"
#include "systems/lang/vm.h"

namespace sfs::lang {

namespace {

bool clock_native(Vm&, int, const Value*, Value* result) {
  *result = Value::number(static_cast<double>(std::clock()) / CLOCKS_PER_SEC);
  return true;
}

// Frames shown at each end of a long stack trace.
constexpr int kTraceHead = 20;
constexpr int kTraceTail = 10;

}  // namespace

Vm::Vm(const Options& options)
    : options_(options), heap_(Heap::Options{options.stress_gc, options.max_heap_bytes}) {
  // String lengths are 32-bit.
  options_.max_string_length = std::min<size_t>(options_.max_string_length, 0xfffffff0u);
  // Neither array is touched before use, so untouched pages cost no memory.
  options_.max_frames = std::max(options_.max_frames, 1);
  options_.stack_slots = std::max<size_t>(options_.stack_slots, 1024);
  max_frames_ = options_.max_frames;
  stack_ = std::make_unique_for_overwrite<Value[]>(options_.stack_slots);
  stack_top_ = stack_.get();
  stack_limit_ = stack_.get() + options_.stack_slots;
  frames_ = std::make_unique_for_overwrite<CallFrame[]>(max_frames_);
  heap_.add_roots(this);
  init_string_ = heap_.intern("init");
  define_native("clock", clock_native, 0);
}

Vm::~Vm() {
  heap_.remove_roots(this);
}

void Vm::define_native(std::string_view name, NativeFn fn, int arity) {
  String* interned = heap_.intern(name);
  TempRoot keep(heap_, interned);
  Native* native = heap_.make<Native>(0, fn, arity, interned);
  globals_.value(globals_.slot_for(interned)) = Value::object(native);
}

void Vm::mark_roots(Heap& heap) {
  for (Value* slot = stack_.get(); slot < stack_top_; ++slot) heap.mark_value(*slot);
  for (int i = 0; i < frame_count_; ++i) heap.mark_object(frames_[i].closure);
  for (Upvalue* upvalue = open_upvalues_; upvalue != nullptr; upvalue = upvalue->next_open) {
    heap.mark_object(upvalue);
  }
  globals_.mark(heap);
  heap.mark_object(init_string_);
}

Outcome Vm::interpret(std::string_view source) {
  CompileResult result = compile(source, heap_, globals_);
  if (result.function == nullptr) {
    std::fwrite(result.errors.data(), 1, result.errors.size(), options_.err);
    std::fflush(options_.err);
    return Outcome::kCompileError;
  }
  return run_script(result.function);
}

Outcome Vm::run_script(Function* script) {
  reset_stack();
  Closure* closure;
  {
    TempRoot keep(heap_, script);
    closure = heap_.make<Closure>(0, script);
  }
  *stack_top_++ = Value::object(closure);
  frames_[0] = CallFrame{closure, script->chunk.code.data(), stack_top_ - 1};
  frame_count_ = 1;
  if (stack_.get() + script->max_stack > stack_limit_) {
    runtime_error("Stack overflow.");
    return Outcome::kRuntimeError;
  }
  steps_left_ = options_.max_steps;
  budget_ = steps_left_ >= 0 ? std::min(steps_left_, kCheckInterval) : kCheckInterval;
  interrupted_.store(false, std::memory_order_relaxed);
  heap_.clear_out_of_memory();
  Outcome outcome = run();
  std::fflush(options_.out);
  if (options_.gc_stats) {
    std::fprintf(options_.err,
                 "gc: %zu collections, %.3f s collecting, peak heap %.1f MiB, %.1f MiB allocated, "
                 "%.1f MiB live\n",
                 heap_.collections(), heap_.gc_seconds(), heap_.peak_bytes() / 1048576.0,
                 heap_.total_allocated() / 1048576.0, heap_.bytes_allocated() / 1048576.0);
  }
  return outcome;
}

void Vm::reset_stack() {
  stack_top_ = stack_.get();
  frame_count_ = 0;
  open_upvalues_ = nullptr;
}

bool Vm::runtime_error(std::string_view message) {
  std::fflush(options_.out);  // what the program printed so far comes before the error
  std::string text(message);
  text += '\n';
  for (int i = frame_count_ - 1; i >= 0; --i) {
    int depth = frame_count_ - 1 - i;
    if (depth == kTraceHead && frame_count_ > kTraceHead + kTraceTail) {
      int skipped = frame_count_ - kTraceHead - kTraceTail;
      text += "... " + std::to_string(skipped) + " more frames ...\n";
      i = kTraceTail;
      continue;
    }
    const CallFrame& frame = frames_[i];
    const Function* function = frame.closure->function;
    size_t offset = static_cast<size_t>(frame.ip - function->chunk.code.data());
    if (offset > 0) --offset;  // ip is past the instruction that was running
    text += "[line " + std::to_string(function->chunk.lines[offset]) + "] in ";
    if (function->name == nullptr) {
      text += "script\n";
    } else {
      text += std::string(function->name->view()) + "()\n";
    }
  }
  std::fwrite(text.data(), 1, text.size(), options_.err);
  std::fflush(options_.err);
  reset_stack();
  return false;
}

bool Vm::arity_error(int expected, int got) {
  return runtime_error("Expected " + std::to_string(expected) + " arguments but got " +
                       std::to_string(got) + ".");
}

bool Vm::check_budget() {
  if (interrupted_.exchange(false, std::memory_order_relaxed)) {
    return runtime_error("Interrupted.");
  }
  if (heap_.out_of_memory()) {
    heap_.clear_out_of_memory();
    return runtime_error("Out of memory.");
  }
  int64_t interval = kCheckInterval;
  if (steps_left_ >= 0) {
    // The budget that just ran out was min(steps_left_, kCheckInterval) long.
    steps_left_ -= std::min(steps_left_, kCheckInterval) - std::max<int64_t>(budget_, 0);
    if (steps_left_ <= 0) return runtime_error("Step limit exceeded.");
    interval = std::min(steps_left_, kCheckInterval);
  }
  budget_ = interval;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Calls

bool Vm::call_closure(Closure* closure, int argc) {
  Function* function = closure->function;
  if (argc != function->arity) return arity_error(function->arity, argc);
  Value* base = stack_top_ - argc - 1;
  if (frame_count_ == max_frames_ || base + function->max_stack > stack_limit_) {
    return runtime_error("Stack overflow.");
  }
  frames_[frame_count_++] = CallFrame{closure, function->chunk.code.data(), base};
  if (--budget_ <= 0) return check_budget();
  return true;
}

bool Vm::call_value(Value callee, int argc) {
  if (callee.is_object()) {
    switch (callee.as_object()->type) {
      case ObjType::kClosure:
        return call_closure(as_closure(callee), argc);
      case ObjType::kBoundMethod: {
        auto* bound = static_cast<BoundMethod*>(callee.as_object());
        stack_top_[-1 - argc] = bound->receiver;
        return call_closure(bound->method, argc);
      }
      case ObjType::kClass: {
        Class* klass = as_class(callee);
        // The class stays rooted in its stack slot until the instance replaces it.
        Instance* instance = heap_.new_instance(klass);
        stack_top_[-1 - argc] = Value::object(instance);
        if (!klass->initializer.is_nil()) return call_closure(as_closure(klass->initializer), argc);
        if (argc != 0) return arity_error(0, argc);
        return true;
      }
      case ObjType::kNative: {
        auto* native = static_cast<Native*>(callee.as_object());
        if (native->arity >= 0 && argc != native->arity) return arity_error(native->arity, argc);
        Value result;
        if (!native->fn(*this, argc, stack_top_ - argc, &result)) return false;
        stack_top_ -= argc + 1;
        *stack_top_++ = result;
        return true;
      }
      default:
        break;
    }
  }
  return runtime_error("Can only call functions and classes.");
}

// ---------------------------------------------------------------------------------------------
// Properties

Closure* Vm::find_method(Instance* instance, String* name, PropertyCache* cache, int* field_slot) {
  *field_slot = shape_find(instance->shape, name);
  if (*field_slot >= 0) return nullptr;
  Value* method = instance->klass->methods.find(name);
  if (method == nullptr) return nullptr;
  cache->key = instance->shape;
  cache->target = method->as_object();
  cache->kind = PropertyCache::kMethod;
  return as_closure(*method);
}

bool Vm::get_property_slow(Value receiver, String* name, PropertyCache* cache, bool push) {
  if (!is_instance(receiver)) return runtime_error("Only instances have properties.");
  Instance* instance = as_instance(receiver);
  if (cache->key == instance->shape && cache->kind == PropertyCache::kMethod) {
    // A cached method read as a value: bind it (receiver is rooted on the stack or in slot 0).
    auto* bound = heap_.make<BoundMethod>(0, receiver, static_cast<Closure*>(cache->target));
    if (push)
      *stack_top_++ = Value::object(bound);
    else
      stack_top_[-1] = Value::object(bound);
    return true;
  }
  int slot;
  Closure* method = find_method(instance, name, cache, &slot);
  if (slot >= 0) {
    cache->key = instance->shape;
    cache->target = nullptr;
    cache->index = static_cast<uint32_t>(slot);
    cache->kind = PropertyCache::kField;
    if (push)
      *stack_top_++ = instance->fields[slot];
    else
      stack_top_[-1] = instance->fields[slot];
    return true;
  }
  if (method == nullptr) {
    return runtime_error("Undefined property '" + std::string(name->view()) + "'.");
  }
  auto* bound = heap_.make<BoundMethod>(0, receiver, method);
  if (push)
    *stack_top_++ = Value::object(bound);
  else
    stack_top_[-1] = Value::object(bound);
  return true;
}

bool Vm::set_property_slow(Value receiver, String* name, PropertyCache* cache, Value value) {
  if (!is_instance(receiver)) return runtime_error("Only instances have fields.");
  Instance* instance = as_instance(receiver);
  Shape* shape = instance->shape;
  int slot = shape_find(shape, name);
  if (slot >= 0) {
    instance->fields[slot] = value;
    cache->key = shape;
    cache->target = nullptr;
    cache->index = static_cast<uint32_t>(slot);
    cache->kind = PropertyCache::kField;
    return true;
  }
  // Adding a field. The receiver and the value are on the stack (or in slot 0), so both survive
  // the allocations below.
  Shape* next = heap_.shape_with(shape, name);
  uint32_t index = shape->field_count;
  if (index >= instance->capacity) heap_.grow_fields(instance, index + 1);
  instance->fields[index] = value;
  instance->shape = next;
  Class* klass = instance->klass;
  if (index + 1 > klass->inline_slots_hint && index + 1 <= kMaxInlineSlots) {
    klass->inline_slots_hint = index + 1;
  }
  cache->key = shape;
  cache->target = next;
  cache->index = index;
  cache->kind = PropertyCache::kAddField;
  return true;
}

bool Vm::invoke_slow(String* name, PropertyCache* cache, int argc) {
  Value receiver = stack_top_[-1 - argc];
  if (!is_instance(receiver)) return runtime_error("Only instances have methods.");
  Instance* instance = as_instance(receiver);
  int slot;
  Closure* method = find_method(instance, name, cache, &slot);
  if (slot >= 0) {
    // A field holding something callable: call it like any value.
    Value field = instance->fields[slot];
    stack_top_[-1 - argc] = field;
    return call_value(field, argc);
  }
  if (method == nullptr) {
    return runtime_error("Undefined property '" + std::string(name->view()) + "'.");
  }
  return call_closure(method, argc);
}

bool Vm::bind_method(Class* klass, String* name, Value receiver) {
  Value* method = klass->methods.find(name);
  if (method == nullptr) {
    return runtime_error("Undefined property '" + std::string(name->view()) + "'.");
  }
  auto* bound = heap_.make<BoundMethod>(0, receiver, as_closure(*method));
  stack_top_[-1] = Value::object(bound);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Upvalues

Upvalue* Vm::capture_upvalue(Value* slot) {
  Upvalue* previous = nullptr;
  Upvalue* upvalue = open_upvalues_;
  while (upvalue != nullptr && upvalue->location > slot) {
    previous = upvalue;
    upvalue = upvalue->next_open;
  }
  if (upvalue != nullptr && upvalue->location == slot) return upvalue;
  Upvalue* created = heap_.make<Upvalue>(0, slot);
  created->next_open = upvalue;
  if (previous == nullptr) {
    open_upvalues_ = created;
  } else {
    previous->next_open = created;
  }
  return created;
}

void Vm::close_upvalues(Value* last) {
  while (open_upvalues_ != nullptr && open_upvalues_->location >= last) {
    Upvalue* upvalue = open_upvalues_;
    upvalue->closed = *upvalue->location;
    upvalue->location = &upvalue->closed;
    open_upvalues_ = upvalue->next_open;
  }
}

// ---------------------------------------------------------------------------------------------
// Output

void Vm::print_value(Value value) {
  if (is_string(value)) {
    String* string = as_string(value);
    std::fwrite(string->chars(), 1, string->length, options_.out);
  } else {
    print_buffer_.clear();
    append_value(&print_buffer_, value);
    std::fwrite(print_buffer_.data(), 1, print_buffer_.size(), options_.out);
  }
  std::fputc('\n', options_.out);
}

void Vm::trace_instruction(const CallFrame& frame, const uint8_t* ip, const Value* sp) {
  std::string line = "          ";
  for (const Value* slot = frame.slots; slot < sp; ++slot) {
    line += "[ ";
    append_value(&line, *slot);
    line += " ]";
  }
  line += '\n';
  const Function& function = *frame.closure->function;
  disassemble_instruction(function, static_cast<size_t>(ip - function.chunk.code.data()), &globals_,
                          &line);
  std::fwrite(line.data(), 1, line.size(), options_.err);
}

}  // namespace sfs::lang
