// Compact encodings for small collections, the role Redis's listpack and intset play: a whole
// list, hash, set or sorted set of a few dozen short elements lives in ONE allocation, so a
// million small objects cost a few dozen bytes each instead of a node per element.
//
// PackedList — a byte string of length-prefixed entries:
//
//   [u32 bytes][u32 count] [varint len][len bytes] [varint len][len bytes] ...
//   ^ header (8 bytes)      ^ entry at offset 8     ^ next entry
//
//   varint: 7 bits per byte, low bits first, high bit set on all but the last byte (LEB128), so
//   entries up to 127 bytes carry one byte of overhead.
//
// Entries are addressed by byte offset ("position"); begin() is the first, next(pos) the one after,
// end() one past the last. Insertion and removal move the tail with memmove, O(size) — the point
// is that size stays small: types switch to a real hash table / skip list / deque above the
// thresholds in config (list 128 entries or 8 KiB, hash 512 and zset 128 entries or values
// over 64 bytes, intset 512 integers). Hashes store field,value pairs; sorted sets member,score pairs sorted by
// (score, member), with the score as its 8 raw bytes.
//
// IntSet — a sorted array of distinct int64 (sets whose members are all integers):
//
//   [u32 count][u32 unused] [int64][int64]...     binary search for lookups, memmove for updates
//
// Both keep only a pointer to their block (8 bytes in the owning object); an empty one holds none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sfs::kv {

class PackedList {
 public:
  static constexpr size_t kHeader = 8;

  PackedList() = default;
  ~PackedList();
  PackedList(PackedList&& other) noexcept : data_(other.data_) { other.data_ = nullptr; }
  PackedList& operator=(PackedList&& other) noexcept;
  PackedList(const PackedList&) = delete;
  PackedList& operator=(const PackedList&) = delete;

  uint32_t count() const { return data_ ? header(4) : 0; }
  // Total bytes of the encoding (header included); 0 when empty and unallocated.
  size_t bytes() const { return data_ ? header(0) : 0; }
  bool empty() const { return count() == 0; }

  size_t begin() const { return kHeader; }
  size_t end() const { return data_ ? header(0) : kHeader; }
  std::string_view get(size_t pos) const;
  size_t next(size_t pos) const;
  // Position of the index-th entry (0-based); end() when out of range.
  size_t at(size_t index) const;
  // First entry equal to `value` at or after `from`, looking at every `step`-th entry; end() if
  // none (step 2 searches the fields of a field,value list).
  size_t find(std::string_view value, size_t from, size_t step = 1) const;

  // Inserts before `pos` (end() appends). Returns the new entry's position.
  size_t insert(size_t pos, std::string_view value);
  void push_back(std::string_view value) { insert(end(), value); }
  void push_front(std::string_view value) { insert(begin(), value); }
  // Removes `n` entries starting at `pos`. Returns `pos` (now the entry after the removed ones).
  size_t erase(size_t pos, size_t n = 1);
  // Overwrites the entry at `pos`. Returns its position (unchanged).
  size_t replace(size_t pos, std::string_view value);
  void clear();

 private:
  uint32_t header(size_t offset) const;
  void set_header(size_t offset, uint32_t value);
  // Makes room for `grow` more bytes (may move data_).
  void reserve_more(size_t grow);
  char* data_ = nullptr;
};

class IntSet {
 public:
  IntSet() = default;
  ~IntSet();
  IntSet(IntSet&& other) noexcept : data_(other.data_) { other.data_ = nullptr; }
  IntSet& operator=(IntSet&& other) noexcept;
  IntSet(const IntSet&) = delete;
  IntSet& operator=(const IntSet&) = delete;

  uint32_t size() const;
  int64_t at(size_t index) const;
  bool contains(int64_t value) const;
  // True if added (false when present).
  bool add(int64_t value);
  bool remove(int64_t value);
  size_t bytes() const { return data_ ? 8 + size() * 8 : 0; }

 private:
  // Index of the first element >= value.
  size_t lower_bound(int64_t value) const;
  char* data_ = nullptr;
};

}  // namespace sfs::kv
