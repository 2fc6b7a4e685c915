// Set commands.
#include <algorithm>

#include "systems/kv/commands.h"
#include "systems/kv/util.h"

namespace sfs::kv {
namespace {

void cmd_sadd(CommandContext& c) {
  Entry* e = c.lookup_write(c.arg(1));
  if (!c.check_type(e, Type::kSet)) return;
  e = get_or_create(c, c.arg(1), e, Type::kSet);
  int64_t added = 0;
  for (size_t i = 2; i < c.argc(); ++i) added += e->set()->add(c.arg(i));
  if (added > 0) {
    c.modified(c.arg(1));
    c.dirty += added;
  } else if (e->set()->size() == 0) {
    c.db.remove(c.arg(1));
  }
  c.reply.integer(added);
}

void cmd_srem(CommandContext& c) {
  Entry* e = c.lookup_write(c.arg(1));
  if (!c.check_type(e, Type::kSet)) return;
  int64_t removed = 0;
  if (e != nullptr) {
    for (size_t i = 2; i < c.argc(); ++i) {
      removed += e->set()->remove(c.arg(i));
      if (e->set()->size() == 0) break;
    }
    if (removed > 0) {
      delete_if_empty(c, c.arg(1), e->set()->size());
      c.modified(c.arg(1));
      c.dirty += removed;
    }
  }
  c.reply.integer(removed);
}

Entry* read_set(CommandContext& c, std::string_view key, bool* ok) {
  Entry* e = c.lookup_read(key);
  *ok = c.check_type(e, Type::kSet);
  return e;
}

void cmd_smembers(CommandContext& c) {
  bool ok;
  Entry* e = read_set(c, c.arg(1), &ok);
  if (!ok) return;
  if (e == nullptr) {
    c.reply.set(0);
    return;
  }
  c.reply.set(e->set()->size());
  e->set()->for_each([&](std::string_view m) { c.reply.bulk(m); });
}

void cmd_sismember(CommandContext& c) {
  bool ok;
  Entry* e = read_set(c, c.arg(1), &ok);
  if (!ok) return;
  c.reply.integer(e != nullptr && e->set()->contains(c.arg(2)) ? 1 : 0);
}

void cmd_smismember(CommandContext& c) {
  bool ok;
  Entry* e = read_set(c, c.arg(1), &ok);
  if (!ok) return;
  c.reply.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); ++i) c.reply.integer(e != nullptr && e->set()->contains(c.arg(i)) ? 1 : 0);
}

void cmd_scard(CommandContext& c) {
  bool ok;
  Entry* e = read_set(c, c.arg(1), &ok);
  if (!ok) return;
  c.reply.integer(e == nullptr ? 0 : static_cast<int64_t>(e->set()->size()));
}

void cmd_spop(CommandContext& c) {
  int64_t count = 1;
  bool has_count = c.argc() == 3;
  if (c.argc() > 3) {
    c.reply.error(err::kSyntax);
    return;
  }
  if (has_count) {
    if (!c.int_arg(2, &count, "ERR value is out of range, must be positive")) return;
    if (count < 0) {
      c.reply.error("ERR value is out of range, must be positive");
      return;
    }
  }
  std::string key(c.arg(1));
  Entry* e = c.lookup_write(key);
  if (e == nullptr) {
    if (has_count) c.reply.set(0);
    else c.reply.null();
    return;
  }
  if (!c.check_type(e, Type::kSet)) return;
  SetValue* set = e->set();
  if (has_count && count == 0) {
    c.reply.set(0);
    return;
  }
  std::vector<std::string> popped;
  size_t n = std::min<size_t>(static_cast<size_t>(count), set->size());
  bool whole = n == set->size();
  if (whole) {
    popped = set->members();
  } else {
    for (size_t i = 0; i < n; ++i) {
      std::string m = set->random();
      set->remove(m);
      popped.push_back(std::move(m));
    }
  }
  if (has_count) {
    c.reply.set(popped.size());
    for (const auto& m : popped) c.reply.bulk(m);
  } else {
    c.reply.bulk(popped[0]);
  }
  // Propagated as the deterministic SREM (or DEL when the whole set went), as Redis does.
  if (whole) {
    c.db.remove(key);
    if (c.propagating()) c.propagate_as({"DEL", key});
  } else if (c.propagating()) {
    std::vector<std::string> args = {"SREM", key};
    args.insert(args.end(), popped.begin(), popped.end());
    c.propagate_as(std::move(args));
  }
  c.modified(key);
  c.dirty += static_cast<int64_t>(popped.size());
}

