// The `sfs sql` shell (see shell.h).
#include "systems/sql/shell.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "core/file.h"
#include "core/line_editor.h"
#include "core/strings.h"
#include "formats/json/json.h"
#include "systems/sql/tokenizer.h"

namespace sfs::sql {

namespace {
// What last_significant() must look at: 1 blank, 2 quote, 3 maybe a comment; 0 anything else.
struct CharClasses {
  uint8_t of[256] = {};
  constexpr CharClasses() {
    for (char c : {' ', '\t', '\n', '\r', '\f', '\v'}) of[static_cast<uint8_t>(c)] = 1;
    for (char c : {'\'', '"', '`', '['}) of[static_cast<uint8_t>(c)] = 2;
    for (char c : {'-', '/'}) of[static_cast<uint8_t>(c)] = 3;
  }
};
constexpr CharClasses kCharClasses;

// The last significant character outside strings, names and comments; '\0' when unterminated.
char last_significant(std::string_view sql) {
  char last = ' ';
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    uint8_t kind = kCharClasses.of[static_cast<uint8_t>(c)];
    if (kind == 0) {
      last = c;
      continue;
    }
    if (kind == 1) continue;
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      char close = c == '[' ? ']' : c;
      size_t end = sql.find(close, i + 1);
      if (end == std::string_view::npos) return '\0';
      i = end;
      last = close;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      size_t end = sql.find('\n', i);
      if (end == std::string_view::npos) break;
      i = end;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      if (end == std::string_view::npos) return '\0';
      i = end + 1;
    } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') {
      last = c;
    }
  }
  return last;
}

bool mentions_trigger(std::string_view sql) {
  const char* p = sql.data();
  for (size_t i = 0; i + 7 <= sql.size(); ++i) {
    // (c | 0x20) lower-cases a letter: a cheap filter before the real comparison.
    if ((p[i] | 0x20) == 't' && (p[i + 1] | 0x20) == 'r' &&
        core::iequals(std::string_view(p + i, 7), "trigger")) {
      return true;
    }
  }
  return false;
}
}  // namespace

bool sql_complete(std::string_view sql) {
  // The common case, without a CREATE TRIGGER: complete when it ends with ';'.
  if (!mentions_trigger(sql)) return last_significant(sql) == ';';
  auto tokens = tokenize(sql);
  if (!tokens.is_ok()) {
    // An unterminated string or quoted name needs more input; other errors are complete (and
    // will be reported when run).
    const std::string& m = tokens.status().message();
    return m.find("unterminated") == std::string::npos;
  }
  // Walk statements: a CREATE [TEMP] TRIGGER body ends at END followed by ';'.
  bool last_was_semicolon = false;
  bool in_trigger = false;
  bool trigger_body = false;
  size_t statement_start = 0;
  const auto& list = *tokens;
  for (size_t i = 0; i + 1 < list.size(); ++i) {
    const Token& t = list[i];
    bool semicolon = t.kind == TokenKind::kOperator && t.text == ";";
    if (i == statement_start && t.keyword == kw::kCREATE) {
      size_t j = i + 1;
      if (list[j].keyword == kw::kTEMP || list[j].keyword == kw::kTEMPORARY) ++j;
      in_trigger = list[j].keyword == kw::kTRIGGER;
      trigger_body = false;
    }
    if (in_trigger && t.keyword == kw::kBEGIN) trigger_body = true;
    if (semicolon) {
      bool ends = !in_trigger || !trigger_body ||
                  (i > 0 && list[i - 1].keyword == kw::kEND);
      if (ends) {
        in_trigger = false;
        statement_start = i + 1;
        last_was_semicolon = true;
        continue;
      }
    }
    if (!semicolon) last_was_semicolon = false;
  }
  return last_was_semicolon;
}

Shell::Shell(std::unique_ptr<Database> db, std::FILE* out, std::FILE* err)
    : db_(std::move(db)), out_(out), err_(err) {}

