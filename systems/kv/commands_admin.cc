// Security and introspection commands: AUTH and the default user's ACL view (ACL WHOAMI, USERS,
// LIST, GETUSER; no other users exist), MONITOR, SLOWLOG and LATENCY.
//
// Authentication follows Redis 7's model with only the default user: `requirepass` is its
// password. While one is set, a new connection is unauthenticated and every command without the
// no-auth flag (AUTH, HELLO, QUIT, RESET) gets "-NOAUTH Authentication required." (checked in
// Server::dispatch). Clearing requirepass lets everyone in again, as Redis's "nopass" does.
// Passwords are compared in constant time; ACL LIST shows the SHA-256 of the password (Redis
// stores and prints passwords that way), computed by core/sha256.h.
//
// MONITOR, SLOWLOG and the per-command statistics are fed by Server::call (server.cc). LATENCY
// answers as a Redis whose latency monitor is off (latency-monitor-threshold 0, the default): no
// events, no samples; LATENCY HISTOGRAM reports the per-command latency histograms.
#include "core/sha256.h"
#include "systems/kv/commands.h"
#include "systems/kv/util.h"

namespace sfs::kv {
namespace {

// Compares without an early exit, so the time taken does not tell how much of a guess was right.
bool same_secret(std::string_view a, std::string_view b) {
  size_t diff = a.size() ^ b.size();
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(i < b.size() ? b[i] : 0);
  }
  return diff == 0;
}

constexpr std::string_view kWrongPass = "WRONGPASS invalid username-password pair or user is disabled.";

}  // namespace

// Checks a username/password pair against the default user (shared with HELLO ... AUTH).
bool authenticate(CommandContext& c, std::string_view user, std::string_view password) {
  const std::string& required = c.server.config().requirepass;
  if (user != "default" || (!required.empty() && !same_secret(password, required))) {
    c.reply.error(kWrongPass);
    return false;
  }
  c.client.authenticated = true;
  return true;
}

