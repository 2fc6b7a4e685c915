// The server: clients, the command table and dispatch, blocking operations, pub/sub,
// transactions, expiry, eviction, and the hooks into persistence.
//
// One thread runs everything on a core::EventLoop (the reactor of Redis's ae.c):
//
//   socket ──read──▶ ClientConnection::on_data ──RespParser──▶ Server::execute(client, argv)
//                                                                    │
//        ┌──────────────────── checks: unknown command, arity, ──────┤
//        │                     MULTI queueing, pub/sub context, OOM   │
//        ▼                                                            ▼
//   Server::call ──▶ handler(CommandContext&) ──▶ replies into the client's output buffer
//        │                  │
//        │                  └─ writes: dirty++, signal_modified (WATCH), signal_ready (BLPOP)
//        ▼
//   propagate ──▶ Aof::feed (appended to the AOF buffer; written and, with appendfsync
//                 always, fsynced by a before-flush hook — before any reply leaves)
//   serve_ready_keys ──▶ re-runs the commands of clients blocked on keys that got data
//
// The reply of a command is written straight into the connection's output Buffer; the event loop
// writes all of it just before it sleeps (one write() per pipeline).
//
// Blocking commands (BLPOP, BLMOVE, BZPOPMIN...) that find nothing park the client: its argv is
// copied and it is queued per key; what it pipelines after waits in its input buffer. When a
// write command signals one of its keys, the parked command is simply executed again
// (serve_ready_keys, after the writing command finishes, like Redis 7.2's reprocessing of blocked
// commands); if it still finds nothing it stays
// parked. A timer answers it with a null when the timeout passes.
#pragma once

#include <cstdint>
#include <array>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/connection.h"
#include "core/event_loop.h"
#include "systems/kv/config.h"
#include "systems/kv/keyspace.h"
#include "systems/kv/resp.h"

namespace sfs::kv {

class Server;
class Client;
class Aof;

// Redis's exact error texts, shared by the command files.
namespace err {
inline constexpr std::string_view kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kSyntax = "ERR syntax error";
inline constexpr std::string_view kNoSuchKey = "ERR no such key";
inline constexpr std::string_view kOutOfRange = "ERR index out of range";
inline constexpr std::string_view kOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kDbIndex = "ERR DB index is out of range";
inline constexpr std::string_view kOom = "OOM command not allowed when used memory > 'maxmemory'.";
}  // namespace err

// Command flags.
enum CommandFlag : uint32_t {
  kWrite = 1 << 0,       // may modify the dataset (propagated to the AOF when it does)
  kReadOnly = 1 << 1,
  kDenyOom = 1 << 2,     // refused when over maxmemory (after eviction)
  kAdmin = 1 << 3,
  kPubSub = 1 << 4,
  kNoMulti = 1 << 5,     // not queued inside MULTI (executed at once: EXEC, DISCARD, WATCH...)
  kFast = 1 << 6,
  kBlocking = 1 << 7,
  kSubscribeOk = 1 << 8, // allowed in the RESP2 subscribed context
  kLoading = 1 << 9,
  kContainer = 1 << 10,  // has subcommands (CLIENT INFO, CONFIG GET...)
  kNoAuth = 1 << 11,     // allowed before AUTH when a password is required
  kSkipSlowlog = 1 << 12,
  kSkipMonitor = 1 << 13,
};

struct CommandContext;
using CommandHandler = void (*)(CommandContext&);

struct CommandSpec {
  const char* name;
  CommandHandler handler;
  int arity;  // >0 exact, <0 at least -arity (the name counts)
  uint32_t flags;
  int first_key, last_key, step;
  const char* group;
  const char* since;
  const char* summary;
  const char* syntax;  // argument syntax, for COMMAND DOCS and the cli's hints
};

// The state of one client session: used for network clients and for the AOF loader.
class Client {
 public:
  Client(Server& server, uint64_t id) : server_(server), id_(id) {}
  uint64_t id() const { return id_; }
  Server& server() { return server_; }

