// Arena chunk management (see arena.h).
#include "formats/markdown/arena.h"

#include <algorithm>

namespace sfs::markdown {
namespace {
constexpr size_t kMaxNodeChunk = 8192;
constexpr size_t kMaxCharChunk = 1 << 20;
}  // namespace

void Arena::grow_nodes() {
  if (node_index_ == node_chunks_.size()) {
    size_t count = node_chunks_.empty() ? 64 : std::min(node_chunks_.back().size * 2, kMaxNodeChunk);
    // std::byte storage is suitably aligned for Node (operator new[] aligns to max_align_t).
    node_chunks_.push_back({std::make_unique_for_overwrite<std::byte[]>(count * sizeof(Node)), count});
  }
  Chunk& chunk = node_chunks_[node_index_++];
  node_chunk_ = chunk.memory.get();
  node_used_ = 0;
  node_capacity_ = chunk.size;
}

void Arena::grow_chars(size_t at_least) {
  // Reuse the next kept chunk if it is big enough; a too-small one is skipped (not freed).
  while (char_index_ < char_chunks_.size() && char_chunks_[char_index_].size < at_least) ++char_index_;
  if (char_index_ == char_chunks_.size()) {
    size_t size = char_chunks_.empty() ? 4096 : std::min(char_chunks_.back().size * 2, kMaxCharChunk);
    if (size < at_least) size = at_least;
    char_chunks_.push_back({std::make_unique_for_overwrite<std::byte[]>(size), size});
  }
  Chunk& chunk = char_chunks_[char_index_++];
  char_next_ = reinterpret_cast<char*>(chunk.memory.get());
  char_end_ = char_next_ + chunk.size;
}

}  // namespace sfs::markdown
