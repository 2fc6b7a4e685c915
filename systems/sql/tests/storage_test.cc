// The storage engine below SQL: records, key encoding, the pager (transactions, spilling,
// savepoints, the log) and B-trees (against std::map, with overflow pages and deletions), each
// finished by the integrity check.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <cstring>

#include "core/file.h"

#include "core/testing/testing.h"
#include "systems/sql/btree.h"
#include "systems/sql/integrity.h"
#include "systems/sql/key_encoding.h"
#include "systems/sql/pager.h"
#include "systems/sql/record.h"

namespace sfs::sql {
namespace {

TEST(RecordTest, RoundTripsEveryType) {
  std::vector<Value> values = {Value(),
                               Value::integer(0),
                               Value::integer(1),
                               Value::integer(-1),
                               Value::integer(300),
                               Value::integer(-70000),
                               Value::integer(int64_t{1} << 40),
                               Value::integer(INT64_MIN),
                               Value::integer(INT64_MAX),
                               Value::real(3.25),
                               Value::text("hello"),
                               Value::text(""),
                               Value::blob(std::string("\0\1\2", 3))};
  std::string bytes;
  encode_record(values, &bytes);
  std::vector<Value> back;
  ASSERT_TRUE(decode_record(bytes, &back).is_ok());
  ASSERT_EQ(back.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(back[i].type(), values[i].type()) << i;
    EXPECT_EQ(compare_values(back[i], values[i]), 0) << i;
  }
}

TEST(RecordTest, RejectsGarbage) {
  std::vector<Value> values;
  EXPECT_FALSE(decode_record(std::string("\x05\x0d\x0d", 3), &values).is_ok());
  EXPECT_FALSE(decode_record(std::string("\x80", 1), &values).is_ok());
}

TEST(KeyEncodingTest, ByteOrderIsSqlOrder) {
  std::vector<Value> values = {Value(),
                               Value::real(-1e300),
                               Value::real(-9223372036854777856.0),
                               Value::integer(INT64_MIN),
                               Value::real(-9223372036854775808.0),
                               Value::real(-2.5),
                               Value::integer(-2),
                               Value::real(-1.5),
                               Value::real(-1e-300),
                               Value::integer(-5),
                               Value::real(-4.5),
                               Value::integer(0),
                               Value::real(0.5),
                               Value::integer(1),
                               Value::integer(9007199254740993),
                               Value::real(9007199254740994.0),
                               Value::integer(INT64_MAX - 1),
                               Value::integer(INT64_MAX),
                               Value::real(9223372036854775808.0),
                               Value::real(1e300),
                               Value::text(""),
                               Value::text(std::string("a\0", 2)),
                               Value::text("a"),
                               Value::text("ab"),
                               Value::text("b"),
                               Value::blob(""),
                               Value::blob("x")};
  std::sort(values.begin(), values.end(),
            [](const Value& a, const Value& b) { return compare_values(a, b) < 0; });
  for (bool desc : {false, true}) {
    for (size_t i = 0; i < values.size(); ++i) {
      for (size_t j = 0; j < values.size(); ++j) {
        std::string a, b;
        encode_key_value(values[i], Collation::kBinary, desc, &a);
        encode_key_value(values[j], Collation::kBinary, desc, &b);
        int sql = compare_values(values[i], values[j]);
        int bytes = a < b ? -1 : a > b ? 1 : 0;
        if (desc) bytes = -bytes;
        EXPECT_EQ(sql < 0 ? -1 : sql > 0 ? 1 : 0, bytes)
            << values[i].to_sql_literal() << " vs " << values[j].to_sql_literal();
      }
    }
  }
  std::string one, one_real;
  encode_key_value(Value::integer(1), Collation::kBinary, false, &one);
  encode_key_value(Value::real(1.0), Collation::kBinary, false, &one_real);
  EXPECT_EQ(one, one_real);
  std::string upper, lower;
  encode_key_value(Value::text("ABC"), Collation::kNoCase, false, &upper);
  encode_key_value(Value::text("abc"), Collation::kNoCase, false, &lower);
  EXPECT_EQ(upper, lower);
}

TEST(KeyEncodingTest, SortableIntegersRoundTripAndOrder) {
  std::vector<int64_t> values = {INT64_MIN, INT64_MIN + 1, -(int64_t{1} << 40), -65537, -65536,
                                 -65535, -257, -256, -255, -2, -1, 0, 1, 2, 255, 256, 65535,
                                 65536, int64_t{1} << 40, INT64_MAX - 1, INT64_MAX};
  std::string previous;
  for (int64_t v : values) {
    std::string bytes;
    append_sortable_int(v, &bytes);
    int64_t back = 0;
    ASSERT_EQ(decode_sortable_int(reinterpret_cast<const uint8_t*>(bytes.data()),
                                  reinterpret_cast<const uint8_t*>(bytes.data()) + bytes.size(), &back),
              bytes.size());
    EXPECT_EQ(back, v);
    EXPECT_LT(previous, bytes) << v;
    previous = bytes;
    std::string key = "prefix";
    append_rowid_suffix(v, &key);
    int64_t rowid = 0;
    size_t prefix = 0;
    ASSERT_TRUE(split_index_key(key, &rowid, &prefix));
    EXPECT_EQ(rowid, v);
    EXPECT_EQ(prefix, 6u);
  }
  EXPECT_EQ(encode_rowid_key(1000).size(), 3u);
}

std::unique_ptr<Pager> memory_pager(int cache_pages = 100) {
  PagerOptions options;
  options.cache_pages = cache_pages;
  auto pager = Pager::open(":memory:", options);
  EXPECT_TRUE(pager.is_ok()) << pager.status().to_string();
  return std::move(*pager);
}

void expect_clean(Pager* pager, const std::vector<uint32_t>& roots) {
  std::vector<std::pair<std::string, uint32_t>> named;
  for (uint32_t root : roots) named.emplace_back("tree " + std::to_string(root), root);
  std::vector<std::string> errors;
  ASSERT_TRUE(check_integrity(pager, named, &errors).is_ok());
  for (const auto& e : errors) ADD_FAILURE() << e;
}

TEST(PagerTest, CommitRollbackAndReopen) {
  core::testing::TempDir dir;
  std::string path = dir.file("t.db");
  uint32_t pgno;
  {
    auto pager = Pager::open(path, PagerOptions());
    ASSERT_TRUE(pager.is_ok()) << pager.status().to_string();
    ASSERT_TRUE((*pager)->begin(true).is_ok());
    auto page = (*pager)->allocate();
    ASSERT_TRUE(page.is_ok());
    pgno = page->pgno();
    std::memcpy(page->mutable_data() + 100, "committed", 9);
    page->release();
    ASSERT_TRUE((*pager)->commit().is_ok());

    ASSERT_TRUE((*pager)->begin(true).is_ok());
    auto again = (*pager)->get(pgno);
    ASSERT_TRUE(again.is_ok());
    ASSERT_TRUE((*pager)->make_writable(*again).is_ok());
    std::memcpy(again->mutable_data() + 100, "rolledbak", 9);
    again->release();
    (*pager)->rollback();

    ASSERT_TRUE((*pager)->begin(false).is_ok());
    auto read = (*pager)->get(pgno);
    ASSERT_TRUE(read.is_ok());
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(read->data()) + 100, 9), "committed");
    read->release();
    ASSERT_TRUE((*pager)->commit().is_ok());
  }
  // Closing checkpointed the log into the database file.
  auto pager = Pager::open(path, PagerOptions());
  ASSERT_TRUE(pager.is_ok());
  EXPECT_EQ((*pager)->wal_frames(), 0u);
  ASSERT_TRUE((*pager)->begin(false).is_ok());
  auto read = (*pager)->get(pgno);
  ASSERT_TRUE(read.is_ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(read->data()) + 100, 9), "committed");
}

