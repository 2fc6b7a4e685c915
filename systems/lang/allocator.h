// Allocator: where the heap's objects get their memory — segregated free lists for small sizes.
//
// Lox programs allocate many small objects (instances, strings, bound methods, closures) that
// die young. Sending each one through malloc and free costs tens of nanoseconds per object, and
// the sweep phase frees thousands of them per collection. Instead, sizes up to kMaxSmall bytes
// are rounded up to a multiple of 16 and served from one free list per size class; a freed block
// goes back on its list, to be reused by the next allocation of that class (LIFO, so the memory
// that was just touched is the memory handed out next). Lists are refilled by carving 256 KiB
// chunks obtained from malloc. Larger objects go straight to malloc.
//
//   free_[1] ─> [16 B] ─> [16 B] ─> null
//   free_[3] ─> [48 B] ─> null            (an Instance with no inline fields)
//   ...
//   bump_ ... bump_end_                   (the unused rest of the newest chunk)
//
// Memory on the free lists is kept for reuse, not returned to the system: the process holds on
// to its peak small-object footprint. Rejected alternative: a bump-allocated, compacting nursery,
// which would need a moving collector (see heap.h).
//
// Under AddressSanitizer the pool is bypassed (every block comes from malloc and goes back to
// free), so that a block freed too early stays poisoned in ASan's quarantine and a missing GC
// root is reported as a use-after-free instead of silently reading a recycled object.
#pragma once

#include <cstddef>
#include <vector>

namespace sfs::lang {

class Allocator {
 public:
  static constexpr size_t kGranule = 16;
  static constexpr size_t kMaxSmall = 512;
  static constexpr size_t kChunkBytes = size_t{256} << 10;

  Allocator() = default;
  ~Allocator();
  Allocator(const Allocator&) = delete;
  Allocator& operator=(const Allocator&) = delete;

  // `size` bytes aligned for any object, or nullptr when the system has no memory left.
  void* allocate(size_t size);
  // Returns a block from allocate(size) (the same size).
  void release(void* block, size_t size);

 private:
  struct FreeBlock {
    FreeBlock* next;
  };
  static constexpr size_t kClasses = kMaxSmall / kGranule + 1;

  void* refill(size_t size_class);

  FreeBlock* free_[kClasses] = {};
  char* bump_ = nullptr;
  char* bump_end_ = nullptr;
  std::vector<void*> chunks_;
};

}  // namespace sfs::lang
