// Command-line parsing: see flags.h.
#include "core/flags.h"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "core/strings.h"

namespace sfs::core {

Flags::Flags(std::string program, std::string description)
    : program_(std::move(program)), description_(std::move(description)) {}

void Flags::add_option(std::string_view name, char short_name, std::string_view value_name,
                       std::string_view help, Target target) {
  options_.push_back({std::string(name), short_name, std::string(value_name), std::string(help),
                      target});
}

void Flags::add(std::string_view name, std::string* value, std::string_view help, char short_name,
                std::string_view value_name) {
  add_option(name, short_name, value_name, help, value);
}
void Flags::add(std::string_view name, int* value, std::string_view help, char short_name,
                std::string_view value_name) {
  add_option(name, short_name, value_name, help, value);
}
void Flags::add(std::string_view name, int64_t* value, std::string_view help, char short_name,
                std::string_view value_name) {
  add_option(name, short_name, value_name, help, value);
}
void Flags::add(std::string_view name, uint16_t* value, std::string_view help, char short_name,
                std::string_view value_name) {
  add_option(name, short_name, value_name, help, value);
}
void Flags::add(std::string_view name, double* value, std::string_view help, char short_name,
                std::string_view value_name) {
  add_option(name, short_name, value_name, help, value);
}
void Flags::add(std::string_view name, std::vector<std::string>* values, std::string_view help,
                char short_name, std::string_view value_name) {
  add_option(name, short_name, value_name, help, values);
}
void Flags::add(std::string_view name, bool* value, std::string_view help, char short_name) {
  add_option(name, short_name, "", help, value);
}

void Flags::positional(std::string_view name, std::string* value, std::string_view help,
                       bool required) {
  positionals_.push_back({std::string(name), std::string(help), value, required});
}

void Flags::rest(std::string_view name, std::vector<std::string>* values, std::string_view help) {
  rest_name_ = std::string(name);
  rest_help_ = std::string(help);
  rest_ = values;
}

const Flags::Option* Flags::find(std::string_view name) const {
  for (const auto& option : options_) {
    if (option.name == name) return &option;
  }
  return nullptr;
}

const Flags::Option* Flags::find_short(char c) const {
  for (const auto& option : options_) {
    if (option.short_name == c) return &option;
  }
  return nullptr;
}

std::string Flags::assign(const Option& option, std::string_view text) const {
  std::string bad = "--" + option.name + ": '" + std::string(text) + "' is not ";
  return std::visit(
      [&](auto* target) -> std::string {
        using T = std::remove_pointer_t<decltype(target)>;
        if constexpr (std::is_same_v<T, std::string>) {
          *target = std::string(text);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          target->emplace_back(text);
        } else if constexpr (std::is_same_v<T, bool>) {
          if (text == "yes" || text == "true" || text == "1" || text == "on") {
            *target = true;
          } else if (text == "no" || text == "false" || text == "0" || text == "off") {
            *target = false;
          } else {
            return bad + "yes or no";
          }
        } else if constexpr (std::is_same_v<T, double>) {
          auto parsed = parse_double(text);
          if (!parsed) return bad + "a number";
          *target = *parsed;
        } else {
          auto parsed = parse_int64(text);
          if (!parsed) return bad + "an integer";
          if constexpr (std::is_same_v<T, uint16_t>) {
            if (*parsed < 0 || *parsed > 65535) return bad + "a port number (0-65535)";
          } else if constexpr (std::is_same_v<T, int>) {
            if (*parsed < INT32_MIN || *parsed > INT32_MAX) return bad + "a 32-bit integer";
          }
          *target = static_cast<T>(*parsed);
        }
        return "";
      },
      option.target);
}

int Flags::usage_error(const std::string& message) const {
  std::fprintf(stderr, "%s: %s\nTry '%s --help'.\n", program_.c_str(), message.c_str(),
               program_.c_str());
  return 2;
}

std::optional<int> Flags::parse(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return parse(args);
}

std::optional<int> Flags::parse(const std::vector<std::string>& args) {
  std::vector<std::string> positional;
  bool flags_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (flags_done || arg.size() < 2 || arg[0] != '-' || (arg.size() >= 2 && arg[1] != '-' &&
                                                          !std::isalpha(static_cast<unsigned char>(arg[1])))) {
      // Positional (including "-" for stdin and negative numbers like -5).
      positional.push_back(arg);
      if (stop_at_positional_) flags_done = true;
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      std::fputs(help().c_str(), stdout);
      return 0;
    }
    const Option* option = nullptr;
    std::optional<std::string> inline_value;
    bool negated = false;
    if (arg[1] == '-') {
      std::string_view body = std::string_view(arg).substr(2);
      size_t eq = body.find('=');
      std::string name(body.substr(0, eq));
      if (eq != std::string_view::npos) inline_value = std::string(body.substr(eq + 1));
      option = find(name);
      if (!option && name.rfind("no-", 0) == 0) {
        option = find(name.substr(3));
        if (option && std::holds_alternative<bool*>(option->target) && !inline_value) {
          negated = true;
        } else {
          option = nullptr;
        }
      }
      if (!option) return usage_error("unknown option '--" + name + "'");
    } else {
      option = find_short(arg[1]);
      if (!option) return usage_error(std::string("unknown option '-") + arg[1] + "'");
      if (arg.size() > 2) inline_value = arg.substr(2);
    }
    if (std::holds_alternative<bool*>(option->target)) {
      if (inline_value) {
        std::string error = assign(*option, *inline_value);
        if (!error.empty()) return usage_error(error);
      } else {
        *std::get<bool*>(option->target) = !negated;
      }
      continue;
    }
    std::string value;
    if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return usage_error("option '--" + option->name + "' needs a value");
    }
    std::string error = assign(*option, value);
    if (!error.empty()) return usage_error(error);
  }
  size_t next = 0;
  for (const auto& slot : positionals_) {
    if (next < positional.size()) {
      *slot.value = positional[next++];
    } else if (slot.required) {
      return usage_error("missing " + slot.name);
    }
  }
  if (next < positional.size()) {
    if (!rest_) return usage_error("unexpected argument '" + positional[next] + "'");
    rest_->assign(positional.begin() + static_cast<long>(next), positional.end());
  }
  return std::nullopt;
}

