// Sorted set commands. Every range form (by rank, score or lex; forward or REV; LIMIT) is turned
// into an ascending rank interval of the ZSetValue and walked (types.h).
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "systems/kv/commands.h"
#include "systems/kv/util.h"

namespace sfs::kv {
namespace {

using Item = std::pair<std::string, double>;

Entry* read_zset(CommandContext& c, std::string_view key, bool* ok) {
  Entry* e = c.lookup_read(key);
  *ok = c.check_type(e, Type::kZSet);
  return e;
}

// Replies member(/score) pairs: flat in RESP2, pairs in RESP3 when with scores.
void reply_items(CommandContext& c, const std::vector<std::pair<std::string_view, double>>& items,
                 bool with_scores) {
  if (with_scores && c.reply.resp3()) {
    c.reply.array(items.size());
    for (auto& [m, s] : items) {
      c.reply.array(2);
      c.reply.bulk(m);
      c.reply.double_value(s);
    }
    return;
  }
  c.reply.array(items.size() * (with_scores ? 2 : 1));
  for (auto& [m, s] : items) {
    c.reply.bulk(m);
    if (with_scores) c.reply.double_value(s);
  }
}

void cmd_zadd(CommandContext& c) {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
  size_t i = 2;
  for (; i < c.argc(); ++i) {
    std::string_view a = c.arg(i);
    if (eq(a, "nx")) nx = true;
    else if (eq(a, "xx")) xx = true;
    else if (eq(a, "gt")) gt = true;
    else if (eq(a, "lt")) lt = true;
    else if (eq(a, "ch")) ch = true;
    else if (eq(a, "incr")) incr = true;
    else break;
  }
  size_t pairs = c.argc() - i;
  if (pairs == 0 || pairs % 2 != 0) {
    c.reply.error(err::kSyntax);
    return;
  }
  if (nx && xx) {
    c.reply.error("ERR XX and NX options at the same time are not compatible");
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    c.reply.error("ERR GT, LT, and/or NX options at the same time are not compatible");
    return;
  }
  if (incr && pairs > 2) {
    c.reply.error("ERR INCR option supports a single increment-element pair");
    return;
  }
  std::vector<double> scores;
  for (size_t k = i; k < c.argc(); k += 2) {
    double s;
    if (!c.double_arg(k, &s)) return;
    scores.push_back(s);
  }
  std::string_view key = c.arg(1);
  Entry* e = c.lookup_write(key);
  if (!c.check_type(e, Type::kZSet)) return;
  if (e == nullptr && xx) {
    if (incr) c.reply.null();
    else c.reply.integer(0);
    return;
  }
  e = get_or_create(c, key, e, Type::kZSet);
  ZSetValue* z = e->zset();
  int64_t added = 0, changed = 0;
  bool aborted = false;
  double result = 0;
  for (size_t k = 0; k < scores.size(); ++k) {
    std::string_view member = c.arg(i + 2 * k + 1);
    double score = scores[k];
    std::optional<double> current = z->score(member);
    if (current) {
      if (nx) {
        aborted = true;
        continue;
      }
      if (incr) {
        score += *current;
        if (std::isnan(score)) {
          c.reply.error("ERR resulting score is not a number (NaN)");
          if (z->size() == 0) c.db.remove(key);
          return;
        }
      }
      if ((gt && score <= *current) || (lt && score >= *current)) {
        aborted = true;
        continue;
      }
      result = score;
      if (score != *current) {
        z->set(member, score);
        ++changed;
      }
    } else {
      if (xx) {
        aborted = true;
        continue;
      }
      z->set(member, score);
      result = score;
      ++added;
    }
  }
  if (z->size() == 0) c.db.remove(key);
  if (added + changed > 0) {
    c.modified(key);
    c.ready(key);
    c.dirty += added + changed;
  }
  if (incr) {
    if (aborted) c.reply.null();
    else c.reply.double_value(result);
    return;
  }
  c.reply.integer(ch ? added + changed : added);
}

void cmd_zincrby(CommandContext& c) {
  double by;
  if (!c.double_arg(2, &by)) return;
  std::string_view key = c.arg(1);
  Entry* e = c.lookup_write(key);
  if (!c.check_type(e, Type::kZSet)) return;
  e = get_or_create(c, key, e, Type::kZSet);
  double score = by;
  if (auto current = e->zset()->score(c.arg(3))) score += *current;
  if (std::isnan(score)) {
    c.reply.error("ERR resulting score is not a number (NaN)");
    if (e->zset()->size() == 0) c.db.remove(key);
    return;
  }
  e->zset()->set(c.arg(3), score);
  c.modified(key);
  c.ready(key);
  ++c.dirty;
  c.reply.double_value(score);
}

void cmd_zrem(CommandContext& c) {
  Entry* e = c.lookup_write(c.arg(1));
  if (!c.check_type(e, Type::kZSet)) return;
  int64_t removed = 0;
  if (e != nullptr) {
    for (size_t i = 2; i < c.argc(); ++i) {
      removed += e->zset()->remove(c.arg(i));
      if (e->zset()->size() == 0) break;
    }
    if (removed > 0) {
      delete_if_empty(c, c.arg(1), e->zset()->size());
      c.modified(c.arg(1));
      c.dirty += removed;
    }
  }
  c.reply.integer(removed);
}

void cmd_zscore(CommandContext& c) {
  bool ok;
  Entry* e = read_zset(c, c.arg(1), &ok);
  if (!ok) return;
  std::optional<double> s;
  if (e != nullptr) s = e->zset()->score(c.arg(2));
  if (s) c.reply.double_value(*s);
  else c.reply.null();
}

void cmd_zmscore(CommandContext& c) {
  bool ok;
  Entry* e = read_zset(c, c.arg(1), &ok);
  if (!ok) return;
  c.reply.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); ++i) {
    std::optional<double> s;
    if (e != nullptr) s = e->zset()->score(c.arg(i));
    if (s) c.reply.double_value(*s);
    else c.reply.null();
  }
}

