// The pager: fixed-size pages of one database file, a bounded cache of them, and transactions.
//
// Everything above this layer (the B-trees) sees the database as an array of 4 KiB pages numbered
// from 1 and asks for them by number. The pager decides where a page comes from (its cache, the
// write-ahead log, or the database file), keeps the pages a write transaction changed until
// commit, and makes commit and rollback atomic with the log (wal.h).
//
//   get(pgno) ──> cache hit? ──yes──> PageRef (pinned)
//                     │no
//                     ├─ frame in the log (Wal::find) ──> read from <db>-wal
//                     └─ otherwise ──────────────────────> read from <db>
//
// Cache. At most `cache_pages` pages stay in memory (a PageRef pins its page). Frames are
// recycled by the clock algorithm: a hit only sets a "referenced" bit, and the eviction sweep
// gives referenced frames a second chance — nearly LRU, without relinking a list on every page
// access. A page changed by the open write transaction is dirty; when the sweep finds only dirty
// pages, a batch of them is *spilled*: appended to the log as frames without a commit mark, so
// memory stays bounded even for a transaction that inserts a million rows. Nobody accepts those
// frames until the transaction's commit frame follows them.
//
// Transactions and locks (byte-range locks on the database file, see os.h):
//
//   state      locks held                   entered by          left by
//   ---------  ---------------------------  ------------------  -------------------------------
//   idle       none                         commit()/rollback() begin()
//   read       reader: shared               begin(false)        commit()/rollback()
//   write      writer: exclusive + reader   begin(true),        commit() (appends the dirty
//              shared                       upgrade_to_write()  pages, the last one marked as
//                                                               the commit frame, then fsync)
//
// A reader works on a snapshot: the log frames committed when its transaction began. A writer is
// alone (the writer lock), and checks when it gets the lock that nobody committed since its read
// snapshot began; if someone did, it gets "database is locked" instead of writing over a change
// it has not seen. A checkpoint (copying the log into the database file and restarting the log)
// needs the reader lock exclusively, so it never pulls pages from under a reader; when readers
// are active it is simply tried again after a later commit. Waiting for a lock polls until the
// busy timeout.
//
// Savepoints give statement atomicity inside a transaction: the first change to a page after a
// savepoint saves the page's image; rolling back to the savepoint puts the images back.
//
// Page 1 holds the database header; the free-page list lives in trunk pages (FILE_FORMAT.md).
#pragma once

#include <cassert>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "systems/sql/os.h"
#include "systems/sql/wal.h"

namespace sfs::sql {

inline constexpr uint32_t kPageSize = 4096;
inline constexpr size_t kDatabaseHeaderSize = 100;

// 32-bit fields of the database header on page 1, by byte offset (FILE_FORMAT.md).
enum class HeaderField : uint32_t {
  kPageCount = 24,
  kFreelistHead = 28,
  kFreelistCount = 32,
  kSchemaCookie = 36,
  kSchemaRoot = 40,
  kChangeCounter = 44,
  kUserVersion = 48,
};

class Pager;

// A cache frame keeps its bookkeeping right before the page bytes, so the cache line that get()
// touches to pin a frame also holds the page's node header and first cell pointers (on a cold
// lookup, one cache miss instead of two).
struct PageFrame {
  uint32_t pgno = 0;  // 0: not in the cache map (free, or detached while pinned)
  int pins = 0;
  bool dirty = false;
  bool listed = false;  // in Pager::dirty_
  bool referenced = false;  // touched since the clock hand last passed
  uint64_t savepoint_id = 0;
  uint8_t data[kPageSize];
};


// The cache's index: page number -> frame, open addressing with linear probing over a
// power-of-two array (deletion shifts the following run back, so there are no tombstones).
// It replaces std::unordered_map on the pager's hottest path: one cache line per lookup.
class PageTable {
 public:
  PageTable() { slots_.assign(64, Slot{0, nullptr}); }
  PageFrame* find(uint32_t pgno) const {
    size_t mask = slots_.size() - 1;
    for (size_t i = hash(pgno) & mask;; i = (i + 1) & mask) {
      if (slots_[i].pgno == pgno) return slots_[i].frame;
      if (slots_[i].pgno == 0) return nullptr;
    }
  }
  void insert(uint32_t pgno, PageFrame* frame);
  void erase(uint32_t pgno);

 private:
  struct Slot {
    uint32_t pgno;
    PageFrame* frame;
  };
  static size_t hash(uint32_t pgno) { return (pgno * 0x9E3779B1u) >> 7; }
  std::vector<Slot> slots_;
  size_t count_ = 0;
};

// A pinned page. While any PageRef to a page exists the page stays in the cache at the same
// address. Copying pins again; destruction unpins.
class PageRef {
 public:
  PageRef() = default;
  PageRef(const PageRef& other);
  PageRef(PageRef&& other) noexcept : frame_(other.frame_), pager_(other.pager_) {
    other.frame_ = nullptr;
  }
  PageRef& operator=(const PageRef& other);
  PageRef& operator=(PageRef&& other) noexcept {
    if (this != &other) {
      release();
      frame_ = other.frame_;
      pager_ = other.pager_;
      other.frame_ = nullptr;
    }
    return *this;
  }
  ~PageRef() { release(); }

  explicit operator bool() const { return frame_ != nullptr; }
  uint32_t pgno() const { return frame_->pgno; }
  const uint8_t* data() const { return frame_->data; }
  // REQUIRES: Pager::make_writable() was called on this page in the current transaction.
  uint8_t* mutable_data() {
    assert(frame_->dirty);
    return frame_->data;
  }
  void release() {
    if (frame_ != nullptr) unpin();
  }

