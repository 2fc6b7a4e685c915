// File helpers: see file.h.
#include "core/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

namespace sfs::core {

Result<Fd> open_file(const std::string& path, int flags, int mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::not_found("no such file '" + path + "'");
    return Status::io_error("cannot open '" + path + "'", err);
  }
  return Fd(fd);
}

Result<std::string> read_file(const std::string& path) {
  SFS_ASSIGN_OR_RETURN(Fd fd, open_file(path, O_RDONLY));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Status::io_error("cannot stat '" + path + "'", errno);
  if (S_ISDIR(st.st_mode)) return Status::io_error("'" + path + "' is a directory");
  std::string data;
  // st_size is a hint only: /proc files report 0 and a file may grow while we read it.
  data.resize(st.st_size > 0 ? static_cast<size_t>(st.st_size) : 4096);
  size_t used = 0;
  for (;;) {
    if (used == data.size()) data.resize(data.size() * 2);
    ssize_t n = ::read(fd.get(), data.data() + used, data.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::io_error("cannot read '" + path + "'", errno);
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  data.resize(used);
  return data;
}

Status write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::io_error("write failed", errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::ok();
}

Status write_file(const std::string& path, std::string_view data) {
  SFS_ASSIGN_OR_RETURN(Fd fd, open_file(path, O_WRONLY | O_CREAT | O_TRUNC));
  return write_all(fd.get(), data).with_context("writing '" + path + "'");
}

Status sync_parent_directory(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  SFS_ASSIGN_OR_RETURN(Fd fd, open_file(dir, O_RDONLY | O_DIRECTORY));
  if (::fsync(fd.get()) != 0) return Status::io_error("cannot fsync directory '" + dir + "'", errno);
  return Status::ok();
}

Status write_file_atomic(const std::string& path, std::string_view data) {
  std::string temp = path + ".tmp." + std::to_string(::getpid());
  Status status = [&]() -> Status {
    SFS_ASSIGN_OR_RETURN(Fd fd, open_file(temp, O_WRONLY | O_CREAT | O_TRUNC));
    SFS_TRY(write_all(fd.get(), data).with_context("writing '" + temp + "'"));
    if (::fsync(fd.get()) != 0) return Status::io_error("cannot fsync '" + temp + "'", errno);
    if (::rename(temp.c_str(), path.c_str()) != 0) {
      return Status::io_error("cannot rename '" + temp + "' to '" + path + "'", errno);
    }
    return sync_parent_directory(path);
  }();
  if (!status.is_ok()) ::unlink(temp.c_str());
  return status;
}

bool file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

Result<std::string> make_temp_directory(std::string_view prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = (tmp && *tmp) ? tmp : "/tmp";
  pattern += "/";
  pattern += prefix;
  pattern += "XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status::io_error("cannot create a temporary directory", errno);
  }
  return pattern;
}

Status remove_all(const std::string& path) {
  std::error_code error;
  std::filesystem::remove_all(path, error);
  if (error) return Status::io_error("cannot remove '" + path + "': " + error.message());
  return Status::ok();
}

}  // namespace sfs::core