void cmd_srandmember(CommandContext& c) {
  bool has_count = c.argc() == 3;
  int64_t count = 0;
  if (c.argc() > 3) {
    c.reply.error(err::kSyntax);
    return;
  }
  if (has_count && !c.int_arg(2, &count)) return;
  bool ok;
  Entry* e = read_set(c, c.arg(1), &ok);
  if (!ok) return;
  if (!has_count) {
    if (e == nullptr) c.reply.null();
    else c.reply.bulk(e->set()->random());
    return;
  }
  if (e == nullptr || count == 0) {
    c.reply.array(0);
    return;
  }
  SetValue* set = e->set();
  if (count < 0) {
    if (count < -(INT64_MAX / 2)) {
      c.reply.error("ERR value is out of range");
      return;
    }
    c.reply.array(static_cast<size_t>(-count));
    for (int64_t i = 0; i < -count; ++i) c.reply.bulk(set->random());
    return;
  }
  std::vector<std::string> all = set->members();
  if (static_cast<size_t>(count) < all.size()) {
    std::shuffle(all.begin(), all.end(), rng());
    all.resize(static_cast<size_t>(count));
  }
  c.reply.array(all.size());
  for (const auto& m : all) c.reply.bulk(m);
}

// SINTER/SUNION/SDIFF and their STORE forms. keys start at `first`. Returns false after an error.
enum class SetOp { kInter, kUnion, kDiff };

bool compute(CommandContext& c, SetOp op, size_t first, size_t last, std::vector<std::string>* out) {
  std::vector<SetValue*> sets;
  for (size_t i = first; i < last; ++i) {
    Entry* e = c.lookup_read(c.arg(i));
    if (!c.check_type(e, Type::kSet)) return false;
    sets.push_back(e == nullptr ? nullptr : e->set());
  }
  if (op == SetOp::kInter) {
    for (SetValue* s : sets) {
      if (s == nullptr) return true;  // empty intersection
    }
    std::vector<SetValue*> sorted = sets;
    std::sort(sorted.begin(), sorted.end(), [](SetValue* a, SetValue* b) { return a->size() < b->size(); });
    sorted[0]->for_each([&](std::string_view m) {
      for (size_t i = 1; i < sorted.size(); ++i) {
        if (!sorted[i]->contains(m)) return;
      }
      out->emplace_back(m);
    });
    return true;
  }
  if (op == SetOp::kUnion) {
    SetValue acc;
    for (SetValue* s : sets) {
      if (s != nullptr) s->for_each([&](std::string_view m) { acc.add(m); });
    }
    *out = acc.members();
    return true;
  }
  if (sets[0] == nullptr) return true;
  sets[0]->for_each([&](std::string_view m) {
    for (size_t i = 1; i < sets.size(); ++i) {
      if (sets[i] != nullptr && sets[i]->contains(m)) return;
    }
    out->emplace_back(m);
  });
  return true;
}

void setop_generic(CommandContext& c, SetOp op) {
  std::vector<std::string> result;
  if (!compute(c, op, 1, c.argc(), &result)) return;
  c.reply.set(result.size());
  for (const auto& m : result) c.reply.bulk(m);
}

void setop_store(CommandContext& c, SetOp op) {
  std::vector<std::string> result;
  if (!compute(c, op, 2, c.argc(), &result)) return;
  std::string dst(c.arg(1));
  bool existed = c.lookup_write(dst) != nullptr;
  if (existed) c.db.remove(dst);
  if (!result.empty()) {
    Entry* e = c.db.put(make_object_entry(dst, Type::kSet));
    e->set()->reserve(result.size());
    for (const auto& m : result) e->set()->add(m);
  }
  if (existed || !result.empty()) {
    c.modified(dst);
    ++c.dirty;
  }
  if (result.empty() && existed) c.propagate_as({"DEL", dst});
  c.reply.integer(static_cast<int64_t>(result.size()));
}

void cmd_sinter(CommandContext& c) { setop_generic(c, SetOp::kInter); }
void cmd_sunion(CommandContext& c) { setop_generic(c, SetOp::kUnion); }
void cmd_sdiff(CommandContext& c) { setop_generic(c, SetOp::kDiff); }
void cmd_sinterstore(CommandContext& c) { setop_store(c, SetOp::kInter); }
void cmd_sunionstore(CommandContext& c) { setop_store(c, SetOp::kUnion); }
void cmd_sdiffstore(CommandContext& c) { setop_store(c, SetOp::kDiff); }