 private:
  friend class Pager;
  PageRef(PageFrame* frame, Pager* pager);
  void unpin();  // drops the pin and clears frame_
  PageFrame* frame_ = nullptr;
  Pager* pager_ = nullptr;
};

struct PagerOptions {
  SyncMode sync = SyncMode::kFull;
  int cache_pages = 16384;       // the bound on cached pages (pinned pages may exceed it briefly)
  int busy_timeout_ms = 5000;    // how long begin() waits for a lock
  int autocheckpoint = 1000;     // checkpoint after a commit leaves more frames than this (0: never)
  bool create = true;            // create the file when it does not exist
  bool read_only = false;
};

class Pager {
 public:
  // Opens the database at `path`; "" or ":memory:" is a private in-memory database.
  static Result<std::unique_ptr<Pager>> open(const std::string& path, const PagerOptions& options);
  // Opens over the given files (tests and the fuzz harness use MemFiles).
  static Result<std::unique_ptr<Pager>> open_files(std::unique_ptr<File> db,
                                                   std::unique_ptr<File> wal,
                                                   const PagerOptions& options, bool lockless);
  ~Pager();
  Pager(const Pager&) = delete;
  Pager& operator=(const Pager&) = delete;

  // Transactions (see the state table above).
  Status begin(bool write);
  Status upgrade_to_write();
  Status commit();
  void rollback();
  bool in_transaction() const { return state_ != State::kIdle; }
  bool in_write() const { return state_ == State::kWrite; }

  // A page of the database. Errors: corruption for a page number outside the database.
  Result<PageRef> get(uint32_t pgno);
  // Declares that the caller is about to change `page`. REQUIRES: in_write().
  Status make_writable(PageRef& page);
  // A zeroed, writable page: one from the free list, or a new one at the end of the file.
  Result<PageRef> allocate();
  // Puts `pgno` on the free list. The caller drops its PageRefs to it.
  Status free_page(uint32_t pgno);

  uint32_t page_count() const { return page_count_; }
  uint32_t page_size() const { return kPageSize; }
  // The database header (page 1). A database with no pages reads as all zeros.
  uint32_t header(HeaderField field);
  Status set_header(HeaderField field, uint32_t value);
  // True when this transaction created page 1 (the database was empty).
  bool fresh_database() const { return fresh_; }

  // Statement-level atomicity. open_savepoint() returns its depth; releasing keeps the changes,
  // rolling back restores every page to its state at open_savepoint().
  size_t open_savepoint();
  void release_savepoint(size_t depth);
  Status rollback_to_savepoint(size_t depth);

  // Copies the log into the database file now, if no reader is active. Returns false when skipped.
  Result<bool> checkpoint();

  void set_sync(SyncMode sync) { options_.sync = sync; }
  SyncMode sync() const { return options_.sync; }
  void set_cache_pages(int pages) { options_.cache_pages = pages < 16 ? 16 : pages; }
  int cache_pages() const { return options_.cache_pages; }
  void set_busy_timeout(int ms) { options_.busy_timeout_ms = ms; }
  void set_autocheckpoint(int frames) { options_.autocheckpoint = frames; }
  bool is_memory() const { return lockless_; }
  const std::string& path() const { return path_; }
  // Frames in the log that a checkpoint has not copied yet.
  uint32_t wal_frames() const { return wal_->committed_frames(); }

  // Counters for tests and EXPLAIN ANALYZE-style tooling.
  struct Stats {
    uint64_t hits = 0, misses = 0, spills = 0, checkpoints = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  friend class PageRef;
  enum class State { kIdle, kRead, kWrite };

  Pager() = default;
  Status lock_with_timeout(LockSlot slot, LockMode mode);
  void unlock_all();
  Status load_header();
  Status init_empty_database();
  PageFrame* lookup(uint32_t pgno);
  Result<PageFrame*> obtain_frame();  // an unused frame (evicting or spilling when full)
  Status spill(std::vector<PageFrame*> victims);
  void unpin(PageFrame* frame);
  void detach(PageFrame* frame);      // removes from the cache map (the frame becomes free)
  void drop_dirty();
  Status write_dirty(bool commit);
  void try_checkpoint();

  PagerOptions options_;
  std::string path_;
  bool lockless_ = false;
  std::unique_ptr<File> db_;
  std::unique_ptr<Wal> wal_;
  State state_ = State::kIdle;
  bool writer_locked_ = false;
  bool reader_locked_ = false;
  bool fresh_ = false;
  uint32_t page_count_ = 0;
  uint32_t snapshot_frames_ = 0;  // log frames when the read snapshot began

  std::vector<std::unique_ptr<PageFrame>> frames_;
  std::vector<PageFrame*> free_frames_;
  PageTable map_;
  size_t clock_hand_ = 0;  // next frame the eviction sweep looks at
  size_t dirty_count_ = 0;
  std::vector<PageFrame*> dirty_;  // frames made dirty this transaction (may hold stale entries)
  bool spilled_ = false;           // this transaction spilled pages to the log

  struct Savepoint {
    uint64_t id;
    uint32_t page_count;
    std::unordered_map<uint32_t, std::unique_ptr<uint8_t[]>> images;
  };
  std::vector<Savepoint> savepoints_;
  uint64_t next_savepoint_id_ = 1;

  Stats stats_;
};

}  // namespace sfs::sql
