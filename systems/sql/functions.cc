// The built-in SQL functions: scalar functions, aggregates, LIKE and GLOB.
//
// Each scalar function gets its arguments already evaluated and returns a Value. Semantics
// follow SQLite's core functions (lang_corefunc.html, lang_aggfunc.html): text functions count
// UTF-8 characters, upper()/lower() fold ASCII only, NULL in gives NULL out unless the function
// says otherwise, sum() of integers is exact and fails on overflow while total() is always REAL.
// coalesce(), ifnull(), iif() and nullif() are evaluated by the evaluator itself, because they
// must not evaluate arguments they do not need.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <unordered_map>

#include "core/strings.h"
#include "systems/sql/database.h"
#include "systems/sql/datetime.h"
#include "systems/sql/engine.h"

namespace sfs::sql {
namespace {

// ---- UTF-8 helpers ---------------------------------------------------------------------------

// Characters as SQLite counts them, also in text that is not valid UTF-8: every byte starts a
// character except the continuation bytes (10xxxxxx) that follow a lead byte (11xxxxxx); a stray
// continuation byte counts as a character of its own.
size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i++]);
    ++n;
    if (c >= 0xC0) {
      while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    }
  }
  return n;
}

// Byte offset of character `index` (clamped to the end).
size_t utf8_offset(std::string_view s, size_t index) {
  size_t i = 0;
  while (i < s.size() && index > 0) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    --index;
  }
  return i;
}

// Decodes one code point at s[*i] (advancing *i); malformed bytes decode as themselves.
// Decodes one character the way SQLite does, also from text that is not valid UTF-8: a stray
// continuation byte is a character of its own, a lead byte takes every continuation byte after
// it, and an overlong form, a surrogate or U+FFFE/FFFF comes out as U+FFFD.
uint32_t utf8_next(std::string_view s, size_t* i) {
  unsigned char c = static_cast<unsigned char>(s[(*i)++]);
  if (c < 0xC0) return c;
  uint32_t cp = c >= 0xFE ? 0 : c >= 0xFC ? c & 0x01 : c >= 0xF8 ? c & 0x03 : c >= 0xF0 ? c & 0x07
              : c >= 0xE0 ? c & 0x0F : c & 0x1F;
  while (*i < s.size() && (static_cast<unsigned char>(s[*i]) & 0xC0) == 0x80) {
    cp = (cp << 6) + (static_cast<unsigned char>(s[(*i)++]) & 0x3F);
  }
  if (cp < 0x80 || (cp & 0xFFFFF800) == 0xD800 || (cp & 0xFFFFFFFE) == 0xFFFE) cp = 0xFFFD;
  return cp;
}

// ---- scalar functions ------------------------------------------------------------------------

#define FN(name) bool name(Runtime& rt, const Expr* call, Value* a, int n, Value* out)
#define UNUSED_FN_ARGS \
  (void)rt;            \
  (void)call;          \
  (void)a;             \
  (void)n

FN(fn_abs) {
  UNUSED_FN_ARGS;
  switch (a[0].type()) {
    case ValueType::kNull:
      *out = Value();
      return true;
    case ValueType::kInteger:
      if (a[0].int_value() == INT64_MIN) return rt.fail(Status::invalid_argument("integer overflow"));
      *out = Value::integer(std::llabs(a[0].int_value()));
      return true;
    case ValueType::kReal:
      *out = Value::real(std::fabs(a[0].real_value()));
      return true;
    default: {
      double r = a[0].to_real();
      *out = Value::real(std::fabs(r));
      return true;
    }
  }
}

