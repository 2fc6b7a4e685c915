// The SQL engine through its public API (sql.h): types and affinity, expressions, queries,
// joins, aggregates, subqueries, DML with constraints and conflict clauses, triggers, views,
// ALTER TABLE, transactions and savepoints, the planner's choices (EXPLAIN QUERY PLAN), error
// messages with positions, and two connections sharing one file.
#include "systems/sql/sql.h"

#include <gtest/gtest.h>

#include "core/file.h"
#include "core/testing/testing.h"

namespace sfs::sql {
namespace {

// Runs SQL and renders every result row as "v1|v2", rows joined by "\n"; errors as "error: ...".
std::string run(Database* db, const std::string& sql) {
  std::string out;
  core::Status status = db->exec(sql, [&](const std::vector<std::string>&, const std::vector<Value>& row) {
    if (!out.empty()) out += "\n";
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out += "|";
      out += row[i].is_null() ? "NULL" : row[i].to_text();
    }
    return true;
  });
  if (!status.is_ok()) return "error: " + status.message();
  return out;
}

class SqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Database::open(":memory:");
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    db_ = std::move(*opened);
  }
  std::string q(const std::string& sql) { return run(db_.get(), sql); }
  std::unique_ptr<Database> db_;
};

TEST_F(SqlTest, LiteralsAndArithmetic) {
  EXPECT_EQ(q("SELECT 1 + 2 * 3, 7 / 2, 7.0 / 2, 7 % 3, -7 / 2, 1 / 0, 2 || 3"), "7|3|3.5|1|-3|NULL|23");
  EXPECT_EQ(q("SELECT 9223372036854775807 + 1, -9223372036854775808"), "9.22337203685478e+18|-9223372036854775808");
  EXPECT_EQ(q("SELECT 0x10, 1e3, .5, 'it''s', x'4142', NULL"), "16|1000.0|0.5|it's|AB|NULL");
  EXPECT_EQ(q("SELECT typeof(1), typeof(1.0), typeof('a'), typeof(x'00'), typeof(NULL)"),
            "integer|real|text|blob|null");
  EXPECT_EQ(q("SELECT '10' + 5, '1.5e2x' + 0, 'abc' * 1, 5 & 3, 5 | 3, 1 << 3, -16 >> 2, ~5"),
            "15|150.0|0|1|7|8|-4|-6");
}

TEST_F(SqlTest, ThreeValuedLogic) {
  EXPECT_EQ(q("SELECT NULL AND 0, NULL AND 1, NULL OR 1, NULL OR 0, NOT NULL, NULL = NULL, NULL IS NULL"),
            "0|NULL|1|NULL|NULL|NULL|1");
  EXPECT_EQ(q("SELECT 1 IN (1, NULL), 2 IN (1, NULL), 2 NOT IN (1, NULL), NULL IN (), 1 IS NOT 2"),
            "1|NULL|NULL|0|1");
  EXPECT_EQ(q("SELECT 5 BETWEEN 1 AND 10, 5 NOT BETWEEN 1 AND 4, NULL BETWEEN 1 AND 2"), "1|1|NULL");
}

TEST_F(SqlTest, AffinityAndComparison) {
  ASSERT_EQ(q("CREATE TABLE t(i INTEGER, n NUMERIC, r REAL, s TEXT, b BLOB)"), "");
  ASSERT_EQ(q("INSERT INTO t VALUES('12', '3.0', 1, 45, '7')"), "");
  EXPECT_EQ(q("SELECT typeof(i), typeof(n), typeof(r), typeof(s), typeof(b) FROM t"),
            "integer|integer|real|text|text");
  EXPECT_EQ(q("SELECT i = '12', s = 45, b = 7, +i = '12' FROM t"), "1|1|0|0");
  EXPECT_EQ(q("SELECT 1 < 'a', 'a' < x'00', NULL < 1"), "1|1|NULL");
  EXPECT_EQ(q("SELECT 'abc' = 'ABC', 'abc' = 'ABC' COLLATE NOCASE, 'a ' = 'a' COLLATE RTRIM"), "0|1|1");
}

// A BLOB-affinity column (declared BLOB or untyped) is not "no affinity": against a TEXT column
// nothing is converted, while a literal, +x or an expression gives way to the TEXT side. An index
// on the TEXT column must answer the same (expected values from SQLite 3.40).
TEST_F(SqlTest, BlobAffinityIsNotNoAffinity) {
  ASSERT_EQ(q("CREATE TABLE p(a TEXT, n NUMERIC); CREATE TABLE q(c BLOB, d);"
              "INSERT INTO p VALUES(14, 14); INSERT INTO q VALUES(14, 14)"), "");
  EXPECT_EQ(q("SELECT p.a = q.c, p.a = q.d, p.a = 14, q.c = '14', p.n = q.c, p.a = +q.c, "
              "CAST(q.c AS TEXT) = p.a, p.a IN (SELECT c FROM q), p.a = (SELECT c FROM q) FROM p, q"),
            "0|0|1|0|1|1|1|0|0");
  const char* joins = "SELECT (SELECT count(*) FROM p, q WHERE p.a = q.c), "
                      "(SELECT count(*) FROM p, q WHERE p.a > q.c), "
                      "(SELECT count(*) FROM p, q WHERE q.c = p.a), "
                      "(SELECT count(*) FROM p, q WHERE p.a = q.c + 0)";
  EXPECT_EQ(q(joins), "0|1|0|1");
  ASSERT_EQ(q("CREATE INDEX pa ON p(a)"), "");
  EXPECT_EQ(q(joins), "0|1|0|1");
}

