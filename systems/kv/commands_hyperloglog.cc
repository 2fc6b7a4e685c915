// HyperLogLog: PFADD, PFCOUNT, PFMERGE, on the same string representation Redis uses, so an HLL
// built by Redis (in an RDB file, or copied with GET/SET) works here and the other way round, and
// the counts are the same numbers Redis gives.
//
// An HLL is a string: a 16-byte header, then the registers.
//
//   "HYLL"  encoding(1: 0 dense, 1 sparse)  3 unused bytes  cached cardinality (8 bytes, little
//   endian; the top bit of the last byte set means "stale, recompute")
//
// There are 16384 registers (the low 14 bits of a 64-bit MurmurHash64A of the element, seed
// 0xadc83b19, pick one); a register keeps the longest run seen of the pattern "0...01" in the
// other 50 bits, counted from the low end, plus one (1..51).
//
//   dense   16384 registers of 6 bits, packed from the least significant bit of each byte
//           (12288 bytes: 12304 with the header)
//   sparse  a run-length code, for HLLs with few elements:
//             00xxxxxx           ZERO   x+1 registers (1..64) are 0
//             01xxxxxx yyyyyyyy  XZERO  the 14-bit x:y + 1 registers (1..16384) are 0
//             1vvvvvxx           VAL    x+1 registers (1..4) hold v+1 (1..32)
//
// A new HLL is sparse: one XZERO opcode covering all 16384 registers. It turns dense, for good,
// when a register needs a value above 32 or the sparse form would grow past hll-sparse-max-bytes
// (3000). Updating a sparse HLL splits the opcode covering the register (at worst XZERO -> XZERO
// VAL XZERO) and then merges adjacent VAL opcodes of equal value, exactly as Redis's
// hyperloglog.c does, so the bytes match Redis's.
//
// The estimate is Ertl's ("New cardinality estimation algorithms for HyperLogLog sketches",
// 2017), computed from the histogram of register values, as Redis 5+ does; its standard error is
// 1.04/sqrt(16384) = 0.81%. PFCOUNT of one key caches the estimate in the header, which is a
// write (WATCH sees it; it is propagated).
#include <cmath>
#include <cstring>

#include "systems/kv/commands.h"
#include "systems/kv/util.h"

