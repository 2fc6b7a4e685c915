// Heap: owns every Lox object — allocation, string interning, and the garbage collector.
//
// Collector: stop-the-world, non-moving mark-and-sweep (the tricolor scheme of Dijkstra et al.,
// with an explicit gray stack instead of recursion, so a million-deep linked list cannot overflow
// the C++ stack).
//
//   collect()
//     1. mark      every GcRoots source marks what it holds (the VM: its stack, call frames,
//                  open upvalues, globals; the compiler: the functions it is building) and the
//                  heap's own temporary roots. Marking an object sets its bit and pushes it gray.
//     2. trace     pop gray objects and mark what they reference (blacken) until none is left.
//     3. weak      drop unmarked strings from the intern table (it must not keep them alive).
//     4. sweep     walk the list of all objects; free the unmarked, clear the mark of the rest.
//     5. budget    the next collection happens when the heap has grown by kGrowthFactor over
//                  what survived (at least kMinHeapBytes), so the GC's cost stays proportional
//                  to allocation — amortised O(1) per allocated byte.
//
// A collection can start at any allocation, so an object must be reachable from a root before
// the next allocation: the VM keeps values on its stack, C++ code pins them with TempRoot.
// In stress mode (Options::stress_gc) every allocation collects first, which turns a missing
// root into a use-after-free that the tests (under AddressSanitizer) catch at once.
//
// Rejected alternatives: reference counting (cycles between closures and instances are common
// in Lox), and a moving collector (every raw pointer in the VM would have to be a handle).
//
// Interning: every string is unique — the heap looks a string up before creating it — so string
// equality and table lookups compare pointers, and each string's hash is computed once.
//
// Limits: a heap that stays above Options::max_heap_bytes after a full collection sets
// out_of_memory(); the VM turns it into the runtime error "Out of memory." at its next safe point
// rather than letting the process be killed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <string_view>
#include <utility>
#include <vector>

#include "systems/lang/allocator.h"
#include "systems/lang/object.h"
#include "systems/lang/value.h"

namespace sfs::lang {

class Heap;

// Something that holds references the collector must see (the VM, the compiler).
class GcRoots {
 public:
  virtual void mark_roots(Heap& heap) = 0;

 protected:
  ~GcRoots() = default;
};

class Heap {
 public:
  struct Options {
    bool stress_gc = false;                   // collect before every allocation
    size_t max_heap_bytes = size_t{8} << 30;  // soft limit, see the file comment
  };

  static constexpr size_t kMinHeapBytes = size_t{1} << 20;
  static constexpr size_t kGrowthFactor = 2;

  explicit Heap(Options options);
  Heap() : Heap(Options{}) {}
  ~Heap();
  Heap(const Heap&) = delete;
  Heap& operator=(const Heap&) = delete;

  // A new object of type T with `tail_bytes` of inline storage after it. May collect first.
  template <typename T, typename... Args>
  T* make(size_t tail_bytes, Args&&... args) {
    size_t size = sizeof(T) + tail_bytes;
    void* memory = allocate(size);
    T* object = new (memory) T(std::forward<Args>(args)...);
    object->size = static_cast<uint32_t>(size);
    object->next = objects_;
    objects_ = object;
    return object;
  }

  // The interned string with these bytes (created if needed).
  String* intern(std::string_view text);
  // The interned concatenation a + b. REQUIRES: a->length + b->length < 2^32.
  String* concat(String* a, String* b);

  // A new instance of `klass` (its root shape is created on first use).
  Instance* new_instance(Class* klass);
  // The shape that follows `shape` when field `name` is added (created on first use).
  Shape* shape_with(Shape* shape, String* name);
  // Makes room in `instance` for at least `needed` fields.
  void grow_fields(Instance* instance, uint32_t needed);

  void add_roots(GcRoots* roots);
  void remove_roots(GcRoots* roots);

  // Marking, for GcRoots::mark_roots.
  void mark_value(Value value) {
    if (value.is_object()) mark_object(value.as_object());
  }
  void mark_object(Obj* object) {
    if (object == nullptr || object->marked) return;
    object->marked = true;
    gray_.push_back(object);
  }
  void mark_table(const Table& table);

  void collect();

  size_t bytes_allocated() const { return bytes_allocated_; }
  size_t collections() const { return collections_; }
  // For --gc-stats: total CPU time spent collecting, the largest heap seen, bytes ever allocated.
  double gc_seconds() const { return gc_seconds_; }
  size_t peak_bytes() const { return peak_bytes_; }
  size_t total_allocated() const { return total_allocated_; }
  bool out_of_memory() const { return out_of_memory_; }
  void clear_out_of_memory() { out_of_memory_ = false; }
  const Options& options() const { return options_; }

  // Keeps values alive while C++ code that allocates holds them outside the VM stack.
  void push_root(Value value) { temp_roots_.push_back(value); }
  void pop_root() { temp_roots_.pop_back(); }

 private:
  void* allocate(size_t size);
  void free_object(Obj* object);
  void blacken(Obj* object);
  void sweep();

  // The intern set: open addressing over String*; nullptr empty, kTombstone deleted.
  String* find_interned(const char* chars, size_t length, uint32_t hash) const;
  String* find_interned_concat(const String* a, const String* b, uint32_t hash) const;
  void add_interned(String* string);
  void remove_dead_strings();

  Options options_;
  Allocator allocator_;  // declared first among the owners of memory: destroyed last
  Obj* objects_ = nullptr;
  size_t bytes_allocated_ = 0;
  size_t next_gc_ = kMinHeapBytes;
  size_t collections_ = 0;
  double gc_seconds_ = 0;
  size_t peak_bytes_ = 0;
  size_t total_allocated_ = 0;
  bool collecting_ = false;
  bool out_of_memory_ = false;
  std::vector<Obj*> gray_;
  std::vector<GcRoots*> roots_;
  std::vector<Value> temp_roots_;
  std::vector<String*> strings_;
  size_t string_count_ = 0;  // live + tombstones
};

// Pins a value for the lifetime of the guard.
class TempRoot {
 public:
  TempRoot(Heap& heap, Value value) : heap_(heap) { heap_.push_root(value); }
  TempRoot(Heap& heap, Obj* object) : heap_(heap) { heap_.push_root(Value::object(object)); }
  ~TempRoot() { heap_.pop_root(); }
  TempRoot(const TempRoot&) = delete;
  TempRoot& operator=(const TempRoot&) = delete;

 private:
  Heap& heap_;
};

}  // namespace sfs::lang
