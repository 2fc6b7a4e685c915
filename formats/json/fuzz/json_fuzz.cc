// libFuzzer harness for formats/json: parse anything; whatever parses must write out and parse
// back to an equal value, and writing that again must give the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "formats/json/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  sfs::core::Result<sfs::json::Value> value = sfs::json::parse(text);
  if (!value.is_ok()) return 0;
  for (int indent : {0, 2}) {
    sfs::json::WriteOptions options;
    options.indent = indent;
    options.ascii_only = indent == 2;
    std::string written = sfs::json::write(*value, options);
    sfs::core::Result<sfs::json::Value> again = sfs::json::parse(written);
    if (!again.is_ok() || !(*again == *value)) std::abort();
    if (sfs::json::write(*again, options) != written) std::abort();
  }
  return 0;
}
