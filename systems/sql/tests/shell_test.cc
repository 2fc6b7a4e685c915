// The `sfs sql` command line, driven as a user would: the REPL fed through stdin, one-shot
// statements as arguments, dot commands, output modes, CSV import, errors, and the logictest
// subcommand.
#include <gtest/gtest.h>

#include "core/file.h"
#include "core/process.h"
#include "core/testing/testing.h"

namespace sfs::sql {
namespace {

core::CapturedRun sfs_sql(const std::vector<std::string>& args, const std::string& input = "") {
  std::vector<std::string> argv = {core::testing::sfs_binary(), "sql"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto run = core::run_and_capture(argv, input, 60000);
  EXPECT_TRUE(run.is_ok()) << run.status().to_string();
  return run.is_ok() ? *run : core::CapturedRun{-1, ""};
}

// The acceptance scenario: create a database in the REPL, import a CSV, index it, query it.
TEST(ShellTest, NewUserImportsCsvIndexesAndQueries) {
  core::testing::TempDir dir;
  std::string csv = dir.file("people.csv");
  ASSERT_TRUE(core::write_file(csv, "name,city,age\n"
                                    "Ada,London,36\n"
                                    "\"Grace, Rear Admiral\",New York,85\n"
                                    "Linus,Helsinki,54\n"
                                    "Margaret,Boston,87\n").is_ok());
  std::string db = dir.file("people.db");
  std::string session =
      ".import " + csv + " people\n"
      "CREATE INDEX people_city\n"
      "  ON people(city);\n"
      ".tables\n"
      ".schema people\n"
      ".mode table\n"
      "SELECT name, CAST(age AS INTEGER) AS age\n"
      "  FROM people\n"
      " WHERE city = 'Helsinki' OR age > 80\n"
      " ORDER BY age;\n"
      ".mode csv\n"
      "SELECT name FROM people WHERE city = 'New York';\n"
      ".mode json\n"
      "SELECT count(*) AS n FROM people;\n"
      ".mode list\n"
      "EXPLAIN QUERY PLAN SELECT * FROM people WHERE city = 'Boston';\n";
  auto run = sfs_sql({db}, session);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("people\n"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("CREATE INDEX people_city\n  ON people(city);"), std::string::npos);
  EXPECT_NE(run.output.find("+---------------------+-----+\n"
                            "| name                | age |\n"
                            "+---------------------+-----+\n"
                            "| Linus               |  54 |\n"
                            "| Grace, Rear Admiral |  85 |\n"
                            "| Margaret            |  87 |\n"
                            "+---------------------+-----+\n"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("\"Grace, Rear Admiral\"\r\n"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("[{\"n\":4}]"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("QUERY PLAN\n`--SEARCH people USING INDEX people_city (city=?)"),
            std::string::npos)
      << run.output;
  // The data is in the file.
  auto again = sfs_sql({db, "SELECT count(*) FROM people", "PRAGMA integrity_check"});
  EXPECT_EQ(again.output, "4\nok\n");
}

TEST(ShellTest, OneShotStatementsAndExitCodes) {
  auto run = sfs_sql({":memory:", "SELECT 1, 'two'; SELECT 3"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.output, "1|two\n3\n");
  auto header = sfs_sql({"--header", "--mode", "csv", ":memory:", "SELECT 1 AS a, 'x,y' AS b"});
  EXPECT_EQ(header.output, "a,b\r\n1,\"x,y\"\r\n");
  auto bad = sfs_sql({":memory:", "SELECT * FROM nowhere"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.output, "Error: no such table: nowhere\n");
  auto syntax = sfs_sql({":memory:", "SELECT 1 +"});
  EXPECT_EQ(syntax.output, "Error: 1:11: incomplete input\n");
}

TEST(ShellTest, ScriptKeepsGoingAfterErrorsAndHandlesTriggers) {
  std::string script =
      "CREATE TABLE t(x);\n"
      "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
      "  INSERT INTO t2 VALUES(new.x);\n"
      "END;\n"
      "CREATE TABLE t2(y);\n"
      "INSERT INTO t VALUES(1); INSERT INTO nope VALUES(1);\n"
      "SELECT y FROM t2;\n"
      "SELECT 'semi;colon', \"quoted;name\" FROM (SELECT 1 AS \"quoted;name\");\n"
      "-- a comment; with a semicolon\n"
      "SELECT 2;\n";
  auto run = sfs_sql({":memory:"}, script);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("Error: no such table: nope"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("1\nsemi;colon|1\n2\n"), std::string::npos) << run.output;
}

TEST(ShellTest, LogictestSubcommand) {
  core::testing::TempDir dir;
  std::string file = dir.file("mini.test");
  ASSERT_TRUE(core::write_file(file,
                               "statement ok\nCREATE TABLE t(a INTEGER, b TEXT)\n\n"
                               "statement ok\nINSERT INTO t VALUES(1, 'x'), (2, '')\n\n"
                               "statement error\nINSERT INTO nope VALUES(1)\n\n"
                               "query IT rowsort\nSELECT a, b FROM t\n----\n1\nx\n2\n(empty)\n\n"
                               "skipif sqlite\nquery I nosort\nSELECT 1\n----\n2\n\n"
                               "query R nosort\nSELECT 1.0 / 3\n----\n0.333\n\n"
                               "query I nosort\nSELECT a FROM t ORDER BY a\n----\n1\n3\n")
                  .is_ok());
  auto run = sfs_sql({"logictest", file});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("mini.test: 5 passed, 1 failed, 1 skipped"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("mini.test:29: wrong result"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace sfs::sql
