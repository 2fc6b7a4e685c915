// `sfs sql`: the command line.
//
//   sfs sql [FILE.db]                   interactive shell (":memory:" when no file)
//   sfs sql FILE.db "SQL; ..."          run the statements, print results, exit
//   sfs sql FILE.db < script.sql        run a script (sqlite3-compatible list output)
//   sfs sql logictest FILE.test...      run sqllogictest files, print pass/fail counts
#include <unistd.h>

#include <cstdio>

#include "core/flags.h"
#include "systems/sql/logictest.h"
#include "systems/sql/shell.h"

namespace sfs::sql {
namespace {

int logictest_main(int argc, char** argv) {
  std::vector<std::string> files;
  bool verbose = false;
  int show = 10;
  core::Flags flags("sfs sql logictest", "Run sqllogictest files and report per-file and total counts.");
  flags.add("verbose", &verbose, "print every failure", 'v');
  flags.add("show", &show, "failures to show per file");
  flags.rest("FILE", &files, ".test files");
  if (auto code = flags.parse(argc, argv)) return *code;
  if (files.empty()) {
    std::fprintf(stderr, "sfs sql logictest: no files given\n");
    return 2;
  }
  int passed = 0, failed = 0, skipped = 0;
  bool broken = false;
  for (const std::string& file : files) {
    LogicTestOptions options;
    options.verbose = verbose;
    options.max_reported_failures = static_cast<size_t>(std::max(0, show));
    auto result = run_logic_test(file, options);
    if (!result.is_ok()) {
      std::fprintf(stderr, "%s: %s\n", file.c_str(), result.status().message().c_str());
      broken = true;
      continue;
    }
    if (!verbose) {
      for (const auto& f : result->failures) std::fprintf(stderr, "%s\n", f.c_str());
    }
    int total = result->passed + result->failed;
    std::printf("%s: %d passed, %d failed, %d skipped (%.2f%%)\n", file.c_str(), result->passed,
                result->failed, result->skipped, total > 0 ? 100.0 * result->passed / total : 100.0);
    passed += result->passed;
    failed += result->failed;
    skipped += result->skipped;
  }
  int total = passed + failed;
  std::printf("total: %d passed, %d failed, %d skipped (%.2f%%)\n", passed, failed, skipped,
              total > 0 ? 100.0 * passed / total : 100.0);
  return (failed > 0 || broken) ? 1 : 0;
}

int shell_main(int argc, char** argv) {
  std::string file;
  std::vector<std::string> sql;
  std::string mode;
  bool headers = false;
  bool bail = false;
  bool unbuffered = false;
  core::Flags flags("sfs sql", "An embedded SQL database (SQLite's dialect, its own storage engine).");
  flags.add("mode", &mode, "output mode: table, list, csv, json, line", 0, "MODE");
  flags.add("header", &headers, "show column names (list and csv modes)");
  flags.add("bail", &bail, "stop at the first error");
  flags.add("unbuffered", &unbuffered, "write each output line at once (for pipes)");
  flags.positional("FILE", &file, "database file (default: an in-memory database)");
  flags.rest("SQL", &sql, "statements to run instead of starting the shell");
  flags.epilog(
      "Subcommands:\n"
      "  sfs sql logictest FILE.test...   run sqllogictest files\n\n"
      "In the shell, .help lists the dot commands.");
  flags.stop_at_first_positional();
  if (auto code = flags.parse(argc, argv)) return *code;
  if (file.empty()) file = ":memory:";
  if (unbuffered) std::setvbuf(stdout, nullptr, _IOLBF, 0);
  auto db = Database::open(file);
  if (!db.is_ok()) {
    std::fprintf(stderr, "Error: %s\n", db.status().message().c_str());
    return 1;
  }
  bool interactive = sql.empty() && isatty(STDIN_FILENO);
  Shell shell(std::move(*db), stdout, stderr);
  shell.set_mode(interactive ? OutputMode::kTable : OutputMode::kList);
  shell.set_bail(bail);
  if (headers) shell.set_headers(true);
  if (!mode.empty()) {
    bool quit = false;
    if (!shell.run_dot(".mode " + mode, &quit)) return 2;
  }
  if (!sql.empty()) {
    for (const std::string& statement : sql) {
      bool ok;
      if (!statement.empty() && statement[0] == '.') {
        bool quit = false;
        ok = shell.run_dot(statement, &quit);
      } else {
        ok = shell.run_sql(statement);
      }
      if (!ok) return 1;
    }
    return 0;
  }
  return interactive ? shell.run_interactive() : shell.run(stdin);
}

}  // namespace

int cli_main(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == "logictest") {
    std::string name = std::string(argv[0]) + " logictest";
    std::vector<char*> args(argv + 1, argv + argc);
    args[0] = name.data();
    return logictest_main(static_cast<int>(args.size()), args.data());
  }
  return shell_main(argc, argv);
}

}  // namespace sfs::sql
