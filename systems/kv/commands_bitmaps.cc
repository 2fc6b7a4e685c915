// Bitmaps: strings used as arrays of bits (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP) and of
// integers of any width up to 64 bits (BITFIELD, BITFIELD_RO), with Redis 7.0's semantics.
//
// Bit numbering is big-endian within a byte, as Redis's: bit 0 is the most significant bit of
// byte 0, so SETBIT k 7 1 on an empty key makes the one-byte string "\x01". A missing key reads as
// an endless run of zero bits; a write past the end grows the string with zero bytes (offsets
// are limited by proto-max-bulk-len, 512 MB by default). A BITFIELD integer is read and written
// most significant bit first at any bit offset ("#N" offsets are in units of the type's width).
//
// BITFIELD's overflow control applies to the SET and INCRBY operations after it: WRAP (modular
// arithmetic, the default), SAT (clamp to the type's min/max) or FAIL (no write, a null reply).
// Values wider than the string are read as if it were padded with zero bytes.
#include <bit>
#include <cstring>

#include "systems/kv/commands.h"
#include "systems/kv/util.h"

namespace sfs::kv {
namespace {

constexpr std::string_view kBitOffsetError = "ERR bit offset is not an integer or out of range";
constexpr std::string_view kBitValueError = "ERR bit is not an integer or out of range";
constexpr std::string_view kBitfieldTypeError =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

// Parses a bit offset ("#N" means N * bits when `hash_bits` > 0). Replies and returns false when
// it is not an integer, negative, or beyond proto-max-bulk-len bytes.
bool parse_bit_offset(CommandContext& c, size_t index, int hash_bits, uint64_t* out) {
  std::string_view text = c.arg(index);
  bool hash = hash_bits > 0 && !text.empty() && text[0] == '#';
  int64_t offset;
  if (!parse_ll(hash ? text.substr(1) : text, &offset)) {
    c.reply.error(kBitOffsetError);
    return false;
  }
  if (hash) {
    if (offset > INT64_MAX / hash_bits || offset < INT64_MIN / hash_bits) offset = -1;
    else offset *= hash_bits;
  }
  if (offset < 0 || (offset >> 3) >= c.server.config().proto_max_bulk_len) {
    c.reply.error(kBitOffsetError);
    return false;
  }
  *out = static_cast<uint64_t>(offset);
  return true;
}

// The key's string for a write reaching bit `max_bit`: created (zero-filled) when missing, grown
// with zero bytes when shorter. Null after a WRONGTYPE reply. `grown` tells whether it changed.
std::string* string_for_bit_write(CommandContext& c, std::string_view key, uint64_t max_bit, bool* grown) {
  size_t need = static_cast<size_t>(max_bit >> 3) + 1;
  Entry* e = c.lookup_write(key);
  if (!c.check_type(e, Type::kString)) return nullptr;
  *grown = false;
  if (e == nullptr) {
    e = c.db.put(make_string_entry(key, std::string(need, '\0')));
    *grown = true;
    return make_raw_string(e);
  }
  std::string* s = make_raw_string(e);
  if (s->size() < need) {
    s->resize(need, '\0');
    *grown = true;
  }
  return s;
}

void cmd_setbit(CommandContext& c) {
  uint64_t offset;
  if (!parse_bit_offset(c, 2, 0, &offset)) return;
  int64_t on;
  if (!c.int_arg(3, &on, kBitValueError)) return;
  if (on & ~int64_t{1}) {
    c.reply.error(kBitValueError);
    return;
  }
  bool grown;
  std::string* s = string_for_bit_write(c, c.arg(1), offset, &grown);
  if (s == nullptr) return;
  auto& byte = reinterpret_cast<unsigned char&>((*s)[offset >> 3]);
  unsigned mask = 1u << (7 - (offset & 7));
  bool was = byte & mask;
  if (on) byte = static_cast<unsigned char>(byte | mask);
  else byte = static_cast<unsigned char>(byte & ~mask);
  if (grown || was != (on != 0)) {
    c.modified(c.arg(1));
    ++c.dirty;
  }
  c.reply.integer(was ? 1 : 0);
}

void cmd_getbit(CommandContext& c) {
  uint64_t offset;
  if (!parse_bit_offset(c, 2, 0, &offset)) return;
  Entry* e = c.lookup_read(c.arg(1));
  if (!c.check_type(e, Type::kString)) return;
  int bit = 0;
  if (e != nullptr) {
    char buf[24];
    std::string_view s = e->string_value(buf);
    size_t byte = static_cast<size_t>(offset >> 3);
    if (byte < s.size()) bit = (static_cast<unsigned char>(s[byte]) >> (7 - (offset & 7))) & 1;
  }
  c.reply.integer(bit);
}

// BITCOUNT/BITPOS ranges: [start, end] in bytes, or in bits with BIT. Fills the inclusive bit
// interval [*first_bit, *last_bit]; false when it is empty.
bool bit_range(int64_t start, int64_t end, bool in_bits, size_t len, uint64_t* first_bit, uint64_t* last_bit) {
  int64_t total = static_cast<int64_t>(len) * (in_bits ? 8 : 1);
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end) return false;
  *first_bit = static_cast<uint64_t>(start) * (in_bits ? 1 : 8);
  *last_bit = in_bits ? static_cast<uint64_t>(end) : static_cast<uint64_t>(end) * 8 + 7;
  return true;
}

// Set bits of s in the bit interval [first, last].
uint64_t popcount_range(std::string_view s, uint64_t first, uint64_t last) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  uint64_t count = 0;
  size_t fb = static_cast<size_t>(first >> 3), lb = static_cast<size_t>(last >> 3);
  for (size_t i = fb; i <= lb; ++i) {
    unsigned byte = p[i];
    if (i == fb) byte &= 0xffu >> (first & 7);
    if (i == lb) byte &= (0xff00u >> ((last & 7) + 1)) & 0xffu;
    count += static_cast<uint64_t>(std::popcount(byte));
  }
  return count;
}

