// JSON parser and writer: see json.h for the behaviour and RFC 8259 for the grammar.
//
// The parser is recursive descent over the input bytes, one function per grammar rule
// (parse_value, parse_object, parse_array, parse_string, parse_number). It tracks only a byte
// offset; line and column are computed from the offset when an error is reported, so the happy
// path pays nothing for good messages. Depth is counted on the way down and capped, which bounds
// the recursion (and so the native stack) whatever the input.
//
// Strings are copied in runs: the scanner looks for the next '"', '\\' or byte below 0x20 or
// above 0x7F, appends the plain run in one go, and handles escapes and non-ASCII bytes (validated
// as UTF-8) one at a time.
#include "formats/json/json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "core/strings.h"

namespace sfs::json {
namespace {

const Value& null_value() {
  static const Value kNull;
  return kNull;
}

class Parser {
 public:
  Parser(std::string_view text, const ParseOptions& options) : text_(text), options_(options) {}

  core::Result<Value> parse_document() {
    // A UTF-8 byte order mark may precede the text (RFC 8259 §8.1).
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    skip_whitespace();
    Value value;
    if (!parse_value(&value, 0)) return error_status();
    skip_whitespace();
    if (pos_ != text_.size()) {
      fail("unexpected " + describe_here() + " after the JSON value");
      return error_status();
    }
    return value;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  void skip_whitespace() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++pos_;
    }
  }

  // "'x'", "end of input" or "byte 0xC3" for messages.
  std::string describe_here() const {
    if (at_end()) return "end of input";
    unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c < 0x20 || c >= 0x7F) {
      char hex[16];
      std::snprintf(hex, sizeof(hex), "byte 0x%02X", c);
      return hex;
    }
    return std::string("'") + static_cast<char>(c) + "'";
  }

  bool fail(std::string message) {
    if (error_.empty()) {
      error_ = std::move(message);
      error_pos_ = pos_;
    }
    return false;
  }

