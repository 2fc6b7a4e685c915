// libFuzzer harness for the database file reader: a corrupt file must produce errors, never a
// crash, a hang or a read outside a page.
//
// Input: either a whole database image (it starts with the file magic), or a list of patches —
// (offset: 2 bytes, value: 1 byte) triples — applied to a small valid database built in memory
// on first use. Patches keep the seed corpus tiny while reaching deep into B-tree pages.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "systems/sql/database.h"
#include "systems/sql/os.h"
#include "systems/sql/sql.h"

namespace {

std::string base_image() {
  static const std::string image = [] {
    auto memory = std::make_unique<sfs::sql::MemFile>();
    auto* raw = memory.get();
    auto opened = sfs::sql::Pager::open_files(std::move(memory), std::make_unique<sfs::sql::MemFile>(),
                                              sfs::sql::PagerOptions(), true);
    if (!opened.is_ok()) return std::string();
    auto connection = sfs::sql::Connection::open_pager(std::move(*opened));
    if (!connection.is_ok()) return std::string();
    auto db = sfs::sql::Database::adopt(std::move(*connection));
    std::string sql =
        "PRAGMA wal_autocheckpoint = 1;"
        "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB);"
        "CREATE INDEX t_name ON t(name); CREATE UNIQUE INDEX t_score ON t(score DESC, id);"
        "CREATE VIEW v AS SELECT name FROM t WHERE score > 1;"
        "CREATE TRIGGER tr AFTER DELETE ON t BEGIN SELECT 1; END;";
    for (int i = 0; i < 60; ++i) {
      sql += "INSERT INTO t VALUES(" + std::to_string(i) + ", 'name " + std::to_string(i * 7919 % 100) +
             "', " + std::to_string(i * 0.5) + ", " + (i % 20 == 0 ? "zeroblob(5000)" : "NULL") + ");";
    }
    sql += "DELETE FROM t WHERE id % 9 = 0;";
    if (!db->exec(sql).is_ok()) return std::string();
    if (!db->exec("PRAGMA wal_checkpoint").is_ok()) return std::string();  // all into the image
    const auto& bytes = raw->bytes();  // (raw is owned by the connection, still open here)
    return std::string(bytes.begin(), bytes.end());
  }();
  return image;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string image;
  if (size >= 16 && std::memcmp(data, "SFS SQL format 1", 16) == 0) {
    image.assign(reinterpret_cast<const char*>(data), size);
  } else {
    image = base_image();
    if (image.empty()) return 0;
    for (size_t i = 0; i + 3 <= size; i += 3) {
      size_t offset = (static_cast<size_t>(data[i]) << 8 | data[i + 1]) * 7 % image.size();
      image[offset] = static_cast<char>(data[i + 2]);
    }
  }
  sfs::sql::PagerOptions options;
  options.cache_pages = 16;
  auto pager = sfs::sql::Pager::open_files(std::make_unique<sfs::sql::MemFile>(image),
                                           std::make_unique<sfs::sql::MemFile>(), options, true);
  if (!pager.is_ok()) return 0;
  auto connection = sfs::sql::Connection::open_pager(std::move(*pager));
  if (!connection.is_ok()) return 0;
  auto db = sfs::sql::Database::adopt(std::move(*connection));
  // Read everything, check everything, change something: none of it may crash.
  (void)db->exec("PRAGMA integrity_check");
  (void)db->exec("SELECT * FROM t WHERE name > 'name 3' ORDER BY score");
  (void)db->exec("SELECT count(*), max(score) FROM t");
  (void)db->exec("SELECT * FROM v");
  (void)db->exec("SELECT type, name, sql FROM sqlite_schema");
  if (size > 0 && (data[0] & 1)) {  // half the inputs also write
    (void)db->exec("DELETE FROM t WHERE id < 20; INSERT INTO t(name, score) VALUES('x', 99.5)");
    (void)db->exec("SELECT count(*) FROM t");
  }
  return 0;
}