TEST(PagerTest, RejectsFilesThatAreNotDatabases) {
  core::testing::TempDir dir;
  ASSERT_TRUE(core::write_file(dir.file("junk"), std::string(8192, 'x')).is_ok());
  auto pager = Pager::open(dir.file("junk"), PagerOptions());
  ASSERT_FALSE(pager.is_ok());
  EXPECT_NE(pager.status().message().find("not a database"), std::string::npos);
  std::string sqlite = "SQLite format 3";
  sqlite.push_back('\0');
  sqlite.resize(4096, '\0');
  ASSERT_TRUE(core::write_file(dir.file("lite"), sqlite).is_ok());
  auto lite = Pager::open(dir.file("lite"), PagerOptions());
  ASSERT_FALSE(lite.is_ok());
  EXPECT_NE(lite.status().message().find("SQLite 3"), std::string::npos);
}

TEST(PagerTest, SavepointRestoresPages) {
  auto pager = memory_pager();
  ASSERT_TRUE(pager->begin(true).is_ok());
  auto page = pager->allocate();
  ASSERT_TRUE(page.is_ok());
  uint32_t pgno = page->pgno();
  page->mutable_data()[10] = 1;
  page->release();
  size_t depth = pager->open_savepoint();
  {
    auto p = pager->get(pgno);
    ASSERT_TRUE(pager->make_writable(*p).is_ok());
    p->mutable_data()[10] = 2;
    auto extra = pager->allocate();
    ASSERT_TRUE(extra.is_ok());
  }
  EXPECT_EQ(pager->page_count(), pgno + 1);
  ASSERT_TRUE(pager->rollback_to_savepoint(depth).is_ok());
  EXPECT_EQ(pager->page_count(), pgno);
  auto p = pager->get(pgno);
  EXPECT_EQ(p->data()[10], 1);
  p->release();
  pager->release_savepoint(depth);
  ASSERT_TRUE(pager->commit().is_ok());
}

