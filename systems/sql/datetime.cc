// Date and time functions: date(), time(), datetime(), julianday(), unixepoch(), strftime() and
// CURRENT_DATE/TIME/TIMESTAMP, after SQLite's date.c: a time value is a julian day (kept here in
// milliseconds), parsed from "YYYY-MM-DD [HH:MM[:SS[.SSS]]]", a julian day number, 'now', or a
// number with the 'unixepoch' modifier, then shifted by modifiers ('+N days|hours|minutes|
// seconds|months|years', 'start of day|month|year', 'weekday N'). Times are UTC ('localtime'
// and 'utc' are accepted and do nothing).
#include "systems/sql/datetime.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/strings.h"

namespace sfs::sql {
namespace {


struct DateTime {
  int64_t ms = 0;  // milliseconds since the julian day epoch
  bool valid = false;
};

constexpr int64_t kUnixEpochJdMs = 210866760000000LL;  // julian day 2440587.5 in ms

int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

bool parse_time_string(std::string_view s, DateTime* out) {
  s = core::trim(s);
  if (core::iequals(s, "now")) {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    out->ms = kUnixEpochJdMs + std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
    out->valid = true;
    return true;
  }
  int64_t y = 2000;
  int mo = 1, d = 1, h = 0, mi = 0;
  double sec = 0;
  size_t i = 0;
  auto number = [&](int digits, int64_t* value) {
    if (i + digits > s.size()) return false;
    int64_t v = 0;
    for (int k = 0; k < digits; ++k) {
      char c = s[i + k];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    i += digits;
    *value = v;
    return true;
  };
  int64_t v;
  bool have_date = false;
  if (s.size() >= 10 && s[4] == '-') {
    if (!number(4, &y) || s[i++] != '-' || !number(2, &v)) return false;
    mo = static_cast<int>(v);
    if (s[i++] != '-' || !number(2, &v)) return false;
    d = static_cast<int>(v);
    have_date = true;
    if (i < s.size() && (s[i] == ' ' || s[i] == 'T')) ++i;
  }
  if (i < s.size()) {
    if (!number(2, &v) || i >= s.size() || s[i++] != ':') {
      if (!have_date) {
        ParsedNumber p = parse_number(s);
        if (p.valid && p.whole) {  // a julian day number
          out->ms = static_cast<int64_t>(p.r * 86400000.0 + 0.5);
          out->valid = true;
          return true;
        }
      }
      return false;
    }
    h = static_cast<int>(v);
    if (!number(2, &v)) return false;
    mi = static_cast<int>(v);
    if (i < s.size() && s[i] == ':') {
      ++i;
      size_t start = i;
      while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
      sec = std::strtod(std::string(s.substr(start, i - start)).c_str(), nullptr);
    }
    while (i < s.size() && s[i] == ' ') ++i;
    if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) ++i;
    if (i != s.size()) return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || sec >= 60) return false;
  int64_t days = days_from_civil(y, mo, d);
  out->ms = kUnixEpochJdMs + days * 86400000LL + h * 3600000LL + mi * 60000LL +
            static_cast<int64_t>(sec * 1000.0 + 0.5);
  out->valid = true;
  return true;
}

bool apply_modifier(std::string_view modifier, DateTime* t) {
  std::string m = core::to_lower(core::trim(modifier));
  if (m == "unixepoch") {
    return true;  // handled by the caller for numeric inputs
  }
  if (m == "localtime" || m == "utc" || m == "auto" || m == "subsec") return true;
  int64_t y;
  int mo, d;
  int64_t unix_ms = t->ms - kUnixEpochJdMs;
  int64_t days = (unix_ms - ((unix_ms % 86400000LL) + 86400000LL) % 86400000LL) / 86400000LL;
  if (m == "start of day") {
    t->ms = kUnixEpochJdMs + days * 86400000LL;
    return true;
  }
  if (m == "start of month" || m == "start of year") {
    civil_from_days(days, &y, &mo, &d);
    if (m == "start of year") mo = 1;
    t->ms = kUnixEpochJdMs + days_from_civil(y, mo, 1) * 86400000LL;
    return true;
  }
  if (m.rfind("weekday ", 0) == 0) {
    int64_t target = std::atoll(m.c_str() + 8);
    int64_t weekday = ((days % 7) + 7 + 4) % 7;  // 1970-01-01 was a Thursday
    int64_t add = ((target - weekday) % 7 + 7) % 7;
    t->ms += add * 86400000LL;
    return true;
  }
  ParsedNumber amount = parse_number(m);
  if (!amount.valid) return false;
  size_t at = m.find_first_not_of("+-0123456789. ");
  if (at == std::string::npos) return false;
  std::string unit = m.substr(at);
  if (!unit.empty() && unit.back() == 's') unit.pop_back();
  if (unit == "day") {
    t->ms += static_cast<int64_t>(amount.r * 86400000.0);
  } else if (unit == "hour") {
    t->ms += static_cast<int64_t>(amount.r * 3600000.0);
  } else if (unit == "minute") {
    t->ms += static_cast<int64_t>(amount.r * 60000.0);
  } else if (unit == "second") {
    t->ms += static_cast<int64_t>(amount.r * 1000.0);
  } else if (unit == "month" || unit == "year") {
    int64_t time_of_day = ((t->ms - kUnixEpochJdMs) % 86400000LL + 86400000LL) % 86400000LL;
    civil_from_days(days, &y, &mo, &d);
    int64_t months = static_cast<int64_t>(amount.r) * (unit == "year" ? 12 : 1);
    int64_t total = y * 12 + (mo - 1) + months;
    y = total >= 0 ? total / 12 : (total - 11) / 12;
    mo = static_cast<int>(total - y * 12) + 1;
    int64_t new_days = days_from_civil(y, mo, 1) + (d - 1);  // day overflow rolls forward
    t->ms = kUnixEpochJdMs + new_days * 86400000LL + time_of_day;
  } else {
    return false;
  }
  return true;
}

bool compute_time(Value* a, int n, DateTime* t) {
  if (n == 0) return parse_time_string("now", t);
  if (a[0].is_null()) return false;
  bool unixepoch = false;
  for (int i = 1; i < n; ++i) {
    if (!a[i].is_null() && core::iequals(core::trim(a[i].to_text()), "unixepoch")) unixepoch = true;
  }
  if (a[0].is_numeric()) {
    double r = a[0].to_real();
    if (unixepoch) {
      t->ms = kUnixEpochJdMs + static_cast<int64_t>(r * 1000.0);
    } else {
      t->ms = static_cast<int64_t>(r * 86400000.0 + 0.5);
    }
    t->valid = true;
  } else if (!parse_time_string(a[0].to_text(), t)) {
    return false;
  }
  for (int i = 1; i < n; ++i) {
    if (a[i].is_null()) return false;
    if (!apply_modifier(a[i].to_text(), t)) return false;
  }
  return true;
}

std::string format_time(const DateTime& t, std::string_view format) {
  int64_t unix_ms = t.ms - kUnixEpochJdMs;
  int64_t days = (unix_ms >= 0 ? unix_ms : unix_ms - 86399999) / 86400000LL;
  int64_t in_day = unix_ms - days * 86400000LL;
  int64_t y;
  int mo, d;
  civil_from_days(days, &y, &mo, &d);
  int h = static_cast<int>(in_day / 3600000), mi = static_cast<int>(in_day / 60000 % 60);
  int s = static_cast<int>(in_day / 1000 % 60), ms = static_cast<int>(in_day % 1000);
  std::string out;
  char buf[64];
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 >= format.size()) {
      out.push_back(format[i]);
      continue;
    }
    switch (format[++i]) {
      case 'd': std::snprintf(buf, sizeof buf, "%02d", d); break;
      case 'f': std::snprintf(buf, sizeof buf, "%06.3f", s + ms / 1000.0); break;
      case 'H': std::snprintf(buf, sizeof buf, "%02d", h); break;
      case 'j': {
        int64_t doy = days - days_from_civil(y, 1, 1) + 1;
        std::snprintf(buf, sizeof buf, "%03lld", static_cast<long long>(doy));
        break;
      }
      case 'J': std::snprintf(buf, sizeof buf, "%.16g", t.ms / 86400000.0); break;
      case 'm': std::snprintf(buf, sizeof buf, "%02d", mo); break;
      case 'M': std::snprintf(buf, sizeof buf, "%02d", mi); break;
      case 's': std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(unix_ms / 1000)); break;
      case 'S': std::snprintf(buf, sizeof buf, "%02d", s); break;
      case 'w': std::snprintf(buf, sizeof buf, "%d", static_cast<int>(((days % 7) + 7 + 4) % 7)); break;
      case 'Y': std::snprintf(buf, sizeof buf, "%04lld", static_cast<long long>(y)); break;
      case '%': std::snprintf(buf, sizeof buf, "%%"); break;
      default: buf[0] = 0; break;
    }
    out += buf;
  }
  return out;
}

}  // namespace

