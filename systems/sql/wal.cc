// The write-ahead log (see wal.h and FILE_FORMAT.md).
#include "systems/sql/wal.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstring>
#include <random>

#include "systems/sql/bytes.h"

namespace sfs::sql {
namespace {

constexpr uint8_t kMagic[8] = {'S', 'F', 'S', 'W', 'A', 'L', 0, 1};
constexpr size_t kScanBatchBytes = 256 * 1024;
constexpr uint64_t kKeepLogBytes = 4 << 20;

// A little-endian 64-bit word, whatever the host's byte order.
inline uint64_t load_le64(const uint8_t* p) {
  if constexpr (std::endian::native == std::endian::little) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  } else {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
  }
}

}  // namespace

uint64_t wal_checksum(uint64_t seed, const uint8_t* data, size_t size) {
  uint64_t h = seed ^ 0x6a09e667f3bcc908ull;
  for (size_t i = 0; i + 8 <= size; i += 8) {
    uint64_t w = load_le64(data + i);
    h = (h ^ w) * 0x9e3779b97f4a7c15ull;
    h = (h << 31) | (h >> 33);
  }
  return h ^ (h >> 29);
}

Wal::Wal(std::unique_ptr<File> file, uint32_t page_size)
    : file_(std::move(file)), page_size_(page_size) {}

Status Wal::write_header() {
  std::memcpy(header_, kMagic, 8);
  put_u32(header_ + 8, page_size_);
  put_u32(header_ + 12, sequence_);
  put_u32(header_ + 16, salt1_);
  put_u32(header_ + 20, salt2_);
  put_u64(header_ + 24, wal_checksum(0, header_, 24));
  SFS_TRY(file_->write(0, header_, kWalHeaderSize));
  header_valid_ = true;
  committed_checksum_ = get_u64(header_ + 24);
  return Status::ok();
}

void Wal::set_index(uint32_t pgno, uint32_t frame, bool undoable) {
  auto [it, inserted] = index_.try_emplace(pgno, frame);
  if (undoable) undo_.emplace_back(pgno, inserted ? 0 : it->second);
  if (!inserted) it->second = frame;
}

Result<Wal::Changes> Wal::refresh() {
  Changes changes;
  // One read covers the header and the first frame's header: when the log holds no committed
  // frame yet (the usual state after a checkpoint) that is all refresh() needs to look at.
  uint8_t head[kWalHeaderSize + kWalFrameHeaderSize];
  size_t head_got = 0;
  SFS_TRY(file_->read_once(0, head, sizeof head, &head_got));
  if (head_got < kWalHeaderSize) SFS_TRY(file_->read(0, head, sizeof head, &head_got));
  const uint8_t* header = head;
  size_t got = std::min(head_got, kWalHeaderSize);
  bool valid = got == kWalHeaderSize && std::memcmp(header, kMagic, 8) == 0 &&
               get_u32(header + 8) == page_size_ &&
               get_u64(header + 24) == wal_checksum(0, header, 24);
  if (!valid) {
    // No log (never written, or its header was torn before any frame could follow it).
    if (header_valid_ || committed_frames_ > 0) changes.reset = true;
    header_valid_ = false;
    index_.clear();
    committed_frames_ = 0;
    committed_db_size_ = 0;
    return changes;
  }
  if (!header_valid_ || std::memcmp(header, header_, kWalHeaderSize) != 0) {
    // A different generation of the log: start over.
    changes.reset = header_valid_ || committed_frames_ > 0;
    std::memcpy(header_, header, kWalHeaderSize);
    header_valid_ = true;
    sequence_ = get_u32(header + 12);
    salt1_ = get_u32(header + 16);
    salt2_ = get_u32(header + 20);
    index_.clear();
    committed_frames_ = 0;
    committed_db_size_ = 0;
    committed_checksum_ = get_u64(header + 24);
    if (!changes.reset) changes.reset = true;  // conservatively drop the cache on a new log
  }
  // New frames? The log is not truncated when it restarts, so its size says nothing: look at
  // the header of the next frame instead, and scan only when it carries this generation's salts.
  uint8_t next[kWalFrameHeaderSize];
  size_t next_got = 0;
  if (committed_frames_ == 0 && head_got == sizeof head) {
    std::memcpy(next, head + kWalHeaderSize, sizeof next);
    next_got = sizeof next;
  } else if (committed_frames_ == 0 && head_got == kWalHeaderSize) {
    next_got = 0;  // the log ends after its header
  } else {
    SFS_TRY(file_->read(frame_offset(committed_frames_ + 1), next, sizeof next, &next_got));
  }
  if (next_got == sizeof next && get_u32(next + 8) == salt1_ && get_u32(next + 12) == salt2_) {
    SFS_ASSIGN_OR_RETURN(uint64_t file_size, file_->size());
    SFS_TRY(scan(file_size, changes.reset ? nullptr : &changes.pages));
  }
  return changes;
}

