// The append-only file: see aof.h for the design and FILE_FORMAT.md for the bytes.
#include "systems/kv/aof.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "core/file.h"
#include "core/log.h"
#include "core/strings.h"
#include "systems/kv/server.h"
#include "systems/kv/util.h"

namespace sfs::kv {

// A background thread that fsyncs a descriptor on request (appendfsync everysec), so the event
// loop never waits for the disk. Requests coalesce; the destructor finishes the last one.
class FsyncThread {
 public:
  FsyncThread() : thread_([this] { run(); }) {}
  ~FsyncThread() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  void request(int fd) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      fd_ = fd;
    }
    cv_.notify_one();
  }
  // Waits for queued work (before the descriptor is closed).
  void drain() {
    std::unique_lock<std::mutex> lock(mutex_);
    idle_cv_.wait(lock, [this] { return fd_ < 0 && !busy_; });
  }

 private:
  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      cv_.wait(lock, [this] { return stop_ || fd_ >= 0; });
      if (fd_ >= 0) {
        int fd = fd_;
        fd_ = -1;
        busy_ = true;
        lock.unlock();
        ::fdatasync(fd);
        lock.lock();
        busy_ = false;
        idle_cv_.notify_all();
        continue;
      }
      if (stop_) return;
    }
  }
  std::mutex mutex_;
  std::condition_variable cv_, idle_cv_;
  int fd_ = -1;
  bool busy_ = false;
  bool stop_ = false;
  std::thread thread_;
};

std::string AofManifest::to_string() const {
  std::string out;
  for (const auto& f : files) {
    out += "file " + f.name + " seq " + std::to_string(f.seq) + " type " + f.type + "\n";
  }
  return out;
}

core::Result<AofManifest> AofManifest::parse(std::string_view text) {
  AofManifest m;
  size_t line_no = 0;
  for (std::string_view line : core::split(text, '\n')) {
    ++line_no;
    line = core::trim(line);
    if (line.empty() || line[0] == '#') continue;
    auto words = core::split_whitespace(line);
    if (words.size() % 2 != 0) {
      return core::Status::corruption("manifest line " + std::to_string(line_no) + ": odd number of fields");
    }
    File f;
    for (size_t i = 0; i < words.size(); i += 2) {
      if (words[i] == "file") f.name = std::string(words[i + 1]);
      else if (words[i] == "seq") f.seq = core::parse_int64(words[i + 1]).value_or(-1);
      else if (words[i] == "type" && words[i + 1].size() == 1) f.type = words[i + 1][0];
    }
    if (f.name.empty() || f.seq < 0 || (f.type != 'b' && f.type != 'i' && f.type != 'h') ||
        f.name.find('/') != std::string::npos) {
      return core::Status::corruption("manifest line " + std::to_string(line_no) + ": invalid entry");
    }
    m.files.push_back(std::move(f));
  }
  return m;
}

Aof::Aof(Server& server) : server_(server) {}

Aof::~Aof() {
  flush(server_.config().appendfsync != "no");
  fsync_thread_.reset();
}

std::string Aof::dir() const { return server_.config().appenddirname; }
std::string Aof::path(const std::string& name) const { return dir() + "/" + name; }

core::Status Aof::persist_manifest() {
  return core::write_file_atomic(path(server_.config().appendfilename + ".manifest"), manifest_.to_string());
}

