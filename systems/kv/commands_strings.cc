// String commands: GET, SET and its variants, MGET/MSET, counters, APPEND, STRLEN, ranges,
// GETDEL/GETEX/GETSET.
#include <cmath>
#include <cstring>
#include <vector>

#include "systems/kv/commands.h"
#include "systems/kv/util.h"

namespace sfs::kv {
namespace {

constexpr int64_t kMaxStringSize = 512LL * 1024 * 1024;

// Replies the string value of `e` (REQUIRES: a string).
void reply_string(CommandContext& c, const Entry* e) {
  char buf[24];
  c.reply.bulk(e->string_value(buf));
}

// Stores `value` at `key`, replacing whatever was there; `expire_ms` < 0 clears the TTL unless
// keep_ttl.
void set_key(CommandContext& c, std::string_view key, std::string_view value, int64_t expire_ms,
             bool keep_ttl) {
  if (keep_ttl) {
    Entry* old = c.db.find(key);
    if (old != nullptr && old->has_expire()) expire_ms = old->expire();
  }
  c.db.put(make_string_entry(key, value, expire_ms));
  c.modified(key);
  ++c.dirty;
}

void cmd_get(CommandContext& c) {
  Entry* e = c.lookup_read(c.arg(1));
  if (e == nullptr) {
    c.reply.null();
    return;
  }
  if (!c.check_type(e, Type::kString)) return;
  reply_string(c, e);
}

// The expiry options shared by SET and GETEX. Returns false after replying an error.
struct ExpireOption {
  int64_t when_ms = -1;  // absolute deadline, -1 none
  bool keep_ttl = false;
  bool persist = false;
  bool any = false;
};

bool parse_expire_value(CommandContext& c, size_t i, int64_t unit, bool absolute,
                        ExpireOption* out, std::string_view cmd) {
  int64_t v;
  if (!c.int_arg(i, &v)) return false;
  if (v <= 0 || v > INT64_MAX / unit) {
    c.reply.error("ERR invalid expire time in '" + std::string(cmd) + "' command");
    return false;
  }
  v *= unit;
  if (!absolute) {
    int64_t now = now_ms();
    if (v > INT64_MAX - now) {
      c.reply.error("ERR invalid expire time in '" + std::string(cmd) + "' command");
      return false;
    }
    v += now;
  }
  out->when_ms = v;
  return true;
}

void cmd_set(CommandContext& c) {
  bool nx = false, xx = false, get = false;
  ExpireOption exp;
  for (size_t i = 3; i < c.argc(); ++i) {
    std::string_view a = c.arg(i);
    bool has_next = i + 1 < c.argc();
    if (eq(a, "nx") && !xx) {
      nx = true;
    } else if (eq(a, "xx") && !nx) {
      xx = true;
    } else if (eq(a, "get")) {
      get = true;
    } else if (eq(a, "keepttl") && !exp.any) {
      exp.keep_ttl = exp.any = true;
    } else if ((eq(a, "ex") || eq(a, "px") || eq(a, "exat") || eq(a, "pxat")) && !exp.any && has_next) {
      exp.any = true;
      bool ms = eq(a, "px") || eq(a, "pxat");
      bool absolute = eq(a, "exat") || eq(a, "pxat");
      if (!parse_expire_value(c, ++i, ms ? 1 : 1000, absolute, &exp, "set")) return;
    } else {
      c.reply.error(err::kSyntax);
      return;
    }
  }
  std::string_view key = c.arg(1);
  Entry* e = c.lookup_write(key);
  if (get) {
    if (!c.check_type(e, Type::kString)) return;
    if (e == nullptr) c.reply.null();
    else reply_string(c, e);
  }
  if ((nx && e != nullptr) || (xx && e == nullptr)) {
    if (!get) c.reply.null();
    return;
  }
  set_key(c, key, c.arg(2), exp.when_ms, exp.keep_ttl);
  if (!get) c.reply.ok();
  // Relative deadlines are propagated as absolute ones, so a replay sets the same deadline.
  if (c.propagating()) {
    std::vector<std::string> args = {"SET", std::string(key), std::string(c.arg(2))};
    if (exp.when_ms >= 0) {
      args.push_back("PXAT");
      args.push_back(ll_to_string(exp.when_ms));
    } else if (exp.keep_ttl) {
      args.push_back("KEEPTTL");
    }
    c.propagate_as(std::move(args));
  }
}

void cmd_setnx(CommandContext& c) {
  if (c.lookup_write(c.arg(1)) != nullptr) {
    c.reply.integer(0);
    return;
  }
  set_key(c, c.arg(1), c.arg(2), -1, false);
  c.reply.integer(1);
}

void setex_generic(CommandContext& c, int64_t unit) {
  ExpireOption exp;
  if (!parse_expire_value(c, 2, unit, false, &exp, core::to_lower(c.arg(0)))) return;
  set_key(c, c.arg(1), c.arg(3), exp.when_ms, false);
  if (c.propagating()) c.propagate_as({"SET", std::string(c.arg(1)), std::string(c.arg(3)), "PXAT", ll_to_string(exp.when_ms)});
  c.reply.ok();
}

void cmd_setex(CommandContext& c) { setex_generic(c, 1000); }
void cmd_psetex(CommandContext& c) { setex_generic(c, 1); }

void cmd_mget(CommandContext& c) {
  c.reply.array(c.argc() - 1);
  for (size_t i = 1; i < c.argc(); ++i) {
    Entry* e = c.lookup_read(c.arg(i));
    if (e == nullptr || e->type() != Type::kString) c.reply.null();
    else reply_string(c, e);
  }
}

void cmd_mset(CommandContext& c) {
  if (c.argc() % 2 == 0) {
    c.reply.error("ERR wrong number of arguments for '" + core::to_lower(c.arg(0)) + "' command");
    return;
  }
  bool nx = eq(c.arg(0), "msetnx");
  if (nx) {
    for (size_t i = 1; i < c.argc(); i += 2) {
      if (c.lookup_write(c.arg(i)) != nullptr) {
        c.reply.integer(0);
        return;
      }
    }
  }
  for (size_t i = 1; i < c.argc(); i += 2) set_key(c, c.arg(i), c.arg(i + 1), -1, false);
  if (nx) c.reply.integer(1);
  else c.reply.ok();
}

void incr_generic(CommandContext& c, int64_t by) {
  Entry* e = c.lookup_write(c.arg(1));
  if (!c.check_type(e, Type::kString)) return;
  int64_t value = 0;
  if (e != nullptr) {
    if (e->string_encoding() == StringEncoding::kInt) {
      value = e->value.integer;
    } else {
      char buf[24];
      if (!parse_ll(e->string_value(buf), &value)) {
        c.reply.error(err::kNotInteger);
        return;
      }
    }
  }
  if ((by < 0 && value < 0 && by < INT64_MIN - value) ||
      (by > 0 && value > 0 && by > INT64_MAX - value)) {
    c.reply.error(err::kOverflow);
    return;
  }
  value += by;
  if (e != nullptr && e->string_encoding() == StringEncoding::kInt) {
    e->value.integer = value;  // in place: the common case of a counter
  } else if (e != nullptr && e->string_encoding() == StringEncoding::kRaw) {
    std::unique_ptr<std::string> owned(static_cast<std::string*>(e->value.ptr));
    e->set_string_encoding(StringEncoding::kInt);
    e->value.integer = value;
  } else {
    int64_t expire = e != nullptr && e->has_expire() ? e->expire() : -1;
    c.db.put(make_int_entry(c.arg(1), value, expire));
  }
  c.modified(c.arg(1));
  ++c.dirty;
  c.reply.integer(value);
}

void cmd_incr(CommandContext& c) { incr_generic(c, 1); }
void cmd_decr(CommandContext& c) { incr_generic(c, -1); }
void cmd_incrby(CommandContext& c) {
  int64_t by;
  if (!c.int_arg(2, &by)) return;
  incr_generic(c, by);
}
void cmd_decrby(CommandContext& c) {
  int64_t by;
  if (!c.int_arg(2, &by)) return;
  if (by == INT64_MIN) {
    c.reply.error("ERR decrement would overflow");
    return;
  }
  incr_generic(c, -by);
}

void cmd_incrbyfloat(CommandContext& c) {
  long double by;
  if (!parse_long_double(c.arg(2), &by)) {
    c.reply.error(err::kNotFloat);
    return;
  }
  Entry* e = c.lookup_write(c.arg(1));
  if (!c.check_type(e, Type::kString)) return;
  long double value = 0;
  if (e != nullptr) {
    char buf[24];
    if (!parse_long_double(e->string_value(buf), &value)) {
      c.reply.error(err::kNotFloat);
      return;
    }
  }
  value += by;
  if (std::isnan(value) || std::isinf(value)) {
    c.reply.error("ERR increment would produce NaN or Infinity");
    return;
  }
  std::string text = format_long_double(value);
  set_key(c, c.arg(1), text, -1, true);
  c.reply.bulk(text);
  if (c.propagating()) c.propagate_as({"SET", std::string(c.arg(1)), text, "KEEPTTL"});
}

void cmd_append(CommandContext& c) {
  Entry* e = c.lookup_write(c.arg(1));
  if (!c.check_type(e, Type::kString)) return;
  if (e == nullptr) {
    set_key(c, c.arg(1), c.arg(2), -1, false);
    c.reply.integer(static_cast<int64_t>(c.arg(2).size()));
    return;
  }
  char buf[24];
  size_t current = e->string_value(buf).size();
  if (static_cast<int64_t>(current + c.arg(2).size()) > kMaxStringSize) {
    c.reply.error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    return;
  }
  std::string* s = make_raw_string(e);
  s->append(c.arg(2));
  c.modified(c.arg(1));
  ++c.dirty;
  c.reply.integer(static_cast<int64_t>(s->size()));
}

void cmd_strlen(CommandContext& c) {
  Entry* e = c.lookup_read(c.arg(1));
  if (!c.check_type(e, Type::kString)) return;
  char buf[24];
  c.reply.integer(e == nullptr ? 0 : static_cast<int64_t>(e->string_value(buf).size()));
}

void cmd_getrange(CommandContext& c) {
  int64_t start, end;
  if (!c.int_arg(2, &start) || !c.int_arg(3, &end)) return;
  Entry* e = c.lookup_read(c.arg(1));
  if (!c.check_type(e, Type::kString)) return;
  if (e == nullptr) {
    c.reply.bulk("");
    return;
  }
  char buf[24];
  std::string_view s = e->string_value(buf);
  int64_t len = static_cast<int64_t>(s.size());
  if (start < 0 && end < 0 && start > end) {
    c.reply.bulk("");
    return;
  }
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) {
    c.reply.bulk("");
    return;
  }
  c.reply.bulk(s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1)));
}

