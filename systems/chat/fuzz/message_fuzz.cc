// libFuzzer harness for the IRC message parser, formatter and line splitter: any bytes must
// parse or fail cleanly, and a parsed message must survive format -> parse unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "systems/chat/chat.h"
#include "systems/chat/line_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  sfs::chat::LineReader reader(sfs::chat::kMaxLineLength - 2);
  std::string_view line;
  size_t consumed = 0;
  while (!input.empty()) {
    auto result = reader.next(input, &line, &consumed);
    if (result == sfs::chat::LineReader::kNeedMore) {
      line = input;  // the unterminated tail is parsed too
      consumed = input.size();
    }
    if (consumed == 0 || consumed > input.size()) std::abort();
    auto parsed = sfs::chat::parse_message(line);
    if (parsed.is_ok()) {
      const sfs::chat::IrcMessage& message = *parsed;
      if (message.command.empty() || message.params.size() > 15) std::abort();
      std::string wire = sfs::chat::format_message(message);
      if (wire.size() < 2 || wire.substr(wire.size() - 2) != "\r\n") std::abort();
      if (wire.find_first_of("\r\n") != wire.size() - 2) std::abort();
      auto again = sfs::chat::parse_message(wire);
      if (!again.is_ok()) std::abort();
      // Round trip: the formatter's output parses to the same message, except that middle
      // parameters lose leading ':' and spaces (which they cannot hold on the wire).
      if (again->command != message.command || again->prefix != message.prefix ||
          again->params.size() != message.params.size()) {
        std::abort();
      }
      if (!message.params.empty() && again->params.back() != message.params.back()) std::abort();
    }
    input.remove_prefix(consumed);
  }
  (void)sfs::chat::irc_lower(std::string_view(reinterpret_cast<const char*>(data), size));
  (void)sfs::chat::is_valid_nick(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
