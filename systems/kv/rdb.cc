// RDB writer and loader: see rdb.h and FILE_FORMAT.md.
#include "systems/kv/rdb.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/crc64.h"
#include "core/file.h"
#include "core/log.h"
#include "core/lzf.h"
#include "systems/kv/util.h"

namespace sfs::kv {
namespace {

// Opcodes and value types.
enum : uint8_t {
  kTypeString = 0,
  kTypeList = 1,
  kTypeSet = 2,
  kTypeZSet = 3,
  kTypeHash = 4,
  kTypeZSet2 = 5,
  kTypeModule = 6,
  kTypeModule2 = 7,
  kTypeHashZipmap = 9,
  kTypeListZiplist = 10,
  kTypeSetIntset = 11,
  kTypeZSetZiplist = 12,
  kTypeHashZiplist = 13,
  kTypeListQuicklist = 14,
  kTypeStreamListpacks = 15,
  kTypeHashListpack = 16,
  kTypeZSetListpack = 17,
  kTypeListQuicklist2 = 18,
  kTypeStreamListpacks2 = 19,
  kTypeSetListpack = 20,
  kTypeStreamListpacks3 = 21,
  kOpFunction2 = 245,
  kOpFunctionPreGa = 246,
  kOpModuleAux = 247,
  kOpIdle = 248,
  kOpFreq = 249,
  kOpAux = 250,
  kOpResizeDb = 251,
  kOpExpireTimeMs = 252,
  kOpExpireTime = 253,
  kOpSelectDb = 254,
  kOpEof = 255,
};

constexpr int kWriteVersion = 9;
constexpr int kMaxReadVersion = 11;

// ---- writing

class Writer {
 public:
  Writer(int fd, bool checksum) : fd_(fd), checksum_(checksum) { buf_.reserve(kChunk + 1024); }
  // Writes into `out` instead of a file (DUMP payloads).
  explicit Writer(std::string* out) : fd_(-1), checksum_(true), out_(out) {}

  void bytes(std::string_view s) {
    if (s.size() >= kChunk) {
      flush();
      emit(s);
      return;
    }
    buf_.append(s);
    if (buf_.size() >= kChunk) flush();
  }
  void byte(uint8_t b) { bytes(std::string_view(reinterpret_cast<const char*>(&b), 1)); }

  void length(uint64_t len) {
    char b[9];
    if (len < 64) {
      b[0] = static_cast<char>(len);
      bytes({b, 1});
    } else if (len < 16384) {
      b[0] = static_cast<char>(0x40 | (len >> 8));
      b[1] = static_cast<char>(len & 0xff);
      bytes({b, 2});
    } else if (len <= 0xffffffffULL) {
      b[0] = static_cast<char>(0x80);
      for (int i = 0; i < 4; ++i) b[1 + i] = static_cast<char>(len >> (24 - 8 * i));
      bytes({b, 5});
    } else {
      b[0] = static_cast<char>(0x81);
      for (int i = 0; i < 8; ++i) b[1 + i] = static_cast<char>(len >> (56 - 8 * i));
      bytes({b, 9});
    }
  }

  void string(std::string_view s) {
    int64_t v;
    if (s.size() <= 11 && parse_ll(s, &v)) {
      char b[5];
      if (v >= INT8_MIN && v <= INT8_MAX) {
        b[0] = static_cast<char>(0xC0);
        b[1] = static_cast<char>(v);
        bytes({b, 2});
        return;
      }
      if (v >= INT16_MIN && v <= INT16_MAX) {
        b[0] = static_cast<char>(0xC1);
        b[1] = static_cast<char>(v & 0xff);
        b[2] = static_cast<char>((v >> 8) & 0xff);
        bytes({b, 3});
        return;
      }
      if (v >= INT32_MIN && v <= INT32_MAX) {
        b[0] = static_cast<char>(0xC2);
        for (int i = 0; i < 4; ++i) b[1 + i] = static_cast<char>((v >> (8 * i)) & 0xff);
        bytes({b, 5});
        return;
      }
    }
    if (compress_ && s.size() > 20) {
      scratch_.resize(s.size());
      size_t n = core::lzf_compress(s, scratch_.data(), s.size() - 5);
      if (n > 0) {
        byte(0xC3);
        length(n);
        length(s.size());
        bytes(std::string_view(scratch_.data(), n));
        return;
      }
    }
    length(s.size());
    bytes(s);
  }