void cmd_zcard(CommandContext& c) {
  bool ok;
  Entry* e = read_zset(c, c.arg(1), &ok);
  if (!ok) return;
  c.reply.integer(e == nullptr ? 0 : static_cast<int64_t>(e->zset()->size()));
}

bool parse_score_range(CommandContext& c, size_t min_i, size_t max_i, ScoreRange* r) {
  if (!parse_score_bound(c.arg(min_i), &r->min, &r->min_exclusive) ||
      !parse_score_bound(c.arg(max_i), &r->max, &r->max_exclusive)) {
    c.reply.error("ERR min or max is not a float");
    return false;
  }
  return true;
}

bool parse_lex_range(CommandContext& c, size_t min_i, size_t max_i, LexRange* r) {
  if (!parse_lex_bound(c.arg(min_i), &r->min) || !parse_lex_bound(c.arg(max_i), &r->max)) {
    c.reply.error("ERR min or max not valid string range item");
    return false;
  }
  return true;
}

// The ascending rank interval [*first, *last] of a range; false when empty.
template <typename Range>
bool range_ranks(const ZSetValue* z, const Range& r, size_t* first, size_t* last) {
  size_t lo = z->count_below(r);
  size_t hi = z->count_through(r);
  if (hi == 0 || lo >= hi) return false;
  *first = lo;
  *last = hi - 1;
  return true;
}

void cmd_zcount(CommandContext& c) {
  ScoreRange r;
  if (!parse_score_range(c, 2, 3, &r)) return;
  bool ok;
  Entry* e = read_zset(c, c.arg(1), &ok);
  if (!ok) return;
  size_t first, last;
  if (e == nullptr || !range_ranks(e->zset(), r, &first, &last)) {
    c.reply.integer(0);
    return;
  }
  c.reply.integer(static_cast<int64_t>(last - first + 1));
}

void cmd_zlexcount(CommandContext& c) {
  LexRange r;
  if (!parse_lex_range(c, 2, 3, &r)) return;
  bool ok;
  Entry* e = read_zset(c, c.arg(1), &ok);
  if (!ok) return;
  size_t first, last;
  if (e == nullptr || !range_ranks(e->zset(), r, &first, &last)) {
    c.reply.integer(0);
    return;
  }
  c.reply.integer(static_cast<int64_t>(last - first + 1));
}

void rank_generic(CommandContext& c, bool reverse) {
  bool with_score = false;
  if (c.argc() == 4) {
    if (!eq(c.arg(3), "withscore")) {
      c.reply.error(err::kSyntax);
      return;
    }
    with_score = true;
  } else if (c.argc() > 4) {
    c.reply.error(err::kSyntax);
    return;
  }
  bool ok;
  Entry* e = read_zset(c, c.arg(1), &ok);
  if (!ok) return;
  std::optional<size_t> r;
  if (e != nullptr) r = e->zset()->rank(c.arg(2));
  if (!r) {
    if (with_score) c.reply.null_array();
    else c.reply.null();
    return;
  }
  size_t rank = reverse ? e->zset()->size() - 1 - *r : *r;
  if (with_score) {
    c.reply.array(2);
    c.reply.integer(static_cast<int64_t>(rank));
    c.reply.double_value(*e->zset()->score(c.arg(2)));
    return;
  }
  c.reply.integer(static_cast<int64_t>(rank));
}

void cmd_zrank(CommandContext& c) { rank_generic(c, false); }
void cmd_zrevrank(CommandContext& c) { rank_generic(c, true); }

// The general range query behind ZRANGE and its older forms.
struct RangeQuery {
  enum Kind { kRank, kScore, kLex } kind = kRank;
  bool rev = false;
  bool with_scores = false;
  bool has_limit = false;
  int64_t offset = 0, count = -1;
  int64_t start = 0, stop = 0;  // kRank
  ScoreRange score;
  LexRange lex;
};

