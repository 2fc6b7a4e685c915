// Headers, Request and Response helpers, reason phrases, HTTP dates and percent-encoding.
// See message.h.
#include "systems/http/message.h"

#include <ctime>
#include <cstdio>

#include "core/strings.h"
#include "formats/json/json.h"
#include "systems/http/stream.h"

namespace sfs::http {

// --- Headers ---------------------------------------------------------------------------------------

void Headers::set(std::string_view name, std::string value) {
  remove(name);
  fields_.emplace_back(std::string(name), std::move(value));
}

void Headers::remove(std::string_view name) {
  std::erase_if(fields_, [&](const Field& f) { return core::iequals(f.first, name); });
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const auto& [n, v] : fields_) {
    if (core::iequals(n, name)) return std::string_view(v);
  }
  return std::nullopt;
}

size_t Headers::count(std::string_view name) const {
  size_t n = 0;
  for (const auto& field : fields_) n += core::iequals(field.first, name) ? 1 : 0;
  return n;
}

bool Headers::has_token(std::string_view name, std::string_view token) const {
  for (const auto& [n, v] : fields_) {
    if (!core::iequals(n, name)) continue;
    for (std::string_view piece : core::split(v, ',')) {
      if (core::iequals(core::trim(piece), token)) return true;
    }
  }
  return false;
}

// --- Request ---------------------------------------------------------------------------------------

