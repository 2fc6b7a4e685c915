// Static files: a Handler that serves a directory tree the way a web server's document root does.
//
//   router.get("/*", http::static_files("public"));            // the whole site
//   router.get("/assets/*", http::static_files("build/assets"));
//
// The path comes from the route's unnamed wildcard "*" (or the whole request path when the route
// has none; a named wildcard such as "*rest" is not looked at). What it does (RFC 9110 sections 8.8, 13, 14):
//   - Content-Type from the file name (mime.h); index.html for a directory; a directory without a
//     trailing slash is redirected (301) to one; optional HTML directory listings (without
//     them, a directory with no index is a 403, as in nginx).
//   - Validators: a strong ETag from inode, size and modification time, and Last-Modified.
//     If-None-Match and If-Modified-Since answer 304 when the client's copy is current;
//     If-Match and If-Unmodified-Since answer 412 when it is not (RFC 9110 section 13.2.2 order).
//   - Range: a single "bytes=" range answers 206 with Content-Range (If-Range respected); an
//     unsatisfiable one answers 416 with "Content-Range: bytes */size". Multiple ranges are
//     answered with the whole file (200), which the RFC allows.
//   - Cache-Control as configured.
//   - Files over 64 KiB go out with sendfile(2) after the head. Smaller ones are kept in an
//     open-file cache (contents and validators by request path, trusted for one second before the
//     file system is asked again, like nginx's open_file_cache) and sent from memory.
//
// Confinement: it is impossible to read outside the root. ".." segments are resolved lexically
// and may not climb above the root (400); the file is then opened relative to an open descriptor
// of the root with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), so the kernel itself refuses
// any path — through "..", an absolute symlink or a relative one — that would leave the root.
// Percent-decoding happens once, in the parser (an encoded "%2e%2e" is a ".." segment here and
// is treated as one; "%2f" cannot smuggle a separator past the check because the check runs on
// the decoded path). Hidden files (names starting with '.') are not served.
#pragma once

#include <string>

#include "systems/http/router.h"

namespace sfs::http {

struct StaticOptions {
  bool directory_listing = false;
  std::string index = "index.html";
  std::string cache_control = "no-cache";  // "" for none; e.g. "public, max-age=3600"
};

Handler static_files(std::string root, StaticOptions options = {});

}  // namespace sfs::http