// Collects the items of a query (views valid until the zset changes).
std::vector<std::pair<std::string_view, double>> run_query(const ZSetValue* z, const RangeQuery& q) {
  std::vector<std::pair<std::string_view, double>> out;
  size_t n = z->size();
  size_t first, last;
  if (q.kind == RangeQuery::kRank) {
    size_t a, b;
    if (!normalize_range(q.start, q.stop, n, &a, &b)) return out;
    if (q.rev) {
      first = n - 1 - b;
      last = n - 1 - a;
    } else {
      first = a;
      last = b;
    }
  } else {
    bool any = q.kind == RangeQuery::kScore ? range_ranks(z, q.score, &first, &last)
                                             : range_ranks(z, q.lex, &first, &last);
    if (!any) return out;
    if (q.offset < 0) return out;
    size_t span = last - first + 1;
    if (static_cast<size_t>(q.offset) >= span) return out;
    if (q.rev) last -= static_cast<size_t>(q.offset);
    else first += static_cast<size_t>(q.offset);
    if (q.count >= 0 && static_cast<size_t>(q.count) < last - first + 1) {
      if (q.count == 0) return out;
      if (q.rev) first = last - static_cast<size_t>(q.count) + 1;
      else last = first + static_cast<size_t>(q.count) - 1;
    }
  }
  out.reserve(last - first + 1);
  z->walk(first, last, q.rev, [&](std::string_view m, double s) {
    out.emplace_back(m, s);
    return true;
  });
  return out;
}

// Parses the bounds at (min_i, max_i) for the query kind. For REV score/lex forms the caller
// passes the indexes already swapped (max first on the command line).
bool parse_bounds(CommandContext& c, RangeQuery* q, size_t min_i, size_t max_i) {
  if (q->kind == RangeQuery::kRank) {
    return c.int_arg(min_i, &q->start) && c.int_arg(max_i, &q->stop);
  }
  if (q->kind == RangeQuery::kScore) return parse_score_range(c, min_i, max_i, &q->score);
  return parse_lex_range(c, min_i, max_i, &q->lex);
}

// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES], and
// ZRANGESTORE dst src ... (store = true, args shifted by one).
bool parse_zrange(CommandContext& c, size_t base, RangeQuery* q, bool allow_withscores) {
  for (size_t i = base + 3; i < c.argc(); ++i) {
    std::string_view a = c.arg(i);
    if (eq(a, "withscores") && allow_withscores) q->with_scores = true;
    else if (eq(a, "byscore") && q->kind == RangeQuery::kRank) q->kind = RangeQuery::kScore;
    else if (eq(a, "bylex") && q->kind == RangeQuery::kRank) q->kind = RangeQuery::kLex;
    else if (eq(a, "rev")) q->rev = true;
    else if (eq(a, "limit") && i + 2 < c.argc()) {
      if (!c.int_arg(i + 1, &q->offset) || !c.int_arg(i + 2, &q->count)) return false;
      q->has_limit = true;
      i += 2;
    } else {
      c.reply.error(err::kSyntax);
      return false;
    }
  }
  if (q->has_limit && q->kind == RangeQuery::kRank) {
    c.reply.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    return false;
  }
  if (q->with_scores && q->kind == RangeQuery::kLex) {
    c.reply.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    return false;
  }
  size_t min_i = base + 1, max_i = base + 2;
  if (q->rev && q->kind != RangeQuery::kRank) std::swap(min_i, max_i);
  return parse_bounds(c, q, min_i, max_i);
}

void cmd_zrange(CommandContext& c) {
  RangeQuery q;
  if (!parse_zrange(c, 1, &q, true)) return;
  bool ok;
  Entry* e = read_zset(c, c.arg(1), &ok);
  if (!ok) return;
  if (e == nullptr) {
    c.reply.array(0);
    return;
  }
  reply_items(c, run_query(e->zset(), q), q.with_scores);
}

void cmd_zrangestore(CommandContext& c) {
  RangeQuery q;
  if (!parse_zrange(c, 2, &q, false)) return;
  bool ok;
  Entry* src = read_zset(c, c.arg(2), &ok);
  if (!ok) return;
  std::vector<Item> items;
  if (src != nullptr) {
    for (auto& [m, s] : run_query(src->zset(), q)) items.emplace_back(m, s);
  }
  std::string dst(c.arg(1));
  bool existed = c.lookup_write(dst) != nullptr;
  if (existed) c.db.remove(dst);
  if (!items.empty()) {
    Entry* e = c.db.put(make_object_entry(dst, Type::kZSet));
    for (auto& [m, s] : items) e->zset()->set(m, s);
    c.ready(dst);
  }
  if (existed || !items.empty()) {
    c.modified(dst);
    ++c.dirty;
  }
  c.reply.integer(static_cast<int64_t>(items.size()));
}

// ZRANGEBYSCORE / ZREVRANGEBYSCORE / ZRANGEBYLEX / ZREVRANGEBYLEX / ZREVRANGE.
void legacy_range(CommandContext& c, RangeQuery::Kind kind, bool rev) {
  RangeQuery q;
  q.kind = kind;
  q.rev = rev;
  for (size_t i = 4; i < c.argc(); ++i) {
    std::string_view a = c.arg(i);
    if (eq(a, "withscores") && kind != RangeQuery::kLex) {
      q.with_scores = true;
    } else if (eq(a, "limit") && kind != RangeQuery::kRank && i + 2 < c.argc()) {
      if (!c.int_arg(i + 1, &q.offset) || !c.int_arg(i + 2, &q.count)) return;
      q.has_limit = true;
      i += 2;
    } else {
      c.reply.error(err::kSyntax);
      return;
    }
  }
  size_t min_i = 2, max_i = 3;
  if (rev && kind != RangeQuery::kRank) std::swap(min_i, max_i);
  if (!parse_bounds(c, &q, min_i, max_i)) return;
  bool ok;
  Entry* e = read_zset(c, c.arg(1), &ok);
  if (!ok) return;
  if (e == nullptr) {
    c.reply.array(0);
    return;
  }
  reply_items(c, run_query(e->zset(), q), q.with_scores);
}