std::string_view Request::param(std::string_view name) const {
  for (const auto& [n, v] : params) {
    if (n == name) return v;
  }
  return {};
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  for (auto& [n, v] : parse_query(query)) {
    if (n == name) return std::move(v);
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> Request::query_params() const {
  return parse_query(query);
}

bool Request::keep_alive() const {
  if (headers.has_token("connection", "close")) return false;
  if (version == 10) return headers.has_token("connection", "keep-alive");
  return true;
}

core::Result<json::Value> Request::json() const {
  std::string_view type = headers.value("content-type");
  std::string_view media = core::trim(type.substr(0, type.find(';')));
  if (!media.empty() && !core::iequals(media, "application/json") &&
      !(media.size() > 5 && core::iequals(media.substr(media.size() - 5), "+json"))) {
    return core::Status::invalid_argument("expected a JSON body, got Content-Type " + std::string(media));
  }
  if (core::trim(body).empty()) return core::Status::invalid_argument("request body is empty: expected JSON");
  auto value = json::parse(body);
  if (!value.is_ok()) {
    return core::Status::invalid_argument("request body is not valid JSON: " + value.status().message());
  }
  return value;
}

// --- Response --------------------------------------------------------------------------------------

void Response::text(std::string content, int status_code) {
  status = status_code;
  headers.set("Content-Type", "text/plain; charset=utf-8");
  body = std::move(content);
}

void Response::html(std::string content, int status_code) {
  status = status_code;
  headers.set("Content-Type", "text/html; charset=utf-8");
  body = std::move(content);
}

void Response::json(const json::Value& value, int status_code) {
  std::string text = json::write(value);
  text.push_back('\n');
  json_text(std::move(text), status_code);
}

void Response::json_text(std::string json_text, int status_code) {
  status = status_code;
  headers.set("Content-Type", "application/json");
  body = std::move(json_text);
}

void Response::error(int status_code, std::string_view message) {
  json_text("{\"error\":{\"status\":" + std::to_string(status_code) +
                ",\"message\":" + json_quote(message) + "}}\n",
            status_code);
}

void Response::redirect(std::string_view location, int status_code) {
  status = status_code;
  headers.set("Location", std::string(location));
  headers.set("Content-Type", "text/plain; charset=utf-8");
  body = "Redirecting to " + std::string(location) + "\n";
}

void Response::send_file(core::Fd fd, uint64_t offset, uint64_t length) {
  file_fd = std::move(fd);
  file_offset = offset;
  file_length = length;
  body.clear();
}

std::shared_ptr<ResponseStream> Response::start_stream() {
  if (!stream) stream = std::make_shared<ResponseStream>();
  return stream;
}

std::shared_ptr<Response::Deferred> Response::defer() {
  if (!deferred) deferred = std::make_shared<Deferred>();
  return deferred;
}

// --- ResponseStream and Deferred -------------------------------------------------------------------

bool ResponseStream::write(std::string_view data) {
  if (!is_open()) return false;
  if (data.empty()) return true;
  if (target_ == nullptr) {
    early_.append(data);
  } else {
    target_->stream_write(data);
  }
  return !gone_;
}

void ResponseStream::end() {
  if (!is_open()) return;
  ended_ = true;
  if (target_ != nullptr) target_->stream_end();
}

size_t ResponseStream::pending() const {
  return target_ ? target_->stream_pending() : early_.size();
}

void ResponseStream::attach(internal::StreamTarget* target) {
  target_ = target;
  if (!early_.empty()) {
    std::string early = std::move(early_);
    early_.clear();
    target_->stream_write(early);
  }
  if (ended_) target_->stream_end();
}

void ResponseStream::detach() {
  target_ = nullptr;
  if (!ended_ && !gone_) {
    gone_ = true;
    if (on_close_) {
      auto fn = std::move(on_close_);
      fn();
    }
  }
  on_drain_ = nullptr;
}

void Response::Deferred::send(Response response) {
  if (!is_open()) return;
  sent_ = true;
  if (target_ != nullptr) {
    target_->deferred_send(std::move(response));
  } else {
    early_ = std::make_unique<Response>(std::move(response));
  }
}

void Response::Deferred::attach(internal::StreamTarget* target) {
  target_ = target;
  if (early_) {
    auto early = std::move(early_);
    target_->deferred_send(std::move(*early));
  }
}

void Response::Deferred::detach() {
  target_ = nullptr;
  if (!sent_ && !gone_) {
    gone_ = true;
    if (on_close_) {
      auto fn = std::move(on_close_);
      fn();
    }
  }
}

// --- status codes, dates, escaping -----------------------------------------------------------------

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

namespace {
constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int month_index(std::string_view name) {
  for (int i = 0; i < 12; ++i) {
    if (name == kMonths[i]) return i;
  }
  return -1;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}
}  // namespace

std::string http_date(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::optional<int64_t> parse_http_date(std::string_view text) {
  char wday[16] = {}, mon[4] = {};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  std::string s(text);
  int n = 0;
  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
  if (std::sscanf(s.c_str(), "%3s, %2d %3s %4d %2d:%2d:%2d GMT%n", wday, &day, mon, &year, &hour,
                  &minute, &second, &n) == 7 && n == static_cast<int>(s.size())) {
  } else if (std::sscanf(s.c_str(), "%15[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d GMT%n", wday, &day, mon,
                         &year, &hour, &minute, &second, &n) == 7 &&
             n == static_cast<int>(s.size())) {
    // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT (two-digit years: 70-99 are 19xx)
    year += year < 70 ? 2000 : 1900;
  } else if (std::sscanf(s.c_str(), "%3s %3s %d %2d:%2d:%2d %4d%n", wday, mon, &day, &hour, &minute,
                         &second, &year, &n) == 7 && n == static_cast<int>(s.size())) {
    // asctime: Sun Nov  6 08:49:37 1994
  } else {
    return std::nullopt;
  }
  int m = month_index(mon);
  if (m < 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  return days_from_civil(year, static_cast<unsigned>(m + 1), static_cast<unsigned>(day)) * 86400 +
         hour * 3600 + minute * 60 + second;
}

int status_for(const core::Status& status) {
  switch (status.code()) {
    case core::Code::kOk: return 200;
    case core::Code::kInvalidArgument: return 400;
    case core::Code::kNotFound: return 404;
    case core::Code::kAlreadyExists: return 409;
    case core::Code::kLimitExceeded: return 413;
    case core::Code::kUnsupported: return 501;
    case core::Code::kTimeout: return 504;
    case core::Code::kClosed: return 503;
    default: return 500;
  }
}

std::string json_quote(std::string_view text) {
  std::string out;
  json::append_quoted(&out, text);
  return out;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = core::hex_digit_value(text[i + 1]), lo = core::hex_digit_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string percent_encode_path(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    bool keep = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
                c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (keep) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  if (query.empty()) return out;
  for (std::string_view piece : core::split(query, '&')) {
    if (piece.empty()) continue;
    size_t eq = piece.find('=');
    std::string_view name = piece.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
    out.emplace_back(percent_decode(name, true).value_or(std::string(name)),
                     percent_decode(value, true).value_or(std::string(value)));
  }
  return out;
}

}  // namespace sfs::http