void cmd_bitcount(CommandContext& c) {
  Entry* e = c.lookup_read(c.arg(1));
  if (e == nullptr) {
    c.reply.integer(0);
    return;
  }
  if (!c.check_type(e, Type::kString)) return;
  char buf[24];
  std::string_view s = e->string_value(buf);
  uint64_t first = 0, last = 0;
  bool any;
  if (c.argc() == 4 || c.argc() == 5) {
    int64_t start, end;
    if (!c.int_arg(2, &start) || !c.int_arg(3, &end)) return;
    if (start < 0 && end < 0 && start > end) {
      c.reply.integer(0);
      return;
    }
    bool in_bits = false;
    if (c.argc() == 5) {
      if (eq(c.arg(4), "bit")) in_bits = true;
      else if (!eq(c.arg(4), "byte")) {
        c.reply.error(err::kSyntax);
        return;
      }
    }
    any = bit_range(start, end, in_bits, s.size(), &first, &last);
  } else if (c.argc() == 2) {
    any = !s.empty();
    last = s.size() * 8 - 1;
  } else {
    c.reply.error(err::kSyntax);
    return;
  }
  c.reply.integer(any ? static_cast<int64_t>(popcount_range(s, first, last)) : 0);
}

void cmd_bitpos(CommandContext& c) {
  int64_t bit;
  if (!c.int_arg(2, &bit)) return;
  if (bit != 0 && bit != 1) {
    c.reply.error("ERR The bit argument must be 1 or 0.");
    return;
  }
  // A missing key is an endless run of zeros.
  Entry* e = c.lookup_read(c.arg(1));
  if (e == nullptr) {
    c.reply.integer(bit ? -1 : 0);
    return;
  }
  if (!c.check_type(e, Type::kString)) return;
  char buf[24];
  std::string_view s = e->string_value(buf);
  uint64_t first = 0, last = 0;
  bool any, end_given = false;
  if (c.argc() >= 4 && c.argc() <= 6) {
    int64_t start, end;
    if (!c.int_arg(3, &start)) return;
    bool in_bits = false;
    if (c.argc() == 6) {
      if (eq(c.arg(5), "bit")) in_bits = true;
      else if (!eq(c.arg(5), "byte")) {
        c.reply.error(err::kSyntax);
        return;
      }
    }
    if (c.argc() >= 5) {
      if (!c.int_arg(4, &end)) return;
      end_given = true;
    } else {
      end = in_bits ? static_cast<int64_t>(s.size()) * 8 + 7 : static_cast<int64_t>(s.size()) - 1;
    }
    any = bit_range(start, end, in_bits, s.size(), &first, &last);
  } else if (c.argc() == 3) {
    any = !s.empty();
    last = s.size() * 8 - 1;
  } else {
    c.reply.error(err::kSyntax);
    return;
  }
  if (!any) {
    c.reply.integer(-1);
    return;
  }
  // Whole bytes that cannot hold the bit are skipped; the edges are checked bit by bit.
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char skip = bit ? 0x00 : 0xff;
  uint64_t i = first;
  while (i <= last) {
    if ((i & 7) == 0 && i + 7 <= last && p[i >> 3] == skip) {
      i += 8;
      continue;
    }
    if (((p[i >> 3] >> (7 - (i & 7))) & 1) == static_cast<unsigned>(bit)) {
      c.reply.integer(static_cast<int64_t>(i));
      return;
    }
    ++i;
  }
  // No clear bit inside the string: without an explicit end, the zero padding after it counts.
  if (bit == 0 && !end_given) {
    c.reply.integer(static_cast<int64_t>(((last >> 3) + 1) * 8));
    return;
  }
  c.reply.integer(-1);
}