void Shell::error(const std::string& message) {
  had_error_ = true;
  std::fprintf(err_, "Error: %s\n", message.c_str());
  std::fflush(err_);
}

std::string Shell::cell(const Value& v) const {
  if (v.is_null()) return null_value_;
  return v.to_text();
}

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// JSON mode quotes text with formats/json's writer (invalid UTF-8 becomes U+FFFD, so the output
// always parses).
std::string json_string(std::string_view s) {
  std::string out;
  json::append_quoted(&out, s);
  return out;
}

std::string json_value(const Value& v) {
  switch (v.type()) {
    case ValueType::kNull: return "null";
    case ValueType::kInteger: return std::to_string(v.int_value());
    case ValueType::kReal: {
      std::string t = real_to_text(v.real_value());
      if (t == "Inf") return "1e999";
      if (t == "-Inf") return "-1e999";
      return t;
    }
    case ValueType::kText: return json_string(v.str());
    case ValueType::kBlob: {
      static const char kHex[] = "0123456789abcdef";
      std::string hex;
      for (unsigned char c : v.str()) {
        hex += kHex[c >> 4];
        hex += kHex[c & 15];
      }
      return json_string(hex);
    }
  }
  return "null";
}

// Display width of UTF-8 text (code points; good enough for alignment).
size_t display_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

double seconds(const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; }

}  // namespace

void Shell::print_rows(const std::vector<std::string>& names,
                       const std::vector<std::vector<Value>>& rows, bool explain) {
  if (explain) {
    // EXPLAIN QUERY PLAN as a tree, like sqlite3.
    std::fprintf(out_, "QUERY PLAN\n");
    std::vector<int64_t> parents;
    for (size_t r = 0; r < rows.size(); ++r) {
      int64_t id = rows[r][0].to_int(), parent = rows[r][1].to_int();
      while (!parents.empty() && parents.back() != parent) parents.pop_back();
      bool last = true;
      for (size_t k = r + 1; k < rows.size(); ++k) {
        if (rows[k][1].to_int() == parent) {
          last = false;
          break;
        }
        // A later sibling can only follow after this subtree.
      }
      std::string prefix;
      for (size_t d = 0; d < parents.size(); ++d) prefix += "   ";
      std::fprintf(out_, "%s%s%s\n", prefix.c_str(), last ? "`--" : "|--", rows[r][3].to_text().c_str());
      parents.push_back(id);
    }
    return;
  }
  switch (mode_) {
    case OutputMode::kTable: {
      if (names.empty()) return;
      std::vector<size_t> widths(names.size());
      std::vector<bool> numeric(names.size(), true);
      for (size_t c = 0; c < names.size(); ++c) widths[c] = display_width(names[c]);
      std::vector<std::vector<std::string>> cells;
      for (const auto& row : rows) {
        std::vector<std::string> line;
        for (size_t c = 0; c < names.size(); ++c) {
          line.push_back(cell(row[c]));
          widths[c] = std::max(widths[c], display_width(line.back()));
          if (!row[c].is_numeric() && !row[c].is_null()) numeric[c] = false;
        }
        cells.push_back(std::move(line));
      }
      std::string rule = "+";
      for (size_t w : widths) rule += std::string(w + 2, '-') + "+";
      auto print_line = [&](const std::vector<std::string>& line, bool header) {
        std::string text = "|";
        for (size_t c = 0; c < line.size(); ++c) {
          size_t pad = widths[c] - display_width(line[c]);
          if (numeric[c] && !header) {
            text += " " + std::string(pad, ' ') + line[c] + " |";
          } else {
            text += " " + line[c] + std::string(pad, ' ') + " |";
          }
        }
        std::fprintf(out_, "%s\n", text.c_str());
      };
      std::fprintf(out_, "%s\n", rule.c_str());
      print_line(names, true);
      std::fprintf(out_, "%s\n", rule.c_str());
      if (!cells.empty()) {
        for (const auto& line : cells) print_line(line, false);
        std::fprintf(out_, "%s\n", rule.c_str());
      }
      break;
    }
    default:
      break;
  }
}