void cmd_zrangebyscore(CommandContext& c) { legacy_range(c, RangeQuery::kScore, false); }
void cmd_zrevrangebyscore(CommandContext& c) { legacy_range(c, RangeQuery::kScore, true); }
void cmd_zrangebylex(CommandContext& c) { legacy_range(c, RangeQuery::kLex, false); }
void cmd_zrevrangebylex(CommandContext& c) { legacy_range(c, RangeQuery::kLex, true); }
void cmd_zrevrange(CommandContext& c) { legacy_range(c, RangeQuery::kRank, true); }

void remrange_generic(CommandContext& c, RangeQuery::Kind kind) {
  RangeQuery q;
  q.kind = kind;
  if (!parse_bounds(c, &q, 2, 3)) return;
  Entry* e = c.lookup_write(c.arg(1));
  if (!c.check_type(e, Type::kZSet)) return;
  if (e == nullptr) {
    c.reply.integer(0);
    return;
  }
  std::vector<std::string> victims;
  for (auto& [m, s] : run_query(e->zset(), q)) victims.emplace_back(m);
  for (const auto& m : victims) e->zset()->remove(m);
  if (!victims.empty()) {
    delete_if_empty(c, c.arg(1), e->zset()->size());
    c.modified(c.arg(1));
    c.dirty += static_cast<int64_t>(victims.size());
  }
  c.reply.integer(static_cast<int64_t>(victims.size()));
}

void cmd_zremrangebyrank(CommandContext& c) { remrange_generic(c, RangeQuery::kRank); }
void cmd_zremrangebyscore(CommandContext& c) { remrange_generic(c, RangeQuery::kScore); }
void cmd_zremrangebylex(CommandContext& c) { remrange_generic(c, RangeQuery::kLex); }

// Pops up to `count` from the min or max end of `key` (a non-empty zset).
std::vector<Item> pop_items(CommandContext& c, Entry* e, std::string_view key, bool max, size_t count) {
  ZSetValue* z = e->zset();
  std::vector<Item> items;
  size_t n = std::min(count, z->size());
  for (size_t i = 0; i < n; ++i) {
    auto [m, s] = z->at(max ? z->size() - 1 : 0);
    items.emplace_back(std::string(m), s);
    z->remove(items.back().first);
  }
  delete_if_empty(c, key, z->size());
  c.modified(key);
  c.dirty += static_cast<int64_t>(items.size());
  return items;
}

void zpop_generic(CommandContext& c, bool max) {
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
  Entry* e = c.lookup_write(c.arg(1));
  if (!c.check_type(e, Type::kZSet)) return;
  if (e == nullptr || count == 0) {
    c.reply.array(0);
    return;
  }
  std::vector<Item> items = pop_items(c, e, c.arg(1), max, static_cast<size_t>(count));
  std::vector<std::pair<std::string_view, double>> views(items.begin(), items.end());
  if (!has_count && c.reply.resp3()) {
    c.reply.array(2);
    c.reply.bulk(items[0].first);
    c.reply.double_value(items[0].second);
    return;
  }
  reply_items(c, views, true);
}

void cmd_zpopmin(CommandContext& c) { zpop_generic(c, false); }
void cmd_zpopmax(CommandContext& c) { zpop_generic(c, true); }

void bzpop_generic(CommandContext& c, bool max) {
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
    if (!c.check_type(e, Type::kZSet)) return;
    std::vector<Item> items = pop_items(c, e, key, max, 1);
    c.reply.array(3);
    c.reply.bulk(key);
    c.reply.bulk(items[0].first);
    c.reply.double_value(items[0].second);
    if (c.propagating()) c.propagate_as({max ? "ZPOPMAX" : "ZPOPMIN", std::string(key)});
    return;
  }
  if (c.block(std::move(keys), deadline, false)) return;
  c.reply.null_array();
}