FN(fn_length) {
  UNUSED_FN_ARGS;
  switch (a[0].type()) {
    case ValueType::kNull:
      *out = Value();
      break;
    case ValueType::kBlob:
      *out = Value::integer(static_cast<int64_t>(a[0].str().size()));
      break;
    case ValueType::kText: {
      // Like SQLite, length() stops at the first NUL of a text value.
      std::string_view s = a[0].str();
      size_t nul = s.find('\0');
      if (nul != std::string_view::npos) s = s.substr(0, nul);
      *out = Value::integer(static_cast<int64_t>(utf8_length(s)));
      break;
    }
    default:
      *out = Value::integer(static_cast<int64_t>(utf8_length(a[0].to_text())));
      break;
  }
  return true;
}

FN(fn_octet_length) {
  UNUSED_FN_ARGS;
  if (a[0].is_null()) {
    *out = Value();
  } else {
    *out = Value::integer(static_cast<int64_t>(a[0].to_text().size()));
  }
  return true;
}

FN(fn_lower) {
  UNUSED_FN_ARGS;
  if (a[0].is_null()) {
    *out = Value();
  } else {
    *out = Value::text(core::to_lower(a[0].to_text()));
  }
  return true;
}

FN(fn_upper) {
  UNUSED_FN_ARGS;
  if (a[0].is_null()) {
    *out = Value();
  } else {
    *out = Value::text(core::to_upper(a[0].to_text()));
  }
  return true;
}

FN(fn_typeof) {
  UNUSED_FN_ARGS;
  *out = Value::text(type_name(a[0].type()));
  return true;
}

FN(fn_substr) {
  UNUSED_FN_ARGS;
  if (a[0].is_null() || a[1].is_null() || (n == 3 && a[2].is_null())) {
    *out = Value();
    return true;
  }
  bool blob = a[0].type() == ValueType::kBlob;
  std::string s = a[0].to_text();
  int64_t length = blob ? static_cast<int64_t>(s.size()) : static_cast<int64_t>(utf8_length(s));
  int64_t p1 = a[1].to_int();
  int64_t p2 = n == 3 ? a[2].to_int() : INT64_MAX / 4;
  bool negative_length = false;
  if (p2 < 0) {
    negative_length = true;
    p2 = p2 == INT64_MIN ? INT64_MAX / 4 : -p2;
  }
  if (p1 < 0) {
    p1 += length;
    if (p1 < 0) {
      p2 += p1;
      if (p2 < 0) p2 = 0;
      p1 = 0;
    }
  } else if (p1 > 0) {
    --p1;
  } else if (p2 > 0) {
    --p2;
  }
  if (negative_length) {
    p1 -= p2;
    if (p1 < 0) {
      p2 += p1;
      p1 = 0;
    }
  }
  if (p1 > length) p1 = length;
  if (p2 > length - p1) p2 = length - p1;
  if (p2 < 0) p2 = 0;
  if (blob) {
    *out = Value::blob(s.substr(static_cast<size_t>(p1), static_cast<size_t>(p2)));
  } else {
    size_t start = utf8_offset(s, static_cast<size_t>(p1));
    size_t end = start + utf8_offset(std::string_view(s).substr(start), static_cast<size_t>(p2));
    *out = Value::text(s.substr(start, end - start));
  }
  return true;
}

FN(fn_instr) {
  UNUSED_FN_ARGS;
  if (a[0].is_null() || a[1].is_null()) {
    *out = Value();
    return true;
  }
  std::string haystack = a[0].to_text(), needle = a[1].to_text();
  size_t at = haystack.find(needle);
  if (at == std::string::npos) {
    *out = Value::integer(0);
  } else if (a[0].type() == ValueType::kBlob && a[1].type() == ValueType::kBlob) {
    *out = Value::integer(static_cast<int64_t>(at) + 1);
  } else {
    *out = Value::integer(static_cast<int64_t>(utf8_length(haystack.substr(0, at))) + 1);
  }
  return true;
}

