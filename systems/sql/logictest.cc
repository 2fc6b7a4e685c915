// The sqllogictest runner (see logictest.h).
#include "systems/sql/logictest.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "core/file.h"
#include "core/md5.h"
#include "core/strings.h"
#include "systems/sql/sql.h"

namespace sfs::sql {
namespace {

std::string format_value(const Value& v, char type) {
  if (v.is_null()) return "NULL";
  switch (type) {
    case 'I':
      return std::to_string(v.to_int());
    case 'R':
      return format_real(v.to_real(), 'f', 3);
    default: {
      std::string text = v.to_text();
      if (text.empty()) return "(empty)";
      for (char& c : text) {
        if (c < ' ' || c > '~') c = '@';
      }
      return text;
    }
  }
}

struct Record {
  int line = 0;
  std::vector<std::string> conditions;  // "skipif x" / "onlyif x"
  std::string kind;                      // statement / query / hash-threshold / halt
  std::vector<std::string> header;       // the words of the record's first line
  std::string sql;
  std::vector<std::string> expected;
  bool has_results_marker = false;
};

}  // namespace

core::Result<LogicTestResult> run_logic_test(const std::string& path, const LogicTestOptions& options) {
  SFS_ASSIGN_OR_RETURN(std::string text, core::read_file(path));
  LogicTestResult result;
  result.file = path;
  DatabaseOptions db_options;
  db_options.synchronous = 0;
  SFS_ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::open(options.database, db_options));
  std::vector<std::string_view> lines = core::split(text, '\n');
  size_t i = 0;
  int hash_threshold = 0;
  std::map<std::string, std::string> labels;  // label -> "N values hashing to ..."
  auto failure = [&](int line, const std::string& message) {
    ++result.failed;
    std::string entry = path + ":" + std::to_string(line) + ": " + message;
    if (options.verbose) std::fprintf(stderr, "%s\n", entry.c_str());
    if (result.failures.size() < options.max_reported_failures) result.failures.push_back(entry);
  };
  auto strip = [](std::string_view s) {
    if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
    return s;
  };
  while (i < lines.size()) {
    std::string_view line = strip(lines[i]);
    if (core::trim(line).empty() || line[0] == '#') {
      ++i;
      continue;
    }
    Record record;
    record.line = static_cast<int>(i + 1);
    // Conditions, then the record's first line.
    while (i < lines.size()) {
      line = strip(lines[i]);
      auto words = core::split_whitespace(line);
      if (!words.empty() && (words[0] == "skipif" || words[0] == "onlyif")) {
        record.conditions.emplace_back(line);
        ++i;
        continue;
      }
      break;
    }
    if (i >= lines.size()) break;
    for (std::string_view w : core::split_whitespace(strip(lines[i]))) record.header.emplace_back(w);
    ++i;
    if (record.header.empty()) continue;
    record.kind = record.header[0];
    if (record.kind == "statement" || record.kind == "query") {
      std::string sql;
      while (i < lines.size()) {
        line = strip(lines[i]);
        if (core::trim(line).empty()) break;
        if (record.kind == "query" && line == "----") {
          record.has_results_marker = true;
          ++i;
          break;
        }
        if (!sql.empty()) sql += "\n";
        sql += line;
        ++i;
      }
      record.sql = std::move(sql);
      if (record.has_results_marker) {
        while (i < lines.size()) {
          line = strip(lines[i]);
          if (core::trim(line).empty()) break;
          record.expected.emplace_back(line);
          ++i;
        }
      }
    }
    // Conditions: skip records not meant for this engine.
    bool skip = false;
    for (const std::string& condition : record.conditions) {
      auto words = core::split_whitespace(condition);
      if (words.size() < 2) continue;
      bool match = words[1] == options.engine;
      if (words[0] == "skipif" && match) skip = true;
      if (words[0] == "onlyif" && !match) skip = true;
    }
    if (record.kind == "halt") {
      if (!skip) break;
      continue;
    }
    if (record.kind == "hash-threshold") {
      if (record.header.size() >= 2) hash_threshold = std::atoi(record.header[1].c_str());
      continue;
    }
    if (record.kind != "statement" && record.kind != "query") continue;
    if (options.max_records > 0 &&
        result.passed + result.failed + result.skipped >= options.max_records) {
      break;
    }
    if (skip) {
      ++result.skipped;
      continue;
    }
    if (record.kind == "statement") {
      bool expect_ok = record.header.size() >= 2 && record.header[1] == "ok";
      core::Status status = db->exec(record.sql);
      if (status.is_ok() != expect_ok) {
        failure(record.line, (expect_ok ? "statement failed: " + status.message()
                                        : std::string("statement succeeded but an error was expected")) +
                                 "\n  " + record.sql);
      } else {
        ++result.passed;
      }
      continue;
    }
    // A query.
    std::string types = record.header.size() >= 2 ? record.header[1] : "";
    std::string sort = record.header.size() >= 3 ? record.header[2] : "nosort";
    std::string label = record.header.size() >= 4 ? record.header[3] : "";
    std::vector<std::vector<std::string>> rows;
    std::string error;
    {
      auto statement = db->prepare(record.sql);
      if (!statement.is_ok()) {
        error = statement.status().message();
      } else if (*statement == nullptr) {
        error = "no statement";
      } else {
        while (true) {
          auto row = (*statement)->step();
          if (!row.is_ok()) {
            error = row.status().message();
            break;
          }
          if (!*row) break;
          int n = (*statement)->column_count();
          std::vector<std::string> values;
          for (int c = 0; c < n; ++c) {
            char type = c < static_cast<int>(types.size()) ? types[c] : 'T';
            values.push_back(format_value((*statement)->column(c), type));
          }
          rows.push_back(std::move(values));
        }
      }
    }
    if (!error.empty()) {
      failure(record.line, "query failed: " + error + "\n  " + record.sql);
      continue;
    }
    if (!rows.empty() && static_cast<size_t>(rows[0].size()) != types.size()) {
      failure(record.line, "wrong number of columns: " + std::to_string(rows[0].size()) +
                               " (expected " + std::to_string(types.size()) + ")\n  " + record.sql);
      continue;
    }
    std::vector<std::string> values;
    if (sort == "rowsort") {
      std::sort(rows.begin(), rows.end());
    }
    for (auto& row : rows) {
      for (auto& v : row) values.push_back(std::move(v));
    }
    if (sort == "valuesort") std::sort(values.begin(), values.end());
    bool hashed = (hash_threshold > 0 && static_cast<int>(values.size()) > hash_threshold) ||
                  !label.empty();
    std::string digest;
    if (hashed || !label.empty()) {
      core::Md5 md5;
      for (const std::string& v : values) {
        md5.update(v);
        md5.update("\n");
      }
      digest = std::to_string(values.size()) + " values hashing to " + md5.hex_digest();
    }
    bool ok;
    std::string expected_text;
    if (!record.has_results_marker) {
      ok = true;  // no results to compare (the query only has to run)
    } else if (record.expected.size() == 1 &&
               record.expected[0].find(" values hashing to ") != std::string::npos) {
      ok = digest == record.expected[0];
      if (digest.empty()) {
        core::Md5 md5;
        for (const std::string& v : values) {
          md5.update(v);
          md5.update("\n");
        }
        digest = std::to_string(values.size()) + " values hashing to " + md5.hex_digest();
        ok = digest == record.expected[0];
      }
      expected_text = record.expected[0];
    } else {
      ok = values == record.expected;
      if (!ok && !rows.empty()) {
        // Some files list one row per line, values separated by spaces.
        std::vector<std::string> joined;
        size_t width = types.size();
        for (size_t r = 0; r * width < values.size(); ++r) {
          std::string line;
          for (size_t c = 0; c < width && r * width + c < values.size(); ++c) {
            if (c > 0) line += " ";
            line += values[r * width + c];
          }
          joined.push_back(line);
        }
        ok = joined == record.expected;
      }
      for (const auto& e : record.expected) expected_text += e + " ";
    }
    if (ok && !label.empty()) {
      auto it = labels.find(label);
      if (it == labels.end()) {
        labels[label] = digest;
      } else if (it->second != digest) {
        ok = false;
        expected_text = "label " + label + ": " + it->second;
      }
    }
    if (ok) {
      ++result.passed;
    } else {
      std::string got;
      if (!digest.empty()) {
        got = digest;
      } else {
        for (size_t k = 0; k < values.size() && k < 20; ++k) got += values[k] + " ";
      }
      failure(record.line, "wrong result\n  " + record.sql + "\n  expected: " + expected_text +
                               "\n  got:      " + got);
    }
  }
  return result;
}

}  // namespace sfs::sql
