// Static files: see static_files.h for what is served and how the root is enforced.
#include "systems/http/static_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <unordered_map>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>

#include "core/log.h"
#include "core/strings.h"
#include "systems/http/mime.h"

namespace sfs::http {
namespace {

struct Root {
  std::string path;       // as given
  std::string real_path;  // realpath(), for the fallback check
  core::Fd fd;            // O_PATH | O_DIRECTORY
};

// Opens `relative` (no leading '/', already free of ".." above the root) beneath the root.
// openat2 with RESOLVE_BENEATH makes the kernel refuse any escape, symlinks included. Kernels
// before 5.6 lack openat2; there the resolved path is checked against the root's real path.
int open_beneath(const Root& root, const std::string& relative) {
  static bool have_openat2 = true;
  std::string target = relative.empty() ? "." : relative;
  if (have_openat2) {
    struct open_how how = {};
    how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    long fd = ::syscall(SYS_openat2, root.fd.get(), target.c_str(), &how, sizeof(how));
    if (fd >= 0 || errno != ENOSYS) return static_cast<int>(fd);
    have_openat2 = false;
  }
  std::string full = root.real_path + "/" + relative;
  char resolved[PATH_MAX];
  if (::realpath(full.c_str(), resolved) == nullptr) return -1;
  std::string_view r(resolved);
  if (r != root.real_path && !(r.substr(0, root.real_path.size()) == root.real_path &&
                               r.size() > root.real_path.size() && r[root.real_path.size()] == '/')) {
    errno = EXDEV;
    return -1;
  }
  return ::open(resolved, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string make_etag(const struct stat& st) {
  char buf[80];
  std::snprintf(buf, sizeof(buf), "\"%lx-%llx-%llx\"", static_cast<unsigned long>(st.st_ino),
                static_cast<unsigned long long>(st.st_size),
                static_cast<unsigned long long>(st.st_mtim.tv_sec) * 1000000000ull +
                    static_cast<unsigned long long>(st.st_mtim.tv_nsec));
  return buf;
}

// Whether a list of entity tags (If-Match, If-None-Match) names `etag` (ours is always strong).
// If-None-Match uses weak comparison (RFC 9110 section 8.8.3.2: W/"x" matches "x"); If-Match
// uses strong comparison (a weak tag never matches). "*" matches any current file.
bool etag_matches(std::string_view header, std::string_view etag, bool strong = false) {
  for (std::string_view piece : core::split(header, ',')) {
    std::string_view tag = core::trim(piece);
    if (tag == "*") return true;
    if (tag.substr(0, 2) == "W/") {
      if (strong) continue;
      tag.remove_prefix(2);
    }
    if (tag == etag) return true;
  }
  return false;
}

// Parses a single "bytes=first-last" / "bytes=first-" / "bytes=-suffix" range against `size`.
// Returns: 1 satisfiable (sets *start, *length), 0 ignore the header (malformed or several
// ranges: serve the whole file), -1 unsatisfiable (416).
int parse_range(std::string_view header, uint64_t size, uint64_t* start, uint64_t* length) {
  header = core::trim(header);
  if (header.size() < 6 || !core::iequals(header.substr(0, 6), "bytes=")) return 0;
  std::string_view spec = core::trim(header.substr(6));
  if (spec.find(',') != std::string_view::npos) return 0;
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return 0;
  std::string_view first = core::trim(spec.substr(0, dash));
  std::string_view last = core::trim(spec.substr(dash + 1));
  if (first.empty()) {
    auto suffix = core::parse_uint64(last);
    if (!suffix) return 0;
    if (*suffix == 0) return -1;
    uint64_t n = std::min(*suffix, size);
    *start = size - n;
    *length = n;
    return 1;
  }
  auto a = core::parse_uint64(first);
  if (!a) return 0;
  uint64_t b = UINT64_MAX;
  if (!last.empty()) {
    auto parsed = core::parse_uint64(last);
    if (!parsed || *parsed < *a) return 0;
    b = *parsed;
  }
  if (*a >= size) return -1;
  b = std::min(b, size - 1);
  *start = *a;
  *length = b - *a + 1;
  return 1;
}

core::Status list_directory(int dir_fd, const std::string& url_path, Response& response) {
  int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return core::Status::io_error("cannot list directory", errno);
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::fdopendir(fd), ::closedir);
  if (!dir) {
    ::close(fd);
    return core::Status::io_error("cannot list directory", errno);
  }
  struct Entry {
    std::string name;
    bool is_dir;
    uint64_t size;
  };
  std::vector<Entry> entries;
  while (struct dirent* e = ::readdir(dir.get())) {
    std::string name = e->d_name;
    if (name.empty() || name[0] == '.') continue;
    struct stat st;
    if (::fstatat(::dirfd(dir.get()), name.c_str(), &st, 0) != 0) continue;
    entries.push_back({name, S_ISDIR(st.st_mode), static_cast<uint64_t>(st.st_size)});
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.is_dir != b.is_dir ? a.is_dir : a.name < b.name;
  });
  std::string title = "Index of " + html_escape(url_path);
  std::string html = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + title +
                     "</title></head>\n<body><h1>" + title + "</h1>\n<ul>\n";
  if (url_path != "/") html += "<li><a href=\"../\">../</a></li>\n";
  for (const Entry& e : entries) {
    std::string shown = e.name + (e.is_dir ? "/" : "");
    html += "<li><a href=\"" + html_escape(percent_encode_path(e.name)) + (e.is_dir ? "/" : "") +
            "\">" + html_escape(shown) + "</a>";
    if (!e.is_dir) html += " (" + std::to_string(e.size) + " bytes)";
    html += "</li>\n";
  }
  html += "</ul></body></html>\n";
  response.html(std::move(html));
  return core::Status::ok();
}

// What a response needs to know about a file, computed once per (re)validation.
struct FileInfo {
  uint64_t size = 0;
  int64_t mtime = 0;
  std::string etag;
  std::string last_modified;
  std::string content_type;
  std::shared_ptr<const std::string> content;  // the whole file, for small cached files
  std::chrono::steady_clock::time_point checked;
};

// The open-file cache: small files (<= kCacheFileLimit) by normalised request path, with their
// validators and contents, trusted for kCacheValidity before the file system is asked again — the
// idea of nginx's open_file_cache. A request for a cached file then costs no system call besides
// the socket's. Changes to a file show up at most kCacheValidity later.
constexpr uint64_t kCacheFileLimit = 64 * 1024;
constexpr auto kCacheValidity = std::chrono::seconds(1);
constexpr size_t kCacheMaxEntries = 4096;
constexpr size_t kCacheMaxBytes = 64u << 20;

struct FileCache {
  std::mutex mutex;  // a Router may be shared by servers on several threads
  std::unordered_map<std::string, std::shared_ptr<const FileInfo>> entries;
  size_t bytes = 0;