  core::Status error_status() const {
    size_t line = 1;
    size_t column = 1;
    for (size_t i = 0; i < error_pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return core::Status::invalid_argument(std::to_string(line) + ":" + std::to_string(column) +
                                          ": " + error_);
  }

  bool expect_literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) {
      return fail("invalid literal near " + describe_here() + " (expected '" +
                  std::string(word) + "')");
    }
    pos_ += word.size();
    return true;
  }

  bool parse_value(Value* out, int depth) {
    switch (peek()) {
      case '{':
        return parse_object(out, depth + 1);
      case '[':
        return parse_array(out, depth + 1);
      case '"': {
        std::string s;
        if (!parse_string(&s)) return false;
        *out = Value(std::move(s));
        return true;
      }
      case 't':
        if (!expect_literal("true")) return false;
        *out = Value(true);
        return true;
      case 'f':
        if (!expect_literal("false")) return false;
        *out = Value(false);
        return true;
      case 'n':
        if (!expect_literal("null")) return false;
        *out = Value();
        return true;
      default:
        if (peek() == '-' || (peek() >= '0' && peek() <= '9')) return parse_number(out);
        return fail("expected a value, got " + describe_here());
    }
  }

  bool check_depth(int depth) {
    if (depth > options_.max_depth) {
      return fail("nesting deeper than " + std::to_string(options_.max_depth) + " levels");
    }
    return true;
  }

  bool parse_object(Value* out, int depth) {
    if (!check_depth(depth)) return false;
    ++pos_;  // '{'
    Object members;
    skip_whitespace();
    if (peek() == '}') {
      ++pos_;
      *out = Value(std::move(members));
      return true;
    }
    for (;;) {
      skip_whitespace();
      if (peek() != '"') return fail("expected a member name string, got " + describe_here());
      std::string key;
      if (!parse_string(&key)) return false;
      skip_whitespace();
      if (peek() != ':') return fail("expected ':' after a member name, got " + describe_here());
      ++pos_;
      skip_whitespace();
      Value value;
      if (!parse_value(&value, depth)) return false;
      members.emplace_back(std::move(key), std::move(value));
      skip_whitespace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == '}') {
        ++pos_;
        *out = Value(std::move(members));
        return true;
      }
      return fail("expected ',' or '}' after an object member, got " + describe_here());
    }
  }

  bool parse_array(Value* out, int depth) {
    if (!check_depth(depth)) return false;
    ++pos_;  // '['
    Array elements;
    skip_whitespace();
    if (peek() == ']') {
      ++pos_;
      *out = Value(std::move(elements));
      return true;
    }
    for (;;) {
      skip_whitespace();
      Value value;
      if (!parse_value(&value, depth)) return false;
      elements.push_back(std::move(value));
      skip_whitespace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == ']') {
        ++pos_;
        *out = Value(std::move(elements));
        return true;
      }
      return fail("expected ',' or ']' after an array element, got " + describe_here());
    }
  }

  // Four hex digits at pos_; advances past them.
  bool parse_hex4(uint32_t* out) {
    if (text_.size() - pos_ < 4) {
      pos_ = text_.size();
      return fail("incomplete \\u escape");
    }
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      int digit = core::hex_digit_value(text_[pos_]);
      if (digit < 0) return fail("invalid hex digit " + describe_here() + " in \\u escape");
      value = (value << 4) | static_cast<uint32_t>(digit);
      ++pos_;
    }
    *out = value;
    return true;
  }

  bool parse_escape(std::string* out) {
    ++pos_;  // '\\'
    if (at_end()) return fail("unterminated string");
    char c = text_[pos_++];
    switch (c) {
      case '"': out->push_back('"'); return true;
      case '\\': out->push_back('\\'); return true;
      case '/': out->push_back('/'); return true;
      case 'b': out->push_back('\b'); return true;
      case 'f': out->push_back('\f'); return true;
      case 'n': out->push_back('\n'); return true;
      case 'r': out->push_back('\r'); return true;
      case 't': out->push_back('\t'); return true;
      case 'u': {
        uint32_t unit;
        if (!parse_hex4(&unit)) return false;
        if (unit >= 0xDC00 && unit <= 0xDFFF) {
          pos_ -= 6;
          return fail("lone low surrogate in \\u escape");
        }
        if (unit >= 0xD800 && unit <= 0xDBFF) {
          // A high surrogate must be followed by an escaped low surrogate.
          if (text_.substr(pos_, 2) != "\\u") {
            return fail("high surrogate not followed by a \\u low surrogate");
          }
          pos_ += 2;
          uint32_t low;
          if (!parse_hex4(&low)) return false;
          if (low < 0xDC00 || low > 0xDFFF) {
            pos_ -= 6;
            return fail("high surrogate followed by a non-low-surrogate \\u escape");
          }
          unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
        }
        core::append_utf8(out, unit);
        return true;
      }
      default:
        --pos_;
        return fail("invalid escape '\\" + describe_here().substr(1));
    }
  }

  // One UTF-8 sequence starting at pos_ (a byte >= 0x80); validated and copied.
  bool copy_utf8_sequence(std::string* out) {
    auto byte = [&](size_t i) { return static_cast<unsigned char>(text_[pos_ + i]); };
    unsigned char lead = byte(0);
    size_t length;
    uint32_t code;
    uint32_t min;
    if ((lead & 0xE0) == 0xC0) {
      length = 2, code = lead & 0x1F, min = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, code = lead & 0x0F, min = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, code = lead & 0x07, min = 0x10000;
    } else {
      return fail("invalid UTF-8 " + describe_here() + " in string");
    }
    if (text_.size() - pos_ < length) return fail("truncated UTF-8 sequence in string");
    for (size_t i = 1; i < length; ++i) {
      if ((byte(i) & 0xC0) != 0x80) return fail("invalid UTF-8 sequence in string");
      code = (code << 6) | (byte(i) & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return fail("invalid UTF-8 sequence in string");
    }
    out->append(text_.data() + pos_, length);
    pos_ += length;
    return true;
  }

  bool parse_string(std::string* out) {
    size_t start = pos_;
    ++pos_;  // '"'
    for (;;) {
      // Copy the run of plain printable ASCII in one append.
      size_t run = pos_;
      while (run < text_.size()) {
        unsigned char c = static_cast<unsigned char>(text_[run]);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++run;
      }
      out->append(text_.data() + pos_, run - pos_);
      pos_ = run;
      if (at_end()) {
        pos_ = start;
        return fail("unterminated string");
      }
      unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c == '\\') {
        if (!parse_escape(out)) return false;
      } else if (c < 0x20) {
        return fail("unescaped control character " + describe_here() + " in string");
      } else if (!copy_utf8_sequence(out)) {
        return false;
      }
    }
  }

  bool parse_number(Value* out) {
    size_t start = pos_;
    bool is_integer = true;
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
      if (peek() >= '0' && peek() <= '9') return fail("leading zero in number");
    } else if (peek() >= '1' && peek() <= '9') {
      while (peek() >= '0' && peek() <= '9') ++pos_;
    } else {
      return fail("expected a digit, got " + describe_here());
    }
    if (peek() == '.') {
      is_integer = false;
      ++pos_;
      if (!(peek() >= '0' && peek() <= '9')) return fail("expected a digit after '.', got " + describe_here());
      while (peek() >= '0' && peek() <= '9') ++pos_;
    }
    if (peek() == 'e' || peek() == 'E') {
      is_integer = false;
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!(peek() >= '0' && peek() <= '9')) {
        return fail("expected a digit in the exponent, got " + describe_here());
      }
      while (peek() >= '0' && peek() <= '9') ++pos_;
    }
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    if (is_integer) {
      int64_t value;
      auto [end, ec] = std::from_chars(first, last, value);
      if (ec == std::errc() && end == last) {
        *out = Value(value);
        return true;
      }
      // Too large for int64: fall through to a double.
    }
    double value;
    auto [end, ec] = std::from_chars(first, last, value);
    if (ec == std::errc::result_out_of_range) {
      // from_chars reports both overflow and underflow this way; an underflow is a tiny number
      // and rounds to zero, an overflow cannot be represented.
      bool huge = false;
      const char* e = std::find_if(first, last, [](char c) { return c == 'e' || c == 'E'; });
      if (e == last || e[1] != '-') huge = true;
      if (huge) {
        pos_ = start;
        return fail("number out of range");
      }
      value = (*first == '-') ? -0.0 : 0.0;
    } else if (ec != std::errc() || end != last) {
      pos_ = start;
      return fail("invalid number");
    }
    *out = Value(value);
    return true;
  }

  std::string_view text_;
  const ParseOptions& options_;
  size_t pos_ = 0;
  std::string error_;
  size_t error_pos_ = 0;
};

