// The pager (see pager.h for the design and the transaction/lock state table).
#include "systems/sql/pager.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include "core/file.h"
#include "systems/sql/bytes.h"

namespace sfs::sql {

namespace {
constexpr char kMagic[16] = {'S', 'F', 'S', ' ', 'S', 'Q', 'L', ' ',
                             'f', 'o', 'r', 'm', 'a', 't', ' ', '1'};
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kSpillBatch = 64;
constexpr size_t kWriteBatch = 256;
constexpr uint32_t kMaxPages = 1u << 30;  // 4 TiB
}  // namespace


// ---- PageRef -------------------------------------------------------------------------------

PageRef::PageRef(PageFrame* frame, Pager* pager) : frame_(frame), pager_(pager) {}

PageRef::PageRef(const PageRef& other) : frame_(other.frame_), pager_(other.pager_) {
  if (frame_ != nullptr) ++frame_->pins;
}

PageRef& PageRef::operator=(const PageRef& other) {
  if (this != &other) {
    if (other.frame_ != nullptr) ++other.frame_->pins;
    release();
    frame_ = other.frame_;
    pager_ = other.pager_;
  }
  return *this;
}


void PageRef::unpin() {
  pager_->unpin(frame_);
  frame_ = nullptr;
}



// ---- opening and closing -------------------------------------------------------------------

Result<std::unique_ptr<Pager>> Pager::open(const std::string& path, const PagerOptions& options) {
  if (path.empty() || path == ":memory:") {
    return open_files(std::make_unique<MemFile>(), std::make_unique<MemFile>(), options, true);
  }
  if (!options.create && !core::file_exists(path)) {
    return Status::not_found("unable to open database file '" + path + "': no such file");
  }
  SFS_ASSIGN_OR_RETURN(std::unique_ptr<File> db, PosixFile::open(path, options.create));
  SFS_ASSIGN_OR_RETURN(std::unique_ptr<File> wal, PosixFile::open(path + "-wal", true));
  SFS_ASSIGN_OR_RETURN(std::unique_ptr<Pager> pager,
                       open_files(std::move(db), std::move(wal), options, false));
  pager->path_ = path;
  return pager;
}

Result<std::unique_ptr<Pager>> Pager::open_files(std::unique_ptr<File> db,
                                                 std::unique_ptr<File> wal,
                                                 const PagerOptions& options, bool lockless) {
  std::unique_ptr<Pager> pager(new Pager());
  pager->options_ = options;
  pager->set_cache_pages(options.cache_pages);
  pager->lockless_ = lockless;
  pager->db_ = std::move(db);
  pager->wal_ = std::make_unique<Wal>(std::move(wal), kPageSize);
  // Check the header now, so that opening a file that is not a database fails at once.
  SFS_TRY(pager->begin(false));
  pager->rollback();
  return pager;
}

Pager::~Pager() {
  if (state_ != State::kIdle) rollback();
  // Fold the log into the database file when nobody else is using it, so that a closed database
  // is one self-contained file. Skipped silently when another connection holds a lock.
  if (!lockless_ && db_ != nullptr) {
    auto writer = db_->try_lock(LockSlot::kWriter, LockMode::kExclusive);
    if (writer.is_ok() && *writer) {
      auto reader = db_->try_lock(LockSlot::kReader, LockMode::kExclusive);
      if (reader.is_ok() && *reader) {
        auto changes = wal_->refresh();
        if (changes.is_ok() && !wal_->empty()) (void)wal_->checkpoint(db_.get(), options_.sync);
        if (changes.is_ok() && wal_->empty()) (void)wal_->truncate_to_header();
      }
      (void)db_->try_lock(LockSlot::kReader, LockMode::kUnlocked);
      (void)db_->try_lock(LockSlot::kWriter, LockMode::kUnlocked);
    }
  }
  // Every PageRef must be gone by now; frames are freed with frames_.
}

// ---- locks -----------------------------------------------------------------------------------

Status Pager::lock_with_timeout(LockSlot slot, LockMode mode) {
  if (lockless_) return Status::ok();
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(std::max(0, options_.busy_timeout_ms));
  auto delay = std::chrono::microseconds(100);
  while (true) {
    SFS_ASSIGN_OR_RETURN(bool locked, db_->try_lock(slot, mode));
    if (locked) return Status::ok();
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status(core::Code::kTimeout, "database is locked");
    }
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::microseconds(10000));
  }
}