void cmd_setrange(CommandContext& c) {
  int64_t offset;
  if (!c.int_arg(2, &offset)) return;
  if (offset < 0) {
    c.reply.error("ERR offset is out of range");
    return;
  }
  std::string_view value = c.arg(3);
  Entry* e = c.lookup_write(c.arg(1));
  if (!c.check_type(e, Type::kString)) return;
  if (!value.empty() && offset + static_cast<int64_t>(value.size()) > kMaxStringSize) {
    c.reply.error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    return;
  }
  if (e == nullptr) {
    if (value.empty()) {
      c.reply.integer(0);
      return;
    }
    std::string s(static_cast<size_t>(offset), '\0');
    s.append(value);
    set_key(c, c.arg(1), s, -1, false);
    c.reply.integer(static_cast<int64_t>(s.size()));
    return;
  }
  if (value.empty()) {
    char buf[24];
    c.reply.integer(static_cast<int64_t>(e->string_value(buf).size()));
    return;
  }
  std::string* s = make_raw_string(e);
  size_t need = static_cast<size_t>(offset) + value.size();
  if (s->size() < need) s->resize(need, '\0');
  std::memcpy(s->data() + offset, value.data(), value.size());
  c.modified(c.arg(1));
  ++c.dirty;
  c.reply.integer(static_cast<int64_t>(s->size()));
}

