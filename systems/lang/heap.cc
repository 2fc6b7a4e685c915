// Heap: allocation, interning and the mark-and-sweep collector (design in heap.h).
#include "systems/lang/heap.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace sfs::lang {

Heap::Heap(Options options) : options_(options) {
  strings_.assign(64, nullptr);
}

Heap::~Heap() {
  Obj* object = objects_;
  while (object != nullptr) {
    Obj* next = object->next;
    free_object(object);
    object = next;
  }
  // allocator_ (destroyed after this) releases the chunks.
}

void* Heap::allocate(size_t size) {
  if (!collecting_ && (options_.stress_gc || bytes_allocated_ + size > next_gc_)) collect();
  bytes_allocated_ += size;
  total_allocated_ += size;
  peak_bytes_ = std::max(peak_bytes_, bytes_allocated_);
  void* memory = allocator_.allocate(size);
  if (memory == nullptr) {
    collect();
    memory = allocator_.allocate(size);
    if (memory == nullptr) {
      // The C library has nothing left even after a full collection; there is no way to carry on.
      std::fputs("lox: out of memory\n", stderr);
      std::abort();
    }
  }
  return memory;
}

void Heap::free_object(Obj* object) {
  bytes_allocated_ -= object->size;
  switch (object->type) {
    case ObjType::kFunction:
      static_cast<Function*>(object)->~Function();
      break;
    case ObjType::kClass:
      static_cast<Class*>(object)->~Class();
      break;
    case ObjType::kShape:
      static_cast<Shape*>(object)->~Shape();
      break;
    case ObjType::kInstance: {
      auto* instance = static_cast<Instance*>(object);
      if (!instance->fields_inline()) {
        bytes_allocated_ -= instance->capacity * sizeof(Value);
        std::free(instance->fields);
      }
      break;
    }
    case ObjType::kString:
    case ObjType::kNative:
    case ObjType::kClosure:
    case ObjType::kUpvalue:
    case ObjType::kBoundMethod:
      break;  // trivially destructible
  }
  allocator_.release(object, object->size);
}

// ---------------------------------------------------------------------------------------------
// Strings

String* Heap::find_interned(const char* chars, size_t length, uint32_t hash) const {
  size_t mask = strings_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    String* s = strings_[i];
    if (s == nullptr) return nullptr;
    if (s->hash == hash && s->length == length && std::memcmp(s->chars(), chars, length) == 0) {
      return s;
    }
  }
}

String* Heap::find_interned_concat(const String* a, const String* b, uint32_t hash) const {
  size_t mask = strings_.size() - 1;
  size_t length = size_t{a->length} + b->length;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    String* s = strings_[i];
    if (s == nullptr) return nullptr;
    if (s->hash == hash && s->length == length &&
        std::memcmp(s->chars(), a->chars(), a->length) == 0 &&
        std::memcmp(s->chars() + a->length, b->chars(), b->length) == 0) {
      return s;
    }
  }
}

void Heap::add_interned(String* string) {
  if ((string_count_ + 1) * 2 > strings_.size()) {
    std::vector<String*> old = std::move(strings_);
    strings_.assign(old.size() * 2, nullptr);
    size_t mask = strings_.size() - 1;
    for (String* s : old) {
      if (s == nullptr) continue;
      size_t i = s->hash & mask;
      while (strings_[i] != nullptr) i = (i + 1) & mask;
      strings_[i] = s;
    }
  }
  size_t mask = strings_.size() - 1;
  size_t i = string->hash & mask;
  while (strings_[i] != nullptr) i = (i + 1) & mask;
  strings_[i] = string;
  ++string_count_;
}

void Heap::remove_dead_strings() {
  // Rebuilding (rather than leaving tombstones) keeps probes short and lets the set shrink.
  std::vector<String*> live;
  live.reserve(string_count_);
  for (String* s : strings_) {
    if (s != nullptr && s->marked) live.push_back(s);
  }
  size_t capacity = 64;
  while (capacity < live.size() * 4) capacity *= 2;
  strings_.assign(capacity, nullptr);
  string_count_ = 0;
  for (String* s : live) add_interned(s);
}

String* Heap::intern(std::string_view text) {
  uint32_t hash = hash_bytes(text.data(), text.size());
  if (String* existing = find_interned(text.data(), text.size(), hash)) return existing;
  String* string = make<String>(text.size() + 1, static_cast<uint32_t>(text.size()), hash);
  if (!text.empty()) std::memcpy(string->chars(), text.data(), text.size());
  string->chars()[text.size()] = '\0';
  add_interned(string);
  return string;
}

String* Heap::concat(String* a, String* b) {
  uint32_t hash = hash_bytes(b->chars(), b->length, a->hash);
  if (String* existing = find_interned_concat(a, b, hash)) return existing;
  size_t length = size_t{a->length} + b->length;
  // a and b are on the VM stack (or pinned by the caller) while we allocate.
  String* string = make<String>(length + 1, static_cast<uint32_t>(length), hash);
  std::memcpy(string->chars(), a->chars(), a->length);
  std::memcpy(string->chars() + a->length, b->chars(), b->length);
  string->chars()[length] = '\0';
  add_interned(string);
  return string;
}

// ---------------------------------------------------------------------------------------------
// Instances and shapes

Instance* Heap::new_instance(Class* klass) {
  if (klass->root_shape == nullptr) {
    TempRoot keep(*this, klass);
    klass->root_shape = make<Shape>(0, nullptr, nullptr, klass, 0u);
  }
  uint32_t slots = klass->inline_slots_hint;
  return make<Instance>(slots * sizeof(Value), klass, klass->root_shape, slots);
}