void cmd_bitop(CommandContext& c) {
  std::string_view op = c.arg(1);
  enum { kAnd, kOr, kXor, kNot } kind;
  if (eq(op, "and")) kind = kAnd;
  else if (eq(op, "or")) kind = kOr;
  else if (eq(op, "xor")) kind = kXor;
  else if (eq(op, "not")) kind = kNot;
  else {
    c.reply.error(err::kSyntax);
    return;
  }
  if (kind == kNot && c.argc() != 4) {
    c.reply.error("ERR BITOP NOT must be called with a single source key.");
    return;
  }
  std::vector<std::string> sources;
  size_t maxlen = 0;
  for (size_t i = 3; i < c.argc(); ++i) {
    Entry* e = c.lookup_read(c.arg(i));
    if (!c.check_type(e, Type::kString)) return;
    char buf[24];
    sources.emplace_back(e == nullptr ? std::string_view() : e->string_value(buf));
    maxlen = std::max(maxlen, sources.back().size());
  }
  std::string result(maxlen, '\0');
  for (size_t j = 0; j < maxlen; ++j) {
    auto byte_of = [&](size_t i) -> unsigned {
      return j < sources[i].size() ? static_cast<unsigned char>(sources[i][j]) : 0u;
    };
    unsigned out = byte_of(0);
    if (kind == kNot) out = ~out;
    for (size_t i = 1; i < sources.size(); ++i) {
      if (kind == kAnd) out &= byte_of(i);
      else if (kind == kOr) out |= byte_of(i);
      else out ^= byte_of(i);
    }
    result[j] = static_cast<char>(out & 0xff);
  }
  std::string_view dst = c.arg(2);
  bool existed = c.lookup_write(dst) != nullptr;
  if (maxlen > 0) {
    if (existed) c.db.remove(dst);
    make_raw_string(c.db.put(make_string_entry(dst, result)));
    c.modified(dst);
    ++c.dirty;
  } else if (existed) {
    c.db.remove(dst);
    c.modified(dst);
    ++c.dirty;
  }
  c.reply.integer(static_cast<int64_t>(maxlen));
}

// ---- BITFIELD

enum class Overflow : uint8_t { kWrap, kSat, kFail };

struct FieldOp {
  enum Kind : uint8_t { kGet, kSet, kIncrBy } kind;
  bool is_signed;
  int bits;
  uint64_t offset;
  int64_t value;
  Overflow overflow;
};

uint64_t get_unsigned(const unsigned char* p, uint64_t offset, int bits) {
  uint64_t value = 0;
  for (int j = 0; j < bits; ++j, ++offset) {
    value = (value << 1) | ((p[offset >> 3] >> (7 - (offset & 7))) & 1u);
  }
  return value;
}

int64_t get_signed(const unsigned char* p, uint64_t offset, int bits) {
  uint64_t value = get_unsigned(p, offset, bits);
  if (bits < 64 && (value & (uint64_t{1} << (bits - 1)))) value |= ~uint64_t{0} << bits;
  return static_cast<int64_t>(value);
}

void set_unsigned(unsigned char* p, uint64_t offset, int bits, uint64_t value) {
  for (int j = 0; j < bits; ++j, ++offset) {
    unsigned bit = (value >> (bits - 1 - j)) & 1u;
    unsigned mask = 1u << (7 - (offset & 7));
    unsigned char& byte = p[offset >> 3];
    byte = static_cast<unsigned char>(bit ? (byte | mask) : (byte & ~mask));
  }
}

// Redis's overflow rules: returns true when value + incr leaves the type's range, and then sets
// *limit to the wrapped or saturated result.
bool unsigned_overflow(uint64_t value, int64_t incr, int bits, Overflow ow, uint64_t* limit) {
  uint64_t max = bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
  int64_t maxincr = static_cast<int64_t>(max - value);
  int64_t minincr = static_cast<int64_t>(uint64_t{0} - value);
  bool over = value > max || (bits != 64 && incr > maxincr) || (incr > 0 && incr > maxincr);
  bool under = !over && incr < 0 && incr < minincr;
  if (!over && !under) return false;
  if (ow == Overflow::kWrap) {
    uint64_t res = value + static_cast<uint64_t>(incr);
    if (bits < 64) res &= ~(~uint64_t{0} << bits);
    *limit = res;
  } else if (ow == Overflow::kSat) {
    *limit = over ? max : 0;
  }
  return true;
}

