// Hash commands.
#include <algorithm>
#include <cmath>

#include "systems/kv/commands.h"
#include "systems/kv/util.h"

namespace sfs::kv {
namespace {

Entry* read_hash(CommandContext& c, bool* ok) {
  Entry* e = c.lookup_read(c.arg(1));
  *ok = c.check_type(e, Type::kHash);
  return e;
}

void cmd_hset(CommandContext& c) {
  if (c.argc() % 2 != 0) {
    c.reply.error("ERR wrong number of arguments for '" + core::to_lower(c.arg(0)) + "' command");
    return;
  }
  Entry* e = c.lookup_write(c.arg(1));
  if (!c.check_type(e, Type::kHash)) return;
  e = get_or_create(c, c.arg(1), e, Type::kHash);
  int64_t created = 0;
  for (size_t i = 2; i < c.argc(); i += 2) created += e->hash()->set(c.arg(i), c.arg(i + 1));
  c.modified(c.arg(1));
  c.dirty += static_cast<int64_t>((c.argc() - 2) / 2);
  if (eq(c.arg(0), "hmset")) c.reply.ok();
  else c.reply.integer(created);
}

void cmd_hsetnx(CommandContext& c) {
  Entry* e = c.lookup_write(c.arg(1));
  if (!c.check_type(e, Type::kHash)) return;
  if (e != nullptr && e->hash()->get(c.arg(2))) {
    c.reply.integer(0);
    return;
  }
  e = get_or_create(c, c.arg(1), e, Type::kHash);
  e->hash()->set(c.arg(2), c.arg(3));
  c.modified(c.arg(1));
  ++c.dirty;
  c.reply.integer(1);
}

void cmd_hget(CommandContext& c) {
  bool ok;
  Entry* e = read_hash(c, &ok);
  if (!ok) return;
  std::optional<std::string_view> v;
  if (e != nullptr) v = e->hash()->get(c.arg(2));
  if (v) c.reply.bulk(*v);
  else c.reply.null();
}

void cmd_hmget(CommandContext& c) {
  bool ok;
  Entry* e = read_hash(c, &ok);
  if (!ok) return;
  c.reply.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); ++i) {
    std::optional<std::string_view> v;
    if (e != nullptr) v = e->hash()->get(c.arg(i));
    if (v) c.reply.bulk(*v);
    else c.reply.null();
  }
}

void cmd_hdel(CommandContext& c) {
  Entry* e = c.lookup_write(c.arg(1));
  if (!c.check_type(e, Type::kHash)) return;
  int64_t removed = 0;
  if (e != nullptr) {
    for (size_t i = 2; i < c.argc(); ++i) {
      if (e->hash()->remove(c.arg(i))) ++removed;
      if (e->hash()->size() == 0) break;
    }
    if (removed > 0) {
      delete_if_empty(c, c.arg(1), e->hash()->size());
      c.modified(c.arg(1));
      c.dirty += removed;
    }
  }
  c.reply.integer(removed);
}

// HGETALL (fields and values), HKEYS, HVALS.
void getall_generic(CommandContext& c, bool fields, bool values) {
  bool ok;
  Entry* e = read_hash(c, &ok);
  if (!ok) return;
  size_t n = e == nullptr ? 0 : e->hash()->size();
  if (fields && values) c.reply.map(n);
  else c.reply.array(n);
  if (e == nullptr) return;
  e->hash()->for_each([&](std::string_view f, std::string_view v) {
    if (fields) c.reply.bulk(f);
    if (values) c.reply.bulk(v);
  });
}

void cmd_hgetall(CommandContext& c) { getall_generic(c, true, true); }
void cmd_hkeys(CommandContext& c) { getall_generic(c, true, false); }
void cmd_hvals(CommandContext& c) { getall_generic(c, false, true); }

void cmd_hlen(CommandContext& c) {
  bool ok;
  Entry* e = read_hash(c, &ok);
  if (!ok) return;
  c.reply.integer(e == nullptr ? 0 : static_cast<int64_t>(e->hash()->size()));
}

void cmd_hexists(CommandContext& c) {
  bool ok;
  Entry* e = read_hash(c, &ok);
  if (!ok) return;
  c.reply.integer(e != nullptr && e->hash()->get(c.arg(2)) ? 1 : 0);
}

