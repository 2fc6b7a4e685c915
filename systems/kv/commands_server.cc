// Connection and server commands: PING, ECHO, QUIT, RESET, HELLO, AUTH, INFO, CONFIG, CLIENT,
// COMMAND, TIME, SAVE, BGSAVE, LASTSAVE, BGREWRITEAOF, SHUTDOWN, DEBUG, MEMORY, MULTI/EXEC/
// DISCARD/WATCH/UNWATCH, WAIT, ROLE. Also Server::info().
#include <sys/utsname.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "core/log.h"
#include "systems/kv/aof.h"
#include "systems/kv/client_connection.h"
#include "systems/kv/commands.h"
#include "systems/kv/util.h"

namespace sfs::kv {

constexpr const char* kRedisVersion = "7.0.15";

namespace {

void cmd_ping(CommandContext& c) {
  if (c.argc() > 2) {
    c.reply.error("ERR wrong number of arguments for 'ping' command");
    return;
  }
  if (c.client.resp == 2 && c.client.subscriptions() > 0) {
    c.reply.array(2);
    c.reply.bulk("pong");
    c.reply.bulk(c.argc() == 2 ? c.arg(1) : "");
    return;
  }
  if (c.argc() == 2) c.reply.bulk(c.arg(1));
  else c.reply.raw("+PONG\r\n");
}

void cmd_echo(CommandContext& c) { c.reply.bulk(c.arg(1)); }

void cmd_quit(CommandContext& c) {
  c.reply.ok();
  c.client.close_requested = true;
}

void reset_client(CommandContext& c) {
  c.client.in_multi = false;
  c.client.multi_error = false;
  c.client.queued.clear();
  c.server.unwatch_all(c.client);
  for (const auto& ch : std::vector<std::string>(c.client.channels.begin(), c.client.channels.end())) {
    c.server.unsubscribe(c.client, ch, false, false);
  }
  for (const auto& p : std::vector<std::string>(c.client.patterns.begin(), c.client.patterns.end())) {
    c.server.unsubscribe(c.client, p, true, false);
  }
  c.client.db = 0;
  c.client.resp = 2;
  c.client.reply.set_protocol(2);
  c.client.name.clear();
  c.client.authenticated = c.server.config().requirepass.empty();
  c.client.reply_mode = Client::ReplyMode::kOn;
  c.client.no_evict = false;
  if (c.client.monitor) c.server.remove_monitor(c.client);
}

void cmd_reset(CommandContext& c) {
  reset_client(c);
  c.reply.simple("RESET");
}

void cmd_hello(CommandContext& c) {
  int64_t version = c.client.resp;
  size_t i = 1;
  if (c.argc() >= 2) {
    if (!parse_ll(c.arg(1), &version)) {
      c.reply.error("ERR Protocol version is not an integer or out of range");
      return;
    }
    i = 2;
    if (version < 2 || version > 3) {
      c.reply.error("NOPROTO unsupported protocol version");
      return;
    }
  }
  std::string_view user, password, name;
  bool set_name = false, auth = false;
  for (; i < c.argc(); ++i) {
    if (eq(c.arg(i), "auth") && i + 2 < c.argc()) {
      user = c.arg(i + 1);
      password = c.arg(i + 2);
      auth = true;
      i += 2;
    } else if (eq(c.arg(i), "setname") && i + 1 < c.argc()) {
      name = c.arg(++i);
      set_name = true;
    } else {
      c.reply.error("ERR Syntax error in HELLO option '" + std::string(c.arg(i)) + "'");
      return;
    }
  }
  if (auth && !authenticate(c, user, password)) return;
  // As Redis: a client that connected while a password was required stays unauthenticated for
  // HELLO even after requirepass is cleared (other commands then pass).
  if (!c.client.authenticated) {
    c.reply.error("NOAUTH HELLO must be called with the client already authenticated, otherwise "
                  "the HELLO AUTH <user> <pass> option can be used to authenticate the client "
                  "and select the RESP protocol version at the same time");
    return;
  }
  if (set_name) {
    for (char ch : name) {
      if (ch < '!' || ch > '~') {
        c.reply.error("ERR Client names cannot contain spaces, newlines or special characters.");
        return;
      }
    }
  }
  if (set_name) c.client.name = std::string(name);
  c.client.resp = static_cast<int>(version);
  c.reply.set_protocol(c.client.resp);
  c.reply.map(7);
  c.reply.bulk("server");
  c.reply.bulk("redis");
  c.reply.bulk("version");
  c.reply.bulk(kRedisVersion);
  c.reply.bulk("proto");
  c.reply.integer(version);
  c.reply.bulk("id");
  c.reply.integer(static_cast<int64_t>(c.client.id()));
  c.reply.bulk("mode");
  c.reply.bulk("standalone");
  c.reply.bulk("role");
  c.reply.bulk("master");
  c.reply.bulk("modules");
  c.reply.array(0);
}

void cmd_info(CommandContext& c) {
  std::string section = c.argc() >= 2 ? core::to_lower(c.arg(1)) : "default";
  std::string text;
  if (c.argc() > 2) {
    for (size_t i = 1; i < c.argc(); ++i) text += c.server.info(core::to_lower(c.arg(i)));
  } else {
    text = c.server.info(section);
  }
  c.reply.verbatim(text);
}

void cmd_config(CommandContext& c) {
  std::string_view sub = c.arg(1);
  if (eq(sub, "get") && c.argc() >= 3) {
    std::vector<std::pair<std::string, std::string>> out;
    for (size_t i = 2; i < c.argc(); ++i) {
      std::string pattern = core::to_lower(c.arg(i));
      for (const auto& p : config_params()) {
        for (const auto& name : p.names) {
          if (!glob_match(pattern, name, true)) continue;
          if (p.hidden && pattern != name) continue;
          bool dup = false;
          for (auto& [n, v] : out) dup = dup || n == name;
          if (!dup) out.emplace_back(name, p.get(c.server.config()));
        }
      }
    }
    c.reply.map(out.size());
    for (auto& [n, v] : out) {
      c.reply.bulk(n);
      c.reply.bulk(v);
    }
  } else if (eq(sub, "set") && c.argc() >= 4 && c.argc() % 2 == 0) {
    for (size_t i = 2; i < c.argc(); i += 2) {
      const ConfigParam* p = find_config_param(c.arg(i));
      if (p == nullptr) {
        c.reply.error("ERR Unknown option or number of arguments for CONFIG SET - '" + std::string(c.arg(i)) + "'");
        return;
      }
      if (p->immutable) {
        c.reply.error("ERR CONFIG SET failed (possibly related to argument '" + std::string(c.arg(i)) +
                      "') - can't set immutable config");
        return;
      }
      Config& config = c.server.config();
      bool was_aof = config.appendonly;
      std::string old_dir = config.dir;
      std::string error = p->set(config, c.arg(i + 1));
      if (!error.empty()) {
        c.reply.error("ERR CONFIG SET failed (possibly related to argument '" + std::string(c.arg(i)) +
                      "') - " + error);
        return;
      }
      if (p->names[0] == "dir" && config.dir != old_dir) {
        if (::chdir(config.dir.c_str()) != 0) {
          config.dir = old_dir;
          c.reply.error("ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory");
          return;
        }
      }
      if (p->names[0] == "appendonly" && config.appendonly != was_aof) {
        core::Status s = c.server.set_appendonly(config.appendonly);
        if (!s.is_ok()) {
          config.appendonly = was_aof;
          c.reply.error("ERR CONFIG SET failed (possibly related to argument 'appendonly') - " + s.message());
          return;
        }
      }
      if (p->names[0] == "loglevel") {
        core::LogLevel level = core::LogLevel::kInfo;
        if (config.loglevel == "debug" || config.loglevel == "verbose") level = core::LogLevel::kDebug;
        else if (config.loglevel == "warning") level = core::LogLevel::kWarn;
        core::set_log_level(level);
      }
    }
    c.reply.ok();
  } else if (eq(sub, "resetstat") && c.argc() == 2) {
    c.server.reset_stats();
    c.reply.ok();
  } else if (eq(sub, "rewrite") && c.argc() == 2) {
    c.reply.error("ERR The server is running without a config file");
  } else if (eq(sub, "help")) {
    const char* lines[] = {"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                           "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
                           "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
                           "RESETSTAT", "    Reset statistics reported by the INFO command.",
                           "HELP", "    Prints this help."};
    c.reply.array(std::size(lines));
    for (const char* l : lines) c.reply.simple(l);
  } else {
    reply_subcommand_error(c, "config", {"get", "set", "resetstat", "rewrite", "help"});
  }
}

void cmd_client(CommandContext& c) {
  std::string_view sub = c.arg(1);
  if (eq(sub, "id") && c.argc() == 2) {
    c.reply.integer(static_cast<int64_t>(c.client.id()));
  } else if (eq(sub, "setname") && c.argc() == 3) {
    for (char ch : c.arg(2)) {
      if (ch < '!' || ch > '~') {
        c.reply.error("ERR Client names cannot contain spaces, newlines or special characters.");
        return;
      }
    }
    c.client.name = std::string(c.arg(2));
    c.reply.ok();
  } else if (eq(sub, "getname") && c.argc() == 2) {
    if (c.client.name.empty()) c.reply.null();
    else c.reply.bulk(c.client.name);
  } else if (eq(sub, "info") && c.argc() == 2) {
    c.reply.verbatim(c.server.client_info(c.client) + "\n");
  } else if (eq(sub, "list")) {
    std::vector<uint64_t> ids;
    bool filter = false;
    for (size_t i = 2; i < c.argc(); ++i) {
      if (eq(c.arg(i), "id")) {
        filter = true;
        for (size_t k = i + 1; k < c.argc(); ++k) {
          int64_t id;
          if (!parse_ll(c.arg(k), &id) || id <= 0) {
            c.reply.error("ERR Invalid client ID");
            return;
          }
          ids.push_back(static_cast<uint64_t>(id));
        }
        break;
      }
      if (eq(c.arg(i), "type") && i + 1 < c.argc()) {
        ++i;
        continue;
      }
      c.reply.error(err::kSyntax);
      return;
    }
    std::string out;
    c.server.for_each_client([&](Client& cl) {
      if (filter && std::find(ids.begin(), ids.end(), cl.id()) == ids.end()) return;
      out += c.server.client_info(cl);
      out += '\n';
    });
    c.reply.verbatim(out);
  } else if (eq(sub, "kill") && c.argc() >= 3) {
    std::vector<Client*> victims;
    bool legacy = c.argc() == 3;
    std::string addr, laddr;
    int64_t id = -1;
    bool skipme = true;
    if (legacy) {
      addr = std::string(c.arg(2));
    } else {
      for (size_t i = 2; i + 1 < c.argc(); i += 2) {
        std::string_view k = c.arg(i), v = c.arg(i + 1);
        if (eq(k, "id")) {
          if (!parse_ll(v, &id)) {
            c.reply.error("ERR client-id should be greater than 0");
            return;
          }
        } else if (eq(k, "addr")) addr = std::string(v);
        else if (eq(k, "laddr")) laddr = std::string(v);
        else if (eq(k, "skipme")) skipme = eq(v, "yes");
        else if (eq(k, "type") || eq(k, "user")) continue;
        else {
          c.reply.error(err::kSyntax);
          return;
        }
      }
      if ((c.argc() - 2) % 2 != 0) {
        c.reply.error(err::kSyntax);
        return;
      }
    }
    c.server.for_each_client([&](Client& cl) {
      if (!addr.empty() && cl.peer != addr) return;
      if (!laddr.empty() && cl.laddr != laddr) return;
      if (id >= 0 && cl.id() != static_cast<uint64_t>(id)) return;
      if (!legacy && skipme && &cl == &c.client) return;
      victims.push_back(&cl);
    });
    if (legacy && victims.empty()) {
      c.reply.error("ERR No such client");
      return;
    }
    for (Client* v : victims) {
      if (v == &c.client) v->close_requested = true;
      else if (v->connection) v->connection->close_after_flush();
    }
    if (legacy) c.reply.ok();
    else c.reply.integer(static_cast<int64_t>(victims.size()));
  } else if (eq(sub, "setinfo") && c.argc() == 4) {
    c.reply.ok();
  } else if (eq(sub, "no-evict") && c.argc() == 3) {
    if (eq(c.arg(2), "on") || eq(c.arg(2), "off")) {
      c.client.no_evict = eq(c.arg(2), "on");
      c.reply.ok();
    } else {
      c.reply.error(err::kSyntax);
    }
  } else if (eq(sub, "no-touch") && c.argc() == 3) {
    c.reply.ok();
  } else if (eq(sub, "reply") && c.argc() == 3) {
    // OFF and SKIP answer nothing (not even to this command); ON answers OK.
    if (eq(c.arg(2), "on")) {
      c.client.reply_mode = Client::ReplyMode::kOn;
      if (c.client.connection != nullptr) c.reply.set_output(&c.client.connection->output());
      c.reply.ok();
    } else if (eq(c.arg(2), "off")) {
      c.client.reply_mode = Client::ReplyMode::kOff;
    } else if (eq(c.arg(2), "skip")) {
      if (c.client.reply_mode != Client::ReplyMode::kOff) c.client.reply_mode = Client::ReplyMode::kSkip;
    } else {
      c.reply.error(err::kSyntax);
    }
  } else if (eq(sub, "pause") && (c.argc() == 3 || c.argc() == 4)) {
    // As Redis: the mode is checked before the timeout.
    bool all = true;
    if (c.argc() == 4) {
      if (eq(c.arg(3), "write")) all = false;
      else if (!eq(c.arg(3), "all")) {
        c.reply.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
        return;
      }
    }
    int64_t timeout;
    if (!parse_ll(c.arg(2), &timeout)) {
      c.reply.error("ERR timeout is not an integer or out of range");
      return;
    }
    if (timeout < 0) {
      c.reply.error("ERR timeout is negative");
      return;
    }
    int64_t now = now_ms();
    c.server.pause_clients(timeout > INT64_MAX - now ? INT64_MAX : now + timeout, all);
    c.reply.ok();
  } else if (eq(sub, "unpause") && c.argc() == 2) {
    c.server.unpause_clients();
    c.reply.ok();
  } else if (eq(sub, "unblock") && (c.argc() == 3 || c.argc() == 4)) {
    int64_t id;
    if (!parse_ll(c.arg(2), &id)) {
      c.reply.error(err::kNotInteger);
      return;
    }
    bool as_error = false;
    if (c.argc() == 4) {
      if (eq(c.arg(3), "error")) as_error = true;
      else if (!eq(c.arg(3), "timeout")) {
        c.reply.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
        return;
      }
    }
    Client* target = id > 0 ? c.server.client_by_id(static_cast<uint64_t>(id)) : nullptr;
    if (target == nullptr || !target->blocked || target->connection == nullptr) {
      c.reply.integer(0);
      return;
    }
    if (as_error) {
      ReplyWriter w(&target->connection->output());
      w.set_protocol(target->resp);
      w.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
      c.server.unblock_client(*target, false);
    } else {
      c.server.unblock_client(*target, true);
    }
    c.reply.integer(1);
  } else if (eq(sub, "help")) {
    const char* lines[] = {
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        "HELP",
        "    Prints this help.",
    };
    c.reply.array(std::size(lines));
    for (const char* l : lines) c.reply.simple(l);
  } else {
    reply_subcommand_error(c, "client", {"id", "setname", "getname", "info", "list", "kill", "setinfo", "no-evict", "no-touch", "reply", "pause", "unpause", "unblock", "help"});
  }
}

// ---- COMMAND

std::vector<std::string> flag_names(uint32_t f) {
  std::vector<std::string> out;
  if (f & kWrite) out.push_back("write");
  if (f & kReadOnly) out.push_back("readonly");
  if (f & kDenyOom) out.push_back("denyoom");
  if (f & kAdmin) out.push_back("admin");
  if (f & kPubSub) out.push_back("pubsub");
  if (f & kNoMulti) out.push_back("no_multi");
  if (f & kBlocking) out.push_back("blocking");
  if (f & kLoading) out.push_back("loading");
  if (f & kFast) out.push_back("fast");
  return out;
}

void reply_command_info(CommandContext& c, const CommandSpec& s) {
  c.reply.array(10);
  c.reply.bulk(s.name);
  c.reply.integer(s.arity);
  auto flags = flag_names(s.flags);
  c.reply.set(flags.size());
  for (const auto& f : flags) c.reply.simple(f);
  c.reply.integer(s.first_key);
  c.reply.integer(s.last_key);
  c.reply.integer(s.step);
  std::vector<std::string> cats;
  if (s.flags & kWrite) cats.push_back("@write");
  if (s.flags & kReadOnly) cats.push_back("@read");
  cats.push_back(std::string("@") + (std::string_view(s.group) == "generic" ? "keyspace" : s.group));
  if (s.flags & kFast) cats.push_back("@fast");
  else cats.push_back("@slow");
  if (s.flags & kBlocking) cats.push_back("@blocking");
  c.reply.set(cats.size());
  for (const auto& cat : cats) c.reply.simple(cat);
  c.reply.array(0);  // tips
  c.reply.array(0);  // key specs
  c.reply.array(0);  // subcommands
}

// The argument tree of COMMAND DOCS, parsed from a syntax string such as
// "key [NX|XX] [EX seconds|PX milliseconds] member [member ...]".
struct DocArg {
  std::string name;
  std::string type;  // key, string, integer, double, pure-token, oneof, block
  std::string token;
  bool optional = false;
  bool multiple = false;
  std::vector<DocArg> children;
};

bool is_token(std::string_view w) {
  for (char ch : w) {
    if (ch >= 'a' && ch <= 'z') return false;
  }
  return !w.empty();
}

std::string arg_type(std::string_view w) {
  static const char* keys[] = {"key", "source", "destination", "newkey", "dst", "src"};
  for (const char* k : keys) if (w == k) return "key";
  static const char* ints[] = {"seconds", "milliseconds", "count", "index", "start", "stop", "offset",
                               "numkeys", "unix-time-seconds", "unix-time-milliseconds", "db",
                               "destination-db", "index1", "index2", "cursor", "limit", "rank",
                               "num-matches", "len", "end", "decrement"};
  for (const char* k : ints) if (w == k) return "integer";
  static const char* doubles[] = {"score", "timeout", "weight", "min", "max"};
  for (const char* k : doubles) if (w == k) return "double";
  return "string";
}

class SyntaxParser {
 public:
  explicit SyntaxParser(std::string_view s) {
    std::string cur;
    for (char ch : s) {
      if (ch == '[' || ch == ']' || ch == '|' || ch == ' ') {
        if (!cur.empty()) tokens_.push_back(cur);
        cur.clear();
        if (ch != ' ') tokens_.push_back(std::string(1, ch));
      } else {
        cur += ch;
      }
    }
    if (!cur.empty()) tokens_.push_back(cur);
  }
  std::vector<DocArg> parse() { return seq(); }