namespace {

void cmd_auth(CommandContext& c) {
  if (c.argc() > 3) {
    c.reply.error(err::kSyntax);
    return;
  }
  if (c.argc() == 2 && c.server.config().requirepass.empty()) {
    c.reply.error("ERR AUTH <password> called without any password configured for the default "
                  "user. Are you sure your configuration is correct?");
    return;
  }
  std::string_view user = c.argc() == 3 ? c.arg(1) : "default";
  if (authenticate(c, user, c.arg(c.argc() - 1))) c.reply.ok();
}

void reply_help(CommandContext& c, std::initializer_list<const char*> lines) {
  c.reply.array(lines.size());
  for (const char* l : lines) c.reply.simple(l);
}

std::string default_user_rules(const Config& config) {
  std::string pass = config.requirepass.empty() ? "nopass" : "#" + core::sha256_hex(config.requirepass);
  return "user default on " + pass + " ~* &* +@all";
}

void cmd_acl(CommandContext& c) {
  std::string_view sub = c.arg(1);
  if (eq(sub, "whoami") && c.argc() == 2) {
    c.reply.bulk("default");
  } else if (eq(sub, "users") && c.argc() == 2) {
    c.reply.array(1);
    c.reply.bulk("default");
  } else if (eq(sub, "list") && c.argc() == 2) {
    c.reply.array(1);
    c.reply.bulk(default_user_rules(c.server.config()));
  } else if (eq(sub, "getuser") && c.argc() == 3) {
    if (c.arg(2) != "default") {
      c.reply.null();
      return;
    }
    const std::string& pass = c.server.config().requirepass;
    c.reply.map(6);
    c.reply.bulk("flags");
    c.reply.set(pass.empty() ? 2 : 1);
    c.reply.bulk("on");
    if (pass.empty()) c.reply.bulk("nopass");
    c.reply.bulk("passwords");
    c.reply.array(pass.empty() ? 0 : 1);
    if (!pass.empty()) c.reply.bulk(core::sha256_hex(pass));
    c.reply.bulk("commands");
    c.reply.bulk("+@all");
    c.reply.bulk("keys");
    c.reply.bulk("~*");
    c.reply.bulk("channels");
    c.reply.bulk("&*");
    c.reply.bulk("selectors");
    c.reply.array(0);
  } else if (eq(sub, "help") && c.argc() == 2) {
    reply_help(c, {"ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                   "GETUSER <username>", "    Get the user's details.",
                   "LIST", "    Show users details in config file format.",
                   "USERS", "    List all the registered usernames.",
                   "WHOAMI", "    Return the current connection username.",
                   "HELP", "    Prints this help.",
                   "(sfs kv has only the default user: CAT, SETUSER, DELUSER, GENPASS, LOG, LOAD,",
                   "SAVE and DRYRUN are not supported.)"});
  } else if (eq(sub, "cat") || eq(sub, "setuser") || eq(sub, "deluser") || eq(sub, "genpass") ||
             eq(sub, "log") || eq(sub, "load") || eq(sub, "save") || eq(sub, "dryrun")) {
    c.reply.error("ERR ACL " + core::to_upper(sub) +
                  " is not supported by sfs kv (only the default user exists; set its password "
                  "with requirepass)");
  } else {
    reply_subcommand_error(c, "acl", {"whoami", "users", "list", "getuser", "help"});
  }
}

void cmd_monitor(CommandContext& c) {
  // Queued in a transaction, MONITOR fails when EXEC runs it (EXEC wants one reply per command).
  if (c.server.in_exec() || c.client.connection == nullptr) {
    c.reply.error("ERR MONITOR isn't allowed for DENY BLOCKING client");
    return;
  }
  if (c.client.monitor) return;  // Redis answers nothing
  c.server.add_monitor(c.client);
  c.reply.ok();
}

void cmd_slowlog(CommandContext& c) {
  std::string_view sub = c.arg(1);
  if (eq(sub, "get") && c.argc() <= 3) {
    int64_t count = 10;
    if (c.argc() == 3) {
      if (!parse_ll(c.arg(2), &count) || count < -1) {
        c.reply.error("ERR count should be greater than or equal to -1");
        return;
      }
    }
    const auto& log = c.server.slowlog();
    size_t n = count == -1 ? log.size() : std::min(log.size(), static_cast<size_t>(count));
    c.reply.array(n);
    for (size_t i = 0; i < n; ++i) {
      const SlowlogEntry& e = log[i];
      c.reply.array(6);
      c.reply.integer(e.id);
      c.reply.integer(e.time);
      c.reply.integer(e.duration_us);
      c.reply.array(e.args.size());
      for (const auto& a : e.args) c.reply.bulk(a);
      c.reply.bulk(e.addr);
      c.reply.bulk(e.name);
    }
  } else if (eq(sub, "len") && c.argc() == 2) {
    c.reply.integer(static_cast<int64_t>(c.server.slowlog().size()));
  } else if (eq(sub, "reset") && c.argc() == 2) {
    c.server.slowlog_reset();
    c.reply.ok();
  } else if (eq(sub, "help") && c.argc() == 2) {
    reply_help(c, {"SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                   "GET [<count>]",
                   "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
                   "    Entries are made of:",
                   "    id, timestamp, time in microseconds, arguments array, client IP and port,",
                   "    client name",
                   "LEN", "    Return the length of the slowlog.",
                   "RESET", "    Reset the slowlog.",
                   "HELP", "    Prints this help."});
  } else {
    reply_subcommand_error(c, "slowlog", {"get", "len", "reset", "help"});
  }
}

// LATENCY HISTOGRAM [command ...]: for each command called (all, or those named), its calls and
// the cumulative count of calls at each power-of-two microsecond bound where the count grows, as
// Redis reports its per-command histograms.
void reply_latency_histogram(CommandContext& c) {
  auto all = c.server.command_stats();
  std::vector<std::pair<std::string, const CommandStats*>> chosen;
  auto consider = [&](const std::string& name, const CommandStats& st) {
    if (st.calls == 0) return;
    for (const auto& [n, s] : chosen) {
      if (n == name) return;
    }
    chosen.emplace_back(name, &st);
  };
  if (c.argc() == 2) {
    for (const auto& [name, st] : all) consider(name, st);
  } else {
    for (size_t i = 2; i < c.argc(); ++i) {
      std::string wanted = core::to_lower(c.arg(i));
      for (const auto& [name, st] : all) {
        // A container's name stands for all its subcommands, as in Redis.
        if (name == wanted || (name.starts_with(wanted) && name.size() > wanted.size() && name[wanted.size()] == '|')) {
          consider(name, st);
        }
      }
    }
  }
  c.reply.map(chosen.size());
  for (const auto& [name, st] : chosen) {
    c.reply.bulk(name);
    c.reply.map(2);
    c.reply.bulk("calls");
    c.reply.integer(static_cast<int64_t>(st->calls));
    c.reply.bulk("histogram_usec");
    size_t points = 0;
    for (uint64_t n : st->buckets) points += n > 0;
    c.reply.map(points);
    uint64_t cumulative = 0;
    for (size_t k = 0; k < st->buckets.size(); ++k) {
      if (st->buckets[k] == 0) continue;
      cumulative += st->buckets[k];
      // Redis labels the step 1024 << k ns with the top of its HDR histogram bucket (2
      // significant digits), in microseconds: 1, 2, 4, 8, 16, 33, 66, 131...
      c.reply.integer(((int64_t{1024} << k) + (int64_t{8} << k) - 1) / 1000);
      c.reply.integer(static_cast<int64_t>(cumulative));
    }
  }
}

void cmd_latency(CommandContext& c) {
  std::string_view sub = c.arg(1);
  if (eq(sub, "latest") && c.argc() == 2) {
    c.reply.array(0);
  } else if (eq(sub, "reset")) {
    c.reply.integer(0);
  } else if (eq(sub, "history") && c.argc() == 3) {
    c.reply.array(0);
  } else if (eq(sub, "graph") && c.argc() == 3) {
    c.reply.error("ERR No samples available for event '" + std::string(c.arg(2)) + "'");
  } else if (eq(sub, "doctor") && c.argc() == 2) {
    c.reply.verbatim(
        "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. "
        "You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable "
        "it. If we weren't in a deep space mission I'd suggest to take a look at "
        "https://redis.io/topics/latency-monitor.\n");
  } else if (eq(sub, "histogram")) {
    reply_latency_histogram(c);
  } else if (eq(sub, "help") && c.argc() == 2) {
    reply_help(c, {"LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                   "DOCTOR", "    Return a human readable latency analysis report.",
                   "GRAPH <event>", "    Return an ASCII latency graph for the <event> class.",
                   "HISTORY <event>", "    Return time-latency samples for the <event> class.",
                   "LATEST", "    Return the latest latency samples for all events.",
                   "RESET [<event> ...]", "    Reset latency data of one or more <event> classes.",
                   "    (default: reset all data for all event classes)",
                   "HISTOGRAM [COMMAND ...]",
                   "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
                   "    If no commands are specified then all histograms are replied.",
                   "HELP", "    Prints this help."});
  } else {
    reply_subcommand_error(c, "latency", {"latest", "reset", "history", "graph", "doctor", "histogram", "help"});
  }
}

}  // namespace

void register_admin_commands(std::vector<CommandSpec>& t) {
  t.push_back({"auth", cmd_auth, -2, kFast | kLoading | kNoAuth, 0, 0, 0, "connection", "1.0.0", "Authenticate to the server", "[username] password"});
  t.push_back({"acl", cmd_acl, -2, kContainer | kLoading, 0, 0, 0, "server", "6.0.0", "A container for Access List Control commands", "subcommand [argument [argument ...]]"});
  t.push_back({"monitor", cmd_monitor, 1, kAdmin | kLoading, 0, 0, 0, "server", "1.0.0", "Listen for all requests received by the server in real time", ""});
  t.push_back({"slowlog", cmd_slowlog, -2, kContainer | kAdmin | kLoading, 0, 0, 0, "server", "2.2.12", "A container for slow log commands", "subcommand [argument [argument ...]]"});
  t.push_back({"latency", cmd_latency, -2, kContainer | kAdmin | kLoading, 0, 0, 0, "server", "2.8.13", "A container for latency diagnostics commands", "subcommand [argument [argument ...]]"});
}

}  // namespace sfs::kv