// Conversions at the edges of the type system, as SQLite 3.40 (Debian 12) gives them.
TEST_F(SqlTest, MixedTypeEdges) {
  // CAST of a REAL to NUMERIC keeps it REAL; text still becomes an INTEGER when it can.
  EXPECT_EQ(q("SELECT CAST(5.0 AS NUMERIC), typeof(CAST(5.0 AS NUMERIC)), CAST('5.0' AS NUMERIC), "
              "CAST(' 7.5 ' AS NUMERIC)"),
            "5.0|real|5|7.5");
  // sum() of text that reads as an integer is an INTEGER sum.
  EXPECT_EQ(q("SELECT sum('8'), sum('5.0'), sum(' 7 '), typeof(sum('7'))"), "8|5.0|7|integer");
  // LIKE and GLOB never match a BLOB, even against NULL (SQLITE_LIKE_DOESNT_MATCH_BLOBS).
  EXPECT_EQ(q("SELECT x'41' LIKE '_', x'41' GLOB '?', 'A' LIKE x'41', NULL LIKE x'41', "
              "x'41' NOT LIKE NULL, like(x'41', 'A'), glob('A', x'41')"),
            "0|0|0|0|1|0|0");
  // length() of text that is not valid UTF-8: a stray continuation byte is a character.
  EXPECT_EQ(q("SELECT length(CAST(x'b5' AS TEXT)), length(CAST(x'41b5' AS TEXT)), "
              "length(CAST(x'e9b5' AS TEXT)), length(CAST(x'f0b5b5b541' AS TEXT)), length(x'b5')"),
            "1|2|1|2|1");
  // unicode() decodes bad UTF-8 as SQLite does; printf's %s stops at a NUL.
  EXPECT_EQ(q("SELECT unicode(x'b4'), unicode(x'e5b5'), unicode(x'c0'), unicode(x'c1bf'), "
              "unicode(x'eda080'), unicode(x'e5b5b5b5'), printf('%s|%d', x'410042', 3)"),
            "180|373|65533|65533|65533|1531253|A|3");
  // Scalar min() of equal values returns the later one, max() the earlier one.
  EXPECT_EQ(q("SELECT min(5, 5.0), max(5, 5.0), min('B' COLLATE NOCASE, 'b'), max('B' COLLATE NOCASE, 'b')"),
            "5.0|5|b|B");
  // Bit operations and % read text by its leading integer, as sqlite3VdbeIntValue() does.
  EXPECT_EQ(q("SELECT '1e2' % 7, '1e2' & 255, ~'1e2', '1e2' << 1, ' 12e1' % 100, '1e2' + 0, "
              "CAST('1e2' AS INTEGER)"),
            "1.0|1|-2|2|12.0|100.0|1");
  // quote() of a REAL that 15 digits do not round-trip uses 20 (SQLite 3.40's %!.20e).
  EXPECT_EQ(q("SELECT quote(-5.363636363636363), quote(0.1), quote(1e300), quote(-0.47)"),
            "-5.36363636363636331338e+00|0.1|1.0e+300|-0.47");
}

// An index serves a comparison or an ORDER BY only under the same collation, whatever the
// column's affinity: an INTEGER column holds text too.
TEST_F(SqlTest, IndexCollationMustMatchOnAnyColumn) {
  ASSERT_EQ(q("CREATE TABLE n(c INT); INSERT INTO n VALUES('b'), ('B'), (1), ('a');"
              "CREATE INDEX n_c ON n(c COLLATE NOCASE)"), "");
  EXPECT_EQ(q("SELECT count(*) FROM n WHERE c = 'b'"), "1");
  EXPECT_EQ(q("SELECT count(*) FROM n WHERE c COLLATE NOCASE = 'b'"), "2");
  EXPECT_EQ(q("SELECT group_concat(c, ',') FROM (SELECT c FROM n ORDER BY c)"), "1,B,a,b");
  EXPECT_EQ(q("SELECT group_concat(c, ',') FROM (SELECT c FROM n WHERE c > 'A' ORDER BY c DESC)"),
            "b,a,B");
}

