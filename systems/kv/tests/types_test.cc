// The value types: packed encodings, conversions between encodings, the skip list's ranks and
// ranges, the hash table's SCAN guarantee, and glob matching.
#include "systems/kv/types.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "systems/kv/keyspace.h"
#include "systems/kv/util.h"

namespace sfs::kv {
namespace {

TEST(PackedListTest, InsertEraseReplaceFind) {
  PackedList p;
  EXPECT_EQ(p.count(), 0u);
  p.push_back("b");
  p.push_front("a");
  p.push_back(std::string(300, 'x'));  // a two-byte length prefix
  EXPECT_EQ(p.count(), 3u);
  EXPECT_EQ(p.get(p.at(0)), "a");
  EXPECT_EQ(p.get(p.at(2)), std::string(300, 'x'));
  EXPECT_EQ(p.find("b", p.begin()), p.at(1));
  EXPECT_EQ(p.find("zz", p.begin()), p.end());
  p.replace(p.at(1), "bbbbbb");
  p.replace(p.at(0), "");
  EXPECT_EQ(p.get(p.at(1)), "bbbbbb");
  EXPECT_EQ(p.get(p.at(0)), "");
  p.erase(p.at(0), 2);
  EXPECT_EQ(p.count(), 1u);
  p.erase(p.begin());
  EXPECT_EQ(p.count(), 0u);
  EXPECT_EQ(p.bytes(), 0u);
}

TEST(IntSetTest, SortedAndUnique) {
  IntSet s;
  for (int64_t v : std::initializer_list<int64_t>{5, -3, 100, 5, INT64_MIN, INT64_MAX}) s.add(v);
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s.at(0), INT64_MIN);
  EXPECT_EQ(s.at(4), INT64_MAX);
  EXPECT_TRUE(s.contains(-3));
  EXPECT_TRUE(s.remove(-3));
  EXPECT_FALSE(s.remove(-3));
  EXPECT_EQ(s.size(), 4u);
}

TEST(ListValueTest, ConvertsAndKeepsOrder) {
  ListValue l;
  for (int i = 0; i < 300; ++i) l.push(false, std::to_string(i));
  EXPECT_STREQ(l.encoding(), "quicklist");
  EXPECT_EQ(l.size(), 300u);
  EXPECT_EQ(l.at(299), "299");
  EXPECT_EQ(l.pop(true), "0");
  l.trim(10, 19);
  EXPECT_EQ(l.size(), 10u);
  EXPECT_EQ(l.at(0), "11");
  ListValue small;
  small.push(false, "a");
  small.push(false, "b");
  small.push(true, "z");
  EXPECT_STREQ(small.encoding(), "listpack");
  EXPECT_EQ(small.pop(false), "b");
  EXPECT_TRUE(small.insert(true, "a", "m"));
  std::vector<std::string> seen;
  small.range(0, small.size() - 1, [&](std::string_view v) { seen.emplace_back(v); });
  EXPECT_EQ(seen, (std::vector<std::string>{"z", "m", "a"}));
  EXPECT_EQ(small.remove(0, "m"), 1u);
}

TEST(HashValueTest, SmallThenLarge) {
  HashValue h;
  EXPECT_TRUE(h.set("f", "v"));
  EXPECT_FALSE(h.set("f", "w"));
  EXPECT_STREQ(h.encoding(), "listpack");
  h.set("long", std::string(100, 'x'));  // value over hash-max-listpack-value
  EXPECT_STREQ(h.encoding(), "hashtable");
  EXPECT_EQ(*h.get("f"), "w");
  for (int i = 0; i < 1000; ++i) h.set("k" + std::to_string(i), std::to_string(i));
  EXPECT_EQ(h.size(), 1002u);
  EXPECT_TRUE(h.remove("k5"));
  EXPECT_FALSE(h.get("k5"));
  EXPECT_EQ(*h.get("k999"), "999");
}

TEST(SetValueTest, IntsetPackedTable) {
  SetValue s;
  s.add("1");
  s.add("2");
  EXPECT_STREQ(s.encoding(), "intset");
  s.add("x");
  EXPECT_STREQ(s.encoding(), "listpack");
  EXPECT_TRUE(s.contains("1"));
  EXPECT_TRUE(s.contains("x"));
  for (int i = 0; i < 200; ++i) s.add("m" + std::to_string(i));
  EXPECT_STREQ(s.encoding(), "hashtable");
  EXPECT_EQ(s.size(), 203u);
  SetValue ints;
  for (int i = 0; i < 600; ++i) ints.add(std::to_string(i));
  EXPECT_STREQ(ints.encoding(), "hashtable");  // over set-max-intset-entries
  EXPECT_TRUE(ints.contains("599"));
}

// The sorted set against a std::set model, in both encodings.
void check_zset_against_model(int n) {
  ZSetValue z;
  std::map<std::string, double> model;
  std::mt19937 rng(n);
  for (int i = 0; i < n * 3; ++i) {
    std::string m = "m" + std::to_string(rng() % n);
    double s = static_cast<double>(rng() % 50);
    if (rng() % 5 == 0) {
      EXPECT_EQ(z.remove(m), model.erase(m) > 0);
    } else {
      z.set(m, s);
      model[m] = s;
    }
  }
  std::vector<std::pair<double, std::string>> sorted;
  for (auto& [m, s] : model) sorted.emplace_back(s, m);
  std::sort(sorted.begin(), sorted.end());
  ASSERT_EQ(z.size(), sorted.size());
  for (size_t r = 0; r < sorted.size(); ++r) {
    auto [m, s] = z.at(r);
    EXPECT_EQ(m, sorted[r].second);
    EXPECT_EQ(s, sorted[r].first);
    EXPECT_EQ(*z.rank(sorted[r].second), r);
  }
  ScoreRange range{10, 20, false, true};
  size_t expect_below = static_cast<size_t>(std::count_if(sorted.begin(), sorted.end(), [](auto& p) { return p.first < 10; }));
  size_t expect_through = static_cast<size_t>(std::count_if(sorted.begin(), sorted.end(), [](auto& p) { return p.first < 20; }));
  EXPECT_EQ(z.count_below(range), expect_below);
  EXPECT_EQ(z.count_through(range), expect_through);
  std::vector<std::string> reversed;
  if (z.size() > 0) {
    z.walk(0, z.size() - 1, true, [&](std::string_view m, double) {
      reversed.emplace_back(m);
      return true;
    });
  }
  ASSERT_EQ(reversed.size(), sorted.size());
  EXPECT_EQ(reversed.front(), sorted.back().second);
}

TEST(ZSetValueTest, PackedMatchesModel) { check_zset_against_model(40); }
TEST(ZSetValueTest, SkipListMatchesModel) { check_zset_against_model(2000); }

TEST(ZSetValueTest, LexRanges) {
  ZSetValue z;
  for (const char* m : {"a", "b", "c", "d"}) z.set(m, 0);
  LexRange r;
  ASSERT_TRUE(parse_lex_bound("(a", &r.min));
  ASSERT_TRUE(parse_lex_bound("[c", &r.max));
  EXPECT_EQ(z.count_below(r), 1u);
  EXPECT_EQ(z.count_through(r), 3u);
  LexBound bad;
  EXPECT_FALSE(parse_lex_bound("a", &bad));
}

TEST(TableTest, ScanReturnsEveryStableElementAcrossResizes) {
  struct Node {
    Node* next = nullptr;
    std::string key;
  };
  struct KeyOf {
    std::string_view operator()(const Node* n) const { return n->key; }
  };
  Table<Node, KeyOf, KeyHash> table;
  std::vector<std::unique_ptr<Node>> nodes;
  auto add = [&](const std::string& k) {
    nodes.push_back(std::make_unique<Node>());
    nodes.back()->key = k;
    table.insert(nodes.back().get());
  };
  for (int i = 0; i < 100; ++i) add("stable" + std::to_string(i));
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int step = 0;
  do {
    cursor = table.scan(cursor, 5, [&](Node* n) { seen.insert(n->key); });
    // Grow the table in the middle of the iteration.
    if (++step == 3) {
      for (int i = 0; i < 500; ++i) add("extra" + std::to_string(i));
    }
  } while (cursor != 0);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(seen.count("stable" + std::to_string(i))) << i;
  table.clear([](Node*) {});
}

TEST(KeyspaceTest, EntriesAndExpiry) {
  Database db(0);
  db.put(make_string_entry("k", "12345"));
  char buf[24];
  EXPECT_EQ(db.find("k")->string_encoding(), StringEncoding::kInt);
  EXPECT_EQ(db.find("k")->string_value(buf), "12345");
  db.put(make_string_entry("e", std::string(40, 'e')));
  EXPECT_EQ(db.find("e")->string_encoding(), StringEncoding::kEmbStr);
  db.put(make_string_entry("r", std::string(100, 'r')));
  EXPECT_EQ(db.find("r")->string_encoding(), StringEncoding::kRaw);
  Entry* e = db.set_expire("e", 12345);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->expire(), 12345);
  EXPECT_EQ(db.find("e")->string_value(buf), std::string(40, 'e'));
  EXPECT_EQ(db.expires(), 1u);
  std::vector<std::string> expired;
  db.expire_scan(20000, 1000, &expired);
  EXPECT_EQ(expired, std::vector<std::string>{"e"});
  EXPECT_TRUE(db.persist("e"));
  EXPECT_EQ(db.expires(), 0u);
  EntryPtr copy = copy_entry(db.find("r"), "r2");
  EXPECT_EQ(copy->string_value(buf), std::string(100, 'r'));
  EXPECT_TRUE(db.remove("k"));
  EXPECT_FALSE(db.remove("k"));
}

