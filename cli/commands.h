// The table of `sfs` commands: one entry per system or format that registered itself with
// sfs_command() in its CMakeLists.txt. The table is generated at configure time (commands.cc.in).
#pragma once

#include <span>

namespace sfs::cli {

struct Command {
  const char* name;         // "chat"
  const char* description;  // one line for `sfs help`
  int (*main)(int argc, char** argv);  // argv[0] is the command name
};

// Every registered command, sorted by name.
std::span<const Command> commands();

}  // namespace sfs::cli
