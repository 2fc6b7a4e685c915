// libFuzzer harness for the HTTP request parser. The input is split into pieces (sizes taken from
// the first byte) to exercise incremental parsing, and parsed as a pipeline of messages. It checks
// the parser's contract: it never consumes more than it was given, never loops without progress,
// and gives the same verdict whether the bytes arrive at once or in pieces.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "systems/http/parser.h"

namespace {

using sfs::http::Limits;
using sfs::http::MessageParser;

struct Outcome {
  std::vector<std::string> summary;  // one entry per message: method/path/body size or error
};

Outcome run(std::string_view input, size_t step) {
  Limits limits;
  limits.max_request_line = 512;
  limits.max_header_bytes = 2048;
  limits.max_header_count = 32;
  limits.max_body = 4096;
  MessageParser parser(MessageParser::Kind::kRequest, limits);
  Outcome outcome;
  std::string buffer;
  size_t fed = 0;
  int stalls = 0;
  while (true) {
    size_t used = 0;
    auto result = parser.parse(buffer, &used);
    if (used > buffer.size()) std::abort();
    buffer.erase(0, used);
    if (result == MessageParser::Result::kError) {
      if (parser.error_status() < 400 || parser.error_status() > 505) std::abort();
      outcome.summary.push_back("error " + std::to_string(parser.error_status()));
      return outcome;
    }
    if (result == MessageParser::Result::kComplete) {
      const auto& r = parser.request();
      if (r.version != 10 && r.version != 11) std::abort();
      outcome.summary.push_back(r.method + " " + r.path + " " + std::to_string(r.body.size()));
      parser.reset();
      stalls = 0;
      continue;
    }
    if (result == MessageParser::Result::kHeadComplete) {
      if (++stalls > 2) std::abort();  // a head is reported once per message
      continue;
    }
    if (fed >= input.size()) return outcome;
    size_t n = std::min(step, input.size() - fed);
    buffer.append(input.substr(fed, n));
    fed += n;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t step = (data[0] % 16) + 1;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  Outcome whole = run(input, input.size() + 1);
  Outcome pieces = run(input, step);
  if (whole.summary != pieces.summary) std::abort();
  return 0;
}
