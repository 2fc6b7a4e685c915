// The keyspace: databases of keys, each key one Entry.
//
// An Entry is a single allocation holding the chain link, the value, the key's bytes and, when
// the key has a time to live, its deadline — and the value itself for short strings and for
// the handle object of lists, hashes, sets and sorted sets:
//
//   offset 0   Entry* next          hash chain (Table)
//          8   value                int64 (int encoding, embstr length) or owning pointer (raw)
//         16   u32 key_len
//         20   u32 meta             bits 0-2 type, 3-4 string encoding, 5 expire slot present,
//                                   6 deadline set, 8-31 LRU clock (seconds, mod 2^24)
//         24   [value object]       ListValue / HashValue / SetValue / ZSetValue, constructed in
//                                   place (16-24 bytes: the pointer to its packed or large form)
//          .   [i64 deadline ms]    only when the expire slot is present
//          .   key bytes
//          .   [embstr bytes]       strings of at most 44 bytes (Redis's embstr limit)
//
// For a key "key:000000000001" holding "xxx" that is 24 + 16 + 3 = 43 bytes, one malloc, plus 8
// bytes of bucket. Redis spends a dictEntry, an sds key and an robj (three allocations) on the
// same key. Strings that parse as integers are stored in the value word (encoding "int").
//
// Deadlines live inside the entry, so there is no second dictionary of expiring keys. The active
// expiry cycle therefore walks the main table's buckets with a cursor (Database::expire_cycle),
// and volatile-* eviction samples buckets — Redis samples its `expires` dict instead; this trades
// some sampling work when few keys have TTLs for 8-24 bytes per key.
//
// The value objects live inside the entry (placement construction), which saves a separate
// allocation per collection: a 3-field hash costs one entry block plus one packed block. Moving
// an entry to a new block (RENAME, adding an expire slot) move-constructs the object across.
//
// Ownership: a Database owns its entries; an entry owns its value. Everything that takes an
// Entry* borrows it until the next change to that database.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <string_view>

#include "systems/kv/table.h"
#include "systems/kv/types.h"

namespace sfs::kv {

enum class Type : uint8_t { kString = 0, kList = 1, kSet = 2, kZSet = 3, kHash = 4 };
enum class StringEncoding : uint8_t { kRaw = 0, kInt = 1, kEmbStr = 2 };

const char* type_name(Type type);

struct Entry {
  Entry* next;
  union {
    void* ptr;
    int64_t integer;
  } value;
  uint32_t key_len;
  uint32_t meta;

  static constexpr uint32_t kTypeMask = 7;
  static constexpr uint32_t kEncShift = 3;
  static constexpr uint32_t kEncMask = 3u << kEncShift;
  static constexpr uint32_t kExpireSlot = 1u << 5;
  static constexpr uint32_t kExpireSet = 1u << 6;
  static constexpr int kLruShift = 8;

  Type type() const { return static_cast<Type>(meta & kTypeMask); }
  StringEncoding string_encoding() const {
    return static_cast<StringEncoding>((meta & kEncMask) >> kEncShift);
  }
  void set_string_encoding(StringEncoding e) {
    meta = (meta & ~kEncMask) | (static_cast<uint32_t>(e) << kEncShift);
  }
  bool has_expire_slot() const { return meta & kExpireSlot; }
  bool has_expire() const { return meta & kExpireSet; }
  // Bytes of the value object stored after the header (0 for strings).
  static size_t object_size(Type type) {
    switch (type) {
      case Type::kString: return 0;
      case Type::kList: return sizeof(ListValue);
      case Type::kHash: return sizeof(HashValue);
      case Type::kSet: return sizeof(SetValue);
      case Type::kZSet: return sizeof(ZSetValue);
    }
    return 0;
  }
  char* object_data() const { return const_cast<char*>(reinterpret_cast<const char*>(this + 1)); }
  char* expire_data() const { return object_data() + object_size(type()); }

  int64_t expire() const;  // REQUIRES: has_expire()
  void set_expire(int64_t ms);  // REQUIRES: has_expire_slot()
  void clear_expire() { meta &= ~kExpireSet; }
  uint32_t lru() const { return meta >> kLruShift; }
  void set_lru(uint32_t clock) { meta = (meta & 0xFF) | (clock << kLruShift); }

  char* key_data() const { return expire_data() + (has_expire_slot() ? 8 : 0); }
  std::string_view key() const { return std::string_view(key_data(), key_len); }

