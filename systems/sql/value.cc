// SQL values, affinity, comparison and conversion (see value.h).
#include "systems/sql/value.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/strings.h"

namespace sfs::sql {
namespace {

constexpr double kTwo63 = 9223372036854775808.0;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

int64_t real_to_int_saturating(double r) {
  if (r != r) return 0;
  if (r >= kTwo63) return INT64_MAX;
  if (r < -kTwo63) return INT64_MIN;
  return static_cast<int64_t>(r);
}

// The integer prefix of text (spaces, sign, digits), saturating: CAST(x AS INTEGER) of text.
int64_t text_to_int(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && is_space(text[i])) ++i;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  uint64_t v = 0;
  bool overflow = false;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    uint64_t d = static_cast<uint64_t>(text[i] - '0');
    if (v > (UINT64_MAX - d) / 10) {
      overflow = true;
    } else {
      v = v * 10 + d;
    }
  }
  if (negative) {
    if (overflow || v > uint64_t{1} << 63) return INT64_MIN;
    return static_cast<int64_t>(0 - v);
  }
  if (overflow || v > static_cast<uint64_t>(INT64_MAX)) return INT64_MAX;
  return static_cast<int64_t>(v);
}

}  // namespace

ParsedNumber parse_number(std::string_view text) {
  ParsedNumber result;
  size_t i = 0;
  while (i < text.size() && is_space(text[i])) ++i;
  size_t start = i;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  uint64_t mantissa = 0;
  bool overflow = false;
  bool digits = false;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    digits = true;
    uint64_t d = static_cast<uint64_t>(text[i] - '0');
    if (mantissa > (UINT64_MAX - d) / 10) {
      overflow = true;
    } else {
      mantissa = mantissa * 10 + d;
    }
  }
  bool fraction_or_exponent = false;
  if (i < text.size() && text[i] == '.') {
    size_t j = i + 1;
    bool fraction_digits = false;
    while (j < text.size() && is_digit(text[j])) {
      ++j;
      fraction_digits = true;
    }
    if (digits || fraction_digits) {
      digits = true;
      fraction_or_exponent = true;
      i = j;
    }
  }
  if (digits && i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    size_t j = i + 1;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
    if (j < text.size() && is_digit(text[j])) {
      while (j < text.size() && is_digit(text[j])) ++j;
      fraction_or_exponent = true;
      i = j;
    }
  }
  if (!digits) return result;
  result.valid = true;
  size_t end = i;
  while (i < text.size() && is_space(text[i])) ++i;
  result.whole = i == text.size();
  if (!fraction_or_exponent && !overflow &&
      (negative ? mantissa <= (uint64_t{1} << 63) : mantissa <= static_cast<uint64_t>(INT64_MAX))) {
    result.is_integer = true;
    result.i = negative ? static_cast<int64_t>(0 - mantissa) : static_cast<int64_t>(mantissa);
    result.r = static_cast<double>(result.i);
    return result;
  }
  std::string prefix(text.substr(start, end - start));
  result.r = std::strtod(prefix.c_str(), nullptr);
  return result;
}

Value text_to_numeric(std::string_view text) {
  ParsedNumber n = parse_number(text);
  if (!n.valid) return Value::integer(0);
  if (n.is_integer) return Value::integer(n.i);
  return Value::real(n.r);
}

int64_t Value::to_int() const {
  switch (type_) {
    case ValueType::kInteger:
      return i_;
    case ValueType::kReal:
      return real_to_int_saturating(r_);
    case ValueType::kText:
    case ValueType::kBlob:
      return text_to_int(s_);
    case ValueType::kNull:
      break;
  }
  return 0;
}

double Value::to_real() const {
  switch (type_) {
    case ValueType::kInteger:
      return static_cast<double>(i_);
    case ValueType::kReal:
      return r_;
    case ValueType::kText:
    case ValueType::kBlob: {
      ParsedNumber n = parse_number(s_);
      return n.valid ? n.r : 0.0;
    }
    case ValueType::kNull:
      break;
  }
  return 0.0;
}

