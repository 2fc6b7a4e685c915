// A runner for sqllogictest files (the .test format of SQLite's sqllogictest suite).
//
//   statement ok | statement error          SQL follows until a blank line
//   query <types> <sort> [label]            SQL, then "----", then the expected values
//   skipif <db> / onlyif <db>               conditions on the next record
//   hash-threshold N / halt                 settings
//
// Query results are formatted by column type (I: integer "%lld", R: real "%.3f" with SQLite's
// rounding, T: text with "(empty)" for '' and '@' for unprintable bytes), NULL as "NULL", sorted
// as asked (nosort, rowsort, valuesort), and compared value by value — or, when there are more
// values than the hash threshold, as "N values hashing to <md5 of the values, each followed by
// a newline>". This runner identifies itself as "sqlite": records marked "onlyif sqlite" run and
// "skipif sqlite" are skipped, since the engine implements SQLite's dialect.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace sfs::sql {

struct LogicTestOptions {
  std::string engine = "sqlite";  // the name matched by skipif/onlyif
  size_t max_reported_failures = 10;
  bool verbose = false;           // print every failure as it happens
  std::string database = ":memory:";
  int max_records = 0;            // stop after this many statement/query records (0: all)
};

struct LogicTestResult {
  std::string file;
  int passed = 0;
  int failed = 0;
  int skipped = 0;
  std::vector<std::string> failures;  // the first few, with line numbers
};

// Runs one .test file against a fresh database.
core::Result<LogicTestResult> run_logic_test(const std::string& path,
                                             const LogicTestOptions& options = {});

}  // namespace sfs::sql