void cmd_hstrlen(CommandContext& c) {
  bool ok;
  Entry* e = read_hash(c, &ok);
  if (!ok) return;
  std::optional<std::string_view> v;
  if (e != nullptr) v = e->hash()->get(c.arg(2));
  c.reply.integer(v ? static_cast<int64_t>(v->size()) : 0);
}

void cmd_hincrby(CommandContext& c) {
  int64_t by;
  if (!c.int_arg(3, &by)) return;
  Entry* e = c.lookup_write(c.arg(1));
  if (!c.check_type(e, Type::kHash)) return;
  int64_t value = 0;
  if (e != nullptr) {
    if (auto v = e->hash()->get(c.arg(2))) {
      if (!parse_ll(*v, &value)) {
        c.reply.error("ERR hash value is not an integer");
        return;
      }
    }
  }
  if ((by < 0 && value < 0 && by < INT64_MIN - value) || (by > 0 && value > 0 && by > INT64_MAX - value)) {
    c.reply.error(err::kOverflow);
    return;
  }
  value += by;
  e = get_or_create(c, c.arg(1), e, Type::kHash);
  e->hash()->set(c.arg(2), ll_to_string(value));
  c.modified(c.arg(1));
  ++c.dirty;
  c.reply.integer(value);
}

void cmd_hincrbyfloat(CommandContext& c) {
  long double by;
  if (!parse_long_double(c.arg(3), &by)) {
    c.reply.error(err::kNotFloat);
    return;
  }
  Entry* e = c.lookup_write(c.arg(1));
  if (!c.check_type(e, Type::kHash)) return;
  long double value = 0;
  if (e != nullptr) {
    if (auto v = e->hash()->get(c.arg(2))) {
      if (!parse_long_double(*v, &value)) {
        c.reply.error("ERR hash value is not a float");
        return;
      }
    }
  }
  value += by;
  if (std::isnan(value) || std::isinf(value)) {
    c.reply.error("ERR increment would produce NaN or Infinity");
    return;
  }
  std::string text = format_long_double(value);
  e = get_or_create(c, c.arg(1), e, Type::kHash);
  e->hash()->set(c.arg(2), text);
  c.modified(c.arg(1));
  ++c.dirty;
  c.reply.bulk(text);
  if (c.propagating()) c.propagate_as({"HSET", std::string(c.arg(1)), std::string(c.arg(2)), text});
}

void cmd_hscan(CommandContext& c) {
  uint64_t cursor;
  if (!parse_scan_cursor(c, 2, &cursor)) return;
  ScanOptions opt;
  if (!parse_scan_options(c, 3, false, &opt)) return;
  bool ok;
  Entry* e = read_hash(c, &ok);
  if (!ok) return;
  std::vector<std::pair<std::string, std::string>> items;
  uint64_t next = 0;
  if (e != nullptr) {
    next = e->hash()->scan(cursor, static_cast<size_t>(opt.count), [&](std::string_view f, std::string_view v) {
      if (opt.has_pattern && !glob_match(opt.pattern, f)) return;
      items.emplace_back(f, v);
    });
  }
  c.reply.array(2);
  c.reply.bulk(std::to_string(next));
  c.reply.array(items.size() * 2);
  for (auto& [f, v] : items) {
    c.reply.bulk(f);
    c.reply.bulk(v);
  }
}

void cmd_hrandfield(CommandContext& c) {
  bool with_values = false;
  int64_t count = 0;
  bool has_count = c.argc() >= 3;
  if (has_count && !c.int_arg(2, &count)) return;
  if (c.argc() == 4) {
    if (!eq(c.arg(3), "withvalues")) {
      c.reply.error(err::kSyntax);
      return;
    }
    with_values = true;
  } else if (c.argc() > 4) {
    c.reply.error(err::kSyntax);
    return;
  }
  bool ok;
  Entry* e = read_hash(c, &ok);
  if (!ok) return;
  if (!has_count) {
    if (e == nullptr) c.reply.null();
    else c.reply.bulk(e->hash()->random().first);
    return;
  }
  if (e == nullptr || count == 0) {
    c.reply.array(0);
    return;
  }
  HashValue* h = e->hash();
  std::vector<std::pair<std::string_view, std::string_view>> picked;
  if (count < 0) {
    if (count < -(INT64_MAX / 2)) {
      c.reply.error("ERR value is out of range");
      return;
    }
    for (int64_t i = 0; i < -count; ++i) picked.push_back(h->random());
  } else if (static_cast<size_t>(count) >= h->size()) {
    h->for_each([&](std::string_view f, std::string_view v) { picked.emplace_back(f, v); });
  } else {
    std::vector<std::pair<std::string_view, std::string_view>> all;
    h->for_each([&](std::string_view f, std::string_view v) { all.emplace_back(f, v); });
    std::shuffle(all.begin(), all.end(), rng());
    all.resize(static_cast<size_t>(count));
    picked = std::move(all);
  }
  if (with_values && c.reply.resp3()) {
    c.reply.array(picked.size());
    for (auto& [f, v] : picked) {
      c.reply.array(2);
      c.reply.bulk(f);
      c.reply.bulk(v);
    }
    return;
  }
  c.reply.array(picked.size() * (with_values ? 2 : 1));
  for (auto& [f, v] : picked) {
    c.reply.bulk(f);
    if (with_values) c.reply.bulk(v);
  }
}

}  // namespace