FN(fn_replace) {
  UNUSED_FN_ARGS;
  if (a[0].is_null() || a[1].is_null() || a[2].is_null()) {
    *out = Value();
    return true;
  }
  std::string s = a[0].to_text(), from = a[1].to_text(), to = a[2].to_text();
  if (from.empty()) {
    *out = Value::text(s);
    return true;
  }
  std::string result;
  size_t pos = 0;
  while (true) {
    size_t at = s.find(from, pos);
    if (at == std::string::npos) break;
    result.append(s, pos, at - pos);
    result += to;
    pos = at + from.size();
  }
  result.append(s, pos, std::string::npos);
  *out = Value::text(std::move(result));
  return true;
}

bool trim_impl(Value* a, int n, Value* out, bool left, bool right) {
  if (a[0].is_null() || (n == 2 && a[1].is_null())) {
    *out = Value();
    return true;
  }
  std::string s = a[0].to_text();
  std::string chars = n == 2 ? a[1].to_text() : " ";
  // The set of characters to trim, as code points.
  std::vector<std::string> set;
  for (size_t i = 0; i < chars.size();) {
    size_t start = i;
    utf8_next(chars, &i);
    set.push_back(chars.substr(start, i - start));
  }
  auto starts_with_any = [&](std::string_view text, size_t at) -> size_t {
    for (const auto& c : set) {
      if (!c.empty() && text.substr(at, c.size()) == c) return c.size();
    }
    return 0;
  };
  size_t begin = 0, end = s.size();
  if (left) {
    while (begin < end) {
      size_t k = starts_with_any(std::string_view(s).substr(0, end), begin);
      if (k == 0) break;
      begin += k;
    }
  }
  if (right) {
    while (end > begin) {
      bool trimmed = false;
      for (const auto& c : set) {
        if (!c.empty() && end - begin >= c.size() && s.compare(end - c.size(), c.size(), c) == 0) {
          end -= c.size();
          trimmed = true;
          break;
        }
      }
      if (!trimmed) break;
    }
  }
  *out = Value::text(s.substr(begin, end - begin));
  return true;
}

FN(fn_trim) {
  UNUSED_FN_ARGS;
  return trim_impl(a, n, out, true, true);
}
FN(fn_ltrim) {
  UNUSED_FN_ARGS;
  return trim_impl(a, n, out, true, false);
}
FN(fn_rtrim) {
  UNUSED_FN_ARGS;
  return trim_impl(a, n, out, false, true);
}

FN(fn_round) {
  UNUSED_FN_ARGS;
  if (a[0].is_null() || (n == 2 && a[1].is_null())) {
    *out = Value();
    return true;
  }
  int64_t digits = n == 2 ? a[1].to_int() : 0;
  if (digits > 30) digits = 30;
  if (digits < 0) digits = 0;
  double r = a[0].to_real();
  if (digits == 0 && r >= 0 && r < 9223372036854775806.0) {
    r = static_cast<double>(static_cast<int64_t>(r + 0.5));
  } else if (digits == 0 && r < 0 && -r < 9223372036854775806.0) {
    r = -static_cast<double>(static_cast<int64_t>(-r + 0.5));
  } else {
    std::string text = format_real(r, 'f', static_cast<int>(digits), true);
    r = parse_number(text).r;
  }
  *out = Value::real(r);
  return true;
}

FN(fn_hex) {
  UNUSED_FN_ARGS;
  static const char kHex[] = "0123456789ABCDEF";
  std::string s = a[0].to_text();
  std::string result;
  for (unsigned char c : s) {
    result.push_back(kHex[c >> 4]);
    result.push_back(kHex[c & 15]);
  }
  *out = Value::text(std::move(result));
  return true;
}

FN(fn_unhex) {
  UNUSED_FN_ARGS;
  if (a[0].is_null()) {
    *out = Value();
    return true;
  }
  std::string s = a[0].to_text(), result;
  if (s.size() % 2 != 0) {
    *out = Value();
    return true;
  }
  for (size_t i = 0; i < s.size(); i += 2) {
    int hi = core::hex_digit_value(s[i]), lo = core::hex_digit_value(s[i + 1]);
    if (hi < 0 || lo < 0) {
      *out = Value();
      return true;
    }
    result.push_back(static_cast<char>(hi * 16 + lo));
  }
  *out = Value::blob(std::move(result));
  return true;
}