bool signed_overflow(int64_t value, int64_t incr, int bits, Overflow ow, int64_t* limit) {
  int64_t max = bits == 64 ? INT64_MAX : (int64_t{1} << (bits - 1)) - 1;
  int64_t min = -max - 1;
  int64_t maxincr = static_cast<int64_t>(static_cast<uint64_t>(max) - static_cast<uint64_t>(value));
  int64_t minincr = static_cast<int64_t>(static_cast<uint64_t>(min) - static_cast<uint64_t>(value));
  bool over = value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr);
  bool under = !over && (value < min || (bits != 64 && incr < minincr) ||
                         (value < 0 && incr < 0 && incr < minincr));
  if (!over && !under) return false;
  if (ow == Overflow::kWrap) {
    uint64_t res = static_cast<uint64_t>(value) + static_cast<uint64_t>(incr);
    if (bits < 64) {
      uint64_t mask = ~uint64_t{0} << bits;
      if (res & (uint64_t{1} << (bits - 1))) res |= mask;
      else res &= ~mask;
    }
    *limit = static_cast<int64_t>(res);
  } else if (ow == Overflow::kSat) {
    *limit = over ? max : min;
  }
  return true;
}

void bitfield_generic(CommandContext& c, bool readonly_command) {
  std::vector<FieldOp> ops;
  Overflow overflow = Overflow::kWrap;
  bool writes = false;
  uint64_t highest_write = 0;
  for (size_t j = 2; j < c.argc(); ++j) {
    size_t left = c.argc() - j - 1;
    std::string_view sub = c.arg(j);
    FieldOp op{};
    if (eq(sub, "get") && left >= 2) {
      op.kind = FieldOp::kGet;
    } else if (eq(sub, "set") && left >= 3) {
      op.kind = FieldOp::kSet;
    } else if (eq(sub, "incrby") && left >= 3) {
      op.kind = FieldOp::kIncrBy;
    } else if (eq(sub, "overflow") && left >= 1) {
      std::string_view type = c.arg(++j);
      if (eq(type, "wrap")) overflow = Overflow::kWrap;
      else if (eq(type, "sat")) overflow = Overflow::kSat;
      else if (eq(type, "fail")) overflow = Overflow::kFail;
      else {
        c.reply.error("ERR Invalid OVERFLOW type specified");
        return;
      }
      continue;
    } else {
      c.reply.error(err::kSyntax);
      return;
    }
    // The type: i1..i64 or u1..u63.
    std::string_view type = c.arg(j + 1);
    int64_t bits = 0;
    if (type.empty() || (type[0] != 'i' && type[0] != 'u') || !parse_ll(type.substr(1), &bits) ||
        bits < 1 || bits > (type[0] == 'i' ? 64 : 63)) {
      c.reply.error(kBitfieldTypeError);
      return;
    }
    op.is_signed = type[0] == 'i';
    op.bits = static_cast<int>(bits);
    if (!parse_bit_offset(c, j + 2, op.bits, &op.offset)) return;
    if (op.kind != FieldOp::kGet) {
      writes = true;
      highest_write = std::max(highest_write, op.offset + static_cast<uint64_t>(op.bits) - 1);
      if (!c.int_arg(j + 3, &op.value)) return;
    }
    op.overflow = overflow;
    ops.push_back(op);
    j += op.kind == FieldOp::kGet ? 2 : 3;
  }

  std::string* s = nullptr;
  std::string_view view;
  char buf[24];
  bool grown = false;
  if (!writes) {
    Entry* e = c.lookup_read(c.arg(1));
    if (!c.check_type(e, Type::kString)) return;
    if (e != nullptr) view = e->string_value(buf);
  } else {
    if (readonly_command) {
      c.reply.error("ERR BITFIELD_RO only supports the GET subcommand");
      return;
    }
    s = string_for_bit_write(c, c.arg(1), highest_write, &grown);
    if (s == nullptr) return;
  }

  int64_t changes = 0;
  c.reply.array(ops.size());
  for (const FieldOp& op : ops) {
    if (op.kind == FieldOp::kGet) {
      // Up to 9 bytes copied into a zero-padded buffer: reads past the end see zeros.
      std::string_view src = s != nullptr ? std::string_view(*s) : view;
      unsigned char window[9] = {};
      uint64_t byte = op.offset >> 3;
      for (size_t i = 0; i < 9 && byte + i < src.size(); ++i) {
        window[i] = static_cast<unsigned char>(src[static_cast<size_t>(byte + i)]);
      }
      uint64_t local = op.offset - byte * 8;
      if (op.is_signed) c.reply.integer(get_signed(window, local, op.bits));
      else c.reply.integer(static_cast<int64_t>(get_unsigned(window, local, op.bits)));
      continue;
    }
    auto* p = reinterpret_cast<unsigned char*>(s->data());
    if (op.is_signed) {
      int64_t old = get_signed(p, op.offset, op.bits), next, wrapped = 0, ret;
      bool over;
      if (op.kind == FieldOp::kIncrBy) {
        over = signed_overflow(old, op.value, op.bits, op.overflow, &wrapped);
        next = over ? wrapped : old + op.value;
        ret = next;
      } else {
        over = signed_overflow(op.value, 0, op.bits, op.overflow, &wrapped);
        next = over ? wrapped : op.value;
        ret = old;
      }
      if (over && op.overflow == Overflow::kFail) {
        c.reply.null();
        continue;
      }
      c.reply.integer(ret);
      set_unsigned(p, op.offset, op.bits, static_cast<uint64_t>(next));
      if (grown || old != next) ++changes;
    } else {
      uint64_t old = get_unsigned(p, op.offset, op.bits), next, wrapped = 0, ret;
      bool over;
      if (op.kind == FieldOp::kIncrBy) {
        over = unsigned_overflow(old, op.value, op.bits, op.overflow, &wrapped);
        next = over ? wrapped : old + static_cast<uint64_t>(op.value);
        ret = next;
      } else {
        over = unsigned_overflow(static_cast<uint64_t>(op.value), 0, op.bits, op.overflow, &wrapped);
        next = over ? wrapped : static_cast<uint64_t>(op.value);
        ret = old;
      }
      if (over && op.overflow == Overflow::kFail) {
        c.reply.null();
        continue;
      }
      c.reply.integer(static_cast<int64_t>(ret));
      set_unsigned(p, op.offset, op.bits, next);
      if (grown || old != next) ++changes;
    }
  }
  if (changes > 0) {
    c.modified(c.arg(1));
    c.dirty += changes;
  }
}

