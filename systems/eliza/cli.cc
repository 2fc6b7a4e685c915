// `sfs eliza`: the command line — choose a script, then converse on stdin/stdout (or, with --irc,
// in an IRC channel: irc_bot.cc).
//
// Which script: --script FILE if given; otherwise the 1966 DOCTOR script when the conformance
// data is installed (it is not part of this repository — see ../shared/conformance/SOURCES.md);
// otherwise the project's own DUCK script (default_script.cc), so the command always works.
//
// The conversation is line-oriented like the 1966 terminal session: ELIZA prints the script's
// greeting, then answers each non-blank line with one line. End of input ends the session. With
// --trace every step of the algorithm goes to stderr, which is the quickest way to see why ELIZA
// said what it said (README.md's trace was made this way).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "core/flags.h"
#include "core/strings.h"
#include "systems/eliza/eliza.h"
#include "systems/eliza/irc_bot.h"

namespace sfs::eliza {
namespace {

constexpr const char* kDoctorFile = "DOCTOR-1966-CACM.txt";

std::string existing(const std::filesystem::path& path) {
  std::error_code error;
  if (std::filesystem::is_regular_file(path, error)) {
    return std::filesystem::weakly_canonical(path, error).string();
  }
  return "";
}

int converse(const std::shared_ptr<const Script>& script, bool trace) {
  Eliza eliza(script);
  std::cout << eliza.greeting() << "\n" << std::flush;
  std::string line;
  std::vector<std::string> steps;
  while (std::getline(std::cin, line)) {
    if (core::trim(line).empty()) continue;
    steps.clear();
    std::string reply = eliza.respond(line, trace ? &steps : nullptr);
    for (const std::string& step : steps) std::cerr << "  . " << step << "\n";
    std::cout << reply << "\n" << std::flush;
  }
  return 0;
}

}  // namespace

std::string find_doctor_script() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("SFS_CONFORMANCE"); env != nullptr && *env != '\0') {
    if (std::string path = existing(fs::path(env) / "eliza" / kDoctorFile); !path.empty()) {
      return path;
    }
  }
  fs::path relative = fs::path("..") / "shared" / "conformance" / "eliza" / kDoctorFile;
#ifdef SFS_ELIZA_SOURCE_DIR
  if (std::string path = existing(fs::path(SFS_ELIZA_SOURCE_DIR) / relative); !path.empty()) {
    return path;
  }
#endif
  // Beside the binary's directory or one of its parents: <repo>/build/sfs finds
  // <repo>/../shared/conformance through its parent <repo>.
  std::error_code error;
  fs::path dir = fs::read_symlink("/proc/self/exe", error).parent_path();
  for (int level = 0; !error && level < 4 && !dir.empty(); ++level) {
    if (std::string path = existing(dir / relative); !path.empty()) return path;
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  return "";
}

core::Result<std::shared_ptr<const Script>> load_script_or_default(const std::string& path,
                                                                   std::string* used,
                                                                   bool prefer_doctor) {
  std::string chosen = path;
  if (chosen.empty() && prefer_doctor) chosen = find_doctor_script();
  if (chosen.empty()) {
    SFS_ASSIGN_OR_RETURN(Script script, parse_script(default_script_text(), "default-script"));
    if (used != nullptr) *used = "the built-in DUCK script";
    return std::make_shared<const Script>(std::move(script));
  }
  SFS_ASSIGN_OR_RETURN(Script script, load_script(chosen));
  if (used != nullptr) *used = chosen;
  return std::make_shared<const Script>(std::move(script));
}

int cli_main(int argc, char** argv) {
  std::string script_path;
  bool trace = false;
  bool check = false;
  bool builtin = false;
  bool print_builtin = false;
  IrcBotOptions irc;
  std::string irc_address;
  core::Flags flags("sfs eliza",
                    "Weizenbaum's ELIZA (CACM 1966): talk to it on stdin/stdout, or run it as an "
                    "IRC bot.");
  flags.add("script", &script_path,
            "script in the 1966 S-expression format (default: the 1966 DOCTOR script when "
            "the conformance data is installed, else the built-in DUCK script)",
            's', "FILE");
  flags.add("trace", &trace, "print every step of the algorithm to stderr");
  flags.add("builtin", &builtin, "use the built-in DUCK script even when DOCTOR is installed");
  flags.add("print-builtin", &print_builtin,
            "print the built-in DUCK script (a starting point for your own) and exit");
  flags.add("check", &check, "load the script, report errors, and exit");
  flags.add("irc", &irc_address, "join this IRC server as a bot instead of using stdin/stdout", 0,
            "HOST:PORT");
  flags.add("channel", &irc.channel, "channel the bot joins and answers in (with --irc)", 0,
            "#ROOM");
  flags.add("nick", &irc.nick, "the bot's nick (with --irc; default eliza)", 0, "NICK");
  flags.epilog(
      "Examples:\n"
      "  sfs eliza                                  talk to ELIZA\n"
      "  sfs eliza --trace                          ...and watch the algorithm work\n"
      "  sfs eliza --check --script my.txt          check a script\n"
      "  sfs eliza --irc 127.0.0.1:6667 --channel '#therapy'\n"
      "                                             answer 'eliza: ...' lines in #therapy\n");
  if (auto exit_code = flags.parse(argc, argv)) return *exit_code;
  if (print_builtin) {
    std::fwrite(default_script_text().data(), 1, default_script_text().size(), stdout);
    return 0;
  }
  if (builtin && !script_path.empty()) {
    std::fprintf(stderr, "sfs eliza: --builtin and --script exclude each other\n");
    return 2;
  }

  std::string used;
  auto script = builtin ? load_script_or_default("", &used, /*prefer_doctor=*/false)
                        : load_script_or_default(script_path, &used);
  if (!script.is_ok()) {
    std::fprintf(stderr, "sfs eliza: %s\n", script.status().message().c_str());
    return 1;
  }
  if (check) {
    std::printf("%s: OK (%zu keywords)\n", used.c_str(), (*script)->keywords.size());
    return 0;
  }
  if (!irc_address.empty()) {
    if (irc.channel.empty()) {
      std::fprintf(stderr, "sfs eliza: --irc needs --channel '#room'\n");
      return 2;
    }
    irc.address = irc_address;
    irc.trace = trace;
    return run_irc_bot(irc, *script);
  }
  if (!irc.channel.empty()) {
    std::fprintf(stderr, "sfs eliza: --channel is for --irc\n");
    return 2;
  }
  if (isatty(STDIN_FILENO)) {
    std::fprintf(stderr, "(script: %s; end with Ctrl-D)\n", used.c_str());
  }
  return converse(*script, trace);
}

}  // namespace sfs::eliza
