// formats/json: a JSON (RFC 8259) document model, parser and writer.
//
//   Result<json::Value> doc = json::parse(R"({"id": 7, "tags": ["a", "b"]})");
//   int64_t id = (*doc)["id"].as_int();
//   json::Value reply = json::Object{{"ok", true}, {"count", 2}};
//   std::string text = json::write(reply);                // {"ok":true,"count":2}
//
// Numbers: an integer literal that fits in int64 is kept as an int64 (exactly); every other
// number (fraction, exponent, or an integer too large) is a double, parsed with correct rounding
// and written in the shortest form that reads back to the same bits (std::to_chars), so doubles
// round-trip exactly. A number too large for a double (1e400) is an error, not infinity.
//
// Strictness: exactly RFC 8259 — no comments, trailing commas, single quotes, NaN, leading zeros
// or unescaped control characters; input must be valid UTF-8 and \u escapes must pair their
// surrogates (a lone surrogate cannot be represented in UTF-8 and is rejected). A UTF-8 byte order
// mark before the text is skipped (RFC 8259 §8.1 allows ignoring it). Nesting deeper than
// ParseOptions::max_depth is rejected, so hostile input cannot exhaust the stack.
//
// Errors read "3:14: expected ',' or '}' after an object member, got 'x'" — line:column (1-based,
// columns in bytes) and what was found.
//
// Objects keep their members in input order (a vector of pairs, not a map): documents written
// back look like what was read, and the small objects typical of APIs are searched faster
// linearly than hashed. Duplicate names are kept; find() returns the first.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "core/status.h"

namespace sfs::json {

class Value;
using Array = std::vector<Value>;
using Member = std::pair<std::string, Value>;
using Object = std::vector<Member>;

enum class Type { kNull, kBool, kInt, kDouble, kString, kArray, kObject };

// The name of a type for messages: "null", "boolean", "integer", "number", "string", ...
std::string_view type_name(Type type);

class Value {
 public:
  Value() = default;  // null
  Value(std::nullptr_t) {}
  Value(bool b) : data_(b) {}
  template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Value(T i) : data_(static_cast<int64_t>(i)) {}
  Value(double d) : data_(d) {}
  Value(std::string s) : data_(std::move(s)) {}
  Value(std::string_view s) : data_(std::string(s)) {}
  Value(const char* s) : data_(std::string(s)) {}
  Value(Array a) : data_(std::move(a)) {}
  Value(Object o) : data_(std::move(o)) {}

  Type type() const { return static_cast<Type>(data_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_int() const { return type() == Type::kInt; }
  bool is_double() const { return type() == Type::kDouble; }
  bool is_number() const { return is_int() || is_double(); }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }

  // Typed access. REQUIRES: the matching type (as_double() also accepts an integer).
  bool as_bool() const { return std::get<bool>(data_); }
  int64_t as_int() const { return std::get<int64_t>(data_); }
  double as_double() const {
    return is_int() ? static_cast<double>(std::get<int64_t>(data_)) : std::get<double>(data_);
  }
  const std::string& as_string() const { return std::get<std::string>(data_); }
  std::string& as_string() { return std::get<std::string>(data_); }
  const Array& as_array() const { return std::get<Array>(data_); }
  Array& as_array() { return std::get<Array>(data_); }
  const Object& as_object() const { return std::get<Object>(data_); }
  Object& as_object() { return std::get<Object>(data_); }

  // Lenient access for reading documents: the member / element, or a shared null Value when this
  // is not an object / array or it is missing. Never throws.
  const Value& operator[](std::string_view key) const;
  const Value& operator[](size_t index) const;
  // The first member named `key`, or nullptr (also when this is not an object).
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);

  // Sets member `key` (replacing the first member of that name), turning a null into an object.
  // REQUIRES: is_object() or is_null().
  void set(std::string_view key, Value value);
  // Appends an element, turning a null into an array. REQUIRES: is_array() or is_null().
  void push_back(Value value);
  // Number of members or elements; 0 for scalars.
  size_t size() const;

  // Structural equality. An integer and a double are equal when they have the same value.
  friend bool operator==(const Value& a, const Value& b);

 private:
  // The order of alternatives matches Type.
  std::variant<std::nullptr_t, bool, int64_t, double, std::string, Array, Object> data_;
};

struct ParseOptions {
  // Arrays and objects nested deeper than this are rejected.
  int max_depth = 512;
};

// Parses one JSON text (surrounding whitespace allowed, nothing else after it).
core::Result<Value> parse(std::string_view text, const ParseOptions& options = {});

struct WriteOptions {
  int indent = 0;           // 0: compact; n: pretty-printed with n spaces per level
  bool ascii_only = false;  // escape every non-ASCII character as \uXXXX (surrogate pairs)
  bool escape_slash = false;  // write '/' as "\/" (for JSON inside a <script> element)
};

std::string write(const Value& value, const WriteOptions& options = {});
void write_to(std::string* out, const Value& value, const WriteOptions& options = {});

// Appends `text` as a quoted JSON string literal — for code that streams JSON without building a
// Value. `text` should be UTF-8; invalid bytes are replaced with U+FFFD so the output is valid.
void append_quoted(std::string* out, std::string_view text, bool ascii_only = false);
// Appends a double in its shortest round-trip form ("0.1", "1e+300"); non-finite values, which
// JSON cannot express, are written as null.
void append_double(std::string* out, double value);

}  // namespace sfs::json