core::Status Aof::replay_file(const std::string& name, bool last) {
  std::string p = path(name);
  SFS_ASSIGN_OR_RETURN(std::string data, core::read_file(p));
  if (data.compare(0, 5, "REDIS") == 0) {
    // An RDB base (or an RDB preamble, which would be followed by commands in old-style files).
    return rdb_load(server_.databases(), data, true).with_context("loading AOF base " + p);
  }
  Client fake(server_, 0);
  fake.is_fake = true;
  core::Buffer sink;
  fake.reply.set_output(&sink);
  RespParser parser;
  size_t pos = 0;
  size_t valid = 0;           // end of the last complete command outside a transaction
  size_t commands = 0;
  while (pos < data.size()) {
    std::string_view rest(data.data() + pos, data.size() - pos);
    if (rest[0] != '*') {
      return core::Status::corruption("Bad file format reading the append only file " + p +
                                      " at offset " + std::to_string(pos));
    }
    RespParser::Result r = parser.parse(rest);
    if (r == RespParser::Result::kNeedMore) break;
    if (r == RespParser::Result::kError) {
      return core::Status::corruption("Bad file format reading the append only file " + p +
                                      " at offset " + std::to_string(pos) + ": " + parser.error());
    }
    if (!parser.args().empty()) {
      const CommandSpec* spec = server_.find_command(parser.args()[0]);
      if (spec == nullptr) {
        return core::Status::corruption("Unknown command '" + std::string(parser.args()[0]) +
                                        "' reading the append only file " + p);
      }
      server_.execute(fake, parser.args());
      ++commands;
    }
    pos += parser.consumed();
    parser.reset();
    if (!fake.in_multi) valid = pos;
    sink.clear();
  }
  if (valid < data.size()) {
    if (!last || !server_.config().aof_load_truncated) {
      return core::Status::corruption("Unexpected end of file reading the append only file " + p +
                                      " (at offset " + std::to_string(valid) + ")");
    }
    SFS_LOG_WARN("!!! Warning: short read while loading the AOF file ", p, "!!!");
    SFS_LOG_WARN("AOF ", p, " loaded anyway because aof-load-truncated is enabled: truncated from ",
                 data.size(), " to ", valid, " bytes (the last ", data.size() - valid,
                 " bytes were an incomplete command or transaction)");
    if (::truncate(p.c_str(), static_cast<off_t>(valid)) != 0) {
      return core::Status::io_error("truncating " + p, errno);
    }
  }
  SFS_LOG_DEBUG("AOF ", p, ": ", commands, " commands replayed");
  return core::Status::ok();
}

core::Status Aof::load(bool* existed) {
  std::string manifest_path = path(server_.config().appendfilename + ".manifest");
  *existed = core::file_exists(manifest_path);
  if (!*existed) return core::Status::ok();
  SFS_ASSIGN_OR_RETURN(std::string text, core::read_file(manifest_path));
  SFS_ASSIGN_OR_RETURN(manifest_, AofManifest::parse(text));
  std::vector<const AofManifest::File*> order;
  for (const auto& f : manifest_.files) {
    if (f.type == 'b') order.insert(order.begin(), &f);
  }
  for (const auto& f : manifest_.files) {
    if (f.type == 'i') order.push_back(&f);
  }
  for (size_t i = 0; i < order.size(); ++i) {
    SFS_TRY(replay_file(order[i]->name, i + 1 == order.size()));
  }
  // Drop history entries left by an interrupted rewrite.
  std::vector<AofManifest::File> kept;
  for (const auto& f : manifest_.files) {
    if (f.type != 'h') kept.push_back(f);
    else ::unlink(path(f.name).c_str());
  }
  manifest_.files = std::move(kept);
  return core::Status::ok();
}

core::Status Aof::open_incr(const std::string& name) {
  SFS_ASSIGN_OR_RETURN(fd_, core::open_file(path(name), O_WRONLY | O_CREAT | O_APPEND));
  current_incr_ = name;
  return core::Status::ok();
}

