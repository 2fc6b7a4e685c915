// List commands, including the blocking ones (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP).
//
// A blocking command first behaves like its non-blocking form; only when every key is empty does
// it park the client (CommandContext::block). When a push later signals one of its keys the server
// runs the command again (server.h), and it is propagated to the AOF as the non-blocking command
// it turned into (LPOP, LMOVE...), as Redis does.
#include "systems/kv/commands.h"
#include "systems/kv/util.h"

namespace sfs::kv {
namespace {

void push_generic(CommandContext& c, bool left, bool only_if_exists) {
  std::string_view key = c.arg(1);
  Entry* e = c.lookup_write(key);
  if (!c.check_type(e, Type::kList)) return;
  if (e == nullptr && only_if_exists) {
    c.reply.integer(0);
    return;
  }
  e = get_or_create(c, key, e, Type::kList);
  ListValue* list = e->list();
  for (size_t i = 2; i < c.argc(); ++i) list->push(left, c.arg(i));
  c.dirty += static_cast<int64_t>(c.argc() - 2);
  c.modified(key);
  c.ready(key);
  c.reply.integer(static_cast<int64_t>(list->size()));
}

void cmd_lpush(CommandContext& c) { push_generic(c, true, false); }
void cmd_rpush(CommandContext& c) { push_generic(c, false, false); }
void cmd_lpushx(CommandContext& c) { push_generic(c, true, true); }
void cmd_rpushx(CommandContext& c) { push_generic(c, false, true); }

// Pops up to `count` elements of `key` (a non-empty list) and replies them as an array (or a
// bulk when !with_count). Deletes the key when it empties.
void pop_and_reply(CommandContext& c, Entry* e, std::string_view key, bool left, int64_t count,
                   bool with_count) {
  ListValue* list = e->list();
  if (!with_count) {
    c.reply.bulk(list->pop(left));
  } else {
    size_t n = std::min<size_t>(static_cast<size_t>(count), list->size());
    c.reply.array(n);
    for (size_t i = 0; i < n; ++i) c.reply.bulk(list->pop(left));
  }
  delete_if_empty(c, key, list->size());
  c.modified(key);
  ++c.dirty;
}

void pop_generic(CommandContext& c, bool left) {
  int64_t count = 1;
  bool with_count = c.argc() == 3;
  if (c.argc() > 3) {
    c.reply.error("ERR wrong number of arguments for '" + core::to_lower(c.arg(0)) + "' command");
    return;
  }
  if (with_count) {
    if (!c.int_arg(2, &count, "ERR value is out of range, must be positive")) return;
    if (count < 0) {
      c.reply.error("ERR value is out of range, must be positive");
      return;
    }
  }
  Entry* e = c.lookup_write(c.arg(1));
  if (e == nullptr) {
    if (with_count) c.reply.null_array();
    else c.reply.null();
    return;
  }
  if (!c.check_type(e, Type::kList)) return;
  if (with_count && count == 0) {
    c.reply.array(0);
    return;
  }
  pop_and_reply(c, e, c.arg(1), left, count, with_count);
}

void cmd_lpop(CommandContext& c) { pop_generic(c, true); }
void cmd_rpop(CommandContext& c) { pop_generic(c, false); }

void cmd_lrange(CommandContext& c) {
  int64_t start, stop;
  if (!c.int_arg(2, &start) || !c.int_arg(3, &stop)) return;
  Entry* e = c.lookup_read(c.arg(1));
  if (!c.check_type(e, Type::kList)) return;
  size_t first, last;
  if (e == nullptr || !normalize_range(start, stop, e->list()->size(), &first, &last)) {
    c.reply.array(0);
    return;
  }
  c.reply.array(last - first + 1);
  e->list()->range(first, last, [&](std::string_view v) { c.reply.bulk(v); });
}

void cmd_lindex(CommandContext& c) {
  int64_t index;
  if (!c.int_arg(2, &index)) return;
  Entry* e = c.lookup_read(c.arg(1));
  if (!c.check_type(e, Type::kList)) return;
  if (e == nullptr) {
    c.reply.null();
    return;
  }
  int64_t n = static_cast<int64_t>(e->list()->size());
  if (index < 0) index += n;
  if (index < 0 || index >= n) {
    c.reply.null();
    return;
  }
  c.reply.bulk(e->list()->at(static_cast<size_t>(index)));
}

void cmd_llen(CommandContext& c) {
  Entry* e = c.lookup_read(c.arg(1));
  if (!c.check_type(e, Type::kList)) return;
  c.reply.integer(e == nullptr ? 0 : static_cast<int64_t>(e->list()->size()));
}

void cmd_lset(CommandContext& c) {
  int64_t index;
  if (!c.int_arg(2, &index)) return;
  Entry* e = c.lookup_write(c.arg(1));
  if (e == nullptr) {
    c.reply.error(err::kNoSuchKey);
    return;
  }
  if (!c.check_type(e, Type::kList)) return;
  int64_t n = static_cast<int64_t>(e->list()->size());
  if (index < 0) index += n;
  if (index < 0 || index >= n) {
    c.reply.error(err::kOutOfRange);
    return;
  }
  e->list()->set(static_cast<size_t>(index), c.arg(3));
  c.modified(c.arg(1));
  ++c.dirty;
  c.reply.ok();
}

void cmd_lrem(CommandContext& c) {
  int64_t count;
  if (!c.int_arg(2, &count)) return;
  Entry* e = c.lookup_write(c.arg(1));
  if (!c.check_type(e, Type::kList)) return;
  if (e == nullptr) {
    c.reply.integer(0);
    return;
  }
  size_t removed = e->list()->remove(count, c.arg(3));
  if (removed > 0) {
    delete_if_empty(c, c.arg(1), e->list()->size());
    c.modified(c.arg(1));
    c.dirty += static_cast<int64_t>(removed);
  }
  c.reply.integer(static_cast<int64_t>(removed));
}

void cmd_ltrim(CommandContext& c) {
  int64_t start, stop;
  if (!c.int_arg(2, &start) || !c.int_arg(3, &stop)) return;
  Entry* e = c.lookup_write(c.arg(1));
  if (!c.check_type(e, Type::kList)) return;
  if (e == nullptr) {
    c.reply.ok();
    return;
  }
  ListValue* list = e->list();
  size_t first, last;
  if (!normalize_range(start, stop, list->size(), &first, &last)) list->trim(1, 0);
  else list->trim(static_cast<int64_t>(first), static_cast<int64_t>(last));
  delete_if_empty(c, c.arg(1), list->size());
  c.modified(c.arg(1));
  ++c.dirty;
  c.reply.ok();
}

void cmd_linsert(CommandContext& c) {
  bool before;
  if (eq(c.arg(2), "before")) before = true;
  else if (eq(c.arg(2), "after")) before = false;
  else {
    c.reply.error(err::kSyntax);
    return;
  }
  Entry* e = c.lookup_write(c.arg(1));
  if (!c.check_type(e, Type::kList)) return;
  if (e == nullptr) {
    c.reply.integer(0);
    return;
  }
  if (!e->list()->insert(before, c.arg(3), c.arg(4))) {
    c.reply.integer(-1);
    return;
  }
  c.modified(c.arg(1));
  ++c.dirty;
  c.reply.integer(static_cast<int64_t>(e->list()->size()));
}

void cmd_lpos(CommandContext& c) {
  int64_t rank = 1, count = -1, maxlen = 0;
  for (size_t i = 3; i < c.argc(); i += 2) {
    if (i + 1 >= c.argc()) {
      c.reply.error(err::kSyntax);
      return;
    }
    if (eq(c.arg(i), "rank")) {
      if (!c.int_arg(i + 1, &rank)) return;
      if (rank == 0 || rank == INT64_MIN) {
        c.reply.error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
                      "second ... or use negative to start from the end of the list");
        return;
      }
    } else if (eq(c.arg(i), "count")) {
      if (!c.int_arg(i + 1, &count)) return;
      if (count < 0) {
        c.reply.error("ERR COUNT can't be negative");
        return;
      }
    } else if (eq(c.arg(i), "maxlen")) {
      if (!c.int_arg(i + 1, &maxlen)) return;
      if (maxlen < 0) {
        c.reply.error("ERR MAXLEN can't be negative");
        return;
      }
    } else {
      c.reply.error(err::kSyntax);
      return;
    }
  }
  Entry* e = c.lookup_read(c.arg(1));
  if (!c.check_type(e, Type::kList)) return;
  std::vector<int64_t> found;
  if (e != nullptr) {
    ListValue* list = e->list();
    size_t n = list->size();
    bool reverse = rank < 0;
    int64_t skip = (reverse ? -rank : rank) - 1;
    size_t want = count < 0 ? 1 : (count == 0 ? SIZE_MAX : static_cast<size_t>(count));
    size_t scanned = 0;
    std::string_view needle = c.arg(2);
    if (n > 0) {
      size_t index = reverse ? n - 1 : 0;
      list->range(0, n - 1, [&](std::string_view v) {
        if (found.size() >= want || (maxlen > 0 && scanned >= static_cast<size_t>(maxlen))) return;
        ++scanned;
        if (v == needle) {
          if (skip > 0) --skip;
          else found.push_back(static_cast<int64_t>(index));
        }
        index = reverse ? index - 1 : index + 1;
      }, reverse);
    }
  }
  if (count < 0) {
    if (found.empty()) c.reply.null();
    else c.reply.integer(found[0]);
    return;
  }
  c.reply.array(found.size());
  for (int64_t i : found) c.reply.integer(i);
}

bool parse_where(CommandContext& c, size_t i, bool* left) {
  if (eq(c.arg(i), "left")) *left = true;
  else if (eq(c.arg(i), "right")) *left = false;
  else {
    c.reply.error(err::kSyntax);
    return false;
  }
  return true;
}

// LMOVE's core: pops from src (a non-empty list), pushes to dst. Replies the element.
void move_element(CommandContext& c, std::string_view src, Entry* se, std::string_view dst,
                  bool from_left, bool to_left) {
  std::string value = se->list()->pop(from_left);
  bool emptied = se->list()->size() == 0;
  if (emptied) c.db.remove(src);
  c.modified(src);
  Entry* de = c.lookup_write(dst);
  de = get_or_create(c, dst, de, Type::kList);
  de->list()->push(to_left, value);
  c.modified(dst);
  c.ready(dst);
  ++c.dirty;
  c.reply.bulk(value);
}

void lmove_generic(CommandContext& c, std::string_view src, std::string_view dst, bool from_left,
                   bool to_left, int64_t deadline, bool blocking) {
  Entry* se = c.lookup_write(src);
  if (!c.check_type(se, Type::kList)) return;
  if (se == nullptr) {
    if (blocking && c.block({std::string(src)}, deadline, true)) return;
    c.reply.null();
    return;
  }
  Entry* de = c.lookup_write(dst);
  if (!c.check_type(de, Type::kList)) return;
  move_element(c, src, se, dst, from_left, to_left);
  if (c.propagating()) c.propagate_as({"LMOVE", std::string(src), std::string(dst), from_left ? "LEFT" : "RIGHT",
                  to_left ? "LEFT" : "RIGHT"});
}

void cmd_lmove(CommandContext& c) {
  bool from_left, to_left;
  if (!parse_where(c, 3, &from_left) || !parse_where(c, 4, &to_left)) return;
  lmove_generic(c, c.arg(1), c.arg(2), from_left, to_left, 0, false);
}

void cmd_rpoplpush(CommandContext& c) { lmove_generic(c, c.arg(1), c.arg(2), false, true, 0, false); }

void cmd_blmove(CommandContext& c) {
  bool from_left, to_left;
  if (!parse_where(c, 3, &from_left) || !parse_where(c, 4, &to_left)) return;
  int64_t deadline;
  if (!parse_timeout(c, 5, &deadline)) return;
  lmove_generic(c, c.arg(1), c.arg(2), from_left, to_left, deadline, true);
}

void cmd_brpoplpush(CommandContext& c) {
  int64_t deadline;
  if (!parse_timeout(c, 3, &deadline)) return;
  lmove_generic(c, c.arg(1), c.arg(2), false, true, deadline, true);
}

// BLPOP / BRPOP key [key ...] timeout.
void bpop_generic(CommandContext& c, bool left) {
  int64_t deadline;
  if (!parse_timeout(c, c.argc() - 1, &deadline)) return;
  std::vector<std::string> keys;
  for (size_t i = 1; i + 1 < c.argc(); ++i) {
    std::string_view key = c.arg(i);
    Entry* e = c.lookup_write(key);
    if (e == nullptr) {
      keys.emplace_back(key);
      continue;
    }
    if (!c.check_type(e, Type::kList)) return;
    c.reply.array(2);
    c.reply.bulk(key);
    pop_and_reply(c, e, key, left, 1, false);
    if (c.propagating()) c.propagate_as({left ? "LPOP" : "RPOP", std::string(key)});
    return;
  }
  if (c.block(std::move(keys), deadline, false)) return;
  c.reply.null_array();
}

void cmd_blpop(CommandContext& c) { bpop_generic(c, true); }
void cmd_brpop(CommandContext& c) { bpop_generic(c, false); }

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]; BLMPOP has the timeout first.
void mpop_generic(CommandContext& c, size_t first, int64_t deadline, bool blocking) {
  int64_t numkeys;
  if (!c.int_arg(first, &numkeys)) return;
  if (numkeys <= 0) {
    c.reply.error("ERR numkeys should be greater than 0");
    return;
  }
  size_t where_index = first + 1 + static_cast<size_t>(numkeys);
  if (static_cast<int64_t>(c.argc() - first - 1) < numkeys + 1 || where_index >= c.argc()) {
    c.reply.error(err::kSyntax);
    return;
  }
  bool left;
  if (!parse_where(c, where_index, &left)) return;
  int64_t count = 1;
  bool has_count = false;
  for (size_t i = where_index + 1; i < c.argc(); i += 2) {
    if (eq(c.arg(i), "count") && i + 1 < c.argc() && !has_count) {
      if (!c.int_arg(i + 1, &count) || count <= 0) {
        if (count <= 0) c.reply.error("ERR count should be greater than 0");
        return;
      }
      has_count = true;
    } else {
      c.reply.error(err::kSyntax);
      return;
    }
  }
  std::vector<std::string> keys;
  for (size_t i = first + 1; i < where_index; ++i) {
    std::string_view key = c.arg(i);
    Entry* e = c.lookup_write(key);
    if (e == nullptr) {
      keys.emplace_back(key);
      continue;
    }
    if (!c.check_type(e, Type::kList)) return;
    size_t n = std::min<size_t>(static_cast<size_t>(count), e->list()->size());
    c.reply.array(2);
    c.reply.bulk(key);
    pop_and_reply(c, e, key, left, static_cast<int64_t>(n), true);
    if (c.propagating()) c.propagate_as({left ? "LPOP" : "RPOP", std::string(key), std::to_string(n)});
    return;
  }
  if (blocking && c.block(std::move(keys), deadline, false)) return;
  c.reply.null_array();
}