  void u64le(uint64_t v) {
    char b[8];
    std::memcpy(b, &v, 8);
    bytes({b, 8});
  }

  // Writes what is buffered.
  void flush() {
    if (buf_.empty()) return;
    emit(buf_);
    buf_.clear();
  }

  // The trailer: EOF, then the checksum of everything before it (0 when disabled).
  core::Status finish() {
    byte(kOpEof);
    flush();
    uint64_t crc = checksum_ ? crc_ : 0;
    char b[8];
    std::memcpy(b, &crc, 8);
    if (status_.is_ok()) status_ = core::write_all(fd_, std::string_view(b, 8));
    return status_;
  }

  void set_compress(bool on) { compress_ = on; }
  uint64_t crc() const { return crc_; }

 private:
  static constexpr size_t kChunk = 64 * 1024;
  void emit(std::string_view s) {
    if (!status_.is_ok()) return;
    if (checksum_) crc_ = core::crc64(crc_, s);
    if (out_ != nullptr) out_->append(s);
    else status_ = core::write_all(fd_, s);
  }

  int fd_;
  bool checksum_;
  bool compress_ = true;
  uint64_t crc_ = 0;
  std::string* out_ = nullptr;
  std::string buf_;
  std::string scratch_;
  core::Status status_;
};

void write_aux(Writer& w, std::string_view key, std::string_view value) {
  w.byte(kOpAux);
  w.string(key);
  w.string(value);
}

// The RDB type byte the value is written with.
uint8_t value_type(const Entry* e) {
  switch (e->type()) {
    case Type::kString: return kTypeString;
    case Type::kList: return kTypeList;
    case Type::kSet: return kTypeSet;
    case Type::kHash: return kTypeHash;
    case Type::kZSet: return kTypeZSet2;
  }
  return kTypeString;
}

// The value's bytes after its type byte (and key, in a file).
void write_value(Writer& w, const Entry* e) {
  switch (e->type()) {
    case Type::kString: {
      char buf[24];
      w.string(e->string_value(buf));
      break;
    }
    case Type::kList: {
      ListValue* l = e->list();
      w.length(l->size());
      if (l->size() > 0) l->range(0, l->size() - 1, [&](std::string_view v) { w.string(v); });
      break;
    }
    case Type::kSet: {
      w.length(e->set()->size());
      e->set()->for_each([&](std::string_view m) { w.string(m); });
      break;
    }
    case Type::kHash: {
      w.length(e->hash()->size());
      e->hash()->for_each([&](std::string_view f, std::string_view v) {
        w.string(f);
        w.string(v);
      });
      break;
    }
    case Type::kZSet: {
      ZSetValue* z = e->zset();
      w.length(z->size());
      if (z->size() > 0) {
        // Highest score first, as Redis writes it (its loader appends in that order cheaply).
        z->walk(0, z->size() - 1, true, [&](std::string_view m, double s) {
          w.string(m);
          uint64_t bits;
          std::memcpy(&bits, &s, 8);
          w.u64le(bits);
          return true;
        });
      }
      break;
    }
  }
}

void write_entry(Writer& w, const Entry* e) {
  if (e->has_expire()) {
    w.byte(kOpExpireTimeMs);
    w.u64le(static_cast<uint64_t>(e->expire()));
  }
  w.byte(value_type(e));
  w.string(e->key());
  write_value(w, e);
}

// ---- reading

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  size_t pos() const { return pos_; }
  bool fail(const std::string& what) {
    if (error_.empty()) error_ = what + " at offset " + std::to_string(pos_);
    return false;
  }

