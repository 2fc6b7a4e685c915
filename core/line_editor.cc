// LineEditor: see line_editor.h for the keys, the screen layout and the two modes.
#include "core/line_editor.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "core/file.h"
#include "core/strings.h"

namespace sfs::core {
namespace {

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// How many continuation bytes follow a UTF-8 lead byte (0 for ASCII and stray bytes).
int continuation_count(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0xF0 && u < 0xF8) return 3;
  if (u >= 0xE0) return u < 0xF0 ? 2 : 0;
  if (u >= 0xC0) return 1;
  return 0;
}

bool is_word_byte(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
         u == '_';
}

// Length of an SGR/CSI escape sequence starting at text[i] ("\x1b[...m"), or 0.
size_t escape_length(std::string_view text, size_t i) {
  if (text[i] != '\x1b' || i + 1 >= text.size() || text[i + 1] != '[') return 0;
  size_t j = i + 2;
  while (j < text.size() && !(text[j] >= 0x40 && text[j] <= 0x7e)) ++j;
  return j < text.size() ? j - i + 1 : text.size() - i;
}

// Columns `text` takes: one per code point, escape sequences none.
size_t display_width(std::string_view text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size();) {
    if (size_t n = escape_length(text, i)) {
      i += n;
      continue;
    }
    if (!is_continuation(text[i])) ++width;
    ++i;
  }
  return width;
}

// The longest prefix of `text` that takes at most `columns` columns (escape sequences are kept).
std::string truncate_columns(std::string_view text, size_t columns) {
  std::string out;
  size_t width = 0;
  for (size_t i = 0; i < text.size();) {
    if (size_t n = escape_length(text, i)) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    if (!is_continuation(text[i])) {
      if (width == columns) break;
      ++width;
    }
    out.push_back(text[i++]);
  }
  return out;
}

// "\n" -> "\r\n" (raw mode has no output post-processing), dropping one trailing newline.
std::string to_terminal_lines(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out.push_back('\r');
    out.push_back(text[i]);
  }
  out += "\r\n";
  return out;
}

}  // namespace

// Watches the input descriptor for attach(): reads what is there and feeds it to the editor.
class LineEditor::Reader : public IoHandler {
 public:
  Reader(LineEditor& editor, EventLoop& loop, std::function<void(const Input&)> on_input)
      : editor_(editor), loop_(loop), on_input_(std::move(on_input)) {}
  ~Reader() override {
    if (watching_) loop_.unwatch(editor_.input_fd_);
  }

  void begin() {
    if (loop_.watch(editor_.input_fd_, kReadable, this).is_ok()) {
      watching_ = true;
      return;
    }
    // epoll refuses regular files (stdin redirected from a file): they are always readable, so
    // read them whole from the loop instead.
    loop_.defer([this] {
      while (read_some()) {
      }
    });
  }

  void on_io(int, uint32_t) override { read_some(); }

 private:
  // Reads once; returns false at end of input (after delivering kEof).
  bool read_some() {
    char chunk[4096];
    ssize_t n = ::read(editor_.input_fd_, chunk, sizeof(chunk));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) {
      if (watching_) loop_.unwatch(editor_.input_fd_);
      watching_ = false;
      std::vector<Input> inputs;
      if (!editor_.terminal_ && !editor_.pending_.empty()) {
        inputs.push_back({kLine, std::exchange(editor_.pending_, {})});
      }
      inputs.push_back({kEof, ""});
      deliver(inputs);
      return false;
    }
    deliver(editor_.feed(std::string_view(chunk, static_cast<size_t>(n))));
    return true;
  }

  void deliver(const std::vector<Input>& inputs) {
    // The callback may detach(); the Reader then lives on (destroy_later) until the iteration
    // ends, but the callback itself must be copied before it can be destroyed.
    auto callback = on_input_;
    for (const Input& input : inputs) callback(input);
  }

  LineEditor& editor_;
  EventLoop& loop_;
  std::function<void(const Input&)> on_input_;
  bool watching_ = false;
};