bool Shell::print_statement(PreparedStatement* statement) {
  bool explain = false;
  std::vector<std::vector<Value>> buffered;
  bool buffer = mode_ == OutputMode::kTable;
  bool first_row = true;
  bool first_json = true;
  while (true) {
    auto row = statement->step();
    if (!row.is_ok()) {
      if (mode_ == OutputMode::kJson && !first_json) std::fprintf(out_, "]\n");
      error(row.status().message());
      return false;
    }
    if (!*row) break;
    int n = statement->column_count();
    if (first_row) {
      explain = n == 4 && statement->column_name(0) == "id" && statement->column_name(3) == "detail" &&
                (core::iequals(std::string(core::trim(statement->sql())).substr(0, 7), "EXPLAIN"));
      if (explain) buffer = true;
      if (!buffer && headers_ && (mode_ == OutputMode::kList || mode_ == OutputMode::kCsv)) {
        std::string line;
        for (int c = 0; c < n; ++c) {
          if (c > 0) line += mode_ == OutputMode::kCsv ? "," : "|";
          line += mode_ == OutputMode::kCsv ? csv_field(statement->column_name(c)) : statement->column_name(c);
        }
        std::fprintf(out_, "%s%s", line.c_str(), mode_ == OutputMode::kCsv ? "\r\n" : "\n");
      }
      first_row = false;
    }
    if (buffer) {
      buffered.push_back(statement->row());
      continue;
    }
    switch (mode_) {
      case OutputMode::kList: {
        std::string line;
        for (int c = 0; c < n; ++c) {
          if (c > 0) line += '|';
          line += cell(statement->column(c));
        }
        line += '\n';
        std::fwrite(line.data(), 1, line.size(), out_);
        break;
      }
      case OutputMode::kCsv: {
        std::string line;
        for (int c = 0; c < n; ++c) {
          if (c > 0) line += ',';
          const Value& v = statement->column(c);
          line += v.is_null() ? "" : csv_field(v.to_text());
        }
        line += "\r\n";
        std::fwrite(line.data(), 1, line.size(), out_);
        break;
      }
      case OutputMode::kJson: {
        std::string line = first_json ? "[{" : ",\n{";
        first_json = false;
        for (int c = 0; c < n; ++c) {
          if (c > 0) line += ",";
          line += json_string(statement->column_name(c)) + ":" + json_value(statement->column(c));
        }
        line += "}";
        std::fwrite(line.data(), 1, line.size(), out_);
        break;
      }
      case OutputMode::kLine: {
        size_t width = 0;
        for (int c = 0; c < n; ++c) width = std::max(width, statement->column_name(c).size());
        std::string text = first_json ? "" : "\n";
        first_json = false;
        for (int c = 0; c < n; ++c) {
          text += std::string(width - statement->column_name(c).size(), ' ') +
                  statement->column_name(c) + " = " + cell(statement->column(c)) + "\n";
        }
        std::fwrite(text.data(), 1, text.size(), out_);
        break;
      }
      case OutputMode::kTable:
        break;
    }
  }
  if (mode_ == OutputMode::kJson && !first_json) std::fprintf(out_, "]\n");
  if (buffer && !first_row) {
    std::vector<std::string> names;
    for (int c = 0; c < statement->column_count(); ++c) names.push_back(statement->column_name(c));
    print_rows(names, buffered, explain);
  }
  return true;
}

