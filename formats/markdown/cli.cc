// `sfs markdown [FILE...] [--gfm] [--safe]`: Markdown to HTML on stdout, like cmark / cmark-gfm.
// Several files are concatenated before parsing (as cmark does), so a link reference defined in
// one can be used in another. With no file, stdin is read.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

#include "core/fd.h"
#include "core/file.h"
#include "core/flags.h"
#include "formats/markdown/markdown.h"

namespace sfs::markdown {
namespace {

// A regular file mapped read-only: the parser reads the page cache directly, with no copy (the
// tree and the output point into it only while it is mapped).
class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() {
    if (data_) ::munmap(data_, size_);
  }
  // False when `path` is not a regular, non-empty file that can be mapped (read it instead).
  bool map(const std::string& path) {
    core::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return false;
    struct stat st;
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) return false;
    void* data = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd.get(), 0);
    if (data == MAP_FAILED) return false;
    data_ = data;
    size_ = static_cast<size_t>(st.st_size);
    return true;
  }
  std::string_view text() const { return {static_cast<const char*>(data_), size_}; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

bool read_stdin(std::string* out) {
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    out->append(buffer, static_cast<size_t>(n));
  }
}

}  // namespace

int cli_main(int argc, char** argv) {
  Options options;
  std::vector<std::string> files;
  core::Flags flags("sfs markdown", "Convert CommonMark (or GitHub Flavored Markdown) to HTML.");
  flags.add("gfm", &options.gfm,
            "GitHub Flavored Markdown: tables, strikethrough, autolinks, task lists, tag filter");
  flags.add("safe", &options.safe, "drop raw HTML and javascript:/vbscript:/file:/data: URLs");
  flags.rest("FILE", &files, "Markdown files (default: stdin)");
  flags.epilog("Examples:\n  sfs markdown README.md > README.html\n  echo '*hi*' | sfs markdown --gfm");
  if (auto code = flags.parse(argc, argv)) return *code;

  std::string input;
  MappedFile mapped;
  std::string_view text;
  if (files.size() == 1 && files[0] != "-" && mapped.map(files[0])) {
    text = mapped.text();
  } else if (files.empty()) {
    if (!read_stdin(&input)) {
      std::perror("sfs markdown: reading stdin");
      return 1;
    }
  } else {
    for (const std::string& file : files) {
      auto text = file == "-" ? core::Result<std::string>(std::string()) : core::read_file(file);
      if (!text.is_ok()) {
        std::fprintf(stderr, "sfs markdown: %s\n", text.status().to_string().c_str());
        return 1;
      }
      if (file == "-") {
        if (!read_stdin(&input)) {
          std::perror("sfs markdown: reading stdin");
          return 1;
        }
      } else {
        input.append(*text);
      }
    }
  }
  if (text.data() == nullptr) text = input;
  core::Status status;
  write_html(text, options, [&status](std::string_view piece) {
    if (status.is_ok()) status = core::write_all(STDOUT_FILENO, piece);
  });
  if (!status.is_ok()) {
    std::fprintf(stderr, "sfs markdown: %s\n", status.to_string().c_str());
    return 1;
  }
  return 0;
}

}  // namespace sfs::markdown
