// libFuzzer harness for the WebSocket frame parser: frames are parsed back to back; every frame it
// accepts must re-encode to a frame it parses to the same thing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "systems/http/websocket_frame.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sfs::http::ws;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  FrameParser parser(true, 1 << 16);
  while (!input.empty()) {
    Frame frame;
    size_t used = 0;
    auto result = parser.parse(input, &used, &frame);
    if (result != FrameParser::Result::kFrame) break;
    if (used == 0 || used > input.size()) std::abort();
    input.remove_prefix(used);
    static const uint8_t kMask[4] = {1, 2, 3, 4};
    std::string again;
    encode_frame(&again, frame.opcode, frame.payload, frame.fin, kMask);
    FrameParser check(true, 1 << 16);
    Frame copy;
    size_t used_again = 0;
    if (check.parse(again, &used_again, &copy) != FrameParser::Result::kFrame) std::abort();
    if (copy.payload != frame.payload || copy.opcode != frame.opcode || copy.fin != frame.fin) std::abort();
  }
  return 0;
}