void write_string(std::string* out, std::string_view text, const WriteOptions& options) {
  if (!options.escape_slash) {
    append_quoted(out, text, options.ascii_only);
    return;
  }
  std::string quoted;
  append_quoted(&quoted, text, options.ascii_only);
  for (char c : quoted) {
    if (c == '/') out->push_back('\\');
    out->push_back(c);
  }
}

void append_indent(std::string* out, int indent, int depth) {
  out->push_back('\n');
  out->append(static_cast<size_t>(indent) * static_cast<size_t>(depth), ' ');
}

void write_value(std::string* out, const Value& value, const WriteOptions& options, int depth) {
  switch (value.type()) {
    case Type::kNull:
      out->append("null");
      return;
    case Type::kBool:
      out->append(value.as_bool() ? "true" : "false");
      return;
    case Type::kInt: {
      char digits[24];
      auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value.as_int());
      out->append(digits, end);
      return;
    }
    case Type::kDouble:
      append_double(out, value.as_double());
      return;
    case Type::kString:
      write_string(out, value.as_string(), options);
      return;
    case Type::kArray: {
      const Array& elements = value.as_array();
      out->push_back('[');
      for (size_t i = 0; i < elements.size(); ++i) {
        if (i) out->push_back(',');
        if (options.indent) append_indent(out, options.indent, depth + 1);
        write_value(out, elements[i], options, depth + 1);
      }
      if (options.indent && !elements.empty()) append_indent(out, options.indent, depth);
      out->push_back(']');
      return;
    }
    case Type::kObject: {
      const Object& members = value.as_object();
      out->push_back('{');
      for (size_t i = 0; i < members.size(); ++i) {
        if (i) out->push_back(',');
        if (options.indent) append_indent(out, options.indent, depth + 1);
        write_string(out, members[i].first, options);
        out->append(options.indent ? ": " : ":");
        write_value(out, members[i].second, options, depth + 1);
      }
      if (options.indent && !members.empty()) append_indent(out, options.indent, depth);
      out->push_back('}');
      return;
    }
  }
}