// A B-tree against std::map under random inserts, replacements and deletes, with a cache much
// smaller than the tree (so pages spill to the log mid-transaction) and values that overflow.
TEST(BTreeTest, MatchesStdMap) {
  auto pager = memory_pager(32);
  CursorRegistry registry;
  ASSERT_TRUE(pager->begin(true).is_ok());
  auto root = btree::create(pager.get());
  ASSERT_TRUE(root.is_ok());
  std::map<std::string, std::string> model;
  std::mt19937 random(7);
  BTreeCursor cursor(pager.get(), *root, &registry);
  auto make_key = [&](int k) {
    std::string key = "key" + std::to_string(k);
    if (k % 17 == 0) key += std::string(1500 + k % 700, 'k');  // long keys overflow too
    return key;
  };
  for (int step = 0; step < 6000; ++step) {
    int k = static_cast<int>(random() % 1500);
    std::string key = make_key(k);
    if (random() % 3 != 0) {
      size_t size = random() % 10 == 0 ? 3000 + random() % 9000 : random() % 60;
      std::string value(size, static_cast<char>('a' + step % 26));
      ASSERT_TRUE(cursor.insert(key, value).is_ok());
      model[key] = value;
    } else {
      bool exact = false;
      ASSERT_TRUE(cursor.seek(key, &exact).is_ok());
      EXPECT_EQ(exact, model.count(key) == 1);
      if (exact) {
        ASSERT_TRUE(cursor.remove().is_ok());
        model.erase(key);
      }
    }
  }
  // Forward and backward iteration see exactly the model.
  ASSERT_TRUE(cursor.first().is_ok());
  auto it = model.begin();
  while (cursor.valid()) {
    ASSERT_NE(it, model.end());
    EXPECT_EQ(*cursor.key(), it->first);
    EXPECT_EQ(*cursor.value(), it->second);
    ASSERT_TRUE(cursor.next().is_ok());
    ++it;
  }
  EXPECT_EQ(it, model.end());
  ASSERT_TRUE(cursor.last().is_ok());
  auto rit = model.rbegin();
  while (cursor.valid()) {
    ASSERT_NE(rit, model.rend());
    EXPECT_EQ(*cursor.key(), rit->first);
    ASSERT_TRUE(cursor.prev().is_ok());
    ++rit;
  }
  EXPECT_EQ(rit, model.rend());
  expect_clean(pager.get(), {*root});
  ASSERT_TRUE(pager->commit().is_ok());
  EXPECT_GT(pager->stats().spills, 0u);

  // Delete everything through the cursor: pages return to the free list.
  ASSERT_TRUE(pager->begin(true).is_ok());
  ASSERT_TRUE(cursor.first().is_ok());
  while (cursor.valid()) {
    ASSERT_TRUE(cursor.remove().is_ok());
    ASSERT_TRUE(cursor.next().is_ok());
  }
  ASSERT_TRUE(cursor.first().is_ok());
  EXPECT_FALSE(cursor.valid());
  expect_clean(pager.get(), {*root});
  ASSERT_TRUE(pager->commit().is_ok());
}