bool Shell::run_sql(std::string_view sql) {
  bool ok = true;
  size_t offset = 0;
  while (offset < sql.size()) {
    auto begin = std::chrono::steady_clock::now();
    rusage usage_before;
    if (timer_) getrusage(RUSAGE_SELF, &usage_before);
    size_t tail = 0;
    auto statement = db_->prepare(sql.substr(offset), &tail);
    if (!statement.is_ok()) {
      error(statement.status().message());
      return false;
    }
    if (*statement == nullptr) break;
    offset += tail;
    // Only blanks left (the newline after the last ';'): nothing more to prepare.
    size_t rest = offset;
    while (rest < sql.size() && std::isspace(static_cast<unsigned char>(sql[rest]))) ++rest;
    if (rest == sql.size()) offset = rest;
    if (!print_statement(statement->get())) {
      ok = false;
      if (bail_) return false;
    }
    if (timer_) {
      rusage usage_after;
      getrusage(RUSAGE_SELF, &usage_after);
      double real = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
      std::fprintf(out_, "Run Time: real %.3f user %.6f sys %.6f\n", real,
                   seconds(usage_after.ru_utime) - seconds(usage_before.ru_utime),
                   seconds(usage_after.ru_stime) - seconds(usage_before.ru_stime));
    }
  }
  std::fflush(out_);
  return ok;
}

namespace {

// Splits a CSV document into records of fields (RFC 4180: quotes, doubled quotes, CRLF).
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty() || !record.empty()) {
        record.push_back(std::move(field));
        records.push_back(std::move(record));
      }
      record.clear();
      field.clear();
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (any || !field.empty() || !record.empty()) {
    record.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  return records;
}