void cmd_lmpop(CommandContext& c) { mpop_generic(c, 1, 0, false); }

void cmd_blmpop(CommandContext& c) {
  int64_t deadline;
  if (!parse_timeout(c, 1, &deadline)) return;
  mpop_generic(c, 2, deadline, true);
}

}  // namespace

void register_list_commands(std::vector<CommandSpec>& t) {
  t.push_back({"lpush", cmd_lpush, -3, kWrite | kDenyOom | kFast, 1, 1, 1, "list", "1.0.0", "Prepend one or multiple elements to a list", "key element [element ...]"});
  t.push_back({"rpush", cmd_rpush, -3, kWrite | kDenyOom | kFast, 1, 1, 1, "list", "1.0.0", "Append one or multiple elements to a list", "key element [element ...]"});
  t.push_back({"lpushx", cmd_lpushx, -3, kWrite | kDenyOom | kFast, 1, 1, 1, "list", "2.2.0", "Prepend an element to a list, only if the list exists", "key element [element ...]"});
  t.push_back({"rpushx", cmd_rpushx, -3, kWrite | kDenyOom | kFast, 1, 1, 1, "list", "2.2.0", "Append an element to a list, only if the list exists", "key element [element ...]"});
  t.push_back({"lpop", cmd_lpop, -2, kWrite | kFast, 1, 1, 1, "list", "1.0.0", "Remove and get the first elements in a list", "key [count]"});
  t.push_back({"rpop", cmd_rpop, -2, kWrite | kFast, 1, 1, 1, "list", "1.0.0", "Remove and get the last elements in a list", "key [count]"});
  t.push_back({"lrange", cmd_lrange, 4, kReadOnly, 1, 1, 1, "list", "1.0.0", "Get a range of elements from a list", "key start stop"});
  t.push_back({"lindex", cmd_lindex, 3, kReadOnly, 1, 1, 1, "list", "1.0.0", "Get an element from a list by its index", "key index"});
  t.push_back({"llen", cmd_llen, 2, kReadOnly | kFast, 1, 1, 1, "list", "1.0.0", "Get the length of a list", "key"});
  t.push_back({"lset", cmd_lset, 4, kWrite | kDenyOom, 1, 1, 1, "list", "1.0.0", "Set the value of an element in a list by its index", "key index element"});
  t.push_back({"lrem", cmd_lrem, 4, kWrite, 1, 1, 1, "list", "1.0.0", "Remove elements from a list", "key count element"});
  t.push_back({"ltrim", cmd_ltrim, 4, kWrite, 1, 1, 1, "list", "1.0.0", "Trim a list to the specified range", "key start stop"});
  t.push_back({"linsert", cmd_linsert, 5, kWrite | kDenyOom, 1, 1, 1, "list", "2.2.0", "Insert an element before or after another element in a list", "key BEFORE|AFTER pivot element"});
  t.push_back({"lpos", cmd_lpos, -3, kReadOnly, 1, 1, 1, "list", "6.0.6", "Return the index of matching elements on a list", "key element [RANK rank] [COUNT num-matches] [MAXLEN len]"});
  t.push_back({"lmove", cmd_lmove, 5, kWrite | kDenyOom, 1, 2, 1, "list", "6.2.0", "Pop an element from a list, push it to another list and return it", "source destination LEFT|RIGHT LEFT|RIGHT"});
  t.push_back({"rpoplpush", cmd_rpoplpush, 3, kWrite | kDenyOom, 1, 2, 1, "list", "1.2.0", "Remove the last element in a list, prepend it to another list and return it", "source destination"});
  t.push_back({"lmpop", cmd_lmpop, -4, kWrite, 0, 0, 0, "list", "7.0.0", "Pop elements from a list", "numkeys key [key ...] LEFT|RIGHT [COUNT count]"});
  t.push_back({"blpop", cmd_blpop, -3, kWrite | kBlocking, 1, -2, 1, "list", "2.0.0", "Remove and get the first element in a list, or block until one is available", "key [key ...] timeout"});
  t.push_back({"brpop", cmd_brpop, -3, kWrite | kBlocking, 1, -2, 1, "list", "2.0.0", "Remove and get the last element in a list, or block until one is available", "key [key ...] timeout"});
  t.push_back({"blmove", cmd_blmove, 6, kWrite | kDenyOom | kBlocking, 1, 2, 1, "list", "6.2.0", "Pop an element from a list, push it to another list and return it; or block until one is available", "source destination LEFT|RIGHT LEFT|RIGHT timeout"});
  t.push_back({"brpoplpush", cmd_brpoplpush, 4, kWrite | kDenyOom | kBlocking, 1, 2, 1, "list", "2.2.0", "Pop an element from a list, push it to another list and return it; or block until one is available", "source destination timeout"});
  t.push_back({"blmpop", cmd_blmpop, -5, kWrite | kBlocking, 0, 0, 0, "list", "7.0.0", "Pop elements from a list, or block until one is available", "timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]"});
}

}  // namespace sfs::kv