// Collations: +x and CAST keep x's, an operand with COLLATE decides, a compound compares under
// its leftmost SELECT that has one and keeps the last of equal rows (values from SQLite 3.40).
TEST_F(SqlTest, CollationThroughOperatorsAndCompounds) {
  ASSERT_EQ(q("CREATE TABLE c(a TEXT COLLATE NOCASE, b TEXT); INSERT INTO c VALUES('Abc', 'ABC')"), "");
  EXPECT_EQ(q("SELECT +a = 'ABC', CAST(a AS TEXT) = 'ABC', (a || '') = 'ABC', a = b, b = a, b = +a, "
              "a COLLATE BINARY = b, (b COLLATE NOCASE || '') = 'ABC', +a IN ('ABC'), b IN (a), "
              "+a BETWEEN 'AAA' AND 'ABD', CASE +a WHEN 'ABC' THEN 1 ELSE 0 END FROM c"),
            "1|1|0|1|0|0|0|1|1|0|1|1");
  EXPECT_EQ(q("SELECT 1 UNION SELECT 1.0"), "1.0");
  EXPECT_EQ(q("SELECT 'a' UNION SELECT 'A' COLLATE NOCASE"), "A");
  EXPECT_EQ(q("SELECT 2.0 UNION ALL SELECT 2 EXCEPT SELECT 3"), "2");
  // A subquery's column takes the leftmost SELECT's collation only.
  EXPECT_EQ(q("SELECT count(DISTINCT x) FROM (SELECT 'abc' AS x UNION ALL SELECT a FROM c)"), "2");
}

// Bare columns of an aggregate query come from each group's first row (SQLite 3.40), or from
// the row that set the only min()/max().
TEST_F(SqlTest, BareColumnsComeFromTheFirstRow) {
  ASSERT_EQ(q("CREATE TABLE g(k, v); "
              "INSERT INTO g VALUES(5, 'a'), (5.0, 'b'), (5, 'c'), (1.0, 'd'), (1, 'e')"), "");
  EXPECT_EQ(q("SELECT k, v, count(*) FROM g GROUP BY k"), "1.0|d|2\n5|a|3");
  EXPECT_EQ(q("SELECT k, v, max(v) FROM g GROUP BY k"), "1|e|e\n5|c|c");
  EXPECT_EQ(q("SELECT count(*), v FROM g"), "5|a");
}

// BY is one of the keywords SQLite lets fall back to a name.
TEST_F(SqlTest, ByCanNameThings) {
  EXPECT_EQ(q("CREATE TABLE by(by, x); INSERT INTO by VALUES(1, 2), (1, 3); CREATE INDEX by_i ON by(by);"
              "SELECT by, sum(x) FROM by GROUP BY by ORDER BY by"),
            "1|5");
  EXPECT_EQ(q("SELECT x AS by FROM by ORDER BY by DESC"), "3\n2");
}

TEST_F(SqlTest, ScalarFunctions) {
  EXPECT_EQ(q("SELECT abs(-3), coalesce(NULL, NULL, 2), ifnull(NULL, 'x'), nullif(1, 1), nullif(1, 2)"),
            "3|2|x|NULL|1");
  EXPECT_EQ(q("SELECT length('héllo'), lower('ABC'), upper('abc'), substr('hello', 2, 3), substr('hello', -3)"),
            "5|abc|ABC|ell|llo");
  EXPECT_EQ(q("SELECT trim('  x  '), ltrim('xxyx', 'x'), rtrim('abcc', 'c'), replace('aaa', 'a', 'bb'), instr('hello', 'l')"),
            "x|yx|ab|bbbbbb|3");
  EXPECT_EQ(q("SELECT round(2.5), round(-2.5), round(1.005, 2), round(3.14159, 3), hex('abc'), quote('a''b')"),
            "3.0|-3.0|1.01|3.142|616263|'a''b'");
  EXPECT_EQ(q("SELECT printf('%5.2f|%-4d|%05d|%x|%s|%q', 3.14159, 42, 42, 255, 'hi', 'it''s')"),
            " 3.14|42  |00042|ff|hi|it''s");
  EXPECT_EQ(q("SELECT 'abc' LIKE 'A%', 'abc' LIKE 'a_c', 'a%c' LIKE 'a\\%c' ESCAPE '\\', 'abc' GLOB 'a*', 'abc' GLOB 'A*'"),
            "1|1|1|1|0");
  EXPECT_EQ(q("SELECT CAST('12.7abc' AS INTEGER), CAST(3.9 AS INTEGER), CAST(12 AS TEXT) || 'x', CAST('1e3' AS REAL)"),
            "12|3|12x|1000.0");
  EXPECT_EQ(q("SELECT CASE 2 WHEN 1 THEN 'a' WHEN 2 THEN 'b' ELSE 'c' END, CASE WHEN 0 THEN 1 END"), "b|NULL");
  EXPECT_EQ(q("SELECT min(3, 1, 2), max('a', 'b'), iif(1, 'y', 'n'), typeof(random())"), "1|b|y|integer");
  EXPECT_EQ(q("SELECT date('2024-03-15', '+1 month'), datetime('2024-01-01 10:00:00', '+90 minutes')"),
            "2024-04-15|2024-01-01 11:30:00");
}

