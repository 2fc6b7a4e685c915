// `sfs kv`: the subcommand dispatch and `sfs kv server` (flags, config file, start-up).
#include <cstdio>
#include <deque>
#include <map>

#include "core/event_loop.h"
#include "core/flags.h"
#include "core/log.h"
#include "systems/kv/config.h"
#include "systems/kv/kv.h"
#include "systems/kv/server.h"

namespace sfs::kv {

int server_main(int argc, char** argv) {
  core::set_log_tag("kv");
  core::Flags flags("sfs kv server", "Run a Redis-compatible key-value server.");
  std::string config_file;
  flags.positional("config-file", &config_file, "a redis.conf-style configuration file");
  // Every configuration directive is also a flag (--port 6380 --save "" --appendonly yes), as
  // redis-server accepts; they override the file. The sentinel tells "not given" from "".
  const std::string kUnset = "\x01";
  std::deque<std::string> values;
  std::map<std::string, std::string*> given;
  for (const auto& p : config_params()) {
    for (const auto& name : p.names) {
      values.push_back(kUnset);
      given[name] = &values.back();
      static const std::map<std::string, std::string> kHelp = {
          {"port", "TCP port (default 6379; 0 picks a free one)"},
          {"bind", "addresses to listen on (default 127.0.0.1; \"*\" for all)"},
          {"dir", "working directory for dump.rdb and the AOF (default .)"},
          {"dbfilename", "RDB snapshot file name (default dump.rdb)"},
          {"appendonly", "yes: log every write to the append-only file"},
          {"appendfsync", "always | everysec | no (default everysec)"},
          {"save", "snapshot rules \"<seconds> <changes> ...\" (\"\" for none)"},
          {"maxmemory", "memory limit (100mb, 2gb; 0 = none)"},
          {"maxmemory-policy", "noeviction | allkeys-lru | volatile-lru | allkeys-random | volatile-random | volatile-ttl"},
          {"databases", "number of databases (default 16)"},
          {"loglevel", "debug | verbose | notice | warning"},
      };
      auto help = kHelp.find(name);
      flags.add(name, &values.back(),
                help != kHelp.end() ? help->second : "redis.conf directive (see CONFIG GET)",
                name == "port" ? 'p' : 0);
    }
  }
  flags.epilog(
      "Examples:\n"
      "  sfs kv server --port 6380 --dir /tmp/kv --appendonly yes --appendfsync always\n"
      "  sfs kv server redis.conf --save \"900 1 300 10\"\n"
      "  redis-cli -p 6380 SET hello world");
  if (auto code = flags.parse(argc, argv)) return *code;

  Config config;
  if (!config_file.empty()) {
    config.config_file = config_file;
    core::Status s = load_config_file(config, config_file);
    if (!s.is_ok()) {
      std::fprintf(stderr, "sfs kv server: %s\n", s.message().c_str());
      return 1;
    }
  }
  for (const auto& [name, value] : given) {
    if (*value == kUnset) continue;
    const ConfigParam* p = find_config_param(name);
    std::string error = p->set(config, *value);
    if (!error.empty()) {
      std::fprintf(stderr, "sfs kv server: --%s: %s\n", name.c_str(), error.c_str());
      return 2;
    }
  }
  if (config.loglevel == "debug" || config.loglevel == "verbose") core::set_log_level(core::LogLevel::kDebug);
  else if (config.loglevel == "warning") core::set_log_level(core::LogLevel::kWarn);

  core::EventLoop loop;
  Server server(loop, std::move(config));
  core::Status s = server.start();
  if (!s.is_ok()) {
    SFS_LOG_ERROR(s.message());
    return 1;
  }
  return server.run();
}

int cli_main(int argc, char** argv) {
  static const core::Subcommand kSubcommands[] = {
      {"server", "Run the key-value server (Redis protocol).", server_main},
      {"cli", "A redis-cli-like client: run one command, or an interactive prompt.", client_main},
  };
  return core::dispatch_subcommands(argc, argv, "sfs kv",
                                    "A Redis-compatible key-value server: RESP2/RESP3, RDB "
                                    "snapshots, AOF, expiry, eviction, pub/sub, transactions.",
                                    kSubcommands);
}

}  // namespace sfs::kv