std::string Flags::help() const {
  std::string out = "usage: " + program_;
  if (!options_.empty()) out += " [options]";
  for (const auto& slot : positionals_) out += slot.required ? " " + slot.name : " [" + slot.name + "]";
  if (rest_) out += " [" + rest_name_ + "...]";
  out += "\n\n" + description_ + "\n";
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& slot : positionals_) rows.emplace_back(slot.name, slot.help);
  if (rest_) rows.emplace_back(rest_name_, rest_help_);
  if (!rows.empty()) {
    out += "\narguments:\n";
    for (const auto& [name, help] : rows) out += "  " + pad_right(name, 22) + " " + help + "\n";
  }
  out += "\noptions:\n";
  for (const auto& option : options_) {
    std::string left = option.short_name ? std::string("-") + option.short_name + ", " : "    ";
    left += "--" + option.name;
    if (!std::holds_alternative<bool*>(option.target)) left += " " + option.value_name;
    out += "  " + pad_right(left, 22) + " " + option.help + "\n";
  }
  out += "  " + pad_right("-h, --help", 22) + " show this help\n";
  if (!epilog_.empty()) out += "\n" + epilog_ + (epilog_.back() == '\n' ? "" : "\n");
  return out;
}

int dispatch_subcommands(int argc, char** argv, std::string_view program,
                         std::string_view description, std::span<const Subcommand> subcommands,
                         std::string_view default_subcommand) {
  auto print_help = [&](FILE* out) {
    std::fprintf(out, "usage: %.*s <command> [args...]\n\n%.*s\n\ncommands:\n",
                 static_cast<int>(program.size()), program.data(),
                 static_cast<int>(description.size()), description.data());
    for (const auto& sub : subcommands) {
      std::fprintf(out, "  %s %s\n", pad_right(sub.name, 14).c_str(), sub.summary.c_str());
    }
    std::fprintf(out, "\nRun '%.*s <command> --help' for a command's options.\n",
                 static_cast<int>(program.size()), program.data());
  };
  std::string_view name = argc >= 2 ? std::string_view(argv[1]) : std::string_view();
  if (name == "--help" || name == "-h" || name == "help") {
    print_help(stdout);
    return 0;
  }
  bool use_default = !default_subcommand.empty() && (name.empty() || name[0] == '-');
  if (name.empty() && !use_default) {
    print_help(stderr);
    return 2;
  }
  if (use_default) name = default_subcommand;
  for (const auto& sub : subcommands) {
    if (sub.name != name) continue;
    std::string full = std::string(program) + " " + sub.name;
    std::vector<char*> sub_argv;
    sub_argv.push_back(full.data());
    for (int i = use_default ? 1 : 2; i < argc; ++i) sub_argv.push_back(argv[i]);
    sub_argv.push_back(nullptr);
    return sub.main(static_cast<int>(sub_argv.size()) - 1, sub_argv.data());
  }
  std::fprintf(stderr, "%.*s: unknown command '%.*s'\nTry '%.*s --help'.\n",
               static_cast<int>(program.size()), program.data(), static_cast<int>(name.size()),
               name.data(), static_cast<int>(program.size()), program.data());
  return 2;
}

}  // namespace sfs::core
