// RESP request parser and reply writer: see resp.h for the protocol and the parser's states.
#include "systems/kv/resp.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/strings.h"

namespace sfs::kv {
namespace {

// Parses a decimal integer in [p, end) strictly (optional '-', digits only). Used for the
// "*<n>"/"$<len>" headers, where Redis accepts exactly that.
bool parse_header_number(const char* p, const char* end, int64_t* out) {
  if (p == end) return false;
  auto [ptr, ec] = std::from_chars(p, end, *out);
  return ec == std::errc() && ptr == end;
}


}  // namespace

void RespParser::reset() {
  multibulk_ = 0;
  pos_ = 0;
  spans_.clear();
  args_.clear();
  inline_storage_.clear();
  consumed_ = 0;
  inline_ = false;
}

RespParser::Result RespParser::fail(std::string message) {
  error_ = std::move(message);
  return Result::kError;
}

RespParser::Result RespParser::parse(std::string_view input) {
  const char* base = input.data();
  const char* end = base + input.size();
  if (multibulk_ == 0) {
    if (input.empty()) return Result::kNeedMore;
    if (input[0] != '*') return parse_inline(input);
    const char* nl = static_cast<const char*>(std::memchr(base, '\r', input.size()));
    if (nl == nullptr || nl + 1 >= end) {
      if (input.size() > kMaxInline) return fail("Protocol error: too big mbulk count string");
      return Result::kNeedMore;
    }
    int64_t n;
    if (!parse_header_number(base + 1, nl, &n) || n > kMaxMultibulk) {
      return fail("Protocol error: invalid multibulk length");
    }
    pos_ = static_cast<size_t>(nl + 2 - base);
    if (n <= 0) {
      consumed_ = pos_;
      args_.clear();
      inline_ = false;
      return Result::kDone;
    }
    multibulk_ = n;
    spans_.clear();
    spans_.reserve(static_cast<size_t>(std::min<int64_t>(n, 1024)));
  }
  while (static_cast<int64_t>(spans_.size()) < multibulk_) {
    const char* p = base + pos_;
    if (p >= end) return Result::kNeedMore;
    if (*p != '$') {
      return fail(std::string("Protocol error: expected '$', got '") + *p + "'");
    }
    const char* nl = static_cast<const char*>(std::memchr(p, '\r', static_cast<size_t>(end - p)));
    if (nl == nullptr || nl + 1 >= end) {
      if (static_cast<size_t>(end - p) > kMaxInline) {
        return fail("Protocol error: too big bulk count string");
      }
      return Result::kNeedMore;
    }
    int64_t len;
    if (!parse_header_number(p + 1, nl, &len) || len < 0 || len > kMaxBulkLength) {
      return fail("Protocol error: invalid bulk length");
    }
    const char* data = nl + 2;
    if (end - data < len + 2) return Result::kNeedMore;
    spans_.emplace_back(static_cast<size_t>(data - base), static_cast<size_t>(len));
    pos_ = static_cast<size_t>(data + len + 2 - base);
  }
  args_.clear();
  for (auto [offset, length] : spans_) args_.emplace_back(base + offset, length);
  consumed_ = pos_;
  multibulk_ = 0;
  inline_ = false;
  return Result::kDone;
}

RespParser::Result RespParser::parse_inline(std::string_view input) {
  size_t nl = input.find('\n');
  if (nl == std::string_view::npos) {
    if (input.size() > kMaxInline) return fail("Protocol error: too big inline request");
    return Result::kNeedMore;
  }
  std::string_view line = input.substr(0, nl);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  inline_storage_.clear();
  if (!split_args(line, &inline_storage_)) {
    return fail("Protocol error: unbalanced quotes in request");
  }
  args_.clear();
  for (const auto& arg : inline_storage_) args_.emplace_back(arg);
  consumed_ = nl + 1;
  inline_ = true;
  return Result::kDone;
}

bool split_args(std::string_view line, std::vector<std::string>* out) {
  size_t i = 0;
  const size_t n = line.size();
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  while (true) {
    while (i < n && is_space(line[i])) ++i;
    if (i >= n) return true;
    std::string current;
    bool in_double = false;
    bool in_single = false;
    bool done = false;
    while (!done) {
      if (in_double) {
        if (i >= n) return false;
        char c = line[i];
        if (c == '\\' && i + 3 < n && line[i + 1] == 'x' && core::hex_digit_value(line[i + 2]) >= 0 &&
            core::hex_digit_value(line[i + 3]) >= 0) {
          current.push_back(static_cast<char>(core::hex_digit_value(line[i + 2]) * 16 + core::hex_digit_value(line[i + 3])));
          i += 3;
        } else if (c == '\\' && i + 1 < n) {
          ++i;
          switch (line[i]) {
            case 'n': current.push_back('\n'); break;
            case 'r': current.push_back('\r'); break;
            case 't': current.push_back('\t'); break;
            case 'b': current.push_back('\b'); break;
            case 'a': current.push_back('\a'); break;
            default: current.push_back(line[i]); break;
          }
        } else if (c == '"') {
          // The closing quote must be followed by a space or the end.
          if (i + 1 < n && !is_space(line[i + 1])) return false;
          done = true;
        } else {
          current.push_back(c);
        }
      } else if (in_single) {
        if (i >= n) return false;
        char c = line[i];
        if (c == '\\' && i + 1 < n && line[i + 1] == '\'') {
          ++i;
          current.push_back('\'');
        } else if (c == '\'') {
          if (i + 1 < n && !is_space(line[i + 1])) return false;
          done = true;
        } else {
          current.push_back(c);
        }
      } else {
        if (i >= n) {
          done = true;
          break;
        }
        char c = line[i];
        if (is_space(c)) {
          done = true;
        } else if (c == '"') {
          in_double = true;
        } else if (c == '\'') {
          in_single = true;
        } else {
          current.push_back(c);
        }
      }
      if (i < n) ++i;
    }
    out->push_back(std::move(current));
  }
}

void ReplyWriter::header(char type, size_t n) {
  char buf[32];
  buf[0] = type;
  auto [p, ec] = std::to_chars(buf + 1, buf + sizeof(buf) - 2, n);
  (void)ec;
  *p++ = '\r';
  *p++ = '\n';
  out_->append(buf, static_cast<size_t>(p - buf));
}

void ReplyWriter::simple(std::string_view text) {
  char* p = out_->prepare(text.size() + 3);
  *p = '+';
  std::memcpy(p + 1, text.data(), text.size());
  p[text.size() + 1] = '\r';
  p[text.size() + 2] = '\n';
  out_->commit(text.size() + 3);
}

void ErrorStats::count(std::string_view message) {
  ++total;
  last.assign(message.substr(0, 32));
  std::string_view code = message.substr(0, message.find(' '));
  auto it = by_code.find(code);
  if (it != by_code.end()) ++it->second;
  else if (by_code.size() < 128) by_code.emplace(std::string(code), 1);
}

void ReplyWriter::error(std::string_view message) {
  if (error_stats_ != nullptr) error_stats_->count(message);
  std::string line = "-";
  line.reserve(message.size() + 3);
  for (char c : message) line.push_back(c == '\r' || c == '\n' ? ' ' : c);
  line += "\r\n";
  out_->append(line);
}

void ReplyWriter::integer(int64_t value) {
  char buf[32];
  buf[0] = ':';
  auto [p, ec] = std::to_chars(buf + 1, buf + sizeof(buf) - 2, value);
  (void)ec;
  *p++ = '\r';
  *p++ = '\n';
  out_->append(buf, static_cast<size_t>(p - buf));
}

void ReplyWriter::bulk(std::string_view value) {
  // Header, payload and trailer in one reservation: one bounds check for the common small reply.
  char* start = out_->prepare(value.size() + 32);
  char* p = start;
  *p++ = '$';
  p = std::to_chars(p, p + 24, value.size()).ptr;
  *p++ = '\r';
  *p++ = '\n';
  if (!value.empty()) std::memcpy(p, value.data(), value.size());
  p += value.size();
  *p++ = '\r';
  *p++ = '\n';
  out_->commit(static_cast<size_t>(p - start));
}

void ReplyWriter::bulk_int(int64_t value) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  (void)ec;
  bulk(std::string_view(buf, static_cast<size_t>(p - buf)));
}