  // String values. For the int encoding the digits are written into `buf` (>= 24 bytes).
  std::string_view string_value(char* buf) const;
  // Object values. REQUIRES: the matching type().
  ListValue* list() const { return std::launder(reinterpret_cast<ListValue*>(object_data())); }
  HashValue* hash() const { return std::launder(reinterpret_cast<HashValue*>(object_data())); }
  SetValue* set() const { return std::launder(reinterpret_cast<SetValue*>(object_data())); }
  ZSetValue* zset() const { return std::launder(reinterpret_cast<ZSetValue*>(object_data())); }
};

// Frees an entry and its value.
struct EntryDeleter {
  void operator()(Entry* e) const;
};
using EntryPtr = std::unique_ptr<Entry, EntryDeleter>;

// The current LRU clock (seconds mod 2^24).
uint32_t lru_clock();

// How entries record accesses in their 24-bit stamp: an LRU clock, or — under an LFU maxmemory
// policy (allkeys-lfu, volatile-lfu) — Redis's LFU pair: the minute of the last decrement (16
// bits) and a logarithmic access counter (8 bits). A new key starts at 5; each access adds one
// with probability 1 / ((counter - 5) * lfu-log-factor + 1), and every lfu-decay-time minutes
// without access take one away, so 255 means "about a million accesses, recently". Switching
// policy reinterprets the stamps, as Redis does (they settle after a while).
struct AccessPolicy {
  bool lfu = false;
  int64_t lfu_log_factor = 10;
  int64_t lfu_decay_time = 1;
};
AccessPolicy& access_policy();
// The stamp of a new entry.
uint32_t new_access_stamp();
// Records an access to `e`.
void touch_entry(Entry* e);
// The entry's LFU counter after decay (OBJECT FREQ). REQUIRES: access_policy().lfu.
uint32_t lfu_frequency(const Entry* e);
// An LFU stamp for `counter` at the current minute (RESTORE ... FREQ).
uint32_t lfu_stamp(uint32_t counter);
// Seconds since the entry was last touched.
uint64_t idle_seconds(const Entry* e);

// New entries. `expire_ms` < 0 means no deadline (and no slot).
EntryPtr make_string_entry(std::string_view key, std::string_view value, int64_t expire_ms = -1);
EntryPtr make_int_entry(std::string_view key, int64_t value, int64_t expire_ms = -1);
EntryPtr make_object_entry(std::string_view key, Type type, int64_t expire_ms = -1);
// A new entry for `key` with a deep copy of `e`'s value and deadline.
EntryPtr copy_entry(const Entry* e, std::string_view key);
// A new entry for `key` that takes over `e`'s value (e keeps nothing, free it with release_shell).
EntryPtr move_entry(Entry* e, std::string_view key, bool with_expire_slot);
// Frees an entry whose value was moved out by move_entry().
void release_shell(Entry* e);
// Approximate bytes held by the entry and its value (MEMORY USAGE).
size_t entry_memory(const Entry* e);

// Turns an embstr/int string into a raw one so it can be modified in place; returns the string.
std::string* make_raw_string(Entry* e);

class Database {
 public:
  struct EntryKey {
    std::string_view operator()(const Entry* e) const { return e->key(); }
  };
  using Map = Table<Entry, EntryKey, KeyHash>;

  explicit Database(int id) : id_(id) {}
  ~Database() { clear(); }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  int id() const { return id_; }
  size_t size() const { return map_.size(); }
  size_t expires() const { return expires_; }

  // The entry of `key` regardless of its deadline.
  Entry* find(std::string_view key) const { return map_.find(key); }
  // Adds or replaces the entry of its key; returns it.
  Entry* put(EntryPtr entry);
  // Removes `key`; false when absent.
  bool remove(std::string_view key);
  // Detaches `key`'s entry and returns it (nullptr when absent).
  EntryPtr take(std::string_view key);
  void clear();

  // Sets / removes the deadline of a present key (may reallocate the entry: returns it).
  Entry* set_expire(std::string_view key, int64_t ms);
  bool persist(std::string_view key);

  // The underlying table (iteration, SCAN, sampling).
  const Map& map() const { return map_; }
  void reserve(size_t n) { map_.reserve(n); }
  // Swaps the contents of two databases (SWAPDB).
  void swap_contents(Database& other);

  // Active expiry: visits up to `buckets` buckets from an internal cursor, collecting keys whose
  // deadline is <= now into `expired`. Returns how many entries with a deadline were seen.
  size_t expire_scan(int64_t now, size_t buckets, std::vector<std::string>* expired);

 private:
  void account_add(const Entry* e) { if (e->has_expire()) ++expires_; }
  void account_remove(const Entry* e) { if (e->has_expire()) --expires_; }

  int id_;
  Map map_;
  size_t expires_ = 0;
  uint64_t expire_cursor_ = 0;
};

}  // namespace sfs::kv