void cmd_getdel(CommandContext& c) {
  Entry* e = c.lookup_write(c.arg(1));
  if (e == nullptr) {
    c.reply.null();
    return;
  }
  if (!c.check_type(e, Type::kString)) return;
  reply_string(c, e);
  c.db.remove(c.arg(1));
  c.modified(c.arg(1));
  ++c.dirty;
  if (c.propagating()) c.propagate_as({"DEL", std::string(c.arg(1))});
}

void cmd_getex(CommandContext& c) {
  ExpireOption exp;
  for (size_t i = 2; i < c.argc(); ++i) {
    std::string_view a = c.arg(i);
    bool has_next = i + 1 < c.argc();
    if (eq(a, "persist") && !exp.any) {
      exp.persist = exp.any = true;
    } else if ((eq(a, "ex") || eq(a, "px") || eq(a, "exat") || eq(a, "pxat")) && !exp.any && has_next) {
      exp.any = true;
      bool ms = eq(a, "px") || eq(a, "pxat");
      bool absolute = eq(a, "exat") || eq(a, "pxat");
      if (!parse_expire_value(c, ++i, ms ? 1 : 1000, absolute, &exp, "getex")) return;
    } else {
      c.reply.error(err::kSyntax);
      return;
    }
  }
  std::string key(c.arg(1));
  Entry* e = c.lookup_read(key);
  if (e == nullptr) {
    c.reply.null();
    return;
  }
  if (!c.check_type(e, Type::kString)) return;
  reply_string(c, e);
  if (exp.when_ms >= 0) {
    if (exp.when_ms <= now_ms()) {
      c.db.remove(key);
      if (c.propagating()) c.propagate_as({"DEL", key});
    } else {
      c.db.set_expire(key, exp.when_ms);
      if (c.propagating()) c.propagate_as({"PEXPIREAT", key, ll_to_string(exp.when_ms)});
    }
    c.modified(key);
    ++c.dirty;
  } else if (exp.persist && e->has_expire()) {
    c.db.persist(key);
    if (c.propagating()) c.propagate_as({"PERSIST", key});
    c.modified(key);
    ++c.dirty;
  }
}

