// LineReader: pulls IRC lines out of a connection's input buffer, incrementally, and drops the
// lines that are too long (the whole line, even when it arrives in several reads).
//
//   while (auto r = reader.next(input.view(), &line, &consumed); r != LineReader::kNeedMore) {
//     if (r == LineReader::kLine) handle(line);   // `line` points into `input`
//     else reply_417();
//     input.consume(consumed);
//   }
#pragma once

#include <string_view>

#include "systems/chat/chat.h"

namespace sfs::chat {

class LineReader {
 public:
  enum Result { kLine, kNeedMore, kTooLong };

  explicit LineReader(size_t max_length) : max_length_(max_length) {}

  // kLine: `line` is the next line (terminator stripped). kTooLong: a line over the limit began
  // (reported once per line; its remaining bytes are dropped silently as they come). In both
  // cases the caller consumes `consumed` bytes. kNeedMore: nothing to do until more bytes arrive.
  Result next(std::string_view input, std::string_view* line, size_t* consumed) {
    *consumed = 0;
    *line = std::string_view();
    if (discarding_) {
      size_t end = input.find_first_of("\r\n");
      if (end == std::string_view::npos) {
        *consumed = input.size();
        return input.empty() ? kNeedMore : skip_result();
      }
      discarding_ = false;
      *consumed = end + 1;
      if (input[end] == '\r' && end + 1 < input.size() && input[end + 1] == '\n') ++*consumed;
      return skip_result();
    }
    switch (next_line(input, max_length_, line, consumed)) {
      case LineResult::kLine:
        return kLine;
      case LineResult::kNeedMore:
        return kNeedMore;
      case LineResult::kTooLong: {
        char last = input[*consumed - 1];
        discarding_ = !(last == '\n' || last == '\r');
        return kTooLong;
      }
    }
    return kNeedMore;
  }

 private:
  // Dropping the tail of an overlong line: consume it, and report kLine with an empty line
  // (empty lines are ignored by every reader), so the caller's loop simply continues.
  Result skip_result() { return kLine; }

  size_t max_length_;
  bool discarding_ = false;
};

}  // namespace sfs::chat
