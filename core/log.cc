// Logging: see log.h.
#include "core/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace sfs::core {
namespace {

LogLevel initial_level() {
  LogLevel level = LogLevel::kInfo;
  if (const char* env = std::getenv("SFS_LOG")) parse_log_level(env, &level);
  return level;
}

std::atomic<LogLevel>& level_storage() {
  static std::atomic<LogLevel> level{initial_level()};
  return level;
}

std::mutex tag_mutex;
std::string& tag_storage() {
  static std::string tag = "sfs";
  return tag;
}

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "DEBUG";
    case LogLevel::kInfo: return "INFO";
    case LogLevel::kWarn: return "WARN";
    case LogLevel::kError: return "ERROR";
    case LogLevel::kOff: break;
  }
  return "?";
}

}  // namespace

void set_log_level(LogLevel level) { level_storage() = level; }
LogLevel log_level() { return level_storage().load(std::memory_order_relaxed); }

bool parse_log_level(std::string_view text, LogLevel* level) {
  if (text == "debug") *level = LogLevel::kDebug;
  else if (text == "info") *level = LogLevel::kInfo;
  else if (text == "warn" || text == "warning") *level = LogLevel::kWarn;
  else if (text == "error") *level = LogLevel::kError;
  else if (text == "off" || text == "none") *level = LogLevel::kOff;
  else return false;
  return true;
}

void set_log_tag(std::string_view tag) {
  std::lock_guard<std::mutex> lock(tag_mutex);
  tag_storage() = std::string(tag);
}

void log_line(LogLevel level, std::string_view message) {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm local;
  localtime_r(&seconds, &local);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &local);
  std::string line;
  {
    std::lock_guard<std::mutex> lock(tag_mutex);
    char head[96];
    std::snprintf(head, sizeof(head), "%s.%03d %s %s ", stamp, static_cast<int>(millis.count()),
                  tag_storage().c_str(), level_name(level));
    line = head;
  }
  line += message;
  line += '\n';
  ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
  (void)n;
}

}  // namespace sfs::core
