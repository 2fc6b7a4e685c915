// RDB snapshots in Redis's own format (the byte layout is documented in FILE_FORMAT.md).
//
// Writing uses the plain, long-lived encodings every Redis since 2.x reads — strings (integer
// and LZF-compressed forms included), type 1 lists, type 2 sets, type 4 hashes and type 5 sorted
// sets with binary scores — under the version-9 header, so a snapshot loads into Redis 5, 6 and 7.
//
// Reading understands what Redis 7 writes and older versions wrote: the compact encodings
// (ziplist, listpack, intset, quicklist and quicklist 2 containers), aux fields, RESIZEDB, both
// expire opcodes, LRU/LFU hints (skipped), function libraries (skipped with a warning). Streams
// and module types are reported as unsupported. The CRC-64 at the end is verified.
//
// Every read is bounds-checked: a truncated or corrupt file is an error with the byte offset,
// never a crash (the fuzz harness feeds it arbitrary bytes).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "systems/kv/keyspace.h"

namespace sfs::kv {

using Databases = std::vector<std::unique_ptr<Database>>;

// Serialises every database to `fd` (a complete RDB file).
core::Status rdb_write(const Databases& dbs, int fd, bool compress = true, bool checksum = true,
                       bool aof_base = false);

// Writes `path` atomically: to `temp` (default "temp-<pid>.rdb"), fsync, rename, fsync the dir.
core::Status rdb_save_file(const Databases& dbs, const std::string& path, bool compress = true,
                           bool checksum = true, std::string temp = "");

// Loads an RDB image into `dbs` (added to what is there). `aof_preamble`: keep keys whose
// deadline has passed (the AOF that follows may still touch them), as Redis does.
core::Status rdb_load(Databases& dbs, std::string_view data, bool aof_preamble = false);
core::Status rdb_load_file(Databases& dbs, const std::string& path);

// DUMP / RESTORE payloads, Redis's layout: the value's RDB type byte and encoding, the RDB
// version (2 bytes, little endian), then the CRC-64 of all that (8 bytes, little endian).
std::string rdb_dump(const Entry* e);
// True when the payload's version is one we read and its checksum matches.
bool rdb_dump_payload_valid(std::string_view payload);
// The value of a valid payload as a new entry for `key` (no deadline). REQUIRES: valid.
core::Result<EntryPtr> rdb_restore(std::string_view payload, std::string_view key);

}  // namespace sfs::kv
