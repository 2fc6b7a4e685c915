// Table: a hash map from interned strings to values — class method tables, shape field indexes,
// the global-name directory.
//
// Open addressing with linear probing over a power-of-two array, at most 3/4 full. Keys are
// interned String pointers, so a probe compares pointers, never characters, and the hash is the
// one stored in the string. Deletion leaves a tombstone (key null, value true) so later probes
// keep walking. Rejected alternative: std::unordered_map, which allocates a node per entry and
// chases a pointer per probe.
#pragma once

#include <cstdint>
#include <vector>

#include "systems/lang/value.h"

namespace sfs::lang {

struct String;

class Table {
 public:
  struct Entry {
    String* key = nullptr;
    Value value = Value::nil();  // with key == nullptr: nil = empty, true = tombstone
  };

  // The value for `key`, or nullptr.
  Value* find(const String* key);
  const Value* find(const String* key) const { return const_cast<Table*>(this)->find(key); }
  // Inserts or replaces; returns true when the key is new.
  bool set(String* key, Value value);
  // Removes the key; returns true when it was present.
  bool erase(const String* key);
  // Copies every entry of `from` into this table (for inheritance: the subclass starts with all
  // of its superclass's methods).
  void add_all(const Table& from);

  size_t size() const { return count_ - tombstones_; }
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  Entry* slot_for(const String* key);
  void grow();

  std::vector<Entry> entries_;
  size_t count_ = 0;  // live entries + tombstones (what the load factor counts)
  size_t tombstones_ = 0;
};

}  // namespace sfs::lang