void cmd_bitfield(CommandContext& c) { bitfield_generic(c, false); }
void cmd_bitfield_ro(CommandContext& c) { bitfield_generic(c, true); }

}  // namespace

void register_bitmap_commands(std::vector<CommandSpec>& t) {
  t.push_back({"setbit", cmd_setbit, 4, kWrite | kDenyOom, 1, 1, 1, "bitmap", "2.2.0", "Sets or clears the bit at offset in the string value stored at key", "key offset value"});
  t.push_back({"getbit", cmd_getbit, 3, kReadOnly | kFast, 1, 1, 1, "bitmap", "2.2.0", "Returns the bit value at offset in the string value stored at key", "key offset"});
  t.push_back({"bitcount", cmd_bitcount, -2, kReadOnly, 1, 1, 1, "bitmap", "2.6.0", "Count set bits in a string", "key [start end [BYTE|BIT]]"});
  t.push_back({"bitpos", cmd_bitpos, -3, kReadOnly, 1, 1, 1, "bitmap", "2.8.7", "Find first bit set or clear in a string", "key bit [start [end [BYTE|BIT]]]"});
  t.push_back({"bitop", cmd_bitop, -4, kWrite | kDenyOom, 2, -1, 1, "bitmap", "2.6.0", "Perform bitwise operations between strings", "operation destkey key [key ...]"});
  t.push_back({"bitfield", cmd_bitfield, -2, kWrite | kDenyOom, 1, 1, 1, "bitmap", "3.2.0", "Perform arbitrary bitfield integer operations on strings", "key [GET encoding offset|[OVERFLOW WRAP|SAT|FAIL] SET encoding offset value|INCRBY encoding offset increment [GET encoding offset|[OVERFLOW WRAP|SAT|FAIL] SET encoding offset value|INCRBY encoding offset increment ...]]"});
  t.push_back({"bitfield_ro", cmd_bitfield_ro, -2, kReadOnly | kFast, 1, 1, 1, "bitmap", "6.0.0", "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD", "key [GET encoding offset [GET encoding offset ...]]"});
}

}  // namespace sfs::kv