LineEditor::LineEditor(int input_fd, int output_fd)
    : input_fd_(input_fd),
      output_fd_(output_fd),
      terminal_(core::is_terminal(input_fd) && core::is_terminal(output_fd)) {}

LineEditor::~LineEditor() {
  reader_.reset();
  stop();
}

void LineEditor::set_prompt(std::string prompt) {
  prompt_ = std::move(prompt);
  if (drawn_) refresh();
}

void LineEditor::set_status(std::string status) {
  if (status == status_) return;
  if (drawn_) {
    clear_rows();
    status_ = std::move(status);
    draw_rows();
  } else {
    status_ = std::move(status);
  }
}

void LineEditor::set_buffer(std::string text) {
  buffer_ = std::move(text);
  cursor_ = buffer_.size();
  if (drawn_) refresh();
}

// ---- History ----

void LineEditor::add_history(std::string_view line) {
  if (line.empty() || (!history_.empty() && history_.back() == line)) return;
  history_.emplace_back(line);
  if (history_.size() > history_limit_) {
    history_.erase(history_.begin(),
                   history_.begin() + static_cast<long>(history_.size() - history_limit_));
  }
  history_index_ = history_.size();
}

void LineEditor::set_history_limit(size_t limit) {
  history_limit_ = std::max<size_t>(limit, 1);
  if (history_.size() > history_limit_) {
    history_.erase(history_.begin(),
                   history_.begin() + static_cast<long>(history_.size() - history_limit_));
  }
  history_index_ = history_.size();
}