FN(fn_quote) {
  UNUSED_FN_ARGS;
  if (a[0].type() == ValueType::kReal) {
    double r = a[0].real_value();
    std::string text = format_real(r, 'g', 15, true);
    // Like SQLite 3.40: 15 digits unless they do not read back as the same double, then 20.
    if (std::isfinite(r) && std::strtod(text.c_str(), nullptr) != r) {
      text = format_real(r, 'e', 20, true);
    } else if (text.find_first_of(".eEIN") == std::string::npos) {
      text += ".0";
    }
    *out = Value::text(text);
    return true;
  }
  *out = Value::text(a[0].to_sql_literal());
  return true;
}

FN(fn_printf) {
  UNUSED_FN_ARGS;
  if (n == 0 || a[0].is_null()) {
    *out = Value();
    return true;
  }
  *out = Value::text(sql_printf(a[0].to_text(), a + 1, n - 1));
  return true;
}

FN(fn_char) {
  UNUSED_FN_ARGS;
  std::string result;
  for (int i = 0; i < n; ++i) {
    int64_t cp = a[i].to_int();
    if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
    core::append_utf8(&result, static_cast<uint32_t>(cp));
  }
  *out = Value::text(std::move(result));
  return true;
}

FN(fn_unicode) {
  UNUSED_FN_ARGS;
  std::string s = a[0].to_text();
  if (a[0].is_null() || s.empty()) {
    *out = Value();
    return true;
  }
  size_t i = 0;
  *out = Value::integer(utf8_next(s, &i));
  return true;
}

FN(fn_sign) {
  UNUSED_FN_ARGS;
  if (a[0].is_null()) {
    *out = Value();
    return true;
  }
  Value v = a[0];
  if (!v.is_numeric()) {
    ParsedNumber p = parse_number(v.to_text());
    if (!p.valid || !p.whole) {
      *out = Value();
      return true;
    }
    v = Value::real(p.r);
  }
  double r = v.to_real();
  *out = Value::integer(r > 0 ? 1 : r < 0 ? -1 : 0);
  return true;
}

FN(fn_random) {
  UNUSED_FN_ARGS;
  static std::mt19937_64 generator(std::random_device{}());
  *out = Value::integer(static_cast<int64_t>(generator()));
  return true;
}

FN(fn_randomblob) {
  UNUSED_FN_ARGS;
  static std::mt19937 generator(std::random_device{}());
  int64_t size = std::max<int64_t>(1, a[0].to_int());
  if (size > 1000000000) return rt.fail(Status::limit_exceeded("string or blob too big"));
  std::string bytes(static_cast<size_t>(size), '\0');
  for (char& c : bytes) c = static_cast<char>(generator());
  *out = Value::blob(std::move(bytes));
  return true;
}

FN(fn_zeroblob) {
  UNUSED_FN_ARGS;
  int64_t size = std::max<int64_t>(0, a[0].to_int());
  if (size > 1000000000) return rt.fail(Status::limit_exceeded("string or blob too big"));
  *out = Value::blob(std::string(static_cast<size_t>(size), '\0'));
  return true;
}

FN(fn_min_max_scalar) {
  UNUSED_FN_ARGS;
  bool is_max = call->name == "max";
  int best = 0;
  for (int i = 0; i < n; ++i) {
    if (a[i].is_null()) {
      *out = Value();
      return true;
    }
  }
  for (int i = 1; i < n; ++i) {
    // On a tie min() moves to the later argument and max() stays (SQLite's minmaxFunc()).
    int c = compare_values(a[i], a[best], call->collation);
    if (is_max ? c > 0 : c <= 0) best = i;
  }
  *out = a[best];
  return true;
}