  ReplyWriter reply;
  int db = 0;
  int resp = 2;
  std::string name;
  std::string peer = "";
  std::string laddr = "";
  int64_t created_ms = 0;
  int64_t last_interaction_ms = 0;
  std::string last_command = "NULL";
  bool is_fake = false;         // the AOF loader: no socket, never blocks
  bool close_requested = false;  // QUIT, CLIENT KILL: close after the reply is written
  bool authenticated = true;     // false until AUTH while requirepass is set
  bool monitor = false;          // MONITOR: receives every command the server runs
  bool no_evict = false;         // CLIENT NO-EVICT (recorded; client eviction is not done)
  // CLIENT REPLY: kOn, kOff (no replies at all), kSkip (none for the next command).
  enum class ReplyMode : uint8_t { kOn, kOff, kSkip };
  ReplyMode reply_mode = ReplyMode::kOn;

  // MULTI / WATCH.
  bool in_multi = false;
  bool multi_error = false;
  bool watch_dirty = false;
  std::vector<std::vector<std::string>> queued;
  std::vector<std::pair<int, std::string>> watched;

  // Pub/sub.
  std::unordered_set<std::string> channels;
  std::unordered_set<std::string> patterns;
  size_t subscriptions() const { return channels.size() + patterns.size(); }

  // Blocking.
  struct Blocked {
    std::vector<std::string> argv;
    std::vector<std::string> keys;
    int db = 0;
    int64_t deadline_ms = 0;  // 0: none
    core::EventLoop::TimerId timer = 0;
    bool null_bulk_on_timeout = false;  // BLMOVE/BRPOPLPUSH answer $-1, the others *-1
    bool zero_on_timeout = false;       // WAIT answers :0 (no replica acknowledged)
  };
  std::unique_ptr<Blocked> blocked;

  // The connection, when there is one.
  core::Connection* connection = nullptr;

 private:
  Server& server_;
  uint64_t id_;
};

// What a handler sees.
struct CommandContext {
  CommandContext(Server& s, Client& c, Database& d, std::span<const std::string_view> a,
                 ReplyWriter& r, const CommandSpec* sp)
      : server(s), client(c), db(d), argv(a), reply(r), spec(sp) {}
  Server& server;
  Client& client;
  Database& db;
  std::span<const std::string_view> argv;
  ReplyWriter& reply;
  const CommandSpec* spec;
  int64_t dirty = 0;             // changes made (save rules, propagation)
  bool reprocessing = false;     // re-run of a blocked command
  bool blocked = false;          // the handler parked the client
  // When set, propagated instead of argv (a command may record several).
  std::vector<std::vector<std::string>> rewritten;
  bool rewrite = false;

