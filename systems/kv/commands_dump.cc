// DUMP and RESTORE: a key's value as an opaque, checksummed payload and back.
//
// The payload is the value as an RDB file holds it (rdb.cc writes and reads it), followed by the
// RDB version and a CRC-64 — Redis's layout, so a payload from Redis 7 restores here (its
// listpack/quicklist/intset encodings included) and one from here restores into Redis. Ours are
// written with the plain encodings of RDB version 9, which Redis 5 and later accept too, so the
// bytes differ from what Redis 7.0 would produce for the same value; only the value matters.
//
// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency] checks, in
// Redis's order: the options, that the key is free (or REPLACE), the TTL, the payload's version
// and checksum, and the payload's contents. A TTL already in the past creates nothing (and, with
// REPLACE, still deletes the old key). IDLETIME and FREQ set the key's access stamp (keyspace.h).
// A relative TTL is propagated as an absolute one (ABSTTL), so replaying the AOF later does not
// extend it.
#include "systems/kv/commands.h"
#include "systems/kv/rdb.h"
#include "systems/kv/util.h"

namespace sfs::kv {
namespace {

void cmd_dump(CommandContext& c) {
  Entry* e = c.lookup_read(c.arg(1));
  if (e == nullptr) {
    c.reply.null();
    return;
  }
  c.reply.bulk(rdb_dump(e));
}

void cmd_restore(CommandContext& c) {
  bool replace = false, absttl = false;
  int64_t idle = -1, freq = -1;
  for (size_t j = 4; j < c.argc(); ++j) {
    size_t left = c.argc() - j - 1;
    if (eq(c.arg(j), "replace")) {
      replace = true;
    } else if (eq(c.arg(j), "absttl")) {
      absttl = true;
    } else if (eq(c.arg(j), "idletime") && left >= 1 && freq == -1) {
      if (!c.int_arg(j + 1, &idle)) return;
      if (idle < 0) {
        c.reply.error("ERR Invalid IDLETIME value, must be >= 0");
        return;
      }
      ++j;
    } else if (eq(c.arg(j), "freq") && left >= 1 && idle == -1) {
      if (!c.int_arg(j + 1, &freq)) return;
      if (freq < 0 || freq > 255) {
        c.reply.error("ERR Invalid FREQ value, must be >= 0 and <= 255");
        return;
      }
      ++j;
    } else {
      c.reply.error(err::kSyntax);
      return;
    }
  }
  std::string key(c.arg(1));
  if (!replace && c.lookup_write(key) != nullptr) {
    c.reply.error("BUSYKEY Target key name already exists.");
    return;
  }
  int64_t ttl;
  if (!c.int_arg(2, &ttl)) return;
  if (ttl < 0) {
    c.reply.error("ERR Invalid TTL value, must be >= 0");
    return;
  }
  std::string_view payload = c.arg(3);
  if (!rdb_dump_payload_valid(payload)) {
    c.reply.error("ERR DUMP payload version or checksum are wrong");
    return;
  }
  auto restored = rdb_restore(payload, key);
  if (!restored.is_ok()) {
    c.reply.error("ERR Bad data format");
    return;
  }
  bool deleted = replace && c.lookup_write(key) != nullptr && c.db.remove(key);
  int64_t deadline = 0;
  if (ttl > 0) deadline = absttl ? ttl : (ttl > INT64_MAX - now_ms() ? INT64_MAX : now_ms() + ttl);
  if (deadline > 0 && deadline <= now_ms()) {
    // Already expired: nothing is created; a replaced key is just gone.
    if (deleted) {
      c.modified(key);
      ++c.dirty;
      c.propagate_as({"DEL", key});
    }
    c.reply.ok();
    return;
  }
  Entry* e = c.db.put(std::move(restored).value());
  if (deadline > 0) e = c.db.set_expire(key, deadline);
  // IDLETIME sets the LRU clock back, FREQ the LFU counter; each only under its kind of policy.
  if (idle >= 0 && !access_policy().lfu) {
    uint64_t back = static_cast<uint64_t>(idle) % 0x1000000;
    e->set_lru(static_cast<uint32_t>((lru_clock() + 0x1000000 - back) & 0xFFFFFF));
  }
  if (freq >= 0 && access_policy().lfu) e->set_lru(lfu_stamp(static_cast<uint32_t>(freq)));
  c.modified(key);
  ++c.dirty;
  if (deadline > 0 && !absttl) {
    std::vector<std::string> args(c.argv.begin(), c.argv.end());
    args[2] = std::to_string(deadline);
    args.emplace_back("ABSTTL");
    c.propagate_as(std::move(args));
  }
  c.reply.ok();
}

}  // namespace

void register_dump_commands(std::vector<CommandSpec>& t) {
  t.push_back({"dump", cmd_dump, 2, kReadOnly, 1, 1, 1, "generic", "2.6.0", "Return a serialized version of the value stored at the specified key.", "key"});
  t.push_back({"restore", cmd_restore, -4, kWrite | kDenyOom, 1, 1, 1, "generic", "2.6.0", "Create a key using the provided serialized value, previously obtained using DUMP.", "key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]"});
}

}  // namespace sfs::kv