std::string quote_name(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

bool Shell::import_csv(const std::string& file, const std::string& table) {
  auto text = core::read_file(file);
  if (!text.is_ok()) {
    error("cannot open \"" + file + "\": " + text.status().message());
    return false;
  }
  auto records = parse_csv(*text);
  if (records.empty()) return true;
  bool exists = false;
  {
    auto check = db_->prepare("SELECT 1 FROM sqlite_schema WHERE type IN ('table','view') AND name = ?1 COLLATE NOCASE");
    if (check.is_ok() && *check) {
      (void)(*check)->bind_text(1, table);
      auto row = (*check)->step();
      exists = row.is_ok() && *row;
    }
  }
  size_t first = 0;
  size_t width = records[0].size();
  if (!exists) {
    std::string create = "CREATE TABLE " + quote_name(table) + "(";
    for (size_t c = 0; c < width; ++c) {
      if (c > 0) create += ", ";
      std::string name = records[0][c].empty() ? "c" + std::to_string(c + 1) : records[0][c];
      create += quote_name(name) + " TEXT";
    }
    create += ")";
    auto status = db_->exec(create);
    if (!status.is_ok()) {
      error(status.message());
      return false;
    }
    first = 1;
  } else {
    auto count = db_->prepare("SELECT * FROM " + quote_name(table) + " LIMIT 0");
    if (!count.is_ok() || !*count) {
      error(count.is_ok() ? "no such table" : count.status().message());
      return false;
    }
    (void)(*count)->step();
    width = static_cast<size_t>((*count)->column_count());
  }
  std::string insert = "INSERT INTO " + quote_name(table) + " VALUES(";
  for (size_t c = 0; c < width; ++c) insert += c == 0 ? "?" : ",?";
  insert += ")";
  bool own_transaction = db_->autocommit();
  if (own_transaction && !db_->exec("BEGIN").is_ok()) return false;
  auto statement = db_->prepare(insert);
  if (!statement.is_ok()) {
    error(statement.status().message());
    if (own_transaction) (void)db_->exec("ROLLBACK");
    return false;
  }
  for (size_t r = first; r < records.size(); ++r) {
    auto& record = records[r];
    if (record.size() != width) {
      std::fprintf(err_, "%s:%zu: expected %zu columns but found %zu - %s\n", file.c_str(), r + 1,
                   width, record.size(), record.size() < width ? "filling the rest with NULL" : "extras ignored");
    }
    for (size_t c = 0; c < width; ++c) {
      if (c < record.size()) {
        (void)(*statement)->bind_text(static_cast<int>(c + 1), record[c]);
      } else {
        (void)(*statement)->bind_null(static_cast<int>(c + 1));
      }
    }
    auto done = (*statement)->step();
    if (!done.is_ok()) {
      error(file + ":" + std::to_string(r + 1) + ": " + done.status().message());
      statement->reset();
      if (own_transaction) (void)db_->exec("ROLLBACK");
      return false;
    }
    (void)(*statement)->reset();
  }
  statement->reset();
  if (own_transaction) {
    auto status = db_->exec("COMMIT");
    if (!status.is_ok()) {
      error(status.message());
      return false;
    }
  }
  return true;
}

bool Shell::run_dot(std::string_view line, bool* quit) {
  std::vector<std::string> args;
  {
    // Arguments split on spaces; "quoted" and 'quoted' arguments may hold spaces.
    std::string current;
    bool in = false;
    char quote = 0;
    for (char c : line) {
      if (quote) {
        if (c == quote) {
          quote = 0;
        } else {
          current += c;
        }
        continue;
      }
      if (c == '"' || c == '\'') {
        quote = c;
        in = true;
      } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        if (in) args.push_back(std::move(current));
        current.clear();
        in = false;
      } else {
        current += c;
        in = true;
      }
    }
    if (in) args.push_back(std::move(current));
  }
  if (args.empty()) return true;
  std::string command = args[0];
  auto arg = [&](size_t i) { return i < args.size() ? args[i] : std::string(); };
  if (command == ".quit" || command == ".exit") {
    *quit = true;
    return true;
  }
  if (command == ".help") {
    std::fprintf(out_,
                 ".headers on|off        show column names in list and csv modes\n"
                 ".import FILE TABLE     import CSV (creates TABLE from the header row if needed)\n"
                 ".indexes [TABLE]       list indexes\n"
                 ".mode MODE             table | list | csv | json | line\n"
                 ".nullvalue TEXT        how NULL is shown\n"
                 ".quit                  leave\n"
                 ".read FILE             run the SQL in FILE\n"
                 ".schema [PATTERN]      show CREATE statements\n"
                 ".tables [PATTERN]      list tables and views\n"
                 ".timer on|off          time each statement\n");
    return true;
  }
  if (command == ".tables" || command == ".indexes" || command == ".indices") {
    std::string pattern = arg(1).empty() ? "%" : arg(1);
    std::string sql = command == ".tables"
                          ? "SELECT name FROM sqlite_schema WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%' AND name LIKE ?1 ORDER BY name"
                          : "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name LIKE ?1 ORDER BY name";
    auto statement = db_->prepare(sql);
    if (!statement.is_ok()) {
      error(statement.status().message());
      return false;
    }
    (void)(*statement)->bind_text(1, pattern);
    std::vector<std::string> names;
    while (true) {
      auto row = (*statement)->step();
      if (!row.is_ok()) {
        error(row.status().message());
        return false;
      }
      if (!*row) break;
      names.push_back((*statement)->column_text(0));
    }
    size_t width = 0;
    for (const auto& n : names) width = std::max(width, n.size());
    size_t per_line = std::max<size_t>(1, 80 / (width + 2));
    for (size_t i = 0; i < names.size(); ++i) {
      bool end = (i + 1) % per_line == 0 || i + 1 == names.size();
      std::fprintf(out_, "%s%s", end ? names[i].c_str() : core::pad_right(names[i], width + 2).c_str(),
                   end ? "\n" : "");
    }
    return true;
  }
  if (command == ".schema") {
    std::string pattern = arg(1).empty() ? "%" : arg(1);
    auto statement = db_->prepare(
        "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND "
        "(name LIKE ?1 OR tbl_name LIKE ?1) ORDER BY CASE type WHEN 'table' THEN 1 WHEN 'view' THEN 2 "
        "WHEN 'index' THEN 3 ELSE 4 END, rowid");
    if (!statement.is_ok()) {
      error(statement.status().message());
      return false;
    }
    (void)(*statement)->bind_text(1, pattern);
    while (true) {
      auto row = (*statement)->step();
      if (!row.is_ok()) {
        error(row.status().message());
        return false;
      }
      if (!*row) break;
      std::fprintf(out_, "%s;\n", (*statement)->column_text(0).c_str());
    }
    return true;
  }
  if (command == ".mode") {
    std::string m = arg(1);
    if (m == "table" || m == "box" || m == "column") {
      mode_ = OutputMode::kTable;
    } else if (m == "list") {
      mode_ = OutputMode::kList;
    } else if (m == "csv") {
      mode_ = OutputMode::kCsv;
    } else if (m == "json") {
      mode_ = OutputMode::kJson;
    } else if (m == "line") {
      mode_ = OutputMode::kLine;
    } else {
      error("mode should be one of: csv json line list table");
      return false;
    }
    return true;
  }
  if (command == ".headers" || command == ".header") {
    headers_ = arg(1) == "on" || arg(1) == "1" || arg(1) == "yes";
    return true;
  }
  if (command == ".timer") {
    timer_ = arg(1) == "on" || arg(1) == "1" || arg(1) == "yes";
    return true;
  }
  if (command == ".bail") {
    bail_ = arg(1) == "on" || arg(1) == "1" || arg(1) == "yes";
    return true;
  }
  if (command == ".nullvalue") {
    null_value_ = arg(1);
    return true;
  }
  if (command == ".import") {
    // .import [--csv] [--skip N] FILE TABLE
    std::vector<std::string> positional;
    for (size_t i = 1; i < args.size(); ++i) {
      if (args[i] == "--csv") continue;
      positional.push_back(args[i]);
    }
    if (positional.size() != 2) {
      error("usage: .import FILE TABLE");
      return false;
    }
    return import_csv(positional[0], positional[1]);
  }
  if (command == ".read") {
    auto text = core::read_file(arg(1));
    if (!text.is_ok()) {
      error("cannot open \"" + arg(1) + "\"");
      return false;
    }
    return run_sql(*text);
  }
  error("unknown command or invalid arguments: \"" + command.substr(1) +
        "\". Enter \".help\" for help");
  return false;
}

