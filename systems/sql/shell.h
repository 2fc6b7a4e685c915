// The interactive shell of `sfs sql`: a REPL in the style of the sqlite3 command-line tool.
//
// Statements may span lines; one runs when a line ends it with ';' (a CREATE TRIGGER runs at its
// END;). Dot commands configure the session: .tables, .schema, .mode (table, list, csv, json,
// line), .headers, .timer, .import FILE.csv TABLE, .read FILE, .indexes, .nullvalue, .help, .quit.
// Interactive sessions default to aligned tables; piped input defaults to '|'-separated lists,
// as sqlite3 does, so scripts and benchmarks read the same output from both.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "systems/sql/sql.h"

namespace sfs::sql {

enum class OutputMode { kList, kTable, kCsv, kJson, kLine };

class Shell {
 public:
  Shell(std::unique_ptr<Database> db, std::FILE* out, std::FILE* err);

  void set_mode(OutputMode mode) { mode_ = mode; }
  void set_headers(bool on) { headers_ = on; }
  void set_bail(bool on) { bail_ = on; }

  // Runs SQL text (one or more statements). Returns false after an error.
  bool run_sql(std::string_view sql);
  // Runs a dot command line (".tables"). Returns false after an error; *quit on .quit/.exit.
  bool run_dot(std::string_view line, bool* quit);
  // Reads statements and dot commands from `in` until EOF or .quit. Returns the exit code (0, or
  // 1 when some statement failed).
  int run(std::FILE* in);
  // The interactive REPL on the terminal: line editing and history (core/line_editor.h),
  // "sql> " and "...> " prompts, Ctrl-C drops the statement being typed.
  int run_interactive();

  bool had_error() const { return had_error_; }

 private:
  // Feeds one input line; runs statements it completes. Returns false to stop (.quit, or an
  // error with .bail on).
  bool feed_line(std::string_view line);
  bool print_statement(PreparedStatement* statement);
  void print_rows(const std::vector<std::string>& names, const std::vector<std::vector<Value>>& rows,
                  bool explain);
  bool import_csv(const std::string& file, const std::string& table);
  std::string cell(const Value& v) const;
  void error(const std::string& message);

  std::unique_ptr<Database> db_;
  std::FILE* out_;
  std::FILE* err_;
  OutputMode mode_ = OutputMode::kList;
  bool headers_ = false;
  bool timer_ = false;
  bool bail_ = false;
  bool had_error_ = false;
  std::string null_value_;
  std::string pending_;  // a statement typed so far
  bool quit_ = false;
};

// True when `sql` ends at a statement boundary (outside strings, comments and trigger bodies).
bool sql_complete(std::string_view sql);

}  // namespace sfs::sql