  size_t argc() const { return argv.size(); }
  std::string_view arg(size_t i) const { return argv[i]; }
  // True when rewritten forms are wanted (an AOF is being written): lets hot commands skip
  // building them.
  bool propagating() const;
  void propagate_as(std::vector<std::string> args) {
    rewrite = true;
    rewritten.push_back(std::move(args));
  }
  // The key's entry if present and not expired (a lookup for reading: hits/misses, LRU).
  Entry* lookup_read(std::string_view key);
  // The same for writing (no hit/miss accounting).
  Entry* lookup_write(std::string_view key);
  // Replies WRONGTYPE and returns false when `e` is present with another type.
  bool check_type(Entry* e, Type type);
  // Parses argument i as an integer / double, replying the Redis error on failure.
  bool int_arg(size_t i, int64_t* out, std::string_view error = err::kNotInteger);
  bool double_arg(size_t i, double* out, std::string_view error = err::kNotFloat);
  // A write happened to `key` in this db: wakes WATCH and records dirtiness.
  void modified(std::string_view key);
  // Elements were added to `key`: blocked clients may be served.
  void ready(std::string_view key);
  // Parks the client on `keys` until `timeout_ms` (0 = forever). Returns false (and replies
  // null) when the client cannot block (inside MULTI, the AOF loader).
  bool block(std::vector<std::string> keys, int64_t deadline_ms, bool null_bulk);
};

class ClientConnection;

struct Stats {
  uint64_t connections_received = 0;
  uint64_t commands_processed = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t expired_keys = 0;
  uint64_t evicted_keys = 0;
  uint64_t rejected_connections = 0;
  uint64_t net_input_bytes = 0;
  uint64_t net_output_bytes = 0;
  uint64_t pubsub_messages = 0;
};

// Per-command statistics (INFO commandstats, LATENCY HISTOGRAM), keyed by the command's full name
// ("get", "config|set").
struct CommandStats {
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected = 0;  // refused before running (arity, NOAUTH, OOM, context)
  uint64_t failed = 0;    // ran and replied an error
  // Latency histogram: bucket k counts calls that took at most 1024 << k nanoseconds (about
  // 2^k microseconds), the power-of-two steps LATENCY HISTOGRAM reports.
  std::array<uint64_t, 40> buckets{};
};

// One SLOWLOG entry: a command that ran for at least slowlog-log-slower-than microseconds.
struct SlowlogEntry {
  int64_t id;
  int64_t time;         // Unix seconds when it was logged
  int64_t duration_us;
  std::vector<std::string> args;  // at most 32, each at most 128 bytes (with a note of the rest)
  std::string addr;
  std::string name;
};

class Server {
 public:
  Server(core::EventLoop& loop, Config config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads the data (AOF or RDB), listens, installs timers and signal handlers.
  core::Status start();
  // Runs the loop until SHUTDOWN or a termination signal; returns the exit code.
  int run();

  // Executes one request for `client` (argv views stay valid for the call). Returns false when
  // the request was not run because clients are paused (CLIENT PAUSE): the caller keeps it and
  // offers it again once the client is resumed.
  bool execute(Client& client, std::span<const std::string_view> argv);
  // Runs the commands whose keys became ready.
  void serve_ready_keys();
  // EXEC: runs the client's queued commands (after EXEC's own checks).
  void run_transaction(Client& client);

  core::EventLoop& loop() { return loop_; }
  Config& config() { return config_; }
  Database& db(int index) { return *dbs_[static_cast<size_t>(index)]; }
  std::vector<std::unique_ptr<Database>>& databases() { return dbs_; }
  int db_count() const { return static_cast<int>(dbs_.size()); }
  Stats& stats() { return stats_; }
  const CommandSpec* find_command(std::string_view name) const;
  const std::vector<CommandSpec>& commands() const { return commands_; }

  // Keyspace helpers with side effects (expiry propagation, notifications).
  // True (and deletes the key, propagating a DEL) when `e` has expired.
  bool expire_if_needed(Database& db, Entry* e);
  void signal_modified(int db, std::string_view key);
  void signal_ready(int db, std::string_view key);
  void touch_all_watched(int db);  // FLUSHDB, SWAPDB
  // Appends a command to the AOF (with a SELECT when the db changes).
  void propagate(int db, std::span<const std::string_view> argv);
  void propagate(int db, const std::vector<std::string>& argv);
  int64_t& dirty() { return dirty_; }
  bool loading() const { return loading_; }
  bool aof_active() const;

  // Clients.
  void add_client(std::unique_ptr<ClientConnection> connection);
  void remove_client(ClientConnection* connection);
  void for_each_client(const std::function<void(Client&)>& fn);
  Client* client_by_id(uint64_t id);
  size_t client_count() const { return clients_.size(); }
  size_t blocked_count() const { return blocked_clients_; }
  std::string client_info(const Client& c);
  uint64_t next_client_id() { return next_client_id_++; }

  // Blocking (used by CommandContext::block and the client lifecycle).
  void block_client(Client& client, std::unique_ptr<Client::Blocked> state);
  void unblock_client(Client& client, bool timed_out);

  // Pub/sub.
  size_t publish(std::string_view channel, std::string_view message);
  void subscribe(Client& c, std::string_view channel, bool pattern);
  bool unsubscribe(Client& c, std::string_view channel, bool pattern, bool notify);
  std::vector<std::string> channel_names(std::string_view pattern) const;
  size_t channel_subscribers(std::string_view channel) const;
  size_t pattern_count() const { return patterns_.size(); }

  // True while EXEC runs a transaction's commands.
  bool in_exec() const { return in_exec_; }
  // MONITOR: the client starts receiving every command run by the others.
  void add_monitor(Client& c);
  void remove_monitor(Client& c);
  // SLOWLOG.
  const std::deque<SlowlogEntry>& slowlog() const { return slowlog_; }
  // Every command's statistics by full name (those never called are left out).
  std::map<std::string, CommandStats> command_stats() const;
  const ErrorStats& error_stats() const { return error_stats_; }
  void slowlog_reset() { slowlog_.clear(); }
  // CLIENT PAUSE / UNPAUSE. While paused, commands of other clients (all, or only writes) wait
  // in their input buffers.
  void pause_clients(int64_t until_ms, bool all);
  void unpause_clients();
  // True when `client`'s next command `spec` must wait for the pause to end; the client is then
  // resumed by unpause_clients().
  bool postpone_if_paused(Client& client, const CommandSpec* spec);

  // WATCH.
  void watch(Client& c, std::string_view key);
  void unwatch_all(Client& c);

  // Memory: bytes allocated (from the allocator), and eviction.
  size_t used_memory() const;
  size_t peak_memory() const { return peak_memory_; }
  // Evicts until under maxmemory; false when that is impossible (noeviction or nothing left).
  bool free_memory_if_needed();

  // Persistence.
  core::Status save_rdb();          // SAVE (in the foreground)
  core::Status background_save();   // BGSAVE (fork)
  core::Status background_rewrite_aof();
  bool child_running() const { return child_pid_ > 0; }
  bool rdb_child() const { return child_pid_ > 0 && child_kind_ == ChildKind::kRdb; }
  bool aof_child() const { return child_pid_ > 0 && child_kind_ == ChildKind::kAof; }
  bool aof_rewrite_scheduled = false;
  int64_t last_save_time() const { return last_save_; }
  bool last_bgsave_ok() const { return last_bgsave_ok_; }
  bool last_aof_rewrite_ok() const { return last_aof_rewrite_ok_; }
  Aof* aof() { return aof_.get(); }
  core::Status set_appendonly(bool on);
  // SHUTDOWN: save (unless nosave), flush, stop the loop.
  core::Status prepare_shutdown(bool save, bool nosave);
  void request_stop() { loop_.stop(); }
  void set_exit_code(int code) { exit_code_ = code; }

  int64_t start_time_ms() const { return start_ms_; }
  uint16_t port() const { return port_; }
  std::string info(std::string_view section);
  void reset_stats();
  // Sleeps the whole server (DEBUG SLEEP).
  void debug_sleep(double seconds);

 private:
  enum class ChildKind { kNone, kRdb, kAof };
  friend struct CommandContext;
  bool dispatch(Client& client, std::span<const std::string_view> argv);
  void call(Client& client, const CommandSpec& spec, std::span<const std::string_view> argv,
            bool reprocessing = false);
  void cron();
  void active_expire();
  void feed_monitors(const Client& client, std::span<const std::string_view> argv);
  // The full name stats are kept under: "name", or "name|sub" for a container's subcommand.
  static std::string full_name(const CommandSpec& spec, std::span<const std::string_view> argv);
  // A command refused before it ran: counts as rejected.
  void reject(const CommandSpec& spec, std::span<const std::string_view> argv);
  CommandStats& stats_for(const CommandSpec& spec, std::span<const std::string_view> argv);
  void slowlog_push(const Client& client, std::span<const std::string_view> argv, int64_t duration_us);
  void on_child_exit(int pid, int status);
  void reap_children();
  core::Status load_data();
  std::vector<std::string>* blocked_queue_keys(int db);

  core::EventLoop& loop_;
  Config config_;
  std::vector<CommandSpec> commands_;
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, const CommandSpec*, NameHash, std::equal_to<>> command_index_;
  std::vector<std::unique_ptr<Database>> dbs_;
  std::unique_ptr<core::Acceptor> acceptor_;
  std::unique_ptr<core::Acceptor> acceptor6_;
  std::unordered_map<ClientConnection*, std::unique_ptr<ClientConnection>> clients_;
  uint64_t next_client_id_ = 1;
  Stats stats_;
  int64_t dirty_ = 0;
  int64_t dirty_at_last_save_ = 0;
  int64_t last_save_ = 0;
  int64_t start_ms_ = 0;
  bool last_bgsave_ok_ = true;
  bool last_aof_rewrite_ok_ = true;
  bool loading_ = false;
  uint16_t port_ = 0;
  int exit_code_ = 0;
  size_t peak_memory_ = 0;
  std::unique_ptr<Aof> aof_;
  int aof_db_ = -1;  // the db the AOF stream is in (-1: emit SELECT first)
  // Transactions propagate wrapped in MULTI/EXEC.
  bool in_exec_ = false;
  std::vector<std::pair<int, std::vector<std::string>>> exec_propagated_;

  // Blocking: (db, key) -> parked clients in arrival order; keys signalled since the last serve.
  std::map<std::pair<int, std::string>, std::deque<Client*>> blocking_;
  std::vector<std::pair<int, std::string>> ready_keys_;
  std::unordered_set<std::string> ready_set_;
  size_t blocked_clients_ = 0;
  bool serving_ready_ = false;

  // Pub/sub: channel -> subscribers; pattern -> subscribers.
  std::unordered_map<std::string, std::vector<Client*>> channels_;
  std::map<std::string, std::vector<Client*>> patterns_;

  // MONITOR clients; the slow log; CLIENT PAUSE state.
  std::vector<Client*> monitors_;
  std::vector<CommandStats> spec_stats_;  // by position in commands_ (a lookup-free counter)
  std::map<std::string, CommandStats> subcommand_stats_;  // "config|get"...
  ErrorStats error_stats_;
  uint64_t errors_attributed_ = 0;  // error_stats_.total already charged to some command
  std::deque<SlowlogEntry> slowlog_;
  int64_t slowlog_next_id_ = 0;
  int64_t pause_until_ms_ = 0;  // 0: not paused
  bool pause_all_ = false;
  core::EventLoop::TimerId pause_timer_ = 0;
  std::vector<uint64_t> postponed_;  // ids of clients waiting for the pause to end
  core::Buffer discarded_replies_;   // CLIENT REPLY OFF/SKIP write here

  // WATCH: (db, key) -> clients watching it.
  std::map<std::pair<int, std::string>, std::vector<Client*>> watched_;

  // Background child (BGSAVE / BGREWRITEAOF).
  int child_pid_ = -1;
  ChildKind child_kind_ = ChildKind::kNone;
  std::string child_temp_file_;
  int64_t child_start_ms_ = 0;
  int64_t last_bgsave_attempt_ = 0;
  int64_t last_child_duration_ms_ = 0;
};

// Builds the command table (commands_*.cc register their parts).
void register_key_commands(std::vector<CommandSpec>& table);
void register_string_commands(std::vector<CommandSpec>& table);
void register_list_commands(std::vector<CommandSpec>& table);
void register_hash_commands(std::vector<CommandSpec>& table);
void register_set_commands(std::vector<CommandSpec>& table);
void register_zset_commands(std::vector<CommandSpec>& table);
void register_server_commands(std::vector<CommandSpec>& table);
void register_pubsub_commands(std::vector<CommandSpec>& table);
void register_admin_commands(std::vector<CommandSpec>& table);
void register_sort_commands(std::vector<CommandSpec>& table);
void register_bitmap_commands(std::vector<CommandSpec>& table);
void register_hyperloglog_commands(std::vector<CommandSpec>& table);
void register_dump_commands(std::vector<CommandSpec>& table);

}  // namespace sfs::kv
