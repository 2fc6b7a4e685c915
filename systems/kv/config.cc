// Configuration: see config.h.
#include "systems/kv/config.h"

#include "core/file.h"
#include "core/strings.h"
#include "systems/kv/keyspace.h"
#include "systems/kv/resp.h"
#include "systems/kv/types.h"
#include "systems/kv/util.h"

namespace sfs::kv {

bool parse_memory(std::string_view text, int64_t* out) {
  std::string lower = core::to_lower(text);
  int64_t mul = 1;
  auto strip = [&](std::string_view suffix, int64_t m) {
    if (lower.size() > suffix.size() && lower.ends_with(suffix)) {
      lower.resize(lower.size() - suffix.size());
      mul = m;
      return true;
    }
    return false;
  };
  strip("gb", 1024LL * 1024 * 1024) || strip("mb", 1024LL * 1024) || strip("kb", 1024) ||
      strip("g", 1000LL * 1000 * 1000) || strip("m", 1000LL * 1000) || strip("k", 1000) ||
      strip("b", 1);
  auto v = core::parse_int64(lower);
  if (!v) return false;
  *out = *v * mul;
  return true;
}

std::string save_to_string(const std::vector<SavePoint>& points) {
  std::string out;
  for (const auto& p : points) {
    if (!out.empty()) out += ' ';
    out += std::to_string(p.seconds) + " " + std::to_string(p.changes);
  }
  return out;
}

bool parse_save(std::string_view text, std::vector<SavePoint>* out) {
  auto words = core::split_whitespace(text);
  std::vector<SavePoint> points;
  if (words.size() == 1 && words[0] == "\"\"") words.clear();
  if (words.size() % 2 != 0) return false;
  for (size_t i = 0; i < words.size(); i += 2) {
    auto s = core::parse_int64(words[i]);
    auto c = core::parse_int64(words[i + 1]);
    if (!s || !c || *s < 0 || *c < 0) return false;
    points.push_back({*s, *c});
  }
  *out = std::move(points);
  return true;
}

namespace {

std::string yes_no(bool b) { return b ? "yes" : "no"; }

std::function<std::string(Config&, std::string_view)> bool_setter(bool Config::*field) {
  return [field](Config& c, std::string_view v) -> std::string {
    if (core::iequals(v, "yes")) c.*field = true;
    else if (core::iequals(v, "no")) c.*field = false;
    else return "argument must be 'yes' or 'no'";
    return "";
  };
}

std::function<std::string(Config&, std::string_view)> int_setter(int64_t Config::*field,
                                                                  int64_t min, int64_t max) {
  return [field, min, max](Config& c, std::string_view v) -> std::string {
    int64_t n;
    if (!parse_memory(v, &n)) return "argument couldn't be parsed into an integer";
    if (n < min || n > max) return "argument must be between " + std::to_string(min) + " and " + std::to_string(max) + " inclusive";
    c.*field = n;
    return "";
  };
}

std::function<std::string(Config&, std::string_view)> limit_setter(int64_t Limits::*field) {
  return [field](Config&, std::string_view v) -> std::string {
    int64_t n;
    if (!parse_memory(v, &n) || n < 0) return "argument couldn't be parsed into an integer";
    limits().*field = n;
    return "";
  };
}

std::function<std::string(const Config&)> limit_getter(int64_t Limits::*field) {
  return [field](const Config&) { return std::to_string(limits().*field); };
}

std::vector<ConfigParam> build_params() {
  std::vector<ConfigParam> p;
  p.push_back({{"bind"}, [](const Config& c) { return c.bind; },
               [](Config& c, std::string_view v) { c.bind = std::string(v); return std::string(); }, true});
  p.push_back({{"port"}, [](const Config& c) { return std::to_string(c.port); },
               [](Config& c, std::string_view v) -> std::string {
                 auto n = core::parse_int64(v);
                 if (!n || *n < 0 || *n > 65535) return "argument must be between 0 and 65535 inclusive";
                 c.port = static_cast<uint16_t>(*n);
                 return "";
               }, true});
  p.push_back({{"dir"}, [](const Config& c) { return c.dir; },
               [](Config& c, std::string_view v) { c.dir = std::string(v); return std::string(); }});
  p.push_back({{"dbfilename"}, [](const Config& c) { return c.dbfilename; },
               [](Config& c, std::string_view v) -> std::string {
                 if (v.find('/') != std::string_view::npos) return "dbfilename can't be a path, just a filename";
                 c.dbfilename = std::string(v);
                 return "";
               }});
  p.push_back({{"appendonly"}, [](const Config& c) { return yes_no(c.appendonly); }, bool_setter(&Config::appendonly)});
  p.push_back({{"appendfsync"}, [](const Config& c) { return c.appendfsync; },
               [](Config& c, std::string_view v) -> std::string {
                 std::string l = core::to_lower(v);
                 if (l != "always" && l != "everysec" && l != "no") return "argument(s) must be one of the following: always, everysec, no";
                 c.appendfsync = l;
                 return "";
               }});
  p.push_back({{"appendfilename"}, [](const Config& c) { return c.appendfilename; },
               [](Config& c, std::string_view v) { c.appendfilename = std::string(v); return std::string(); }, true});
  p.push_back({{"appenddirname"}, [](const Config& c) { return c.appenddirname; },
               [](Config& c, std::string_view v) { c.appenddirname = std::string(v); return std::string(); }, true});
  p.push_back({{"aof-use-rdb-preamble"}, [](const Config& c) { return yes_no(c.aof_use_rdb_preamble); }, bool_setter(&Config::aof_use_rdb_preamble)});
  p.push_back({{"aof-load-truncated"}, [](const Config& c) { return yes_no(c.aof_load_truncated); }, bool_setter(&Config::aof_load_truncated)});
  p.push_back({{"save"}, [](const Config& c) { return save_to_string(c.save); },
               [](Config& c, std::string_view v) -> std::string {
                 if (!parse_save(v, &c.save)) return "Invalid save parameters";
                 return "";
               }});
  p.push_back({{"maxmemory"}, [](const Config& c) { return std::to_string(c.maxmemory); },
               int_setter(&Config::maxmemory, 0, INT64_MAX)});
  p.push_back({{"maxmemory-policy"}, [](const Config& c) { return c.maxmemory_policy; },
               [](Config& c, std::string_view v) -> std::string {
                 std::string l = core::to_lower(v);
                 static const char* ok[] = {"noeviction", "allkeys-lru", "volatile-lru", "allkeys-random",
                                            "volatile-random", "volatile-ttl", "allkeys-lfu", "volatile-lfu"};
                 for (const char* name : ok) {
                   if (l == name) {
                     c.maxmemory_policy = l;
                     access_policy().lfu = l.ends_with("lfu");
                     return "";
                   }
                 }
                 return "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction";
               }});
  p.push_back({{"lfu-log-factor"}, [](const Config&) { return std::to_string(access_policy().lfu_log_factor); },
               [](Config&, std::string_view v) -> std::string {
                 int64_t n;
                 if (!parse_memory(v, &n)) return "argument couldn't be parsed into an integer";
                 if (n < 0 || n > INT32_MAX) return "argument must be between 0 and 2147483647 inclusive";
                 access_policy().lfu_log_factor = n;
                 return "";
               }});
  p.push_back({{"lfu-decay-time"}, [](const Config&) { return std::to_string(access_policy().lfu_decay_time); },
               [](Config&, std::string_view v) -> std::string {
                 int64_t n;
                 if (!parse_memory(v, &n)) return "argument couldn't be parsed into an integer";
                 if (n < 0 || n > INT32_MAX) return "argument must be between 0 and 2147483647 inclusive";
                 access_policy().lfu_decay_time = n;
                 return "";
               }});
  p.push_back({{"maxmemory-samples"}, [](const Config& c) { return std::to_string(c.maxmemory_samples); },
               int_setter(&Config::maxmemory_samples, 1, 64)});
  p.push_back({{"databases"}, [](const Config& c) { return std::to_string(c.databases); },
               int_setter(&Config::databases, 1, 1 << 20), true});
  p.push_back({{"hz"}, [](const Config& c) { return std::to_string(c.hz); }, int_setter(&Config::hz, 1, 500)});
  p.push_back({{"timeout"}, [](const Config& c) { return std::to_string(c.timeout); }, int_setter(&Config::timeout, 0, INT32_MAX)});
  p.push_back({{"maxclients"}, [](const Config& c) { return std::to_string(c.maxclients); }, int_setter(&Config::maxclients, 1, 1 << 20)});
  p.push_back({{"rdbcompression"}, [](const Config& c) { return yes_no(c.rdbcompression); }, bool_setter(&Config::rdbcompression)});
  p.push_back({{"rdbchecksum"}, [](const Config& c) { return yes_no(c.rdbchecksum); }, bool_setter(&Config::rdbchecksum)});
  p.push_back({{"loglevel"}, [](const Config& c) { return c.loglevel; },
               [](Config& c, std::string_view v) { c.loglevel = core::to_lower(v); return std::string(); }});
  p.push_back({{"proto-max-bulk-len"}, [](const Config& c) { return std::to_string(c.proto_max_bulk_len); },
               int_setter(&Config::proto_max_bulk_len, 1024 * 1024, RespParser::kMaxBulkLength)});
  p.push_back({{"requirepass"}, [](const Config& c) { return c.requirepass; },
               [](Config& c, std::string_view v) { c.requirepass = std::string(v); return std::string(); }});
  p.push_back({{"slowlog-log-slower-than"}, [](const Config& c) { return std::to_string(c.slowlog_log_slower_than); },
               int_setter(&Config::slowlog_log_slower_than, -1, INT64_MAX)});
  p.push_back({{"slowlog-max-len"}, [](const Config& c) { return std::to_string(c.slowlog_max_len); },
               int_setter(&Config::slowlog_max_len, 0, INT64_MAX)});
  p.push_back({{"tcp-keepalive"}, [](const Config& c) { return std::to_string(c.tcp_keepalive); }, int_setter(&Config::tcp_keepalive, 0, INT32_MAX)});
  p.push_back({{"list-max-listpack-size", "list-max-ziplist-size"},
               [](const Config&) {
                 return limits().list_max_entries == 128 ? std::to_string(-(limits().list_max_bytes / 4096 == 1 ? 1 : limits().list_max_bytes / 4096 == 2 ? 2 : limits().list_max_bytes / 4096 == 4 ? 3 : limits().list_max_bytes / 4096 == 8 ? 4 : 5))
                                                         : std::to_string(limits().list_max_entries);
               },
               [](Config&, std::string_view v) -> std::string {
                 auto n = core::parse_int64(v);
                 if (!n || *n < -5 || *n == 0) return "argument must be between -5 and -1, or positive";
                 if (*n < 0) {
                   limits().list_max_entries = 128;
                   limits().list_max_bytes = 4096LL << (-*n - 1);
                 } else {
                   limits().list_max_entries = *n;
                   limits().list_max_bytes = 8192;
                 }
                 return "";
               }});
  p.push_back({{"hash-max-listpack-entries", "hash-max-ziplist-entries"}, limit_getter(&Limits::hash_max_entries), limit_setter(&Limits::hash_max_entries)});
  p.push_back({{"hash-max-listpack-value", "hash-max-ziplist-value"}, limit_getter(&Limits::hash_max_value), limit_setter(&Limits::hash_max_value)});
  p.push_back({{"set-max-intset-entries"}, limit_getter(&Limits::set_max_intset_entries), limit_setter(&Limits::set_max_intset_entries)});
  p.push_back({{"set-max-listpack-entries"}, limit_getter(&Limits::set_max_listpack_entries), limit_setter(&Limits::set_max_listpack_entries)});
  p.push_back({{"set-max-listpack-value"}, limit_getter(&Limits::set_max_listpack_value), limit_setter(&Limits::set_max_listpack_value)});
  p.push_back({{"zset-max-listpack-entries", "zset-max-ziplist-entries"}, limit_getter(&Limits::zset_max_entries), limit_setter(&Limits::zset_max_entries)});
  p.push_back({{"zset-max-listpack-value", "zset-max-ziplist-value"}, limit_getter(&Limits::zset_max_value), limit_setter(&Limits::zset_max_value)});
  // Accepted for compatibility with stock redis.conf files and clients that read them back; they
  // change nothing here. Each starts at Redis 7.0's default, so CONFIG GET answers as Redis does.
  static const std::pair<const char*, const char*> kCompat[] = {
      {"acl-pubsub-default", "resetchannels"},
      {"aclfile", ""},
      {"acllog-max-len", "128"},
      {"active-defrag-cycle-max", "25"},
      {"active-defrag-cycle-min", "1"},
      {"active-defrag-ignore-bytes", "104857600"},
      {"active-defrag-max-scan-fields", "1000"},
      {"active-defrag-threshold-lower", "10"},
      {"active-defrag-threshold-upper", "100"},
      {"active-expire-effort", "1"},
      {"activedefrag", "no"},
      {"activerehashing", "yes"},
      {"always-show-logo", "no"},
      {"aof-disable-auto-gc", "no"},
      {"aof-rewrite-incremental-fsync", "yes"},
      {"aof-timestamp-enabled", "no"},
      {"aof_rewrite_cpulist", ""},
      {"auto-aof-rewrite-min-size", "67108864"},
      {"auto-aof-rewrite-percentage", "100"},
      {"bgsave_cpulist", ""},
      {"bind-source-addr", ""},
      {"bio_cpulist", ""},
      {"busy-reply-threshold", "5000"},
      {"client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
      {"client-query-buffer-limit", "1073741824"},
      {"cluster-allow-pubsubshard-when-down", "yes"},
      {"cluster-allow-reads-when-down", "no"},
      {"cluster-allow-replica-migration", "yes"},
      {"cluster-announce-bus-port", "0"},
      {"cluster-announce-hostname", ""},
      {"cluster-announce-ip", ""},
      {"cluster-announce-port", "0"},
      {"cluster-announce-tls-port", "0"},
      {"cluster-config-file", "nodes.conf"},
      {"cluster-enabled", "no"},
      {"cluster-link-sendbuf-limit", "0"},
      {"cluster-migration-barrier", "1"},
      {"cluster-node-timeout", "15000"},
      {"cluster-port", "0"},
      {"cluster-preferred-endpoint-type", "ip"},
      {"cluster-replica-no-failover", "no"},
      {"cluster-replica-validity-factor", "10"},
      {"cluster-require-full-coverage", "yes"},
      {"cluster-slave-no-failover", "no"},
      {"cluster-slave-validity-factor", "10"},
      {"crash-log-enabled", "yes"},
      {"crash-memcheck-enabled", "yes"},
      {"daemonize", "no"},
      {"disable-thp", "yes"},
      {"dynamic-hz", "yes"},
      {"enable-debug-command", "no"},
      {"enable-module-command", "no"},
      {"enable-protected-configs", "no"},
      {"hll-sparse-max-bytes", "3000"},
      {"ignore-warnings", ""},
      {"io-threads", "1"},
      {"io-threads-do-reads", "no"},
      {"jemalloc-bg-thread", "yes"},
      {"latency-monitor-threshold", "0"},
      {"latency-tracking", "yes"},
      {"latency-tracking-info-percentiles", "50 99 99.9"},
      {"lazyfree-lazy-eviction", "no"},
      {"lazyfree-lazy-expire", "no"},
      {"lazyfree-lazy-server-del", "no"},
      {"lazyfree-lazy-user-del", "no"},
      {"lazyfree-lazy-user-flush", "no"},
      {"list-compress-depth", "0"},
      {"logfile", ""},
      {"lua-time-limit", "5000"},
      {"masterauth", ""},
      {"masteruser", ""},
      {"maxmemory-clients", "0"},
      {"maxmemory-eviction-tenacity", "10"},
      {"min-replicas-max-lag", "10"},
      {"min-replicas-to-write", "0"},
      {"min-slaves-max-lag", "10"},
      {"min-slaves-to-write", "0"},
      {"no-appendfsync-on-rewrite", "no"},
      {"oom-score-adj", "no"},
      {"oom-score-adj-values", "0 200 800"},
      {"pidfile", ""},
      {"proc-title-template", "{title} {listen-addr} {server-mode}"},
      {"propagation-error-behavior", "ignore"},
      {"protected-mode", "yes"},
      {"rdb-del-sync-files", "no"},
      {"rdb-save-incremental-fsync", "yes"},
      {"repl-backlog-size", "1048576"},
      {"repl-backlog-ttl", "3600"},
      {"repl-disable-tcp-nodelay", "no"},
      {"repl-diskless-load", "disabled"},
      {"repl-diskless-sync", "yes"},
      {"repl-diskless-sync-delay", "5"},
      {"repl-diskless-sync-max-replicas", "0"},
      {"repl-ping-replica-period", "10"},
      {"repl-ping-slave-period", "10"},
      {"repl-timeout", "60"},
      {"replica-announce-ip", ""},
      {"replica-announce-port", "0"},
      {"replica-announced", "yes"},
      {"replica-ignore-disk-write-errors", "no"},
      {"replica-ignore-maxmemory", "yes"},
      {"replica-lazy-flush", "no"},
      {"replica-priority", "100"},
      {"replica-read-only", "yes"},
      {"replica-serve-stale-data", "yes"},
      {"replicaof", ""},
      {"sanitize-dump-payload", "no"},
      {"server_cpulist", ""},
      {"set-proc-title", "yes"},
      {"shutdown-on-sigint", "default"},
      {"shutdown-on-sigterm", "default"},
      {"shutdown-timeout", "10"},
      {"slave-announce-ip", ""},
      {"slave-announce-port", "0"},
      {"slave-ignore-maxmemory", "yes"},
      {"slave-lazy-flush", "no"},
      {"slave-priority", "100"},
      {"slave-read-only", "yes"},
      {"slave-serve-stale-data", "yes"},
      {"slaveof", ""},
      {"socket-mark-id", "0"},
      {"stop-writes-on-bgsave-error", "yes"},
      {"stream-node-max-bytes", "4096"},
      {"stream-node-max-entries", "100"},
      {"supervised", "no"},
      {"syslog-enabled", "no"},
      {"syslog-facility", "local0"},
      {"syslog-ident", "redis"},
      {"tcp-backlog", "511"},
      {"tls-auth-clients", "yes"},
      {"tls-ca-cert-dir", ""},
      {"tls-ca-cert-file", ""},
      {"tls-cert-file", ""},
      {"tls-ciphers", ""},
      {"tls-ciphersuites", ""},
      {"tls-client-cert-file", ""},
      {"tls-client-key-file", ""},
      {"tls-client-key-file-pass", ""},
      {"tls-cluster", "no"},
      {"tls-dh-params-file", ""},
      {"tls-key-file", ""},
      {"tls-key-file-pass", ""},
      {"tls-port", "0"},
      {"tls-prefer-server-ciphers", "no"},
      {"tls-protocols", ""},
      {"tls-replication", "no"},
      {"tls-session-cache-size", "20480"},
      {"tls-session-cache-timeout", "300"},
      {"tls-session-caching", "yes"},
      {"tracking-table-max-keys", "1000000"},
      {"unixsocket", ""},
      {"unixsocketperm", "0"},
  };
  for (const auto& [name, value] : kCompat) {
    auto store = std::make_shared<std::string>(value);
    p.push_back({{name}, [store](const Config&) { return *store; },
                 [store](Config&, std::string_view v) { *store = std::string(v); return std::string(); }});
  }
  // Debugging knobs Redis keeps out of CONFIG GET *.
  for (const char* name : {"key-load-delay", "rdb-key-save-delay"}) {
    auto store = std::make_shared<std::string>("0");
    ConfigParam param{{name}, [store](const Config&) { return *store; },
                      [store](Config&, std::string_view v) { *store = std::string(v); return std::string(); }};
    param.hidden = true;
    p.push_back(std::move(param));
  }
  return p;
}

}  // namespace

const std::vector<ConfigParam>& config_params() {
  static const std::vector<ConfigParam> params = build_params();
  return params;
}

const ConfigParam* find_config_param(std::string_view name) {
  std::string lower = core::to_lower(name);
  for (const auto& p : config_params()) {
    for (const auto& n : p.names) {
      if (n == lower) return &p;
    }
  }
  return nullptr;
}

core::Status apply_config_text(Config& config, std::string_view text, std::string_view origin) {
  size_t line_no = 0;
  bool save_reset = false;
  for (std::string_view line : core::split(text, '\n')) {
    ++line_no;
    line = core::trim(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> args;
    if (!split_args(line, &args) || args.empty()) {
      return core::Status::invalid_argument(std::string(origin) + ":" + std::to_string(line_no) +
                                            ": unbalanced quotes");
    }
    std::string name = core::to_lower(args[0]);
    std::string value;
    for (size_t i = 1; i < args.size(); ++i) {
      if (i > 1) value += ' ';
      value += args[i];
    }
    if (name == "save") {
      // Several "save" lines accumulate; `save ""` clears.
      if (!save_reset) {
        config.save.clear();
        save_reset = true;
      }
      std::vector<SavePoint> points;
      if (!parse_save(value, &points)) {
        return core::Status::invalid_argument(std::string(origin) + ":" + std::to_string(line_no) +
                                              ": invalid save parameters");
      }
      config.save.insert(config.save.end(), points.begin(), points.end());
      continue;
    }
    if (name == "include") {
      SFS_TRY(load_config_file(config, value));
      continue;
    }
    if (name == "rename-command" || name == "user" ||
        name == "loadmodule" || name == "replicaof" || name == "slaveof") {
      return core::Status::unsupported(std::string(origin) + ":" + std::to_string(line_no) +
                                       ": '" + name + "' is not supported by sfs kv");
    }
    const ConfigParam* param = find_config_param(name);
    if (param == nullptr) {
      continue;  // lenient: see config.h
    }
    std::string error = param->set(config, value);
    if (!error.empty()) {
      return core::Status::invalid_argument(std::string(origin) + ":" + std::to_string(line_no) +
                                            ": '" + args[0] + "': " + error);
    }
  }
  return core::Status::ok();
}

core::Status load_config_file(Config& config, const std::string& path) {
  SFS_ASSIGN_OR_RETURN(std::string text, core::read_file(path));
  return apply_config_text(config, text, path);
}

}  // namespace sfs::kv
