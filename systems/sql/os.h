// The operating-system boundary of the storage engine: files and locks behind small interfaces.
//
// Everything the engine does to disk goes through File: positional reads and writes, fsync,
// truncate, and byte-range locks. Two implementations exist:
//
//   PosixFile   pread/pwrite/fsync on a real file; locks are Linux open-file-description locks
//               (F_OFD_SETLK), which belong to the open file, not to the process, so two
//               connections in one process exclude each other exactly like two processes do.
//   MemFile     a byte vector; locks always succeed. Used for ":memory:" databases and for the
//               fuzz harness that feeds arbitrary bytes to the file reader without touching disk.
//
// This is LevelDB's Env idea in miniature: tests can substitute the disk. Rejected alternative:
// mmap of the database file. It makes reads cheap but turns an I/O error into SIGBUS and gives up
// control over when dirty pages reach the disk, which the write-ahead log depends on.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/fd.h"
#include "core/status.h"

namespace sfs::sql {

using core::Result;
using core::Status;

// Lock slots, as byte offsets far beyond any real data (fcntl locks are advisory and do not stop
// I/O, so the bytes need not exist). See pager.h for the protocol that uses them.
enum class LockSlot : uint64_t {
  kWriter = 0x40000000,  // exclusive: the single writer
  kReader = 0x40000001,  // shared by readers; exclusive for a checkpoint that resets the WAL
};

enum class LockMode { kUnlocked, kShared, kExclusive };

class File {
 public:
  virtual ~File() = default;
  // Reads `size` bytes at `offset`; bytes past end-of-file read as zeros. `*got` (optional) is
  // how many bytes really came from the file.
  virtual Status read(uint64_t offset, void* buffer, size_t size, size_t* got = nullptr) = 0;
  // Like read(), but a file may stop after one system call: fewer than `size` bytes in `*got`
  // then means end-of-file (or, rarely, just a short read). For small probes of a file's tail.
  virtual Status read_once(uint64_t offset, void* buffer, size_t size, size_t* got) {
    return read(offset, buffer, size, got);
  }
  virtual Status write(uint64_t offset, const void* data, size_t size) = 0;
  virtual Status sync() = 0;
  virtual Result<uint64_t> size() = 0;
  virtual Status truncate(uint64_t size) = 0;
  // Changes the lock on `slot` without waiting: returns false when another holder conflicts.
  virtual Result<bool> try_lock(LockSlot slot, LockMode mode) = 0;
};

class PosixFile : public File {
 public:
  // Opens (creating when `create`) the file at `path` for reading and writing.
  static Result<std::unique_ptr<File>> open(const std::string& path, bool create);

  Status read(uint64_t offset, void* buffer, size_t size, size_t* got) override;
  Status read_once(uint64_t offset, void* buffer, size_t size, size_t* got) override;
  Status write(uint64_t offset, const void* data, size_t size) override;
  Status sync() override;
  Result<uint64_t> size() override;
  Status truncate(uint64_t size) override;
  Result<bool> try_lock(LockSlot slot, LockMode mode) override;

 private:
  PosixFile(core::Fd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  core::Fd fd_;
  std::string path_;
};

class MemFile : public File {
 public:
  MemFile() = default;
  explicit MemFile(std::string contents) : bytes_(contents.begin(), contents.end()) {}

  Status read(uint64_t offset, void* buffer, size_t size, size_t* got) override;
  Status write(uint64_t offset, const void* data, size_t size) override;
  Status sync() override { return Status::ok(); }
  Result<uint64_t> size() override { return static_cast<uint64_t>(bytes_.size()); }
  Status truncate(uint64_t size) override;
  Result<bool> try_lock(LockSlot, LockMode) override { return true; }

  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace sfs::sql