TEST_F(SqlTest, AggregatesAndGrouping) {
  ASSERT_EQ(q("CREATE TABLE s(g TEXT, v INTEGER)"), "");
  ASSERT_EQ(q("INSERT INTO s VALUES('a', 1), ('a', 2), ('b', 5), ('b', NULL), ('c', NULL)"), "");
  EXPECT_EQ(q("SELECT count(*), count(v), sum(v), total(v), avg(v), min(v), max(v) FROM s"),
            "5|3|8|8.0|2.66666666666667|1|5");
  EXPECT_EQ(q("SELECT g, count(v), sum(v) FROM s GROUP BY g"), "a|2|3\nb|1|5\nc|0|NULL");
  EXPECT_EQ(q("SELECT g FROM s GROUP BY g HAVING sum(v) > 2 ORDER BY g DESC"), "b\na");
  EXPECT_EQ(q("SELECT group_concat(g, '-'), count(DISTINCT g) FROM s"), "a-a-b-b-c|3");
  EXPECT_EQ(q("SELECT sum(v) FROM s WHERE 0"), "NULL");
  EXPECT_EQ(q("SELECT g, max(v) FROM s WHERE v IS NOT NULL GROUP BY g"), "a|2\nb|5");
  // A bare column next to max() comes from the row holding the maximum.
  EXPECT_EQ(q("SELECT g, max(v) FROM s"), "b|5");
  EXPECT_EQ(q("SELECT count(*) FROM s GROUP BY g HAVING count(*) > 1"), "2\n2");
  EXPECT_EQ(q("SELECT v FROM s WHERE count(*) > 1"), "error: misuse of aggregate function count()");
  EXPECT_EQ(q("SELECT count(*) FROM s GROUP BY 1"),
            "error: aggregate functions are not allowed in the GROUP BY clause");
}

TEST_F(SqlTest, OrderLimitDistinctAndNulls) {
  ASSERT_EQ(q("CREATE TABLE o(x, y)"), "");
  ASSERT_EQ(q("INSERT INTO o VALUES(3, 'c'), (NULL, 'n'), (1, 'a'), (2, 'b'), (1, 'z')"), "");
  EXPECT_EQ(q("SELECT x FROM o ORDER BY x"), "NULL\n1\n1\n2\n3");
  EXPECT_EQ(q("SELECT x FROM o ORDER BY x DESC"), "3\n2\n1\n1\nNULL");
  EXPECT_EQ(q("SELECT x FROM o ORDER BY x NULLS LAST LIMIT 2"), "1\n1");
  EXPECT_EQ(q("SELECT DISTINCT x FROM o ORDER BY 1 LIMIT 2 OFFSET 1"), "1\n2");
  EXPECT_EQ(q("SELECT y AS k FROM o ORDER BY k DESC LIMIT 1"), "z");
  EXPECT_EQ(q("SELECT x FROM o ORDER BY 3"), "error: 1st ORDER BY term out of range - should be between 1 and 1");
}

TEST_F(SqlTest, JoinsAndSubqueries) {
  ASSERT_EQ(q("CREATE TABLE a(id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE b(aid INTEGER, v INTEGER)"), "");
  ASSERT_EQ(q("INSERT INTO a VALUES(1, 'one'), (2, 'two'), (3, 'three'); INSERT INTO b VALUES(1, 10), (1, 11), (3, 30)"), "");
  EXPECT_EQ(q("SELECT name, v FROM a JOIN b ON a.id = b.aid ORDER BY v"), "one|10\none|11\nthree|30");
  EXPECT_EQ(q("SELECT name, v FROM a LEFT JOIN b ON a.id = b.aid WHERE v IS NULL"), "two|NULL");
  EXPECT_EQ(q("SELECT count(*) FROM a, b"), "9");
  EXPECT_EQ(q("SELECT name FROM a WHERE id IN (SELECT aid FROM b) ORDER BY id"), "one\nthree");
  EXPECT_EQ(q("SELECT name, (SELECT sum(v) FROM b WHERE aid = a.id) FROM a ORDER BY id"), "one|21\ntwo|NULL\nthree|30");
  EXPECT_EQ(q("SELECT name FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE aid = a.id)"), "two");
  EXPECT_EQ(q("SELECT s.n FROM (SELECT name AS n, id FROM a WHERE id > 1) AS s ORDER BY s.id"), "two\nthree");
  EXPECT_EQ(q("SELECT aid FROM b JOIN a USING (id)"), "error: cannot join using column id - column not present in both tables");
  EXPECT_EQ(q("SELECT id FROM a, b"), "1\n1\n1\n2\n2\n2\n3\n3\n3");
  EXPECT_EQ(q("SELECT x FROM a"), "error: no such column: x");
  EXPECT_EQ(q("WITH big AS (SELECT id FROM a WHERE id >= 2) SELECT count(*) FROM big"), "2");
}

TEST_F(SqlTest, CompoundSelects) {
  EXPECT_EQ(q("SELECT 2 UNION SELECT 1 UNION SELECT 2"), "1\n2");
  EXPECT_EQ(q("SELECT 2 UNION ALL SELECT 1 UNION ALL SELECT 2"), "2\n1\n2");
  EXPECT_EQ(q("SELECT 1 UNION SELECT 2 UNION SELECT 3 EXCEPT SELECT 2"), "1\n3");
  EXPECT_EQ(q("SELECT 1 UNION SELECT 2 INTERSECT SELECT 2"), "2");
  EXPECT_EQ(q("VALUES (1, 'a'), (2, 'b') ORDER BY 1 DESC"), "2|b\n1|a");
  EXPECT_EQ(q("SELECT 1 UNION SELECT 1, 2"),
            "error: SELECTs to the left and right of UNION do not have the same number of result columns");
}

