// `sfs markdown [FILE...] [--gfm] [--safe]`: Markdown to HTML on stdout, like cmark / cmark-gfm.
// Several files are concatenated before parsing (as cmark does), so a link reference defined in
// one can be used in another. With no file, stdin is read.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/file.h"
#include "core/flags.h"
#include "formats/markdown/markdown.h"

namespace sfs::markdown {
namespace {

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
  if (files.empty()) {
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
  core::Status status;
  write_html(input, options, [&status](std::string_view piece) {
    if (status.is_ok()) status = core::write_all(STDOUT_FILENO, piece);
  });
  if (!status.is_ok()) {
    std::fprintf(stderr, "sfs markdown: %s\n", status.to_string().c_str());
    return 1;
  }
  return 0;
}

}  // namespace sfs::markdown