void cmd_getset(CommandContext& c) {
  Entry* e = c.lookup_write(c.arg(1));
  if (!c.check_type(e, Type::kString)) return;
  if (e == nullptr) c.reply.null();
  else reply_string(c, e);
  set_key(c, c.arg(1), c.arg(2), -1, false);
  if (c.propagating()) c.propagate_as({"SET", std::string(c.arg(1)), std::string(c.arg(2))});
}


// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest common subsequence, by
// the textbook dynamic programme over a (|a|+1) x (|b|+1) table of prefix LCS lengths, then a walk
// back from the end that collects the matched ranges (so IDX lists them last first, as Redis).
void cmd_lcs(CommandContext& c) {
  std::string a, b;
  for (int k = 0; k < 2; ++k) {
    Entry* e = c.lookup_read(c.arg(1 + static_cast<size_t>(k)));
    if (e != nullptr && e->type() != Type::kString) {
      c.reply.error("ERR The specified keys must contain string values");
      return;
    }
    char buf[24];
    if (e != nullptr) (k == 0 ? a : b) = std::string(e->string_value(buf));
  }
  bool want_len = false, want_idx = false, with_match_len = false;
  int64_t min_match_len = 0;
  for (size_t i = 3; i < c.argc(); ++i) {
    std::string_view opt = c.arg(i);
    if (eq(opt, "idx")) {
      want_idx = true;
    } else if (eq(opt, "len")) {
      want_len = true;
    } else if (eq(opt, "withmatchlen")) {
      with_match_len = true;
    } else if (eq(opt, "minmatchlen") && i + 1 < c.argc()) {
      if (!c.int_arg(++i, &min_match_len)) return;
      if (min_match_len < 0) min_match_len = 0;
    } else {
      c.reply.error(err::kSyntax);
      return;
    }
  }
  if (want_len && want_idx) {
    c.reply.error("ERR If you want both the length and indexes, please just use IDX.");
    return;
  }
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    c.reply.error("ERR String too long for LCS");
    return;
  }
  const size_t alen = a.size(), blen = b.size();
  const uint64_t cells = static_cast<uint64_t>(alen + 1) * (blen + 1);
  if (cells * sizeof(uint32_t) > static_cast<uint64_t>(c.server.config().proto_max_bulk_len)) {
    c.reply.error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    return;
  }
  std::vector<uint32_t> table(cells, 0);
  auto at = [&](size_t i, size_t j) -> uint32_t& { return table[j + i * (blen + 1)]; };
  for (size_t i = 1; i <= alen; ++i) {
    for (size_t j = 1; j <= blen; ++j) {
      at(i, j) = a[i - 1] == b[j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));
    }
  }
  const uint32_t length = at(alen, blen);
  std::string result(length, '\0');
  struct Match { size_t a_start, a_end, b_start, b_end; };
  std::vector<Match> matches;
  size_t i = alen, j = blen, idx = length;
  size_t a_start = alen, a_end = 0, b_start = 0, b_end = 0;  // a_start == alen: no range open
  while (i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      result[idx - 1] = a[i - 1];
      if (a_start == alen) {
        a_start = a_end = i - 1;
        b_start = b_end = j - 1;
      } else if (a_start == i && b_start == j) {
        --a_start;  // the range extends backwards
        --b_start;
      } else {
        emit = true;
      }
      if (a_start == 0 || b_start == 0) emit = true;
      --idx;
      --i;
      --j;
    } else {
      if (at(i - 1, j) > at(i, j - 1)) --i;
      else --j;
      if (a_start != alen) emit = true;
    }
    if (emit) {
      if (min_match_len == 0 || static_cast<int64_t>(a_end - a_start + 1) >= min_match_len) {
        matches.push_back({a_start, a_end, b_start, b_end});
      }
      a_start = alen;
    }
  }
  if (want_idx) {
    c.reply.map(2);
    c.reply.bulk("matches");
    c.reply.array(matches.size());
    for (const Match& m : matches) {
      c.reply.array(with_match_len ? 3 : 2);
      c.reply.array(2);
      c.reply.integer(static_cast<int64_t>(m.a_start));
      c.reply.integer(static_cast<int64_t>(m.a_end));
      c.reply.array(2);
      c.reply.integer(static_cast<int64_t>(m.b_start));
      c.reply.integer(static_cast<int64_t>(m.b_end));
      if (with_match_len) c.reply.integer(static_cast<int64_t>(m.a_end - m.a_start + 1));
    }
    c.reply.bulk("len");
    c.reply.integer(length);
  } else if (want_len) {
    c.reply.integer(length);
  } else {
    c.reply.bulk(result);
  }
}
}  // namespace

