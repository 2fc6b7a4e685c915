// The `sfs` binary: `sfs <system> <command> [args]`, `sfs help`, `sfs version`.
//
// It owns no behaviour of its own: it looks the first word up in the generated command table
// (commands.h) and hands the rest of the command line to that system's entry point, with argv[0]
// set to the system's name so its usage text reads "sfs chat ...".
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <string_view>

#include "commands.h"

namespace {

void print_help() {
  std::printf(
      "sfs — Systems From Scratch\n\n"
      "usage: sfs <system> [command] [args...]\n"
      "       sfs <system> --help\n"
      "       sfs help | version\n\n"
      "systems:\n");
  size_t width = 0;
  for (const auto& command : sfs::cli::commands()) width = std::max(width, strlen(command.name));
  for (const auto& command : sfs::cli::commands()) {
    std::printf("  %-*s  %s\n", static_cast<int>(width), command.name, command.description);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    print_help();
    return 0;
  }
  std::string_view name = argv[1];
  if (name == "help" || name == "--help" || name == "-h") {
    if (argc >= 3) {
      // `sfs help chat` is `sfs chat --help`.
      for (const auto& command : sfs::cli::commands()) {
        if (argv[2] == std::string_view(command.name)) {
          char help_flag[] = "--help";
          char* sub_argv[] = {argv[2], help_flag, nullptr};
          return command.main(2, sub_argv);
        }
      }
      std::fprintf(stderr, "sfs: unknown system '%s'\n", argv[2]);
      return 2;
    }
    print_help();
    return 0;
  }
  if (name == "version" || name == "--version") {
    std::printf("sfs %s\n", SFS_VERSION);
    return 0;
  }
  for (const auto& command : sfs::cli::commands()) {
    if (name == command.name) return command.main(argc - 1, argv + 1);
  }
  std::fprintf(stderr, "sfs: unknown system '%s' (see 'sfs help')\n", argv[1]);
  return 2;
}
