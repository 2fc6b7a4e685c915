// The write-ahead log: how a transaction becomes durable without touching the database file.
//
// A committing transaction appends each page it changed as a *frame* to "<db>-wal" and marks its
// last frame as the commit frame. The database file is only written later, by a *checkpoint*,
// which copies the newest version of every logged page back into it and then restarts the log.
// Readers look a page up in the log first and fall back to the database file.
//
//   <db>-wal:  [header 32 B][frame 1: header 24 B + page][frame 2]...[frame N]
//                                                         commit frames carry the db size
//
// Why a log and not a rollback journal: a commit is one sequential append (plus one fsync), and
// the database file is never half-updated by a transaction in flight. After a crash the log is
// replayed up to its last valid commit frame: a frame is valid when it carries the header's salts
// and its checksum, which chains through every frame before it, matches. Frames written by a
// transaction that never reached its commit frame, and torn frames, are ignored.
//
// This object also keeps the *frame index*: page number -> newest frame holding it, for frames up
// to the last commit this connection has seen (plus frames of its own open transaction). Another
// process's commits are picked up by refresh() at the start of each transaction. Byte layouts are
// in FILE_FORMAT.md.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "systems/sql/os.h"

namespace sfs::sql {

enum class SyncMode { kOff = 0, kNormal = 1, kFull = 2 };

inline constexpr size_t kWalHeaderSize = 32;
inline constexpr size_t kWalFrameHeaderSize = 24;

// The chained checksum of the log (64-bit multiply-rotate over little-endian words). `size` must
// be a multiple of 8.
uint64_t wal_checksum(uint64_t seed, const uint8_t* data, size_t size);

class Wal {
 public:
  Wal(std::unique_ptr<File> file, uint32_t page_size);

  // What changed in the log since the last refresh().
  struct Changes {
    bool reset = false;                // restarted or replaced: every cached page may be stale
    std::vector<uint32_t> pages;       // pages with newer committed frames (when !reset)
  };
  // Reads the log header and any frames committed by others since the last call.
  // REQUIRES: not inside this connection's own write transaction.
  Result<Changes> refresh();

  // The newest frame holding `pgno`, or 0.
  uint32_t find(uint32_t pgno) const {
    if (index_.empty()) return 0;
    auto it = index_.find(pgno);
    return it == index_.end() ? 0 : it->second;
  }
  Status read_frame(uint32_t frame, uint8_t* page);

  // Database size in pages recorded by the last commit frame (0 when the log is empty).
  uint32_t committed_db_size() const { return committed_db_size_; }
  uint32_t committed_frames() const { return committed_frames_; }
  bool empty() const { return committed_frames_ == 0; }

  // Writing. begin_transaction() remembers where the open transaction starts; append() adds a
  // frame (commit_db_size != 0 makes it the commit frame, which ends the transaction);
  // rollback_transaction() forgets the transaction's frames (they stay in the file as garbage
  // that the next writer overwrites and no reader accepts).
  void begin_transaction();
  Status append(uint32_t pgno, const uint8_t* page, uint32_t commit_db_size);
  // Several frames with one write(); the last is the commit frame when commit_db_size != 0.
  Status append_batch(const std::vector<std::pair<uint32_t, const uint8_t*>>& pages,
                      uint32_t commit_db_size);
  void rollback_transaction();
  Status sync() { return file_->sync(); }

  // Copies the newest committed version of every logged page into `db` (truncated to the last
  // committed size), syncs it (unless sync is kOff), then restarts the log.
  // REQUIRES: no open write transaction; the caller holds the locks that keep everyone else out.
  Status checkpoint(File* db, SyncMode sync);

  // Shrinks the file to its header (after a final checkpoint, when closing).
  Status truncate_to_header();

  File* file() { return file_.get(); }

 private:
  uint64_t frame_offset(uint32_t frame) const {
    return kWalHeaderSize + static_cast<uint64_t>(frame - 1) * (kWalFrameHeaderSize + page_size_);
  }
  Status write_header();
  // Scans frames after committed_frames_, adding every committed one to the index.
  Status scan(uint64_t file_size, std::vector<uint32_t>* changed);
  void set_index(uint32_t pgno, uint32_t frame, bool undoable);

  std::unique_ptr<File> file_;
  uint32_t page_size_;
  bool header_valid_ = false;
  uint8_t header_[kWalHeaderSize] = {};
  uint32_t salt1_ = 0, salt2_ = 0, sequence_ = 0;

  std::unordered_map<uint32_t, uint32_t> index_;
  uint32_t committed_frames_ = 0;     // frames up to and including the last commit frame
  uint32_t committed_db_size_ = 0;
  uint64_t committed_checksum_ = 0;   // chain value after the last commit frame

  // The open write transaction.
  bool in_transaction_ = false;
  uint32_t next_frame_ = 1;
  uint64_t running_checksum_ = 0;
  std::vector<std::pair<uint32_t, uint32_t>> undo_;  // (pgno, previous frame or 0)
  std::vector<uint8_t> scratch_;
};

}  // namespace sfs::sql