void register_string_commands(std::vector<CommandSpec>& t) {
  t.push_back({"get", cmd_get, 2, kReadOnly | kFast, 1, 1, 1, "string", "1.0.0", "Get the value of a key", "key"});
  t.push_back({"set", cmd_set, -3, kWrite | kDenyOom, 1, 1, 1, "string", "1.0.0", "Set the string value of a key", "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]"});
  t.push_back({"setnx", cmd_setnx, 3, kWrite | kDenyOom | kFast, 1, 1, 1, "string", "1.0.0", "Set the value of a key, only if the key does not exist", "key value"});
  t.push_back({"setex", cmd_setex, 4, kWrite | kDenyOom, 1, 1, 1, "string", "2.0.0", "Set the value and expiration of a key", "key seconds value"});
  t.push_back({"psetex", cmd_psetex, 4, kWrite | kDenyOom, 1, 1, 1, "string", "2.6.0", "Set the value and expiration in milliseconds of a key", "key milliseconds value"});
  t.push_back({"mget", cmd_mget, -2, kReadOnly | kFast, 1, -1, 1, "string", "1.0.0", "Get the values of all the given keys", "key [key ...]"});
  t.push_back({"mset", cmd_mset, -3, kWrite | kDenyOom, 1, -1, 2, "string", "1.0.1", "Set multiple keys to multiple values", "key value [key value ...]"});
  t.push_back({"msetnx", cmd_mset, -3, kWrite | kDenyOom, 1, -1, 2, "string", "1.0.1", "Set multiple keys to multiple values, only if none of the keys exist", "key value [key value ...]"});
  t.push_back({"incr", cmd_incr, 2, kWrite | kDenyOom | kFast, 1, 1, 1, "string", "1.0.0", "Increment the integer value of a key by one", "key"});
  t.push_back({"decr", cmd_decr, 2, kWrite | kDenyOom | kFast, 1, 1, 1, "string", "1.0.0", "Decrement the integer value of a key by one", "key"});
  t.push_back({"incrby", cmd_incrby, 3, kWrite | kDenyOom | kFast, 1, 1, 1, "string", "1.0.0", "Increment the integer value of a key by the given amount", "key increment"});
  t.push_back({"decrby", cmd_decrby, 3, kWrite | kDenyOom | kFast, 1, 1, 1, "string", "1.0.0", "Decrement the integer value of a key by the given number", "key decrement"});
  t.push_back({"incrbyfloat", cmd_incrbyfloat, 3, kWrite | kDenyOom | kFast, 1, 1, 1, "string", "2.6.0", "Increment the float value of a key by the given amount", "key increment"});
  t.push_back({"append", cmd_append, 3, kWrite | kDenyOom | kFast, 1, 1, 1, "string", "2.0.0", "Append a value to a key", "key value"});
  t.push_back({"strlen", cmd_strlen, 2, kReadOnly | kFast, 1, 1, 1, "string", "2.2.0", "Get the length of the value stored in a key", "key"});
  t.push_back({"getrange", cmd_getrange, 4, kReadOnly, 1, 1, 1, "string", "2.4.0", "Get a substring of the string stored at a key", "key start end"});
  t.push_back({"substr", cmd_getrange, 4, kReadOnly, 1, 1, 1, "string", "1.0.0", "Get a substring of the string stored at a key", "key start end"});
  t.push_back({"setrange", cmd_setrange, 4, kWrite | kDenyOom, 1, 1, 1, "string", "2.2.0", "Overwrite part of a string at key starting at the specified offset", "key offset value"});
  t.push_back({"getdel", cmd_getdel, 2, kWrite | kFast, 1, 1, 1, "string", "6.2.0", "Get the value of a key and delete the key", "key"});
  t.push_back({"getex", cmd_getex, -2, kWrite | kFast, 1, 1, 1, "string", "6.2.0", "Get the value of a key and optionally set its expiration", "key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]"});
  t.push_back({"lcs", cmd_lcs, -3, kReadOnly, 1, 2, 1, "string", "7.0.0", "Find longest common substring", "key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]"});
  t.push_back({"getset", cmd_getset, 3, kWrite | kDenyOom | kFast, 1, 1, 1, "string", "1.0.0", "Set the string value of a key and return its old value", "key value"});
}

}  // namespace sfs::kv