TEST(BTreeTest, AscendingRowidsFillPages) {
  auto pager = memory_pager(1000);
  CursorRegistry registry;
  ASSERT_TRUE(pager->begin(true).is_ok());
  auto root = btree::create(pager.get());
  ASSERT_TRUE(root.is_ok());
  BTreeCursor cursor(pager.get(), *root, &registry);
  std::string value(30, 'v');
  for (int64_t i = 1; i <= 20000; ++i) {
    ASSERT_TRUE(cursor.insert(encode_rowid_key(i), value).is_ok());
  }
  // ~41 bytes a row: a full 4 KiB page holds ~95, so 20,000 rows need ~210 leaves.
  EXPECT_LT(pager->page_count(), 260u);
  bool exact = false;
  ASSERT_TRUE(cursor.seek(encode_rowid_key(12345), &exact).is_ok());
  EXPECT_TRUE(exact);
  EXPECT_EQ(decode_rowid_key(*cursor.key()), 12345);
  ASSERT_TRUE(cursor.seek_le(encode_rowid_key(99999), &exact).is_ok());
  EXPECT_FALSE(exact);
  EXPECT_EQ(decode_rowid_key(*cursor.key()), 20000);
  expect_clean(pager.get(), {*root});
  ASSERT_TRUE(btree::destroy(pager.get(), *root, true).is_ok());
  expect_clean(pager.get(), {});
  ASSERT_TRUE(pager->commit().is_ok());
}

// A cursor reading a tree keeps its place while another cursor changes the tree.
TEST(BTreeTest, CursorSurvivesConcurrentChanges) {
  auto pager = memory_pager(64);
  CursorRegistry registry;
  ASSERT_TRUE(pager->begin(true).is_ok());
  auto root = btree::create(pager.get());
  BTreeCursor writer(pager.get(), *root, &registry);
  for (int64_t i = 0; i < 2000; i += 2) {
    ASSERT_TRUE(writer.insert(encode_rowid_key(i), std::string(50, 'x')).is_ok());
  }
  std::set<int64_t> model;
  for (int64_t i = 0; i < 2000; i += 2) model.insert(i);
  BTreeCursor reader(pager.get(), *root, &registry);
  ASSERT_TRUE(reader.first().is_ok());
  int64_t expected = 0;
  int seen = 0;
  while (reader.valid()) {
    int64_t k = decode_rowid_key(*reader.key());
    ASSERT_EQ(k, expected);
    ++seen;
    // Insert an odd key behind the reader; delete one two entries ahead now and then.
    ASSERT_TRUE(writer.insert(encode_rowid_key(k - 1), std::string(50, 'y')).is_ok());
    model.insert(k - 1);
    bool exact = false;
    ASSERT_TRUE(writer.seek(encode_rowid_key(k + 4), &exact).is_ok());
    if (exact && (k / 2) % 5 == 0) {
      ASSERT_TRUE(writer.remove().is_ok());
      model.erase(k + 4);
    }
    ASSERT_TRUE(reader.next().is_ok());
    auto next = model.upper_bound(k);
    expected = next == model.end() ? -1 : *next;
    if (!reader.valid()) {
      EXPECT_EQ(expected, -1);
    }
  }
  EXPECT_GT(seen, 500);
  expect_clean(pager.get(), {*root});
  ASSERT_TRUE(pager->commit().is_ok());
}

}  // namespace
}  // namespace sfs::sql
