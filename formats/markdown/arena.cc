// Arena chunk management (see arena.h).
#include "formats/markdown/arena.h"

#include <algorithm>

namespace sfs::markdown {
namespace {
constexpr size_t kMaxNodeChunk = 8192;
constexpr size_t kMaxCharChunk = 1 << 20;
}  // namespace

void Arena::grow_nodes() {
  size_t count = next_node_chunk_;
  next_node_chunk_ = std::min(next_node_chunk_ * 2, kMaxNodeChunk);
  // std::byte storage is suitably aligned for Node (operator new[] aligns to max_align_t).
  chunks_.push_back(std::make_unique_for_overwrite<std::byte[]>(count * sizeof(Node)));
  node_chunk_ = chunks_.back().get();
  node_used_ = 0;
  node_capacity_ = count;
}

void Arena::grow_chars(size_t at_least) {
  size_t size = next_char_chunk_;
  next_char_chunk_ = std::min(next_char_chunk_ * 2, kMaxCharChunk);
  if (size < at_least) size = at_least;
  chunks_.push_back(std::make_unique_for_overwrite<std::byte[]>(size));
  char_next_ = reinterpret_cast<char*>(chunks_.back().get());
  char_end_ = char_next_ + size;
}

}  // namespace sfs::markdown
