// The value types behind the keyspace: lists, hashes, sets and sorted sets, each with a compact
// encoding while small and a general one when large (Redis's object encodings):
//
//   type        small (one allocation, packed.h)            large
//   list        PackedList of elements        "listpack"    std::deque<std::string> "quicklist"
//   hash        PackedList field,value,...    "listpack"    Table of (field, value)  "hashtable"
//   set         IntSet (all integers)          "intset"      Table of members          "hashtable"
//               PackedList (short strings)     "listpack"
//   sorted set  PackedList member,score,...   "listpack"    SkipList + Table          "skiplist"
//               sorted by (score, member)                   (member -> skip list node)
//
// A value converts to the large form once it passes the limits in `Limits` (the
// *-max-listpack-* settings of redis.conf) and stays there, as Redis 7.0 does. Commands only
// use the methods below; which encoding is active is visible to OBJECT ENCODING only.
//
// The sorted set's skip list is the one of Pugh's paper with Redis's two additions: a backward
// pointer on level 0 for reverse walks, and a span on every forward link (how many level-0 steps
// it skips) so the rank of an element and the element at a rank are O(log n). Every range query
// (by rank, score or lex) is reduced to a rank interval [first, last] and then walked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "systems/kv/packed.h"
#include "systems/kv/table.h"
#include "systems/kv/util.h"

namespace sfs::kv {

// Encoding thresholds (CONFIG SET list-max-listpack-size ... changes them).
struct Limits {
  int64_t list_max_entries = 128;
  int64_t list_max_bytes = 8192;
  int64_t hash_max_entries = 512;
  int64_t hash_max_value = 64;
  int64_t set_max_intset_entries = 512;
  int64_t set_max_listpack_entries = 128;
  int64_t set_max_listpack_value = 64;
  int64_t zset_max_entries = 128;
  int64_t zset_max_value = 64;
};
Limits& limits();

// The process-wide random source (SPOP, RANDOMKEY, eviction sampling).
std::mt19937_64& rng();

struct KeyHash {
  uint64_t operator()(std::string_view s) const { return hash_bytes(s); }
};

class ListValue {
 public:
  ListValue() = default;
  ListValue(ListValue&&) noexcept = default;
  ListValue& operator=(ListValue&&) noexcept = default;
  size_t size() const { return big_ ? big_->size() : small_.count(); }
  const char* encoding() const { return big_ ? "quicklist" : "listpack"; }
  void push(bool left, std::string_view value);
  // REQUIRES: size() > 0.
  std::string pop(bool left);
  // REQUIRES: 0 <= index < size().
  std::string_view at(size_t index) const;
  void set(size_t index, std::string_view value);
  // Calls fn(element) for indexes [start, stop] (REQUIRES: 0 <= start <= stop < size()),
  // forward, or backward from stop to start when `reverse`.
  void range(size_t start, size_t stop, const std::function<void(std::string_view)>& fn,
             bool reverse = false) const;
  // LREM: removes up to |count| elements equal to value (from the tail when count < 0, all when
  // count == 0). Returns how many.
  size_t remove(int64_t count, std::string_view value);
  // Keeps [start, stop] (REQUIRES: normalised; start > stop empties the list).
  void trim(int64_t start, int64_t stop);
  // LINSERT: false when the pivot is missing.
  bool insert(bool before, std::string_view pivot, std::string_view value);
  size_t memory() const;

 private:
  std::vector<std::string> to_vector() const;
  void from_vector(std::vector<std::string>&& items);
  void maybe_convert(size_t incoming);
  PackedList small_;
  std::unique_ptr<std::deque<std::string>> big_;
};

class HashValue {
 public:
  struct Node {
    Node* next = nullptr;
    std::string field;
    std::string value;
  };
  struct NodeKey {
    std::string_view operator()(const Node* n) const { return n->field; }
  };
  using Map = Table<Node, NodeKey, KeyHash>;

  HashValue() = default;
  HashValue(HashValue&&) noexcept = default;
  ~HashValue();
  HashValue(const HashValue&) = delete;
  HashValue& operator=(const HashValue&) = delete;

  size_t size() const { return big_ ? big_->size() : small_.count() / 2; }
  const char* encoding() const { return big_ ? "hashtable" : "listpack"; }
  std::optional<std::string_view> get(std::string_view field) const;
  // Returns true when the field is new.
  bool set(std::string_view field, std::string_view value);
  bool remove(std::string_view field);
  void for_each(const std::function<void(std::string_view, std::string_view)>& fn) const;
  // One SCAN step (cursor 0 starts; returns the next cursor, 0 when done). The packed form
  // returns everything at once with cursor 0, as Redis does.
  uint64_t scan(uint64_t cursor, size_t count,
                const std::function<void(std::string_view, std::string_view)>& fn) const;
  // A random field/value pair. REQUIRES: size() > 0.
  std::pair<std::string_view, std::string_view> random() const;
  size_t memory() const;