core::Status Aof::open_for_append() {
  if (server_.config().appendfsync == "everysec" && !fsync_thread_) {
    fsync_thread_ = std::make_unique<FsyncThread>();
  }
  const std::string& base_name = server_.config().appendfilename;
  if (manifest_.files.empty()) {
    // A fresh AOF: the base is a snapshot of what is in memory now (usually nothing; the data of
    // a dump.rdb when AOF is switched on for an existing dataset).
    if (::mkdir(dir().c_str(), 0755) != 0 && errno != EEXIST) {
      return core::Status::io_error("can't create the AOF directory " + dir(), errno);
    }
    std::string base = base_name + ".1.base.rdb";
    std::string temp = path("temp-base-" + std::to_string(::getpid()) + ".rdb");
    SFS_TRY(write_base(server_.databases(), temp));
    if (::rename(temp.c_str(), path(base).c_str()) != 0) {
      return core::Status::io_error("rename " + temp, errno);
    }
    std::string incr = base_name + ".1.incr.aof";
    SFS_TRY(open_incr(incr));
    manifest_.files = {{base, 1, 'b'}, {incr, 1, 'i'}};
    SFS_TRY(persist_manifest());
    SFS_LOG_INFO("Creating AOF base file ", base, " and incr file ", incr, " on server start");
    return core::Status::ok();
  }
  std::string last_incr;
  int64_t max_seq = 0;
  for (const auto& f : manifest_.files) {
    if (f.type == 'i' && f.seq >= max_seq) {
      max_seq = f.seq;
      last_incr = f.name;
    }
  }
  if (last_incr.empty()) {
    last_incr = base_name + "." + std::to_string(max_seq + 1) + ".incr.aof";
    manifest_.files.push_back({last_incr, max_seq + 1, 'i'});
    SFS_TRY(open_incr(last_incr));
    return persist_manifest();
  }
  return open_incr(last_incr);
}

