// PackedList and IntSet: see packed.h for the byte layouts.
//
// The blocks are managed with malloc/realloc/free: growing in place with realloc is the whole
// point of a packed encoding, and these two classes are the sole owners of their block (RAII).
#include "systems/kv/packed.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace sfs::kv {
namespace {

size_t varint_size(size_t v) {
  size_t n = 1;
  while (v >= 128) {
    v >>= 7;
    ++n;
  }
  return n;
}

size_t write_varint(char* p, size_t v) {
  size_t n = 0;
  while (v >= 128) {
    p[n++] = static_cast<char>((v & 127) | 128);
    v >>= 7;
  }
  p[n++] = static_cast<char>(v);
  return n;
}

// Decodes the varint at p; stores the value, returns its size.
size_t read_varint(const char* p, size_t* value) {
  size_t v = 0;
  size_t shift = 0;
  size_t n = 0;
  while (true) {
    auto byte = static_cast<unsigned char>(p[n++]);
    v |= static_cast<size_t>(byte & 127) << shift;
    if (!(byte & 128)) break;
    shift += 7;
  }
  *value = v;
  return n;
}

char* checked_realloc(char* p, size_t n) {
  void* q = std::realloc(p, n);
  if (q == nullptr) throw std::bad_alloc();
  return static_cast<char*>(q);
}

}  // namespace

PackedList::~PackedList() { std::free(data_); }

PackedList& PackedList::operator=(PackedList&& other) noexcept {
  if (this != &other) {
    std::free(data_);
    data_ = other.data_;
    other.data_ = nullptr;
  }
  return *this;
}

uint32_t PackedList::header(size_t offset) const {
  uint32_t v;
  std::memcpy(&v, data_ + offset, 4);
  return v;
}

void PackedList::set_header(size_t offset, uint32_t value) { std::memcpy(data_ + offset, &value, 4); }

std::string_view PackedList::get(size_t pos) const {
  size_t len;
  size_t n = read_varint(data_ + pos, &len);
  return std::string_view(data_ + pos + n, len);
}

size_t PackedList::next(size_t pos) const {
  size_t len;
  size_t n = read_varint(data_ + pos, &len);
  return pos + n + len;
}

size_t PackedList::at(size_t index) const {
  if (index >= count()) return end();
  size_t pos = begin();
  while (index-- > 0) pos = next(pos);
  return pos;
}

size_t PackedList::find(std::string_view value, size_t from, size_t step) const {
  size_t stop = end();
  size_t pos = from;
  while (pos < stop) {
    size_t len;
    size_t n = read_varint(data_ + pos, &len);
    if (len == value.size() && std::memcmp(data_ + pos + n, value.data(), len) == 0) return pos;
    pos += n + len;
    for (size_t k = 1; k < step && pos < stop; ++k) pos = next(pos);
  }
  return stop;
}

void PackedList::reserve_more(size_t grow) {
  size_t used = data_ ? header(0) : kHeader;
  bool fresh = data_ == nullptr;
  data_ = checked_realloc(data_, used + grow);
  if (fresh) {
    set_header(0, kHeader);
    set_header(4, 0);
  }
}

size_t PackedList::insert(size_t pos, std::string_view value) {
  size_t need = varint_size(value.size()) + value.size();
  reserve_more(need);
  size_t used = header(0);
  std::memmove(data_ + pos + need, data_ + pos, used - pos);
  size_t n = write_varint(data_ + pos, value.size());
  if (!value.empty()) std::memcpy(data_ + pos + n, value.data(), value.size());
  set_header(0, static_cast<uint32_t>(used + need));
  set_header(4, header(4) + 1);
  return pos;
}

size_t PackedList::erase(size_t pos, size_t n) {
  size_t stop = pos;
  size_t removed = 0;
  size_t limit = end();
  while (removed < n && stop < limit) {
    stop = next(stop);
    ++removed;
  }
  size_t used = header(0);
  std::memmove(data_ + pos, data_ + stop, used - stop);
  set_header(0, static_cast<uint32_t>(used - (stop - pos)));
  set_header(4, static_cast<uint32_t>(header(4) - removed));
  if (header(4) == 0) clear();
  return pos;
}

size_t PackedList::replace(size_t pos, std::string_view value) {
  size_t old_end = next(pos);
  size_t old_size = old_end - pos;
  size_t new_size = varint_size(value.size()) + value.size();
  size_t used = header(0);
  if (new_size > old_size) reserve_more(new_size - old_size);
  std::memmove(data_ + pos + new_size, data_ + old_end, used - old_end);
  size_t n = write_varint(data_ + pos, value.size());
  if (!value.empty()) std::memcpy(data_ + pos + n, value.data(), value.size());
  set_header(0, static_cast<uint32_t>(used - old_size + new_size));
  if (new_size < old_size) data_ = checked_realloc(data_, used - old_size + new_size);
  return pos;
}

void PackedList::clear() {
  std::free(data_);
  data_ = nullptr;
}

IntSet::~IntSet() { std::free(data_); }

IntSet& IntSet::operator=(IntSet&& other) noexcept {
  if (this != &other) {
    std::free(data_);
    data_ = other.data_;
    other.data_ = nullptr;
  }
  return *this;
}

uint32_t IntSet::size() const {
  if (!data_) return 0;
  uint32_t n;
  std::memcpy(&n, data_, 4);
  return n;
}

int64_t IntSet::at(size_t index) const {
  int64_t v;
  std::memcpy(&v, data_ + 8 + index * 8, 8);
  return v;
}

size_t IntSet::lower_bound(int64_t value) const {
  size_t lo = 0, hi = size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (at(mid) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

bool IntSet::contains(int64_t value) const {
  size_t i = lower_bound(value);
  return i < size() && at(i) == value;
}

bool IntSet::add(int64_t value) {
  size_t i = lower_bound(value);
  uint32_t n = size();
  if (i < n && at(i) == value) return false;
  data_ = checked_realloc(data_, 8 + (n + 1) * 8);
  std::memmove(data_ + 8 + (i + 1) * 8, data_ + 8 + i * 8, (n - i) * 8);
  std::memcpy(data_ + 8 + i * 8, &value, 8);
  ++n;
  std::memcpy(data_, &n, 4);
  return true;
}

bool IntSet::remove(int64_t value) {
  size_t i = lower_bound(value);
  uint32_t n = size();
  if (i >= n || at(i) != value) return false;
  std::memmove(data_ + 8 + i * 8, data_ + 8 + (i + 1) * 8, (n - i - 1) * 8);
  --n;
  if (n == 0) {
    std::free(data_);
    data_ = nullptr;
    return true;
  }
  std::memcpy(data_, &n, 4);
  return true;
}

}  // namespace sfs::kv
