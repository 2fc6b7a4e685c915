// Table: the chained hash table under the keyspace and under large hashes, sets and sorted sets
// (Redis's dict.c, without incremental rehashing).
//
//   buckets_: [0] -> node -> node      a power-of-two array of singly linked chains; a node is
//             [1] -> (empty)           found by hash & mask. Nodes are intrusive (the caller's
//             [2] -> node              type has a `Node* next`), so an entry costs one pointer of
//             ...                      chaining and nothing else; hashes are recomputed on resize
//                                      rather than stored.
//
// Growth doubles when size reaches the bucket count (load factor 1); shrinking to fit happens
// when a caller asks (maybe_shrink) and the table is at most 1/8 full. Resizes rehash at once.
// Redis rehashes incrementally to spread the pause; here the pause is ~10 ms per million keys and
// is paid once per doubling — named in the README's limits.
//
// scan() uses Redis's reverse-binary cursor: it increments the cursor's bits from the top, so
// every bucket's position in a larger or smaller table is visited in order, and an element present
// for the whole iteration is returned at least once even if the table is resized between calls.
//
// The table does not own the nodes' memory: clear() hands each node to a callback that frees it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string_view>
#include <utility>

namespace sfs::kv {

// KeyOf: a functor std::string_view(const Node*) giving the node's key. Hash: uint64_t(sv).
template <typename Node, typename KeyOf, typename Hash>
class Table {
 public:
  Table() = default;
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  size_t size() const { return size_; }
  size_t bucket_count() const { return buckets_ ? mask_ + 1 : 0; }

  Node* find(std::string_view key) const {
    if (size_ == 0) return nullptr;
    for (Node* n = buckets_[Hash()(key) & mask_]; n != nullptr; n = n->next) {
      if (KeyOf()(n) == key) return n;
    }
    return nullptr;
  }

  // The link (bucket slot or a node's `next`) that points at the node with `key`, or nullptr.
  // Lets a caller unlink or replace the node without a second lookup.
  Node** find_link(std::string_view key) {
    if (size_ == 0) return nullptr;
    Node** link = &buckets_[Hash()(key) & mask_];
    while (*link != nullptr) {
      if (KeyOf()(*link) == key) return link;
      link = &(*link)->next;
    }
    return nullptr;
  }

  // Adds a node whose key is not present. May grow the table.
  void insert(Node* node) {
    if (size_ >= bucket_count()) resize(bucket_count() == 0 ? 4 : bucket_count() * 2);
    Node** slot = &buckets_[Hash()(KeyOf()(node)) & mask_];
    node->next = *slot;
    *slot = node;
    ++size_;
  }

  // Replaces the node `*link` points at with `replacement` (same key). Returns the old node.
  Node* replace(Node** link, Node* replacement) {
    Node* old = *link;
    replacement->next = old->next;
    *link = replacement;
    return old;
  }

  // Unlinks the node `*link` points at and returns it.
  Node* unlink(Node** link) {
    Node* node = *link;
    *link = node->next;
    node->next = nullptr;
    --size_;
    return node;
  }

  // Shrinks when at most 1/8 full (never below 4 buckets). Call when no link is held.
  void maybe_shrink() {
    size_t buckets = bucket_count();
    if (buckets > 4 && size_ * 8 <= buckets) {
      size_t target = 4;
      while (target < size_) target *= 2;
      resize(target);
    }
  }

  // Calls fn(node) for every node of one step of a SCAN: returns the next cursor (0 when done).
  // Visits at least one bucket and continues until `min_nodes` nodes were seen or the end.
  template <typename Fn>
  uint64_t scan(uint64_t cursor, size_t min_nodes, Fn&& fn) const {
    if (size_ == 0) return 0;
    size_t seen = 0;
    do {
      for (Node* n = buckets_[cursor & mask_]; n != nullptr;) {
        Node* next = n->next;  // fn may not modify the table, but be careful anyway
        fn(n);
        ++seen;
        n = next;
      }
      // Reverse-binary increment: set the unmasked high bits, reverse, add one, reverse back.
      cursor |= ~static_cast<uint64_t>(mask_);
      cursor = reverse_bits(cursor);
      ++cursor;
      cursor = reverse_bits(cursor);
    } while (cursor != 0 && seen < min_nodes);
    return cursor;
  }

  // A node chosen at random (nullptr when empty): a random non-empty bucket, then a random node
  // of its chain. Slightly biased toward short chains, as Redis's dictGetRandomKey.
  template <typename Rng>
  Node* random(Rng& rng) const {
    if (size_ == 0) return nullptr;
    Node* head = nullptr;
    while (head == nullptr) head = buckets_[rng() & mask_];
    size_t len = 0;
    for (Node* n = head; n != nullptr; n = n->next) ++len;
    size_t pick = rng() % len;
    while (pick-- > 0) head = head->next;
    return head;
  }

  // The chain of bucket `index` (for samplers that walk buckets themselves).
  Node* bucket(size_t index) const { return buckets_ ? buckets_[index & mask_] : nullptr; }

  template <typename Fn>
  void for_each(Fn&& fn) const {
    size_t buckets = bucket_count();
    for (size_t i = 0; i < buckets; ++i) {
      for (Node* n = buckets_[i]; n != nullptr;) {
        Node* next = n->next;
        fn(n);
        n = next;
      }
    }
  }

  // Removes every node, handing each to `release` (which frees it).
  template <typename Release>
  void clear(Release&& release) {
    size_t buckets = bucket_count();
    for (size_t i = 0; i < buckets; ++i) {
      Node* n = buckets_[i];
      while (n != nullptr) {
        Node* next = n->next;
        release(n);
        n = next;
      }
    }
    buckets_.reset();
    mask_ = 0;
    size_ = 0;
  }

  void swap(Table& other) {
    std::swap(buckets_, other.buckets_);
    std::swap(mask_, other.mask_);
    std::swap(size_, other.size_);
  }

  // Bytes used by the bucket array.
  size_t overhead_bytes() const { return bucket_count() * sizeof(Node*); }

  // Grows the bucket array ahead of a known number of inserts (RDB RESIZEDB).
  void reserve(size_t n) {
    size_t target = 4;
    while (target < n) target *= 2;
    if (target > bucket_count()) resize(target);
  }

 private:
  static uint64_t reverse_bits(uint64_t v) {
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
    return __builtin_bswap64(v);
  }

  void resize(size_t buckets) {
    auto fresh = std::make_unique<Node*[]>(buckets);  // value-initialised: all nullptr
    size_t mask = buckets - 1;
    size_t old = bucket_count();
    for (size_t i = 0; i < old; ++i) {
      Node* n = buckets_[i];
      while (n != nullptr) {
        Node* next = n->next;
        Node** slot = &fresh[Hash()(KeyOf()(n)) & mask];
        n->next = *slot;
        *slot = n;
        n = next;
      }
    }
    buckets_ = std::move(fresh);
    mask_ = mask;
  }

  std::unique_ptr<Node*[]> buckets_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace sfs::kv