void cmd_bzpopmin(CommandContext& c) { bzpop_generic(c, false); }
void cmd_bzpopmax(CommandContext& c) { bzpop_generic(c, true); }

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]; BZMPOP timeout numkeys ...
void zmpop_generic(CommandContext& c, size_t first, int64_t deadline, bool blocking) {
  int64_t numkeys;
  if (!c.int_arg(first, &numkeys)) return;
  if (numkeys <= 0) {
    c.reply.error("ERR numkeys should be greater than 0");
    return;
  }
  size_t where = first + 1 + static_cast<size_t>(numkeys);
  if (where >= c.argc()) {
    c.reply.error(err::kSyntax);
    return;
  }
  bool max;
  if (eq(c.arg(where), "min")) max = false;
  else if (eq(c.arg(where), "max")) max = true;
  else {
    c.reply.error(err::kSyntax);
    return;
  }
  int64_t count = 1;
  for (size_t i = where + 1; i < c.argc(); i += 2) {
    if (eq(c.arg(i), "count") && i + 1 < c.argc()) {
      if (!c.int_arg(i + 1, &count)) return;
      if (count <= 0) {
        c.reply.error("ERR count should be greater than 0");
        return;
      }
    } else {
      c.reply.error(err::kSyntax);
      return;
    }
  }
  std::vector<std::string> keys;
  for (size_t i = first + 1; i < where; ++i) {
    std::string_view key = c.arg(i);
    Entry* e = c.lookup_write(key);
    if (e == nullptr) {
      keys.emplace_back(key);
      continue;
    }
    if (!c.check_type(e, Type::kZSet)) return;
    std::vector<Item> items = pop_items(c, e, key, max, static_cast<size_t>(count));
    c.reply.array(2);
    c.reply.bulk(key);
    c.reply.array(items.size());
    for (auto& [m, s] : items) {
      c.reply.array(2);
      c.reply.bulk(m);
      c.reply.double_value(s);
    }
    if (c.propagating()) c.propagate_as({max ? "ZPOPMAX" : "ZPOPMIN", std::string(key), std::to_string(items.size())});
    return;
  }
  if (blocking && c.block(std::move(keys), deadline, false)) return;
  c.reply.null_array();
}

void cmd_zmpop(CommandContext& c) { zmpop_generic(c, 1, 0, false); }
void cmd_bzmpop(CommandContext& c) {
  int64_t deadline;
  if (!parse_timeout(c, 1, &deadline)) return;
  zmpop_generic(c, 2, deadline, true);
}

// ZUNION[STORE] / ZINTER[STORE] / ZDIFF[STORE]. `first` indexes numkeys.
enum class ZOp { kUnion, kInter, kDiff };

bool zsetop_compute(CommandContext& c, ZOp op, size_t first, bool allow_withscores,
                    std::vector<Item>* out, bool* with_scores) {
  int64_t numkeys;
  if (!c.int_arg(first, &numkeys)) return false;
  std::string name = core::to_lower(c.arg(0));
  if (numkeys < 1) {
    c.reply.error("ERR at least 1 input key is needed for '" + name + "' command");
    return false;
  }
  if (static_cast<int64_t>(c.argc() - first - 1) < numkeys) {
    c.reply.error(err::kSyntax);
    return false;
  }
  size_t nk = static_cast<size_t>(numkeys);
  std::vector<double> weights(nk, 1.0);
  enum { kSum, kMin, kMax } aggregate = kSum;
  for (size_t i = first + 1 + nk; i < c.argc(); ++i) {
    std::string_view a = c.arg(i);
    if (eq(a, "weights") && op != ZOp::kDiff && i + nk < c.argc()) {
      for (size_t k = 0; k < nk; ++k) {
        if (!c.double_arg(i + 1 + k, &weights[k], "ERR weight value is not a float")) return false;
      }
      i += nk;
    } else if (eq(a, "aggregate") && op != ZOp::kDiff && i + 1 < c.argc()) {
      std::string_view v = c.arg(++i);
      if (eq(v, "sum")) aggregate = kSum;
      else if (eq(v, "min")) aggregate = kMin;
      else if (eq(v, "max")) aggregate = kMax;
      else {
        c.reply.error(err::kSyntax);
        return false;
      }
    } else if (eq(a, "withscores") && allow_withscores) {
      *with_scores = true;
    } else {
      c.reply.error(err::kSyntax);
      return false;
    }
  }
  // Inputs may be sorted sets or sets (members scored 1).
  struct Input {
    Entry* e;
  };
  std::vector<Entry*> inputs;
  for (size_t k = 0; k < nk; ++k) {
    Entry* e = c.lookup_read(c.arg(first + 1 + k));
    if (e != nullptr && e->type() != Type::kZSet && e->type() != Type::kSet) {
      c.reply.error(err::kWrongType);
      return false;
    }
    inputs.push_back(e);
  }
  auto for_each_in = [](Entry* e, const std::function<void(std::string_view, double)>& fn) {
    if (e == nullptr) return;
    if (e->type() == Type::kSet) {
      e->set()->for_each([&](std::string_view m) { fn(m, 1.0); });
    } else if (e->zset()->size() > 0) {
      e->zset()->walk(0, e->zset()->size() - 1, false, [&](std::string_view m, double s) {
        fn(m, s);
        return true;
      });
    }
  };
  auto score_in = [](Entry* e, std::string_view m) -> std::optional<double> {
    if (e == nullptr) return std::nullopt;
    if (e->type() == Type::kSet) return e->set()->contains(m) ? std::optional<double>(1.0) : std::nullopt;
    return e->zset()->score(m);
  };
  auto combine = [&](double acc, double v) {
    double r;
    if (aggregate == kSum) r = acc + v;
    else if (aggregate == kMin) r = std::min(acc, v);
    else r = std::max(acc, v);
    return std::isnan(r) ? 0.0 : r;
  };
  auto weighted = [](double s, double w) {
    double r = s * w;
    return std::isnan(r) ? 0.0 : r;
  };
  std::unordered_map<std::string, double> acc;
  std::vector<std::string> order;
  if (op == ZOp::kUnion) {
    for (size_t k = 0; k < nk; ++k) {
      for_each_in(inputs[k], [&](std::string_view m, double s) {
        double v = weighted(s, weights[k]);
        auto [it, fresh] = acc.emplace(std::string(m), v);
        if (fresh) order.push_back(it->first);
        else it->second = combine(it->second, v);
      });
    }
  } else if (op == ZOp::kInter) {
    for_each_in(inputs[0], [&](std::string_view m, double s) {
      double v = weighted(s, weights[0]);
      for (size_t k = 1; k < nk; ++k) {
        auto other = score_in(inputs[k], m);
        if (!other) return;
        v = combine(v, weighted(*other, weights[k]));
      }
      acc.emplace(std::string(m), v);
      order.emplace_back(m);
    });
  } else {
    for_each_in(inputs[0], [&](std::string_view m, double s) {
      for (size_t k = 1; k < nk; ++k) {
        if (score_in(inputs[k], m)) return;
      }
      acc.emplace(std::string(m), s);
      order.emplace_back(m);
    });
  }
  out->reserve(order.size());
  for (const auto& m : order) out->emplace_back(m, acc[m]);
  std::sort(out->begin(), out->end(), [](const Item& a, const Item& b) {
    return a.second < b.second || (a.second == b.second && a.first < b.first);
  });
  return true;
}

