// Buffer: see buffer.h for the layout.
#include "core/buffer.h"

#include <algorithm>

namespace sfs::core {

void Buffer::make_room(size_t n) {
  size_t readable = size();
  if (begin_ > 0 && readable + n <= capacity_) {
    // Sliding the readable bytes to the front frees enough space.
    std::memmove(storage_.get(), storage_.get() + begin_, readable);
  } else {
    size_t new_capacity = std::max<size_t>({capacity_ * 2, readable + n, 256});
    auto bigger = std::make_unique_for_overwrite<char[]>(new_capacity);
    if (readable > 0) std::memcpy(bigger.get(), storage_.get() + begin_, readable);
    storage_ = std::move(bigger);
    capacity_ = new_capacity;
  }
  begin_ = 0;
  end_ = readable;
}

void Buffer::shrink_if_idle(size_t keep) {
  if (empty() && capacity_ > keep) {
    storage_.reset();
    capacity_ = begin_ = end_ = 0;
  }
}

}  // namespace sfs::core
