// Command-line parsing: flags, positional arguments, --help text, and subcommand dispatch.
//
//   int server_main(int argc, char** argv) {
//     uint16_t port = 6667;
//     std::string motd;
//     core::Flags flags("sfs chat server", "Run an IRC server.");
//     flags.add("port", &port, "TCP port to listen on", 'p');
//     flags.add("motd", &motd, "file with the message of the day", 0, "FILE");
//     if (auto exit_code = flags.parse(argc, argv)) return *exit_code;
//     ...
//   }
//
// Accepted forms: --name VALUE, --name=VALUE, -p VALUE, -pVALUE; booleans as --name, --no-name
// or --name=yes|no|true|false|1|0. Flags and positional arguments may be mixed (GNU style) unless
// stop_at_first_positional() is set (for commands whose arguments may look like flags, such as
// `sfs kv cli SET x -1`); "--" ends the flags. -h/--help prints the generated usage.
// parse() returns an exit code when the program should stop (0 after --help, 2 after a usage
// error, printed to stderr with a hint) and nothing when it should go on.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sfs::core {

class Flags {
 public:
  Flags(std::string program, std::string description);

  // Value flags. `short_name` 0 means none; `value_name` appears in the help ("--port N").
  void add(std::string_view name, std::string* value, std::string_view help, char short_name = 0,
           std::string_view value_name = "VALUE");
  void add(std::string_view name, int* value, std::string_view help, char short_name = 0,
           std::string_view value_name = "N");
  void add(std::string_view name, int64_t* value, std::string_view help, char short_name = 0,
           std::string_view value_name = "N");
  void add(std::string_view name, uint16_t* value, std::string_view help, char short_name = 0,
           std::string_view value_name = "PORT");
  void add(std::string_view name, double* value, std::string_view help, char short_name = 0,
           std::string_view value_name = "X");
  // A repeatable flag; each occurrence appends.
  void add(std::string_view name, std::vector<std::string>* values, std::string_view help,
           char short_name = 0, std::string_view value_name = "VALUE");
  // A boolean switch.
  void add(std::string_view name, bool* value, std::string_view help, char short_name = 0);

  // Positional arguments, in order. A required one missing is a usage error.
  void positional(std::string_view name, std::string* value, std::string_view help,
                  bool required = false);
  // All remaining positional arguments.
  void rest(std::string_view name, std::vector<std::string>* values, std::string_view help);
  // Treat everything from the first positional argument on as positional.
  void stop_at_first_positional() { stop_at_positional_ = true; }
  // Extra text printed after the options in --help (examples, notes).
  void epilog(std::string text) { epilog_ = std::move(text); }

  // Parses argv[1..argc). See the file comment for the return value.
  std::optional<int> parse(int argc, char** argv);
  std::optional<int> parse(const std::vector<std::string>& args);

  std::string help() const;

 private:
  using Target = std::variant<std::string*, int*, int64_t*, uint16_t*, double*,
                              std::vector<std::string>*, bool*>;
  struct Option {
    std::string name;
    char short_name;
    std::string value_name;
    std::string help;
    Target target;
  };
  struct Positional {
    std::string name;
    std::string help;
    std::string* value;
    bool required;
  };

  void add_option(std::string_view name, char short_name, std::string_view value_name,
                  std::string_view help, Target target);
  const Option* find(std::string_view name) const;
  const Option* find_short(char c) const;
  // Stores `text` into the option's target; returns an error message or "".
  std::string assign(const Option& option, std::string_view text) const;
  int usage_error(const std::string& message) const;

  std::string program_;
  std::string description_;
  std::string epilog_;
  std::vector<Option> options_;
  std::vector<Positional> positionals_;
  std::string rest_name_;
  std::string rest_help_;
  std::vector<std::string>* rest_ = nullptr;
  bool stop_at_positional_ = false;
};

// One subcommand of a system: `sfs chat server ...` is {"server", "Run an IRC server.", fn}.
struct Subcommand {
  std::string name;
  std::string summary;
  std::function<int(int argc, char** argv)> main;  // argv[0] is "<program> <name>"
};

// Runs the subcommand named by argv[1]. With no argument, --help or -h, prints the system's help
// (description and the subcommand list) and returns 0 (2 when no argument was given and
// `default_subcommand` is empty). An unknown name prints an error and returns 2. If
// `default_subcommand` is set, a missing name or one that starts with '-' runs it.
int dispatch_subcommands(int argc, char** argv, std::string_view program,
                         std::string_view description, std::span<const Subcommand> subcommands,
                         std::string_view default_subcommand = "");

}  // namespace sfs::core
