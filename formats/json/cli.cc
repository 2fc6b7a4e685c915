// `sfs json`: validate and pretty-print JSON documents with formats/json.
//
//   sfs json check FILE...         exit 0 if every file is valid JSON, else print line:col errors
//   sfs json format [FILE] [-i N]  re-indent (stdin when no file or "-"); --compact, --ascii
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>

#include "core/file.h"
#include "core/flags.h"
#include "core/process.h"
#include "formats/json/json.h"

namespace sfs::json {
namespace {

core::Result<std::string> read_input(const std::string& path) {
  if (path.empty() || path == "-") return core::read_all(STDIN_FILENO);
  return core::read_file(path);
}

int check_main(int argc, char** argv) {
  std::vector<std::string> files;
  int max_depth = 512;
  core::Flags flags(argv[0], "Check that each FILE is valid JSON (RFC 8259); errors name line:column.");
  flags.add("max-depth", &max_depth, "reject nesting deeper than N");
  flags.rest("FILE", &files, "files to check (- for stdin)");
  if (auto exit_code = flags.parse(argc, argv)) return *exit_code;
  if (files.empty()) files.push_back("-");
  int failures = 0;
  for (const auto& file : files) {
    core::Result<std::string> text = read_input(file);
    if (!text.is_ok()) {
      std::fprintf(stderr, "%s: %s\n", file.c_str(), text.status().message().c_str());
      ++failures;
      continue;
    }
    ParseOptions options;
    options.max_depth = max_depth;
    core::Result<Value> value = parse(*text, options);
    if (!value.is_ok()) {
      std::fprintf(stderr, "%s:%s\n", file.c_str(), value.status().message().c_str());
      ++failures;
    }
  }
  return failures == 0 ? 0 : 1;
}

int format_main(int argc, char** argv) {
  std::string file;
  int indent = 2;
  bool compact = false;
  bool ascii = false;
  core::Flags flags(argv[0], "Pretty-print a JSON document (stdin when FILE is absent or -).");
  flags.add("indent", &indent, "spaces per nesting level", 'i');
  flags.add("compact", &compact, "no whitespace at all", 'c');
  flags.add("ascii", &ascii, "escape every non-ASCII character as \\uXXXX");
  flags.positional("FILE", &file, "the document");
  if (auto exit_code = flags.parse(argc, argv)) return *exit_code;
  core::Result<std::string> text = read_input(file);
  if (!text.is_ok()) {
    std::fprintf(stderr, "sfs json: %s\n", text.status().message().c_str());
    return 1;
  }
  core::Result<Value> value = parse(*text);
  if (!value.is_ok()) {
    std::fprintf(stderr, "%s:%s\n", file.empty() ? "-" : file.c_str(),
                 value.status().message().c_str());
    return 1;
  }
  WriteOptions options;
  options.indent = compact ? 0 : indent;
  options.ascii_only = ascii;
  std::string out = write(*value, options);
  out.push_back('\n');
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

int cli_main(int argc, char** argv) {
  static const core::Subcommand kSubcommands[] = {
      {"check", "validate JSON files", check_main},
      {"format", "pretty-print a JSON document", format_main},
  };
  return core::dispatch_subcommands(argc, argv, "sfs json",
                                    "JSON (RFC 8259) parser and writer from formats/json.",
                                    kSubcommands);
}

}  // namespace sfs::json
