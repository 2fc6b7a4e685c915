// Key commands: DEL, EXISTS, TYPE, EXPIRE & co, TTL, PERSIST, RENAME, COPY, KEYS, SCAN,
// RANDOMKEY, DBSIZE, FLUSHDB/FLUSHALL, SELECT, MOVE, SWAPDB, OBJECT, TOUCH.
// Also the helpers of commands.h.
#include <algorithm>
#include <cmath>

#include "systems/kv/commands.h"
#include "systems/kv/util.h"

namespace sfs::kv {

bool parse_scan_cursor(CommandContext& c, size_t index, uint64_t* cursor) {
  auto v = core::parse_uint64(c.arg(index));
  if (!v) {
    c.reply.error("ERR invalid cursor");
    return false;
  }
  *cursor = *v;
  return true;
}

bool parse_scan_options(CommandContext& c, size_t from, bool allow_type, ScanOptions* out) {
  for (size_t i = from; i < c.argc(); i += 2) {
    if (i + 1 >= c.argc()) {
      c.reply.error(err::kSyntax);
      return false;
    }
    if (eq(c.arg(i), "match")) {
      out->pattern = c.arg(i + 1);
      out->has_pattern = !(out->pattern == "*");
    } else if (eq(c.arg(i), "count")) {
      if (!c.int_arg(i + 1, &out->count)) return false;
      if (out->count < 1) {
        c.reply.error(err::kSyntax);
        return false;
      }
    } else if (allow_type && eq(c.arg(i), "type")) {
      out->type = c.arg(i + 1);
      out->has_type = true;
    } else {
      c.reply.error(err::kSyntax);
      return false;
    }
  }
  return true;
}

bool normalize_range(int64_t start, int64_t stop, size_t size, size_t* first, size_t* last) {
  int64_t n = static_cast<int64_t>(size);
  if (start < 0) start += n;
  if (stop < 0) stop += n;
  if (start < 0) start = 0;
  if (start > stop || start >= n) return false;
  if (stop >= n) stop = n - 1;
  *first = static_cast<size_t>(start);
  *last = static_cast<size_t>(stop);
  return true;
}

bool parse_timeout(CommandContext& c, size_t index, int64_t* deadline_ms) {
  long double seconds;
  if (!parse_long_double(c.arg(index), &seconds) || std::isinf(static_cast<double>(seconds))) {
    c.reply.error("ERR timeout is not a float or out of range");
    return false;
  }
  if (seconds < 0) {
    c.reply.error("ERR timeout is negative");
    return false;
  }
  long double ms = seconds * 1000;
  if (ms > 1e15L) {
    c.reply.error("ERR timeout is out of range");
    return false;
  }
  *deadline_ms = ms == 0 ? 0 : now_ms() + std::max<int64_t>(1, static_cast<int64_t>(ms));
  return true;
}

bool delete_if_empty(CommandContext& c, std::string_view key, size_t size) {
  if (size > 0) return false;
  c.db.remove(key);
  return true;
}

Entry* get_or_create(CommandContext& c, std::string_view key, Entry* existing, Type type) {
  if (existing != nullptr) return existing;
  return c.db.put(make_object_entry(key, type));
}

void reply_subcommand_error(CommandContext& c, std::string_view container,
                            std::initializer_list<std::string_view> known) {
  std::string_view sub = c.arg(1);
  for (auto k : known) {
    if (eq(sub, k)) {
      c.reply.error("ERR wrong number of arguments for '" + core::to_lower(container) + "|" +
                    core::to_lower(sub) + "' command");
      return;
    }
  }
  c.reply.error("ERR unknown subcommand '" + std::string(sub.substr(0, 128)) + "'. Try " +
                core::to_upper(container) + " HELP.");
}

namespace {

void cmd_del(CommandContext& c) {
  int64_t removed = 0;
  for (size_t i = 1; i < c.argc(); ++i) {
    if (c.lookup_write(c.arg(i)) == nullptr) continue;
    c.db.remove(c.arg(i));
    c.modified(c.arg(i));
    ++removed;
  }
  c.dirty += removed;
  c.reply.integer(removed);
}

void cmd_exists(CommandContext& c) {
  int64_t n = 0;
  for (size_t i = 1; i < c.argc(); ++i) n += c.lookup_read(c.arg(i)) != nullptr;
  c.reply.integer(n);
}

void cmd_touch(CommandContext& c) {
  int64_t n = 0;
  for (size_t i = 1; i < c.argc(); ++i) n += c.lookup_read(c.arg(i)) != nullptr;
  c.reply.integer(n);
}

void cmd_type(CommandContext& c) {
  Entry* e = c.lookup_read(c.arg(1));
  c.reply.simple(e == nullptr ? "none" : type_name(e->type()));
}

// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT: unit 1000 or 1, absolute or relative.
void expire_generic(CommandContext& c, int64_t unit, bool absolute) {
  int64_t when;
  if (!c.int_arg(2, &when)) return;
  bool nx = false, xx = false, gt = false, lt = false;
  for (size_t i = 3; i < c.argc(); ++i) {
    if (eq(c.arg(i), "nx")) nx = true;
    else if (eq(c.arg(i), "xx")) xx = true;
    else if (eq(c.arg(i), "gt")) gt = true;
    else if (eq(c.arg(i), "lt")) lt = true;
    else {
      c.reply.error("ERR Unsupported option " + std::string(c.arg(i)));
      return;
    }
  }
  if (nx && (xx || gt || lt)) {
    c.reply.error("ERR NX and XX, GT or LT options at the same time are not compatible");
    return;
  }
  if (gt && lt) {
    c.reply.error("ERR GT and LT options at the same time are not compatible");
    return;
  }
  std::string cmd_name = core::to_lower(c.arg(0));
  // Overflow checks as Redis: when * unit and + now must stay within int64.
  if (when > INT64_MAX / unit || when < INT64_MIN / unit) {
    c.reply.error("ERR invalid expire time in '" + cmd_name + "' command");
    return;
  }
  when *= unit;
  if (!absolute) {
    int64_t now = now_ms();
    if ((when > 0 && now > INT64_MAX - when) || (when < 0 && now < INT64_MIN - when)) {
      c.reply.error("ERR invalid expire time in '" + cmd_name + "' command");
      return;
    }
    when += now;
  }
  Entry* e = c.lookup_write(c.arg(1));
  if (e == nullptr) {
    c.reply.integer(0);
    return;
  }
  bool has = e->has_expire();
  int64_t current = has ? e->expire() : 0;
  if ((nx && has) || (xx && !has) || (gt && (!has || when <= current)) ||
      (lt && has && when >= current)) {
    c.reply.integer(0);
    return;
  }
  std::string key(c.arg(1));
  if (when <= now_ms() && !c.server.loading()) {
    c.db.remove(key);
    c.modified(key);
    ++c.dirty;
    if (c.propagating()) c.propagate_as({"DEL", key});
    c.reply.integer(1);
    return;
  }
  c.db.set_expire(key, when);
  c.modified(key);
  ++c.dirty;
  if (c.propagating()) c.propagate_as({"PEXPIREAT", key, ll_to_string(when)});
  c.reply.integer(1);
}

void cmd_expire(CommandContext& c) { expire_generic(c, 1000, false); }
void cmd_pexpire(CommandContext& c) { expire_generic(c, 1, false); }
void cmd_expireat(CommandContext& c) { expire_generic(c, 1000, true); }
void cmd_pexpireat(CommandContext& c) { expire_generic(c, 1, true); }

void ttl_generic(CommandContext& c, bool ms, bool absolute) {
  Entry* e = c.lookup_read(c.arg(1));
  if (e == nullptr) {
    c.reply.integer(-2);
    return;
  }
  if (!e->has_expire()) {
    c.reply.integer(-1);
    return;
  }
  int64_t when = e->expire();
  if (absolute) {
    c.reply.integer(ms ? when : (when + 500) / 1000);
    return;
  }
  int64_t ttl = std::max<int64_t>(0, when - now_ms());
  c.reply.integer(ms ? ttl : (ttl + 500) / 1000);
}

void cmd_ttl(CommandContext& c) { ttl_generic(c, false, false); }
void cmd_pttl(CommandContext& c) { ttl_generic(c, true, false); }
void cmd_expiretime(CommandContext& c) { ttl_generic(c, false, true); }
void cmd_pexpiretime(CommandContext& c) { ttl_generic(c, true, true); }

void cmd_persist(CommandContext& c) {
  Entry* e = c.lookup_write(c.arg(1));
  if (e == nullptr || !c.db.persist(c.arg(1))) {
    c.reply.integer(0);
    return;
  }
  c.modified(c.arg(1));
  ++c.dirty;
  c.reply.integer(1);
}

void rename_generic(CommandContext& c, bool nx) {
  std::string src(c.arg(1)), dst(c.arg(2));
  Entry* e = c.lookup_write(src);
  if (e == nullptr) {
    c.reply.error(err::kNoSuchKey);
    return;
  }
  if (src == dst) {
    if (nx) c.reply.integer(0);
    else c.reply.ok();
    return;
  }
  if (c.lookup_write(dst) != nullptr) {
    if (nx) {
      c.reply.integer(0);
      return;
    }
    c.db.remove(dst);
  }
  EntryPtr old = c.db.take(src);
  Type type = old->type();
  EntryPtr moved = move_entry(old.get(), dst, false);
  release_shell(old.release());
  c.db.put(std::move(moved));
  c.modified(src);
  c.modified(dst);
  if (type == Type::kList || type == Type::kZSet) c.ready(dst);
  ++c.dirty;
  if (nx) c.reply.integer(1);
  else c.reply.ok();
}

void cmd_rename(CommandContext& c) { rename_generic(c, false); }
void cmd_renamenx(CommandContext& c) { rename_generic(c, true); }

void cmd_copy(CommandContext& c) {
  std::string src(c.arg(1)), dst(c.arg(2));
  Database* target = &c.db;
  bool replace = false;
  for (size_t i = 3; i < c.argc(); ++i) {
    if (eq(c.arg(i), "replace")) {
      replace = true;
    } else if (eq(c.arg(i), "db") && i + 1 < c.argc()) {
      int64_t index;
      if (!c.int_arg(++i, &index)) return;
      if (index < 0 || index >= c.server.db_count()) {
        c.reply.error(err::kDbIndex);
        return;
      }
      target = &c.server.db(static_cast<int>(index));
    } else {
      c.reply.error(err::kSyntax);
      return;
    }
  }
  if (src == dst && target == &c.db) {
    c.reply.error("ERR source and destination objects are the same");
    return;
  }
  Entry* e = c.lookup_read(src);
  if (e == nullptr) {
    c.reply.integer(0);
    return;
  }
  Entry* existing = target->find(dst);
  if (existing != nullptr && c.server.expire_if_needed(*target, existing)) existing = nullptr;
  if (existing != nullptr) {
    if (!replace) {
      c.reply.integer(0);
      return;
    }
    target->remove(dst);
  }
  Type type = e->type();
  target->put(copy_entry(e, dst));
  c.server.signal_modified(target->id(), dst);
  if (type == Type::kList || type == Type::kZSet) c.server.signal_ready(target->id(), dst);
  ++c.dirty;
  c.reply.integer(1);
}

void cmd_keys(CommandContext& c) {
  std::string_view pattern = c.arg(1);
  bool all = pattern == "*";
  int64_t now = now_ms();
  std::vector<std::string_view> keys;
  c.db.map().for_each([&](Entry* e) {
    if (e->has_expire() && e->expire() <= now) return;
    if (all || glob_match(pattern, e->key())) keys.push_back(e->key());
  });
  c.reply.array(keys.size());
  for (auto k : keys) c.reply.bulk(k);
}

void cmd_scan(CommandContext& c) {
  uint64_t cursor;
  if (!parse_scan_cursor(c, 1, &cursor)) return;
  ScanOptions opt;
  if (!parse_scan_options(c, 2, true, &opt)) return;
  std::vector<std::string> keys;
  int64_t now = now_ms();
  uint64_t next = c.db.map().scan(cursor, static_cast<size_t>(opt.count), [&](Entry* e) {
    if (e->has_expire() && e->expire() <= now) return;
    if (opt.has_type && !eq(type_name(e->type()), opt.type)) return;
    if (opt.has_pattern && !glob_match(opt.pattern, e->key())) return;
    keys.emplace_back(e->key());
  });
  c.reply.array(2);
  c.reply.bulk(std::to_string(next));
  c.reply.array(keys.size());
  for (const auto& k : keys) c.reply.bulk(k);
}

void cmd_randomkey(CommandContext& c) {
  for (int attempt = 0; attempt < 100 && c.db.size() > 0; ++attempt) {
    Entry* e = c.db.map().random(rng());
    std::string key(e->key());
    if (c.server.expire_if_needed(c.db, e)) continue;
    c.reply.bulk(key);
    return;
  }
  c.reply.null();
}

void cmd_dbsize(CommandContext& c) { c.reply.integer(static_cast<int64_t>(c.db.size())); }

bool parse_flush_mode(CommandContext& c) {
  if (c.argc() > 2 || (c.argc() == 2 && !eq(c.arg(1), "async") && !eq(c.arg(1), "sync"))) {
    c.reply.error(err::kSyntax);
    return false;
  }
  return true;
}

void cmd_flushdb(CommandContext& c) {
  if (!parse_flush_mode(c)) return;
  c.dirty += static_cast<int64_t>(c.db.size()) + 1;
  c.db.clear();
  c.server.touch_all_watched(c.db.id());
  c.reply.ok();
}

void cmd_flushall(CommandContext& c) {
  if (!parse_flush_mode(c)) return;
  for (int i = 0; i < c.server.db_count(); ++i) {
    c.dirty += static_cast<int64_t>(c.server.db(i).size());
    c.server.db(i).clear();
  }
  ++c.dirty;
  c.server.touch_all_watched(-1);
  if (!c.server.config().save.empty() && !c.server.loading() && !c.client.is_fake) {
    (void)c.server.save_rdb();
  }
  c.reply.ok();
}

void cmd_select(CommandContext& c) {
  int64_t index;
  if (!c.int_arg(1, &index)) return;
  if (index < 0 || index >= c.server.db_count()) {
    c.reply.error(err::kDbIndex);
    return;
  }
  c.client.db = static_cast<int>(index);
  c.reply.ok();
}

void cmd_move(CommandContext& c) {
  int64_t index;
  if (!c.int_arg(2, &index)) return;
  if (index < 0 || index >= c.server.db_count()) {
    c.reply.error(err::kDbIndex);
    return;
  }
  Database& target = c.server.db(static_cast<int>(index));
  if (&target == &c.db) {
    c.reply.error("ERR source and destination objects are the same");
    return;
  }
  std::string key(c.arg(1));
  if (c.lookup_write(key) == nullptr) {
    c.reply.integer(0);
    return;
  }
  Entry* there = target.find(key);
  if (there != nullptr && !c.server.expire_if_needed(target, there)) {
    c.reply.integer(0);
    return;
  }
  EntryPtr e = c.db.take(key);
  Type type = e->type();
  target.put(std::move(e));
  c.modified(key);
  c.server.signal_modified(target.id(), key);
  if (type == Type::kList || type == Type::kZSet) c.server.signal_ready(target.id(), key);
  ++c.dirty;
  c.reply.integer(1);
}

void cmd_swapdb(CommandContext& c) {
  int64_t a, b;
  if (!c.int_arg(1, &a, "ERR invalid first DB index")) return;
  if (!c.int_arg(2, &b, "ERR invalid second DB index")) return;
  if (a < 0 || a >= c.server.db_count() || b < 0 || b >= c.server.db_count()) {
    c.reply.error(err::kDbIndex);
    return;
  }
  if (a != b) {
    c.server.db(static_cast<int>(a)).swap_contents(c.server.db(static_cast<int>(b)));
    c.server.touch_all_watched(static_cast<int>(a));
    c.server.touch_all_watched(static_cast<int>(b));
    // Clients blocked in either database may now find data.
    for (int d : {static_cast<int>(a), static_cast<int>(b)}) {
      c.server.db(d).map().for_each([&](Entry* e) {
        if (e->type() == Type::kList || e->type() == Type::kZSet) c.server.signal_ready(d, e->key());
      });
    }
  }
  ++c.dirty;
  c.reply.ok();
}

const char* encoding_name(const Entry* e) {
  switch (e->type()) {
    case Type::kString:
      switch (e->string_encoding()) {
        case StringEncoding::kInt: return "int";
        case StringEncoding::kEmbStr: return "embstr";
        case StringEncoding::kRaw: return "raw";
      }
      break;
    case Type::kList: return e->list()->encoding();
    case Type::kHash: return e->hash()->encoding();
    case Type::kSet: return e->set()->encoding();
    case Type::kZSet: return e->zset()->encoding();
  }
  return "unknown";
}

void cmd_object(CommandContext& c) {
  std::string_view sub = c.arg(1);
  if (eq(sub, "help") && c.argc() == 2) {
    const char* lines[] = {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>", "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>", "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>", "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>", "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP", "    Prints this help."};
    c.reply.array(std::size(lines));
    for (const char* l : lines) c.reply.simple(l);
    return;
  }
  bool known = eq(sub, "encoding") || eq(sub, "refcount") || eq(sub, "idletime") || eq(sub, "freq");
  if (c.argc() != 3 || !known) {
    reply_subcommand_error(c, "object", {"encoding", "refcount", "idletime", "freq", "help"});
    return;
  }
  // OBJECT does not touch the key's LRU clock.
  Entry* e = c.db.find(c.arg(2));
  if (e != nullptr && c.server.expire_if_needed(c.db, e)) e = nullptr;
  if (e == nullptr) {
    c.reply.null();
    return;
  }
  if (eq(sub, "encoding")) {
    c.reply.bulk(encoding_name(e));
  } else if (eq(sub, "refcount")) {
    c.reply.integer(1);
  } else if (eq(sub, "idletime")) {
    if (c.server.config().maxmemory_policy.ends_with("lfu")) {
      c.reply.error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note "
                    "that when switching between policies at runtime LRU and LFU data will take "
                    "some time to adjust.");
      return;
    }
    c.reply.integer(static_cast<int64_t>(idle_seconds(e)));
  } else if (access_policy().lfu) {
    c.reply.integer(static_cast<int64_t>(lfu_frequency(e)));
  } else {
    c.reply.error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
                  "Please note that when switching between policies at runtime LRU and LFU data "
                  "will take some time to adjust.");
  }
}

}  // namespace