FN(fn_like) {
  UNUSED_FN_ARGS;
  // like(pattern, text [, escape]) — note the argument order.
  if (a[0].type() == ValueType::kBlob || a[1].type() == ValueType::kBlob) {
    *out = Value::boolean(false);  // see ExprKind::kLike in eval.cc
    return true;
  }
  if (a[0].is_null() || a[1].is_null() || (n == 3 && a[2].is_null())) {
    *out = Value();
    return true;
  }
  uint32_t escape = 0;
  if (n == 3) {
    std::string e = a[2].to_text();
    if (utf8_length(e) != 1) {
      return rt.fail(Status::invalid_argument("ESCAPE expression must be a single character"));
    }
    size_t i = 0;
    escape = utf8_next(e, &i);
  }
  *out = Value::boolean(like_match(a[0].to_text(), a[1].to_text(), escape, true));
  return true;
}

FN(fn_glob) {
  UNUSED_FN_ARGS;
  if (a[0].type() == ValueType::kBlob || a[1].type() == ValueType::kBlob) {
    *out = Value::boolean(false);  // see ExprKind::kLike in eval.cc
    return true;
  }
  if (a[0].is_null() || a[1].is_null()) {
    *out = Value();
    return true;
  }
  *out = Value::boolean(glob_match(a[0].to_text(), a[1].to_text()));
  return true;
}

FN(fn_identity) {
  UNUSED_FN_ARGS;
  *out = a[0];
  return true;
}

FN(fn_last_insert_rowid) {
  UNUSED_FN_ARGS;
  *out = Value::integer(rt.connection()->last_insert_rowid());
  return true;
}

FN(fn_changes) {
  UNUSED_FN_ARGS;
  *out = Value::integer(rt.connection()->changes());
  return true;
}

FN(fn_total_changes) {
  UNUSED_FN_ARGS;
  *out = Value::integer(rt.connection()->total_changes());
  return true;
}

FN(fn_sqlite_version) {
  UNUSED_FN_ARGS;
  *out = Value::text("3.40.1");
  return true;
}