TEST_F(SqlTest, ConstraintsAndConflicts) {
  ASSERT_EQ(q("CREATE TABLE c(id INTEGER PRIMARY KEY, u TEXT UNIQUE, n NOT NULL DEFAULT 'd', k CHECK (k > 0))"), "");
  EXPECT_EQ(q("INSERT INTO c(u, k) VALUES('x', 1)"), "");
  EXPECT_EQ(q("SELECT id, u, n FROM c"), "1|x|d");
  EXPECT_EQ(q("INSERT INTO c(u, k) VALUES('x', 2)"), "error: UNIQUE constraint failed: c.u");
  EXPECT_EQ(q("INSERT INTO c(id, u, k) VALUES(1, 'y', 2)"), "error: UNIQUE constraint failed: c.id");
  EXPECT_EQ(q("INSERT INTO c(u, n, k) VALUES('z', NULL, 1)"), "error: NOT NULL constraint failed: c.n");
  EXPECT_EQ(q("INSERT INTO c(u, k) VALUES('w', -1)"), "error: CHECK constraint failed: k > 0");
  EXPECT_EQ(q("INSERT OR IGNORE INTO c(u, k) VALUES('x', 5)"), "");
  EXPECT_EQ(q("INSERT OR REPLACE INTO c(id, u, k) VALUES(7, 'x', 5)"), "");
  EXPECT_EQ(q("SELECT id, u, k FROM c"), "7|x|5");
  EXPECT_EQ(q("INSERT INTO c(id, u, k) VALUES(7, 'q', 1) ON CONFLICT(id) DO UPDATE SET k = excluded.k + 100"), "");
  EXPECT_EQ(q("SELECT id, u, k FROM c"), "7|x|101");
  EXPECT_EQ(q("INSERT INTO c(u, k) VALUES('x', 1) ON CONFLICT DO NOTHING"), "");
  EXPECT_EQ(q("UPDATE c SET id = 'abc'"), "error: datatype mismatch");
  EXPECT_EQ(q("INSERT INTO c VALUES(1, 2)"), "error: table c has 4 columns but 2 values were supplied");
  // A failed multi-row statement leaves nothing behind.
  EXPECT_EQ(q("INSERT INTO c(u, k) VALUES('m', 1), ('x', 1)"), "error: UNIQUE constraint failed: c.u");
  EXPECT_EQ(q("SELECT count(*) FROM c"), "1");
}

TEST_F(SqlTest, UpdateAndDelete) {
  ASSERT_EQ(q("CREATE TABLE u(id INTEGER PRIMARY KEY, v INTEGER); CREATE INDEX uv ON u(v)"), "");
  ASSERT_EQ(q("INSERT INTO u(v) VALUES(10), (20), (30), (40)"), "");
  EXPECT_EQ(q("UPDATE u SET v = v + 1 WHERE v >= 20; SELECT changes()"), "3");
  EXPECT_EQ(q("SELECT v FROM u ORDER BY v"), "10\n21\n31\n41");
  EXPECT_EQ(q("UPDATE u SET id = id + 10 WHERE id = 1; SELECT id FROM u ORDER BY id"), "2\n3\n4\n11");
  EXPECT_EQ(q("DELETE FROM u WHERE v > 30; SELECT changes(), count(*) FROM u"), "2|2");
  EXPECT_EQ(q("DELETE FROM u; SELECT count(*) FROM u"), "0");
  EXPECT_EQ(q("PRAGMA integrity_check"), "ok");
}

TEST_F(SqlTest, InsertSelect) {
  ASSERT_EQ(q("CREATE TABLE s(x INTEGER); INSERT INTO s VALUES(1), (2), (3)"), "");
  // Reading the table being filled: the SELECT sees only the rows from before the statement.
  EXPECT_EQ(q("INSERT INTO s SELECT x + 10 FROM s; SELECT group_concat(x) FROM s"), "1,2,3,11,12,13");
  ASSERT_EQ(q("CREATE TABLE d(y TEXT)"), "");
  EXPECT_EQ(q("INSERT INTO d SELECT x FROM s WHERE x > 10 ORDER BY x DESC LIMIT 2; SELECT y, typeof(y) FROM d"),
            "13|text\n12|text");
  EXPECT_EQ(q("CREATE TABLE c AS SELECT x, x * 2 AS twice FROM s WHERE x < 3; SELECT * FROM c"), "1|2\n2|4");
  EXPECT_EQ(q("SELECT sql FROM sqlite_schema WHERE name = 'c'"), "CREATE TABLE c(x INT,twice)");
  EXPECT_EQ(q("CREATE TABLE wide AS SELECT x AS first_column, x AS second_column, x AS third FROM s; "
              "SELECT sql FROM sqlite_schema WHERE name = 'wide'"),
            "CREATE TABLE wide(\n  first_column INT,\n  second_column INT,\n  third INT\n)");
}

