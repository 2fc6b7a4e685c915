// PosixFile and MemFile (see os.h).
#include "systems/sql/os.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/file.h"

namespace sfs::sql {

Result<std::unique_ptr<File>> PosixFile::open(const std::string& path, bool create) {
  int flags = O_RDWR | (create ? O_CREAT : 0);
  core::Result<core::Fd> fd = core::open_file(path, flags, 0644);
  if (!fd.is_ok()) return fd.status();
  return std::unique_ptr<File>(new PosixFile(std::move(*fd), path));
}

Status PosixFile::read_once(uint64_t offset, void* buffer, size_t size, size_t* got) {
  ssize_t n;
  do {
    n = ::pread(fd_.get(), buffer, size, static_cast<off_t>(offset));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Status::io_error("read " + path_, errno);
  size_t done = static_cast<size_t>(n);
  if (done < size) std::memset(static_cast<uint8_t*>(buffer) + done, 0, size - done);
  *got = done;
  return Status::ok();
}

Status PosixFile::read(uint64_t offset, void* buffer, size_t size, size_t* got) {
  auto* out = static_cast<uint8_t*>(buffer);
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd_.get(), out + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::io_error("read " + path_, errno);
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  if (done < size) std::memset(out + done, 0, size - done);
  if (got != nullptr) *got = done;
  return Status::ok();
}

Status PosixFile::write(uint64_t offset, const void* data, size_t size) {
  const auto* in = static_cast<const uint8_t*>(data);
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::pwrite(fd_.get(), in + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::io_error("write " + path_, errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::ok();
}

Status PosixFile::sync() {
  // fdatasync is enough: the size change of an append is metadata fdatasync does flush.
  if (::fdatasync(fd_.get()) != 0) return Status::io_error("fsync " + path_, errno);
  return Status::ok();
}

Result<uint64_t> PosixFile::size() {
  struct stat st;
  if (::fstat(fd_.get(), &st) != 0) return Status::io_error("stat " + path_, errno);
  return static_cast<uint64_t>(st.st_size);
}

Status PosixFile::truncate(uint64_t size) {
  if (::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0) {
    return Status::io_error("truncate " + path_, errno);
  }
  return Status::ok();
}

Result<bool> PosixFile::try_lock(LockSlot slot, LockMode mode) {
  struct flock lock;
  std::memset(&lock, 0, sizeof lock);
  lock.l_type = mode == LockMode::kUnlocked ? F_UNLCK : mode == LockMode::kShared ? F_RDLCK : F_WRLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = static_cast<off_t>(slot);
  lock.l_len = 1;
  lock.l_pid = 0;  // required for OFD locks
  while (::fcntl(fd_.get(), F_OFD_SETLK, &lock) != 0) {
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EACCES) return false;
    return Status::io_error("lock " + path_, errno);
  }
  return true;
}

Status MemFile::read(uint64_t offset, void* buffer, size_t size, size_t* got) {
  auto* out = static_cast<uint8_t*>(buffer);
  size_t have = 0;
  if (offset < bytes_.size()) have = std::min<uint64_t>(size, bytes_.size() - offset);
  if (have > 0) std::memcpy(out, bytes_.data() + offset, have);
  if (have < size) std::memset(out + have, 0, size - have);
  if (got != nullptr) *got = have;
  return Status::ok();
}

Status MemFile::write(uint64_t offset, const void* data, size_t size) {
  if (offset + size > (uint64_t{1} << 40)) return Status::io_error("memory file too large");
  if (offset + size > bytes_.size()) bytes_.resize(offset + size);
  if (size > 0) std::memcpy(bytes_.data() + offset, data, size);
  return Status::ok();
}

Status MemFile::truncate(uint64_t size) {
  bytes_.resize(size);
  return Status::ok();
}

}  // namespace sfs::sql