void zsetop_reply(CommandContext& c, ZOp op) {
  std::vector<Item> items;
  bool with_scores = false;
  if (!zsetop_compute(c, op, 1, true, &items, &with_scores)) return;
  std::vector<std::pair<std::string_view, double>> views(items.begin(), items.end());
  reply_items(c, views, with_scores);
}

void zsetop_store(CommandContext& c, ZOp op) {
  std::vector<Item> items;
  bool with_scores = false;
  if (!zsetop_compute(c, op, 2, false, &items, &with_scores)) return;
  std::string dst(c.arg(1));
  bool existed = c.lookup_write(dst) != nullptr;
  if (existed) c.db.remove(dst);
  if (!items.empty()) {
    Entry* e = c.db.put(make_object_entry(dst, Type::kZSet));
    for (auto& [m, s] : items) e->zset()->set(m, s);
    c.ready(dst);
  }
  if (existed || !items.empty()) {
    c.modified(dst);
    ++c.dirty;
  }
  c.reply.integer(static_cast<int64_t>(items.size()));
}

void cmd_zunion(CommandContext& c) { zsetop_reply(c, ZOp::kUnion); }
void cmd_zinter(CommandContext& c) { zsetop_reply(c, ZOp::kInter); }
void cmd_zdiff(CommandContext& c) { zsetop_reply(c, ZOp::kDiff); }
void cmd_zunionstore(CommandContext& c) { zsetop_store(c, ZOp::kUnion); }
void cmd_zinterstore(CommandContext& c) { zsetop_store(c, ZOp::kInter); }
void cmd_zdiffstore(CommandContext& c) { zsetop_store(c, ZOp::kDiff); }

void cmd_zscan(CommandContext& c) {
  uint64_t cursor;
  if (!parse_scan_cursor(c, 2, &cursor)) return;
  ScanOptions opt;
  if (!parse_scan_options(c, 3, false, &opt)) return;
  bool ok;
  Entry* e = read_zset(c, c.arg(1), &ok);
  if (!ok) return;
  // Sorted sets are small or skip lists: one pass in rank order (cursor 0) — like Redis does for
  // its listpack encoding — paged by rank for large ones.
  std::vector<std::pair<std::string_view, double>> items;
  uint64_t next = 0;
  if (e != nullptr && e->zset()->size() > 0) {
    ZSetValue* z = e->zset();
    size_t start = static_cast<size_t>(std::min<uint64_t>(cursor, z->size()));
    size_t want = z->size() <= 128 ? z->size() : static_cast<size_t>(opt.count);
    size_t last = std::min(z->size() - 1, start + want - 1);
    if (start < z->size()) {
      z->walk(start, last, false, [&](std::string_view m, double s) {
        if (!opt.has_pattern || glob_match(opt.pattern, m)) items.emplace_back(m, s);
        return true;
      });
      next = last + 1 >= z->size() ? 0 : last + 1;
    }
  }
  c.reply.array(2);
  c.reply.bulk(std::to_string(next));
  c.reply.array(items.size() * 2);
  for (auto& [m, s] : items) {
    c.reply.bulk(m);
    c.reply.bulk(format_double(s));
  }
}

void cmd_zrandmember(CommandContext& c) {
  bool has_count = c.argc() >= 3;
  bool with_scores = false;
  int64_t count = 0;
  if (has_count && !c.int_arg(2, &count)) return;
  if (c.argc() == 4) {
    if (!eq(c.arg(3), "withscores")) {
      c.reply.error(err::kSyntax);
      return;
    }
    with_scores = true;
  } else if (c.argc() > 4) {
    c.reply.error(err::kSyntax);
    return;
  }
  bool ok;
  Entry* e = read_zset(c, c.arg(1), &ok);
  if (!ok) return;
  if (!has_count) {
    if (e == nullptr) c.reply.null();
    else c.reply.bulk(e->zset()->at(rng()() % e->zset()->size()).first);
    return;
  }
  if (e == nullptr || count == 0) {
    c.reply.array(0);
    return;
  }
  ZSetValue* z = e->zset();
  std::vector<std::pair<std::string_view, double>> picked;
  if (count < 0) {
    if (count < -(INT64_MAX / 2)) {
      c.reply.error("ERR value is out of range");
      return;
    }
    for (int64_t i = 0; i < -count; ++i) picked.push_back(z->at(rng()() % z->size()));
  } else {
    z->walk(0, z->size() - 1, false, [&](std::string_view m, double s) {
      picked.emplace_back(m, s);
      return true;
    });
    if (static_cast<size_t>(count) < picked.size()) {
      std::shuffle(picked.begin(), picked.end(), rng());
      picked.resize(static_cast<size_t>(count));
    }
  }
  reply_items(c, picked, with_scores);
}

