// The append-only file, in Redis 7's multi-part layout (byte layouts in FILE_FORMAT.md):
//
//   <dir>/<appenddirname>/
//     appendonly.aof.manifest          which files make up the AOF, in order (atomically replaced)
//     appendonly.aof.3.base.rdb        a snapshot (RDB, or RESP commands when the preamble is off)
//     appendonly.aof.5.incr.aof        RESP commands written since that snapshot, in order
//
// Every write command is appended (as RESP, with SELECT when the database changes) to an
// in-memory buffer; the event loop's before-flush hook writes the buffer to the incremental file
// before any reply of that iteration leaves the process. appendfsync decides when it reaches the
// disk: `always` fdatasync()s in that same hook (so an acknowledged write is durable), `everysec`
// asks a background thread to fsync once a second (the main thread never waits on the disk), `no`
// leaves it to the kernel.
//
// BGREWRITEAOF: the parent opens a new incremental file and records it in the manifest (so the
// log stays complete however the rewrite ends), then forks; the child writes the snapshot as the
// new base to a temporary file; when it exits successfully the parent renames it into place and
// replaces the manifest with (new base, new incr), deleting the old files. No rewrite buffer is
// needed: commands that arrive during the rewrite are already in the new incremental file.
//
// Loading replays base then incrementals through a fake client. A last file cut short by a crash
// (an incomplete command at its end, or a MULTI without EXEC) is truncated back to the last
// complete command with a warning when aof-load-truncated is on; damage anywhere else is an error.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/fd.h"
#include "core/status.h"
#include "systems/kv/rdb.h"

namespace sfs::kv {

class Server;
class FsyncThread;

// The parsed manifest.
struct AofManifest {
  struct File {
    std::string name;
    int64_t seq = 0;
    char type = 'i';  // b base, i incremental, h history
  };
  std::vector<File> files;
  std::string to_string() const;
  static core::Result<AofManifest> parse(std::string_view text);
};

// Replays RESP commands from `data` through `execute`; stops at the first incomplete command.
// Returns the offset of the end of the last complete command (and of the last complete
// transaction: a trailing MULTI without EXEC is not counted). Errors on malformed data.
struct ReplayResult {
  size_t valid_bytes = 0;
  size_t commands = 0;
  bool truncated = false;  // data ended inside a command or a transaction
};

class Aof {
 public:
  explicit Aof(Server& server);
  ~Aof();
  Aof(const Aof&) = delete;
  Aof& operator=(const Aof&) = delete;

  // Replays the AOF named by the manifest, if there is one (*existed tells).
  core::Status load(bool* existed);
  // Opens the current incremental file for appending; with no manifest yet, creates the
  // directory, a base snapshot of the current dataset, an incremental file and the manifest.
  core::Status open_for_append();
  bool active() const { return static_cast<bool>(fd_); }
  bool created_fresh() const { return false; }
  bool write_ok() const { return write_ok_; }

  void feed(std::string_view resp) { buffer_.append(resp); }
  // Writes the buffer; fsyncs per policy (force: always fsync).
  void flush(bool force_sync);
  // Once per cron tick: the everysec fsync.
  void cron();

  // BGREWRITEAOF steps (see the file comment). begin returns the temporary base path the
  // child writes with write_base().
  core::Result<std::string> begin_rewrite();
  core::Status write_base(const Databases& dbs, const std::string& temp);
  core::Status end_rewrite(bool ok);

  std::string dir() const;

 private:
  std::string path(const std::string& name) const;
  core::Status persist_manifest();
  core::Status open_incr(const std::string& name);
  core::Status replay_file(const std::string& name, bool last);

  Server& server_;
  AofManifest manifest_;
  core::Fd fd_;
  std::string current_incr_;
  std::string buffer_;
  bool write_ok_ = true;
  bool unsynced_ = false;
  int64_t last_fsync_ms_ = 0;
  bool rewriting_ = false;
  std::string rewrite_temp_;
  std::unique_ptr<FsyncThread> fsync_thread_;
};

// Serialises a dataset as RESP commands (the base of an AOF without RDB preamble).
core::Status write_dataset_as_commands(const Databases& dbs, int fd);

}  // namespace sfs::kv
