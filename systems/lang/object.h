// The heap objects of the Lox VM and their memory layout.
//
// Every object starts with the same 16-byte header (Obj): its type, the GC mark bit, and the link
// that threads all objects into one list for the sweep phase. The concrete types derive from Obj
// and are allocated by Heap (heap.h), which owns them all; nothing else frees an object.
//
//   String       header | length | hash | chars... '\0'         (chars stored inline)
//   Function     header | arity | upvalue count | max stack | name | Chunk
//   Closure      header | function | n | Upvalue* [n]           (upvalue array inline)
//   Upvalue      header | location | closed | next open upvalue
//   Native       header | fn | arity | name
//   Class        header | name | methods | root shape | init | inline-slot hint
//   Instance     header | class | shape | fields* | capacity | Value [k]   (k inline slots)
//   BoundMethod  header | receiver | method
//   Shape        header | parent | key | field count | class | transitions | index
//
// Variable-sized objects keep their tail inline (one allocation, one cache line fewer to touch).
//
// Instances and shapes. An instance does not carry its own name->value hash table. Its fields
// live in a plain array, and the mapping from field names to array slots is held by its Shape
// ("hidden class", as in V8 and SpiderMonkey; Self called them maps). Shapes form a tree per
// class: the root has no fields, and the child of shape S for name n is "S plus field n in the
// next slot". Two instances that received the same fields in the same order share one shape, so a
// property instruction can remember (inline cache, chunk.h) "for shape S, field x is slot 3" and
// later find the field with one pointer compare instead of a hash lookup. Shapes belong to one
// class, so a shape also identifies the class, and therefore its methods. Rejected alternative:
// a hash table per instance (clox's design), which costs a hash probe on every field access and
// far more memory per instance.
//
// Fields start in the inline slots allocated with the instance. The class remembers the most
// fields any of its instances ever had (inline_slots_hint), so later instances are born big
// enough; an instance that outgrows its inline slots moves its fields to a separate array.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "systems/lang/chunk.h"
#include "systems/lang/table.h"
#include "systems/lang/value.h"

namespace sfs::lang {

enum class ObjType : uint8_t {
  kString,
  kFunction,
  kNative,
  kClosure,
  kUpvalue,
  kClass,
  kInstance,
  kBoundMethod,
  kShape,
};

struct Obj {
  ObjType type;
  bool marked = false;
  uint32_t size = 0;  // bytes allocated for the object itself (for the allocator)
  Obj* next = nullptr;

  explicit Obj(ObjType t) : type(t) {}
};

struct String : Obj {
  uint32_t length;
  uint32_t hash;

  String(uint32_t len, uint32_t h) : Obj(ObjType::kString), length(len), hash(h) {}
  char* chars() { return reinterpret_cast<char*>(this + 1); }
  const char* chars() const { return reinterpret_cast<const char*>(this + 1); }
  std::string_view view() const { return {chars(), length}; }
};

struct Function : Obj {
  int arity = 0;
  int upvalue_count = 0;
  int max_stack = 0;       // value slots a call may use above its frame base (locals + temporaries)
  String* name = nullptr;  // null for the top-level script
  Chunk chunk;

  Function() : Obj(ObjType::kFunction) {}
};

class Vm;
// A native function: reads args[0..argc), stores its result; returns false after reporting a
// runtime error through the VM.
using NativeFn = bool (*)(Vm& vm, int argc, const Value* args, Value* result);

struct Native : Obj {
  NativeFn fn;
  int arity;  // -1: any number of arguments
  String* name;

  Native(NativeFn f, int a, String* n) : Obj(ObjType::kNative), fn(f), arity(a), name(n) {}
};

struct Upvalue : Obj {
  Value* location;  // the stack slot while open; &closed once closed
  Value closed = Value::nil();
  Upvalue* next_open = nullptr;  // open upvalues form a list sorted by location, highest first

