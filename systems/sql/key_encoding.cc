// Order-preserving key encoding (see key_encoding.h).
#include "systems/sql/key_encoding.h"

#include <cmath>
#include <cstring>

#include "core/strings.h"
#include "systems/sql/bytes.h"

namespace sfs::sql {
namespace {

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

constexpr double kTwo53 = 9007199254740992.0;

}  // namespace

void encode_key_value(const Value& value, Collation collation, bool descending, std::string* out) {
  size_t start = out->size();
  switch (value.type()) {
    case ValueType::kNull:
      out->push_back('\x05');
      break;
    case ValueType::kInteger:
    case ValueType::kReal: {
      out->push_back('\x10');
      double d = value.type() == ValueType::kInteger ? static_cast<double>(value.int_value())
                                                     : value.real_value();
      append_u64(out, sortable_double(d));
      if (std::fabs(d) >= kTwo53 && !std::isinf(d)) {
        // The exact remainder: integer minus its (rounded) double. REALs there are integral,
        // so their remainder is 0. The remainder is small (|delta| <= 1024).
        int64_t delta = 0;
        if (value.type() == ValueType::kInteger) {
          delta = static_cast<int64_t>(static_cast<__int128>(value.int_value()) -
                                       static_cast<__int128>(d));
        }
        append_u64(out, static_cast<uint64_t>(delta) ^ (uint64_t{1} << 63));
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

}  // namespace sfs::sql