TEST_F(SqlTest, TriggersAndViews) {
  ASSERT_EQ(q("CREATE TABLE t(x); CREATE TABLE log(what, val)"), "");
  ASSERT_EQ(q("CREATE TRIGGER ti AFTER INSERT ON t BEGIN INSERT INTO log VALUES('ins', new.x); END"), "");
  ASSERT_EQ(q("CREATE TRIGGER tu BEFORE UPDATE OF x ON t WHEN new.x > 100 BEGIN SELECT RAISE(ABORT, 'too big'); END"), "");
  ASSERT_EQ(q("CREATE TRIGGER td AFTER DELETE ON t BEGIN INSERT INTO log VALUES('del', old.x); END"), "");
  EXPECT_EQ(q("INSERT INTO t VALUES(1), (2)"), "");
  EXPECT_EQ(q("UPDATE t SET x = 500"), "error: too big");
  EXPECT_EQ(q("DELETE FROM t WHERE x = 1"), "");
  EXPECT_EQ(q("SELECT what, val FROM log"), "ins|1\nins|2\ndel|1");
  EXPECT_EQ(q("CREATE TRIGGER ti AFTER INSERT ON t BEGIN SELECT 1; END"), "error: trigger ti already exists");
  ASSERT_EQ(q("CREATE VIEW v(doubled) AS SELECT x * 2 FROM t"), "");
  EXPECT_EQ(q("SELECT doubled FROM v"), "4");
  EXPECT_EQ(q("INSERT INTO v VALUES(1)"), "error: cannot modify v because it is a view");
  EXPECT_EQ(q("DROP VIEW v; DROP TRIGGER ti; SELECT count(*) FROM sqlite_schema WHERE type IN ('view', 'trigger')"), "2");
}

TEST_F(SqlTest, AlterTable) {
  ASSERT_EQ(q("CREATE TABLE old(a INTEGER PRIMARY KEY, b TEXT UNIQUE); INSERT INTO old VALUES(1, 'x')"), "");
  EXPECT_EQ(q("ALTER TABLE old ADD COLUMN c INTEGER DEFAULT 7"), "");
  EXPECT_EQ(q("SELECT a, b, c FROM old"), "1|x|7");
  EXPECT_EQ(q("ALTER TABLE old RENAME TO fresh"), "");
  EXPECT_EQ(q("SELECT * FROM fresh"), "1|x|7");
  EXPECT_EQ(q("ALTER TABLE fresh RENAME COLUMN b TO label"), "");
  EXPECT_EQ(q("SELECT label FROM fresh WHERE label = 'x'"), "x");
  EXPECT_EQ(q("SELECT name FROM sqlite_schema ORDER BY name"), "fresh\nsqlite_autoindex_fresh_1");
  EXPECT_EQ(q("SELECT * FROM old"), "error: no such table: old");
  EXPECT_EQ(q("PRAGMA integrity_check"), "ok");
}

TEST_F(SqlTest, TransactionsAndSavepoints) {
  ASSERT_EQ(q("CREATE TABLE t(x)"), "");
  EXPECT_EQ(q("BEGIN; INSERT INTO t VALUES(1); ROLLBACK; SELECT count(*) FROM t"), "0");
  EXPECT_EQ(q("BEGIN; INSERT INTO t VALUES(1); COMMIT; SELECT count(*) FROM t"), "1");
  EXPECT_EQ(q("BEGIN; INSERT INTO t VALUES(2); SAVEPOINT s; INSERT INTO t VALUES(3); ROLLBACK TO s; "
              "INSERT INTO t VALUES(4); RELEASE s; COMMIT; SELECT x FROM t ORDER BY x"),
            "1\n2\n4");
  EXPECT_EQ(q("COMMIT"), "error: cannot commit - no transaction is active");
  EXPECT_EQ(q("BEGIN; BEGIN"), "error: cannot start a transaction within a transaction");
  EXPECT_EQ(q("ROLLBACK"), "");
  // DDL rolls back too.
  EXPECT_EQ(q("BEGIN; CREATE TABLE gone(y); ROLLBACK; SELECT count(*) FROM sqlite_schema WHERE name = 'gone'"), "0");
  EXPECT_EQ(q("SELECT * FROM gone"), "error: no such table: gone");
}

TEST_F(SqlTest, SyntaxErrorsSayWhere) {
  EXPECT_EQ(q("SELECT * FORM t"), "error: 1:10: near \"FORM\": syntax error");
  EXPECT_EQ(q("SELECT 1,\n  2 +"), "error: 2:6: incomplete input");
  EXPECT_EQ(q("SELECT 'abc"), "error: 1:8: unterminated string literal");
  EXPECT_EQ(q("CREATE TABLE t(a INTEGER,)"), "error: 1:26: near \")\": syntax error");
  EXPECT_EQ(q("SELECT 1 #"), "error: 1:10: unrecognized token: \"#\"");
  EXPECT_EQ(q("SELECT nosuch(1)"), "error: no such function: nosuch");
}