 private:
  bool at(std::string_view t) const { return pos_ < tokens_.size() && tokens_[pos_] == t; }
  std::vector<DocArg> seq() {
    std::vector<DocArg> out;
    while (pos_ < tokens_.size() && !at("]") && !at("|")) {
      if (at("...")) {
        ++pos_;
        if (!out.empty()) out.back().multiple = true;
        continue;
      }
      DocArg a;
      if (at("[")) {
        ++pos_;
        a = alternatives();
        if (at("]")) ++pos_;
        a.optional = true;
        // "x [x ...]" and "a b [a b ...]" are one argument (or group) that repeats.
        if (a.multiple && a.children.empty() && !out.empty() && out.back().name == a.name) {
          out.back().multiple = true;
          continue;
        }
        if (a.multiple && a.type == "block" && out.size() >= a.children.size()) {
          bool same = true;
          size_t k = a.children.size();
          for (size_t i = 0; i < k; ++i) same = same && out[out.size() - k + i].name == a.children[i].name;
          if (same) {
            out.resize(out.size() - k);
            a.optional = false;
          }
        }
      } else {
        a = word();
      }
      out.push_back(std::move(a));
    }
    return out;
  }
  DocArg alternatives() {
    std::vector<std::vector<DocArg>> alts;
    alts.push_back(seq());
    while (at("|")) {
      ++pos_;
      alts.push_back(seq());
    }
    auto as_one = [](std::vector<DocArg> s) {
      if (s.size() == 1) return s[0];
      DocArg block;
      block.type = "block";
      for (auto& x : s) block.name += (block.name.empty() ? "" : "-") + x.name;
      block.children = std::move(s);
      return block;
    };
    if (alts.size() == 1) {
      auto s = std::move(alts[0]);
      // "[score member ...]": the ellipsis repeats the whole group, not its last word.
      if (s.size() > 1 && s.back().multiple) {
        s.back().multiple = false;
        DocArg block = as_one(std::move(s));
        block.multiple = true;
        return block;
      }
      if (s.size() == 2 && !s[0].token.empty() && s[0].type == "pure-token" && s[1].token.empty()) {
        DocArg a = s[1];
        a.token = s[0].token;
        return a;
      }
      return as_one(std::move(s));
    }
    DocArg oneof;
    oneof.type = "oneof";
    for (auto& alt : alts) {
      if (alt.size() == 2 && alt[0].type == "pure-token" && alt[1].token.empty()) {
        DocArg a = alt[1];
        a.token = alt[0].token;
        oneof.children.push_back(a);
      } else {
        oneof.children.push_back(as_one(std::move(alt)));
      }
    }
    for (auto& ch : oneof.children) oneof.name += (oneof.name.empty() ? "" : "-") + ch.name;
    if (oneof.name.size() > 40) oneof.name = "option";
    return oneof;
  }
  DocArg word() {
    DocArg a;
    std::string w = tokens_[pos_++];
    if (is_token(w)) {
      a.name = core::to_lower(w);
      a.type = "pure-token";
      a.token = w;
    } else {
      a.name = w;
      a.type = arg_type(w);
    }
    return a;
  }
  std::vector<std::string> tokens_;
  size_t pos_ = 0;
};

void reply_doc_args(CommandContext& c, const std::vector<DocArg>& args) {
  c.reply.array(args.size());
  for (const auto& a : args) {
    size_t fields = 2 + (a.token.empty() ? 0 : 1) + ((a.optional || a.multiple) ? 1 : 0) +
                    (a.children.empty() ? 0 : 1);
    c.reply.map(fields);
    c.reply.bulk("name");
    c.reply.bulk(a.name);
    c.reply.bulk("type");
    c.reply.bulk(a.type);
    if (!a.token.empty()) {
      c.reply.bulk("token");
      c.reply.bulk(a.token);
    }
    if (a.optional || a.multiple) {
      c.reply.bulk("flags");
      c.reply.set((a.optional ? 1 : 0) + (a.multiple ? 1 : 0));
      if (a.optional) c.reply.simple("optional");
      if (a.multiple) c.reply.simple("multiple");
    }
    if (!a.children.empty()) {
      c.reply.bulk("arguments");
      reply_doc_args(c, a.children);
    }
  }
}

void reply_command_docs(CommandContext& c, const CommandSpec& s) {
  std::vector<DocArg> args = SyntaxParser(s.syntax).parse();
  c.reply.map(args.empty() ? 3 : 4);
  c.reply.bulk("summary");
  c.reply.bulk(s.summary);
  c.reply.bulk("since");
  c.reply.bulk(s.since);
  c.reply.bulk("group");
  c.reply.bulk(s.group);
  if (!args.empty()) {
    c.reply.bulk("arguments");
    reply_doc_args(c, args);
  }
}

void cmd_command(CommandContext& c) {
  const auto& all = c.server.commands();
  if (c.argc() == 1) {
    c.reply.array(all.size());
    for (const auto& s : all) reply_command_info(c, s);
    return;
  }
  std::string_view sub = c.arg(1);
  if (eq(sub, "count") && c.argc() == 2) {
    c.reply.integer(static_cast<int64_t>(all.size()));
  } else if (eq(sub, "info")) {
    if (c.argc() == 2) {
      c.reply.array(all.size());
      for (const auto& s : all) reply_command_info(c, s);
      return;
    }
    c.reply.array(c.argc() - 2);
    for (size_t i = 2; i < c.argc(); ++i) {
      const CommandSpec* s = c.server.find_command(c.arg(i));
      if (s == nullptr) c.reply.null_array();
      else reply_command_info(c, *s);
    }
  } else if (eq(sub, "docs")) {
    std::vector<const CommandSpec*> specs;
    if (c.argc() == 2) {
      for (const auto& s : all) specs.push_back(&s);
    } else {
      for (size_t i = 2; i < c.argc(); ++i) {
        if (const CommandSpec* s = c.server.find_command(c.arg(i))) specs.push_back(s);
      }
    }
    c.reply.map(specs.size());
    for (const CommandSpec* s : specs) {
      c.reply.bulk(s->name);
      reply_command_docs(c, *s);
    }
  } else if (eq(sub, "list")) {
    c.reply.array(all.size());
    for (const auto& s : all) c.reply.bulk(s.name);
  } else if (eq(sub, "getkeys") && c.argc() >= 3) {
    const CommandSpec* s = c.server.find_command(c.arg(2));
    if (s == nullptr) {
      c.reply.error("ERR Invalid command specified");
      return;
    }
    int argc = static_cast<int>(c.argc()) - 2;
    if ((s->arity > 0 && argc != s->arity) || (s->arity < 0 && argc < -s->arity)) {
      c.reply.error("ERR Invalid number of arguments specified for command");
      return;
    }
    std::vector<std::string_view> keys;
    if (s->first_key > 0) {
      int last = s->last_key < 0 ? argc + s->last_key : s->last_key;
      for (int k = s->first_key; k <= last && k < argc; k += s->step) keys.push_back(c.arg(2 + static_cast<size_t>(k)));
    }
    if (keys.empty()) {
      c.reply.error("ERR The command has no key arguments");
      return;
    }
    c.reply.array(keys.size());
    for (auto k : keys) c.reply.bulk(k);
  } else if (eq(sub, "help")) {
    const char* lines[] = {"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                           "(no subcommand)", "    Return details about all Redis commands.",
                           "COUNT", "    Return the total number of commands in this Redis server.",
                           "LIST", "    Return a list of all commands in this Redis server.",
                           "INFO [<command-name> ...]", "    Return details about multiple Redis commands.",
                           "DOCS [<command-name> ...]", "    Return documentation details about multiple Redis commands.",
                           "GETKEYS <full-command>", "    Return the keys from a full Redis command.",
                           "HELP", "    Prints this help."};
    c.reply.array(std::size(lines));
    for (const char* l : lines) c.reply.simple(l);
  } else {
    reply_subcommand_error(c, "command", {"count", "info", "docs", "list", "getkeys", "help"});
  }
}

void cmd_time(CommandContext& c) {
  int64_t us = now_us();
  c.reply.array(2);
  c.reply.bulk_int(us / 1000000);
  c.reply.bulk_int(us % 1000000);
}

void cmd_save(CommandContext& c) {
  if (c.server.rdb_child()) {
    c.reply.error("ERR Background save already in progress");
    return;
  }
  core::Status s = c.server.save_rdb();
  if (s.is_ok()) c.reply.ok();
  else c.reply.error("ERR " + s.message());
}

void cmd_bgsave(CommandContext& c) {
  bool schedule = c.argc() == 2 && eq(c.arg(1), "schedule");
  if (c.argc() > 2 || (c.argc() == 2 && !schedule)) {
    c.reply.error(err::kSyntax);
    return;
  }
  if (c.server.rdb_child()) {
    c.reply.error("ERR Background save already in progress");
    return;
  }
  if (c.server.child_running()) {
    if (schedule) {
      c.reply.simple("Background saving scheduled");
      return;
    }
    c.reply.error("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
    return;
  }
  core::Status s = c.server.background_save();
  if (s.is_ok()) c.reply.simple("Background saving started");
  else c.reply.error("ERR " + s.message());
}

void cmd_lastsave(CommandContext& c) { c.reply.integer(c.server.last_save_time()); }

void cmd_bgrewriteaof(CommandContext& c) {
  if (c.server.aof_child()) {
    c.reply.error("ERR Background append only file rewriting already in progress");
    return;
  }
  if (c.server.child_running()) {
    c.server.aof_rewrite_scheduled = true;
    c.reply.simple("Background append only file rewriting scheduled");
    return;
  }
  core::Status s = c.server.background_rewrite_aof();
  if (s.is_ok()) c.reply.simple("Background append only file rewriting started");
  else c.reply.error("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.");
}

void cmd_shutdown(CommandContext& c) {
  bool save = false, nosave = false;
  for (size_t i = 1; i < c.argc(); ++i) {
    if (eq(c.arg(i), "save")) save = true;
    else if (eq(c.arg(i), "nosave")) nosave = true;
    else if (eq(c.arg(i), "now") || eq(c.arg(i), "force") || eq(c.arg(i), "abort")) continue;
    else {
      c.reply.error(err::kSyntax);
      return;
    }
  }
  if (save && nosave) {
    c.reply.error(err::kSyntax);
    return;
  }
  core::Status s = c.server.prepare_shutdown(save, nosave);
  if (!s.is_ok()) {
    c.reply.error("ERR Errors trying to SHUTDOWN. Check logs.");
    return;
  }
  c.server.set_exit_code(0);
  c.server.request_stop();
  c.client.close_requested = true;
}

void cmd_debug(CommandContext& c) {
  std::string_view sub = c.arg(1);
  if (eq(sub, "sleep") && c.argc() == 3) {
    double seconds;
    if (!c.double_arg(2, &seconds)) return;
    c.server.debug_sleep(seconds);
    c.reply.ok();
  } else if (eq(sub, "reload")) {
    core::Status s = c.server.save_rdb();
    if (!s.is_ok()) {
      c.reply.error("ERR Error trying to save the DB: " + s.message());
      return;
    }
    c.reply.ok();
  } else if (eq(sub, "object") && c.argc() == 3) {
    Entry* e = c.db.find(c.arg(2));
    if (e == nullptr) {
      c.reply.error(err::kNoSuchKey);
      return;
    }
    c.reply.simple("Value at:0x0 refcount:1 encoding:" + std::string(type_name(e->type())) +
                   " serializedlength:0 lru:" + std::to_string(e->lru()) +
                   " lru_seconds_idle:" + std::to_string(idle_seconds(e)));
  } else if (eq(sub, "set-active-expire") && c.argc() == 3) {
    c.reply.ok();
  } else if (eq(sub, "help")) {
    c.reply.array(3);
    c.reply.simple("DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    c.reply.simple("SLEEP <seconds>");
    c.reply.simple("    Stop the server for <seconds>. Decimals allowed.");
  } else {
    reply_subcommand_error(c, "debug", {"sleep", "reload", "object", "set-active-expire", "help"});
  }
}

void cmd_memory(CommandContext& c) {
  std::string_view sub = c.arg(1);
  if (eq(sub, "usage") && c.argc() >= 3) {
    Entry* e = c.lookup_read(c.arg(2));
    if (e == nullptr) c.reply.null();
    else c.reply.integer(static_cast<int64_t>(entry_memory(e)));
  } else if (eq(sub, "stats") || eq(sub, "doctor") || eq(sub, "malloc-stats")) {
    c.reply.bulk("used_memory:" + std::to_string(c.server.used_memory()));
  } else if (eq(sub, "purge")) {
    c.reply.ok();
  } else {
    reply_subcommand_error(c, "memory", {"usage", "stats", "doctor", "malloc-stats", "purge", "help"});
  }
}

void cmd_multi(CommandContext& c) {
  if (c.client.in_multi) {
    c.reply.error("ERR MULTI calls can not be nested");
    return;
  }
  c.client.in_multi = true;
  c.client.multi_error = false;
  c.client.queued.clear();
  c.reply.ok();
}

void cmd_discard(CommandContext& c) {
  if (!c.client.in_multi) {
    c.reply.error("ERR DISCARD without MULTI");
    return;
  }
  c.client.in_multi = false;
  c.client.queued.clear();
  c.server.unwatch_all(c.client);
  c.reply.ok();
}

void cmd_watch(CommandContext& c) {
  if (c.client.in_multi) {
    c.reply.error("ERR WATCH inside MULTI is not allowed");
    return;
  }
  for (size_t i = 1; i < c.argc(); ++i) c.server.watch(c.client, c.arg(i));
  c.reply.ok();
}

void cmd_unwatch(CommandContext& c) {
  c.server.unwatch_all(c.client);
  c.reply.ok();
}

// WAIT numreplicas timeout: there are no replicas, so no write is ever acknowledged. Like Redis,
// asking for none answers 0 at once; asking for one or more waits out the timeout (0: forever)
// and then answers 0 — inside MULTI it cannot wait and answers 0 at once.
void cmd_wait(CommandContext& c) {
  int64_t replicas, timeout;
  if (!c.int_arg(1, &replicas)) return;
  if (!c.int_arg(2, &timeout, "ERR timeout is not an integer or out of range")) return;
  if (timeout < 0) {
    c.reply.error("ERR timeout is negative");
    return;
  }
  if (replicas <= 0) {
    c.reply.integer(0);
    return;
  }
  int64_t now = now_ms();
  int64_t deadline = timeout == 0 ? 0 : (timeout > INT64_MAX - now ? INT64_MAX : now + timeout);
  if (!c.block({}, deadline, false)) {
    c.reply.integer(0);
    return;
  }
  if (c.client.blocked) c.client.blocked->zero_on_timeout = true;
}

void cmd_role(CommandContext& c) {
  c.reply.array(3);
  c.reply.bulk("master");
  c.reply.integer(0);
  c.reply.array(0);
}

void cmd_lolwut(CommandContext& c) { c.reply.verbatim(std::string("sfs kv ver. ") + kRedisVersion + "\n"); }

}  // namespace

// EXEC lives in Server (it needs the private exec path).
void cmd_exec(CommandContext& c);

void register_server_commands(std::vector<CommandSpec>& t) {
  uint32_t conn = kFast | kLoading;
  t.push_back({"ping", cmd_ping, -1, conn | kSubscribeOk, 0, 0, 0, "connection", "1.0.0", "Ping the server", "[message]"});
  t.push_back({"echo", cmd_echo, 2, conn, 0, 0, 0, "connection", "1.0.0", "Echo the given string", "message"});
  t.push_back({"quit", cmd_quit, -1, conn | kSubscribeOk | kNoMulti | kNoAuth, 0, 0, 0, "connection", "1.0.0", "Close the connection", ""});
  t.push_back({"reset", cmd_reset, 1, conn | kSubscribeOk | kNoMulti | kNoAuth, 0, 0, 0, "connection", "6.2.0", "Reset the connection", ""});
  t.push_back({"hello", cmd_hello, -1, conn | kNoAuth, 0, 0, 0, "connection", "6.0.0", "Handshake with Redis", "[protover [AUTH username password] [SETNAME clientname]]"});
  t.push_back({"info", cmd_info, -1, kLoading, 0, 0, 0, "server", "1.0.0", "Get information and statistics about the server", "[section [section ...]]"});
  t.push_back({"config", cmd_config, -2, kContainer | kAdmin | kLoading, 0, 0, 0, "server", "2.0.0", "A container for server configuration commands", "subcommand [argument [argument ...]]"});
  t.push_back({"client", cmd_client, -2, kContainer | kLoading, 0, 0, 0, "connection", "2.4.0", "A container for client connection commands", "subcommand [argument [argument ...]]"});
  t.push_back({"command", cmd_command, -1, kContainer | kLoading, 0, 0, 0, "server", "2.8.13", "Get array of Redis command details", "[subcommand [argument [argument ...]]]"});
  t.push_back({"time", cmd_time, 1, conn, 0, 0, 0, "server", "2.6.0", "Return the current server time", ""});
  t.push_back({"save", cmd_save, 1, kAdmin | kNoMulti, 0, 0, 0, "server", "1.0.0", "Synchronously save the dataset to disk", ""});
  t.push_back({"bgsave", cmd_bgsave, -1, kAdmin, 0, 0, 0, "server", "1.0.0", "Asynchronously save the dataset to disk", "[SCHEDULE]"});
  t.push_back({"lastsave", cmd_lastsave, 1, kFast | kLoading, 0, 0, 0, "server", "1.0.0", "Get the UNIX time stamp of the last successful save to disk", ""});
  t.push_back({"bgrewriteaof", cmd_bgrewriteaof, 1, kAdmin | kNoMulti, 0, 0, 0, "server", "1.0.0", "Asynchronously rewrite the append-only file", ""});
  t.push_back({"shutdown", cmd_shutdown, -1, kAdmin | kNoMulti | kLoading, 0, 0, 0, "server", "1.0.0", "Synchronously save the dataset to disk and then shut down the server", "[NOSAVE|SAVE] [NOW] [FORCE] [ABORT]"});
  t.push_back({"debug", cmd_debug, -2, kContainer | kAdmin | kNoMulti | kLoading, 0, 0, 0, "server", "1.0.0", "A container for debugging commands", "subcommand [argument [argument ...]]"});
  t.push_back({"memory", cmd_memory, -2, kContainer | kReadOnly, 0, 0, 0, "server", "4.0.0", "A container for memory diagnostics commands", "subcommand [argument [argument ...]]"});
  t.push_back({"multi", cmd_multi, 1, kFast | kNoMulti | kLoading, 0, 0, 0, "transactions", "1.2.0", "Mark the start of a transaction block", ""});
  t.push_back({"exec", cmd_exec, 1, kNoMulti | kLoading | kSkipSlowlog, 0, 0, 0, "transactions", "1.2.0", "Execute all commands issued after MULTI", ""});
  t.push_back({"discard", cmd_discard, 1, kFast | kNoMulti | kLoading, 0, 0, 0, "transactions", "2.0.0", "Discard all commands issued after MULTI", ""});
  t.push_back({"watch", cmd_watch, -2, kFast | kNoMulti | kLoading, 1, -1, 1, "transactions", "2.2.0", "Watch the given keys to determine execution of the MULTI/EXEC block", "key [key ...]"});
  t.push_back({"unwatch", cmd_unwatch, 1, kFast | kLoading, 0, 0, 0, "transactions", "2.2.0", "Forget about all watched keys", ""});
  t.push_back({"wait", cmd_wait, 3, 0, 0, 0, 0, "generic", "3.0.0", "Wait for the synchronous replication of all the write commands sent in the context of the current connection", "numreplicas timeout"});
  t.push_back({"role", cmd_role, 1, kFast | kLoading, 0, 0, 0, "server", "2.8.12", "Return the role of the instance in the context of replication", ""});
  t.push_back({"lolwut", cmd_lolwut, -1, kReadOnly | kFast, 0, 0, 0, "server", "5.0.0", "Display some computer art and the Redis version", "[VERSION version]"});
}

// ---------------------------------------------------------------------------------------------

void cmd_exec(CommandContext& c) {
  if (!c.client.in_multi) {
    c.reply.error("ERR EXEC without MULTI");
    return;
  }
  if (c.client.multi_error) {
    c.client.in_multi = false;
    c.client.queued.clear();
    c.server.unwatch_all(c.client);
    c.reply.error("EXECABORT Transaction discarded because of previous errors.");
    return;
  }
  if (c.client.watch_dirty) {
    c.client.in_multi = false;
    c.client.queued.clear();
    c.server.unwatch_all(c.client);
    c.reply.null_array();
    return;
  }
  c.server.run_transaction(c.client);
}

namespace {

std::string human_bytes(size_t n) {
  char buf[32];
  double d = static_cast<double>(n);
  if (n < 1024) std::snprintf(buf, sizeof(buf), "%zuB", n);
  else if (d < 1024.0 * 1024) std::snprintf(buf, sizeof(buf), "%.2fK", d / 1024);
  else if (d < 1024.0 * 1024 * 1024) std::snprintf(buf, sizeof(buf), "%.2fM", d / (1024 * 1024));
  else std::snprintf(buf, sizeof(buf), "%.2fG", d / (1024.0 * 1024 * 1024));
  return buf;
}

size_t rss_bytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  if (std::fscanf(f, "%lu %lu", &size, &resident) != 2) resident = 0;
  std::fclose(f);
  return resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace

std::string Server::info(std::string_view section) {
  bool all = section == "all" || section == "everything";
  bool deflt = section == "default" || section.empty();
  auto want = [&](std::string_view name) { return all || deflt || section == name; };
  // Sections only "all", "everything" or their own name ask for (not the default).
  auto want_extra = [&](std::string_view name) { return all || section == name; };
  std::string out;
  auto add = [&](const std::string& line) {
    out += line;
    out += "\r\n";
  };
  auto header = [&](const char* name) {
    if (!out.empty()) out += "\r\n";
    add(std::string("# ") + name);
  };
  int64_t now = now_ms();
  if (want("server")) {
    header("Server");
    struct utsname u;
    uname(&u);
    add(std::string("redis_version:") + kRedisVersion);
    add("redis_git_sha1:00000000");
    add("redis_git_dirty:0");
    add("redis_build_id:0");
    add("redis_mode:standalone");
    add(std::string("os:") + u.sysname + " " + u.release + " " + u.machine);
    add("arch_bits:64");
    add("monotonic_clock:POSIX clock_gettime");
    add("multiplexing_api:epoll");
    add("atomicvar_api:c11-builtin");
    add("gcc_version:0.0.0");
    add("process_id:" + std::to_string(::getpid()));
    add("process_supervised:no");
    add("run_id:" + std::string(40, '0'));
    add("tcp_port:" + std::to_string(port_));
    add("server_time_usec:" + std::to_string(now_us()));
    add("uptime_in_seconds:" + std::to_string((now - start_ms_) / 1000));
    add("uptime_in_days:" + std::to_string((now - start_ms_) / 86400000));
    add("hz:" + std::to_string(config_.hz));
    add("configured_hz:" + std::to_string(config_.hz));
    add("lru_clock:" + std::to_string(lru_clock()));
    add("executable:sfs");
    add("config_file:" + config_.config_file);
    add("io_threads_active:0");
    add("implementation:sfs-kv");
  }
  if (want("clients")) {
    header("Clients");
    size_t pubsub = 0;
    for (auto& [ptr, conn] : clients_) pubsub += conn->client.subscriptions() > 0;
    add("connected_clients:" + std::to_string(clients_.size()));
    add("cluster_connections:0");
    add("maxclients:" + std::to_string(config_.maxclients));
    add("client_recent_max_input_buffer:0");
    add("client_recent_max_output_buffer:0");
    add("blocked_clients:" + std::to_string(blocked_clients_));
    add("tracking_clients:0");
    add("clients_in_timeout_table:" + std::to_string(blocked_clients_));
    add("pubsub_clients:" + std::to_string(pubsub));
  }
  if (want("memory")) {
    header("Memory");
    size_t used = used_memory();
    peak_memory_ = std::max(peak_memory_, used);
    size_t rss = rss_bytes();
    add("used_memory:" + std::to_string(used));
    add("used_memory_human:" + human_bytes(used));
    add("used_memory_rss:" + std::to_string(rss));
    add("used_memory_rss_human:" + human_bytes(rss));
    add("used_memory_peak:" + std::to_string(peak_memory_));
    add("used_memory_peak_human:" + human_bytes(peak_memory_));
    add("maxmemory:" + std::to_string(config_.maxmemory));
    add("maxmemory_human:" + human_bytes(static_cast<size_t>(config_.maxmemory)));
    add("maxmemory_policy:" + config_.maxmemory_policy);
    char ratio[32];
    std::snprintf(ratio, sizeof(ratio), "%.2f", used > 0 ? static_cast<double>(rss) / static_cast<double>(used) : 0.0);
    add(std::string("mem_fragmentation_ratio:") + ratio);
    add("mem_allocator:libc");
  }
  if (want("persistence")) {
    header("Persistence");
    add("loading:0");
    add("async_loading:0");
    add("current_cow_peak:0");
    add("rdb_changes_since_last_save:" + std::to_string(dirty_ - dirty_at_last_save_));
    add(std::string("rdb_bgsave_in_progress:") + (rdb_child() ? "1" : "0"));
    add("rdb_last_save_time:" + std::to_string(last_save_));
    add(std::string("rdb_last_bgsave_status:") + (last_bgsave_ok_ ? "ok" : "err"));
    add("rdb_last_bgsave_time_sec:" + std::to_string(last_child_duration_ms_ / 1000));
    add(std::string("aof_enabled:") + (aof_ && aof_->active() ? "1" : "0"));
    add(std::string("aof_rewrite_in_progress:") + (aof_child() ? "1" : "0"));
    add(std::string("aof_rewrite_scheduled:") + (aof_rewrite_scheduled ? "1" : "0"));
    add(std::string("aof_last_bgrewrite_status:") + (last_aof_rewrite_ok_ ? "ok" : "err"));
    add(std::string("aof_last_write_status:") + (aof_ && !aof_->write_ok() ? "err" : "ok"));
  }
  if (want("stats")) {
    header("Stats");
    add("total_connections_received:" + std::to_string(stats_.connections_received));
    add("total_commands_processed:" + std::to_string(stats_.commands_processed));
    add("instantaneous_ops_per_sec:0");
    add("total_net_input_bytes:" + std::to_string(stats_.net_input_bytes));
    add("total_net_output_bytes:0");
    add("rejected_connections:" + std::to_string(stats_.rejected_connections));
    add("expired_keys:" + std::to_string(stats_.expired_keys));
    add("evicted_keys:" + std::to_string(stats_.evicted_keys));
    add("keyspace_hits:" + std::to_string(stats_.keyspace_hits));
    add("keyspace_misses:" + std::to_string(stats_.keyspace_misses));
    add("pubsub_channels:" + std::to_string(channels_.size()));
    add("pubsub_patterns:" + std::to_string(patterns_.size()));
    add("total_forks:0");
    add("unexpected_error_replies:0");
    add("total_error_replies:" + std::to_string(error_stats_.total));
  }
  if (want("replication")) {
    header("Replication");
    add("role:master");
    add("connected_slaves:0");
    add("master_repl_offset:0");
  }
  if (want("cpu")) {
    header("CPU");
    add("used_cpu_sys:0.000000");
    add("used_cpu_user:0.000000");
  }
  if (want_extra("commandstats")) {
    header("Commandstats");
    char per_call[32];
    for (const auto& [name, st] : command_stats()) {
      std::snprintf(per_call, sizeof(per_call), "%.2f",
                    st.calls == 0 ? 0.0 : static_cast<double>(st.usec) / static_cast<double>(st.calls));
      add("cmdstat_" + name + ":calls=" + std::to_string(st.calls) + ",usec=" + std::to_string(st.usec) +
          ",usec_per_call=" + per_call + ",rejected_calls=" + std::to_string(st.rejected) +
          ",failed_calls=" + std::to_string(st.failed));
    }
  }
  if (want("errorstats")) {
    header("Errorstats");
    for (const auto& [code, count] : error_stats_.by_code) {
      add("errorstat_" + code + ":count=" + std::to_string(count));
    }
  }
  if (want("keyspace")) {
    header("Keyspace");
    for (auto& db : dbs_) {
      if (db->size() == 0) continue;
      add("db" + std::to_string(db->id()) + ":keys=" + std::to_string(db->size()) +
          ",expires=" + std::to_string(db->expires()) + ",avg_ttl=0");
    }
  }
  return out;
}

}  // namespace sfs::kv