bool Shell::feed_line(std::string_view text) {
  if (pending_.empty()) {
    std::string_view trimmed = core::trim(text);
    if (trimmed.empty()) return true;
    if (trimmed[0] == '.') return run_dot(trimmed, &quit_) || !bail_;
  }
  pending_.append(text);
  if (pending_.back() != '\n') pending_.push_back('\n');
  // Only a line that ends with ';' can complete a statement.
  std::string_view tail = core::trim(text);
  if (tail.empty() || tail.back() != ';') return true;
  if (!sql_complete(pending_)) return true;
  bool ok = run_sql(pending_);
  pending_.clear();
  return ok || !bail_;
}

int Shell::run(std::FILE* in) {
  char* line = nullptr;
  size_t capacity = 0;
  while (!quit_) {
    ssize_t n = getline(&line, &capacity, in);
    if (n < 0) break;
    if (!feed_line(std::string_view(line, static_cast<size_t>(n)))) break;
  }
  std::free(line);
  if (!quit_ && !core::trim(pending_).empty()) run_sql(pending_);
  pending_.clear();
  std::fflush(out_);
  return had_error_ ? 1 : 0;
}

int Shell::run_interactive() {
  std::fprintf(out_, "sfs sql — an SQLite-compatible database. Enter \".help\" for usage hints.\n");
  std::fflush(out_);
  core::LineEditor editor(STDIN_FILENO, STDOUT_FILENO);
  std::string history;
  if (const char* home = std::getenv("HOME")) {
    history = std::string(home) + "/.sfs_sql_history";
    (void)editor.load_history(history);
  }
  while (!quit_) {
    editor.set_prompt(pending_.empty() ? "sql> " : "...> ");
    std::optional<std::string> line = editor.read_line();
    if (!line) {
      if (editor.interrupted()) {
        pending_.clear();  // Ctrl-C abandons the statement being typed
        continue;
      }
      break;
    }
    editor.add_history(*line);
    if (!feed_line(*line)) break;
  }
  if (!history.empty()) (void)editor.save_history(history);
  std::fputs("\n", out_);
  std::fflush(out_);
  return had_error_ ? 1 : 0;
}

}  // namespace sfs::sql
