// SORT and SORT_RO: sorting the elements of a list, set or sorted set, Redis 7.0's way.
//
//   SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC] [ALPHA]
//            [STORE destination]
//
// The steps, as in Redis's sort.c:
//   1. Collect the elements. Without sorting (BY a pattern with no '*'), a list or sorted set
//      gives only the LIMIT window in its own order (reversed by DESC); a set gives everything
//      in its iteration order — except with STORE, where the result must be reproducible, so a
//      set is then sorted ALPHA.
//   2. Give each element a weight: the element itself, or the value found through the BY
//      pattern. A pattern substitutes the element for its first '*' and names a string key
//      ("w_*") or a hash field ("h_*->field"); a missing key or field weighs 0 (numeric) or
//      sorts first (ALPHA). Numeric weights are parsed like strtod(); a weight that does not
//      parse fails the whole command with "One or more scores can't be converted into double".
//   3. Sort: numeric weights with ties broken by comparing the elements' bytes (so the order is
//      deterministic), ALPHA weights by their bytes (Redis uses strcoll(), which is the same in
//      the C and C.UTF-8 locales), DESC reversing either.
//   4. Apply LIMIT and emit each element, or for each GET pattern the string it names ("#" is
//      the element itself; anything missing is a null, or "" when stored).
//
// STORE replaces the destination with a list of the output (no TTL) or deletes it when the output
// is empty, and is propagated to the AOF as DEL + RPUSH of the result, so a replay does not
// depend on the order a set happens to iterate in.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "systems/kv/commands.h"
#include "systems/kv/util.h"