  explicit Upvalue(Value* slot) : Obj(ObjType::kUpvalue), location(slot) {}
};

struct Closure : Obj {
  Function* function;
  int upvalue_count;

  // REQUIRES: allocated with room for f->upvalue_count pointers after it (Heap::make).
  explicit Closure(Function* f)
      : Obj(ObjType::kClosure), function(f), upvalue_count(f->upvalue_count) {
    for (int i = 0; i < upvalue_count; ++i) upvalues()[i] = nullptr;  // until captured
  }
  Upvalue** upvalues() { return reinterpret_cast<Upvalue**>(this + 1); }
};

struct Shape;

struct Class : Obj {
  String* name;
  Table methods;  // name -> Closure
  Shape* root_shape = nullptr;
  Value initializer = Value::nil();  // the "init" method (also when inherited), or nil
  uint32_t inline_slots_hint = 0;    // inline field slots for new instances

  explicit Class(String* n) : Obj(ObjType::kClass), name(n) {}
};

struct Instance : Obj {
  Class* klass;
  Shape* shape;
  Value* fields;      // inline_fields() or an array owned by the heap
  uint32_t capacity;  // slots available at `fields`
  uint32_t inline_capacity;

  Instance(Class* c, Shape* s, uint32_t inline_slots)
      : Obj(ObjType::kInstance),
        klass(c),
        shape(s),
        fields(inline_fields()),
        capacity(inline_slots),
        inline_capacity(inline_slots) {}
  Value* inline_fields() { return reinterpret_cast<Value*>(this + 1); }
  bool fields_inline() { return fields == inline_fields(); }
};

struct BoundMethod : Obj {
  Value receiver;
  Closure* method;

  BoundMethod(Value r, Closure* m) : Obj(ObjType::kBoundMethod), receiver(r), method(m) {}
};

struct Shape : Obj {
  Shape* parent;  // null for a class's root shape
  String* key;    // the field this shape added (slot field_count - 1); null for a root
  Class* klass;
  uint32_t field_count;
  std::vector<std::pair<String*, Shape*>> transitions;  // children, by added name
  Table index;  // name -> slot; built on the first lookup once field_count > kLinearLookup

  static constexpr uint32_t kLinearLookup = 8;

  Shape(Shape* p, String* k, Class* c, uint32_t count)
      : Obj(ObjType::kShape), parent(p), key(k), klass(c), field_count(count) {}
};

inline bool is_obj_type(Value value, ObjType type) {
  return value.is_object() && value.as_object()->type == type;
}
inline bool is_string(Value v) {
  return is_obj_type(v, ObjType::kString);
}
inline bool is_instance(Value v) {
  return is_obj_type(v, ObjType::kInstance);
}
inline bool is_class(Value v) {
  return is_obj_type(v, ObjType::kClass);
}
inline bool is_closure(Value v) {
  return is_obj_type(v, ObjType::kClosure);
}
inline String* as_string(Value v) {
  return static_cast<String*>(v.as_object());
}
inline Function* as_function(Value v) {
  return static_cast<Function*>(v.as_object());
}
inline Closure* as_closure(Value v) {
  return static_cast<Closure*>(v.as_object());
}
inline Class* as_class(Value v) {
  return static_cast<Class*>(v.as_object());
}
inline Instance* as_instance(Value v) {
  return static_cast<Instance*>(v.as_object());
}

// The slot of field `name` in instances of `shape`, or -1.
int shape_find(Shape* shape, String* name);

// 32-bit FNV-1a, the hash of every string. `seed` continues a previous hash, so the hash of a
// concatenation is computed from the hash of its left part.
constexpr uint32_t kHashSeed = 2166136261u;
inline uint32_t hash_bytes(const char* data, size_t length, uint32_t seed = kHashSeed) {
  uint32_t h = seed;
  for (size_t i = 0; i < length; ++i) {
    h ^= static_cast<uint8_t>(data[i]);
    h *= 16777619u;
  }
  return h;
}

}  // namespace sfs::lang
