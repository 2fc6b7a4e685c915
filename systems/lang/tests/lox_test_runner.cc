// The .lox expectation runner (see lox_test_runner.h).
#include "systems/lang/tests/lox_test_runner.h"

#include <algorithm>
#include <filesystem>
#include <regex>
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

}  // namespace

Expectations parse_expectations(const std::string& source) {
  static const std::regex kOutput(R"(// expect: ?(.*))");
  static const std::regex kError(R"(// (Error.*))");
  static const std::regex kErrorLine(R"(// \[((java|c) )?line (\d+)\] (Error.*))");
  static const std::regex kRuntimeError(R"(// expect runtime error: (.+))");
  Expectations expected;
  std::vector<std::string> lines = split_lines(source);
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    int number = static_cast<int>(i) + 1;
    std::smatch m;
    if (std::regex_search(line, m, kOutput)) {
      expected.output.push_back(m[1]);
    } else if (std::regex_search(line, m, kError)) {
      expected.compile_errors.push_back("[" + std::to_string(number) + "] " + m[1].str());
      expected.exit_code = 65;
    } else if (std::regex_search(line, m, kErrorLine)) {
      if (!m[2].matched || m[2] == "c") {
        expected.compile_errors.push_back("[" + m[3].str() + "] " + m[4].str());
        expected.exit_code = 65;
      }
    } else if (std::regex_search(line, m, kRuntimeError)) {
      expected.runtime_error = m[1];
      expected.runtime_error_line = number;
      expected.exit_code = 70;
    }
  }
  return expected;
}

std::vector<std::string> check_run(const Expectations& expected, const RunResult& run) {
  static const std::regex kSyntaxError(R"(\[.*line (\d+)\] (Error.+))");
  static const std::regex kStackTrace(R"(\[line (\d+)\])");
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
        std::smatch m;
        if (std::regex_search(err_lines[i], m, kStackTrace)) line = std::stoi(m[1]);
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
      std::smatch m;
      if (std::regex_search(line, m, kSyntaxError)) {
        std::string error = "[" + m[1].str() + "] " + m[2].str();
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
