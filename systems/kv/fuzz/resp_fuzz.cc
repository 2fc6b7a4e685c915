// libFuzzer harness for the request parser: arbitrary bytes, fed whole and then in random-sized
// pieces (the incremental path), must give requests or a protocol error — never a crash, a hang,
// an out-of-bounds read, or a different result depending on how the bytes were split.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "systems/kv/resp.h"

namespace {

using sfs::kv::RespParser;

// Parses all requests in `input`, delivered in chunks of the given sizes; returns a transcript.
std::string transcript(const std::string& input, const std::vector<size_t>& chunks) {
  RespParser parser;
  std::string buffer;
  std::string out;
  size_t fed = 0;
  size_t next_chunk = 0;
  while (true) {
    auto r = parser.parse(buffer);
    if (r == RespParser::Result::kError) {
      out += "E:" + parser.error() + "\n";
      return out;
    }
    if (r == RespParser::Result::kDone) {
      out += "R";
      for (auto a : parser.args()) out += ":" + std::string(a);
      out += "\n";
      buffer.erase(0, parser.consumed());
      parser.reset();
      continue;
    }
    if (fed >= input.size()) return out;
    size_t n = chunks.empty() ? input.size() : chunks[next_chunk++ % chunks.size()];
    if (n == 0) n = 1;
    buffer.append(input, fed, n);
    fed += std::min(n, input.size() - fed);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 16) return 0;
  std::string input(reinterpret_cast<const char*>(data), size);
  std::string whole = transcript(input, {});
  std::vector<size_t> chunks;
  for (size_t i = 0; i < 8 && i < size; ++i) chunks.push_back(1 + data[i] % 7);
  std::string pieces = transcript(input, chunks);
  // Splitting may only change how far an unfinished request got, never the parsed requests.
  if (pieces.compare(0, whole.size(), whole) != 0 && whole.compare(0, pieces.size(), pieces) != 0) {
    __builtin_trap();
  }
  std::vector<std::string> args;
  sfs::kv::split_args(input, &args);
  return 0;
}