FN(fn_soundex) {
  UNUSED_FN_ARGS;
  static const char kCodes[26] = {0, '1', '2', '3', 0, '1', '2', 0, 0, '2', '2', '4', '5',
                                  '5', 0, '1', '2', '6', '2', '3', 0, '1', 0, '2', 0, '2'};
  std::string s = a[0].to_text();
  size_t i = 0;
  while (i < s.size() && !std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
  if (i >= s.size()) {
    *out = Value::text("?000");
    return true;
  }
  std::string result(1, core::ascii_upper(s[i]));
  char previous = kCodes[core::ascii_upper(s[i]) - 'A'];
  for (++i; i < s.size() && result.size() < 4; ++i) {
    char c = core::ascii_upper(s[i]);
    if (c < 'A' || c > 'Z') continue;
    char code = kCodes[c - 'A'];
    if (code != 0 && code != previous) result.push_back(code);
    previous = code;
  }
  while (result.size() < 4) result.push_back('0');
  *out = Value::text(result);
  return true;
}

#undef FN

// coalesce/ifnull/iif/nullif never reach these: the evaluator handles them (short-circuit).
bool fn_placeholder(Runtime& rt, const Expr*, Value*, int, Value*) {
  return rt.fail(Status::internal("special function evaluated as a plain call"));
}

const FunctionDef kFunctions[] = {
    {"abs", 1, 1, fn_abs},
    {"changes", 0, 0, fn_changes, AggregateKind::kNone, false},
    {"char", 0, -1, fn_char},
    {"coalesce", 2, -1, fn_placeholder},
    {"glob", 2, 2, fn_glob},
    {"hex", 1, 1, fn_hex},
    {"ifnull", 2, 2, fn_placeholder},
    {"iif", 3, 3, fn_placeholder},
    {"instr", 2, 2, fn_instr},
    {"last_insert_rowid", 0, 0, fn_last_insert_rowid, AggregateKind::kNone, false},
    {"length", 1, 1, fn_length},
    {"like", 2, 3, fn_like},
    {"likelihood", 2, 2, fn_identity},
    {"likely", 1, 1, fn_identity},
    {"lower", 1, 1, fn_lower},
    {"ltrim", 1, 2, fn_ltrim},
    {"max", 2, -1, fn_min_max_scalar},
    {"min", 2, -1, fn_min_max_scalar},
    {"nullif", 2, 2, fn_placeholder},
    {"octet_length", 1, 1, fn_octet_length},
    {"printf", 1, -1, fn_printf},
    {"format", 1, -1, fn_printf},
    {"quote", 1, 1, fn_quote},
    {"random", 0, 0, fn_random, AggregateKind::kNone, false},
    {"randomblob", 1, 1, fn_randomblob, AggregateKind::kNone, false},
    {"replace", 3, 3, fn_replace},
    {"round", 1, 2, fn_round},
    {"rtrim", 1, 2, fn_rtrim},
    {"sign", 1, 1, fn_sign},
    {"soundex", 1, 1, fn_soundex},
    {"sqlite_version", 0, 0, fn_sqlite_version},
    {"substr", 2, 3, fn_substr},
    {"substring", 2, 3, fn_substr},
    {"total_changes", 0, 0, fn_total_changes, AggregateKind::kNone, false},
    {"trim", 1, 2, fn_trim},
    {"typeof", 1, 1, fn_typeof},
    {"unhex", 1, 1, fn_unhex},
    {"unicode", 1, 1, fn_unicode},
    {"unlikely", 1, 1, fn_identity},
    {"upper", 1, 1, fn_upper},
    {"zeroblob", 1, 1, fn_zeroblob},
    {"date", 0, -1, fn_date, AggregateKind::kNone, false},
    {"time", 0, -1, fn_time, AggregateKind::kNone, false},
    {"datetime", 0, -1, fn_datetime, AggregateKind::kNone, false},
    {"julianday", 0, -1, fn_julianday, AggregateKind::kNone, false},
    {"unixepoch", 0, -1, fn_unixepoch, AggregateKind::kNone, false},
    {"strftime", 1, -1, fn_strftime, AggregateKind::kNone, false},
    {"current_date", 0, 0, fn_current_date, AggregateKind::kNone, false},
    {"current_time", 0, 0, fn_current_time, AggregateKind::kNone, false},
    {"current_timestamp", 0, 0, fn_current_timestamp, AggregateKind::kNone, false},
    // Aggregates.
    {"avg", 1, 1, nullptr, AggregateKind::kAvg},
    {"count", 0, 1, nullptr, AggregateKind::kCount},
    {"group_concat", 1, 2, nullptr, AggregateKind::kGroupConcat},
    {"max", 1, 1, nullptr, AggregateKind::kMax},
    {"min", 1, 1, nullptr, AggregateKind::kMin},
    {"sum", 1, 1, nullptr, AggregateKind::kSum},
    {"total", 1, 1, nullptr, AggregateKind::kTotal},
};

}  // namespace

const FunctionDef* find_function(std::string_view name, int count, bool* wrong_count) {
  *wrong_count = false;
  for (const FunctionDef& def : kFunctions) {
    if (name != def.name) continue;
    if (count >= def.min_args && (def.max_args < 0 || count <= def.max_args)) return &def;
    *wrong_count = true;
  }
  return nullptr;
}

bool is_aggregate_function(std::string_view name, int count) {
  bool wrong;
  const FunctionDef* def = find_function(name, count, &wrong);
  return def != nullptr && def->aggregate != AggregateKind::kNone;
}

// ---- LIKE and GLOB -------------------------------------------------------------------------