Shape* Heap::shape_with(Shape* shape, String* name) {
  for (const auto& [key, child] : shape->transitions) {
    if (key == name) return child;
  }
  TempRoot keep_shape(*this, shape);
  TempRoot keep_name(*this, name);
  Shape* child = make<Shape>(0, shape, name, shape->klass, shape->field_count + 1);
  shape->transitions.emplace_back(name, child);
  return child;
}

void Heap::grow_fields(Instance* instance, uint32_t needed) {
  uint32_t capacity = std::max({needed, instance->capacity * 2, 4u});
  size_t bytes = capacity * sizeof(Value);
  if (!collecting_ && (options_.stress_gc || bytes_allocated_ + bytes > next_gc_)) {
    TempRoot keep(*this, instance);
    collect();
  }
  auto* fields = static_cast<Value*>(std::malloc(bytes));
  if (fields == nullptr) {
    std::fputs("lox: out of memory\n", stderr);
    std::abort();
  }
  bytes_allocated_ += bytes;
  total_allocated_ += bytes;
  peak_bytes_ = std::max(peak_bytes_, bytes_allocated_);
  uint32_t count = instance->shape->field_count;
  if (count > 0) std::memcpy(fields, instance->fields, count * sizeof(Value));
  if (!instance->fields_inline()) {
    bytes_allocated_ -= instance->capacity * sizeof(Value);
    std::free(instance->fields);
  }
  instance->fields = fields;
  instance->capacity = capacity;
}

int shape_find(Shape* shape, String* name) {
  if (shape->field_count <= Shape::kLinearLookup) {
    for (Shape* s = shape; s->key != nullptr; s = s->parent) {
      if (s->key == name) return static_cast<int>(s->field_count) - 1;
    }
    return -1;
  }
  if (shape->index.size() == 0) {
    for (Shape* s = shape; s->key != nullptr; s = s->parent) {
      shape->index.set(s->key, Value::number(s->field_count - 1));
    }
  }
  const Value* slot = shape->index.find(name);
  return slot == nullptr ? -1 : static_cast<int>(slot->as_number());
}

// ---------------------------------------------------------------------------------------------
// The collector

void Heap::add_roots(GcRoots* roots) {
  roots_.push_back(roots);
}

void Heap::remove_roots(GcRoots* roots) {
  roots_.erase(std::remove(roots_.begin(), roots_.end(), roots), roots_.end());
}

void Heap::mark_table(const Table& table) {
  for (const Table::Entry& entry : table.entries()) {
    if (entry.key == nullptr) continue;
    mark_object(entry.key);
    mark_value(entry.value);
  }
}

void Heap::blacken(Obj* object) {
  switch (object->type) {
    case ObjType::kString:
      break;
    case ObjType::kFunction: {
      auto* function = static_cast<Function*>(object);
      mark_object(function->name);
      for (Value constant : function->chunk.constants) mark_value(constant);
      for (const PropertyCache& cache : function->chunk.caches) {
        mark_object(cache.key);
        mark_object(cache.target);
      }
      break;
    }
    case ObjType::kNative:
      mark_object(static_cast<Native*>(object)->name);
      break;
    case ObjType::kClosure: {
      auto* closure = static_cast<Closure*>(object);
      mark_object(closure->function);
      for (int i = 0; i < closure->upvalue_count; ++i) mark_object(closure->upvalues()[i]);
      break;
    }
    case ObjType::kUpvalue:
      mark_value(static_cast<Upvalue*>(object)->closed);
      break;
    case ObjType::kClass: {
      auto* klass = static_cast<Class*>(object);
      mark_object(klass->name);
      mark_table(klass->methods);
      mark_object(klass->root_shape);
      mark_value(klass->initializer);
      break;
    }
    case ObjType::kInstance: {
      auto* instance = static_cast<Instance*>(object);
      mark_object(instance->klass);
      mark_object(instance->shape);
      for (uint32_t i = 0; i < instance->shape->field_count; ++i) mark_value(instance->fields[i]);
      break;
    }
    case ObjType::kBoundMethod: {
      auto* bound = static_cast<BoundMethod*>(object);
      mark_value(bound->receiver);
      mark_object(bound->method);
      break;
    }
    case ObjType::kShape: {
      auto* shape = static_cast<Shape*>(object);
      mark_object(shape->parent);
      mark_object(shape->key);
      mark_object(shape->klass);
      for (const auto& [key, child] : shape->transitions) {
        mark_object(key);
        mark_object(child);
      }
      break;
    }
  }
}

void Heap::sweep() {
  Obj** link = &objects_;
  while (Obj* object = *link) {
    if (object->marked) {
      object->marked = false;
      link = &object->next;
    } else {
      *link = object->next;
      free_object(object);
    }
  }
}

void Heap::collect() {
  if (collecting_) return;
  collecting_ = true;
  ++collections_;
  std::clock_t start = std::clock();  // CPU time, like Lox's clock()
  for (GcRoots* roots : roots_) roots->mark_roots(*this);
  for (Value value : temp_roots_) mark_value(value);
  while (!gray_.empty()) {
    Obj* object = gray_.back();
    gray_.pop_back();
    blacken(object);
  }
  remove_dead_strings();
  sweep();
  next_gc_ = std::max(bytes_allocated_ * kGrowthFactor, kMinHeapBytes);
  if (bytes_allocated_ > options_.max_heap_bytes) out_of_memory_ = true;
  gc_seconds_ += static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
  collecting_ = false;
}

}  // namespace sfs::lang