void append_u_escape(std::string* out, uint32_t unit) {
  static const char kHex[] = "0123456789abcdef";
  char escape[6] = {'\\', 'u', kHex[(unit >> 12) & 15], kHex[(unit >> 8) & 15],
                    kHex[(unit >> 4) & 15], kHex[unit & 15]};
  out->append(escape, 6);
}

}  // namespace

std::string_view type_name(Type type) {
  switch (type) {
    case Type::kNull: return "null";
    case Type::kBool: return "boolean";
    case Type::kInt: return "integer";
    case Type::kDouble: return "number";
    case Type::kString: return "string";
    case Type::kArray: return "array";
    case Type::kObject: return "object";
  }
  return "?";
}

const Value& Value::operator[](std::string_view key) const {
  const Value* found = find(key);
  return found ? *found : null_value();
}

const Value& Value::operator[](size_t index) const {
  if (!is_array() || index >= as_array().size()) return null_value();
  return as_array()[index];
}

const Value* Value::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const auto& member : as_object()) {
    if (member.first == key) return &member.second;
  }
  return nullptr;
}

Value* Value::find(std::string_view key) {
  return const_cast<Value*>(static_cast<const Value*>(this)->find(key));
}

void Value::set(std::string_view key, Value value) {
  if (is_null()) data_ = Object();
  if (Value* existing = find(key)) {
    *existing = std::move(value);
    return;
  }
  as_object().emplace_back(std::string(key), std::move(value));
}

void Value::push_back(Value value) {
  if (is_null()) data_ = Array();
  as_array().push_back(std::move(value));
}

size_t Value::size() const {
  if (is_array()) return as_array().size();
  if (is_object()) return as_object().size();
  return 0;
}

bool operator==(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_int() && b.is_int()) return a.as_int() == b.as_int();
    return a.as_double() == b.as_double();
  }
  return a.data_ == b.data_;
}

core::Result<Value> parse(std::string_view text, const ParseOptions& options) {
  Parser parser(text, options);
  return parser.parse_document();
}

void append_double(std::string* out, double value) {
  if (!std::isfinite(value)) {
    out->append("null");
    return;
  }
  char digits[32];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value);
  std::string_view text(digits, static_cast<size_t>(end - digits));
  out->append(text);
  // Keep doubles recognisable as non-integers when read back ("2.0", not "2"), so a value's
  // type survives a round trip through text.
  if (text.find_first_of(".eEn") == std::string_view::npos) out->append(".0");
}

void append_quoted(std::string* out, std::string_view text, bool ascii_only) {
  out->push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    size_t run = i;
    while (run < text.size()) {
      unsigned char c = static_cast<unsigned char>(text[run]);
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
      ++run;
    }
    out->append(text.data() + i, run - i);
    i = run;
    if (i >= text.size()) break;
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out->append("\\\""); break;
        case '\\': out->append("\\\\"); break;
        case '\b': out->append("\\b"); break;
        case '\f': out->append("\\f"); break;
        case '\n': out->append("\\n"); break;
        case '\r': out->append("\\r"); break;
        case '\t': out->append("\\t"); break;
        default: append_u_escape(out, c); break;
      }
      ++i;
      continue;
    }
    // Non-ASCII: find the length of a valid sequence; invalid bytes become U+FFFD.
    size_t length = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (length == 0 || i + length > text.size() ||
        !core::is_valid_utf8(text.substr(i, length))) {
      if (ascii_only) append_u_escape(out, 0xFFFD);
      else out->append("\xEF\xBF\xBD");
      ++i;
      continue;
    }
    if (!ascii_only) {
      out->append(text.data() + i, length);
    } else {
      uint32_t code = c & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07);
      for (size_t k = 1; k < length; ++k) code = (code << 6) | (text[i + k] & 0x3F);
      if (code >= 0x10000) {
        code -= 0x10000;
        append_u_escape(out, 0xD800 + (code >> 10));
        append_u_escape(out, 0xDC00 + (code & 0x3FF));
      } else {
        append_u_escape(out, code);
      }
    }
    i += length;
  }
  out->push_back('"');
}

void write_to(std::string* out, const Value& value, const WriteOptions& options) {
  write_value(out, value, options, 0);
}

std::string write(const Value& value, const WriteOptions& options) {
  std::string out;
  write_to(&out, value, options);
  return out;
}

}  // namespace sfs::json
