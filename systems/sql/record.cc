// Records (see record.h).
#include "systems/sql/record.h"

#include <algorithm>
#include <cstring>

#include "systems/sql/bytes.h"

namespace sfs::sql {
namespace {

uint64_t serial_type(const Value& v) {
  switch (v.type()) {
    case ValueType::kNull:
      return 0;
    case ValueType::kInteger: {
      int64_t i = v.int_value();
      if (i == 0) return 8;
      if (i == 1) return 9;
      if (i >= -128 && i <= 127) return 1;
      if (i >= -32768 && i <= 32767) return 2;
      if (i >= -8388608 && i <= 8388607) return 3;
      if (i >= INT32_MIN && i <= INT32_MAX) return 4;
      if (i >= -(int64_t{1} << 47) && i < (int64_t{1} << 47)) return 5;
      return 6;
    }
    case ValueType::kReal:
      return 7;
    case ValueType::kText:
      return 13 + 2 * static_cast<uint64_t>(v.str().size());
    case ValueType::kBlob:
      return 12 + 2 * static_cast<uint64_t>(v.str().size());
  }
  return 0;
}

size_t body_size(uint64_t type) {
  static const size_t kSizes[12] = {0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0};
  if (type < 12) return kSizes[type];
  return static_cast<size_t>((type - 12) / 2);
}

}  // namespace

void encode_record(const Value* values, size_t count, std::string* out) {
  uint64_t types[64];
  std::vector<uint64_t> big;
  uint64_t* t = types;
  if (count > 64) {
    big.resize(count);
    t = big.data();
  }
  size_t header = 0, body = 0;
  for (size_t i = 0; i < count; ++i) {
    t[i] = serial_type(values[i]);
    header += varint_size(t[i]);
    body += body_size(t[i]);
  }
  // The header size counts its own varint.
  size_t self = 1;
  while (varint_size(header + self) != self) self = varint_size(header + self);
  size_t header_total = header + self;
  size_t start = out->size();
  out->resize(start + header_total + body);
  uint8_t* p = reinterpret_cast<uint8_t*>(out->data()) + start;
  size_t at = put_varint(p, header_total);
  for (size_t i = 0; i < count; ++i) at += put_varint(p + at, t[i]);
  for (size_t i = 0; i < count; ++i) {
    const Value& v = values[i];
    switch (t[i]) {
      case 0:
      case 8:
      case 9:
        break;
      case 7: {
        double r = v.real_value();
        uint64_t bits;
        std::memcpy(&bits, &r, 8);
        put_u64(p + at, bits);
        at += 8;
        break;
      }
      case 1:
      case 2:
      case 3:
      case 4:
      case 5:
      case 6: {
        size_t n = body_size(t[i]);
        uint64_t u = static_cast<uint64_t>(v.int_value());
        for (size_t k = 0; k < n; ++k) p[at + k] = static_cast<uint8_t>(u >> (8 * (n - 1 - k)));
        at += n;
        break;
      }
      default:
        if (!v.str().empty()) std::memcpy(p + at, v.str().data(), v.str().size());
        at += v.str().size();
        break;
    }
  }
}

Status RecordReader::reset_lazy(std::string_view record) {
  record_ = record;
  count_ = 0;
  const auto* p = reinterpret_cast<const uint8_t*>(record.data());
  uint64_t header_size;
  size_t used = get_varint(p, p + record.size(), &header_size);
  if (used == 0 || header_size > record.size() || header_size < used) {
    return Status::corruption("database disk image is malformed: bad record header");
  }
  header_size_ = static_cast<uint32_t>(header_size);
  header_pos_ = static_cast<uint32_t>(used);
  body_offset_ = header_size;
  return Status::ok();
}

Status RecordReader::reset(std::string_view record) {
  SFS_TRY(reset_lazy(record));
  return parse_until(SIZE_MAX);
}

Status RecordReader::parse_until(size_t want) {
  const auto* p = reinterpret_cast<const uint8_t*>(record_.data());
  const uint8_t* header_end = p + header_size_;
  size_t count = count_;
  uint32_t pos = header_pos_;
  uint64_t body = body_offset_;
  Status status;
  // Every entry takes at least one header byte, which bounds how many can follow.
  size_t limit = count + std::min<size_t>(want - count, header_size_ - pos);
  if (types_.size() < limit) {
    types_.resize(std::max<size_t>(limit, 16));
    offsets_.resize(types_.size());
  }
  uint64_t* types = types_.data();
  uint32_t* offsets = offsets_.data();
  while (count < want && pos < header_size_) {
    uint64_t type;
    size_t n = get_varint(p + pos, header_end, &type);
    if (n == 0 || type == 10 || type == 11) {
      status = Status::corruption("database disk image is malformed: bad serial type");
      break;
    }
    size_t size = body_size(type);
    if (body + size > record_.size()) {
      status = Status::corruption("database disk image is malformed: record body too short");
      break;
    }
    pos += static_cast<uint32_t>(n);
    types[count] = type;
    offsets[count] = static_cast<uint32_t>(body);
    ++count;
    body += size;
  }
  count_ = count;
  header_pos_ = pos;
  body_offset_ = body;
  return status;
}

Status RecordReader::read_column(size_t i, Value* out, bool* present) {
  if (i >= count_) SFS_TRY(parse_until(i + 1));
  *present = i < count_;
  if (!*present) return Status::ok();
  return column(i, out);
}

ValueType RecordReader::column_type(size_t i) const {
  if (i >= count_) return ValueType::kNull;
  uint64_t t = types_[i];
  if (t == 0) return ValueType::kNull;
  if (t == 7) return ValueType::kReal;
  if (t < 12) return ValueType::kInteger;
  return (t & 1) ? ValueType::kText : ValueType::kBlob;
}

Status RecordReader::column(size_t i, Value* out) const {
  if (i >= count_) {
    *out = Value();
    return Status::ok();
  }
  uint64_t t = types_[i];
  const auto* p = reinterpret_cast<const uint8_t*>(record_.data()) + offsets_[i];
  switch (t) {
    case 0:
      *out = Value();
      return Status::ok();
    case 8:
      *out = Value::integer(0);
      return Status::ok();
    case 9:
      *out = Value::integer(1);
      return Status::ok();
    case 7: {
      uint64_t bits = get_u64(p);
      double r;
      std::memcpy(&r, &bits, 8);
      *out = Value::real(r);
      return Status::ok();
    }
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6: {
      size_t n = body_size(t);
      uint64_t u = (p[0] & 0x80) ? ~uint64_t{0} : 0;  // sign extension
      for (size_t k = 0; k < n; ++k) u = (u << 8) | p[k];
      *out = Value::integer(static_cast<int64_t>(u));
      return Status::ok();
    }
    default: {
      std::string_view bytes(reinterpret_cast<const char*>(p), body_size(t));
      out->assign_string((t & 1) ? ValueType::kText : ValueType::kBlob, bytes);
      return Status::ok();
    }
  }
}

Status decode_record(std::string_view record, std::vector<Value>* values) {
  RecordReader reader;
  SFS_TRY(reader.reset(record));
  values->resize(reader.column_count());
  for (size_t i = 0; i < reader.column_count(); ++i) SFS_TRY(reader.column(i, &(*values)[i]));
  return Status::ok();
}

}  // namespace sfs::sql