bool like_match(std::string_view pattern, std::string_view text, uint32_t escape, bool nocase) {
  size_t p = 0, t = 0;
  // Iterative matcher with backtracking to the last '%'.
  size_t star_p = std::string_view::npos, star_t = 0;
  auto fold = [nocase](uint32_t c) {
    return nocase && c < 128 ? static_cast<uint32_t>(core::ascii_lower(static_cast<char>(c))) : c;
  };
  while (t < text.size() || p < pattern.size()) {
    if (p < pattern.size()) {
      size_t p_next = p;
      uint32_t pc = utf8_next(pattern, &p_next);
      if (escape != 0 && pc == escape) {
        if (p_next >= pattern.size()) return false;  // trailing escape matches nothing
        size_t p_lit = p_next;
        uint32_t literal = utf8_next(pattern, &p_lit);
        if (t < text.size()) {
          size_t t_next = t;
          uint32_t tc = utf8_next(text, &t_next);
          if (fold(tc) == fold(literal)) {
            p = p_lit;
            t = t_next;
            continue;
          }
        }
      } else if (pc == '%') {
        star_p = p;
        star_t = t;
        p = p_next;
        continue;
      } else if (t < text.size()) {
        size_t t_next = t;
        uint32_t tc = utf8_next(text, &t_next);
        if (pc == '_' || fold(tc) == fold(pc)) {
          p = p_next;
          t = t_next;
          continue;
        }
      }
    }
    if (star_p != std::string_view::npos && star_t < text.size()) {
      // Let the last '%' swallow one more character.
      size_t next = star_t;
      utf8_next(text, &next);
      star_t = next;
      t = star_t;
      p = star_p;
      utf8_next(pattern, &p);  // past the '%'
      continue;
    }
    return false;
  }
  return true;
}

bool glob_match(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size() || p < pattern.size()) {
    if (p < pattern.size()) {
      size_t p_next = p;
      uint32_t pc = utf8_next(pattern, &p_next);
      if (pc == '*') {
        star_p = p;
        star_t = t;
        p = p_next;
        continue;
      }
      if (t < text.size()) {
        size_t t_next = t;
        uint32_t tc = utf8_next(text, &t_next);
        if (pc == '?') {
          p = p_next;
          t = t_next;
          continue;
        }
        if (pc == '[') {
          size_t q = p_next;
          bool invert = false, matched = false;
          if (q < pattern.size() && pattern[q] == '^') {
            invert = true;
            ++q;
          }
          bool first = true;
          uint32_t previous = 0;
          bool closed = false;
          while (q < pattern.size()) {
            uint32_t c = utf8_next(pattern, &q);
            if (c == ']' && !first) {
              closed = true;
              break;
            }
            if (c == '-' && !first && q < pattern.size() && pattern[q] != ']') {
              uint32_t hi = utf8_next(pattern, &q);
              if (tc >= previous && tc <= hi) matched = true;
              previous = 0;
            } else {
              if (c == tc) matched = true;
              previous = c;
            }
            first = false;
          }
          if (closed && matched != invert) {
            p = q;
            t = t_next;
            continue;
          }
        } else if (pc == tc) {
          p = p_next;
          t = t_next;
          continue;
        }
      }
    }
    if (star_p != std::string_view::npos && star_t < text.size()) {
      size_t next = star_t;
      utf8_next(text, &next);
      star_t = next;
      t = star_t;
      p = star_p + 1;
      continue;
    }
    return false;
  }
  return true;
}

// ---- aggregates ----------------------------------------------------------------------------

namespace {
bool distinct_seen(AggregateValue* state, const Value& v, Collation collation) {
  if (!state->seen) state->seen = std::make_unique<std::vector<Value>>();
  auto& seen = *state->seen;
  auto less = [collation](const Value& x, const Value& y) {
    return compare_values(x, y, collation) < 0;
  };
  auto it = std::lower_bound(seen.begin(), seen.end(), v, less);
  if (it != seen.end() && compare_values(*it, v, collation) == 0) return true;
  seen.insert(it, v);
  return false;
}
}  // namespace