Status Wal::scan(uint64_t file_size, std::vector<uint32_t>* changed) {
  const size_t frame_size = kWalFrameHeaderSize + page_size_;
  const size_t batch_frames = std::max<size_t>(1, kScanBatchBytes / frame_size);
  std::vector<uint8_t> buffer(batch_frames * frame_size);
  std::vector<std::pair<uint32_t, uint32_t>> pending;  // frames of a transaction not yet committed
  uint32_t frame = committed_frames_ + 1;
  uint64_t checksum = committed_checksum_;
  while (true) {
    uint64_t offset = frame_offset(frame);
    if (offset + frame_size > file_size) break;
    size_t count = std::min<uint64_t>(batch_frames, (file_size - offset) / frame_size);
    size_t got = 0;
    SFS_TRY(file_->read(offset, buffer.data(), count * frame_size, &got));
    count = got / frame_size;
    if (count == 0) break;
    for (size_t i = 0; i < count; ++i, ++frame) {
      const uint8_t* f = buffer.data() + i * frame_size;
      if (get_u32(f + 8) != salt1_ || get_u32(f + 12) != salt2_) return Status::ok();
      uint64_t sum = wal_checksum(checksum, f, 16);
      sum = wal_checksum(sum, f + kWalFrameHeaderSize, page_size_);
      if (sum != get_u64(f + 16)) return Status::ok();
      uint32_t pgno = get_u32(f);
      if (pgno == 0) return Status::ok();
      checksum = sum;
      pending.emplace_back(pgno, frame);
      uint32_t db_size = get_u32(f + 4);
      if (db_size != 0) {
        for (auto [p, fr] : pending) {
          index_[p] = fr;
          if (changed != nullptr) changed->push_back(p);
        }
        pending.clear();
        committed_frames_ = frame;
        committed_db_size_ = db_size;
        committed_checksum_ = checksum;
      }
    }
  }
  return Status::ok();
}

Status Wal::read_frame(uint32_t frame, uint8_t* page) {
  return file_->read(frame_offset(frame) + kWalFrameHeaderSize, page, page_size_);
}

void Wal::begin_transaction() {
  in_transaction_ = true;
  next_frame_ = committed_frames_ + 1;
  running_checksum_ = committed_checksum_;
  undo_.clear();
}

Status Wal::append(uint32_t pgno, const uint8_t* page, uint32_t commit_db_size) {
  std::vector<std::pair<uint32_t, const uint8_t*>> one = {{pgno, page}};
  return append_batch(one, commit_db_size);
}

