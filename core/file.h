// Whole-file helpers: read a file into memory, and replace a file atomically.
//
// write_file_atomic() is the classic crash-safe sequence: write a temporary file in the same
// directory, fsync it, rename() it over the target (atomic on POSIX file systems), then fsync the
// directory so the rename itself is durable. After a crash the target holds either the old or the
// new contents, never a mix. Used for snapshots, configs and anything else replaced whole.
#pragma once

#include <string>
#include <string_view>

#include "core/fd.h"
#include "core/status.h"

namespace sfs::core {

// Reads the whole file. Errors: kNotFound when it does not exist, kIoError otherwise.
Result<std::string> read_file(const std::string& path);

// Creates or truncates `path` and writes `data` (not atomic, not synced).
Status write_file(const std::string& path, std::string_view data);

// Replaces `path` with `data` atomically and durably (see above). The temporary file is
// "<path>.tmp.<pid>" and is removed on failure.
Status write_file_atomic(const std::string& path, std::string_view data);

// Writes all of `data` to `fd`, retrying on partial writes and EINTR (blocking descriptors).
Status write_all(int fd, std::string_view data);

// fsync() of the directory holding `path`, making a create/rename/unlink in it durable.
Status sync_parent_directory(const std::string& path);

bool file_exists(const std::string& path);

// Opens a file: flags and mode as for open(2); O_CLOEXEC is always added.
Result<Fd> open_file(const std::string& path, int flags, int mode = 0644);

// Creates a fresh directory under $TMPDIR (or /tmp) named "<prefix>XXXXXX"; returns its path.
Result<std::string> make_temp_directory(std::string_view prefix);

// Deletes a file or a directory tree (like rm -rf); missing paths are not an error.
Status remove_all(const std::string& path);

}  // namespace sfs::core