bool aggregate_step(Runtime& rt, AggregateKind kind, AggregateValue* state, const Value* args,
                    int count, Collation collation, bool* changed) {
  *changed = false;
  if (kind == AggregateKind::kCountStar) {
    ++state->count;
    return true;
  }
  const Value& v = args[0];
  if (count == 0) {  // count() with no argument is count(*)
    ++state->count;
    return true;
  }
  if (v.is_null()) return true;
  switch (kind) {
    case AggregateKind::kCount:
      ++state->count;
      return true;
    case AggregateKind::kSum:
    case AggregateKind::kTotal:
    case AggregateKind::kAvg: {
      ++state->count;
      // Text that reads as an integer counts as one (sqlite3_value_numeric_type()): sum('8')
      // is the INTEGER 8, sum('5.0') the REAL 5.0.
      bool is_integer = v.type() == ValueType::kInteger;
      int64_t integer = is_integer ? v.int_value() : 0;
      if (v.type() == ValueType::kText) {
        ParsedNumber n = parse_number(v.str());
        if (n.valid && n.whole && n.is_integer) {
          is_integer = true;
          integer = n.i;
        }
      }
      if (is_integer && state->integer_sum && !state->overflow) {
        int64_t result;
        if (__builtin_add_overflow(state->isum, integer, &result)) {
          state->overflow = true;
          if (kind == AggregateKind::kSum) {
            return rt.fail(Status::invalid_argument("integer overflow"));
          }
        } else {
          state->isum = result;
        }
      } else {
        state->integer_sum = false;
      }
      // Plain double addition, in row order, as SQLite 3.40 does (3.43 moved to compensated
      // summation): the last digits of a REAL sum then agree with the SQLite measured against.
      double x = is_integer ? static_cast<double>(integer) : v.to_real();
      state->rsum += x;
      return true;
    }
    case AggregateKind::kMin:
    case AggregateKind::kMax: {
      if (state->count == 0) {
        state->value = v;
        state->count = 1;
        *changed = true;
        return true;
      }
      int c = compare_values(v, state->value, collation);
      if (kind == AggregateKind::kMin ? c < 0 : c > 0) {
        state->value = v;
        *changed = true;
      }
      return true;
    }
    case AggregateKind::kGroupConcat: {
      if (state->has_text) {
        if (count >= 2) {
          if (!args[1].is_null()) state->text += args[1].to_text();
        } else {
          state->text += ",";
        }
      }
      state->text += v.to_text();
      state->has_text = true;
      return true;
    }
    default:
      return true;
  }
}

bool aggregate_seen_before(AggregateValue* state, const Value& v, Collation collation) {
  return distinct_seen(state, v, collation);
}

Value aggregate_final(AggregateKind kind, const AggregateValue& state) {
  switch (kind) {
    case AggregateKind::kCount:
    case AggregateKind::kCountStar:
      return Value::integer(state.count);
    case AggregateKind::kSum:
      if (state.count == 0) return Value();
      if (state.integer_sum && !state.overflow) return Value::integer(state.isum);
      return Value::real(state.rsum);
    case AggregateKind::kTotal:
      if (state.integer_sum && !state.overflow) return Value::real(static_cast<double>(state.isum));
      return Value::real(state.rsum);
    case AggregateKind::kAvg:
      if (state.count == 0) return Value();
      if (state.integer_sum && !state.overflow) {
        return Value::real(static_cast<double>(state.isum) / static_cast<double>(state.count));
      }
      return Value::real(state.rsum / static_cast<double>(state.count));
    case AggregateKind::kMin:
    case AggregateKind::kMax:
      return state.count == 0 ? Value() : state.value;
    case AggregateKind::kGroupConcat:
      return state.has_text ? Value::text(state.text) : Value();
    case AggregateKind::kNone:
      break;
  }
  return Value();
}

}  // namespace sfs::sql