void register_key_commands(std::vector<CommandSpec>& t) {
  t.push_back({"del", cmd_del, -2, kWrite, 1, -1, 1, "generic", "1.0.0", "Delete a key", "key [key ...]"});
  t.push_back({"unlink", cmd_del, -2, kWrite | kFast, 1, -1, 1, "generic", "4.0.0", "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.", "key [key ...]"});
  t.push_back({"exists", cmd_exists, -2, kReadOnly | kFast, 1, -1, 1, "generic", "1.0.0", "Determine if a key exists", "key [key ...]"});
  t.push_back({"touch", cmd_touch, -2, kReadOnly | kFast, 1, -1, 1, "generic", "3.2.1", "Alters the last access time of a key(s). Returns the number of existing keys specified.", "key [key ...]"});
  t.push_back({"type", cmd_type, 2, kReadOnly | kFast, 1, 1, 1, "generic", "1.0.0", "Determine the type stored at key", "key"});
  t.push_back({"expire", cmd_expire, -3, kWrite | kFast, 1, 1, 1, "generic", "1.0.0", "Set a key's time to live in seconds", "key seconds [NX|XX|GT|LT]"});
  t.push_back({"pexpire", cmd_pexpire, -3, kWrite | kFast, 1, 1, 1, "generic", "2.6.0", "Set a key's time to live in milliseconds", "key milliseconds [NX|XX|GT|LT]"});
  t.push_back({"expireat", cmd_expireat, -3, kWrite | kFast, 1, 1, 1, "generic", "1.2.0", "Set the expiration for a key as a UNIX timestamp", "key unix-time-seconds [NX|XX|GT|LT]"});
  t.push_back({"pexpireat", cmd_pexpireat, -3, kWrite | kFast, 1, 1, 1, "generic", "2.6.0", "Set the expiration for a key as a UNIX timestamp specified in milliseconds", "key unix-time-milliseconds [NX|XX|GT|LT]"});
  t.push_back({"ttl", cmd_ttl, 2, kReadOnly | kFast, 1, 1, 1, "generic", "1.0.0", "Get the time to live for a key in seconds", "key"});
  t.push_back({"pttl", cmd_pttl, 2, kReadOnly | kFast, 1, 1, 1, "generic", "2.6.0", "Get the time to live for a key in milliseconds", "key"});
  t.push_back({"expiretime", cmd_expiretime, 2, kReadOnly | kFast, 1, 1, 1, "generic", "7.0.0", "Get the expiration Unix timestamp for a key", "key"});
  t.push_back({"pexpiretime", cmd_pexpiretime, 2, kReadOnly | kFast, 1, 1, 1, "generic", "7.0.0", "Get the expiration Unix timestamp for a key in milliseconds", "key"});
  t.push_back({"persist", cmd_persist, 2, kWrite | kFast, 1, 1, 1, "generic", "2.2.0", "Remove the expiration from a key", "key"});
  t.push_back({"rename", cmd_rename, 3, kWrite, 1, 2, 1, "generic", "1.0.0", "Rename a key", "key newkey"});
  t.push_back({"renamenx", cmd_renamenx, 3, kWrite | kFast, 1, 2, 1, "generic", "1.0.0", "Rename a key, only if the new key does not exist", "key newkey"});
  t.push_back({"copy", cmd_copy, -3, kWrite | kDenyOom, 1, 2, 1, "generic", "6.2.0", "Copy a key", "source destination [DB destination-db] [REPLACE]"});
  t.push_back({"keys", cmd_keys, 2, kReadOnly, 0, 0, 0, "generic", "1.0.0", "Find all keys matching the given pattern", "pattern"});
  t.push_back({"scan", cmd_scan, -2, kReadOnly, 0, 0, 0, "generic", "2.8.0", "Incrementally iterate the keys space", "cursor [MATCH pattern] [COUNT count] [TYPE type]"});
  t.push_back({"randomkey", cmd_randomkey, 1, kReadOnly, 0, 0, 0, "generic", "1.0.0", "Return a random key from the keyspace", ""});
  t.push_back({"dbsize", cmd_dbsize, 1, kReadOnly | kFast, 0, 0, 0, "server", "1.0.0", "Return the number of keys in the selected database", ""});
  t.push_back({"flushdb", cmd_flushdb, -1, kWrite, 0, 0, 0, "server", "1.0.0", "Remove all keys from the current database", "[ASYNC|SYNC]"});
  t.push_back({"flushall", cmd_flushall, -1, kWrite, 0, 0, 0, "server", "1.0.0", "Remove all keys from all databases", "[ASYNC|SYNC]"});
  t.push_back({"select", cmd_select, 2, kFast | kLoading, 0, 0, 0, "connection", "1.0.0", "Change the selected database for the current connection", "index"});
  t.push_back({"move", cmd_move, 3, kWrite | kFast, 1, 1, 1, "generic", "1.0.0", "Move a key to another database", "key db"});
  t.push_back({"swapdb", cmd_swapdb, 3, kWrite | kFast, 0, 0, 0, "server", "4.0.0", "Swaps two Redis databases", "index1 index2"});
  t.push_back({"object", cmd_object, -2, kContainer | kReadOnly, 2, 2, 1, "generic", "2.2.3", "A container for object introspection commands", "subcommand [key]"});
}

}  // namespace sfs::kv