namespace sfs::kv {
namespace {

constexpr std::string_view kScoreError = "ERR One or more scores can't be converted into double";

// The string a BY/GET pattern names for `element`: nullopt when the pattern has no '*' (a fixed
// key makes no sense), the key is missing or of another type, or the hash field is missing.
std::optional<std::string> lookup_by_pattern(CommandContext& c, std::string_view pattern,
                                             std::string_view element) {
  if (pattern == "#") return std::string(element);
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  std::string_view rest = pattern.substr(star + 1);
  std::string_view field;
  bool has_field = false;
  size_t arrow = rest.find("->");
  if (arrow != std::string_view::npos && arrow + 2 < rest.size()) {
    field = rest.substr(arrow + 2);
    rest = rest.substr(0, arrow);
    has_field = true;
  }
  std::string key;
  key.reserve(pattern.size() + element.size());
  key.append(pattern.substr(0, star));
  key.append(element);
  key.append(rest);
  Entry* e = c.lookup_read(key);
  if (e == nullptr) return std::nullopt;
  if (has_field) {
    if (e->type() != Type::kHash) return std::nullopt;
    auto v = e->hash()->get(field);
    if (!v) return std::nullopt;
    return std::string(*v);
  }
  if (e->type() != Type::kString) return std::nullopt;
  char buf[24];
  return std::string(e->string_value(buf));
}

// strtod() as Redis applies it to a weight: the whole string must be consumed ("" is 0), no
// overflow, no NaN. The copy makes the bytes NUL-terminated (an embedded NUL ends the number).
bool parse_weight(const std::string& text, double* out) {
  errno = 0;
  char* end = nullptr;
  *out = std::strtod(text.c_str(), &end);
  return *end == '\0' && errno != ERANGE && !std::isnan(*out);
}

int compare_bytes(std::string_view a, std::string_view b) {
  int r = a.compare(b);
  return r < 0 ? -1 : (r > 0 ? 1 : 0);
}

struct Item {
  explicit Item(std::string_view e) : element(e) {}
  std::string element;
  double score = 0;
  std::optional<std::string> weight;  // ALPHA with BY: the looked-up string
};

void sort_generic(CommandContext& c, bool readonly) {
  bool desc = false, alpha = false, dontsort = false;
  int64_t limit_start = 0, limit_count = -1;
  std::optional<std::string_view> sortby;
  std::optional<std::string> storekey;
  std::vector<std::string_view> gets;

  for (size_t j = 2; j < c.argc(); ++j) {
    size_t left = c.argc() - j - 1;
    std::string_view opt = c.arg(j);
    if (eq(opt, "asc")) {
      desc = false;
    } else if (eq(opt, "desc")) {
      desc = true;
    } else if (eq(opt, "alpha")) {
      alpha = true;
    } else if (eq(opt, "limit") && left >= 2) {
      if (!c.int_arg(j + 1, &limit_start) || !c.int_arg(j + 2, &limit_count)) return;
      j += 2;
    } else if (eq(opt, "store") && left >= 1 && !readonly) {
      storekey = std::string(c.arg(j + 1));
      ++j;
    } else if (eq(opt, "by") && left >= 1) {
      sortby = c.arg(j + 1);
      // A pattern without '*' is constant: nothing to look up, nothing to sort.
      if (sortby->find('*') == std::string_view::npos) dontsort = true;
      ++j;
    } else if (eq(opt, "get") && left >= 1) {
      gets.push_back(c.arg(j + 1));
      ++j;
    } else {
      c.reply.error(err::kSyntax);
      return;
    }
  }
  // As Redis: the options are checked before the key's type.
  Entry* e = storekey ? c.lookup_write(c.arg(1)) : c.lookup_read(c.arg(1));
  if (e != nullptr && e->type() != Type::kList && e->type() != Type::kSet &&
      e->type() != Type::kZSet) {
    c.reply.error(err::kWrongType);
    return;
  }
  // A set sorted into STORE without an order of its own gets one, so the result is reproducible.
  if (e != nullptr && e->type() == Type::kSet && dontsort && storekey) {
    dontsort = false;
    alpha = true;
    sortby.reset();
  }
  size_t size = 0;
  if (e != nullptr) {
    if (e->type() == Type::kList) size = e->list()->size();
    else if (e->type() == Type::kSet) size = e->set()->size();
    else size = e->zset()->size();
  }
  // LIMIT, clamped as Redis does: [start, end] (end < start means nothing).
  int64_t len = static_cast<int64_t>(size);
  int64_t start = limit_start < 0 ? 0 : limit_start;
  int64_t end = limit_count < 0 ? len - 1 : start + limit_count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;

  std::vector<Item> items;
  if (e != nullptr && dontsort && (e->type() == Type::kList || e->type() == Type::kZSet)) {
    // Only the window, in the value's own order (from the tail when DESC).
    if (end >= start) {
      size_t first = static_cast<size_t>(start), last = static_cast<size_t>(end);
      if (desc) {
        first = size - 1 - static_cast<size_t>(end);
        last = size - 1 - static_cast<size_t>(start);
      }
      if (e->type() == Type::kList) {
        e->list()->range(first, last, [&](std::string_view v) { items.emplace_back(v); }, desc);
      } else {
        e->zset()->walk(first, last, desc, [&](std::string_view m, double) {
          items.emplace_back(m);
          return true;
        });
      }
    }
    end -= start;
    start = 0;
  } else if (e != nullptr) {
    items.reserve(size);
    if (e->type() == Type::kList) {
      if (size > 0) e->list()->range(0, size - 1, [&](std::string_view v) { items.emplace_back(v); });
    } else if (e->type() == Type::kSet) {
      e->set()->for_each([&](std::string_view m) { items.emplace_back(m); });
    } else if (size > 0) {
      e->zset()->walk(0, size - 1, false, [&](std::string_view m, double) {
        items.emplace_back(m);
        return true;
      });
    }
  }
  // The elements are copies: lookups through patterns may expire keys, so `e` is not used again.
  e = nullptr;

  if (!dontsort) {
    bool conversion_error = false;
    for (Item& item : items) {
      std::optional<std::string> weight;
      if (sortby) {
        weight = lookup_by_pattern(c, *sortby, item.element);
        if (!weight) continue;
      }
      if (alpha) {
        if (sortby) item.weight = std::move(weight);
      } else if (!parse_weight(sortby ? *weight : item.element, &item.score)) {
        conversion_error = true;
      }
    }
    if (conversion_error) {
      c.reply.error(kScoreError);
      return;
    }
    const bool by_pattern = sortby.has_value();
    auto compare = [&](const Item& a, const Item& b) {
      int cmp;
      if (!alpha) {
        if (a.score > b.score) cmp = 1;
        else if (a.score < b.score) cmp = -1;
        else cmp = compare_bytes(a.element, b.element);
      } else if (by_pattern) {
        if (!a.weight || !b.weight) cmp = a.weight.has_value() == b.weight.has_value() ? 0 : (a.weight ? 1 : -1);
        else cmp = compare_bytes(*a.weight, *b.weight);
      } else {
        cmp = compare_bytes(a.element, b.element);
      }
      return desc ? cmp > 0 : cmp < 0;
    };
    std::stable_sort(items.begin(), items.end(), compare);
  }

  size_t count = end >= start ? static_cast<size_t>(end - start + 1) : 0;
  size_t outputs = gets.empty() ? count : count * gets.size();
  if (!storekey) {
    c.reply.array(outputs);
    for (size_t j = 0; j < count; ++j) {
      const std::string& element = items[static_cast<size_t>(start) + j].element;
      if (gets.empty()) {
        c.reply.bulk(element);
        continue;
      }
      for (auto pattern : gets) {
        auto v = lookup_by_pattern(c, pattern, element);
        if (v) c.reply.bulk(*v);
        else c.reply.null();
      }
    }
    return;
  }

  std::vector<std::string> out;
  out.reserve(outputs);
  for (size_t j = 0; j < count; ++j) {
    const std::string& element = items[static_cast<size_t>(start) + j].element;
    if (gets.empty()) {
      out.push_back(element);
      continue;
    }
    for (auto pattern : gets) out.push_back(lookup_by_pattern(c, pattern, element).value_or(""));
  }
  const std::string& dst = *storekey;
  bool existed = c.lookup_write(dst) != nullptr;
  if (existed) c.db.remove(dst);
  if (!out.empty()) {
    Entry* list = c.db.put(make_object_entry(dst, Type::kList));
    for (const auto& v : out) list->list()->push(false, v);
    c.modified(dst);
    c.ready(dst);
    c.dirty += static_cast<int64_t>(out.size());
    c.propagate_as({"DEL", dst});
    std::vector<std::string> rpush{"RPUSH", dst};
    rpush.insert(rpush.end(), out.begin(), out.end());
    c.propagate_as(std::move(rpush));
  } else if (existed) {
    c.modified(dst);
    ++c.dirty;
    c.propagate_as({"DEL", dst});
  }
  c.reply.integer(static_cast<int64_t>(out.size()));
}

void cmd_sort(CommandContext& c) { sort_generic(c, false); }
void cmd_sort_ro(CommandContext& c) { sort_generic(c, true); }

}  // namespace

void register_sort_commands(std::vector<CommandSpec>& t) {
  t.push_back({"sort", cmd_sort, -2, kWrite | kDenyOom, 1, 1, 1, "generic", "1.0.0", "Sort the elements in a list, set or sorted set", "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC] [ALPHA] [STORE destination]"});
  t.push_back({"sort_ro", cmd_sort_ro, -2, kReadOnly, 1, 1, 1, "generic", "7.0.0", "Sort the elements in a list, set or sorted set. Read-only variant of SORT.", "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC] [ALPHA]"});
}

}  // namespace sfs::kv