  std::shared_ptr<const FileInfo> find(const std::string& key) {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = entries.find(key);
    if (it == entries.end()) return nullptr;
    if (std::chrono::steady_clock::now() - it->second->checked > kCacheValidity) {
      bytes -= it->second->size;
      entries.erase(it);
      return nullptr;
    }
    return it->second;
  }
  void insert(const std::string& key, std::shared_ptr<const FileInfo> info) {
    std::lock_guard<std::mutex> lock(mutex);
    if (entries.size() >= kCacheMaxEntries || bytes + info->size > kCacheMaxBytes) {
      entries.clear();  // simple and rare: start over rather than track recency
      bytes = 0;
    }
    auto [it, inserted] = entries.insert_or_assign(key, info);
    (void)it;
    (void)inserted;
    bytes += info->size;
  }
};

FileInfo describe(const struct stat& st, std::string_view name) {
  FileInfo info;
  info.size = static_cast<uint64_t>(st.st_size);
  info.mtime = static_cast<int64_t>(st.st_mtim.tv_sec);
  info.etag = make_etag(st);
  info.last_modified = http_date(info.mtime);
  info.content_type = std::string(mime_type(name));
  info.checked = std::chrono::steady_clock::now();
  return info;
}

// Headers, conditionals, ranges and the body for a regular file: from `info.content` when the file
// is cached, else from `fd` (sent with sendfile).
core::Status respond(const FileInfo& info, core::Fd fd, const StaticOptions& options,
                     Request& request, Response& response) {
  const uint64_t size = info.size;
  response.headers.add("Content-Type", info.content_type);
  response.headers.add("Last-Modified", info.last_modified);
  response.headers.add("ETag", info.etag);
  response.headers.add("Accept-Ranges", "bytes");
  if (!options.cache_control.empty()) response.headers.add("Cache-Control", options.cache_control);

  // Conditional requests, in the order of RFC 9110 section 13.2.2: If-Match (strong comparison),
  // else If-Unmodified-Since, failing with 412; then If-None-Match (weak comparison), else
  // If-Modified-Since, succeeding with 304; If-Range last. A date that does not parse is ignored.
  bool precondition_failed = false;
  if (auto im = request.headers.get("if-match")) {
    precondition_failed = !etag_matches(*im, info.etag, /*strong=*/true);
  } else if (auto ius = request.headers.get("if-unmodified-since")) {
    if (auto since = parse_http_date(*ius)) precondition_failed = info.mtime > *since;
  }
  if (precondition_failed) {
    response.headers.clear();
    response.headers.add("ETag", info.etag);
    response.headers.add("Last-Modified", info.last_modified);
    response.error(412, "precondition failed: the file has changed");
    return core::Status::ok();
  }
  bool not_modified = false;
  if (auto inm = request.headers.get("if-none-match")) {
    not_modified = etag_matches(*inm, info.etag);
  } else if (auto ims = request.headers.get("if-modified-since")) {
    // A date in the future is no date the server ever sent: ignored (as Apache does, and as
    // RFC 2616 said), so a client with a wrong clock cannot pin a stale copy.
    auto since = parse_http_date(*ims);
    if (since && *since <= static_cast<int64_t>(time(nullptr))) not_modified = info.mtime <= *since;
  }
  if (not_modified) {
    response.status = 304;
    response.headers.remove("Content-Type");
    response.headers.remove("Accept-Ranges");
    return core::Status::ok();
  }

  uint64_t start = 0, length = size;
  response.status = 200;
  // Range is defined for GET only (RFC 9110 section 14.2); an empty file has no byte to point at,
  // so its ranges are ignored (200, as nginx answers) rather than refused.
  if (auto range = request.headers.get("range"); range && request.method == "GET" && size > 0) {
    bool use_range = true;
    if (auto if_range = request.headers.get("if-range")) {
      // If-Range: a strong ETag must match exactly, a date must equal Last-Modified.
      std::string_view value = core::trim(*if_range);
      if (!value.empty() && value.front() == '"') {
        use_range = value == info.etag;
      } else {
        auto date = parse_http_date(value);
        use_range = date && *date == info.mtime;
      }
    }
    if (use_range) {
      int r = parse_range(*range, size, &start, &length);
      if (r < 0) {
        response.error(416, "range not satisfiable for a file of " + std::to_string(size) + " bytes");
        response.headers.set("Content-Range", "bytes */" + std::to_string(size));
        return core::Status::ok();
      }
      if (r > 0) {
        response.status = 206;
        response.headers.set("Content-Range", "bytes " + std::to_string(start) + "-" +
                                                  std::to_string(start + length - 1) + "/" +
                                                  std::to_string(size));
      } else {
        start = 0;
        length = size;
      }
    }
  }
  if (info.content) {
    // (For HEAD the server sends the length of this body and drops the bytes.)
    response.body.assign(*info.content, static_cast<size_t>(start), static_cast<size_t>(length));
    return core::Status::ok();
  }
  response.send_file(std::move(fd), start, length);
  return core::Status::ok();
}

core::Status serve(const Root& root, FileCache& cache, const StaticOptions& options,
                   Request& request, Response& response) {
  if (!root.fd.valid()) return core::Status::not_found("document root " + root.path + " is not available");
  bool has_rest = false;
  for (const auto& [name, value] : request.params) has_rest |= name == "*";
  std::string_view wanted = has_rest ? request.param("*") : std::string_view(request.path);

  // Lexical normalisation: drop "." and empty segments, resolve "..", refuse to climb out.
  std::vector<std::string_view> segments;
  for (std::string_view segment : core::split(wanted, '/')) {
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (segments.empty()) return core::Status::invalid_argument("path escapes the document root");
      segments.pop_back();
      continue;
    }
    if (segment.front() == '.' && segment != ".well-known") {
      return core::Status::not_found("no such file: " + request.path);
    }
    segments.push_back(segment);
  }
  std::string relative;
  for (std::string_view s : segments) {
    if (!relative.empty()) relative.push_back('/');
    relative.append(s);
  }
  // The key tells "/docs" (a redirect) from "/docs/" (its index).
  const bool slash = !request.path.empty() && request.path.back() == '/';
  const std::string key = slash ? relative + "/" : relative;
  if (auto cached = cache.find(key)) return respond(*cached, core::Fd(), options, request, response);