 private:
  void convert();
  PackedList small_;
  std::unique_ptr<Map> big_;
};

class SetValue {
 public:
  struct Node {
    Node* next = nullptr;
    std::string member;
  };
  struct NodeKey {
    std::string_view operator()(const Node* n) const { return n->member; }
  };
  using Map = Table<Node, NodeKey, KeyHash>;

  SetValue() = default;
  SetValue(SetValue&&) noexcept = default;
  ~SetValue();
  SetValue(const SetValue&) = delete;
  SetValue& operator=(const SetValue&) = delete;

  size_t size() const;
  const char* encoding() const;
  bool contains(std::string_view member) const;
  bool add(std::string_view member);
  bool remove(std::string_view member);
  void for_each(const std::function<void(std::string_view)>& fn) const;
  uint64_t scan(uint64_t cursor, size_t count, const std::function<void(std::string_view)>& fn) const;
  // A random member. REQUIRES: size() > 0.
  std::string random() const;
  std::vector<std::string> members() const;
  size_t memory() const;
  // Makes room for n members (the RDB loader, SINTERSTORE...).
  void reserve(size_t n);

 private:
  enum class Encoding : uint8_t { kIntSet, kPacked, kTable };
  void to_table();
  void to_packed();
  Encoding encoding_ = Encoding::kIntSet;
  IntSet ints_;
  PackedList small_;
  std::unique_ptr<Map> big_;
};

// A score bound of ZRANGEBYSCORE & co: "(1.5" is exclusive, "-inf"/"+inf" unbounded.
struct ScoreRange {
  double min = 0, max = 0;
  bool min_exclusive = false, max_exclusive = false;
};
// A lex bound: "[a" inclusive, "(a" exclusive, "-" / "+" the extremes.
struct LexBound {
  enum Kind : uint8_t { kNegInf, kValue, kPosInf };
  Kind kind = kValue;
  std::string value;
  bool exclusive = false;
};
struct LexRange {
  LexBound min, max;
};

class ZSetValue {
 public:
  ZSetValue();
  ZSetValue(ZSetValue&&) noexcept;
  ~ZSetValue();
  ZSetValue(const ZSetValue&) = delete;
  ZSetValue& operator=(const ZSetValue&) = delete;

  size_t size() const;
  const char* encoding() const { return big_ ? "skiplist" : "listpack"; }
  std::optional<double> score(std::string_view member) const;
  // Adds a new member or changes the score of an existing one.
  void set(std::string_view member, double score);
  bool remove(std::string_view member);
  // 0-based rank in ascending order.
  std::optional<size_t> rank(std::string_view member) const;
  // Element at a rank (ascending). REQUIRES: rank < size().
  std::pair<std::string_view, double> at(size_t rank) const;
  // Walks ranks [first, last] ascending (or descending when reverse) calling fn(member, score);
  // stops early when fn returns false.
  void walk(size_t first, size_t last, bool reverse,
            const std::function<bool(std::string_view, double)>& fn) const;
  // Number of elements below the range's start / at or below its end: the rank interval of a
  // score range is [count_below(r), count_through(r) - 1].
  size_t count_below(const ScoreRange& r) const;
  size_t count_through(const ScoreRange& r) const;
  size_t count_below(const LexRange& r) const;
  size_t count_through(const LexRange& r) const;
  size_t memory() const;

 private:
  class SkipList;
  struct DictNode {
    DictNode* next = nullptr;
    void* node = nullptr;  // SkipList node
  };
  struct DictKey {
    std::string_view operator()(const DictNode* n) const;
  };
  using Dict = Table<DictNode, DictKey, KeyHash>;
  // Rank of the first packed element for which `before` is false.
  size_t packed_count(const std::function<bool(std::string_view, double)>& before) const;
  void convert();

  struct Big;  // the skip list and the member -> node table

  PackedList small_;
  std::unique_ptr<Big> big_;
};

// Parses "1.5", "(1.5", "-inf", "+inf" (false on anything else).
bool parse_score_bound(std::string_view text, double* value, bool* exclusive);
// Parses "[a", "(a", "-", "+" (false on anything else).
bool parse_lex_bound(std::string_view text, LexBound* bound);

}  // namespace sfs::kv