void ReplyWriter::null() { raw(resp3_ ? "_\r\n" : "$-1\r\n"); }
void ReplyWriter::null_array() { raw(resp3_ ? "_\r\n" : "*-1\r\n"); }

void ReplyWriter::double_value(double value) {
  std::string text = format_double(value);
  if (resp3_) {
    out_->push_back(',');
    out_->append(text);
    out_->append("\r\n", 2);
  } else {
    bulk(text);
  }
}

void ReplyWriter::boolean(bool value) {
  if (resp3_) raw(value ? "#t\r\n" : "#f\r\n");
  else raw(value ? ":1\r\n" : ":0\r\n");
}

void ReplyWriter::verbatim(std::string_view text) {
  if (!resp3_) {
    bulk(text);
    return;
  }
  header('=', text.size() + 4);
  out_->append("txt:", 4);
  out_->append(text);
  out_->append("\r\n", 2);
}

std::string format_double(double value) {
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%.17g", value);
  return std::string(buf, static_cast<size_t>(n));
}

std::string format_long_double(long double value) {
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[5600];
  int n = std::snprintf(buf, sizeof(buf), "%.17Lf", value);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof(buf)) return "0";
  std::string text(buf, static_cast<size_t>(n));
  if (text.find('.') != std::string::npos) {
    while (!text.empty() && text.back() == '0') text.pop_back();
    if (!text.empty() && text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  return text;
}

}  // namespace sfs::kv
