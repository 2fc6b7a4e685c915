// Order-preserving key encodings (see key_encoding.h).
#include "systems/sql/key_encoding.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/strings.h"
#include "systems/sql/bytes.h"

namespace sfs::sql {
namespace {

constexpr uint8_t kZeroTag = 0x15;
constexpr uint8_t kNegativeHuge = 0x0C;  // REAL < -2^63
constexpr uint8_t kPositiveHuge = 0x1E;  // REAL >= 2^63, +Inf
constexpr double kTwo63 = 9223372036854775808.0;

void append_u64(std::string* out, uint64_t v) {
  uint8_t buf[8];
  put_u64(buf, v);
  out->append(reinterpret_cast<const char*>(buf), 8);
}

uint64_t sortable_double(double d) {
  if (d == 0) d = 0;  // -0.0 and 0.0 are equal
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  return (bits & (uint64_t{1} << 63)) ? ~bits : bits | (uint64_t{1} << 63);
}

void append_escaped(std::string* out, std::string_view bytes) {
  for (char c : bytes) {
    out->push_back(c);
    if (c == '\0') out->push_back('\xff');
  }
  out->push_back('\0');
  out->push_back('\x01');
}

size_t bytes_for(uint64_t v) {
  size_t n = 1;
  while (n < 8 && (v >> (8 * n)) != 0) ++n;
  return n;
}

}  // namespace

size_t encode_sortable_int(int64_t v, uint8_t* out) {
  if (v == 0) {
    out[0] = kZeroTag;
    return 1;
  }
  uint64_t payload;
  size_t n;
  if (v > 0) {
    payload = static_cast<uint64_t>(v);
    n = bytes_for(payload);
    out[0] = static_cast<uint8_t>(kZeroTag + n);
  } else {
    uint64_t magnitude = 0 - static_cast<uint64_t>(v);  // |v|, 2^63 for INT64_MIN
    n = bytes_for(magnitude - 1);
    // v + 256^n, computed modulo 2^64 (exact: the result fits in n bytes).
    payload = n == 8 ? 0 - magnitude : (uint64_t{1} << (8 * n)) - magnitude;
    out[0] = static_cast<uint8_t>(kZeroTag - n);
  }
  for (size_t i = 0; i < n; ++i) out[1 + i] = static_cast<uint8_t>(payload >> (8 * (n - 1 - i)));
  return n + 1;
}

void append_sortable_int(int64_t v, std::string* out) {
  uint8_t buf[9];
  out->append(reinterpret_cast<const char*>(buf), encode_sortable_int(v, buf));
}

size_t decode_sortable_int(const uint8_t* p, const uint8_t* end, int64_t* v) {
  if (p >= end) return 0;
  uint8_t tag = p[0];
  if (tag == kZeroTag) {
    *v = 0;
    return 1;
  }
  if (tag < kZeroTag - 8 || tag > kZeroTag + 8) return 0;
  bool negative = tag < kZeroTag;
  size_t n = negative ? kZeroTag - tag : tag - kZeroTag;
  if (static_cast<size_t>(end - p) < n + 1) return 0;
  uint64_t payload = 0;
  for (size_t i = 0; i < n; ++i) payload = (payload << 8) | p[1 + i];
  if (negative) {
    uint64_t magnitude = n == 8 ? 0 - payload : (uint64_t{1} << (8 * n)) - payload;
    *v = static_cast<int64_t>(0 - magnitude);
  } else {
    *v = static_cast<int64_t>(payload);
  }
  return n + 1;
}

void encode_key_value(const Value& value, Collation collation, bool descending, std::string* out) {
  size_t start = out->size();
  switch (value.type()) {
    case ValueType::kNull:
      out->push_back('\x05');
      break;
    case ValueType::kInteger:
      append_sortable_int(value.int_value(), out);
      out->push_back('\x00');
      break;
    case ValueType::kReal: {
      double r = value.real_value();
      if (r < -kTwo63) {
        out->push_back(static_cast<char>(kNegativeHuge));
        append_u64(out, sortable_double(r));
      } else if (r >= kTwo63) {
        out->push_back(static_cast<char>(kPositiveHuge));
        append_u64(out, sortable_double(r));
      } else {
        double whole = std::floor(r);
        append_sortable_int(static_cast<int64_t>(whole), out);
        double fraction = r - whole;  // exact, in [0, 1)
        if (fraction == 0) {
          out->push_back('\x00');
        } else {
          out->push_back('\x01');
          append_u64(out, sortable_double(fraction));
        }
      }
      break;
    }
    case ValueType::kText: {
      out->push_back('\x20');
      std::string_view text = value.str();
      if (collation == Collation::kNoCase) {
        append_escaped(out, core::to_lower(text));
      } else {
        if (collation == Collation::kRTrim) {
          while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
        }
        append_escaped(out, text);
      }
      break;
    }
    case ValueType::kBlob:
      out->push_back('\x30');
      append_escaped(out, value.str());
      break;
  }
  if (descending) {
    for (size_t i = start; i < out->size(); ++i) (*out)[i] = static_cast<char>(~(*out)[i]);
  }
}

bool key_value_is_exact(const Value& value, Collation collation) {
  switch (value.type()) {
    case ValueType::kReal: {
      double r = value.real_value();
      return r != std::floor(r) || r < -kTwo63 || r >= kTwo63;
    }
    case ValueType::kText:
      return collation == Collation::kBinary;
    default:
      return true;
  }
}

bool decode_key_value(const uint8_t** p, const uint8_t* end, bool descending, Value* out) {
  const uint8_t* q = *p;
  // Copies at most `n` bytes from q, un-inverting a DESC column's bytes.
  auto byte = [&](const uint8_t* at) -> uint8_t { return descending ? static_cast<uint8_t>(~*at) : *at; };
  auto load = [&](const uint8_t* at, size_t n, uint8_t* buf) {
    for (size_t i = 0; i < n; ++i) buf[i] = byte(at + i);
  };
  if (q >= end) return false;
  uint8_t tag = byte(q);
  if (tag == 0x05) {
    *out = Value();
    *p = q + 1;
    return true;
  }
  if (tag == kNegativeHuge || tag == kPositiveHuge) {
    if (end - q < 9) return false;
    uint8_t buf[8];
    load(q + 1, 8, buf);
    uint64_t bits = get_u64(buf);
    bits = (bits & (uint64_t{1} << 63)) ? bits & ~(uint64_t{1} << 63) : ~bits;
    double d;
    std::memcpy(&d, &bits, 8);
    *out = Value::real(d);
    *p = q + 9;
    return true;
  }
  if (tag >= kZeroTag - 8 && tag <= kZeroTag + 8) {
    uint8_t buf[10];
    size_t n = static_cast<size_t>(std::min<ptrdiff_t>(end - q, 10));
    load(q, n, buf);
    int64_t whole = 0;
    size_t used = decode_sortable_int(buf, buf + n, &whole);
    if (used == 0 || q + used >= end) return false;
    uint8_t marker = byte(q + used);
    if (marker == 0x00) {
      *out = Value::integer(whole);
      *p = q + used + 1;
      return true;
    }
    if (marker != 0x01 || end - (q + used + 1) < 8) return false;
    uint8_t fbuf[8];
    load(q + used + 1, 8, fbuf);
    uint64_t bits = get_u64(fbuf) & ~(uint64_t{1} << 63);  // the fraction is positive
    double fraction;
    std::memcpy(&fraction, &bits, 8);
    *out = Value::real(static_cast<double>(whole) + fraction);
    *p = q + used + 9;
    return true;
  }
  if (tag == 0x20 || tag == 0x30) {
    std::string bytes;
    const uint8_t* at = q + 1;
    while (true) {
      if (at >= end) return false;
      uint8_t c = byte(at);
      if (c == 0x00) {
        if (at + 1 >= end) return false;
        uint8_t next = byte(at + 1);
        if (next == 0x01) {
          at += 2;
          break;
        }
        if (next != 0xFF) return false;
        bytes.push_back('\0');
        at += 2;
        continue;
      }
      bytes.push_back(static_cast<char>(c));
      ++at;
    }
    *out = tag == 0x20 ? Value::text(std::move(bytes)) : Value::blob(std::move(bytes));
    *p = at;
    return true;
  }
  return false;
}

void append_rowid_suffix(int64_t rowid, std::string* out) {
  uint8_t buf[10];
  size_t n = encode_sortable_int(rowid, buf);
  buf[n] = static_cast<uint8_t>(n);
  out->append(reinterpret_cast<const char*>(buf), n + 1);
}

bool split_index_key(std::string_view key, int64_t* rowid, size_t* prefix_length) {
  if (key.size() < 2) return false;
  size_t n = static_cast<uint8_t>(key.back());
  if (n < 1 || n > 9 || n + 1 > key.size()) return false;
  size_t start = key.size() - 1 - n;
  const auto* p = reinterpret_cast<const uint8_t*>(key.data()) + start;
  if (decode_sortable_int(p, p + n, rowid) != n) return false;
  *prefix_length = start;
  return true;
}

}  // namespace sfs::sql