TEST_F(SqlTest, PreparedStatementsAndParameters) {
  ASSERT_EQ(q("CREATE TABLE p(id INTEGER PRIMARY KEY, name TEXT)"), "");
  auto insert = db_->prepare("INSERT INTO p(name) VALUES(?)");
  ASSERT_TRUE(insert.is_ok());
  for (const char* name : {"ada", "bob", "cy"}) {
    ASSERT_TRUE((*insert)->bind_text(1, name).is_ok());
    auto done = (*insert)->step();
    ASSERT_TRUE(done.is_ok()) << done.status().message();
    EXPECT_FALSE(*done);
    ASSERT_TRUE((*insert)->reset().is_ok());
  }
  EXPECT_EQ(db_->last_insert_rowid(), 3);
  auto select = db_->prepare("SELECT id, name FROM p WHERE name >= :from ORDER BY id");
  ASSERT_TRUE(select.is_ok());
  EXPECT_EQ((*select)->parameter_index(":from"), 1);
  ASSERT_TRUE((*select)->bind_text(1, "b").is_ok());
  std::vector<std::string> names;
  while (true) {
    auto row = (*select)->step();
    ASSERT_TRUE(row.is_ok());
    if (!*row) break;
    EXPECT_EQ((*select)->column_count(), 2);
    EXPECT_EQ((*select)->column_name(1), "name");
    names.push_back((*select)->column_text(1));
    EXPECT_EQ((*select)->column_type(0), ValueType::kInteger);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"bob", "cy"}));
  EXPECT_FALSE((*select)->bind_int(2, 1).is_ok());
}

TEST_F(SqlTest, StatementSeesSchemaChanges) {
  ASSERT_EQ(q("CREATE TABLE s(a, b)"), "");
  auto select = db_->prepare("SELECT * FROM s");
  ASSERT_TRUE(select.is_ok());
  ASSERT_EQ(q("ALTER TABLE s ADD COLUMN c; INSERT INTO s VALUES(1, 2, 3)"), "");
  auto row = (*select)->step();
  ASSERT_TRUE(row.is_ok() && *row);
  EXPECT_EQ((*select)->column_count(), 3);
}

std::vector<std::string> plan_of(Database* db, const std::string& sql) {
  std::vector<std::string> lines;
  core::Status status = db->exec("EXPLAIN QUERY PLAN " + sql,
                           [&](const std::vector<std::string>&, const std::vector<Value>& row) {
                             lines.push_back(row[3].to_text());
                             return true;
                           });
  EXPECT_TRUE(status.is_ok()) << status.message();
  return lines;
}

