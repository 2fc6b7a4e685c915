// Allocator: size-class free lists over malloc'd chunks (design in allocator.h).
#include "systems/lang/allocator.h"

#include <cstdlib>

#if defined(__SANITIZE_ADDRESS__)
#define SFS_LANG_POOL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SFS_LANG_POOL 0
#endif
#endif
#ifndef SFS_LANG_POOL
#define SFS_LANG_POOL 1
#endif

namespace sfs::lang {

Allocator::~Allocator() {
  for (void* chunk : chunks_) std::free(chunk);
}

void* Allocator::allocate(size_t size) {
  if (!SFS_LANG_POOL || size > kMaxSmall) return std::malloc(size);
  size_t size_class = (size + kGranule - 1) / kGranule;
  if (FreeBlock* block = free_[size_class]) {
    free_[size_class] = block->next;
    return block;
  }
  return refill(size_class);
}

void* Allocator::refill(size_t size_class) {
  size_t bytes = size_class * kGranule;
  if (bump_ == nullptr || static_cast<size_t>(bump_end_ - bump_) < bytes) {
    // The tail of the old chunk is too small for this class; give it to the class that fits it.
    if (bump_ != nullptr) {
      size_t rest_class = static_cast<size_t>(bump_end_ - bump_) / kGranule;
      if (rest_class > 0) release(bump_, rest_class * kGranule);
    }
    auto* chunk = static_cast<char*>(std::malloc(kChunkBytes));
    if (chunk == nullptr) return nullptr;
    chunks_.push_back(chunk);
    bump_ = chunk;
    bump_end_ = chunk + kChunkBytes;
  }
  void* block = bump_;
  bump_ += bytes;
  return block;
}

void Allocator::release(void* block, size_t size) {
  if (!SFS_LANG_POOL || size > kMaxSmall) {
    std::free(block);
    return;
  }
  size_t size_class = (size + kGranule - 1) / kGranule;
  auto* free_block = static_cast<FreeBlock*>(block);
  free_block->next = free_[size_class];
  free_[size_class] = free_block;
}

}  // namespace sfs::lang