#define FN(name) bool name(Runtime& rt, const Expr* call, Value* a, int n, Value* out)
#define UNUSED_FN_ARGS \
  (void)rt;            \
  (void)call;          \
  (void)a;             \
  (void)n

FN(fn_date) {
  UNUSED_FN_ARGS;
  DateTime t;
  if (!compute_time(a, n, &t)) {
    *out = Value();
  } else {
    *out = Value::text(format_time(t, "%Y-%m-%d"));
  }
  return true;
}
FN(fn_time) {
  UNUSED_FN_ARGS;
  DateTime t;
  if (!compute_time(a, n, &t)) {
    *out = Value();
  } else {
    *out = Value::text(format_time(t, "%H:%M:%S"));
  }
  return true;
}
FN(fn_datetime) {
  UNUSED_FN_ARGS;
  DateTime t;
  if (!compute_time(a, n, &t)) {
    *out = Value();
  } else {
    *out = Value::text(format_time(t, "%Y-%m-%d %H:%M:%S"));
  }
  return true;
}
FN(fn_julianday) {
  UNUSED_FN_ARGS;
  DateTime t;
  if (!compute_time(a, n, &t)) {
    *out = Value();
  } else {
    *out = Value::real(t.ms / 86400000.0);
  }
  return true;
}
FN(fn_unixepoch) {
  UNUSED_FN_ARGS;
  DateTime t;
  if (!compute_time(a, n, &t)) {
    *out = Value();
  } else {
    int64_t ms = t.ms - kUnixEpochJdMs;
    *out = Value::integer(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  }
  return true;
}
FN(fn_strftime) {
  UNUSED_FN_ARGS;
  DateTime t;
  if (a[0].is_null() || !compute_time(a + 1, n - 1, &t)) {
    *out = Value();
  } else {
    *out = Value::text(format_time(t, a[0].to_text()));
  }
  return true;
}
FN(fn_current_date) {
  UNUSED_FN_ARGS;
  DateTime t;
  parse_time_string("now", &t);
  *out = Value::text(format_time(t, "%Y-%m-%d"));
  return true;
}
FN(fn_current_time) {
  UNUSED_FN_ARGS;
  DateTime t;
  parse_time_string("now", &t);
  *out = Value::text(format_time(t, "%H:%M:%S"));
  return true;
}
FN(fn_current_timestamp) {
  UNUSED_FN_ARGS;
  DateTime t;
  parse_time_string("now", &t);
  *out = Value::text(format_time(t, "%Y-%m-%d %H:%M:%S"));
  return true;
}

#undef FN
#undef UNUSED_FN_ARGS

}  // namespace sfs::sql