void cmd_zintercard(CommandContext& c) {
  int64_t numkeys;
  if (!c.int_arg(1, &numkeys)) return;
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
      if (!c.int_arg(i + 1, &limit) || limit < 0) {
        if (limit < 0) c.reply.error("ERR LIMIT can't be negative");
        return;
      }
    } else {
      c.reply.error(err::kSyntax);
      return;
    }
  }
  std::vector<Entry*> inputs;
  for (size_t i = 2; i < end; ++i) {
    Entry* e = c.lookup_read(c.arg(i));
    if (e != nullptr && e->type() != Type::kZSet && e->type() != Type::kSet) {
      c.reply.error(err::kWrongType);
      return;
    }
    if (e == nullptr) {
      c.reply.integer(0);
      return;
    }
    inputs.push_back(e);
  }
  auto contains = [](Entry* e, std::string_view m) {
    return e->type() == Type::kSet ? e->set()->contains(m) : e->zset()->score(m).has_value();
  };
  int64_t n = 0;
  auto visit = [&](std::string_view m) {
    if (limit > 0 && n >= limit) return;
    for (size_t k = 1; k < inputs.size(); ++k) {
      if (!contains(inputs[k], m)) return;
    }
    ++n;
  };
  if (inputs[0]->type() == Type::kSet) {
    inputs[0]->set()->for_each(visit);
  } else if (inputs[0]->zset()->size() > 0) {
    inputs[0]->zset()->walk(0, inputs[0]->zset()->size() - 1, false, [&](std::string_view m, double) {
      visit(m);
      return true;
    });
  }
  c.reply.integer(n);
}

}  // namespace