Status LineEditor::load_history(const std::string& path) {
  Result<std::string> text = read_file(path);
  if (!text.is_ok()) {
    if (text.status().code() == Code::kNotFound) return Status::ok();
    return text.status();
  }
  for (std::string_view line : split(*text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    add_history(line);
  }
  return Status::ok();
}

Status LineEditor::save_history(const std::string& path) const {
  std::string text;
  for (const std::string& line : history_) {
    text += line;
    text += '\n';
  }
  return write_file_atomic(path, text);
}

// ---- Blocking mode ----

std::optional<std::string> LineEditor::read_line() {
  interrupted_ = false;
  Result<RawMode> raw = Status::unsupported("no terminal");
  if (terminal_ && !started_) raw = RawMode::enter(input_fd_);
  if (!terminal_ || (!raw.is_ok() && !started_ && core::is_terminal(input_fd_))) {
    // Plain lines from a pipe or file.
    for (;;) {
      size_t newline = pending_.find('\n');
      if (newline != std::string::npos) {
        std::string line = pending_.substr(0, newline);
        pending_.erase(0, newline + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      char chunk[4096];
      ssize_t n = ::read(input_fd_, chunk, sizeof(chunk));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (pending_.empty()) return std::nullopt;
        return std::exchange(pending_, {});
      }
      pending_.append(chunk, static_cast<size_t>(n));
    }
  }

  blocking_ = true;
  buffer_.clear();
  cursor_ = 0;
  escape_.clear();
  history_index_ = history_.size();
  saved_line_.clear();
  draw_rows();
  std::optional<Input> input;
  size_t used = 0;
  while (!input) {
    if (used == pending_.size()) {
      pending_.clear();
      used = 0;
      char chunk[256];
      ssize_t n = ::read(input_fd_, chunk, sizeof(chunk));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        clear_rows();
        input = Input{kEof, ""};
        break;
      }
      pending_.append(chunk, static_cast<size_t>(n));
    }
    input = handle_byte(pending_[used++]);
  }
  pending_.erase(0, used);
  blocking_ = false;
  if (raw.is_ok()) raw->restore();
  switch (input->kind) {
    case kLine:
      return std::move(input->line);
    case kInterrupt:
      interrupted_ = true;
      return std::nullopt;
    case kEof:
      return std::nullopt;
  }
  return std::nullopt;
}

// ---- Event-driven mode ----

Status LineEditor::start() {
  if (started_) return Status::ok();
  if (terminal_ && core::is_terminal(input_fd_)) {
    SFS_ASSIGN_OR_RETURN(raw_, RawMode::enter(input_fd_));
  }
  started_ = true;
  if (terminal_) draw_rows();
  return Status::ok();
}

void LineEditor::stop() {
  if (!started_) return;
  clear_rows();
  raw_.restore();
  started_ = false;
}

std::vector<LineEditor::Input> LineEditor::feed(std::string_view bytes) {
  std::vector<Input> inputs;
  if (!terminal_) {
    pending_.append(bytes);
    size_t start = 0;
    for (;;) {
      size_t newline = pending_.find('\n', start);
      if (newline == std::string::npos) break;
      std::string line = pending_.substr(start, newline - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      inputs.push_back({kLine, std::move(line)});
      start = newline + 1;
    }
    pending_.erase(0, start);
    return inputs;
  }
  for (char c : bytes) {
    if (std::optional<Input> input = handle_byte(c)) inputs.push_back(std::move(*input));
  }
  return inputs;
}

Status LineEditor::attach(EventLoop& loop, std::function<void(const Input&)> on_input) {
  SFS_TRY(start());
  reader_ = std::make_unique<Reader>(*this, loop, std::move(on_input));
  attached_loop_ = &loop;
  reader_->begin();
  return Status::ok();
}

void LineEditor::detach() {
  if (reader_ && attached_loop_) attached_loop_->destroy_later(std::move(reader_));
  reader_.reset();
  attached_loop_ = nullptr;
}

void LineEditor::print_above(std::string_view text) {
  if (!terminal_ || !drawn_) {
    std::string out(text);
    if (out.empty() || out.back() != '\n') out += '\n';
    write(out);
    return;
  }
  clear_rows();
  write(to_terminal_lines(text));
  draw_rows();
}

// ---- Keys ----

std::optional<LineEditor::Input> LineEditor::handle_byte(char c) {
  if (!escape_.empty()) {
    escape_.push_back(c);
    if (escape_complete(escape_)) return handle_escape(std::exchange(escape_, {}));
    if (escape_.size() > 32) escape_.clear();  // not a sequence we know; drop it
    return std::nullopt;
  }
  return handle_plain_byte(c);
}

bool LineEditor::escape_complete(const std::string& sequence) const {
  if (sequence.size() < 2) return false;
  char second = sequence[1];
  if (second == 'O') return sequence.size() >= 3;
  if (second != '[') return true;  // ESC x: Alt-x
  if (sequence.size() < 3) return false;
  char last = sequence.back();
  return last >= 0x40 && last <= 0x7e;
}

std::optional<LineEditor::Input> LineEditor::handle_plain_byte(char c) {
  bool was_cr = std::exchange(last_was_cr_, false);
  unsigned char u = static_cast<unsigned char>(c);
  switch (u) {
    case '\r':
      last_was_cr_ = true;
      return submit();
    case '\n':
      if (was_cr) return std::nullopt;
      return submit();
    case 0x01:  // Ctrl-A
      cursor_ = 0;
      refresh();
      return std::nullopt;
    case 0x02:  // Ctrl-B
      move_left();
      return std::nullopt;
    case 0x03: {  // Ctrl-C
      std::string shown = buffer_ + "^C";
      buffer_.clear();
      cursor_ = 0;
      history_index_ = history_.size();
      finish_line(shown);
      return Input{kInterrupt, ""};
    }
    case 0x04:  // Ctrl-D
      if (buffer_.empty()) {
        finish_line("");
        return Input{kEof, ""};
      }
      delete_at();
      return std::nullopt;
    case 0x05:  // Ctrl-E
      cursor_ = buffer_.size();
      refresh();
      return std::nullopt;
    case 0x06:  // Ctrl-F
      move_right();
      return std::nullopt;
    case 0x08:  // Ctrl-H
    case 0x7f:  // Backspace
      delete_before();
      return std::nullopt;
    case 0x0b:  // Ctrl-K
      buffer_.erase(cursor_);
      refresh();
      return std::nullopt;
    case 0x0c:  // Ctrl-L
      if (drawn_) {
        write("\x1b[H\x1b[2J");
        drawn_ = false;
        draw_rows();
      }
      return std::nullopt;
    case 0x0e:  // Ctrl-N
      history_step(+1);
      return std::nullopt;
    case 0x10:  // Ctrl-P
      history_step(-1);
      return std::nullopt;
    case 0x14:  // Ctrl-T
      transpose();
      return std::nullopt;
    case 0x15:  // Ctrl-U
      buffer_.erase(0, cursor_);
      cursor_ = 0;
      refresh();
      return std::nullopt;
    case 0x17:  // Ctrl-W
      delete_word_before();
      return std::nullopt;
    case 0x1b:
      escape_ = "\x1b";
      return std::nullopt;
    default:
      break;
  }
  if (u < 0x20) return std::nullopt;  // other control keys (Tab, Ctrl-G, ...) do nothing
  buffer_.insert(cursor_, 1, c);
  ++cursor_;
  // Redraw once a whole code point is in, not after each of its bytes.
  if (is_continuation(c)) {
    if (utf8_needed_ > 0) --utf8_needed_;
  } else {
    utf8_needed_ = continuation_count(c);
  }
  if (utf8_needed_ == 0) refresh();
  return std::nullopt;
}

std::optional<LineEditor::Input> LineEditor::handle_escape(const std::string& sequence) {
  std::string_view body = std::string_view(sequence).substr(1);
  if (body == "[A" || body == "OA") {
    history_step(-1);
  } else if (body == "[B" || body == "OB") {
    history_step(+1);
  } else if (body == "[C" || body == "OC") {
    move_right();
  } else if (body == "[D" || body == "OD") {
    move_left();
  } else if (body == "[H" || body == "OH" || body == "[1~" || body == "[7~") {
    cursor_ = 0;
    refresh();
  } else if (body == "[F" || body == "OF" || body == "[4~" || body == "[8~") {
    cursor_ = buffer_.size();
    refresh();
  } else if (body == "[3~") {
    delete_at();
  } else if (body == "[1;5C" || body == "[1;3C" || body == "[5C" || body == "f") {
    move_word_right();
  } else if (body == "[1;5D" || body == "[1;3D" || body == "[5D" || body == "b") {
    move_word_left();
  } else if (body == "\x7f" || body == "\x08") {
    delete_word_before();
  }
  return std::nullopt;  // anything else (F-keys, paste brackets) is ignored
}

std::optional<LineEditor::Input> LineEditor::submit() {
  std::string line = std::exchange(buffer_, {});
  cursor_ = 0;
  history_index_ = history_.size();
  saved_line_.clear();
  utf8_needed_ = 0;
  finish_line(line);
  return Input{kLine, std::move(line)};
}

void LineEditor::finish_line(std::string_view shown) {
  if (!drawn_) return;
  clear_rows();
  if (keep_submitted_) write(prompt_ + std::string(shown) + "\r\n");
  if (!blocking_) draw_rows();
}

size_t LineEditor::prev_boundary(size_t pos) const {
  if (pos == 0) return 0;
  --pos;
  while (pos > 0 && is_continuation(buffer_[pos])) --pos;
  return pos;
}

size_t LineEditor::next_boundary(size_t pos) const {
  if (pos >= buffer_.size()) return buffer_.size();
  ++pos;
  while (pos < buffer_.size() && is_continuation(buffer_[pos])) ++pos;
  return pos;
}

void LineEditor::move_left() {
  if (cursor_ == 0) return;
  cursor_ = prev_boundary(cursor_);
  refresh();
}

void LineEditor::move_right() {
  if (cursor_ == buffer_.size()) return;
  cursor_ = next_boundary(cursor_);
  refresh();
}

void LineEditor::move_word_left() {
  while (cursor_ > 0 && !is_word_byte(buffer_[cursor_ - 1])) --cursor_;
  while (cursor_ > 0 && is_word_byte(buffer_[cursor_ - 1])) --cursor_;
  refresh();
}

void LineEditor::move_word_right() {
  while (cursor_ < buffer_.size() && !is_word_byte(buffer_[cursor_])) ++cursor_;
  while (cursor_ < buffer_.size() && is_word_byte(buffer_[cursor_])) ++cursor_;
  refresh();
}

void LineEditor::delete_before() {
  if (cursor_ == 0) return;
  size_t start = prev_boundary(cursor_);
  buffer_.erase(start, cursor_ - start);
  cursor_ = start;
  refresh();
}

void LineEditor::delete_at() {
  if (cursor_ == buffer_.size()) return;
  buffer_.erase(cursor_, next_boundary(cursor_) - cursor_);
  refresh();
}

void LineEditor::delete_word_before() {
  // Like readline's unix-word-rubout: spaces, then everything up to the previous space.
  size_t start = cursor_;
  while (start > 0 && buffer_[start - 1] == ' ') --start;
  while (start > 0 && buffer_[start - 1] != ' ') --start;
  buffer_.erase(start, cursor_ - start);
  cursor_ = start;
  refresh();
}

void LineEditor::transpose() {
  // Swaps the characters before and at the cursor (the last two at the end of the line), and
  // moves past them, as readline does.
  if (buffer_.empty()) return;
  size_t pos = cursor_ == buffer_.size() ? prev_boundary(cursor_) : cursor_;
  if (pos == 0) return;
  size_t left = prev_boundary(pos);
  size_t right_end = next_boundary(pos);
  std::string first = buffer_.substr(left, pos - left);
  std::string second = buffer_.substr(pos, right_end - pos);
  buffer_.replace(left, right_end - left, second + first);
  cursor_ = right_end;
  refresh();
}

void LineEditor::history_step(int direction) {
  if (history_.empty()) return;
  if (direction < 0 && history_index_ == 0) return;
  if (direction > 0 && history_index_ >= history_.size()) return;
  if (history_index_ == history_.size()) saved_line_ = buffer_;
  history_index_ = direction < 0 ? history_index_ - 1 : history_index_ + 1;
  buffer_ = history_index_ == history_.size() ? saved_line_ : history_[history_index_];
  cursor_ = buffer_.size();
  refresh();
}

// ---- Drawing ----

int LineEditor::width() const {
  return fixed_width_ > 0 ? fixed_width_ : terminal_width(output_fd_, 80);
}

void LineEditor::write(std::string_view bytes) {
  if (sink_) {
    sink_(bytes);
  } else {
    (void)write_all(output_fd_, bytes);
  }
}

void LineEditor::draw_rows() {
  if (!terminal_) return;
  std::string out;
  if (!status_.empty()) {
    size_t columns = static_cast<size_t>(std::max(width() - 1, 1));
    out += "\r\x1b[2K\x1b[7m";
    out += truncate_columns(status_, columns);
    out += "\x1b[0m\r\n";
  }
  write(out);
  drawn_ = true;
  refresh();
}

void LineEditor::clear_rows() {
  if (!drawn_) return;
  std::string out = "\r\x1b[2K";
  if (!status_.empty()) out += "\x1b[A\x1b[2K";
  write(out);
  drawn_ = false;
}

void LineEditor::refresh() {
  if (!drawn_) return;
  // Code point boundaries of the buffer, and the cursor's index among them.
  std::vector<size_t> starts;
  size_t cursor_index = 0;
  for (size_t i = 0; i < buffer_.size(); ++i) {
    if (is_continuation(buffer_[i])) continue;
    if (i < cursor_) ++cursor_index;
    starts.push_back(i);
  }
  size_t prompt_width = display_width(prompt_);
  size_t columns = static_cast<size_t>(std::max(width(), 2));
  // Leave the last column free so the cursor never makes the terminal wrap.
  size_t room = columns > prompt_width + 1 ? columns - prompt_width - 1 : 1;
  size_t first = cursor_index > room ? cursor_index - room : 0;
  size_t count = std::min(starts.size() - first, room);
  size_t begin_byte = first < starts.size() ? starts[first] : buffer_.size();
  size_t end_byte = first + count < starts.size() ? starts[first + count] : buffer_.size();

  std::string out = "\r";
  out += prompt_;
  out.append(buffer_, begin_byte, end_byte - begin_byte);
  out += "\x1b[0K\r";
  size_t column = prompt_width + (cursor_index - first);
  if (column > 0) out += "\x1b[" + std::to_string(column) + "C";
  write(out);
}

}  // namespace sfs::core