namespace sfs::kv {
namespace {

constexpr int kP = 14;
constexpr int kQ = 64 - kP;
constexpr int kRegisters = 1 << kP;
constexpr int kBits = 6;
constexpr unsigned kRegisterMax = (1u << kBits) - 1;
constexpr size_t kHeader = 16;
constexpr size_t kDenseSize = kHeader + (kRegisters * kBits + 7) / 8;
constexpr size_t kSparseMaxBytes = 3000;
constexpr int kValMaxValue = 32, kValMaxLen = 4, kZeroMaxLen = 64, kXZeroMaxLen = 16384;
constexpr uint8_t kDense = 0, kSparse = 1;

constexpr std::string_view kNotHll = "WRONGTYPE Key is not a valid HyperLogLog string value.";
constexpr std::string_view kCorrupt = "INVALIDOBJ Corrupted HLL object detected";

// ---- the hash (MurmurHash64A, little-endian reads)

uint64_t murmur64a(std::string_view data, uint64_t seed) {
  const uint64_t m = 0xc6a4a7935bd1e995ULL;
  const int r = 47;
  uint64_t h = seed ^ (static_cast<uint64_t>(data.size()) * m);
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t blocks = data.size() / 8;
  for (size_t i = 0; i < blocks; ++i, p += 8) {
    uint64_t k = 0;
    for (int b = 7; b >= 0; --b) k = (k << 8) | p[b];
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  size_t rest = data.size() & 7;
  if (rest > 0) {
    for (size_t b = rest; b-- > 0;) h ^= static_cast<uint64_t>(p[b]) << (8 * b);
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

// The register an element falls in and the value it proposes (1..51).
int pattern_length(std::string_view element, long* index) {
  uint64_t hash = murmur64a(element, 0xadc83b19ULL);
  *index = static_cast<long>(hash & (kRegisters - 1));
  hash >>= kP;
  hash |= uint64_t{1} << kQ;  // the loop ends by bit Q
  int count = 1;
  for (uint64_t bit = 1; (hash & bit) == 0; bit <<= 1) ++count;
  return count;
}

// ---- dense registers (the read/write may touch the byte after the last register: guarded)

unsigned dense_get(const unsigned char* regs, long i) {
  size_t bit = static_cast<size_t>(i) * kBits;
  size_t byte = bit / 8, fb = bit & 7;
  unsigned b0 = regs[byte];
  unsigned b1 = fb > 8 - kBits ? regs[byte + 1] : 0;
  return ((b0 >> fb) | (b1 << (8 - fb))) & kRegisterMax;
}

void dense_set(unsigned char* regs, long i, unsigned value) {
  size_t bit = static_cast<size_t>(i) * kBits;
  size_t byte = bit / 8, fb = bit & 7;
  regs[byte] = static_cast<unsigned char>((regs[byte] & ~(kRegisterMax << fb)) | (value << fb));
  if (fb > 8 - kBits) {
    regs[byte + 1] = static_cast<unsigned char>((regs[byte + 1] & ~(kRegisterMax >> (8 - fb))) |
                                                (value >> (8 - fb)));
  }
}

// ---- sparse opcodes

bool is_zero(const unsigned char* p) { return (*p & 0xc0) == 0; }
bool is_xzero(const unsigned char* p) { return (*p & 0xc0) == 0x40; }
bool is_val(const unsigned char* p) { return (*p & 0x80) != 0; }
long zero_len(const unsigned char* p) { return (*p & 0x3f) + 1; }
long xzero_len(const unsigned char* p) { return (((*p & 0x3f) << 8) | p[1]) + 1; }
int val_value(const unsigned char* p) { return ((*p >> 2) & 0x1f) + 1; }
long val_len(const unsigned char* p) { return (*p & 0x3) + 1; }
void val_set(unsigned char* p, int value, long len) {
  *p = static_cast<unsigned char>(((value - 1) << 2) | (len - 1) | 0x80);
}
void zero_set(unsigned char* p, long len) { *p = static_cast<unsigned char>(len - 1); }
void xzero_set(unsigned char* p, long len) {
  long l = len - 1;
  p[0] = static_cast<unsigned char>((l >> 8) | 0x40);
  p[1] = static_cast<unsigned char>(l & 0xff);
}

// Walks the sparse opcodes calling fn(first register, run length, value); false when they do not
// cover exactly the 16384 registers.
template <typename Fn>
bool sparse_walk(std::string_view hll, Fn fn) {
  const auto* p = reinterpret_cast<const unsigned char*>(hll.data()) + kHeader;
  const auto* end = reinterpret_cast<const unsigned char*>(hll.data()) + hll.size();
  long idx = 0;
  while (p < end) {
    long len;
    int value = 0;
    if (is_zero(p)) {
      len = zero_len(p);
      ++p;
    } else if (is_xzero(p)) {
      if (p + 1 >= end) return false;
      len = xzero_len(p);
      p += 2;
    } else {
      len = val_len(p);
      value = val_value(p);
      ++p;
    }
    if (idx + len > kRegisters) return false;
    fn(idx, len, value);
    idx += len;
  }
  return idx == kRegisters;
}

// ---- the HLL string

std::string new_hll() {
  std::string s(kHeader, '\0');
  std::memcpy(s.data(), "HYLL", 4);
  s[4] = static_cast<char>(kSparse);
  s.resize(kHeader + 2);
  static_assert(kRegisters <= kXZeroMaxLen, "one XZERO opcode covers a new HLL");
  xzero_set(reinterpret_cast<unsigned char*>(s.data()) + kHeader, kRegisters);
  return s;
}

void invalidate_cache(std::string& s) { s[15] = static_cast<char>(static_cast<unsigned char>(s[15]) | 0x80); }
bool cache_valid(std::string_view s) { return (static_cast<unsigned char>(s[15]) & 0x80) == 0; }

bool is_valid_hll(std::string_view s) {
  if (s.size() < kHeader || s.substr(0, 4) != "HYLL") return false;
  auto encoding = static_cast<unsigned char>(s[4]);
  if (encoding > kSparse) return false;
  return encoding != kDense || s.size() == kDenseSize;
}

bool to_dense(std::string& s) {
  if (static_cast<unsigned char>(s[4]) == kDense) return true;
  std::string dense(kDenseSize, '\0');
  std::memcpy(dense.data(), s.data(), kHeader);
  dense[4] = static_cast<char>(kDense);
  auto* regs = reinterpret_cast<unsigned char*>(dense.data()) + kHeader;
  bool ok = sparse_walk(s, [&](long first, long len, int value) {
    if (value == 0) return;
    for (long i = 0; i < len; ++i) dense_set(regs, first + i, static_cast<unsigned>(value));
  });
  if (!ok) return false;
  s = std::move(dense);
  return true;
}

// Sets register `index` to `count` if that raises it. Returns 1 when it changed, 0 when not, -1
// for a corrupt HLL. Follows Redis's hllSparseSet step by step (see the file comment).
int sparse_set(std::string& s, long index, int count) {
  if (count > kValMaxValue) {
    if (!to_dense(s)) return -1;
    auto* regs = reinterpret_cast<unsigned char*>(s.data()) + kHeader;
    dense_set(regs, index, static_cast<unsigned>(count));
    return 1;
  }
  // Step 1: find the opcode covering the register.
  auto* base = reinterpret_cast<unsigned char*>(s.data());
  size_t pos = kHeader, end = s.size();
  size_t prev = std::string::npos;
  long first = 0, span = 0;
  while (pos < end) {
    size_t oplen = 1;
    const unsigned char* p = base + pos;
    if (is_zero(p)) {
      span = zero_len(p);
    } else if (is_val(p)) {
      span = val_len(p);
    } else {
      if (pos + 1 >= end) return -1;
      span = xzero_len(p);
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = pos;
    pos += oplen;
    first += span;
  }
  if (span == 0 || pos >= end || first + span > kRegisters) return -1;
  unsigned char* p = base + pos;
  bool zero = is_zero(p), xzero = is_xzero(p), val = is_val(p);
  long runlen = zero ? zero_len(p) : (xzero ? xzero_len(p) : val_len(p));

  // Step 2: the trivial updates in place, else the split sequence.
  bool rewritten_in_place = false;
  if (val) {
    int old = val_value(p);
    if (old >= count) return 0;
    if (runlen == 1) {
      val_set(p, count, 1);
      rewritten_in_place = true;
    }
  }
  if (!rewritten_in_place && zero && runlen == 1) {
    val_set(p, count, 1);
    rewritten_in_place = true;
  }
  if (!rewritten_in_place) {
    unsigned char seq[5];
    unsigned char* n = seq;
    long last = first + span - 1;
    auto put_zeros = [&](long len) {
      if (len > kZeroMaxLen) {
        xzero_set(n, len);
        n += 2;
      } else {
        zero_set(n, len);
        ++n;
      }
    };
    if (zero || xzero) {
      if (index != first) put_zeros(index - first);
      val_set(n++, count, 1);
      if (index != last) put_zeros(last - index);
    } else {
      int current = val_value(p);
      if (index != first) val_set(n++, current, index - first);
      val_set(n++, count, 1);
      if (index != last) val_set(n++, current, last - index);
    }
    // Step 3: put the sequence in place of the opcode.
    size_t seqlen = static_cast<size_t>(n - seq);
    size_t oldlen = xzero ? 2 : 1;
    if (seqlen > oldlen && s.size() + (seqlen - oldlen) > kSparseMaxBytes) {
      if (!to_dense(s)) return -1;
      dense_set(reinterpret_cast<unsigned char*>(s.data()) + kHeader, index, static_cast<unsigned>(count));
      return 1;
    }
    s.replace(pos, oldlen, reinterpret_cast<const char*>(seq), seqlen);
    base = reinterpret_cast<unsigned char*>(s.data());
    end = s.size();
  }

  // Step 4: merge adjacent VAL opcodes of equal value, scanning up to 5 opcodes from the one
  // before the change.
  size_t q = prev != std::string::npos ? prev : kHeader;
  int scan = 5;
  while (q < end && scan-- > 0) {
    const unsigned char* op = base + q;
    if (is_xzero(op)) {
      q += 2;
      continue;
    }
    if (is_zero(op)) {
      ++q;
      continue;
    }
    if (q + 1 < end && is_val(op + 1)) {
      int v1 = val_value(op), v2 = val_value(op + 1);
      if (v1 == v2) {
        long len = val_len(op) + val_len(op + 1);
        if (len <= kValMaxLen) {
          val_set(base + q + 1, v1, len);
          s.erase(q, 1);
          base = reinterpret_cast<unsigned char*>(s.data());
          end = s.size();
          continue;  // try to merge the result with its right neighbour too
        }
      }
    }
    ++q;
  }
  invalidate_cache(s);
  return 1;
}

// Adds one element: 1 if a register changed, 0 if not, -1 when the HLL is corrupt.
int hll_add(std::string& s, std::string_view element) {
  long index;
  int count = pattern_length(element, &index);
  if (static_cast<unsigned char>(s[4]) == kDense) {
    auto* regs = reinterpret_cast<unsigned char*>(s.data()) + kHeader;
    if (dense_get(regs, index) >= static_cast<unsigned>(count)) return 0;
    dense_set(regs, index, static_cast<unsigned>(count));
    return 1;
  }
  return sparse_set(s, index, count);
}

// max[i] = MAX(max[i], register i of the HLL). False when the HLL is corrupt.
bool hll_merge(std::string_view s, uint8_t* max) {
  if (static_cast<unsigned char>(s[4]) == kDense) {
    const auto* regs = reinterpret_cast<const unsigned char*>(s.data()) + kHeader;
    for (long i = 0; i < kRegisters; ++i) {
      auto v = static_cast<uint8_t>(dense_get(regs, i));
      if (v > max[i]) max[i] = v;
    }
    return true;
  }
  return sparse_walk(s, [&](long first, long len, int value) {
    for (long i = 0; i < len; ++i) {
      if (value > max[first + i]) max[first + i] = static_cast<uint8_t>(value);
    }
  });
}

double sigma(double x) {
  if (x == 1.) return INFINITY;
  double z_prime, y = 1, z = x;
  do {
    x *= x;
    z_prime = z;
    z += x * y;
    y += y;
  } while (z_prime != z);
  return z;
}

double tau(double x) {
  if (x == 0. || x == 1.) return 0.;
  double z_prime, y = 1.0, z = 1 - x;
  do {
    x = std::sqrt(x);
    z_prime = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
  } while (z_prime != z);
  return z / 3;
}

// Ertl's estimate from the histogram of register values.
uint64_t estimate(const int* histogram) {
  const double m = kRegisters;
  double z = m * tau((m - histogram[kQ + 1]) / m);
  for (int j = kQ; j >= 1; --j) {
    z += histogram[j];
    z *= 0.5;
  }
  z += m * sigma(histogram[0] / m);
  return static_cast<uint64_t>(std::llround(0.721347520444481703680 * m * m / z));
}

// The histogram of an HLL string; false when it is corrupt.
bool histogram_of(std::string_view s, int* histogram) {
  if (static_cast<unsigned char>(s[4]) == kDense) {
    const auto* regs = reinterpret_cast<const unsigned char*>(s.data()) + kHeader;
    for (long i = 0; i < kRegisters; ++i) ++histogram[dense_get(regs, i)];
    return true;
  }
  return sparse_walk(s, [&](long, long len, int value) { histogram[value] += static_cast<int>(len); });
}

// `e` when it holds an HLL string; nullptr after replying WRONGTYPE when it does not.
Entry* hll_entry(CommandContext& c, Entry* e) {
  if (!c.check_type(e, Type::kString)) return nullptr;
  char buf[24];
  if (!is_valid_hll(e->string_value(buf))) {
    c.reply.error(kNotHll);
    return nullptr;
  }
  return e;
}

void cmd_pfadd(CommandContext& c) {
  std::string_view key = c.arg(1);
  Entry* e = c.lookup_write(key);
  int64_t updated = 0;
  if (e == nullptr) {
    e = c.db.put(make_string_entry(key, new_hll()));
    ++updated;
  } else if (hll_entry(c, e) == nullptr) {
    return;
  }
  std::string* s = make_raw_string(e);
  for (size_t i = 2; i < c.argc(); ++i) {
    int r = hll_add(*s, c.arg(i));
    if (r < 0) {
      c.reply.error(kCorrupt);
      return;
    }
    updated += r;
  }
  if (updated > 0) {
    invalidate_cache(*s);
    c.modified(key);
    c.dirty += updated;
  }
  c.reply.integer(updated > 0 ? 1 : 0);
}

void cmd_pfcount(CommandContext& c) {
  if (c.argc() > 2) {
    // The union: register-wise maxima, then the estimate (nothing is cached).
    std::vector<uint8_t> max(kRegisters, 0);
    for (size_t i = 1; i < c.argc(); ++i) {
      Entry* e = c.lookup_read(c.arg(i));
      if (e == nullptr) continue;
      if (hll_entry(c, e) == nullptr) return;
      char buf[24];
      if (!hll_merge(e->string_value(buf), max.data())) {
        c.reply.error(kCorrupt);
        return;
      }
    }
    int histogram[64] = {};
    for (uint8_t v : max) ++histogram[v];
    c.reply.integer(static_cast<int64_t>(estimate(histogram)));
    return;
  }
  std::string_view key = c.arg(1);
  Entry* e = c.lookup_read(key);
  if (e == nullptr) {
    c.reply.integer(0);
    return;
  }
  if (hll_entry(c, e) == nullptr) return;
  std::string* s = make_raw_string(e);
  uint64_t card = 0;
  if (cache_valid(*s)) {
    for (int i = 7; i >= 0; --i) card = (card << 8) | static_cast<unsigned char>((*s)[8 + static_cast<size_t>(i)]);
  } else {
    int histogram[64] = {};
    if (!histogram_of(*s, histogram)) {
      c.reply.error(kCorrupt);
      return;
    }
    card = estimate(histogram);
    for (int i = 0; i < 8; ++i) (*s)[8 + static_cast<size_t>(i)] = static_cast<char>((card >> (8 * i)) & 0xff);
    c.modified(key);
    ++c.dirty;
  }
  c.reply.integer(static_cast<int64_t>(card));
}

void cmd_pfmerge(CommandContext& c) {
  std::vector<uint8_t> max(kRegisters, 0);
  bool use_dense = false;
  for (size_t i = 1; i < c.argc(); ++i) {  // the destination is a source too
    Entry* e = c.lookup_read(c.arg(i));
    if (e == nullptr) continue;
    if (hll_entry(c, e) == nullptr) return;
    char buf[24];
    std::string_view s = e->string_value(buf);
    if (static_cast<unsigned char>(s[4]) == kDense) use_dense = true;
    if (!hll_merge(s, max.data())) {
      c.reply.error(kCorrupt);
      return;
    }
  }
  std::string_view key = c.arg(1);
  Entry* e = c.lookup_write(key);
  if (e == nullptr) e = c.db.put(make_string_entry(key, new_hll()));
  std::string* s = make_raw_string(e);
  if (use_dense && !to_dense(*s)) {
    c.reply.error(kCorrupt);
    return;
  }
  for (long i = 0; i < kRegisters; ++i) {
    if (max[static_cast<size_t>(i)] == 0) continue;
    if (static_cast<unsigned char>((*s)[4]) == kDense) {
      auto* regs = reinterpret_cast<unsigned char*>(s->data()) + kHeader;
      if (dense_get(regs, i) < max[static_cast<size_t>(i)]) dense_set(regs, i, max[static_cast<size_t>(i)]);
    } else if (sparse_set(*s, i, max[static_cast<size_t>(i)]) < 0) {
      c.reply.error(kCorrupt);
      return;
    }
  }
  invalidate_cache(*s);
  c.modified(key);
  ++c.dirty;
  c.reply.ok();
}

}  // namespace

void register_hyperloglog_commands(std::vector<CommandSpec>& t) {
  t.push_back({"pfadd", cmd_pfadd, -2, kWrite | kDenyOom | kFast, 1, 1, 1, "hyperloglog", "2.8.9", "Adds the specified elements to the specified HyperLogLog.", "key [element [element ...]]"});
  t.push_back({"pfcount", cmd_pfcount, -2, kReadOnly, 1, -1, 1, "hyperloglog", "2.8.9", "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).", "key [key ...]"});
  t.push_back({"pfmerge", cmd_pfmerge, -2, kWrite | kDenyOom, 1, -1, 1, "hyperloglog", "2.8.9", "Merge N different HyperLogLogs into a single one.", "destkey [sourcekey [sourcekey ...]]"});
}

}  // namespace sfs::kv