std::string Value::to_text() const {
  switch (type_) {
    case ValueType::kInteger:
      return std::to_string(i_);
    case ValueType::kReal:
      return real_to_text(r_);
    case ValueType::kText:
    case ValueType::kBlob:
      return s_;
    case ValueType::kNull:
      break;
  }
  return std::string();
}

bool Value::is_true() const {
  switch (type_) {
    case ValueType::kInteger:
      return i_ != 0;
    case ValueType::kReal:
      return r_ != 0.0;
    case ValueType::kText:
    case ValueType::kBlob:
      return to_real() != 0.0;
    case ValueType::kNull:
      break;
  }
  return false;
}

std::string Value::to_sql_literal() const {
  switch (type_) {
    case ValueType::kNull:
      return "NULL";
    case ValueType::kInteger:
      return std::to_string(i_);
    case ValueType::kReal: {
      if (std::isinf(r_)) return r_ < 0 ? "-9e999" : "9e999";
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", r_);
      std::string text = buf;
      if (text.find_first_of(".eE") == std::string::npos) text += ".0";
      return text;
    }
    case ValueType::kText: {
      std::string out = "'";
      for (char c : s_) {
        if (c == '\'') out += '\'';
        out += c;
      }
      out += '\'';
      return out;
    }
    case ValueType::kBlob: {
      static const char kHex[] = "0123456789ABCDEF";
      std::string out = "X'";
      for (unsigned char c : s_) {
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      out += '\'';
      return out;
    }
  }
  return "NULL";
}

const char* type_name(ValueType type) {
  switch (type) {
    case ValueType::kNull:
      return "null";
    case ValueType::kInteger:
      return "integer";
    case ValueType::kReal:
      return "real";
    case ValueType::kText:
      return "text";
    case ValueType::kBlob:
      return "blob";
  }
  return "null";
}

std::string real_to_text(double v) {
  if (std::isinf(v)) return v < 0 ? "-Inf" : "Inf";
  if (v == 0) v = 0;  // no "-0.0"
  std::string text = format_real(v, 'g', 15, true);
  size_t e = text.find('e');
  if (e != std::string::npos && text.find('.') == std::string::npos) text.insert(e, ".0");
  return text;
}

Affinity affinity_from_declared_type(std::string_view declared) {
  std::string upper = core::to_upper(declared);
  if (upper.find("INT") != std::string::npos) return Affinity::kInteger;
  if (upper.find("CHAR") != std::string::npos || upper.find("CLOB") != std::string::npos ||
      upper.find("TEXT") != std::string::npos) {
    return Affinity::kText;
  }
  if (upper.empty() || upper.find("BLOB") != std::string::npos) return Affinity::kBlob;
  if (upper.find("REAL") != std::string::npos || upper.find("FLOA") != std::string::npos ||
      upper.find("DOUB") != std::string::npos) {
    return Affinity::kReal;
  }
  return Affinity::kNumeric;
}

void apply_numeric_affinity(Value* value) {
  if (value->type() != ValueType::kText) return;
  ParsedNumber n = parse_number(value->str());
  if (!n.valid || !n.whole) return;
  if (n.is_integer) {
    *value = Value::integer(n.i);
  } else if (n.r == std::floor(n.r) && n.r > -kTwo63 && n.r < kTwo63) {
    *value = Value::integer(static_cast<int64_t>(n.r));
  } else {
    *value = Value::real(n.r);
  }
}

void apply_affinity(Value* value, Affinity affinity) {
  switch (affinity) {
    case Affinity::kBlob:
    case Affinity::kNone:
      return;
    case Affinity::kText:
      if (value->is_numeric()) *value = Value::text(value->to_text());
      return;
    case Affinity::kNumeric:
    case Affinity::kInteger:
      if (value->type() == ValueType::kText) {
        apply_numeric_affinity(value);
      } else if (value->type() == ValueType::kReal) {
        double r = value->real_value();
        if (r == std::floor(r) && r >= -kTwo63 && r < kTwo63) {
          *value = Value::integer(static_cast<int64_t>(r));
        }
      }
      return;
    case Affinity::kReal:
      if (value->type() == ValueType::kText) apply_numeric_affinity(value);
      if (value->type() == ValueType::kInteger) {
        *value = Value::real(static_cast<double>(value->int_value()));
      }
      return;
  }
}

int compare_int_real(int64_t i, double r) {
  if (r != r) return 1;
  if (r >= kTwo63) return -1;
  if (r < -kTwo63) return 1;
  int64_t t = static_cast<int64_t>(r);
  if (i < t) return -1;
  if (i > t) return 1;
  double fraction = r - static_cast<double>(t);
  if (fraction > 0) return -1;
  if (fraction < 0) return 1;
  return 0;
}

int compare_text(std::string_view a, std::string_view b, Collation collation) {
  if (collation == Collation::kRTrim) {
    while (!a.empty() && a.back() == ' ') a.remove_suffix(1);
    while (!b.empty() && b.back() == ' ') b.remove_suffix(1);
  }
  size_t n = std::min(a.size(), b.size());
  if (collation == Collation::kNoCase) {
    for (size_t i = 0; i < n; ++i) {
      unsigned char x = static_cast<unsigned char>(core::ascii_lower(a[i]));
      unsigned char y = static_cast<unsigned char>(core::ascii_lower(b[i]));
      if (x != y) return x < y ? -1 : 1;
    }
  } else if (n > 0) {
    int c = std::memcmp(a.data(), b.data(), n);
    if (c != 0) return c;
  }
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

namespace {
int class_rank(ValueType type) {
  switch (type) {
    case ValueType::kNull:
      return 0;
    case ValueType::kInteger:
    case ValueType::kReal:
      return 1;
    case ValueType::kText:
      return 2;
    case ValueType::kBlob:
      return 3;
  }
  return 0;
}
}  // namespace

int compare_values(const Value& a, const Value& b, Collation collation) {
  int ra = class_rank(a.type()), rb = class_rank(b.type());
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (a.type()) {
    case ValueType::kNull:
      return 0;
    case ValueType::kInteger:
      if (b.type() == ValueType::kInteger) {
        return a.int_value() < b.int_value() ? -1 : a.int_value() > b.int_value() ? 1 : 0;
      }
      return compare_int_real(a.int_value(), b.real_value());
    case ValueType::kReal:
      if (b.type() == ValueType::kReal) {
        return a.real_value() < b.real_value() ? -1 : a.real_value() > b.real_value() ? 1 : 0;
      }
      return -compare_int_real(b.int_value(), a.real_value());
    case ValueType::kText:
      return compare_text(a.str(), b.str(), collation);
    case ValueType::kBlob:
      return compare_text(a.str(), b.str(), Collation::kBinary);
  }
  return 0;
}

Value cast_value(const Value& value, Affinity target) {
  if (value.is_null()) return value;
  switch (target) {
    case Affinity::kNone:
      return value;
    case Affinity::kBlob:
      if (value.type() == ValueType::kBlob) return value;
      return Value::blob(value.to_text());
    case Affinity::kText:
      if (value.type() == ValueType::kText) return value;
      return Value::text(value.to_text());
    case Affinity::kInteger:
      return Value::integer(value.to_int());
    case Affinity::kReal:
      return Value::real(value.to_real());
    case Affinity::kNumeric: {
      // "Casting a REAL or INTEGER value to NUMERIC is a no-op" (CAST(5.0 AS NUMERIC) is 5.0).
      if (value.type() == ValueType::kInteger || value.type() == ValueType::kReal) return value;
      ParsedNumber n = parse_number(value.str());
      if (!n.valid) return Value::integer(0);
      if (n.is_integer) return Value::integer(n.i);
      // '10.0' -> 10; beyond 2^51 a REAL stays REAL (SQLite's sqlite3RealSameAsInt()).
      if (n.r == std::floor(n.r) && std::fabs(n.r) < 2251799813685248.0) {
        return Value::integer(static_cast<int64_t>(n.r));
      }
      return Value::real(n.r);
    }
  }
  return value;
}

}  // namespace sfs::sql
