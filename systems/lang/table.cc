// Table: open addressing with linear probing (see table.h).
#include "systems/lang/table.h"

#include "systems/lang/object.h"

namespace sfs::lang {

Table::Entry* Table::slot_for(const String* key) {
  // REQUIRES: entries_ is non-empty and not full.
  size_t mask = entries_.size() - 1;
  size_t i = key->hash & mask;
  Entry* tombstone = nullptr;
  for (;;) {
    Entry* entry = &entries_[i];
    if (entry->key == key) return entry;
    if (entry->key == nullptr) {
      if (entry->value.is_nil()) return tombstone != nullptr ? tombstone : entry;
      if (tombstone == nullptr) tombstone = entry;
    }
    i = (i + 1) & mask;
  }
}

Value* Table::find(const String* key) {
  if (count_ == 0) return nullptr;
  size_t mask = entries_.size() - 1;
  size_t i = key->hash & mask;
  for (;;) {
    Entry* entry = &entries_[i];
    if (entry->key == key) return &entry->value;
    if (entry->key == nullptr && entry->value.is_nil()) return nullptr;
    i = (i + 1) & mask;
  }
}

void Table::grow() {
  std::vector<Entry> old = std::move(entries_);
  entries_.assign(old.empty() ? 8 : old.size() * 2, Entry{});
  count_ = 0;
  tombstones_ = 0;
  for (const Entry& entry : old) {
    if (entry.key == nullptr) continue;
    *slot_for(entry.key) = entry;
    ++count_;
  }
}

bool Table::set(String* key, Value value) {
  if ((count_ + 1) * 4 > entries_.size() * 3) grow();
  Entry* entry = slot_for(key);
  bool is_new = entry->key == nullptr;
  if (is_new) {
    if (entry->value.is_nil()) {
      ++count_;  // a fresh slot; a reused tombstone was already counted
    } else {
      --tombstones_;
    }
  }
  entry->key = key;
  entry->value = value;
  return is_new;
}

bool Table::erase(const String* key) {
  if (count_ == 0) return false;
  Entry* entry = slot_for(key);
  if (entry->key != key) return false;
  entry->key = nullptr;
  entry->value = Value::boolean(true);
  ++tombstones_;
  return true;
}

void Table::add_all(const Table& from) {
  for (const Entry& entry : from.entries_) {
    if (entry.key != nullptr) set(entry.key, entry.value);
  }
}

}  // namespace sfs::lang