  bool need(size_t n) {
    if (data_.size() - pos_ < n) return fail("unexpected end of file");
    return true;
  }
  bool byte(uint8_t* out) {
    if (!need(1)) return false;
    *out = static_cast<uint8_t>(data_[pos_++]);
    return true;
  }
  bool raw(size_t n, std::string_view* out) {
    if (!need(n)) return false;
    *out = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool u64le(uint64_t* out) {
    std::string_view s;
    if (!raw(8, &s)) return false;
    std::memcpy(out, s.data(), 8);
    return true;
  }
  bool u32le(uint32_t* out) {
    std::string_view s;
    if (!raw(4, &s)) return false;
    std::memcpy(out, s.data(), 4);
    return true;
  }

  // A length; `encoded` is set (and the value is the special type) for 11xxxxxx forms.
  bool length(uint64_t* out, bool* encoded = nullptr) {
    uint8_t b;
    if (!byte(&b)) return false;
    if (encoded) *encoded = false;
    switch (b >> 6) {
      case 0: *out = b & 0x3F; return true;
      case 1: {
        uint8_t b2;
        if (!byte(&b2)) return false;
        *out = (static_cast<uint64_t>(b & 0x3F) << 8) | b2;
        return true;
      }
      case 2: {
        std::string_view s;
        if (b == 0x80) {
          if (!raw(4, &s)) return false;
          uint64_t v = 0;
          for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(s[i]);
          *out = v;
          return true;
        }
        if (b == 0x81) {
          if (!raw(8, &s)) return false;
          uint64_t v = 0;
          for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(s[i]);
          *out = v;
          return true;
        }
        return fail("unknown length encoding");
      }
      default:
        if (encoded == nullptr) return fail("unexpected encoded length");
        *encoded = true;
        *out = b & 0x3F;
        return true;
    }
  }

  // A length used as a count of following items: sanity-checked against the bytes left (each
  // item takes at least one byte), so a corrupt count cannot make us reserve huge memory.
  bool count(uint64_t* out) {
    if (!length(out)) return false;
    if (*out > data_.size() - pos_) return fail("count larger than the file");
    return true;
  }

  bool string(std::string* out) {
    bool encoded;
    uint64_t len;
    if (!length(&len, &encoded)) return false;
    if (encoded) {
      std::string_view s;
      switch (len) {
        case 0:
          if (!raw(1, &s)) return false;
          *out = ll_to_string(static_cast<int8_t>(s[0]));
          return true;
        case 1: {
          if (!raw(2, &s)) return false;
          int16_t v;
          std::memcpy(&v, s.data(), 2);
          *out = ll_to_string(v);
          return true;
        }
        case 2: {
          if (!raw(4, &s)) return false;
          int32_t v;
          std::memcpy(&v, s.data(), 4);
          *out = ll_to_string(v);
          return true;
        }
        case 3: {
          uint64_t clen, ulen;
          if (!length(&clen) || !length(&ulen)) return false;
          if (!raw(clen, &s)) return false;
          // LZF expands at most ~132x (a 3-byte reference yields 264 bytes): reject claims beyond
          // that before allocating the output.
          if (ulen > 512ULL * 1024 * 1024 || ulen > clen * 140 + 64) return fail("bad compressed string length");
          auto plain = core::lzf_decompress(s, ulen);
          if (!plain.is_ok()) return fail(plain.status().message());
          *out = std::move(plain).value();
          return true;
        }
        default:
          return fail("unknown string encoding");
      }
    }
    std::string_view s;
    if (!raw(len, &s)) return false;
    out->assign(s);
    return true;
  }

  bool at_end() const { return pos_ >= data_.size(); }
  std::string_view data() const { return data_; }

 private:
  std::string_view data_;
  size_t pos_ = 0;
  std::string error_;
};

// Walks the elements of a ziplist blob, calling fn(element). False on malformed input.
bool parse_ziplist(std::string_view zl, const std::function<void(std::string_view)>& fn) {
  if (zl.size() < 11) return false;
  size_t p = 10;
  std::string scratch;
  while (true) {
    if (p >= zl.size()) return false;
    auto b = static_cast<uint8_t>(zl[p]);
    if (b == 0xFF) return true;
    // prevlen
    if (b < 254) p += 1;
    else p += 5;
    if (p >= zl.size()) return false;
    uint8_t enc = static_cast<uint8_t>(zl[p]);
    size_t header = 1;
    uint64_t len = 0;
    bool is_int = false;
    int64_t value = 0;
    auto need = [&](size_t n) { return p + n <= zl.size(); };
    switch (enc >> 6) {
      case 0:
        len = enc & 0x3F;
        break;
      case 1:
        if (!need(2)) return false;
        len = (static_cast<uint64_t>(enc & 0x3F) << 8) | static_cast<uint8_t>(zl[p + 1]);
        header = 2;
        break;
      case 2:
        if (!need(5)) return false;
        len = 0;
        for (int i = 1; i <= 4; ++i) len = (len << 8) | static_cast<uint8_t>(zl[p + i]);
        header = 5;
        break;
      default: {
        is_int = true;
        size_t n = 0;
        if (enc == 0xC0) n = 2;
        else if (enc == 0xD0) n = 4;
        else if (enc == 0xE0) n = 8;
        else if (enc == 0xF0) n = 3;
        else if (enc == 0xFE) n = 1;
        else if (enc >= 0xF1 && enc <= 0xFD) value = (enc & 0x0F) - 1;
        else return false;
        if (!need(1 + n)) return false;
        if (n > 0) {
          uint64_t u = 0;
          for (size_t i = 0; i < n; ++i) u |= static_cast<uint64_t>(static_cast<uint8_t>(zl[p + 1 + i])) << (8 * i);
          // Sign-extend n bytes.
          if (n < 8 && (u >> (8 * n - 1)) & 1) u |= ~0ULL << (8 * n);
          value = static_cast<int64_t>(u);
        }
        len = n;
        break;
      }
    }
    if (!is_int) {
      if (!need(header + len)) return false;
      fn(zl.substr(p + header, len));
    } else {
      scratch = ll_to_string(value);
      fn(scratch);
    }
    p += header + len;
  }
}

// Walks the elements of a listpack blob.
bool parse_listpack(std::string_view lp, const std::function<void(std::string_view)>& fn) {
  if (lp.size() < 7) return false;
  size_t p = 6;
  std::string scratch;
  auto u8 = [&](size_t i) { return static_cast<uint8_t>(lp[i]); };
  while (true) {
    if (p >= lp.size()) return false;
    uint8_t b = u8(p);
    if (b == 0xFF) return true;
    size_t entry_len;  // encoding + data
    bool is_int = false;
    int64_t value = 0;
    std::string_view str;
    auto need = [&](size_t n) { return p + n <= lp.size(); };
    auto signed_n = [&](size_t at, size_t n) {
      uint64_t u = 0;
      for (size_t i = 0; i < n; ++i) u |= static_cast<uint64_t>(u8(at + i)) << (8 * i);
      if (n < 8 && (u >> (8 * n - 1)) & 1) u |= ~0ULL << (8 * n);
      return static_cast<int64_t>(u);
    };
    if ((b & 0x80) == 0) {
      is_int = true;
      value = b & 0x7F;
      entry_len = 1;
    } else if ((b & 0xC0) == 0x80) {
      size_t len = b & 0x3F;
      if (!need(1 + len)) return false;
      str = lp.substr(p + 1, len);
      entry_len = 1 + len;
    } else if ((b & 0xE0) == 0xC0) {
      if (!need(2)) return false;
      uint64_t u = (static_cast<uint64_t>(b & 0x1F) << 8) | u8(p + 1);
      value = u >= (1u << 12) ? static_cast<int64_t>(u) - (1 << 13) : static_cast<int64_t>(u);
      is_int = true;
      entry_len = 2;
    } else if ((b & 0xF0) == 0xE0) {
      if (!need(2)) return false;
      size_t len = (static_cast<size_t>(b & 0x0F) << 8) | u8(p + 1);
      if (!need(2 + len)) return false;
      str = lp.substr(p + 2, len);
      entry_len = 2 + len;
    } else if (b == 0xF0) {
      if (!need(5)) return false;
      size_t len = 0;
      for (int i = 0; i < 4; ++i) len |= static_cast<size_t>(u8(p + 1 + i)) << (8 * i);
      if (!need(5 + len)) return false;
      str = lp.substr(p + 5, len);
      entry_len = 5 + len;
    } else {
      size_t n;
      switch (b) {
        case 0xF1: n = 2; break;
        case 0xF2: n = 3; break;
        case 0xF3: n = 4; break;
        case 0xF4: n = 8; break;
        default: return false;
      }
      if (!need(1 + n)) return false;
      value = signed_n(p + 1, n);
      is_int = true;
      entry_len = 1 + n;
    }
    size_t backlen = entry_len < 128 ? 1 : entry_len < 16384 ? 2 : entry_len < 2097152 ? 3
                   : entry_len < 268435456 ? 4 : 5;
    if (!need(entry_len + backlen)) return false;
    if (is_int) {
      scratch = ll_to_string(value);
      fn(scratch);
    } else {
      fn(str);
    }
    p += entry_len + backlen;
  }
}

// Walks an intset blob.
bool parse_intset(std::string_view is, const std::function<void(std::string_view)>& fn) {
  if (is.size() < 8) return false;
  uint32_t width, count;
  std::memcpy(&width, is.data(), 4);
  std::memcpy(&count, is.data() + 4, 4);
  if (width != 2 && width != 4 && width != 8) return false;
  if (is.size() != 8 + static_cast<size_t>(count) * width) return false;
  for (uint32_t i = 0; i < count; ++i) {
    const char* p = is.data() + 8 + static_cast<size_t>(i) * width;
    int64_t v;
    if (width == 2) {
      int16_t x;
      std::memcpy(&x, p, 2);
      v = x;
    } else if (width == 4) {
      int32_t x;
      std::memcpy(&x, p, 4);
      v = x;
    } else {
      std::memcpy(&v, p, 8);
    }
    fn(ll_to_string(v));
  }
  return true;
}

bool parse_double_text(std::string_view s, double* out) {
  if (s == "inf" || s == "+inf") {
    *out = INFINITY;
    return true;
  }
  if (s == "-inf") {
    *out = -INFINITY;
    return true;
  }
  return parse_double_strict(s, out);
}

// Reads one value of `type` into a new entry for `key`.
EntryPtr read_value(Reader& r, uint8_t type, const std::string& key, int64_t expire) {
  auto fail = [&](const std::string& what) {
    r.fail(what);
    return EntryPtr();
  };
  switch (type) {
    case kTypeString: {
      std::string v;
      if (!r.string(&v)) return nullptr;
      return make_string_entry(key, v, expire);
    }
    case kTypeList: {
      uint64_t n;
      if (!r.count(&n)) return nullptr;
      EntryPtr e = make_object_entry(key, Type::kList, expire);
      std::string v;
      for (uint64_t i = 0; i < n; ++i) {
        if (!r.string(&v)) return nullptr;
        e->list()->push(false, v);
      }
      return e;
    }
    case kTypeSet: {
      uint64_t n;
      if (!r.count(&n)) return nullptr;
      EntryPtr e = make_object_entry(key, Type::kSet, expire);
      std::string v;
      for (uint64_t i = 0; i < n; ++i) {
        if (!r.string(&v)) return nullptr;
        e->set()->add(v);
      }
      return e;
    }
    case kTypeZSet:
    case kTypeZSet2: {
      uint64_t n;
      if (!r.count(&n)) return nullptr;
      EntryPtr e = make_object_entry(key, Type::kZSet, expire);
      std::string m;
      for (uint64_t i = 0; i < n; ++i) {
        if (!r.string(&m)) return nullptr;
        double score;
        if (type == kTypeZSet2) {
          uint64_t bits;
          if (!r.u64le(&bits)) return nullptr;
          std::memcpy(&score, &bits, 8);
        } else {
          uint8_t len;
          if (!r.byte(&len)) return nullptr;
          if (len == 253) score = NAN;
          else if (len == 254) score = INFINITY;
          else if (len == 255) score = -INFINITY;
          else {
            std::string_view s;
            if (!r.raw(len, &s) || !parse_double_text(s, &score)) return fail("bad zset score");
          }
        }
        if (std::isnan(score)) return fail("zset score is NaN");
        e->zset()->set(m, score);
      }
      return e;
    }
    case kTypeHash: {
      uint64_t n;
      if (!r.count(&n)) return nullptr;
      EntryPtr e = make_object_entry(key, Type::kHash, expire);
      std::string f, v;
      for (uint64_t i = 0; i < n; ++i) {
        if (!r.string(&f) || !r.string(&v)) return nullptr;
        e->hash()->set(f, v);
      }
      return e;
    }
    case kTypeListZiplist:
    case kTypeSetIntset:
    case kTypeZSetZiplist:
    case kTypeHashZiplist:
    case kTypeHashListpack:
    case kTypeZSetListpack:
    case kTypeSetListpack: {
      std::string blob;
      if (!r.string(&blob)) return nullptr;
      std::vector<std::string> items;
      auto collect = [&](std::string_view s) { items.emplace_back(s); };
      bool ok;
      if (type == kTypeSetIntset) ok = parse_intset(blob, collect);
      else if (type == kTypeHashListpack || type == kTypeZSetListpack || type == kTypeSetListpack)
        ok = parse_listpack(blob, collect);
      else ok = parse_ziplist(blob, collect);
      if (!ok) return fail("corrupt compact encoding");
      if (type == kTypeListZiplist) {
        EntryPtr e = make_object_entry(key, Type::kList, expire);
        for (const auto& s : items) e->list()->push(false, s);
        return e;
      }
      if (type == kTypeSetIntset || type == kTypeSetListpack) {
        EntryPtr e = make_object_entry(key, Type::kSet, expire);
        for (const auto& s : items) e->set()->add(s);
        return e;
      }
      if (items.size() % 2 != 0) return fail("odd number of elements in a pair encoding");
      if (type == kTypeHashZiplist || type == kTypeHashListpack) {
        EntryPtr e = make_object_entry(key, Type::kHash, expire);
        for (size_t i = 0; i < items.size(); i += 2) e->hash()->set(items[i], items[i + 1]);
        return e;
      }
      EntryPtr e = make_object_entry(key, Type::kZSet, expire);
      for (size_t i = 0; i < items.size(); i += 2) {
        double score;
        if (!parse_double_text(items[i + 1], &score)) return fail("bad zset score");
        e->zset()->set(items[i], score);
      }
      return e;
    }
    case kTypeListQuicklist:
    case kTypeListQuicklist2: {
      uint64_t nodes;
      if (!r.count(&nodes)) return nullptr;
      EntryPtr e = make_object_entry(key, Type::kList, expire);
      for (uint64_t i = 0; i < nodes; ++i) {
        uint64_t container = 2;
        if (type == kTypeListQuicklist2 && !r.length(&container)) return nullptr;
        std::string blob;
        if (!r.string(&blob)) return nullptr;
        if (container == 1) {  // PLAIN: one large element
          e->list()->push(false, blob);
          continue;
        }
        auto push = [&](std::string_view s) { e->list()->push(false, s); };
        bool ok = type == kTypeListQuicklist ? parse_ziplist(blob, push) : parse_listpack(blob, push);
        if (!ok) return fail("corrupt quicklist node");
      }
      return e;
    }
    case kTypeStreamListpacks:
    case kTypeStreamListpacks2:
    case kTypeStreamListpacks3:
      return fail("streams are not supported by sfs kv (key '" + key + "')");
    case kTypeModule:
    case kTypeModule2:
      return fail("module types are not supported by sfs kv (key '" + key + "')");
    case kTypeHashZipmap:
      return fail("zipmap-encoded hashes (Redis 2.x) are not supported");
    default:
      return fail("unknown value type " + std::to_string(type));
  }
}

bool is_empty_value(const Entry* e) {
  switch (e->type()) {
    case Type::kString: return false;
    case Type::kList: return e->list()->size() == 0;
    case Type::kSet: return e->set()->size() == 0;
    case Type::kHash: return e->hash()->size() == 0;
    case Type::kZSet: return e->zset()->size() == 0;
  }
  return false;
}

}  // namespace

core::Status rdb_write(const Databases& dbs, int fd, bool compress, bool checksum, bool aof_base) {
  Writer w(fd, checksum);
  w.set_compress(compress);
  char magic[10];
  std::snprintf(magic, sizeof(magic), "REDIS%04d", kWriteVersion);
  w.bytes(std::string_view(magic, 9));
  write_aux(w, "redis-ver", "7.0.15");
  write_aux(w, "redis-bits", "64");
  write_aux(w, "ctime", ll_to_string(now_ms() / 1000));
  write_aux(w, "used-mem", "0");
  write_aux(w, "aof-base", aof_base ? "1" : "0");
  for (const auto& db : dbs) {
    if (db->size() == 0) continue;
    w.byte(kOpSelectDb);
    w.length(static_cast<uint64_t>(db->id()));
    w.byte(kOpResizeDb);
    w.length(db->size());
    w.length(db->expires());
    db->map().for_each([&](Entry* e) { write_entry(w, e); });
  }
  return w.finish();
}

core::Status rdb_save_file(const Databases& dbs, const std::string& path, bool compress,
                           bool checksum, std::string temp) {
  if (temp.empty()) temp = "temp-" + std::to_string(::getpid()) + ".rdb";
  SFS_ASSIGN_OR_RETURN(core::Fd fd, core::open_file(temp, O_WRONLY | O_CREAT | O_TRUNC));
  core::Status s = rdb_write(dbs, fd.get(), compress, checksum);
  if (s.is_ok() && ::fsync(fd.get()) != 0) s = core::Status::io_error("fsync " + temp, errno);
  fd.reset();
  if (s.is_ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    s = core::Status::io_error("rename " + temp + " to " + path, errno);
  }
  if (!s.is_ok()) {
    ::unlink(temp.c_str());
    return s.with_context("writing the RDB snapshot");
  }
  return core::sync_parent_directory(path);
}

core::Status rdb_load(Databases& dbs, std::string_view data, bool aof_preamble) {
  Reader r(data);
  std::string_view magic;
  if (!r.raw(9, &magic) || magic.substr(0, 5) != "REDIS") {
    return core::Status::corruption("not an RDB file (bad magic)");
  }
  int version = 0;
  for (char ch : magic.substr(5)) {
    if (ch < '0' || ch > '9') return core::Status::corruption("bad RDB version");
    version = version * 10 + (ch - '0');
  }
  if (version < 1 || version > kMaxReadVersion) {
    return core::Status::unsupported("can't handle RDB format version " + std::to_string(version));
  }
  Database* db = dbs.empty() ? nullptr : dbs[0].get();
  int64_t expire = -1;
  int64_t now = now_ms();
  size_t loaded = 0, skipped = 0;
  while (true) {
    uint8_t type;
    if (!r.byte(&type)) break;
    if (type == kOpExpireTimeMs) {
      uint64_t ms;
      if (!r.u64le(&ms)) break;
      expire = static_cast<int64_t>(ms);
      continue;
    }
    if (type == kOpExpireTime) {
      uint32_t s;
      if (!r.u32le(&s)) break;
      expire = static_cast<int64_t>(s) * 1000;
      continue;
    }
    if (type == kOpFreq) {
      uint8_t f;
      if (!r.byte(&f)) break;
      continue;
    }
    if (type == kOpIdle) {
      uint64_t idle;
      if (!r.length(&idle)) break;
      continue;
    }
    if (type == kOpEof) {
      if (version >= 5) {
        uint64_t expected;
        size_t body = r.pos();
        if (!r.u64le(&expected)) break;
        if (expected != 0) {
          uint64_t actual = core::crc64(0, data.substr(0, body));
          if (actual != expected) {
            return core::Status::corruption("wrong RDB checksum (expected " +
                                            std::to_string(expected) + ", got " +
                                            std::to_string(actual) + ")");
          }
        }
      }
      if (skipped > 0) SFS_LOG_INFO("RDB: ", skipped, " expired keys skipped");
      (void)loaded;
      return core::Status::ok();
    }
    if (type == kOpSelectDb) {
      uint64_t index;
      if (!r.length(&index)) break;
      if (index >= dbs.size()) {
        return core::Status::corruption("RDB selects database " + std::to_string(index) +
                                        " but only " + std::to_string(dbs.size()) + " are configured");
      }
      db = dbs[index].get();
      continue;
    }
    if (type == kOpResizeDb) {
      uint64_t size, expires;
      if (!r.length(&size) || !r.length(&expires)) break;
      // A hint only: bounded by what the rest of the file could hold (a key takes > 2 bytes),
      // so a corrupt count cannot make us allocate a huge table.
      uint64_t plausible = (data.size() - r.pos()) / 2;
      if (db != nullptr) db->reserve(static_cast<size_t>(std::min(size, plausible)));
      continue;
    }
    if (type == kOpAux) {
      std::string key, value;
      if (!r.string(&key) || !r.string(&value)) break;
      if (key == "redis-ver") SFS_LOG_DEBUG("RDB written by Redis version ", value);
      continue;
    }
    if (type == kOpFunction2 || type == kOpFunctionPreGa) {
      std::string code;
      if (!r.string(&code)) break;
      SFS_LOG_WARN("RDB contains a function library; sfs kv has no scripting and skips it");
      continue;
    }
    if (type == kOpModuleAux) {
      return core::Status::unsupported("RDB contains module data, which sfs kv does not support");
    }
    std::string key;
    if (!r.string(&key)) break;
    EntryPtr e = read_value(r, type, key, expire);
    if (!r.ok()) break;
    bool expired = expire >= 0 && expire < now && !aof_preamble;
    expire = -1;
    if (db == nullptr) return core::Status::corruption("RDB has a key before any database");
    if (expired || is_empty_value(e.get())) {
      ++skipped;
      continue;
    }
    db->put(std::move(e));
    ++loaded;
  }
  if (!r.ok()) return core::Status::corruption("RDB: " + r.error());
  return core::Status::corruption("RDB: unexpected end of file (no EOF marker)");
}

core::Status rdb_load_file(Databases& dbs, const std::string& path) {
  SFS_ASSIGN_OR_RETURN(std::string data, core::read_file(path));
  return rdb_load(dbs, data).with_context("loading " + path);
}

std::string rdb_dump(const Entry* e) {
  std::string out;
  Writer w(&out);
  w.byte(value_type(e));
  write_value(w, e);
  char version[2] = {static_cast<char>(kWriteVersion & 0xff), static_cast<char>(kWriteVersion >> 8)};
  w.bytes(std::string_view(version, 2));
  w.flush();
  uint64_t crc = w.crc();
  char b[8];
  std::memcpy(b, &crc, 8);
  out.append(b, 8);
  return out;
}

bool rdb_dump_payload_valid(std::string_view payload) {
  if (payload.size() < 10) return false;
  std::string_view footer = payload.substr(payload.size() - 10);
  int version = static_cast<unsigned char>(footer[0]) | (static_cast<unsigned char>(footer[1]) << 8);
  if (version > kMaxReadVersion) return false;
  uint64_t expected;
  std::memcpy(&expected, footer.data() + 2, 8);
  return core::crc64(0, payload.substr(0, payload.size() - 8)) == expected;
}

core::Result<EntryPtr> rdb_restore(std::string_view payload, std::string_view key) {
  Reader r(payload.substr(0, payload.size() - 10));
  uint8_t type;
  if (!r.byte(&type)) return core::Status::corruption("empty DUMP payload");
  EntryPtr e = read_value(r, type, std::string(key), -1);
  if (!r.ok() || e == nullptr) return core::Status::corruption("DUMP payload: " + r.error());
  if (is_empty_value(e.get())) return core::Status::corruption("DUMP payload holds an empty value");
  return e;
}

}  // namespace sfs::kv
