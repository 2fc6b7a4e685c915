// IRC messages on the wire: the line splitter, the parser and the formatter, and the rfc1459 case
// mapping. Grammar: RFC 2812 section 2.3.1 (and RFC 1459 2.3.1), IRCv3 message tags.
//
// The parser slices the line once from left to right — tags, prefix, command, then parameters
// separated by spaces until a parameter that starts with ':' (the trailing one, which may hold
// spaces) or the fifteenth. It is strict where a wrong guess would be harmful (NUL/CR/LF inside a
// line, a malformed command) and lenient where real clients are sloppy (extra spaces, a trailing
// space, a lone CR as line end).
#include <algorithm>

#include "core/strings.h"
#include "systems/chat/chat.h"

namespace sfs::chat {
namespace {

constexpr size_t kMaxParams = 15;

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_nick_special(char c) { return std::string_view("[]\\`_^{|}").find(c) != std::string_view::npos; }

// Replaces bytes that would break the line apart.
void append_clean(std::string* out, std::string_view text) {
  for (char c : text) out->push_back((c == '\r' || c == '\n' || c == '\0') ? ' ' : c);
}

}  // namespace

const std::string& IrcMessage::param(size_t i) const {
  static const std::string kEmpty;
  return i < params.size() ? params[i] : kEmpty;
}

std::string_view IrcMessage::prefix_nick() const {
  std::string_view view = prefix;
  size_t bang = view.find('!');
  if (bang != std::string_view::npos) return view.substr(0, bang);
  size_t at = view.find('@');
  return at != std::string_view::npos ? view.substr(0, at) : view;
}

LineResult next_line(std::string_view input, size_t max_length, std::string_view* line,
                     size_t* consumed) {
  size_t end = input.find_first_of("\r\n");
  if (end == std::string_view::npos) {
    if (input.size() > max_length) {
      *consumed = input.size();
      return LineResult::kTooLong;
    }
    return LineResult::kNeedMore;
  }
  size_t after = end + 1;
  if (input[end] == '\r' && after < input.size() && input[after] == '\n') ++after;
  *consumed = after;
  if (end > max_length) return LineResult::kTooLong;
  *line = input.substr(0, end);
  return LineResult::kLine;
}

core::Result<IrcMessage> parse_message(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.find_first_of(std::string_view("\0\r\n", 3)) != std::string_view::npos) {
    return core::Status::invalid_argument("NUL, CR or LF inside the line");
  }
  IrcMessage message;
  bool has_tags = false;
  size_t pos = 0;
  auto skip_spaces = [&] {
    while (pos < line.size() && line[pos] == ' ') ++pos;
  };
  auto word = [&] {
    size_t start = pos;
    while (pos < line.size() && line[pos] != ' ') ++pos;
    return line.substr(start, pos - start);
  };
  skip_spaces();
  if (pos < line.size() && line[pos] == '@') {
    ++pos;
    (void)word();  // tags: skipped
    has_tags = true;
    skip_spaces();
  }
  if (pos < line.size() && line[pos] == ':') {
    ++pos;
    message.prefix = std::string(word());
    if (message.prefix.empty()) return core::Status::invalid_argument("empty prefix");
    skip_spaces();
  }
  std::string_view command = word();
  if (command.empty()) {
    return core::Status::invalid_argument(message.prefix.empty() && !has_tags
                                              ? "empty line"
                                              : "no command after the prefix");
  }
  bool all_letters = std::all_of(command.begin(), command.end(), is_letter);
  bool numeric = command.size() == 3 && std::all_of(command.begin(), command.end(), is_digit);
  if (!all_letters && !numeric) {
    return core::Status::invalid_argument("malformed command '" + std::string(command) + "'");
  }
  message.command.reserve(command.size());
  for (char c : command) message.command.push_back(core::ascii_upper(c));
  for (;;) {
    skip_spaces();
    if (pos >= line.size()) break;
    if (line[pos] == ':' || message.params.size() == kMaxParams - 1) {
      if (line[pos] == ':') ++pos;
      message.params.emplace_back(line.substr(pos));
      break;
    }
    message.params.emplace_back(word());
  }
  return message;
}

std::string format_message(const IrcMessage& message, bool colon_last) {
  std::string out;
  out.reserve(message.prefix.size() + message.command.size() + 64);
  if (!message.prefix.empty()) {
    out.push_back(':');
    append_clean(&out, message.prefix);
    out.push_back(' ');
  }
  append_clean(&out, message.command);
  for (size_t i = 0; i < message.params.size(); ++i) {
    const std::string& param = message.params[i];
    out.push_back(' ');
    bool last = i + 1 == message.params.size();
    if (last && (colon_last || param.empty() || param[0] == ':' ||
                 param.find(' ') != std::string::npos)) {
      out.push_back(':');
      append_clean(&out, param);
    } else {
      // A middle parameter cannot hold spaces or start with ':'; make it harmless.
      std::string_view view = param;
      if (!view.empty() && view[0] == ':') view.remove_prefix(1);
      for (char c : view) out.push_back((c == ' ' || c == '\r' || c == '\n' || c == '\0') ? '_' : c);
    }
  }
  out += "\r\n";
  return out;
}

char irc_lower_char(char c) {
  if (c >= 'A' && c <= ']') return static_cast<char>(c + 32);  // A-Z [ \ ]
  if (c == '~') return '^';
  return c;
}

std::string irc_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = irc_lower_char(c);
  return out;
}

bool irc_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (irc_lower_char(a[i]) != irc_lower_char(b[i])) return false;
  }
  return true;
}

bool is_valid_nick(std::string_view nick, size_t max_length) {
  if (nick.empty() || nick.size() > max_length) return false;
  if (!is_letter(nick[0]) && !is_nick_special(nick[0])) return false;
  for (char c : nick) {
    if (!is_letter(c) && !is_digit(c) && !is_nick_special(c) && c != '-') return false;
  }
  return true;
}

bool is_channel_name(std::string_view name) {
  return !name.empty() && (name[0] == '#' || name[0] == '&');
}

bool is_valid_channel(std::string_view name, size_t max_length) {
  if (!is_channel_name(name) || name.size() < 2 || name.size() > max_length) return false;
  return name.find_first_of(std::string_view(" ,\x07:\0\r\n", 7)) == std::string_view::npos;
}

}  // namespace sfs::chat
