// Server configuration: the redis.conf directives sfs kv understands, the file parser, and the
// parameter table behind CONFIG GET / CONFIG SET.
//
// A config file is redis.conf syntax: one directive per line, arguments split like the inline
// protocol (quotes allowed), '#' comments. Memory sizes accept Redis's units (1k = 1000,
// 1kb = 1024, mb, gb). Unknown directives are reported and ignored (Redis refuses to start; being
// lenient lets a stock redis.conf work). Command-line flags override the file.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sfs::kv {

struct SavePoint {
  int64_t seconds;
  int64_t changes;
};

struct Config {
  std::string bind = "127.0.0.1";
  uint16_t port = 6379;
  std::string dir = ".";
  std::string dbfilename = "dump.rdb";
  bool appendonly = false;
  std::string appendfsync = "everysec";  // always | everysec | no
  std::string appendfilename = "appendonly.aof";
  std::string appenddirname = "appendonlydir";
  bool aof_use_rdb_preamble = true;
  bool aof_load_truncated = true;
  std::vector<SavePoint> save = {{3600, 1}, {300, 100}, {60, 10000}};
  int64_t maxmemory = 0;
  std::string maxmemory_policy = "noeviction";
  int64_t maxmemory_samples = 5;
  int64_t databases = 16;
  int64_t hz = 10;
  int64_t timeout = 0;
  int64_t maxclients = 10000;
  bool rdbcompression = true;
  bool rdbchecksum = true;
  std::string loglevel = "notice";
  int64_t proto_max_bulk_len = 512LL * 1024 * 1024;
  int64_t tcp_keepalive = 300;
  std::string requirepass;                  // the default user's password ("" = nopass)
  int64_t slowlog_log_slower_than = 10000;  // microseconds; < 0 disables the slow log
  int64_t slowlog_max_len = 128;
  std::string config_file;
};

// Parses "100", "1k", "1kb", "5mb", "2gb" (case-insensitive).
bool parse_memory(std::string_view text, int64_t* out);
std::string save_to_string(const std::vector<SavePoint>& points);
// Parses "900 1 300 10" or "" (no snapshots).
bool parse_save(std::string_view text, std::vector<SavePoint>* out);

// A CONFIG parameter: its names, how to read it, how to set it.
struct ConfigParam {
  std::vector<std::string> names;  // first is canonical, the rest are aliases
  std::function<std::string(const Config&)> get;
  // Returns an error message, or "" on success.
  std::function<std::string(Config&, std::string_view)> set;
  bool immutable = false;  // CONFIG SET refuses (port, databases...)
  bool hidden = false;     // left out of pattern matches (CONFIG GET *), as Redis's HIDDEN_CONFIG
};
const std::vector<ConfigParam>& config_params();
const ConfigParam* find_config_param(std::string_view name);

// Applies the directives of a redis.conf-style text. Errors name the line.
core::Status apply_config_text(Config& config, std::string_view text, std::string_view origin);
core::Status load_config_file(Config& config, const std::string& path);

}  // namespace sfs::kv
