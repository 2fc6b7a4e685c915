// `sfs kv cli`: a small redis-cli. One command from the arguments, commands from stdin when it
// is not a terminal, or an interactive prompt with history (core::LineEditor).
//
// Replies are printed as redis-cli prints them: on a terminal with type annotations
// ("(integer) 1", quoted strings, numbered nested arrays, RESP3 maps as "1# key => value"); into
// a pipe in raw form (bare values, one per line), so scripts can use the output directly.
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>

#include "core/flags.h"
#include "core/line_editor.h"
#include "core/socket.h"
#include "core/strings.h"
#include "core/terminal.h"
#include "systems/kv/kv.h"
#include "systems/kv/resp.h"
#include "systems/kv/util.h"

namespace sfs::kv {
namespace {

struct Value {
  char type = '+';  // + - : $ * _ , # % ~ > = (
  std::string str;
  int64_t integer = 0;
  bool null = false;
  std::vector<Value> items;  // arrays, sets, pushes; maps as k, v, k, v
};

// Parses one reply from buf[pos..]; returns false when more bytes are needed.
bool parse_value(const std::string& buf, size_t* pos, Value* out, bool* error) {
  size_t p = *pos;
  if (p >= buf.size()) return false;
  size_t nl = buf.find("\r\n", p);
  if (nl == std::string::npos) return false;
  char type = buf[p];
  std::string line = buf.substr(p + 1, nl - p - 1);
  p = nl + 2;
  out->type = type;
  switch (type) {
    case '+': case '-': case ',': case '(':
      out->str = line;
      break;
    case ':':
      out->integer = core::parse_int64(line).value_or(0);
      break;
    case '#':
      out->integer = line == "t";
      break;
    case '_':
      out->null = true;
      break;
    case '$': case '=': case '!': {
      int64_t len = core::parse_int64(line).value_or(-1);
      if (len < 0) {
        out->null = true;
        break;
      }
      if (buf.size() < p + static_cast<size_t>(len) + 2) return false;
      out->str = buf.substr(p, static_cast<size_t>(len));
      if (type == '=' && out->str.size() >= 4) out->str = out->str.substr(4);
      if (type == '!') out->type = '-';
      p += static_cast<size_t>(len) + 2;
      break;
    }
    case '*': case '~': case '>': case '%': {
      int64_t n = core::parse_int64(line).value_or(-1);
      if (n < 0) {
        out->null = true;
        break;
      }
      size_t count = static_cast<size_t>(n) * (type == '%' ? 2 : 1);
      out->items.clear();
      for (size_t i = 0; i < count; ++i) {
        Value v;
        if (!parse_value(buf, &p, &v, error)) return false;
        out->items.push_back(std::move(v));
      }
      break;
    }
    default:
      *error = true;
      return false;
  }
  *pos = p;
  return true;
}

std::string repr(std::string_view s) {
  std::string out;
  append_repr(out, s);
  return out;
}

// redis-cli's "human" format.
std::string format_tty(const Value& v, size_t indent) {
  switch (v.type) {
    case '+': return v.str;
    case '-': return "(error) " + v.str;
    case ':': return "(integer) " + std::to_string(v.integer);
    case ',': return "(double) " + v.str;
    case '(': return "(big number) " + v.str;
    case '#': return v.integer ? "(true)" : "(false)";
    case '_': return "(nil)";
    case '$': return v.null ? "(nil)" : repr(v.str);
    case '=': return v.str;
    default: break;
  }
  if (v.null) return "(nil)";
  bool map = v.type == '%';
  size_t n = map ? v.items.size() / 2 : v.items.size();
  if (n == 0) {
    return v.type == '~' ? "(empty set)" : map ? "(empty hash)" : "(empty array)";
  }
  std::string out;
  size_t width = std::to_string(n).size();
  const char* mark = map ? "# " : v.type == '~' ? "~ " : ") ";
  for (size_t i = 0; i < n; ++i) {
    std::string num = std::to_string(i + 1);
    std::string prefix = std::string(width - num.size(), ' ') + num + mark;
    if (i > 0) out += "\n" + std::string(indent, ' ');
    out += prefix;
    size_t inner = indent + prefix.size();
    if (map) {
      std::string key = format_tty(v.items[2 * i], inner);
      out += key + " => ";
      out += format_tty(v.items[2 * i + 1], inner + key.size() + 4);
    } else {
      out += format_tty(v.items[i], inner);
    }
  }
  return out;
}

// redis-cli's raw format (for pipes).
std::string format_raw(const Value& v) {
  switch (v.type) {
    case '+': case '$': case '=': case ',': case '(': return v.null ? "" : v.str;
    case '-': return v.str;
    case ':': return std::to_string(v.integer);
    case '#': return v.integer ? "1" : "0";
    case '_': return "";
    default: break;
  }
  std::string out;
  for (size_t i = 0; i < v.items.size(); ++i) {
    if (i > 0) out += "\n";
    out += format_raw(v.items[i]);
  }
  return out;
}

class Connection {
 public:
  core::Status connect(const std::string& host, uint16_t port) {
    SFS_ASSIGN_OR_RETURN(fd_, core::tcp_connect(host, port, 5000));
    return core::Status::ok();
  }
  core::Status send(const std::vector<std::string>& args) {
    std::string out = "*" + std::to_string(args.size()) + "\r\n";
    for (const auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
    size_t off = 0;
    while (off < out.size()) {
      ssize_t n = ::send(fd_.get(), out.data() + off, out.size() - off, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        return core::Status::io_error("send", errno);
      }
      off += static_cast<size_t>(n);
    }
    return core::Status::ok();
  }
  core::Result<Value> read() {
    while (true) {
      size_t pos = 0;
      Value v;
      bool error = false;
      if (parse_value(buf_, &pos, &v, &error)) {
        buf_.erase(0, pos);
        return v;
      }
      if (error) return core::Status::invalid_argument("protocol error in the server's reply");
      char chunk[16384];
      ssize_t n = ::recv(fd_.get(), chunk, sizeof(chunk), 0);
      if (n == 0) return core::Status::closed("Server closed the connection");
      if (n < 0) {
        if (errno == EINTR) continue;
        return core::Status::io_error("recv", errno);
      }
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }
  bool connected() const { return static_cast<bool>(fd_); }
  void reset() {
    fd_.reset();
    buf_.clear();
  }

 private:
  core::Fd fd_;
  std::string buf_;
};

struct Options {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  int db = 0;
  bool resp3 = false;
  bool raw = false;
  bool no_raw = false;
  std::string user;      // --user: AUTH user pass
  std::string password;  // -a / --pass, or $REDISCLI_AUTH: AUTH [user] pass at connect
};

void print_value(const Value& v, bool tty) {
  std::string text = tty ? format_tty(v, 0) : format_raw(v);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

bool is_subscribe(const std::string& name) {
  std::string n = core::to_lower(name);
  return n == "subscribe" || n == "psubscribe" || n == "ssubscribe";
}

// Runs one command and prints its reply (all messages for SUBSCRIBE). Returns false when the
// connection failed; *had_error is set for an error reply.
bool run_command(Connection& conn, const std::vector<std::string>& args, bool tty, bool* had_error) {
  if (core::Status s = conn.send(args); !s.is_ok()) {
    std::fprintf(stderr, "Error: %s\n", s.message().c_str());
    return false;
  }
  size_t replies = is_subscribe(args[0]) ? SIZE_MAX : 1;
  for (size_t i = 0; i < replies; ++i) {
    auto v = conn.read();
    if (!v.is_ok()) {
      std::fprintf(stderr, "Error: %s\n", v.status().message().c_str());
      return false;
    }
    if (v->type == '-') *had_error = true;
    print_value(*v, tty);
  }
  return true;
}

core::Status handshake(Connection& conn, const Options& opt, int db) {
  SFS_TRY(conn.connect(opt.host, opt.port));
  if (!opt.password.empty()) {
    // As redis-cli: a failed AUTH is reported and the session goes on (commands then get NOAUTH).
    std::vector<std::string> auth = {"AUTH"};
    if (!opt.user.empty()) auth.push_back(opt.user);
    auth.push_back(opt.password);
    SFS_TRY(conn.send(auth));
    SFS_ASSIGN_OR_RETURN(Value v, conn.read());
    if (v.type == '-') std::fprintf(stderr, "AUTH failed: %s\n", v.str.c_str());
  }
  bool ignored = false;
  if (opt.resp3) {
    SFS_TRY(conn.send({"HELLO", "3"}));
    SFS_ASSIGN_OR_RETURN(Value v, conn.read());
    ignored = v.type == '-';
  }
  if (db != 0) {
    SFS_TRY(conn.send({"SELECT", std::to_string(db)}));
    SFS_ASSIGN_OR_RETURN(Value v, conn.read());
    if (v.type == '-') return core::Status::invalid_argument(v.str);
  }
  (void)ignored;
  return core::Status::ok();
}

std::string history_path() {
  const char* home = std::getenv("HOME");
  return home ? std::string(home) + "/.sfs_kv_history" : ".sfs_kv_history";
}

int interactive(Connection& conn, const Options& opt) {
  core::LineEditor editor;
  (void)editor.load_history(history_path());
  int db = opt.db;
  auto prompt = [&] {
    std::string p = opt.host + ":" + std::to_string(opt.port);
    if (db != 0) p += "[" + std::to_string(db) + "]";
    if (!conn.connected()) p = "not connected";
    return p + "> ";
  };
  bool tty = !opt.raw;
  while (true) {
    editor.set_prompt(prompt());
    std::optional<std::string> line = editor.read_line();
    if (!line) {
      if (editor.interrupted()) continue;
      break;
    }
    std::vector<std::string> args;
    if (!split_args(*line, &args)) {
      std::printf("Invalid argument(s)\n");
      continue;
    }
    if (args.empty()) continue;
    editor.add_history(*line);
    (void)editor.save_history(history_path());
    std::string name = core::to_lower(args[0]);
    if (name == "quit" || name == "exit") break;
    if (name == "clear") {
      std::printf("\x1b[H\x1b[2J");
      continue;
    }
    if (name == "connect" && args.size() >= 2) {
      Options next = opt;
      next.host = args[1];
      if (args.size() >= 3) next.port = static_cast<uint16_t>(std::atoi(args[2].c_str()));
      conn.reset();
      if (core::Status s = handshake(conn, next, 0); !s.is_ok()) {
        std::printf("Could not connect to %s:%d: %s\n", next.host.c_str(), next.port, s.message().c_str());
      }
      continue;
    }
    if (!conn.connected()) {
      if (core::Status s = handshake(conn, opt, db); !s.is_ok()) {
        std::printf("Could not connect to %s:%d: %s\n", opt.host.c_str(), opt.port, s.message().c_str());
        continue;
      }
    }
    bool had_error = false;
    if (!run_command(conn, args, tty, &had_error)) {
      conn.reset();
      continue;
    }
    if (name == "select" && args.size() == 2 && !had_error) db = std::atoi(args[1].c_str());
  }
  return 0;
}

}  // namespace

int client_main(int argc, char** argv) {
  // redis-cli spells RESP3 "-3" (the flag parser would take it for a negative number) and the
  // host "-h" (which the flag parser reserves for --help): translate both.
  std::vector<char*> args(argv, argv + argc);
  static char resp3_flag[] = "--resp3";
  static char host_flag[] = "--host";
  for (size_t i = 1; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "-3") {
      args[i] = resp3_flag;
      continue;
    }
    if (a == "-h" && i + 1 < args.size()) {
      args[i] = host_flag;
      ++i;
      continue;
    }
    if (a == "-p" || a == "-n" || a == "-a" || a == "--host" || a == "--port" || a == "--db" ||
        a == "--pass" || a == "--user") {
      ++i;
      continue;
    }
    if (a.empty() || a[0] != '-') break;  // the command starts here
  }
  argc = static_cast<int>(args.size());
  argv = args.data();
  Options opt;
  std::vector<std::string> command;
  core::Flags flags("sfs kv cli", "A redis-cli-like client for sfs kv (and any Redis server).");
  flags.add("host", &opt.host, "server host (default 127.0.0.1); -h HOST works too", 0, "HOST");
  flags.add("port", &opt.port, "server port (default 6379)", 'p');
  flags.add("db", &opt.db, "database number", 'n');
  flags.add("resp3", &opt.resp3, "speak RESP3 (HELLO 3)", '3');
  flags.add("pass", &opt.password, "password for AUTH (or $REDISCLI_AUTH); -a PASSWORD works too", 'a', "PASSWORD");
  flags.add("user", &opt.user, "user name for AUTH (with --pass)", 0, "USER");
  flags.add("raw", &opt.raw, "print replies raw, even on a terminal");
  flags.add("no-raw", &opt.no_raw, "print replies formatted, even into a pipe");
  flags.rest("command", &command, "a command and its arguments (none: read commands from stdin, or prompt)");
  flags.stop_at_first_positional();
  if (auto code = flags.parse(argc, argv)) return *code;
  if (!opt.password.empty()) {
    std::fprintf(stderr, "Warning: Using a password with '-a' or '-u' option on the command line "
                         "interface may not be safe.\n");
  } else if (const char* env = std::getenv("REDISCLI_AUTH"); env != nullptr) {
    opt.password = env;
  }
  bool tty_out = opt.no_raw || (!opt.raw && core::is_terminal(1));

  Connection conn;
  if (core::Status s = handshake(conn, opt, opt.db); !s.is_ok()) {
    std::fprintf(stderr, "Could not connect to %s:%d: %s\n", opt.host.c_str(), opt.port, s.message().c_str());
    if (command.empty() && core::is_terminal(0)) return interactive(conn, opt);
    return 1;
  }
  if (!command.empty()) {
    bool had_error = false;
    if (!run_command(conn, command, tty_out, &had_error)) return 1;
    return had_error ? 1 : 0;
  }
  if (core::is_terminal(0)) return interactive(conn, opt);
  // Commands from stdin, one per line (like `redis-cli < commands.txt`).
  std::string line;
  int status = 0;
  char chunk[4096];
  std::string pending;
  while (true) {
    ssize_t n = ::read(0, chunk, sizeof(chunk));
    if (n <= 0) break;
    pending.append(chunk, static_cast<size_t>(n));
    size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      std::vector<std::string> args;
      if (!split_args(line, &args)) {
        std::fprintf(stderr, "Invalid argument(s)\n");
        status = 1;
        continue;
      }
      if (args.empty()) continue;
      bool had_error = false;
      if (!run_command(conn, args, tty_out, &had_error)) return 1;
      if (had_error) status = 1;
    }
  }
  if (!core::trim(pending).empty()) {
    std::vector<std::string> args;
    if (split_args(pending, &args) && !args.empty()) {
      bool had_error = false;
      if (!run_command(conn, args, tty_out, &had_error)) return 1;
      if (had_error) status = 1;
    }
  }
  return status;
}

}  // namespace sfs::kv