void register_hash_commands(std::vector<CommandSpec>& t) {
  t.push_back({"hset", cmd_hset, -4, kWrite | kDenyOom | kFast, 1, 1, 1, "hash", "2.0.0", "Set the string value of a hash field", "key field value [field value ...]"});
  t.push_back({"hmset", cmd_hset, -4, kWrite | kDenyOom | kFast, 1, 1, 1, "hash", "2.0.0", "Set multiple hash fields to multiple values", "key field value [field value ...]"});
  t.push_back({"hsetnx", cmd_hsetnx, 4, kWrite | kDenyOom | kFast, 1, 1, 1, "hash", "2.0.0", "Set the value of a hash field, only if the field does not exist", "key field value"});
  t.push_back({"hget", cmd_hget, 3, kReadOnly | kFast, 1, 1, 1, "hash", "2.0.0", "Get the value of a hash field", "key field"});
  t.push_back({"hmget", cmd_hmget, -3, kReadOnly | kFast, 1, 1, 1, "hash", "2.0.0", "Get the values of all the given hash fields", "key field [field ...]"});
  t.push_back({"hdel", cmd_hdel, -3, kWrite | kFast, 1, 1, 1, "hash", "2.0.0", "Delete one or more hash fields", "key field [field ...]"});
  t.push_back({"hgetall", cmd_hgetall, 2, kReadOnly, 1, 1, 1, "hash", "2.0.0", "Get all the fields and values in a hash", "key"});
  t.push_back({"hkeys", cmd_hkeys, 2, kReadOnly, 1, 1, 1, "hash", "2.0.0", "Get all the fields in a hash", "key"});
  t.push_back({"hvals", cmd_hvals, 2, kReadOnly, 1, 1, 1, "hash", "2.0.0", "Get all the values in a hash", "key"});
  t.push_back({"hlen", cmd_hlen, 2, kReadOnly | kFast, 1, 1, 1, "hash", "2.0.0", "Get the number of fields in a hash", "key"});
  t.push_back({"hexists", cmd_hexists, 3, kReadOnly | kFast, 1, 1, 1, "hash", "2.0.0", "Determine if a hash field exists", "key field"});
  t.push_back({"hstrlen", cmd_hstrlen, 3, kReadOnly | kFast, 1, 1, 1, "hash", "3.2.0", "Get the length of the value of a hash field", "key field"});
  t.push_back({"hincrby", cmd_hincrby, 4, kWrite | kDenyOom | kFast, 1, 1, 1, "hash", "2.0.0", "Increment the integer value of a hash field by the given number", "key field increment"});
  t.push_back({"hincrbyfloat", cmd_hincrbyfloat, 4, kWrite | kDenyOom | kFast, 1, 1, 1, "hash", "2.6.0", "Increment the float value of a hash field by the given amount", "key field increment"});
  t.push_back({"hscan", cmd_hscan, -3, kReadOnly, 1, 1, 1, "hash", "2.8.0", "Incrementally iterate hash fields and associated values", "key cursor [MATCH pattern] [COUNT count]"});
  t.push_back({"hrandfield", cmd_hrandfield, -2, kReadOnly, 1, 1, 1, "hash", "6.2.0", "Get one or multiple random fields from a hash", "key [count [WITHVALUES]]"});
}

}  // namespace sfs::kv
