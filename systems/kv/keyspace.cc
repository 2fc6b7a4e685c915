// Entries and databases: see keyspace.h for the entry layout.
//
// Entries are variable-sized blocks from malloc (sole owner: EntryPtr / the Database); their
// values are C++ objects created with make_unique and adopted back into a unique_ptr to be freed.
#include "systems/kv/keyspace.h"

#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <new>
#include <type_traits>
#include <vector>

namespace sfs::kv {
namespace {

constexpr size_t kEmbStrLimit = 44;

Entry* allocate(std::string_view key, Type type, bool expire_slot, size_t extra) {
  size_t size = sizeof(Entry) + Entry::object_size(type) + (expire_slot ? 8 : 0) + key.size() + extra;
  auto* e = static_cast<Entry*>(std::malloc(size));
  if (e == nullptr) throw std::bad_alloc();
  e->next = nullptr;
  e->value.integer = 0;
  e->key_len = static_cast<uint32_t>(key.size());
  e->meta = static_cast<uint32_t>(type) | (expire_slot ? Entry::kExpireSlot : 0);
  e->set_lru(new_access_stamp());
  if (!key.empty()) std::memcpy(e->key_data(), key.data(), key.size());
  return e;
}

void destroy_value(Entry* e) {
  switch (e->type()) {
    case Type::kString:
      if (e->string_encoding() == StringEncoding::kRaw) {
        std::unique_ptr<std::string> owned(static_cast<std::string*>(e->value.ptr));
      }
      break;
    case Type::kList: std::destroy_at(e->list()); break;
    case Type::kHash: std::destroy_at(e->hash()); break;
    case Type::kSet: std::destroy_at(e->set()); break;
    case Type::kZSet: std::destroy_at(e->zset()); break;
  }
  e->value.ptr = nullptr;
}

}  // namespace

const char* type_name(Type type) {
  switch (type) {
    case Type::kString: return "string";
    case Type::kList: return "list";
    case Type::kSet: return "set";
    case Type::kZSet: return "zset";
    case Type::kHash: return "hash";
  }
  return "none";
}

int64_t Entry::expire() const {
  int64_t v;
  std::memcpy(&v, expire_data(), 8);
  return v;
}

void Entry::set_expire(int64_t ms) {
  std::memcpy(expire_data(), &ms, 8);
  meta |= kExpireSet;
}

std::string_view Entry::string_value(char* buf) const {
  switch (string_encoding()) {
    case StringEncoding::kInt: return std::string_view(buf, format_ll(value.integer, buf));
    case StringEncoding::kEmbStr:
      return std::string_view(key_data() + key_len, static_cast<size_t>(value.integer));
    case StringEncoding::kRaw: return *static_cast<const std::string*>(value.ptr);
  }
  return {};
}

void EntryDeleter::operator()(Entry* e) const {
  if (e == nullptr) return;
  destroy_value(e);
  std::free(e);
}

uint32_t lru_clock() { return static_cast<uint32_t>(now_ms() / 1000) & 0xFFFFFF; }

namespace {

constexpr uint32_t kLfuInitial = 5;

uint32_t lfu_minutes() { return static_cast<uint32_t>(now_ms() / 60000) & 0xFFFF; }

}  // namespace

AccessPolicy& access_policy() {
  static AccessPolicy policy;
  return policy;
}

uint32_t lfu_stamp(uint32_t counter) { return (lfu_minutes() << 8) | (counter & 0xFF); }

uint32_t new_access_stamp() { return access_policy().lfu ? lfu_stamp(kLfuInitial) : lru_clock(); }

uint32_t lfu_frequency(const Entry* e) {
  uint32_t stamp = e->lru();
  uint32_t then = stamp >> 8, counter = stamp & 0xFF;
  uint32_t now = lfu_minutes();
  uint32_t elapsed = now >= then ? now - then : 65535 - then + now;
  int64_t decay = access_policy().lfu_decay_time;
  uint32_t periods = decay > 0 ? static_cast<uint32_t>(elapsed / static_cast<uint64_t>(decay)) : 0;
  return periods > counter ? 0 : counter - periods;
}

void touch_entry(Entry* e) {
  const AccessPolicy& policy = access_policy();
  if (!policy.lfu) {
    e->set_lru(lru_clock());
    return;
  }
  uint32_t counter = lfu_frequency(e);
  if (counter < 255) {
    double base = counter > kLfuInitial ? static_cast<double>(counter - kLfuInitial) : 0.0;
    double p = 1.0 / (base * static_cast<double>(policy.lfu_log_factor) + 1);
    double r = static_cast<double>(rng()() >> 11) * 0x1.0p-53;
    if (r < p) ++counter;
  }
  e->set_lru(lfu_stamp(counter));
}

uint64_t idle_seconds(const Entry* e) {
  uint32_t now = lru_clock();
  uint32_t then = e->lru();
  return now >= then ? now - then : (0x1000000 - then) + now;
}

EntryPtr make_string_entry(std::string_view key, std::string_view value, int64_t expire_ms) {
  int64_t as_int;
  if (value.size() <= 20 && parse_ll(value, &as_int)) return make_int_entry(key, as_int, expire_ms);
  bool slot = expire_ms >= 0;
  if (value.size() <= kEmbStrLimit) {
    Entry* e = allocate(key, Type::kString, slot, value.size());
    e->set_string_encoding(StringEncoding::kEmbStr);
    e->value.integer = static_cast<int64_t>(value.size());
    if (!value.empty()) std::memcpy(e->key_data() + key.size(), value.data(), value.size());
    if (slot) e->set_expire(expire_ms);
    return EntryPtr(e);
  }
  auto str = std::make_unique<std::string>(value);
  Entry* e = allocate(key, Type::kString, slot, 0);
  e->set_string_encoding(StringEncoding::kRaw);
  e->value.ptr = str.release();
  if (slot) e->set_expire(expire_ms);
  return EntryPtr(e);
}

EntryPtr make_int_entry(std::string_view key, int64_t value, int64_t expire_ms) {
  bool slot = expire_ms >= 0;
  Entry* e = allocate(key, Type::kString, slot, 0);
  e->set_string_encoding(StringEncoding::kInt);
  e->value.integer = value;
  if (slot) e->set_expire(expire_ms);
  return EntryPtr(e);
}

EntryPtr make_object_entry(std::string_view key, Type type, int64_t expire_ms) {
  bool slot = expire_ms >= 0;
  Entry* e = allocate(key, type, slot, 0);
  switch (type) {
    case Type::kList: std::construct_at(reinterpret_cast<ListValue*>(e->object_data())); break;
    case Type::kHash: std::construct_at(reinterpret_cast<HashValue*>(e->object_data())); break;
    case Type::kSet: std::construct_at(reinterpret_cast<SetValue*>(e->object_data())); break;
    case Type::kZSet: std::construct_at(reinterpret_cast<ZSetValue*>(e->object_data())); break;
    case Type::kString:
      e->set_string_encoding(StringEncoding::kRaw);
      e->value.ptr = std::make_unique<std::string>().release();
      break;
  }
  if (slot) e->set_expire(expire_ms);
  return EntryPtr(e);
}

EntryPtr copy_entry(const Entry* e, std::string_view key) {
  int64_t expire = e->has_expire() ? e->expire() : -1;
  if (e->type() == Type::kString) {
    char buf[24];
    return make_string_entry(key, e->string_value(buf), expire);
  }
  EntryPtr copy = make_object_entry(key, e->type(), expire);
  switch (e->type()) {
    case Type::kList: {
      ListValue* dst = copy->list();
      if (e->list()->size() > 0) {
        e->list()->range(0, e->list()->size() - 1, [&](std::string_view v) { dst->push(false, v); });
      }
      break;
    }
    case Type::kHash:
      e->hash()->for_each([&](std::string_view f, std::string_view v) { copy->hash()->set(f, v); });
      break;
    case Type::kSet:
      e->set()->for_each([&](std::string_view m) { copy->set()->add(m); });
      break;
    case Type::kZSet:
      if (e->zset()->size() > 0) {
        e->zset()->walk(0, e->zset()->size() - 1, false, [&](std::string_view m, double s) {
          copy->zset()->set(m, s);
          return true;
        });
      }
      break;
    case Type::kString: break;
  }
  return copy;
}

EntryPtr move_entry(Entry* e, std::string_view key, bool with_expire_slot) {
  size_t extra = 0;
  if (e->type() == Type::kString && e->string_encoding() == StringEncoding::kEmbStr) {
    extra = static_cast<size_t>(e->value.integer);
  }
  bool slot = with_expire_slot || e->has_expire();
  Entry* fresh = allocate(key, e->type(), slot, extra);
  fresh->meta = (fresh->meta & ~Entry::kEncMask) | (e->meta & Entry::kEncMask);
  fresh->value = e->value;
  if (extra > 0) std::memcpy(fresh->key_data() + key.size(), e->key_data() + e->key_len, extra);
  if (e->has_expire()) fresh->set_expire(e->expire());
  e->value.ptr = nullptr;
  // Collections: move the in-entry object across; the old one is left empty and destroyed.
  auto relocate = [](auto* from, char* to) {
    using T = std::remove_pointer_t<decltype(from)>;
    std::construct_at(reinterpret_cast<T*>(to), std::move(*from));
    std::destroy_at(from);
  };
  switch (e->type()) {
    case Type::kString: break;
    case Type::kList: relocate(e->list(), fresh->object_data()); break;
    case Type::kHash: relocate(e->hash(), fresh->object_data()); break;
    case Type::kSet: relocate(e->set(), fresh->object_data()); break;
    case Type::kZSet: relocate(e->zset(), fresh->object_data()); break;
  }
  return EntryPtr(fresh);
}

void release_shell(Entry* e) { std::free(e); }

size_t entry_memory(const Entry* e) {
  size_t total = sizeof(Entry) + e->key_len + (e->has_expire_slot() ? 8 : 0) + sizeof(Entry*);
  if (e->type() != Type::kString) total -= Entry::object_size(e->type());  // counted by memory()
  switch (e->type()) {
    case Type::kString:
      if (e->string_encoding() == StringEncoding::kEmbStr) total += static_cast<size_t>(e->value.integer);
      if (e->string_encoding() == StringEncoding::kRaw) {
        total += sizeof(std::string) + static_cast<const std::string*>(e->value.ptr)->capacity();
      }
      break;
    case Type::kList: total += e->list()->memory(); break;
    case Type::kHash: total += e->hash()->memory(); break;
    case Type::kSet: total += e->set()->memory(); break;
    case Type::kZSet: total += e->zset()->memory(); break;
  }
  return total;
}

std::string* make_raw_string(Entry* e) {
  if (e->string_encoding() == StringEncoding::kRaw) return static_cast<std::string*>(e->value.ptr);
  char buf[24];
  auto str = std::make_unique<std::string>(e->string_value(buf));
  e->set_string_encoding(StringEncoding::kRaw);
  e->value.ptr = str.release();
  return static_cast<std::string*>(e->value.ptr);
}

Entry* Database::put(EntryPtr entry) {
  Entry* e = entry.release();
  account_add(e);
  if (Entry** link = map_.find_link(e->key())) {
    EntryPtr old(map_.replace(link, e));
    account_remove(old.get());
    return e;
  }
  map_.insert(e);
  return e;
}

bool Database::remove(std::string_view key) {
  Entry** link = map_.find_link(key);
  if (link == nullptr) return false;
  EntryPtr old(map_.unlink(link));
  account_remove(old.get());
  map_.maybe_shrink();
  return true;
}

EntryPtr Database::take(std::string_view key) {
  Entry** link = map_.find_link(key);
  if (link == nullptr) return nullptr;
  EntryPtr old(map_.unlink(link));
  account_remove(old.get());
  map_.maybe_shrink();
  return old;
}

void Database::clear() {
  map_.clear([](Entry* e) { EntryPtr owned(e); });
  expires_ = 0;
  expire_cursor_ = 0;
}

Entry* Database::set_expire(std::string_view key, int64_t ms) {
  Entry** link = map_.find_link(key);
  if (link == nullptr) return nullptr;
  Entry* e = *link;
  if (!e->has_expire_slot()) {
    EntryPtr fresh = move_entry(e, key, true);
    Entry* old = map_.replace(link, fresh.get());
    release_shell(old);
    e = fresh.release();
  }
  if (!e->has_expire()) ++expires_;
  e->set_expire(ms);
  return e;
}

bool Database::persist(std::string_view key) {
  Entry* e = map_.find(key);
  if (e == nullptr || !e->has_expire()) return false;
  e->clear_expire();
  --expires_;
  return true;
}

void Database::swap_contents(Database& other) {
  map_.swap(other.map_);
  std::swap(expires_, other.expires_);
  expire_cursor_ = other.expire_cursor_ = 0;
}

size_t Database::expire_scan(int64_t now, size_t buckets, std::vector<std::string>* expired) {
  if (expires_ == 0 || map_.size() == 0) return 0;
  size_t seen = 0;
  size_t count = map_.bucket_count();
  buckets = std::min(buckets, count);  // one call never visits a bucket twice
  for (size_t i = 0; i < buckets; ++i) {
    size_t index = expire_cursor_++ % count;
    for (Entry* e = map_.bucket(index); e != nullptr; e = e->next) {
      if (e->has_expire()) {
        ++seen;
        if (e->expire() <= now) expired->emplace_back(e->key());
      }
    }
  }
  return seen;
}

}  // namespace sfs::kv
