// The .lox expectation runner (see lox_test_runner.h).
#include "systems/lang/tests/lox_test_runner.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>

#include "core/file.h"
#include "core/process.h"
#include "core/testing/testing.h"

namespace sfs::lang::testing {

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

// Parses decimal digits at text[*pos], advancing *pos; -1 when there are none.
int parse_digits(const std::string& text, size_t* pos) {
  size_t start = *pos;
  int value = 0;
  while (*pos < text.size() && text[*pos] >= '0' && text[*pos] <= '9' && *pos - start < 9) {
    value = value * 10 + (text[*pos] - '0');
    ++*pos;
  }
  return *pos == start ? -1 : value;
}

// The text after `marker` in `line`, if it contains it.
std::optional<std::string> after(const std::string& line, const std::string& marker) {
  size_t at = line.find(marker);
  if (at == std::string::npos) return std::nullopt;
  return line.substr(at + marker.size());
}

// "// [line 3] Error..." or "// [c line 3] Error...": (language, line, "Error...").
struct ErrorLine {
  std::string language;
  int line;
  std::string error;
};
std::optional<ErrorLine> parse_error_line(const std::string& line) {
  for (size_t at = line.find("// ["); at != std::string::npos; at = line.find("// [", at + 1)) {
    size_t pos = at + 4;
    ErrorLine result;
    for (const char* language : {"java ", "c "}) {
      if (line.compare(pos, std::string(language).size(), language) == 0) {
        result.language = std::string(language, std::string(language).size() - 1);
        pos += std::string(language).size();
        break;
      }
    }
    if (line.compare(pos, 5, "line ") != 0) continue;
    pos += 5;
    result.line = parse_digits(line, &pos);
    if (result.line < 0 || line.compare(pos, 7, "] Error") != 0) continue;
    result.error = line.substr(pos + 2);
    return result;
  }
  return std::nullopt;
}

// A reported compile error, "[line N] Error...", as "[N] Error...".
std::optional<std::string> parse_reported_error(const std::string& line) {
  if (line.find('[') == std::string::npos) return std::nullopt;
  for (size_t at = line.rfind("line "); at != std::string::npos;
       at = at == 0 ? std::string::npos : line.rfind("line ", at - 1)) {
    if (at < line.find('[')) break;
    size_t pos = at + 5;
    int number = parse_digits(line, &pos);
    if (number < 0 || line.compare(pos, 7, "] Error") != 0 || pos + 7 >= line.size()) continue;
    return "[" + std::to_string(number) + "] " + line.substr(pos + 2);
  }
  return std::nullopt;
}

// The N of the first "[line N]".
int parse_trace_line(const std::string& line) {
  for (size_t at = line.find("[line "); at != std::string::npos; at = line.find("[line ", at + 1)) {
    size_t pos = at + 6;
    int number = parse_digits(line, &pos);
    if (number >= 0 && pos < line.size() && line[pos] == ']') return number;
  }
  return -1;
}

}  // namespace

Expectations parse_expectations(const std::string& source) {
  Expectations expected;
  std::vector<std::string> lines = split_lines(source);
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    int number = static_cast<int>(i) + 1;
    if (auto output = after(line, "// expect:")) {
      if (!output->empty() && (*output)[0] == ' ') output->erase(0, 1);
      expected.output.push_back(*output);
    } else if (auto error = after(line, "// Error")) {
      expected.compile_errors.push_back("[" + std::to_string(number) + "] Error" + *error);
      expected.exit_code = 65;
    } else if (auto error_line = parse_error_line(line)) {
      if (error_line->language.empty() || error_line->language == "c") {
        expected.compile_errors.push_back("[" + std::to_string(error_line->line) + "] " +
                                          error_line->error);
        expected.exit_code = 65;
      }
    } else if (auto message = after(line, "// expect runtime error: ")) {
      if (message->empty()) continue;
      expected.runtime_error = *message;
      expected.runtime_error_line = number;
      expected.exit_code = 70;
    }
  }
  return expected;
}

std::vector<std::string> check_run(const Expectations& expected, const RunResult& run) {
  std::vector<std::string> failures;
  std::vector<std::string> err_lines = split_lines(run.err);

  if (!expected.runtime_error.empty()) {
    if (err_lines.size() < 2) {
      failures.push_back("expected runtime error '" + expected.runtime_error + "', got none");
    } else {
      if (err_lines[0] != expected.runtime_error) {
        failures.push_back("expected runtime error '" + expected.runtime_error + "', got '" +
                           err_lines[0] + "'");
      }
      int line = -1;
      for (size_t i = 1; i < err_lines.size() && line < 0; ++i) {
        line = parse_trace_line(err_lines[i]);
      }
      if (line != expected.runtime_error_line) {
        failures.push_back("expected the runtime error on line " +
                           std::to_string(expected.runtime_error_line) + ", stack trace says " +
                           std::to_string(line));
      }
    }
  } else {
    std::set<std::string> wanted(expected.compile_errors.begin(), expected.compile_errors.end());
    std::set<std::string> found;
    for (const std::string& line : err_lines) {
      if (auto reported = parse_reported_error(line)) {
        const std::string& error = *reported;
        if (wanted.count(error)) {
          found.insert(error);
        } else {
          failures.push_back("unexpected error: " + line);
        }
      } else if (!line.empty()) {
        failures.push_back("unexpected output on stderr: " + line);
      }
    }
    for (const std::string& error : wanted) {
      if (!found.count(error)) failures.push_back("missing expected error: " + error);
    }
  }

  if (run.exit_code != expected.exit_code) {
    failures.push_back("expected exit code " + std::to_string(expected.exit_code) + ", got " +
                       std::to_string(run.exit_code));
  }

  std::vector<std::string> out_lines = split_lines(run.out);
  size_t i = 0;
  for (; i < out_lines.size(); ++i) {
    if (i >= expected.output.size()) {
      failures.push_back("unexpected output '" + out_lines[i] + "'");
      break;
    }
    if (out_lines[i] != expected.output[i]) {
      failures.push_back("expected output '" + expected.output[i] + "' on output line " +
                         std::to_string(i + 1) + ", got '" + out_lines[i] + "'");
    }
  }
  for (; i < expected.output.size(); ++i) {
    failures.push_back("missing expected output '" + expected.output[i] + "'");
  }
  return failures;
}

RunResult run_lox_file(const std::string& path, const std::vector<std::string>& extra) {
  RunResult result;
  core::testing::TempDir dir;
  core::SubprocessOptions options;
  options.argv = {core::testing::sfs_binary(), "lang", "run"};
  options.argv.insert(options.argv.end(), extra.begin(), extra.end());
  options.argv.push_back(path);
  options.stdin_mode = core::SubprocessOptions::Stream::kNull;
  options.stdout_mode = core::SubprocessOptions::Stream::kFile;
  options.stderr_mode = core::SubprocessOptions::Stream::kFile;
  options.stdout_file = dir.file("out");
  options.stderr_file = dir.file("err");
  auto process = core::Subprocess::start(options);
  if (!process.is_ok()) {
    result.exit_code = -1;
    result.err = process.status().to_string();
    return result;
  }
  std::optional<int> code = process->wait_for(120000);
  if (!code) {
    result.exit_code = process->terminate(1000);
    result.err = "timed out";
    return result;
  }
  result.exit_code = *code;
  result.out = core::read_file(dir.file("out")).value_or("");
  result.err = core::read_file(dir.file("err")).value_or("");
  return result;
}

std::vector<std::string> find_lox_files(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".lox") {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace sfs::lang::testing