TEST(GlobTest, RedisPatterns) {
  EXPECT_TRUE(glob_match("*", "anything"));
  EXPECT_TRUE(glob_match("h?llo", "hello"));
  EXPECT_TRUE(glob_match("h[ae]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[^e]llo", "hello"));
  EXPECT_TRUE(glob_match("h[a-b]llo", "hbllo"));
  EXPECT_TRUE(glob_match("a\\*b", "a*b"));
  EXPECT_FALSE(glob_match("a\\*b", "axb"));
  EXPECT_TRUE(glob_match("*:*:*", "a:b:c"));
  EXPECT_TRUE(glob_match("HELLO", "hello", true));
  EXPECT_FALSE(glob_match(std::string(50, '*') + "x", std::string(200, 'a')));
}

TEST(NumbersTest, StrictIntegers) {
  int64_t v;
  EXPECT_TRUE(parse_ll("-9223372036854775808", &v));
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_FALSE(parse_ll("9223372036854775808", &v));
  EXPECT_FALSE(parse_ll("01", &v));
  EXPECT_FALSE(parse_ll("+1", &v));
  EXPECT_FALSE(parse_ll(" 1", &v));
  EXPECT_FALSE(parse_ll("-0", &v));
  EXPECT_FALSE(parse_ll("", &v));
}

}  // namespace
}  // namespace sfs::kv
