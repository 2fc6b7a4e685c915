// Buffer: a growable byte queue for network and file I/O — append at the back, consume from the
// front, both cheap.
//
//   storage_: [ consumed | readable bytes         | free space      ]
//             0          begin_                   end_              capacity_
//
// consume() only moves begin_ (O(1)); when the readable part becomes empty both offsets go back to
// 0. prepare(n) guarantees n free bytes after end_: it first slides the readable bytes to the
// front if that makes room (one memmove, amortised by the reads that emptied the front), and only
// otherwise doubles the storage. read()-style callers write straight into prepare()'s pointer and
// then commit() what they got, so socket data is copied once. Storage is left uninitialised
// (unlike std::vector::resize), which matters for 64 KiB reads.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace sfs::core {

class Buffer {
 public:
  Buffer() = default;
  Buffer(Buffer&&) noexcept = default;
  Buffer& operator=(Buffer&&) noexcept = default;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  // The readable bytes.
  const char* data() const { return storage_.get() + begin_; }
  size_t size() const { return end_ - begin_; }
  bool empty() const { return begin_ == end_; }
  std::string_view view() const { return {data(), size()}; }
  // Bytes allocated (readable, consumed and free), for memory accounting.
  size_t capacity() const { return capacity_; }

  void append(std::string_view bytes) { append(bytes.data(), bytes.size()); }
  void append(const char* bytes, size_t n) {
    if (n == 0) return;
    std::memcpy(prepare(n), bytes, n);
    end_ += n;
  }
  void push_back(char c) {
    *prepare(1) = c;
    ++end_;
  }

  // Drops the first n readable bytes. REQUIRES: n <= size().
  void consume(size_t n) {
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
  }
  void clear() { begin_ = end_ = 0; }

  // Returns space for at least n more bytes after the readable ones; write into it, then commit()
  // how many were written. The pointer is valid until the next non-const call.
  char* prepare(size_t n) {
    if (capacity_ - end_ < n) make_room(n);
    return storage_.get() + end_;
  }
  // Makes the first n prepared bytes readable. REQUIRES: n <= the n given to prepare().
  void commit(size_t n) { end_ += n; }

  // Releases the storage if it is larger than `keep` bytes and nothing is readable, so an idle
  // connection that once received a burst does not hold the memory forever.
  void shrink_if_idle(size_t keep);

  std::string to_string() const { return std::string(view()); }

 private:
  void make_room(size_t n);

  std::unique_ptr<char[]> storage_;
  size_t capacity_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace sfs::core