void cmd_sintercard(CommandContext& c) {
  int64_t numkeys;
  if (!c.int_arg(1, &numkeys, "ERR numkeys should be greater than 0")) return;
  if (numkeys <= 0) {
    c.reply.error("ERR numkeys should be greater than 0");
    return;
  }
  if (static_cast<int64_t>(c.argc()) - 2 < numkeys) {
    c.reply.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  size_t end = 2 + static_cast<size_t>(numkeys);
  int64_t limit = 0;
  for (size_t i = end; i < c.argc(); i += 2) {
    if (eq(c.arg(i), "limit") && i + 1 < c.argc()) {
      if (!c.int_arg(i + 1, &limit, "ERR LIMIT can't be negative")) return;
      if (limit < 0) {
        c.reply.error("ERR LIMIT can't be negative");
        return;
      }
    } else {
      c.reply.error(err::kSyntax);
      return;
    }
  }
  std::vector<std::string> result;
  if (!compute(c, SetOp::kInter, 2, end, &result)) return;
  int64_t n = static_cast<int64_t>(result.size());
  if (limit > 0 && n > limit) n = limit;
  c.reply.integer(n);
}

void cmd_smove(CommandContext& c) {
  std::string src(c.arg(1)), dst(c.arg(2));
  Entry* se = c.lookup_write(src);
  Entry* de = c.lookup_write(dst);
  if (!c.check_type(se, Type::kSet) || !c.check_type(de, Type::kSet)) return;
  if (se == nullptr || !se->set()->contains(c.arg(3))) {
    c.reply.integer(0);
    return;
  }
  if (src == dst) {
    c.reply.integer(1);
    return;
  }
  se->set()->remove(c.arg(3));
  delete_if_empty(c, src, se->set()->size());
  de = get_or_create(c, dst, c.lookup_write(dst), Type::kSet);
  de->set()->add(c.arg(3));
  c.modified(src);
  c.modified(dst);
  ++c.dirty;
  c.reply.integer(1);
}

void cmd_sscan(CommandContext& c) {
  uint64_t cursor;
  if (!parse_scan_cursor(c, 2, &cursor)) return;
  ScanOptions opt;
  if (!parse_scan_options(c, 3, false, &opt)) return;
  bool ok;
  Entry* e = read_set(c, c.arg(1), &ok);
  if (!ok) return;
  std::vector<std::string> items;
  uint64_t next = 0;
  if (e != nullptr) {
    next = e->set()->scan(cursor, static_cast<size_t>(opt.count), [&](std::string_view m) {
      if (opt.has_pattern && !glob_match(opt.pattern, m)) return;
      items.emplace_back(m);
    });
  }
  c.reply.array(2);
  c.reply.bulk(std::to_string(next));
  c.reply.array(items.size());
  for (const auto& m : items) c.reply.bulk(m);
}

}  // namespace

void register_set_commands(std::vector<CommandSpec>& t) {
  t.push_back({"sadd", cmd_sadd, -3, kWrite | kDenyOom | kFast, 1, 1, 1, "set", "1.0.0", "Add one or more members to a set", "key member [member ...]"});
  t.push_back({"srem", cmd_srem, -3, kWrite | kFast, 1, 1, 1, "set", "1.0.0", "Remove one or more members from a set", "key member [member ...]"});
  t.push_back({"smembers", cmd_smembers, 2, kReadOnly, 1, 1, 1, "set", "1.0.0", "Get all the members in a set", "key"});
  t.push_back({"sismember", cmd_sismember, 3, kReadOnly | kFast, 1, 1, 1, "set", "1.0.0", "Determine if a given value is a member of a set", "key member"});
  t.push_back({"smismember", cmd_smismember, -3, kReadOnly | kFast, 1, 1, 1, "set", "6.2.0", "Returns the membership associated with the given elements for a set", "key member [member ...]"});
  t.push_back({"scard", cmd_scard, 2, kReadOnly | kFast, 1, 1, 1, "set", "1.0.0", "Get the number of members in a set", "key"});
  t.push_back({"spop", cmd_spop, -2, kWrite | kFast, 1, 1, 1, "set", "1.0.0", "Remove and return one or multiple random members from a set", "key [count]"});
  t.push_back({"srandmember", cmd_srandmember, -2, kReadOnly, 1, 1, 1, "set", "1.0.0", "Get one or multiple random members from a set", "key [count]"});
  t.push_back({"sinter", cmd_sinter, -2, kReadOnly, 1, -1, 1, "set", "1.0.0", "Intersect multiple sets", "key [key ...]"});
  t.push_back({"sunion", cmd_sunion, -2, kReadOnly, 1, -1, 1, "set", "1.0.0", "Add multiple sets", "key [key ...]"});
  t.push_back({"sdiff", cmd_sdiff, -2, kReadOnly, 1, -1, 1, "set", "1.0.0", "Subtract multiple sets", "key [key ...]"});
  t.push_back({"sinterstore", cmd_sinterstore, -3, kWrite | kDenyOom, 1, -1, 1, "set", "1.0.0", "Intersect multiple sets and store the resulting set in a key", "destination key [key ...]"});
  t.push_back({"sunionstore", cmd_sunionstore, -3, kWrite | kDenyOom, 1, -1, 1, "set", "1.0.0", "Add multiple sets and store the resulting set in a key", "destination key [key ...]"});
  t.push_back({"sdiffstore", cmd_sdiffstore, -3, kWrite | kDenyOom, 1, -1, 1, "set", "1.0.0", "Subtract multiple sets and store the resulting set in a key", "destination key [key ...]"});
  t.push_back({"sintercard", cmd_sintercard, -3, kReadOnly, 0, 0, 0, "set", "7.0.0", "Intersect multiple sets and return the cardinality of the result", "numkeys key [key ...] [LIMIT limit]"});
  t.push_back({"smove", cmd_smove, 4, kWrite | kFast, 1, 2, 1, "set", "1.0.0", "Move a member from one set to another", "source destination member"});
  t.push_back({"sscan", cmd_sscan, -3, kReadOnly, 1, 1, 1, "set", "2.8.0", "Incrementally iterate Set elements", "key cursor [MATCH pattern] [COUNT count]"});
}

}  // namespace sfs::kv
