// libFuzzer harness for the RDB loader: arbitrary bytes (usually mutations of real snapshots)
// must load or fail with a Status — never crash, read out of bounds or allocate without bound.
// The checksum is left at zero in the seeds so mutations are not rejected by the CRC alone.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "systems/kv/rdb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 20) return 0;
  sfs::kv::Databases dbs;
  for (int i = 0; i < 16; ++i) dbs.push_back(std::make_unique<sfs::kv::Database>(i));
  (void)sfs::kv::rdb_load(dbs, std::string_view(reinterpret_cast<const char*>(data), size), true);
  return 0;
}