bool plan_has(const std::vector<std::string>& plan, const std::string& needle) {
  for (const auto& line : plan) {
    if (line.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST_F(SqlTest, PlannerUsesIndexes) {
  ASSERT_EQ(q("CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c REAL)"), "");
  ASSERT_EQ(q("CREATE INDEX t_a ON t(a); CREATE INDEX t_bc ON t(b, c)"), "");
  EXPECT_TRUE(plan_has(plan_of(db_.get(), "SELECT * FROM t WHERE id = 5"),
                       "SEARCH t USING INTEGER PRIMARY KEY (rowid=?)"));
  EXPECT_TRUE(plan_has(plan_of(db_.get(), "SELECT * FROM t WHERE a = 5"), "SEARCH t USING INDEX t_a (a=?)"));
  EXPECT_TRUE(plan_has(plan_of(db_.get(), "SELECT c FROM t WHERE b = 'x' AND c > 1.5"),
                       "SEARCH t USING COVERING INDEX t_bc (b=? AND c>?)"));
  EXPECT_TRUE(plan_has(plan_of(db_.get(), "SELECT * FROM t WHERE id BETWEEN 1 AND 9"),
                       "SEARCH t USING INTEGER PRIMARY KEY (rowid>=? AND rowid<=?)"));
  EXPECT_TRUE(plan_has(plan_of(db_.get(), "SELECT * FROM t WHERE a IN (1, 2, 3)"), "a IN (...)"));
  EXPECT_TRUE(plan_has(plan_of(db_.get(), "SELECT * FROM t WHERE c > 1"), "SCAN t"));
  // ORDER BY served by the index: no sort.
  auto ordered = plan_of(db_.get(), "SELECT a FROM t ORDER BY a LIMIT 3");
  EXPECT_TRUE(plan_has(ordered, "INDEX t_a"));
  EXPECT_FALSE(plan_has(ordered, "TEMP B-TREE FOR ORDER BY"));
  EXPECT_TRUE(plan_has(plan_of(db_.get(), "SELECT max(a) FROM t"), "MIN/MAX"));
  // A join starts from the table with the selective predicate and probes the other by key.
  ASSERT_EQ(q("CREATE TABLE u(id INTEGER PRIMARY KEY, tid INTEGER, z)"), "");
  auto join = plan_of(db_.get(), "SELECT * FROM u, t WHERE t.id = u.tid AND u.id = 3");
  ASSERT_EQ(join.size(), 2u);
  EXPECT_EQ(join[0], "SEARCH u USING INTEGER PRIMARY KEY (rowid=?)");
  EXPECT_EQ(join[1], "SEARCH t USING INTEGER PRIMARY KEY (rowid=?)");
}

TEST_F(SqlTest, AnalyzeStatisticsGuideTheJoinOrder) {
  ASSERT_EQ(q("CREATE TABLE big(id INTEGER PRIMARY KEY, k INTEGER); CREATE INDEX big_k ON big(k)"), "");
  ASSERT_EQ(q("CREATE TABLE small(id INTEGER PRIMARY KEY, k INTEGER); CREATE INDEX small_k ON small(k)"), "");
  ASSERT_EQ(q("WITH n(i) AS (VALUES(1)) SELECT 1"), "1");
  std::string rows;
  for (int i = 0; i < 400; ++i) rows += (rows.empty() ? "" : ",") + std::string("(") + std::to_string(i % 200) + ")";
  ASSERT_EQ(q("INSERT INTO big(k) VALUES" + rows), "");
  ASSERT_EQ(q("INSERT INTO small(k) VALUES(1), (2), (3)"), "");
  ASSERT_EQ(q("ANALYZE"), "");
  EXPECT_EQ(q("SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY tbl"), "big|big_k|400 2\nsmall|small_k|3 1");
  // With the statistics, the small table drives the join and the big one is probed by index.
  auto plan = plan_of(db_.get(), "SELECT count(*) FROM big, small WHERE big.k = small.k");
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].rfind("SCAN small", 0), 0u) << plan[0];
  EXPECT_EQ(plan[1], "SEARCH big USING COVERING INDEX big_k (k=?)");
  EXPECT_EQ(q("SELECT count(*) FROM big, small WHERE big.k = small.k"), "6");
}

TEST(SqlFileTest, TwoConnectionsShareAFile) {
  core::testing::TempDir dir;
  std::string path = dir.file("shared.db");
  auto first = Database::open(path);
  auto second = Database::open(path);
  ASSERT_TRUE(first.is_ok() && second.is_ok());
  EXPECT_EQ(run(first->get(), "CREATE TABLE t(x); INSERT INTO t VALUES(1)"), "");
  EXPECT_EQ(run(second->get(), "SELECT x FROM t"), "1");
  // A reader keeps its snapshot while the other connection commits.
  auto reader = (*second)->prepare("SELECT x FROM t ORDER BY x");
  ASSERT_TRUE(reader.is_ok());
  auto row = (*reader)->step();
  ASSERT_TRUE(row.is_ok() && *row);
  EXPECT_EQ(run(first->get(), "INSERT INTO t VALUES(2)"), "");
  row = (*reader)->step();
  ASSERT_TRUE(row.is_ok());
  EXPECT_FALSE(*row);  // still the old snapshot: one row
  ASSERT_TRUE((*reader)->reset().is_ok());
  EXPECT_EQ(run(second->get(), "SELECT count(*) FROM t"), "2");
  // Two writers: the second waits for the lock, then gives up with "database is locked".
  EXPECT_EQ(run(first->get(), "BEGIN IMMEDIATE; INSERT INTO t VALUES(3)"), "");
  EXPECT_EQ(run(second->get(), "PRAGMA busy_timeout = 50"), "50");
  EXPECT_EQ(run(second->get(), "INSERT INTO t VALUES(4)"), "error: database is locked");
  EXPECT_EQ(run(first->get(), "COMMIT"), "");
  EXPECT_EQ(run(second->get(), "INSERT INTO t VALUES(4); SELECT count(*) FROM t"), "4");
  reader->reset();
  second->reset();
  first->reset();
  auto again = Database::open(path);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(run(again->get(), "SELECT group_concat(x) FROM t; PRAGMA integrity_check"), "1,2,3,4\nok");
}

TEST(SqlFileTest, CorruptFilesGiveErrorsNotCrashes) {
  core::testing::TempDir dir;
  std::string path = dir.file("c.db");
  {
    auto db = Database::open(path);
    ASSERT_TRUE(db.is_ok());
    std::string sql = "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX tv ON t(v); BEGIN;";
    for (int i = 0; i < 2000; ++i) sql += "INSERT INTO t(v) VALUES('value " + std::to_string(i) + "');";
    sql += "COMMIT;";
    ASSERT_EQ(run(db->get(), sql), "");
  }
  auto original = core::read_file(path);
  ASSERT_TRUE(original.is_ok());
  // Damage one page at a time (past the header page): every outcome must be an error or a
  // successful query, never a crash.
  for (size_t page = 1; page * 4096 < original->size(); page += 3) {
    std::string damaged = *original;
    for (size_t i = 0; i < 4096; i += 7) damaged[page * 4096 + i] = static_cast<char>(i * 13 + page);
    ASSERT_TRUE(core::write_file(path, damaged).is_ok());
    auto db = Database::open(path);
    if (!db.is_ok()) continue;
    std::string result = run(db->get(), "SELECT count(*), sum(length(v)) FROM t WHERE v > 'value 5'");
    std::string check = run(db->get(), "PRAGMA integrity_check");
    EXPECT_FALSE(check == "ok" && result.rfind("error", 0) == 0) << "page " << page;
  }
  std::string bad_header = *original;
  bad_header.replace(0, 16, "not a database!!");
  ASSERT_TRUE(core::write_file(path, bad_header).is_ok());
  auto db = Database::open(path);
  ASSERT_FALSE(db.is_ok());
  EXPECT_NE(db.status().message().find("not a database"), std::string::npos);
}

}  // namespace
}  // namespace sfs::sql
