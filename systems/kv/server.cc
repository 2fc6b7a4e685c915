// The server: dispatch, blocking, pub/sub, WATCH, expiry, eviction, the cron, and start-up and
// shutdown. See server.h for the request path.
#include "systems/kv/server.h"

#include <malloc.h>
#if defined(SFS_SANITIZE) || defined(SFS_FUZZING)
// From the sanitizer runtime (sanitizer/allocator_interface.h, which g++ does not install).
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "core/file.h"
#include "core/log.h"
#include "core/socket.h"
#include "core/strings.h"
#include "systems/kv/aof.h"
#include "systems/kv/client_connection.h"
#include "systems/kv/rdb.h"
#include "systems/kv/util.h"

namespace sfs::kv {

// ---------------------------------------------------------------------------------------------
// CommandContext

Entry* CommandContext::lookup_read(std::string_view key) {
  Entry* e = db.find(key);
  if (e != nullptr && server.expire_if_needed(db, e)) e = nullptr;
  if (e == nullptr) {
    ++server.stats().keyspace_misses;
    return nullptr;
  }
  ++server.stats().keyspace_hits;
  touch_entry(e);
  return e;
}

Entry* CommandContext::lookup_write(std::string_view key) {
  Entry* e = db.find(key);
  if (e != nullptr && server.expire_if_needed(db, e)) return nullptr;
  if (e != nullptr) touch_entry(e);
  return e;
}

bool CommandContext::check_type(Entry* e, Type type) {
  if (e != nullptr && e->type() != type) {
    reply.error(err::kWrongType);
    return false;
  }
  return true;
}

bool CommandContext::int_arg(size_t i, int64_t* out, std::string_view error) {
  if (!parse_ll(argv[i], out)) {
    reply.error(error);
    return false;
  }
  return true;
}

bool CommandContext::double_arg(size_t i, double* out, std::string_view error) {
  if (!parse_double_strict(argv[i], out)) {
    reply.error(error);
    return false;
  }
  return true;
}

bool CommandContext::propagating() const { return server.aof_active() && !server.loading(); }

void CommandContext::modified(std::string_view key) { server.signal_modified(db.id(), key); }

void CommandContext::ready(std::string_view key) { server.signal_ready(db.id(), key); }

bool CommandContext::block(std::vector<std::string> keys, int64_t deadline_ms, bool null_bulk) {
  if (client.is_fake || server.in_exec_ || client.connection == nullptr) return false;
  blocked = true;
  if (reprocessing) return true;  // still parked with its original deadline
  auto state = std::make_unique<Client::Blocked>();
  state->argv.assign(argv.begin(), argv.end());
  state->keys = std::move(keys);
  state->db = db.id();
  state->deadline_ms = deadline_ms;
  state->null_bulk_on_timeout = null_bulk;
  server.block_client(client, std::move(state));
  return true;
}

// ---------------------------------------------------------------------------------------------
// Construction and start-up

Server::Server(core::EventLoop& loop, Config config) : loop_(loop), config_(std::move(config)) {
  access_policy().lfu = config_.maxmemory_policy.ends_with("lfu");
  register_key_commands(commands_);
  register_string_commands(commands_);
  register_list_commands(commands_);
  register_hash_commands(commands_);
  register_set_commands(commands_);
  register_zset_commands(commands_);
  register_server_commands(commands_);
  register_pubsub_commands(commands_);
  register_admin_commands(commands_);
  register_sort_commands(commands_);
  register_bitmap_commands(commands_);
  register_hyperloglog_commands(commands_);
  register_dump_commands(commands_);
  for (const auto& spec : commands_) command_index_[spec.name] = &spec;
  spec_stats_.resize(commands_.size());
  for (int i = 0; i < config_.databases; ++i) dbs_.push_back(std::make_unique<Database>(i));
  start_ms_ = now_ms();
  last_save_ = start_ms_ / 1000;
}

Server::~Server() {
  if (child_pid_ > 0) {
    ::kill(child_pid_, SIGKILL);
    ::waitpid(child_pid_, nullptr, 0);
  }
  for (auto& [ptr, conn] : clients_) conn->client.connection = nullptr;
  clients_.clear();
}

const CommandSpec* Server::find_command(std::string_view name) const {
  char lower[64] = {};
  if (name.size() >= sizeof(lower)) return nullptr;
  for (size_t i = 0; i < name.size(); ++i) lower[i] = core::ascii_lower(name[i]);
  auto it = command_index_.find(std::string_view(lower, name.size()));
  return it == command_index_.end() ? nullptr : it->second;
}

core::Status Server::load_data() {
  loading_ = true;
  int64_t started = now_ms();
  core::Status status;
  if (config_.appendonly) {
    aof_ = std::make_unique<Aof>(*this);
    bool existed = false;
    status = aof_->load(&existed);
    if (status.is_ok() && !existed && core::file_exists(config_.dbfilename)) {
      // No AOF yet but a snapshot: start from the snapshot (the AOF is created from it below).
      status = rdb_load_file(dbs_, config_.dbfilename);
      if (status.is_ok()) SFS_LOG_INFO("DB loaded from disk: ", (now_ms() - started) / 1000.0, " seconds");
    } else if (status.is_ok() && existed) {
      SFS_LOG_INFO("DB loaded from append only file: ", (now_ms() - started) / 1000.0, " seconds");
    }
  } else if (core::file_exists(config_.dbfilename)) {
    status = rdb_load_file(dbs_, config_.dbfilename);
    if (status.is_ok()) SFS_LOG_INFO("DB loaded from disk: ", (now_ms() - started) / 1000.0, " seconds");
  }
  loading_ = false;
  return status;
}

core::Status Server::start() {
  if (config_.dir != "." && ::chdir(config_.dir.c_str()) != 0) {
    return core::Status::io_error("can't chdir to '" + config_.dir + "'", errno);
  }
  ::signal(SIGPIPE, SIG_IGN);
  SFS_TRY(load_data());
  if (config_.appendonly) {
    SFS_TRY(aof_->open_for_append());
    bool has_data = false;
    for (auto& db : dbs_) has_data = has_data || db->size() > 0;
    if (aof_->created_fresh() && has_data) {
      // The dataset came from an RDB file: write it as the AOF's base right away.
      SFS_TRY(background_rewrite_aof());
    }
  }
  // Listen on every address of `bind` ("-addr" marks an address that may fail).
  std::vector<std::string> addresses;
  for (auto word : core::split_whitespace(config_.bind)) addresses.emplace_back(word);
  if (addresses.empty()) addresses.push_back("127.0.0.1");
  for (std::string address : addresses) {
    bool optional = !address.empty() && address[0] == '-';
    if (optional) address.erase(0, 1);
    if (address == "*") address = "";
    auto fd = core::tcp_listen(address, config_.port);
    if (!fd.is_ok()) {
      if (optional) continue;
      return fd.status();
    }
    if (port_ == 0) {
      auto p = core::local_port(fd->get());
      port_ = p.is_ok() ? *p : config_.port;
    }
    auto acceptor = std::make_unique<core::Acceptor>(loop_, std::move(fd).value(),
                                                     [this](core::Fd client_fd, std::string peer) {
      ++stats_.connections_received;
      if (static_cast<int64_t>(clients_.size()) >= config_.maxclients) {
        // Best effort, straight to the socket: the connection is dropped at once.
        ++stats_.rejected_connections;
        static constexpr std::string_view kFull = "-ERR max number of clients reached\r\n";
        ssize_t n = ::send(client_fd.get(), kFull.data(), kFull.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)n;
        return;
      }
      auto conn = std::make_unique<ClientConnection>(*this, std::move(client_fd), std::move(peer),
                                                     next_client_id_++);
      if (config_.tcp_keepalive > 0) (void)core::set_keepalive(conn->fd());
      // Normal clients have no hard output limit (as in Redis); reading pauses above 64 MiB
      // of unsent replies so a client that never reads cannot grow the buffer without bound.
      conn->set_output_limits(64u << 20, 0);
      add_client(std::move(conn));
    });
    SFS_TRY(acceptor->start());
    if (!acceptor_) acceptor_ = std::move(acceptor);
    else acceptor6_ = std::move(acceptor);
  }
  loop_.run_every(core::Milliseconds(std::max<int64_t>(1, 1000 / config_.hz)), [this] { cron(); });
  loop_.add_before_flush([this] {
    if (aof_) aof_->flush(false);
  });
  auto shutdown_handler = [this](int signo) {
    SFS_LOG_INFO("Received ", signo == SIGINT ? "SIGINT" : "SIGTERM", " scheduling shutdown...");
    core::Status s = prepare_shutdown(false, false);
    if (!s.is_ok()) SFS_LOG_ERROR("error during shutdown: ", s.message());
    loop_.stop();
  };
  SFS_TRY(loop_.on_signal(SIGTERM, shutdown_handler));
  SFS_TRY(loop_.on_signal(SIGINT, shutdown_handler));
  SFS_TRY(loop_.on_signal(SIGCHLD, [this](int) { reap_children(); }));
  SFS_LOG_INFO("Ready to accept connections tcp on port ", port_);
  return core::Status::ok();
}

int Server::run() {
  loop_.run();
  return exit_code_;
}

// ---------------------------------------------------------------------------------------------
// Dispatch

bool Server::execute(Client& client, std::span<const std::string_view> argv) {
  if (client.connection != nullptr) client.reply.set_output(&client.connection->output());
  client.reply.set_error_stats(&error_stats_);
  // CLIENT REPLY OFF / SKIP: this command's replies go nowhere.
  const Client::ReplyMode reply_mode = client.reply_mode;
  if (reply_mode != Client::ReplyMode::kOn) {
    discarded_replies_.clear();
    client.reply.set_output(&discarded_replies_);
  }
  bool done = dispatch(client, argv);
  if (reply_mode == Client::ReplyMode::kSkip && client.reply_mode == Client::ReplyMode::kSkip) {
    client.reply_mode = Client::ReplyMode::kOn;
  }
  if (reply_mode != Client::ReplyMode::kOn) discarded_replies_.clear();
  return done;
}

bool Server::dispatch(Client& client, std::span<const std::string_view> argv) {
  const CommandSpec* spec = find_command(argv[0]);
  if (spec == nullptr) {
    std::string msg = "ERR unknown command '" + std::string(argv[0].substr(0, 128)) +
                      "', with args beginning with: ";
    for (size_t i = 1; i < argv.size() && msg.size() < 256; ++i) {
      msg += "'" + std::string(argv[i].substr(0, 128)) + "' ";
    }
    client.reply.error(msg);
    errors_attributed_ = error_stats_.total;
    if (client.in_multi) client.multi_error = true;
    return true;
  }
  int argc = static_cast<int>(argv.size());
  if ((spec->arity > 0 && argc != spec->arity) || (spec->arity < 0 && argc < -spec->arity)) {
    client.reply.error("ERR wrong number of arguments for '" + core::to_lower(argv[0]) + "' command");
    reject(*spec, argv);
    if (client.in_multi) client.multi_error = true;
    return true;
  }
  if (!client.authenticated && !(spec->flags & kNoAuth) && !config_.requirepass.empty()) {
    client.reply.error("NOAUTH Authentication required.");
    reject(*spec, argv);
    if (client.in_multi) client.multi_error = true;
    return true;
  }
  if (client.monitor && (spec->flags & (kReadOnly | kWrite))) {
    client.reply.error("ERR Replica can't interact with the keyspace");
    reject(*spec, argv);
    return true;
  }
  if (client.resp == 2 && client.subscriptions() > 0 && !(spec->flags & kSubscribeOk)) {
    client.reply.error("ERR Can't execute '" + core::to_lower(argv[0]) +
                       "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
                       "allowed in this context");
    reject(*spec, argv);
    return true;
  }
  if (config_.maxmemory > 0 && (spec->flags & kDenyOom) && !loading_) {
    if (!free_memory_if_needed()) {
      client.reply.error(err::kOom);
      reject(*spec, argv);
      if (client.in_multi) client.multi_error = true;
      return true;
    }
  }
  if (pause_until_ms_ != 0 && postpone_if_paused(client, spec)) return false;
  if (client.in_multi && !(spec->flags & kNoMulti)) {
    client.queued.emplace_back(argv.begin(), argv.end());
    client.reply.raw("+QUEUED\r\n");
    return true;
  }
  call(client, *spec, argv);
  if (!ready_keys_.empty()) serve_ready_keys();
  return true;
}

void Server::call(Client& client, const CommandSpec& spec, std::span<const std::string_view> argv,
                  bool reprocessing) {
  CommandContext ctx(*this, client, *dbs_[static_cast<size_t>(client.db)], argv, client.reply, &spec);
  ctx.reprocessing = reprocessing;
  if (!client.is_fake) {
    // CLIENT LIST's cmd=: the command being run, "container|subcommand" for containers.
    if ((spec.flags & kContainer) && argv.size() > 1 && argv[1].size() < 32) {
      client.last_command = spec.name;
      client.last_command += '|';
      for (char ch : argv[1]) client.last_command += core::ascii_lower(ch);
    } else {
      client.last_command = spec.name;
    }
  }
  const auto started = std::chrono::steady_clock::now();
  spec.handler(ctx);
  ++stats_.commands_processed;
  if (!ctx.blocked && !client.is_fake) {
    int64_t took_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count();
    int64_t took_us = took_ns / 1000;
    if (config_.slowlog_log_slower_than >= 0 && !(spec.flags & kSkipSlowlog) &&
        took_us >= config_.slowlog_log_slower_than) {
      slowlog_push(client, argv, took_us);
    }
    // Errors replied since the last command was charged are this command's (EXEC's inner
    // commands charge their own first). An unknown subcommand is not a command: no stats.
    bool failed = error_stats_.total > errors_attributed_;
    errors_attributed_ = error_stats_.total;
    if (!(failed && std::string_view(error_stats_.last).starts_with("ERR unknown subcommand"))) {
      CommandStats& st = stats_for(spec, argv);
      ++st.calls;
      st.usec += static_cast<uint64_t>(took_us);
      if (failed) ++st.failed;
      size_t bucket = 0;
      while (bucket + 1 < st.buckets.size() && (int64_t{1024} << bucket) < took_ns) ++bucket;
      ++st.buckets[bucket];
    }
  }
  if (!monitors_.empty() && !ctx.blocked && !client.is_fake && !(spec.flags & (kAdmin | kSkipMonitor))) {
    feed_monitors(client, argv);
  }
  if (ctx.dirty > 0) {
    dirty_ += ctx.dirty;
    if (!loading_) {
      if (ctx.rewrite) {
        for (const auto& args : ctx.rewritten) propagate(ctx.db.id(), args);
      } else {
        propagate(ctx.db.id(), argv);
      }
    }
  }
  if (reprocessing && !ctx.blocked) unblock_client(client, false);
}

void Server::run_transaction(Client& client) {
  // Runs the queued commands; called by EXEC (commands_server.cc) after the checks.
  std::vector<std::vector<std::string>> queued = std::move(client.queued);
  client.queued.clear();
  client.in_multi = false;
  unwatch_all(client);
  client.reply.array(queued.size());
  in_exec_ = true;
  exec_propagated_.clear();
  for (auto& args : queued) {
    std::vector<std::string_view> views(args.begin(), args.end());
    const CommandSpec* spec = find_command(views[0]);
    if (config_.maxmemory > 0 && (spec->flags & kDenyOom) && !free_memory_if_needed()) {
      client.reply.error(err::kOom);
      continue;
    }
    call(client, *spec, views);
  }
  in_exec_ = false;
  if (!exec_propagated_.empty()) {
    auto items = std::move(exec_propagated_);
    exec_propagated_.clear();
    propagate(items.front().first, std::vector<std::string>{"MULTI"});
    for (auto& [db, args] : items) propagate(db, args);
    propagate(aof_db_ < 0 ? 0 : aof_db_, std::vector<std::string>{"EXEC"});
  }
}

// ---------------------------------------------------------------------------------------------
// Propagation

namespace {

void append_command(std::string& out, std::span<const std::string_view> argv) {
  out += '*';
  out += std::to_string(argv.size());
  out += "\r\n";
  for (auto a : argv) {
    out += '$';
    out += std::to_string(a.size());
    out += "\r\n";
    out.append(a);
    out += "\r\n";
  }
}

}  // namespace

bool Server::aof_active() const { return aof_ && aof_->active(); }

void Server::propagate(int db, std::span<const std::string_view> argv) {
  if (!aof_ || loading_ || !aof_->active()) return;
  if (in_exec_) {
    exec_propagated_.emplace_back(db, std::vector<std::string>(argv.begin(), argv.end()));
    return;
  }
  std::string out;
  if (db != aof_db_) {
    std::string index = std::to_string(db);
    std::string_view select[] = {"SELECT", index};
    append_command(out, select);
    aof_db_ = db;
  }
  append_command(out, argv);
  aof_->feed(out);
}

void Server::propagate(int db, const std::vector<std::string>& argv) {
  std::vector<std::string_view> views(argv.begin(), argv.end());
  propagate(db, views);
}

// ---------------------------------------------------------------------------------------------
// Expiry

bool Server::expire_if_needed(Database& db, Entry* e) {
  if (!e->has_expire() || loading_) return false;
  if (e->expire() > now_ms()) return false;
  std::string key(e->key());
  db.remove(key);
  ++stats_.expired_keys;
  ++dirty_;
  propagate(db.id(), std::vector<std::string>{"DEL", key});
  signal_modified(db.id(), key);
  return true;
}

void Server::active_expire() {
  // Like Redis's activeExpireCycle: sample keys with a deadline, delete the expired ones, and
  // repeat while more than a quarter of the sample had expired, within ~25% of a cron tick.
  int64_t start = now_us();
  int64_t budget_us = 250000 / config_.hz;
  for (auto& db : dbs_) {
    if (db->expires() == 0) continue;
    while (true) {
      std::vector<std::string> expired;
      int64_t now = now_ms();
      size_t seen = db->expire_scan(now, 64, &expired);
      for (const auto& key : expired) {
        Entry* e = db->find(key);
        if (e != nullptr) expire_if_needed(*db, e);
      }
      if (seen == 0 || expired.size() * 4 < seen) break;
      if (now_us() - start > budget_us) return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// MONITOR, SLOWLOG, CLIENT PAUSE

namespace {

// True when argument i of a command carries a secret (AUTH's password, HELLO's AUTH pair), which
// MONITOR and SLOWLOG show as "(redacted)".
bool is_secret(std::span<const std::string_view> argv, size_t i) {
  if (core::iequals(argv[0], "auth")) return i >= 1;
  if (core::iequals(argv[0], "hello")) {
    for (size_t j = 2; j + 2 < argv.size() && j < i; ++j) {
      if (core::iequals(argv[j], "auth") && (i == j + 1 || i == j + 2)) return true;
    }
  }
  return false;
}

}  // namespace

void Server::add_monitor(Client& c) {
  if (c.monitor) return;
  c.monitor = true;
  monitors_.push_back(&c);
}

void Server::remove_monitor(Client& c) {
  c.monitor = false;
  monitors_.erase(std::remove(monitors_.begin(), monitors_.end(), &c), monitors_.end());
}

void Server::feed_monitors(const Client& client, std::span<const std::string_view> argv) {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  char stamp[64];
  std::snprintf(stamp, sizeof(stamp), "+%ld.%06ld [%d ", static_cast<long>(tv.tv_sec),
                static_cast<long>(tv.tv_usec), client.db);
  std::string line = stamp;
  line += client.peer;
  line += ']';
  for (size_t i = 0; i < argv.size(); ++i) {
    line += ' ';
    append_repr(line, is_secret(argv, i) ? std::string_view("(redacted)") : argv[i]);
  }
  line += "\r\n";
  for (Client* m : monitors_) {
    if (m->connection != nullptr) m->connection->send(line);
  }
}

void Server::slowlog_push(const Client& client, std::span<const std::string_view> argv,
                          int64_t duration_us) {
  // As Redis: at most 32 arguments (the last one then says how many more there were), each cut
  // to 128 bytes with a note of how many more it had.
  constexpr size_t kMaxArgs = 32, kMaxArgLen = 128;
  SlowlogEntry entry;
  entry.id = slowlog_next_id_++;
  entry.time = now_ms() / 1000;
  entry.duration_us = duration_us;
  size_t shown = std::min(argv.size(), kMaxArgs);
  for (size_t i = 0; i < shown; ++i) {
    if (shown != argv.size() && i == shown - 1) {
      entry.args.push_back("... (" + std::to_string(argv.size() - shown + 1) + " more arguments)");
      break;
    }
    std::string_view a = is_secret(argv, i) ? std::string_view("(redacted)") : argv[i];
    if (a.size() > kMaxArgLen) {
      entry.args.push_back(std::string(a.substr(0, kMaxArgLen)) + "... (" +
                           std::to_string(a.size() - kMaxArgLen) + " more bytes)");
    } else {
      entry.args.emplace_back(a);
    }
  }
  entry.addr = client.peer;
  entry.name = client.name;
  slowlog_.push_front(std::move(entry));
  while (slowlog_.size() > static_cast<size_t>(config_.slowlog_max_len)) slowlog_.pop_back();
}

void Server::pause_clients(int64_t until_ms, bool all) {
  // A second pause extends (never shortens) the first and can only widen it to ALL.
  pause_all_ = (pause_until_ms_ != 0 && pause_all_) || all;
  if (until_ms <= pause_until_ms_) return;
  pause_until_ms_ = until_ms;
  if (pause_timer_) loop_.cancel(pause_timer_);
  pause_timer_ = loop_.run_after(core::Milliseconds(std::max<int64_t>(0, until_ms - now_ms())), [this] {
    pause_timer_ = 0;
    unpause_clients();
  });
}

void Server::unpause_clients() {
  pause_until_ms_ = 0;
  pause_all_ = false;
  if (pause_timer_) loop_.cancel(pause_timer_);
  pause_timer_ = 0;
  std::vector<uint64_t> ids = std::move(postponed_);
  postponed_.clear();
  for (uint64_t id : ids) {
    loop_.defer([this, id] {
      if (Client* c = client_by_id(id); c != nullptr && !c->blocked && c->connection) {
        c->connection->process_input();
      }
    });
  }
}

namespace {

// What a WRITE pause holds back: commands that may change the dataset or be propagated
// (PUBLISH, and PFCOUNT which caches its estimate in the value, as Redis), and an EXEC whose
// transaction holds one.
bool may_replicate(const CommandSpec& spec) {
  std::string_view name = spec.name;
  return (spec.flags & kWrite) || name == "publish" || name == "pfcount";
}

}  // namespace

bool Server::postpone_if_paused(Client& client, const CommandSpec* spec) {
  // The AOF loader and MONITOR clients (replicas, for Redis) are never paused.
  if (client.is_fake || client.connection == nullptr || client.monitor) return false;
  if (now_ms() >= pause_until_ms_) {
    unpause_clients();
    return false;
  }
  bool affected = pause_all_ || may_replicate(*spec);
  if (!affected && std::string_view(spec->name) == "exec" && client.in_multi) {
    for (const auto& args : client.queued) {
      const CommandSpec* queued = find_command(args[0]);
      if (queued != nullptr && may_replicate(*queued)) affected = true;
    }
  }
  if (!affected) return false;
  if (std::find(postponed_.begin(), postponed_.end(), client.id()) == postponed_.end()) {
    postponed_.push_back(client.id());
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// WATCH

void Server::signal_modified(int db, std::string_view key) {
  if (watched_.empty()) return;
  auto it = watched_.find({db, std::string(key)});
  if (it == watched_.end()) return;
  for (Client* c : it->second) c->watch_dirty = true;
}

void Server::touch_all_watched(int db) {
  for (auto& [k, clients] : watched_) {
    if (db >= 0 && k.first != db) continue;
    for (Client* c : clients) c->watch_dirty = true;
  }
}

void Server::watch(Client& c, std::string_view key) {
  for (const auto& [db, k] : c.watched) {
    if (db == c.db && k == key) return;
  }
  c.watched.emplace_back(c.db, std::string(key));
  watched_[{c.db, std::string(key)}].push_back(&c);
}

void Server::unwatch_all(Client& c) {
  for (const auto& w : c.watched) {
    auto it = watched_.find(w);
    if (it == watched_.end()) continue;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), &c), v.end());
    if (v.empty()) watched_.erase(it);
  }
  c.watched.clear();
  c.watch_dirty = false;
}

// ---------------------------------------------------------------------------------------------
// Blocking

void Server::signal_ready(int db, std::string_view key) {
  if (blocking_.empty()) return;
  std::pair<int, std::string> k{db, std::string(key)};
  if (blocking_.find(k) == blocking_.end()) return;
  std::string tag = std::to_string(db) + ":" + k.second;
  if (!ready_set_.insert(tag).second) return;
  ready_keys_.push_back(std::move(k));
}

void Server::block_client(Client& client, std::unique_ptr<Client::Blocked> state) {
  for (const auto& key : state->keys) blocking_[{state->db, key}].push_back(&client);
  if (state->deadline_ms > 0) {
    uint64_t id = client.id();
    int64_t delay = std::max<int64_t>(0, state->deadline_ms - now_ms());
    state->timer = loop_.run_after(core::Milliseconds(delay), [this, id] {
      if (Client* c = client_by_id(id); c != nullptr && c->blocked) {
        c->blocked->timer = 0;
        unblock_client(*c, true);
      }
    });
  }
  client.blocked = std::move(state);
  ++blocked_clients_;
  // The connection keeps reading (so a disconnect is noticed); ClientConnection::on_data leaves
  // whatever a blocked client pipelines in its buffer until it is unblocked.
}

void Server::unblock_client(Client& client, bool timed_out) {
  if (!client.blocked) return;
  std::unique_ptr<Client::Blocked> state = std::move(client.blocked);
  if (state->timer) loop_.cancel(state->timer);
  for (const auto& key : state->keys) {
    auto it = blocking_.find({state->db, key});
    if (it == blocking_.end()) continue;
    auto& q = it->second;
    q.erase(std::remove(q.begin(), q.end(), &client), q.end());
    if (q.empty()) blocking_.erase(it);
  }
  --blocked_clients_;
  if (client.connection == nullptr) return;
  if (timed_out) {
    client.reply.set_output(client.reply_mode == Client::ReplyMode::kOff ? &discarded_replies_
                                                                          : &client.connection->output());
    if (state->zero_on_timeout) client.reply.integer(0);
    else if (state->null_bulk_on_timeout) client.reply.null();
    else client.reply.null_array();
  }
  // Commands the client pipelined after the blocking one run once this iteration ends.
  uint64_t id = client.id();
  loop_.defer([this, id] {
    if (Client* c = client_by_id(id); c != nullptr && !c->blocked && c->connection) {
      c->connection->process_input();
    }
  });
}

void Server::serve_ready_keys() {
  if (serving_ready_) return;
  serving_ready_ = true;
  while (!ready_keys_.empty()) {
    auto keys = std::move(ready_keys_);
    ready_keys_.clear();
    ready_set_.clear();
    for (auto& key : keys) {
      auto it = blocking_.find(key);
      if (it == blocking_.end()) continue;
      std::vector<Client*> waiting(it->second.begin(), it->second.end());
      for (Client* c : waiting) {
        auto again = blocking_.find(key);
        if (again == blocking_.end()) break;
        if (std::find(again->second.begin(), again->second.end(), c) == again->second.end()) continue;
        if (!c->blocked || c->connection == nullptr) continue;
        std::vector<std::string> argv = c->blocked->argv;
        std::vector<std::string_view> views(argv.begin(), argv.end());
        const CommandSpec* spec = find_command(views[0]);
        int saved_db = c->db;
        c->db = c->blocked->db;
        c->reply.set_output(c->reply_mode == Client::ReplyMode::kOff ? &discarded_replies_
                                                                     : &c->connection->output());
        call(*c, *spec, views, true);
        c->db = saved_db;
        // A client that is still blocked means the key has no more data for this command.
        if (c->blocked) break;
      }
    }
  }
  serving_ready_ = false;
}

// ---------------------------------------------------------------------------------------------
// Clients

void Server::add_client(std::unique_ptr<ClientConnection> connection) {
  ClientConnection* raw = connection.get();
  raw->client.laddr = "127.0.0.1:" + std::to_string(port_);
  raw->client.authenticated = config_.requirepass.empty();
  clients_.emplace(raw, std::move(connection));
  if (!raw->start().is_ok()) raw->close();
}

void Server::remove_client(ClientConnection* connection) {
  auto it = clients_.find(connection);
  if (it == clients_.end()) return;
  Client& c = connection->client;
  if (c.monitor) remove_monitor(c);
  postponed_.erase(std::remove(postponed_.begin(), postponed_.end(), c.id()), postponed_.end());
  unblock_client(c, false);
  unwatch_all(c);
  for (const auto& ch : std::vector<std::string>(c.channels.begin(), c.channels.end())) unsubscribe(c, ch, false, false);
  for (const auto& p : std::vector<std::string>(c.patterns.begin(), c.patterns.end())) unsubscribe(c, p, true, false);
  c.connection = nullptr;
  loop_.destroy_later(std::move(it->second));
  clients_.erase(it);
}

void Server::for_each_client(const std::function<void(Client&)>& fn) {
  std::vector<Client*> all;
  for (auto& [ptr, conn] : clients_) all.push_back(&conn->client);
  std::sort(all.begin(), all.end(), [](Client* a, Client* b) { return a->id() < b->id(); });
  for (Client* c : all) fn(*c);
}

Client* Server::client_by_id(uint64_t id) {
  for (auto& [ptr, conn] : clients_) {
    if (conn->client.id() == id) return &conn->client;
  }
  return nullptr;
}

std::string Server::client_info(const Client& c) {
  int64_t now = now_ms();
  std::string flags;
  if (c.in_multi) flags += 'x';
  if (c.blocked) flags += 'b';
  if (c.subscriptions() > 0) flags += 'P';
  if (c.monitor) flags += 'O';
  if (flags.empty()) flags = "N";
  size_t qbuf = c.connection ? c.connection->buffered_input() : 0;
  size_t omem = c.connection ? c.connection->pending_output() : 0;
  std::string out = "id=" + std::to_string(c.id()) + " addr=" + c.peer + " laddr=" + c.laddr +
                    " fd=" + std::to_string(c.connection ? c.connection->fd() : -1) +
                    " name=" + c.name + " age=" + std::to_string((now - c.created_ms) / 1000) +
                    " idle=" + std::to_string((now - c.last_interaction_ms) / 1000) +
                    " flags=" + flags + " db=" + std::to_string(c.db) +
                    " sub=" + std::to_string(c.channels.size()) +
                    " psub=" + std::to_string(c.patterns.size()) + " ssub=0" +
                    " multi=" + (c.in_multi ? std::to_string(c.queued.size()) : std::string("-1")) +
                    " qbuf=" + std::to_string(qbuf) + " qbuf-free=0 argv-mem=0 multi-mem=0" +
                    " rbs=" + std::to_string(c.connection ? c.connection->buffer_capacity() : 0) +
                    " rbp=0 obl=0 oll=0 omem=" + std::to_string(omem) +
                    " tot-mem=" + std::to_string(qbuf + omem) + " events=r cmd=" +
                    core::to_lower(c.last_command) + " user=default redir=-1 resp=" +
                    std::to_string(c.resp);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pub/sub

size_t Server::publish(std::string_view channel, std::string_view message) {
  size_t receivers = 0;
  ++stats_.pubsub_messages;
  auto deliver = [&](Client* c, std::string_view pattern) {
    if (c->connection == nullptr) return;
    ReplyWriter w(&c->connection->output());
    w.set_protocol(c->resp);
    if (pattern.empty()) {
      w.push(3);
      w.bulk("message");
    } else {
      w.push(4);
      w.bulk("pmessage");
      w.bulk(pattern);
    }
    w.bulk(channel);
    w.bulk(message);
    ++receivers;
  };
  if (auto it = channels_.find(std::string(channel)); it != channels_.end()) {
    for (Client* c : it->second) deliver(c, "");
  }
  for (auto& [pattern, clients] : patterns_) {
    if (!glob_match(pattern, channel)) continue;
    for (Client* c : clients) deliver(c, pattern);
  }
  return receivers;
}

void Server::subscribe(Client& c, std::string_view channel, bool pattern) {
  auto& mine = pattern ? c.patterns : c.channels;
  if (mine.insert(std::string(channel)).second) {
    if (pattern) patterns_[std::string(channel)].push_back(&c);
    else channels_[std::string(channel)].push_back(&c);
  }
  c.reply.push(3);
  c.reply.bulk(pattern ? "psubscribe" : "subscribe");
  c.reply.bulk(channel);
  c.reply.integer(static_cast<int64_t>(c.subscriptions()));
}

bool Server::unsubscribe(Client& c, std::string_view channel, bool pattern, bool notify) {
  auto& mine = pattern ? c.patterns : c.channels;
  bool removed = mine.erase(std::string(channel)) > 0;
  if (removed) {
    auto remove_from = [&](auto& map) {
      auto it = map.find(std::string(channel));
      if (it == map.end()) return;
      auto& v = it->second;
      v.erase(std::remove(v.begin(), v.end(), &c), v.end());
      if (v.empty()) map.erase(it);
    };
    if (pattern) remove_from(patterns_);
    else remove_from(channels_);
  }
  if (notify) {
    c.reply.push(3);
    c.reply.bulk(pattern ? "punsubscribe" : "unsubscribe");
    c.reply.bulk(channel);
    c.reply.integer(static_cast<int64_t>(c.subscriptions()));
  }
  return removed;
}

std::vector<std::string> Server::channel_names(std::string_view pattern) const {
  std::vector<std::string> out;
  for (const auto& [name, clients] : channels_) {
    if (pattern.empty() || glob_match(pattern, name)) out.push_back(name);
  }
  return out;
}

size_t Server::channel_subscribers(std::string_view channel) const {
  auto it = channels_.find(std::string(channel));
  return it == channels_.end() ? 0 : it->second.size();
}

// ---------------------------------------------------------------------------------------------
// Memory and eviction

size_t Server::used_memory() const {
#if defined(SFS_SANITIZE) || defined(SFS_FUZZING)
  // Under AddressSanitizer malloc is ASan's, which glibc's statistics do not see.
  return __sanitizer_get_current_allocated_bytes();
#else
  // glibc's count of bytes handed out (arena chunks in use plus mmapped blocks).
  struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
#endif
}

bool Server::free_memory_if_needed() {
  if (config_.maxmemory <= 0) return true;
  size_t used = used_memory();
  if (used <= static_cast<size_t>(config_.maxmemory)) return true;
  const std::string& policy = config_.maxmemory_policy;
  if (policy == "noeviction") return false;
  bool volatile_only = policy.starts_with("volatile");
  bool by_lru = policy.ends_with("lru");
  bool by_lfu = policy.ends_with("lfu");
  bool by_ttl = policy == "volatile-ttl";
  while (used > static_cast<size_t>(config_.maxmemory)) {
    // Sample maxmemory-samples candidates across the databases; keep the best.
    Database* best_db = nullptr;
    std::string best_key;
    double best_score = -1;
    for (auto& db : dbs_) {
      if (db->size() == 0 || (volatile_only && db->expires() == 0)) continue;
      int64_t found = 0;
      int attempts = 0;
      while (found < config_.maxmemory_samples && attempts++ < config_.maxmemory_samples * 20) {
        Entry* e = nullptr;
        if (volatile_only) {
          for (Entry* x = db->map().bucket(rng()()); x != nullptr; x = x->next) {
            if (x->has_expire()) { e = x; break; }
          }
        } else {
          e = db->map().random(rng());
        }
        if (e == nullptr) continue;
        ++found;
        double score;
        if (by_ttl) score = -static_cast<double>(e->expire());
        else if (by_lru) score = static_cast<double>(idle_seconds(e));
        else if (by_lfu) score = 255.0 - lfu_frequency(e);
        else score = static_cast<double>(rng()() % 1000000);
        if (score > best_score) {
          best_score = score;
          best_db = db.get();
          best_key = std::string(e->key());
        }
        if (!by_lru && !by_lfu && !by_ttl) break;  // random: the first one will do
      }
    }
    if (best_db == nullptr) return false;
    best_db->remove(best_key);
    ++stats_.evicted_keys;
    ++dirty_;
    propagate(best_db->id(), std::vector<std::string>{"DEL", best_key});
    signal_modified(best_db->id(), best_key);
    used = used_memory();
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Cron: active expiry, save rules, idle timeouts, children, AOF fsync

void Server::cron() {
  active_expire();
  size_t used = used_memory();
  peak_memory_ = std::max(peak_memory_, used);
  if (config_.maxmemory > 0) free_memory_if_needed();
  reap_children();
  int64_t now_s = now_ms() / 1000;
  if (child_pid_ <= 0) {
    if (aof_rewrite_scheduled) {
      aof_rewrite_scheduled = false;
      core::Status s = background_rewrite_aof();
      if (!s.is_ok()) SFS_LOG_WARN("background AOF rewrite failed to start: ", s.message());
    } else {
      int64_t changes = dirty_ - dirty_at_last_save_;
      for (const auto& point : config_.save) {
        // After a failed BGSAVE, retry only every 5 seconds (as Redis does).
        if (changes >= point.changes && now_s - last_save_ >= point.seconds &&
            (last_bgsave_ok_ || now_s - last_bgsave_attempt_ >= 5)) {
          SFS_LOG_INFO(point.changes, " changes in ", point.seconds, " seconds. Saving...");
          core::Status s = background_save();
          if (!s.is_ok()) SFS_LOG_WARN("background save failed to start: ", s.message());
          break;
        }
      }
    }
  }
  if (aof_) aof_->cron();
  if (config_.timeout > 0) {
    int64_t now = now_ms();
    std::vector<Client*> idle;
    for (auto& [ptr, conn] : clients_) {
      Client& c = conn->client;
      if (c.blocked || c.subscriptions() > 0) continue;
      if (now - c.last_interaction_ms > config_.timeout * 1000) idle.push_back(&c);
    }
    for (Client* c : idle) c->connection->close();
  }
}

// ---------------------------------------------------------------------------------------------
// Persistence glue: SAVE, BGSAVE, BGREWRITEAOF, children, shutdown

core::Status Server::save_rdb() {
  if (rdb_child()) return core::Status::already_exists("Background save already in progress");
  core::Status s = rdb_save_file(dbs_, config_.dbfilename, config_.rdbcompression, config_.rdbchecksum);
  if (s.is_ok()) {
    dirty_at_last_save_ = dirty_;
    last_save_ = now_ms() / 1000;
    last_bgsave_ok_ = true;
    SFS_LOG_INFO("DB saved on disk");
  }
  return s;
}

core::Status Server::background_save() {
  if (child_pid_ > 0) return core::Status::already_exists("Background save already in progress");
  last_bgsave_attempt_ = now_ms() / 1000;
  std::string temp = "temp-" + std::to_string(::getpid()) + ".rdb";
  int64_t dirty_before = dirty_;
  pid_t pid = ::fork();
  if (pid < 0) {
    last_bgsave_ok_ = false;
    return core::Status::io_error("fork", errno);
  }
  if (pid == 0) {
    // Child: the memory is a copy-on-write snapshot of the parent's at fork time.
    core::Status s = rdb_save_file(dbs_, config_.dbfilename, config_.rdbcompression,
                                   config_.rdbchecksum, "temp-" + std::to_string(::getpid()) + ".rdb");
    _exit(s.is_ok() ? 0 : 1);
  }
  SFS_LOG_INFO("Background saving started by pid ", pid);
  child_pid_ = pid;
  child_kind_ = ChildKind::kRdb;
  child_start_ms_ = now_ms();
  child_temp_file_ = temp;
  dirty_at_last_save_ = dirty_before;  // provisional; restored on failure below
  return core::Status::ok();
}

core::Status Server::background_rewrite_aof() {
  if (child_pid_ > 0) return core::Status::already_exists("Background append only file rewriting already in progress");
  if (!aof_) aof_ = std::make_unique<Aof>(*this);
  SFS_ASSIGN_OR_RETURN(std::string temp, aof_->begin_rewrite());
  aof_db_ = -1;  // the new incremental file starts with a SELECT
  pid_t pid = ::fork();
  if (pid < 0) {
    (void)aof_->end_rewrite(false);
    return core::Status::io_error("fork", errno);
  }
  if (pid == 0) {
    core::Status s = aof_->write_base(dbs_, temp);
    _exit(s.is_ok() ? 0 : 1);
  }
  SFS_LOG_INFO("Background append only file rewriting started by pid ", pid);
  child_pid_ = pid;
  child_kind_ = ChildKind::kAof;
  child_start_ms_ = now_ms();
  child_temp_file_ = temp;
  return core::Status::ok();
}

void Server::reap_children() {
  if (child_pid_ <= 0) return;
  int status = 0;
  pid_t pid = ::waitpid(child_pid_, &status, WNOHANG);
  if (pid == child_pid_) on_child_exit(pid, status);
}

void Server::on_child_exit(int pid, int status) {
  bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  last_child_duration_ms_ = now_ms() - child_start_ms_;
  ChildKind kind = child_kind_;
  child_pid_ = -1;
  child_kind_ = ChildKind::kNone;
  if (kind == ChildKind::kRdb) {
    if (ok) {
      last_save_ = now_ms() / 1000;
      last_bgsave_ok_ = true;
      SFS_LOG_INFO("Background saving terminated with success");
    } else {
      last_bgsave_ok_ = false;
      dirty_at_last_save_ = 0;
      ::unlink(("temp-" + std::to_string(pid) + ".rdb").c_str());
      SFS_LOG_WARN("Background saving error");
    }
  } else if (kind == ChildKind::kAof) {
    last_aof_rewrite_ok_ = ok;
    core::Status s = aof_->end_rewrite(ok);
    if (!s.is_ok()) {
      last_aof_rewrite_ok_ = false;
      SFS_LOG_WARN("AOF rewrite finish failed: ", s.message());
    } else if (ok) {
      SFS_LOG_INFO("Background AOF rewrite finished successfully");
    } else {
      SFS_LOG_WARN("Background AOF rewrite terminated with error");
    }
  }
}

core::Status Server::set_appendonly(bool on) {
  if (on == (aof_ && aof_->active())) return core::Status::ok();
  if (!on) {
    if (aof_child()) {
      ::kill(child_pid_, SIGKILL);
      ::waitpid(child_pid_, nullptr, 0);
      child_pid_ = -1;
      (void)aof_->end_rewrite(false);
    }
    aof_->flush(true);
    aof_.reset();
    config_.appendonly = false;
    return core::Status::ok();
  }
  config_.appendonly = true;
  aof_ = std::make_unique<Aof>(*this);
  SFS_TRY(aof_->open_for_append());
  aof_db_ = -1;
  if (child_pid_ > 0) {
    aof_rewrite_scheduled = true;
    return core::Status::ok();
  }
  return background_rewrite_aof();
}

core::Status Server::prepare_shutdown(bool save, bool nosave) {
  if (child_pid_ > 0) {
    ::kill(child_pid_, SIGKILL);
    ::waitpid(child_pid_, nullptr, 0);
    if (child_kind_ == ChildKind::kAof) (void)aof_->end_rewrite(false);
    else ::unlink(child_temp_file_.c_str());
    child_pid_ = -1;
    child_kind_ = ChildKind::kNone;
  }
  if (aof_) aof_->flush(true);
  if (!nosave && (save || !config_.save.empty())) {
    SFS_LOG_INFO("Saving the final RDB snapshot before exiting.");
    core::Status s = save_rdb();
    if (!s.is_ok()) {
      SFS_LOG_ERROR("Error trying to save the DB, can't exit: ", s.message());
      return s;
    }
  }
  SFS_LOG_INFO("sfs kv is now ready to exit, bye bye...");
  return core::Status::ok();
}

void Server::debug_sleep(double seconds) {
  std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6)));
}

void Server::reset_stats() {
  stats_ = Stats();
  spec_stats_.assign(commands_.size(), CommandStats());
  subcommand_stats_.clear();
  error_stats_ = ErrorStats();
  errors_attributed_ = 0;
}

std::string Server::full_name(const CommandSpec& spec, std::span<const std::string_view> argv) {
  std::string name = spec.name;
  if ((spec.flags & kContainer) && argv.size() > 1 && argv[1].size() < 32) {
    name += '|';
    for (char ch : argv[1]) name += core::ascii_lower(ch);
  }
  return name;
}

void Server::reject(const CommandSpec& spec, std::span<const std::string_view> argv) {
  errors_attributed_ = error_stats_.total;
  ++stats_for(spec, argv).rejected;
}

CommandStats& Server::stats_for(const CommandSpec& spec, std::span<const std::string_view> argv) {
  if ((spec.flags & kContainer) && argv.size() > 1 && argv[1].size() < 32) {
    return subcommand_stats_[full_name(spec, argv)];
  }
  return spec_stats_[static_cast<size_t>(&spec - commands_.data())];
}

std::map<std::string, CommandStats> Server::command_stats() const {
  std::map<std::string, CommandStats> all(subcommand_stats_.begin(), subcommand_stats_.end());
  for (size_t i = 0; i < commands_.size(); ++i) {
    if (spec_stats_[i].calls + spec_stats_[i].rejected > 0) all.emplace(commands_[i].name, spec_stats_[i]);
  }
  return all;
}

}  // namespace sfs::kv