Status Wal::append_batch(const std::vector<std::pair<uint32_t, const uint8_t*>>& pages,
                         uint32_t commit_db_size) {
  if (pages.empty()) return Status::ok();
  if (!header_valid_) {
    // The first frame of a new log generation: a fresh header with new salts.
    std::random_device random;
    sequence_ += 1;
    salt1_ = salt1_ + 1;
    salt2_ = random() ^ static_cast<uint32_t>(
                            std::chrono::steady_clock::now().time_since_epoch().count());
    SFS_TRY(write_header());
    running_checksum_ = committed_checksum_;
    next_frame_ = 1;
  }
  const size_t frame_size = kWalFrameHeaderSize + page_size_;
  scratch_.resize(frame_size * pages.size());
  uint64_t checksum = running_checksum_;
  for (size_t i = 0; i < pages.size(); ++i) {
    uint8_t* f = scratch_.data() + i * frame_size;
    bool last = i + 1 == pages.size();
    put_u32(f, pages[i].first);
    put_u32(f + 4, last ? commit_db_size : 0);
    put_u32(f + 8, salt1_);
    put_u32(f + 12, salt2_);
    std::memcpy(f + kWalFrameHeaderSize, pages[i].second, page_size_);
    checksum = wal_checksum(checksum, f, 16);
    checksum = wal_checksum(checksum, f + kWalFrameHeaderSize, page_size_);
    put_u64(f + 16, checksum);
  }
  SFS_TRY(file_->write(frame_offset(next_frame_), scratch_.data(), scratch_.size()));
  if (scratch_.size() > (1u << 20)) {
    scratch_.clear();
    scratch_.shrink_to_fit();
  }
  for (const auto& [pgno, data] : pages) set_index(pgno, next_frame_++, true);
  running_checksum_ = checksum;
  if (commit_db_size != 0) {
    committed_frames_ = next_frame_ - 1;
    committed_db_size_ = commit_db_size;
    committed_checksum_ = checksum;
    undo_.clear();
    in_transaction_ = false;
  }
  return Status::ok();
}

void Wal::rollback_transaction() {
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
    if (it->second == 0) {
      index_.erase(it->first);
    } else {
      index_[it->first] = it->second;
    }
  }
  undo_.clear();
  next_frame_ = committed_frames_ + 1;
  running_checksum_ = committed_checksum_;
  in_transaction_ = false;
}

Status Wal::checkpoint(File* db, SyncMode sync) {
  if (committed_frames_ == 0) return Status::ok();
  // The log must be durable before the database file is overwritten from it: a crash halfway
  // through the copy is repaired by copying again from the log.
  if (sync != SyncMode::kOff) SFS_TRY(file_->sync());
  std::vector<std::pair<uint32_t, uint32_t>> pages(index_.begin(), index_.end());
  std::sort(pages.begin(), pages.end());
  std::vector<uint8_t> page(page_size_);
  for (auto [pgno, frame] : pages) {
    if (pgno > committed_db_size_) continue;  // freed by a later truncation
    SFS_TRY(read_frame(frame, page.data()));
    SFS_TRY(db->write(static_cast<uint64_t>(pgno - 1) * page_size_, page.data(), page_size_));
  }
  SFS_TRY(db->truncate(static_cast<uint64_t>(committed_db_size_) * page_size_));
  if (sync != SyncMode::kOff) SFS_TRY(db->sync());
  // Restart the log: a new header (new salts) makes every old frame invalid at once.
  header_valid_ = false;
  index_.clear();
  committed_frames_ = 0;
  committed_db_size_ = 0;
  std::random_device random;
  sequence_ += 1;
  salt1_ += 1;
  salt2_ = random();
  SFS_TRY(write_header());
  // The next transaction overwrites the log from the start: rewriting blocks a file already has
  // makes each commit's fsync cheaper than growing the file would. Only a log that grew large
  // (a big transaction) is cut back.
  SFS_ASSIGN_OR_RETURN(uint64_t size, file_->size());
  if (size > kKeepLogBytes) SFS_TRY(file_->truncate(kWalHeaderSize));
  if (sync != SyncMode::kOff) SFS_TRY(file_->sync());
  return Status::ok();
}

Status Wal::truncate_to_header() { return file_->truncate(header_valid_ ? kWalHeaderSize : 0); }

}  // namespace sfs::sql
