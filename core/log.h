// Levelled logging to stderr: "2026-11-22 14:03:07.512 chat INFO listening on 127.0.0.1:6667".
//
// SFS_LOG_INFO("listening on ", host, ":", port) — the arguments are streamed (operator<<) and
// only evaluated when the level is enabled. The level comes from set_log_level() or from the
// SFS_LOG environment variable (debug, info, warn, error, off); the default is info.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

namespace sfs::core {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

void set_log_level(LogLevel level);
LogLevel log_level();
// Parses "debug", "info", "warn", "error" or "off"; returns false on anything else.
bool parse_log_level(std::string_view text, LogLevel* level);
// The tag printed after the time (the system's name: "chat", "kv").
void set_log_tag(std::string_view tag);
// Writes one line (thread-safe: a single write() per line).
void log_line(LogLevel level, std::string_view message);

template <typename... Args>
void log(LogLevel level, const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  log_line(level, out.str());
}

}  // namespace sfs::core

#define SFS_LOG_AT_(level, ...)                                                   \
  do {                                                                             \
    if (::sfs::core::log_level() <= (level)) ::sfs::core::log((level), __VA_ARGS__); \
  } while (0)
#define SFS_LOG_DEBUG(...) SFS_LOG_AT_(::sfs::core::LogLevel::kDebug, __VA_ARGS__)
#define SFS_LOG_INFO(...) SFS_LOG_AT_(::sfs::core::LogLevel::kInfo, __VA_ARGS__)
#define SFS_LOG_WARN(...) SFS_LOG_AT_(::sfs::core::LogLevel::kWarn, __VA_ARGS__)
#define SFS_LOG_ERROR(...) SFS_LOG_AT_(::sfs::core::LogLevel::kError, __VA_ARGS__)
