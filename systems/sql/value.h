// SQL values and SQLite's typing rules: storage classes, column affinity, comparison with
// collations, and the conversions between numbers and text.
//
// A Value is one of five storage classes — NULL, INTEGER (64-bit), REAL (double), TEXT (UTF-8)
// and BLOB — and carries its class with it (dynamic typing, as in SQLite: a column's declared
// type is only a preference, its *affinity*). The rules here follow SQLite's documentation
// ("Datatypes In SQLite"), because sqllogictest and SQLite users depend on them:
//
//   * sort order across classes: NULL < INTEGER = REAL (compared numerically) < TEXT < BLOB;
//   * a column's affinity comes from its declared type name (INT -> INTEGER; CHAR, CLOB, TEXT ->
//     TEXT; BLOB or none -> BLOB; REAL, FLOA, DOUB -> REAL; anything else -> NUMERIC);
//   * storing into a column applies its affinity (text that looks like a number becomes one in a
//     NUMERIC column, a number becomes text in a TEXT column);
//   * REAL values print with 15 significant digits and always show a decimal point ("1.0").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sfs::sql {

enum class ValueType : uint8_t { kNull = 0, kInteger = 1, kReal = 2, kText = 3, kBlob = 4 };

// Column affinities, in SQLite's terms (kBlob is "BLOB", formerly "NONE": no conversion).
// kNone is the affinity of an expression that has none (a literal, most operators); it converts
// nothing either, but unlike a BLOB-affinity column it gives way to the other operand's
// affinity in a comparison (datatype3.html, 4.2).
enum class Affinity : uint8_t { kBlob, kText, kNumeric, kInteger, kReal, kNone };

enum class Collation : uint8_t { kBinary, kNoCase, kRTrim };

class Value {
 public:
  Value() : i_(0) {}
  static Value null() { return Value(); }
  static Value integer(int64_t v) {
    Value value;
    value.type_ = ValueType::kInteger;
    value.i_ = v;
    return value;
  }
  // NaN becomes NULL, as in SQLite.
  static Value real(double v) {
    Value value;
    if (v != v) return value;
    value.type_ = ValueType::kReal;
    value.r_ = v;
    return value;
  }
  static Value text(std::string v) {
    Value value;
    value.type_ = ValueType::kText;
    value.s_ = std::move(v);
    return value;
  }
  static Value text(std::string_view v) { return text(std::string(v)); }
  static Value text(const char* v) { return text(std::string(v)); }
  static Value blob(std::string v) {
    Value value;
    value.type_ = ValueType::kBlob;
    value.s_ = std::move(v);
    return value;
  }
  static Value boolean(bool v) { return integer(v ? 1 : 0); }
  // Makes this a TEXT or BLOB holding `bytes`, reusing the string's storage.
  void assign_string(ValueType type, std::string_view bytes) {
    type_ = type;
    s_.assign(bytes.data(), bytes.size());
  }

  ValueType type() const { return type_; }
  bool is_null() const { return type_ == ValueType::kNull; }
  bool is_numeric() const { return type_ == ValueType::kInteger || type_ == ValueType::kReal; }
  // Raw accessors. REQUIRES: the matching type.
  int64_t int_value() const { return i_; }
  double real_value() const { return r_; }
  const std::string& str() const { return s_; }
  std::string& mutable_str() { return s_; }

  // Conversions as sqlite3_value_int64/double/text do them (text is parsed by its numeric
  // prefix: '12abc' -> 12; a REAL converts to INTEGER by truncation, saturating).
  int64_t to_int() const;
  double to_real() const;
  std::string to_text() const;
  // NULL, 0 and 0.0 (and text that converts to 0) are false; anything else is true.
  bool is_true() const;

  // The value as SQL text would spell it (for quote(), .dump and error messages).
  std::string to_sql_literal() const;

 private:
  ValueType type_ = ValueType::kNull;
  union {
    int64_t i_;
    double r_;
  };
  std::string s_;
};

const char* type_name(ValueType type);  // "null", "integer", "real", "text", "blob"

Affinity affinity_from_declared_type(std::string_view declared);
// Applies a column affinity, as storing into such a column does.
void apply_affinity(Value* value, Affinity affinity);
// NUMERIC affinity for comparisons: text that is entirely a well-formed number becomes one.
void apply_numeric_affinity(Value* value);

// <0, 0, >0 in SQLite's sort order. Text is compared under `collation`.
int compare_values(const Value& a, const Value& b, Collation collation = Collation::kBinary);
int compare_text(std::string_view a, std::string_view b, Collation collation);
// Exact comparison of an integer with a double (no rounding of large integers).
int compare_int_real(int64_t i, double r);

// The text form of a REAL: SQLite's "%!.15g" (15 significant digits, ".0" added to integral
// values), "Inf" / "-Inf" for infinities.
std::string real_to_text(double v);
// A float conversion ('f', 'e', 'E', 'g', 'G') exactly as SQLite's printf does it (printf.cc).
std::string format_real(double value, char type, int precision, bool alt2 = false);

// Numeric parsing of text, for the conversions above.
struct ParsedNumber {
  bool valid = false;    // at least one digit was found
  bool whole = false;    // the number (with surrounding spaces) is the entire text
  bool is_integer = false;  // no '.', no exponent, and it fits in 64 bits
  int64_t i = 0;
  double r = 0;
};
// Parses the longest numeric prefix of `text` (leading spaces, sign, digits, '.', exponent).
ParsedNumber parse_number(std::string_view text);
// The number as arithmetic sees a text operand: INTEGER when it is an integer, else REAL.
Value text_to_numeric(std::string_view text);
// CAST semantics.
Value cast_value(const Value& value, Affinity target);

}  // namespace sfs::sql