void Pager::unlock_all() {
  if (lockless_) return;
  if (reader_locked_) (void)db_->try_lock(LockSlot::kReader, LockMode::kUnlocked);
  if (writer_locked_) (void)db_->try_lock(LockSlot::kWriter, LockMode::kUnlocked);
  reader_locked_ = writer_locked_ = false;
}

// ---- the cache -------------------------------------------------------------------------------

void PageTable::insert(uint32_t pgno, PageFrame* frame) {
  if ((count_ + 1) * 2 > slots_.size()) {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, Slot{0, nullptr});
    count_ = 0;
    for (const Slot& slot : old) {
      if (slot.pgno != 0) insert(slot.pgno, slot.frame);
    }
  }
  size_t mask = slots_.size() - 1;
  size_t i = hash(pgno) & mask;
  while (slots_[i].pgno != 0 && slots_[i].pgno != pgno) i = (i + 1) & mask;
  if (slots_[i].pgno == 0) ++count_;
  slots_[i] = Slot{pgno, frame};
}

void PageTable::erase(uint32_t pgno) {
  size_t mask = slots_.size() - 1;
  size_t i = hash(pgno) & mask;
  while (slots_[i].pgno != pgno) {
    if (slots_[i].pgno == 0) return;
    i = (i + 1) & mask;
  }
  // Backward-shift deletion: move later entries of the run into the hole when their home slot
  // allows it.
  size_t hole = i;
  for (size_t j = (hole + 1) & mask; slots_[j].pgno != 0; j = (j + 1) & mask) {
    size_t home = hash(slots_[j].pgno) & mask;
    bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
    if (movable) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = Slot{0, nullptr};
  --count_;
}

PageFrame* Pager::lookup(uint32_t pgno) { return map_.find(pgno); }

void Pager::detach(PageFrame* frame) {
  if (frame->pgno != 0) map_.erase(frame->pgno);
  frame->pgno = 0;
  if (frame->dirty) {
    frame->dirty = false;
    --dirty_count_;
  }
  if (frame->pins == 0) free_frames_.push_back(frame);
}

void Pager::unpin(PageFrame* frame) {
  assert(frame->pins > 0);
  if (--frame->pins == 0 && frame->pgno == 0) free_frames_.push_back(frame);
}

Status Pager::spill(std::vector<PageFrame*> victims) {
  if (victims.empty()) return Status::ok();
  std::sort(victims.begin(), victims.end(),
            [](PageFrame* a, PageFrame* b) { return a->pgno < b->pgno; });
  std::vector<std::pair<uint32_t, const uint8_t*>> pages;
  for (PageFrame* f : victims) pages.emplace_back(f->pgno, f->data);
  SFS_TRY(wal_->append_batch(pages, 0));
  for (PageFrame* f : victims) f->dirty = false;
  dirty_count_ -= victims.size();
  stats_.spills += victims.size();
  spilled_ = true;
  return Status::ok();
}

Result<PageFrame*> Pager::obtain_frame() {
  if (!free_frames_.empty()) {
    PageFrame* frame = free_frames_.back();
    free_frames_.pop_back();
    return frame;
  }
  if (frames_.size() < static_cast<size_t>(options_.cache_pages)) {
    auto frame = std::make_unique<PageFrame>();
    frames_.push_back(std::move(frame));
    return frames_.back().get();
  }
  // The clock: sweep the frames, giving each recently touched one a second chance, and take the
  // first clean, unpinned, untouched frame. Dirty candidates met on the way are spilled to the
  // log in one batch and become clean.
  std::vector<PageFrame*> dirty;
  size_t n = frames_.size();
  for (size_t step = 0; step < 2 * n; ++step) {
    PageFrame* f = frames_[clock_hand_].get();
    clock_hand_ = (clock_hand_ + 1) % n;
    if (f->pins > 0 || f->pgno == 0) continue;
    if (f->referenced) {
      f->referenced = false;
      continue;
    }
    if (!f->dirty) {
      detach(f);
      free_frames_.pop_back();  // detach() put it there
      return f;
    }
    if (std::find(dirty.begin(), dirty.end(), f) != dirty.end()) break;  // a full lap
    dirty.push_back(f);
    if (dirty.size() == kSpillBatch) break;
  }
  if (!dirty.empty()) {
    SFS_TRY(spill(dirty));
    PageFrame* f = dirty.front();
    detach(f);
    free_frames_.pop_back();
    return f;
  }
  // Everything is pinned: grow past the bound for now.
  auto frame = std::make_unique<PageFrame>();
  frames_.push_back(std::move(frame));
  return frames_.back().get();
}

Result<PageRef> Pager::get(uint32_t pgno) {
  if (pgno == 0 || pgno > page_count_) {
    return Status::corruption("database disk image is malformed: page " + std::to_string(pgno) +
                              " is out of range (the database has " +
                              std::to_string(page_count_) + " pages)");
  }
  if (PageFrame* frame = lookup(pgno)) {
    ++stats_.hits;
    frame->referenced = true;
    ++frame->pins;
    return PageRef(frame, this);
  }
  ++stats_.misses;
  SFS_ASSIGN_OR_RETURN(PageFrame * frame, obtain_frame());
  uint32_t wal_frame = wal_->find(pgno);
  Status read = wal_frame != 0
                    ? wal_->read_frame(wal_frame, frame->data)
                    : db_->read(static_cast<uint64_t>(pgno - 1) * kPageSize, frame->data,
                                kPageSize);
  if (!read.is_ok()) {
    free_frames_.push_back(frame);
    return read;
  }
  frame->pgno = pgno;
  frame->dirty = false;
  frame->savepoint_id = 0;
  frame->pins = 1;
  map_.insert(pgno, frame);
  return PageRef(frame, this);
}

Status Pager::make_writable(PageRef& page) {
  assert(state_ == State::kWrite);
  PageFrame* frame = page.frame_;
  if (!savepoints_.empty()) {
    Savepoint& savepoint = savepoints_.back();
    if (frame->savepoint_id != savepoint.id) {
      frame->savepoint_id = savepoint.id;
      if (frame->pgno <= savepoint.page_count && !savepoint.images.count(frame->pgno)) {
        auto image = std::make_unique<uint8_t[]>(kPageSize);
        std::memcpy(image.get(), frame->data, kPageSize);
        savepoint.images.emplace(frame->pgno, std::move(image));
      }
    }
  }
  if (!frame->dirty) {
    frame->dirty = true;
    ++dirty_count_;
    if (!frame->listed) {
      frame->listed = true;
      dirty_.push_back(frame);
    }
  }
  return Status::ok();
}

// ---- header and allocation -------------------------------------------------------------------

uint32_t Pager::header(HeaderField field) {
  if (page_count_ == 0) return 0;
  auto page = get(1);
  if (!page.is_ok()) return 0;
  return get_u32(page->data() + static_cast<uint32_t>(field));
}

Status Pager::set_header(HeaderField field, uint32_t value) {
  SFS_ASSIGN_OR_RETURN(PageRef page, get(1));
  SFS_TRY(make_writable(page));
  put_u32(page.mutable_data() + static_cast<uint32_t>(field), value);
  if (field == HeaderField::kPageCount) page_count_ = value;
  return Status::ok();
}

Status Pager::init_empty_database() {
  page_count_ = 1;
  SFS_ASSIGN_OR_RETURN(PageFrame * frame, obtain_frame());
  std::memset(frame->data, 0, kPageSize);
  frame->pgno = 1;
  frame->pins = 1;
  frame->savepoint_id = 0;
  frame->dirty = false;
  map_.insert(1, frame);
  PageRef page(frame, this);
  SFS_TRY(make_writable(page));
  uint8_t* data = page.mutable_data();
  std::memcpy(data, kMagic, 16);
  put_u32(data + 16, kPageSize);
  put_u32(data + 20, kFormatVersion);
  put_u32(data + static_cast<uint32_t>(HeaderField::kPageCount), 1);
  fresh_ = true;
  return Status::ok();
}

Result<PageRef> Pager::allocate() {
  uint32_t head = header(HeaderField::kFreelistHead);
  if (head != 0) {
    SFS_ASSIGN_OR_RETURN(PageRef trunk, get(head));
    uint32_t count = get_u32(trunk.data() + 4);
    uint32_t pgno;
    if (count > 0) {
      if (count > (kPageSize - 8) / 4) {
        return Status::corruption("database disk image is malformed: free-list trunk page " +
                                  std::to_string(head) + " claims " + std::to_string(count) +
                                  " entries");
      }
      pgno = get_u32(trunk.data() + 8 + 4 * (count - 1));
      SFS_TRY(make_writable(trunk));
      put_u32(trunk.mutable_data() + 4, count - 1);
    } else {
      pgno = head;
      SFS_TRY(set_header(HeaderField::kFreelistHead, get_u32(trunk.data())));
    }
    trunk.release();
    uint32_t free_count = header(HeaderField::kFreelistCount);
    SFS_TRY(set_header(HeaderField::kFreelistCount, free_count > 0 ? free_count - 1 : 0));
    if (pgno < 2 || pgno > page_count_) {
      return Status::corruption("database disk image is malformed: free page " +
                                std::to_string(pgno) + " is out of range");
    }
    SFS_ASSIGN_OR_RETURN(PageRef page, get(pgno));
    SFS_TRY(make_writable(page));
    std::memset(page.mutable_data(), 0, kPageSize);
    return page;
  }
  if (page_count_ >= kMaxPages) return Status::limit_exceeded("database or disk is full");
  uint32_t pgno = page_count_ + 1;
  SFS_TRY(set_header(HeaderField::kPageCount, pgno));
  PageFrame* frame = lookup(pgno);
  if (frame == nullptr) {
    SFS_ASSIGN_OR_RETURN(frame, obtain_frame());
    frame->pgno = pgno;
    frame->pins = 0;
    frame->dirty = false;
    frame->savepoint_id = 0;
    map_.insert(pgno, frame);
  }
  ++frame->pins;
  PageRef page(frame, this);
  SFS_TRY(make_writable(page));
  std::memset(page.mutable_data(), 0, kPageSize);
  return page;
}

Status Pager::free_page(uint32_t pgno) {
  if (pgno < 2 || pgno > page_count_) {
    return Status::corruption("database disk image is malformed: freeing page " +
                              std::to_string(pgno) + " out of range");
  }
  uint32_t head = header(HeaderField::kFreelistHead);
  SFS_TRY(set_header(HeaderField::kFreelistCount, header(HeaderField::kFreelistCount) + 1));
  if (head != 0) {
    SFS_ASSIGN_OR_RETURN(PageRef trunk, get(head));
    uint32_t count = get_u32(trunk.data() + 4);
    if (count < (kPageSize - 8) / 4) {
      SFS_TRY(make_writable(trunk));
      put_u32(trunk.mutable_data() + 8 + 4 * count, pgno);
      put_u32(trunk.mutable_data() + 4, count + 1);
      return Status::ok();
    }
  }
  // The freed page becomes the new first trunk page.
  SFS_ASSIGN_OR_RETURN(PageRef page, get(pgno));
  SFS_TRY(make_writable(page));
  std::memset(page.mutable_data(), 0, kPageSize);
  put_u32(page.mutable_data(), head);
  return set_header(HeaderField::kFreelistHead, pgno);
}

// ---- transactions ----------------------------------------------------------------------------

Status Pager::load_header() {
  uint32_t pages;
  if (!wal_->empty()) {
    pages = wal_->committed_db_size();
  } else {
    SFS_ASSIGN_OR_RETURN(uint64_t size, db_->size());
    pages = static_cast<uint32_t>(std::min<uint64_t>(size / kPageSize, kMaxPages));
    if (pages == 0 && size > 0) {
      return Status::corruption("file is not a database (" + std::to_string(size) +
                                " bytes, shorter than one page)");
    }
  }
  page_count_ = pages;
  if (pages == 0) return Status::ok();
  SFS_ASSIGN_OR_RETURN(PageRef page, get(1));
  const uint8_t* data = page.data();
  if (std::memcmp(data, kMagic, 16) != 0) {
    page_count_ = 0;
    if (std::memcmp(data, "SQLite format 3", 16) == 0) {
      return Status::corruption("file is an SQLite 3 database, not an sfs database");
    }
    return Status::corruption("file is not a database");
  }
  if (get_u32(data + 16) != kPageSize) {
    page_count_ = 0;
    return Status::unsupported("unsupported page size " + std::to_string(get_u32(data + 16)));
  }
  if (get_u32(data + 20) != kFormatVersion) {
    page_count_ = 0;
    return Status::unsupported("unsupported file format version " +
                               std::to_string(get_u32(data + 20)));
  }
  uint32_t count = get_u32(data + static_cast<uint32_t>(HeaderField::kPageCount));
  if (count == 0 || count > kMaxPages) {
    page_count_ = 0;
    return Status::corruption("database disk image is malformed: page count " +
                              std::to_string(count));
  }
  page_count_ = count;
  return Status::ok();
}

Status Pager::begin(bool write) {
  assert(state_ == State::kIdle);
  if (write) {
    SFS_TRY(lock_with_timeout(LockSlot::kWriter, LockMode::kExclusive));
    writer_locked_ = !lockless_;
  }
  Status status = lock_with_timeout(LockSlot::kReader, LockMode::kShared);
  if (!status.is_ok()) {
    unlock_all();
    return status;
  }
  reader_locked_ = !lockless_;
  auto changes = wal_->refresh();
  if (!changes.is_ok()) {
    unlock_all();
    return changes.status();
  }
  if (changes->reset) {
    for (auto& frame : frames_) {
      if (frame->pgno != 0) detach(frame.get());
    }
  } else {
    for (uint32_t pgno : changes->pages) {
      if (PageFrame* frame = lookup(pgno)) detach(frame);
    }
  }
  status = load_header();
  if (!status.is_ok()) {
    unlock_all();
    return status;
  }
  snapshot_frames_ = wal_->committed_frames();
  state_ = State::kRead;
  fresh_ = false;
  spilled_ = false;
  if (write) {
    state_ = State::kWrite;
    wal_->begin_transaction();
    if (page_count_ == 0) {
      status = init_empty_database();
      if (!status.is_ok()) {
        rollback();
        return status;
      }
    }
  }
  return Status::ok();
}

Status Pager::upgrade_to_write() {
  assert(state_ == State::kRead);
  SFS_TRY(lock_with_timeout(LockSlot::kWriter, LockMode::kExclusive));
  writer_locked_ = !lockless_;
  auto changes = wal_->refresh();
  if (!changes.is_ok() || changes->reset || wal_->committed_frames() != snapshot_frames_) {
    (void)db_->try_lock(LockSlot::kWriter, LockMode::kUnlocked);
    writer_locked_ = false;
    if (!changes.is_ok()) return changes.status();
    // Someone committed after this transaction's snapshot: writing now would lose their change.
    for (uint32_t pgno : changes->pages) {
      if (PageFrame* frame = lookup(pgno)) detach(frame);
    }
    if (changes->reset) {
      for (auto& frame : frames_) {
        if (frame->pgno != 0) detach(frame.get());
      }
    }
    return Status(core::Code::kTimeout,
                  "database is locked (another connection wrote since this transaction began)");
  }
  state_ = State::kWrite;
  wal_->begin_transaction();
  if (page_count_ == 0) SFS_TRY(init_empty_database());
  return Status::ok();
}

Status Pager::write_dirty(bool commit) {
  std::vector<PageFrame*> dirty;
  dirty.reserve(dirty_count_);
  for (PageFrame* frame : dirty_) {
    frame->listed = false;
    if (frame->dirty && frame->pgno != 0 && frame->pgno <= page_count_) dirty.push_back(frame);
  }
  dirty_.clear();
  std::sort(dirty.begin(), dirty.end(),
            [](PageFrame* a, PageFrame* b) { return a->pgno < b->pgno; });
  if (dirty.empty() && commit) {
    // Everything was spilled already: page 1 closes the transaction as its commit frame.
    SFS_ASSIGN_OR_RETURN(PageRef page, get(1));
    return wal_->append(1, page.data(), page_count_);
  }
  std::vector<std::pair<uint32_t, const uint8_t*>> batch;
  for (size_t i = 0; i < dirty.size(); i += kWriteBatch) {
    size_t end = std::min(dirty.size(), i + kWriteBatch);
    batch.clear();
    for (size_t j = i; j < end; ++j) batch.emplace_back(dirty[j]->pgno, dirty[j]->data);
    SFS_TRY(wal_->append_batch(batch, commit && end == dirty.size() ? page_count_ : 0));
  }
  for (PageFrame* frame : dirty) frame->dirty = false;
  dirty_count_ = 0;
  return Status::ok();
}

Status Pager::commit() {
  if (state_ == State::kWrite) {
    bool changed = !dirty_.empty() || spilled_;
    if (changed) {
      Status status = write_dirty(true);
      if (status.is_ok() && options_.sync == SyncMode::kFull) status = wal_->sync();
      if (!status.is_ok()) {
        rollback();
        return status;
      }
    } else {
      wal_->rollback_transaction();
    }
    savepoints_.clear();
    if (changed) try_checkpoint();
  }
  state_ = State::kIdle;
  unlock_all();
  return Status::ok();
}

void Pager::try_checkpoint() {
  if (options_.autocheckpoint <= 0 ||
      wal_->committed_frames() < static_cast<uint32_t>(options_.autocheckpoint)) {
    return;
  }
  if (!lockless_) {
    auto exclusive = db_->try_lock(LockSlot::kReader, LockMode::kExclusive);
    if (!exclusive.is_ok() || !*exclusive) return;  // readers active: try after a later commit
  }
  if (wal_->checkpoint(db_.get(), options_.sync).is_ok()) ++stats_.checkpoints;
  if (!lockless_) (void)db_->try_lock(LockSlot::kReader, LockMode::kShared);
}

void Pager::drop_dirty() {
  if (spilled_) {
    // Clean pages may hold spilled, now discarded, changes: forget the whole cache.
    for (auto& frame : frames_) {
      if (frame->pgno != 0) detach(frame.get());
    }
  } else {
    for (PageFrame* frame : dirty_) {
      frame->listed = false;
      if (frame->dirty && frame->pgno != 0) detach(frame);
    }
  }
  for (auto& frame : frames_) frame->listed = false;
  dirty_.clear();
  dirty_count_ = 0;
}

void Pager::rollback() {
  if (state_ == State::kWrite) {
    drop_dirty();
    wal_->rollback_transaction();
    savepoints_.clear();
  }
  state_ = State::kIdle;
  unlock_all();
}

Result<bool> Pager::checkpoint() {
  if (state_ != State::kIdle) return Status::invalid_argument("cannot checkpoint inside a transaction");
  if (!lockless_) {
    SFS_ASSIGN_OR_RETURN(bool writer, db_->try_lock(LockSlot::kWriter, LockMode::kExclusive));
    if (!writer) return false;
    auto reader = db_->try_lock(LockSlot::kReader, LockMode::kExclusive);
    if (!reader.is_ok() || !*reader) {
      (void)db_->try_lock(LockSlot::kWriter, LockMode::kUnlocked);
      if (!reader.is_ok()) return reader.status();
      return false;
    }
  }
  Status status = Status::ok();
  auto changes = wal_->refresh();
  if (!changes.is_ok()) status = changes.status();
  if (status.is_ok() && changes->reset) {
    for (auto& frame : frames_) {
      if (frame->pgno != 0) detach(frame.get());
    }
  } else if (status.is_ok()) {
    for (uint32_t pgno : changes->pages) {
      if (PageFrame* frame = lookup(pgno)) detach(frame);
    }
  }
  if (status.is_ok()) status = wal_->checkpoint(db_.get(), options_.sync);
  if (status.is_ok()) ++stats_.checkpoints;
  if (!lockless_) {
    (void)db_->try_lock(LockSlot::kReader, LockMode::kUnlocked);
    (void)db_->try_lock(LockSlot::kWriter, LockMode::kUnlocked);
  }
  if (!status.is_ok()) return status;
  return true;
}

// ---- savepoints ------------------------------------------------------------------------------

size_t Pager::open_savepoint() {
  Savepoint savepoint;
  savepoint.id = next_savepoint_id_++;
  savepoint.page_count = page_count_;
  savepoints_.push_back(std::move(savepoint));
  return savepoints_.size();
}

void Pager::release_savepoint(size_t depth) {
  assert(depth >= 1 && depth <= savepoints_.size());
  while (savepoints_.size() >= depth) {
    Savepoint top = std::move(savepoints_.back());
    savepoints_.pop_back();
    if (savepoints_.empty()) continue;
    Savepoint& parent = savepoints_.back();
    for (auto& [pgno, image] : top.images) {
      if (pgno <= parent.page_count && !parent.images.count(pgno)) {
        parent.images.emplace(pgno, std::move(image));
      }
    }
    // Pages changed under `top` but captured by neither must be captured again by the parent.
    parent.id = next_savepoint_id_++;
  }
}

Status Pager::rollback_to_savepoint(size_t depth) {
  assert(depth >= 1 && depth <= savepoints_.size());
  std::unordered_map<uint32_t, uint8_t*> images;
  for (size_t i = savepoints_.size(); i >= depth; --i) {
    for (auto& [pgno, image] : savepoints_[i - 1].images) images[pgno] = image.get();
  }
  uint32_t count = savepoints_[depth - 1].page_count;
  // Pages allocated after the savepoint are simply forgotten.
  for (auto& frame : frames_) {
    if (frame->pgno > count && frame->pgno != 0) {
      detach(frame.get());
    }
  }
  page_count_ = std::max(page_count_, count);
  for (auto& [pgno, image] : images) {
    SFS_ASSIGN_OR_RETURN(PageRef page, get(pgno));
    PageFrame* frame = page.frame_;
    if (!frame->dirty) {
      frame->dirty = true;
      ++dirty_count_;
      if (!frame->listed) {
        frame->listed = true;
        dirty_.push_back(frame);
      }
    }
    std::memcpy(frame->data, image, kPageSize);
  }
  page_count_ = count;
  savepoints_.resize(depth);
  savepoints_.back().images.clear();
  savepoints_.back().id = next_savepoint_id_++;
  return Status::ok();
}

}  // namespace sfs::sql