void Aof::flush(bool force_sync) {
  if (!fd_) return;
  if (!buffer_.empty()) {
    core::Status s = core::write_all(fd_.get(), buffer_);
    if (!s.is_ok()) {
      write_ok_ = false;
      SFS_LOG_ERROR("Error writing to the AOF file: ", s.message());
      if (server_.config().appendfsync == "always") {
        SFS_LOG_ERROR("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
        std::_Exit(1);
      }
      return;  // keep the buffer and retry on the next flush
    }
    write_ok_ = true;
    buffer_.clear();
    unsynced_ = true;
  }
  const std::string& policy = server_.config().appendfsync;
  if (unsynced_ && (force_sync || policy == "always")) {
    if (fsync_thread_) fsync_thread_->drain();
    if (::fdatasync(fd_.get()) != 0) {
      SFS_LOG_ERROR("Can't fsync the AOF: ", std::strerror(errno));
      if (policy == "always") std::_Exit(1);
    }
    unsynced_ = false;
    last_fsync_ms_ = now_ms();
  }
}

void Aof::cron() {
  if (!fd_ || !unsynced_ || server_.config().appendfsync != "everysec") return;
  int64_t now = now_ms();
  if (now - last_fsync_ms_ < 1000) return;
  if (!fsync_thread_) fsync_thread_ = std::make_unique<FsyncThread>();
  fsync_thread_->request(fd_.get());
  unsynced_ = false;
  last_fsync_ms_ = now;
}

core::Result<std::string> Aof::begin_rewrite() {
  if (manifest_.files.empty()) SFS_TRY(open_for_append());
  flush(true);
  int64_t max_seq = 0;
  for (const auto& f : manifest_.files) {
    if (f.type == 'i') max_seq = std::max(max_seq, f.seq);
  }
  std::string incr = server_.config().appendfilename + "." + std::to_string(max_seq + 1) + ".incr.aof";
  if (fsync_thread_) fsync_thread_->drain();
  SFS_TRY(open_incr(incr));
  manifest_.files.push_back({incr, max_seq + 1, 'i'});
  SFS_TRY(persist_manifest());
  rewriting_ = true;
  rewrite_temp_ = path("temp-rewriteaof-bg-" + std::to_string(::getpid()) + ".aof");
  return rewrite_temp_;
}

core::Status Aof::write_base(const Databases& dbs, const std::string& temp) {
  SFS_ASSIGN_OR_RETURN(core::Fd fd, core::open_file(temp, O_WRONLY | O_CREAT | O_TRUNC));
  core::Status s = server_.config().aof_use_rdb_preamble
                       ? rdb_write(dbs, fd.get(), server_.config().rdbcompression, true, true)
                       : write_dataset_as_commands(dbs, fd.get());
  if (s.is_ok() && ::fsync(fd.get()) != 0) s = core::Status::io_error("fsync " + temp, errno);
  if (!s.is_ok()) ::unlink(temp.c_str());
  return s;
}

core::Status Aof::end_rewrite(bool ok) {
  if (!rewriting_) return core::Status::ok();
  rewriting_ = false;
  if (!ok) {
    ::unlink(rewrite_temp_.c_str());
    return core::Status::ok();
  }
  int64_t base_seq = 0;
  for (const auto& f : manifest_.files) {
    if (f.type == 'b') base_seq = std::max(base_seq, f.seq);
  }
  std::string ext = server_.config().aof_use_rdb_preamble ? ".base.rdb" : ".base.aof";
  std::string base = server_.config().appendfilename + "." + std::to_string(base_seq + 1) + ext;
  if (::rename(rewrite_temp_.c_str(), path(base).c_str()) != 0) {
    ::unlink(rewrite_temp_.c_str());
    return core::Status::io_error("rename " + rewrite_temp_, errno);
  }
  std::vector<AofManifest::File> old = manifest_.files;
  manifest_.files.clear();
  manifest_.files.push_back({base, base_seq + 1, 'b'});
  for (const auto& f : old) {
    if (f.type == 'i' && f.name == current_incr_) manifest_.files.push_back(f);
  }
  SFS_TRY(persist_manifest());
  for (const auto& f : old) {
    if (f.name != current_incr_) ::unlink(path(f.name).c_str());
  }
  return core::Status::ok();
}

namespace {

void append_resp(std::string& out, std::initializer_list<std::string_view> args) {
  out += "*" + std::to_string(args.size()) + "\r\n";
  for (auto a : args) {
    out += "$" + std::to_string(a.size()) + "\r\n";
    out.append(a);
    out += "\r\n";
  }
}

}  // namespace

core::Status write_dataset_as_commands(const Databases& dbs, int fd) {
  std::string out;
  core::Status status;
  auto spill = [&] {
    if (out.size() > (1 << 20) && status.is_ok()) {
      status = core::write_all(fd, out);
      out.clear();
    }
  };
  for (const auto& db : dbs) {
    if (db->size() == 0) continue;
    append_resp(out, {"SELECT", std::to_string(db->id())});
    db->map().for_each([&](Entry* e) {
      std::string_view key = e->key();
      switch (e->type()) {
        case Type::kString: {
          char buf[24];
          append_resp(out, {"SET", key, e->string_value(buf)});
          break;
        }
        case Type::kList:
          if (e->list()->size() > 0) {
            e->list()->range(0, e->list()->size() - 1, [&](std::string_view v) { append_resp(out, {"RPUSH", key, v}); });
          }
          break;
        case Type::kSet:
          e->set()->for_each([&](std::string_view m) { append_resp(out, {"SADD", key, m}); });
          break;
        case Type::kHash:
          e->hash()->for_each([&](std::string_view f, std::string_view v) { append_resp(out, {"HSET", key, f, v}); });
          break;
        case Type::kZSet:
          if (e->zset()->size() > 0) {
            e->zset()->walk(0, e->zset()->size() - 1, false, [&](std::string_view m, double s) {
              append_resp(out, {"ZADD", key, format_double(s), m});
              return true;
            });
          }
          break;
      }
      if (e->has_expire()) append_resp(out, {"PEXPIREAT", key, ll_to_string(e->expire())});
      spill();
    });
  }
  if (status.is_ok() && !out.empty()) status = core::write_all(fd, out);
  return status;
}

}  // namespace sfs::kv