void register_zset_commands(std::vector<CommandSpec>& t) {
  t.push_back({"zadd", cmd_zadd, -4, kWrite | kDenyOom | kFast, 1, 1, 1, "sorted_set", "1.2.0", "Add one or more members to a sorted set, or update its score if it already exists", "key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]"});
  t.push_back({"zincrby", cmd_zincrby, 4, kWrite | kDenyOom | kFast, 1, 1, 1, "sorted_set", "1.2.0", "Increment the score of a member in a sorted set", "key increment member"});
  t.push_back({"zrem", cmd_zrem, -3, kWrite | kFast, 1, 1, 1, "sorted_set", "1.2.0", "Remove one or more members from a sorted set", "key member [member ...]"});
  t.push_back({"zscore", cmd_zscore, 3, kReadOnly | kFast, 1, 1, 1, "sorted_set", "1.2.0", "Get the score associated with the given member in a sorted set", "key member"});
  t.push_back({"zmscore", cmd_zmscore, -3, kReadOnly | kFast, 1, 1, 1, "sorted_set", "6.2.0", "Get the score associated with the given members in a sorted set", "key member [member ...]"});
  t.push_back({"zcard", cmd_zcard, 2, kReadOnly | kFast, 1, 1, 1, "sorted_set", "1.2.0", "Get the number of members in a sorted set", "key"});
  t.push_back({"zcount", cmd_zcount, 4, kReadOnly | kFast, 1, 1, 1, "sorted_set", "2.0.0", "Count the members in a sorted set with scores within the given values", "key min max"});
  t.push_back({"zlexcount", cmd_zlexcount, 4, kReadOnly | kFast, 1, 1, 1, "sorted_set", "2.8.9", "Count the number of members in a sorted set between a given lexicographical range", "key min max"});
  t.push_back({"zrank", cmd_zrank, -3, kReadOnly | kFast, 1, 1, 1, "sorted_set", "2.0.0", "Determine the index of a member in a sorted set", "key member [WITHSCORE]"});
  t.push_back({"zrevrank", cmd_zrevrank, -3, kReadOnly | kFast, 1, 1, 1, "sorted_set", "2.0.0", "Determine the index of a member in a sorted set, with scores ordered from high to low", "key member [WITHSCORE]"});
  t.push_back({"zrange", cmd_zrange, -4, kReadOnly, 1, 1, 1, "sorted_set", "1.2.0", "Return a range of members in a sorted set", "key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]"});
  t.push_back({"zrangestore", cmd_zrangestore, -5, kWrite | kDenyOom, 1, 2, 1, "sorted_set", "6.2.0", "Store a range of members from sorted set into another key", "dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]"});
  t.push_back({"zrangebyscore", cmd_zrangebyscore, -4, kReadOnly, 1, 1, 1, "sorted_set", "1.0.5", "Return a range of members in a sorted set, by score", "key min max [WITHSCORES] [LIMIT offset count]"});
  t.push_back({"zrevrangebyscore", cmd_zrevrangebyscore, -4, kReadOnly, 1, 1, 1, "sorted_set", "2.2.0", "Return a range of members in a sorted set, by score, with scores ordered from high to low", "key max min [WITHSCORES] [LIMIT offset count]"});
  t.push_back({"zrangebylex", cmd_zrangebylex, -4, kReadOnly, 1, 1, 1, "sorted_set", "2.8.9", "Return a range of members in a sorted set, by lexicographical range", "key min max [LIMIT offset count]"});
  t.push_back({"zrevrangebylex", cmd_zrevrangebylex, -4, kReadOnly, 1, 1, 1, "sorted_set", "2.8.9", "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", "key max min [LIMIT offset count]"});
  t.push_back({"zrevrange", cmd_zrevrange, -4, kReadOnly, 1, 1, 1, "sorted_set", "1.2.0", "Return a range of members in a sorted set, by index, with scores ordered from high to low", "key start stop [WITHSCORES]"});
  t.push_back({"zremrangebyrank", cmd_zremrangebyrank, 4, kWrite, 1, 1, 1, "sorted_set", "2.0.0", "Remove all members in a sorted set within the given indexes", "key start stop"});
  t.push_back({"zremrangebyscore", cmd_zremrangebyscore, 4, kWrite, 1, 1, 1, "sorted_set", "1.2.0", "Remove all members in a sorted set within the given scores", "key min max"});
  t.push_back({"zremrangebylex", cmd_zremrangebylex, 4, kWrite, 1, 1, 1, "sorted_set", "2.8.9", "Remove all members in a sorted set between the given lexicographical range", "key min max"});
  t.push_back({"zpopmin", cmd_zpopmin, -2, kWrite | kFast, 1, 1, 1, "sorted_set", "5.0.0", "Remove and return members with the lowest scores in a sorted set", "key [count]"});
  t.push_back({"zpopmax", cmd_zpopmax, -2, kWrite | kFast, 1, 1, 1, "sorted_set", "5.0.0", "Remove and return members with the highest scores in a sorted set", "key [count]"});
  t.push_back({"bzpopmin", cmd_bzpopmin, -3, kWrite | kFast | kBlocking, 1, -2, 1, "sorted_set", "5.0.0", "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", "key [key ...] timeout"});
  t.push_back({"bzpopmax", cmd_bzpopmax, -3, kWrite | kFast | kBlocking, 1, -2, 1, "sorted_set", "5.0.0", "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", "key [key ...] timeout"});
  t.push_back({"zmpop", cmd_zmpop, -4, kWrite, 0, 0, 0, "sorted_set", "7.0.0", "Remove and return members with scores in a sorted set", "numkeys key [key ...] MIN|MAX [COUNT count]"});
  t.push_back({"bzmpop", cmd_bzmpop, -5, kWrite | kBlocking, 0, 0, 0, "sorted_set", "7.0.0", "Remove and return members with scores in a sorted set or block until one is available", "timeout numkeys key [key ...] MIN|MAX [COUNT count]"});
  t.push_back({"zunion", cmd_zunion, -3, kReadOnly, 0, 0, 0, "sorted_set", "6.2.0", "Add multiple sorted sets", "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]"});
  t.push_back({"zinter", cmd_zinter, -3, kReadOnly, 0, 0, 0, "sorted_set", "6.2.0", "Intersect multiple sorted sets", "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]"});
  t.push_back({"zdiff", cmd_zdiff, -3, kReadOnly, 0, 0, 0, "sorted_set", "6.2.0", "Subtract multiple sorted sets", "numkeys key [key ...] [WITHSCORES]"});
  t.push_back({"zunionstore", cmd_zunionstore, -4, kWrite | kDenyOom, 1, 1, 1, "sorted_set", "2.0.0", "Add multiple sorted sets and store the resulting sorted set in a new key", "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX]"});
  t.push_back({"zinterstore", cmd_zinterstore, -4, kWrite | kDenyOom, 1, 1, 1, "sorted_set", "2.0.0", "Intersect multiple sorted sets and store the resulting sorted set in a new key", "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX]"});
  t.push_back({"zdiffstore", cmd_zdiffstore, -4, kWrite | kDenyOom, 1, 1, 1, "sorted_set", "6.2.0", "Subtract multiple sorted sets and store the resulting sorted set in a new key", "destination numkeys key [key ...]"});
  t.push_back({"zintercard", cmd_zintercard, -3, kReadOnly, 0, 0, 0, "sorted_set", "7.0.0", "Intersect multiple sorted sets and return the cardinality of the result", "numkeys key [key ...] [LIMIT limit]"});
  t.push_back({"zscan", cmd_zscan, -3, kReadOnly, 1, 1, 1, "sorted_set", "2.8.0", "Incrementally iterate sorted sets elements and associated scores", "key cursor [MATCH pattern] [COUNT count]"});
  t.push_back({"zrandmember", cmd_zrandmember, -2, kReadOnly, 1, 1, 1, "sorted_set", "6.2.0", "Get one or multiple random elements from a sorted set", "key [count [WITHSCORES]]"});
}

}  // namespace sfs::kv
