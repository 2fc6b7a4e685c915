// Runs .lox test files the way the reference suite's runner (craftinginterpreters tool/bin/test.dart)
// judges them, so our own golden tests and the reference suite use one set of rules:
//
//   print 1;  // expect: 1                      stdout, line by line, in order
//   a.b;      // expect runtime error: msg      stderr line 1 is msg; the first "[line N]" of the
//                                               stack trace is this line; exit code 70
//   1 +;      // Error at ';': Expect ...       stderr holds "[line N] Error at ...", exit 65
//   // [line 3] Error ...  or  // [c line 3]   an error on another line (the "c" ones are for a C
//                                               implementation like ours; "java" ones are not)
//
// Every stderr line must be an expected error (order free), and the exit code must match.
#pragma once

#include <string>
#include <vector>

namespace sfs::lang::testing {

struct RunResult {
  int exit_code = 0;
  std::string out;
  std::string err;
};

struct Expectations {
  std::vector<std::string> output;
  std::vector<std::string> compile_errors;  // "[N] Error ..."
  std::string runtime_error;
  int runtime_error_line = 0;
  int exit_code = 0;
};

Expectations parse_expectations(const std::string& source);

// The failures (empty when the run met every expectation).
std::vector<std::string> check_run(const Expectations& expected, const RunResult& run);

// Runs `sfs lang run [extra...] path` with stdout and stderr captured separately.
RunResult run_lox_file(const std::string& path, const std::vector<std::string>& extra = {});

// The .lox files under `dir`, recursively, sorted.
std::vector<std::string> find_lox_files(const std::string& dir);

}  // namespace sfs::lang::testing
