// mime_type(): a small table of the types a web site actually serves.
#include "systems/http/mime.h"

#include "core/strings.h"

namespace sfs::http {

std::string_view mime_type(std::string_view file_name) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"txt", "text/plain; charset=utf-8"},
      {"md", "text/markdown; charset=utf-8"},
      {"csv", "text/csv; charset=utf-8"},
      {"xml", "application/xml"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"avif", "image/avif"},
      {"ico", "image/x-icon"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"ttf", "font/ttf"},
      {"otf", "font/otf"},
      {"wasm", "application/wasm"},
      {"pdf", "application/pdf"},
      {"zip", "application/zip"},
      {"gz", "application/gzip"},
      {"tar", "application/x-tar"},
      {"mp3", "audio/mpeg"},
      {"ogg", "audio/ogg"},
      {"wav", "audio/wav"},
      {"mp4", "video/mp4"},
      {"webm", "video/webm"},
      // Less common, but in nginx's mime.types too (so a download is labelled the same way).
      {"xhtml", "application/xhtml+xml"},
      {"rss", "application/rss+xml"},
      {"atom", "application/atom+xml"},
      {"jsonld", "application/ld+json"},
      {"webmanifest", "application/manifest+json"},
      {"yaml", "application/yaml"},
      {"yml", "application/yaml"},
      {"ics", "text/calendar; charset=utf-8"},
      {"vtt", "text/vtt; charset=utf-8"},
      {"bmp", "image/bmp"},
      {"tif", "image/tiff"},
      {"tiff", "image/tiff"},
      {"apng", "image/apng"},
      {"eot", "application/vnd.ms-fontobject"},
      {"m4a", "audio/mp4"},
      {"flac", "audio/flac"},
      {"opus", "audio/ogg"},
      {"mov", "video/quicktime"},
      {"mkv", "video/x-matroska"},
      {"m3u8", "application/vnd.apple.mpegurl"},
      {"bz2", "application/x-bzip2"},
      {"xz", "application/x-xz"},
      {"7z", "application/x-7z-compressed"},
      {"jar", "application/java-archive"},
      {"epub", "application/epub+zip"},
  };
  size_t dot = file_name.rfind('.');
  size_t slash = file_name.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return "application/octet-stream";
  }
  std::string ext = core::to_lower(file_name.substr(dot + 1));
  for (const auto& [e, type] : kTypes) {
    if (e == ext) return type;
  }
  return "application/octet-stream";
}

}  // namespace sfs::http