  core::Fd fd(open_beneath(root, relative));
  if (!fd.valid()) return core::Status::not_found("no such file: " + request.path);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return core::Status::io_error("stat " + request.path, errno);

  if (S_ISDIR(st.st_mode)) {
    if (!slash) {
      std::string location = percent_encode_path(request.path) + "/";
      if (!request.query.empty()) location += "?" + request.query;
      response.redirect(location, 301);
      return core::Status::ok();
    }
    std::string index_path = relative.empty() ? options.index : relative + "/" + options.index;
    core::Fd index(open_beneath(root, index_path));
    struct stat index_st;
    if (index.valid() && ::fstat(index.get(), &index_st) == 0 && S_ISREG(index_st.st_mode)) {
      fd = std::move(index);
      st = index_st;
      relative = index_path;
    } else if (options.directory_listing) {
      return list_directory(fd.get(), request.path, response);
    } else {
      // A directory that exists but may not be listed: 403, as nginx and Apache answer.
      response.error(403, "directory listing is off and " + request.path + " has no " + options.index);
      return core::Status::ok();
    }
  }
  if (!S_ISREG(st.st_mode)) return core::Status::not_found("not a regular file: " + request.path);

  FileInfo info = describe(st, relative);
  if (info.size <= kCacheFileLimit) {
    std::string content(static_cast<size_t>(info.size), '\0');
    ssize_t n = info.size == 0 ? 0 : ::pread(fd.get(), content.data(), content.size(), 0);
    if (n == static_cast<ssize_t>(info.size)) {
      info.content = std::make_shared<const std::string>(std::move(content));
      auto shared = std::make_shared<const FileInfo>(std::move(info));
      cache.insert(key, shared);
      return respond(*shared, core::Fd(), options, request, response);
    }
  }
  return respond(info, std::move(fd), options, request, response);
}

}  // namespace

Handler static_files(std::string root_path, StaticOptions options) {
  auto root = std::make_shared<Root>();
  root->path = root_path;
  char resolved[PATH_MAX];
  if (::realpath(root_path.c_str(), resolved) != nullptr) root->real_path = resolved;
  root->fd.reset(::open(root_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root->fd.valid()) SFS_LOG_WARN("document root ", root_path, " cannot be opened");
  auto cache = std::make_shared<FileCache>();
  return [root, cache, options](Request& request, Response& response) {
    return serve(*root, *cache, options, request, response);
  };
}

}  // namespace sfs::http
