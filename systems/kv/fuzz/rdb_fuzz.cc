// libFuzzer harness for the RDB loader: arbitrary bytes (usually mutations of real snapshots)
// must load or fail with a Status — never crash, read out of bounds or allocate without bound.
// The checksum is left at zero in the seeds so mutations are not rejected by the CRC alone. The
// same bytes are also read as a DUMP payload (RESTORE), skipping its checksum for the same reason.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "systems/kv/rdb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 20) return 0;
  sfs::kv::Databases dbs;
  for (int i = 0; i < 16; ++i) dbs.push_back(std::make_unique<sfs::kv::Database>(i));
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)sfs::kv::rdb_load(dbs, bytes, true);
  if (size >= 10) (void)sfs::kv::rdb_restore(bytes, "key");
  return 0;
}
