// Arena: the memory of one Document. Nodes and strings are carved out of large chunks that are
// freed all at once with the document, so building a tree of n nodes costs a handful of mallocs
// instead of n (cmark allocates every node separately; that alone is a large share of its time).
// Nodes are trivially destructible and never freed one by one; a string handed out by copy() or
// allocate() stays where it is until the arena dies, so the tree can hold std::string_views.
#pragma once

#include <cstddef>
#include <cstring>
#include <new>
#include <memory>
#include <string_view>
#include <vector>

#include "formats/markdown/markdown.h"

namespace sfs::markdown {

class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // A fresh node of `type`, all links null, `line` as given.
  Node* new_node(NodeType type, uint32_t line = 0) {
    if (node_used_ == node_capacity_) grow_nodes();
    Node* node = new (node_chunk_ + node_used_ * sizeof(Node)) Node();
    ++node_used_;
    node->type_ = type;
    node->line_ = line;
    return node;
  }

  // `size` bytes that stay valid for the arena's lifetime.
  char* allocate(size_t size) {
    if (size > static_cast<size_t>(char_end_ - char_next_)) grow_chars(size);
    char* out = char_next_;
    char_next_ += size;
    return out;
  }

  std::string_view copy(std::string_view text) {
    if (text.empty()) return {};
    char* out = allocate(text.size());
    std::memcpy(out, text.data(), text.size());
    return {out, text.size()};
  }

  // Forgets everything allocated, keeping the chunks for reuse. Every Node and string handed out
  // before is invalid afterwards. (to_html parses each block's inlines into a scratch arena and
  // resets it once the block is rendered: the memory stays small and warm in the cache.)
  void reset() {
    node_index_ = char_index_ = 0;
    node_chunk_ = nullptr;
    node_used_ = node_capacity_ = 0;
    char_next_ = char_end_ = nullptr;
  }

 private:
  struct Chunk {
    std::unique_ptr<std::byte[]> memory;
    size_t size;  // nodes for node chunks, bytes for char chunks
  };
  void grow_nodes();
  void grow_chars(size_t at_least);

  std::vector<Chunk> node_chunks_;
  std::vector<Chunk> char_chunks_;
  size_t node_index_ = 0;  // the next chunk to use
  size_t char_index_ = 0;
  std::byte* node_chunk_ = nullptr;
  size_t node_used_ = 0;
  size_t node_capacity_ = 0;
  char* char_next_ = nullptr;
  char* char_end_ = nullptr;
};

}  // namespace sfs::markdown
