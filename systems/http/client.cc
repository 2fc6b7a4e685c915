// Client: see client.h. Blocking sockets with poll() deadlines; responses are parsed by the same
// MessageParser as requests (in response mode).
#include "systems/http/client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "core/socket.h"
#include "core/strings.h"
#include "systems/http/parser.h"

namespace sfs::http {
namespace {

core::Status wait_fd(int fd, short events, int timeout_ms) {
  struct pollfd p = {fd, events, 0};
  while (true) {
    int r = ::poll(&p, 1, timeout_ms);
    if (r > 0) return core::Status::ok();
    if (r == 0) return core::Status::timeout("timed out after " + std::to_string(timeout_ms) + " ms");
    if (errno != EINTR) return core::Status::io_error("poll", errno);
  }
}

core::Status send_all(int fd, std::string_view data, int timeout_ms) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      SFS_TRY(wait_fd(fd, POLLOUT, timeout_ms));
      continue;
    }
    return core::Status::closed("connection closed while sending the request");
  }
  return core::Status::ok();
}

bool idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS";
}

}  // namespace

std::string Url::authority() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != 80) h += ":" + std::to_string(port);
  return h;
}

core::Result<Url> parse_url(std::string_view text) {
  std::string_view rest = text;
  size_t scheme_end = rest.find("://");
  if (scheme_end == std::string_view::npos) {
    return core::Status::invalid_argument("not an absolute URL: '" + std::string(text) + "'");
  }
  std::string scheme = core::to_lower(rest.substr(0, scheme_end));
  if (scheme == "https") {
    return core::Status::unsupported("https is not supported (no TLS); use http://");
  }
  if (scheme != "http") return core::Status::invalid_argument("unsupported scheme '" + scheme + "'");
  rest.remove_prefix(scheme_end + 3);
  size_t path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  std::string_view path = path_start == std::string_view::npos ? "" : rest.substr(path_start);
  if (size_t hash = path.find('#'); hash != std::string_view::npos) path = path.substr(0, hash);
  if (authority.find('@') != std::string_view::npos) {
    return core::Status::unsupported("credentials in URLs are not supported");
  }
  Url url;
  if (authority.empty()) return core::Status::invalid_argument("URL without a host: '" + std::string(text) + "'");
  if (authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return core::Status::invalid_argument("bad IPv6 literal in URL");
    url.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (!authority.empty() && authority.front() != ':') return core::Status::invalid_argument("bad URL authority");
    if (!authority.empty()) authority.remove_prefix(1);
    else authority = "";
    if (!authority.empty()) {
      auto port = core::parse_uint64(authority);
      if (!port || *port == 0 || *port > 65535) return core::Status::invalid_argument("bad port in URL");
      url.port = static_cast<uint16_t>(*port);
    }
  } else {
    size_t colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      auto port = core::parse_uint64(authority.substr(colon + 1));
      if (!port || *port == 0 || *port > 65535) return core::Status::invalid_argument("bad port in URL");
      url.port = static_cast<uint16_t>(*port);
    }
  }
  if (url.host.empty()) return core::Status::invalid_argument("URL without a host");
  url.target = path.empty() ? "/" : (path.front() == '?' ? "/" + std::string(path) : std::string(path));
  for (char c : url.target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) {
      return core::Status::invalid_argument("URL path contains a space or control character");
    }
  }
  return url;
}

// RFC 3986 section 5.2.4: removes "." and ".." segments from a path (the query is kept).
std::string remove_dot_segments(std::string_view target) {
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? "" : target.substr(q);
  std::vector<std::string_view> out;
  std::vector<std::string_view> pieces = core::split(path, '/');
  for (size_t i = 0; i < pieces.size(); ++i) {
    std::string_view s = pieces[i];
    bool last = i + 1 == pieces.size();
    if (s == ".") {
      if (last) out.push_back("");
    } else if (s == "..") {
      if (out.size() > 1) out.pop_back();
      if (last) out.push_back("");
    } else {
      out.push_back(s);
    }
  }
  std::string result;
  for (size_t i = 0; i < out.size(); ++i) {
    if (i > 0) result.push_back('/');
    result.append(out[i]);
  }
  if (result.empty() || result.front() != '/') result.insert(0, "/");
  return result + std::string(query);
}

core::Result<Url> resolve_location(const Url& base, std::string_view location) {
  if (location.find("://") != std::string_view::npos) return parse_url(location);
  Url url = base;
  if (location.substr(0, 2) == "//") return parse_url("http:" + std::string(location));
  if (!location.empty() && location.front() == '/') {
    url.target = std::string(location);
  } else {
    std::string dir = base.target.substr(0, base.target.find('?'));
    dir = dir.substr(0, dir.rfind('/') + 1);
    url.target = dir + std::string(location);
  }
  url.target = remove_dot_segments(url.target);
  return url;
}

core::Result<ClientResponse> Client::send(const ClientRequest& request) {
  SFS_ASSIGN_OR_RETURN(Url url, parse_url(request.url));
  std::string method = request.method;
  std::string body = request.body;
  Headers headers = request.headers;
  bool chunked = request.chunked;
  int redirects = 0;
  while (true) {
    SFS_ASSIGN_OR_RETURN(ClientResponse response, send_once(method, url, headers, body, chunked));
    response.redirects = redirects;
    int s = response.status;
    bool redirect = (s == 301 || s == 302 || s == 303 || s == 307 || s == 308) &&
                    response.headers.has("location") && options_.max_redirects > 0;
    if (!redirect) {
      response.url = "http://" + url.authority() + url.target;
      return response;
    }
    if (++redirects > options_.max_redirects) {
      return core::Status::limit_exceeded("more than " + std::to_string(options_.max_redirects) + " redirects");
    }
    SFS_ASSIGN_OR_RETURN(url, resolve_location(url, response.headers.value("location")));
    // 303 always, and 301/302 after a POST (what browsers and curl do), become a GET.
    if (s == 303 || ((s == 301 || s == 302) && method == "POST")) {
      if (method != "HEAD") method = "GET";
      body.clear();
      chunked = false;
      headers.remove("content-type");
    }
  }
}

core::Result<ClientResponse> Client::send_once(const std::string& method, const Url& url,
                                               const Headers& headers, const std::string& body,
                                               bool chunked) {
  std::string key = url.host + "\n" + std::to_string(url.port);
  for (int attempt = 0; attempt < 2; ++attempt) {
    core::Fd fd;
    bool reused = false;
    auto& idle = pool_[key];
    if (attempt == 0 && !idle.empty()) {
      fd = std::move(idle.back());
      idle.pop_back();
      reused = true;
    } else {
      SFS_ASSIGN_OR_RETURN(fd, core::tcp_connect(url.host, url.port, options_.connect_timeout_ms));
    }
    bool got_bytes = false;
    bool reusable = false;
    auto response = exchange(fd, method, url, headers, body, chunked, &got_bytes, &reusable);
    if (!response.is_ok()) {
      if (reused && !got_bytes && idempotent(method) && response.status().code() != core::Code::kTimeout) {
        continue;  // the server had closed the idle connection: try a fresh one
      }
      return response.status();
    }
    response->reused_connection = reused;
    if (reusable && pool_[key].size() < options_.max_idle_per_host) pool_[key].push_back(std::move(fd));
    return response;
  }
  return core::Status::internal("unreachable");
}

core::Result<ClientResponse> Client::exchange(core::Fd& fd, const std::string& method,
                                              const Url& url, const Headers& headers,
                                              const std::string& body, bool chunked,
                                              bool* got_bytes, bool* reusable) {
  std::string head = method + " " + url.target + " HTTP/1.1\r\n";
  if (!headers.has("host")) head += "Host: " + url.authority() + "\r\n";
  if (!headers.has("user-agent") && !options_.user_agent.empty()) head += "User-Agent: " + options_.user_agent + "\r\n";
  if (!headers.has("accept")) head += "Accept: */*\r\n";
  for (const auto& [name, value] : headers) {
    if (core::iequals(name, "content-length") || core::iequals(name, "transfer-encoding")) continue;
    if (!is_token(name) || value.find_first_of("\r\n") != std::string::npos) {
      return core::Status::invalid_argument("header '" + name + "' has a bad name or a line break");
    }
    head += name + ": " + value + "\r\n";
  }
  bool body_allowed = !body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
  if (chunked && body_allowed) {
    head += "Transfer-Encoding: chunked\r\n\r\n";
  } else if (body_allowed) {
    head += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  } else {
    head += "\r\n";
  }
  SFS_TRY(send_all(fd.get(), head, options_.timeout_ms));
  if (chunked && body_allowed) {
    constexpr size_t kChunk = 16 * 1024;
    for (size_t pos = 0; pos < body.size(); pos += kChunk) {
      std::string_view piece = std::string_view(body).substr(pos, kChunk);
      char size_line[24];
      int n = snprintf(size_line, sizeof(size_line), "%zx\r\n", piece.size());
      SFS_TRY(send_all(fd.get(), std::string_view(size_line, static_cast<size_t>(n)), options_.timeout_ms));
      SFS_TRY(send_all(fd.get(), piece, options_.timeout_ms));
      SFS_TRY(send_all(fd.get(), "\r\n", options_.timeout_ms));
    }
    SFS_TRY(send_all(fd.get(), "0\r\n\r\n", options_.timeout_ms));
  } else if (!body.empty()) {
    SFS_TRY(send_all(fd.get(), body, options_.timeout_ms));
  }

  Limits limits;
  limits.max_request_line = 64 * 1024;
  limits.max_header_bytes = 256 * 1024;
  limits.max_header_count = 1000;
  limits.max_body = options_.max_body;
  MessageParser parser(MessageParser::Kind::kResponse, limits);
  parser.set_head_request(method == "HEAD");
  std::string buffer;
  size_t offset = 0;
  char chunk[16384];
  while (true) {
    size_t used = 0;
    auto result = parser.parse(std::string_view(buffer).substr(offset), &used);
    offset += used;
    if (offset > 65536 && offset * 2 > buffer.size()) {
      buffer.erase(0, offset);
      offset = 0;
    }
    if (result == MessageParser::Result::kError) {
      return core::Status::invalid_argument("bad response from " + url.authority() + ": " + parser.error());
    }
    if (result == MessageParser::Result::kHeadComplete) {
      int status = parser.response().status;
      if (status == 101) {
        return core::Status::unsupported("the server switched protocols (101)");
      }
      continue;
    }
    if (result == MessageParser::Result::kComplete) {
      int status = parser.response().status;
      if (status >= 100 && status < 200) {
        parser.reset();  // an interim response (100 Continue): the real one follows
        parser.set_head_request(method == "HEAD");
        continue;
      }
      ClientResponse response;
      response.version = parser.response().version;
      response.status = status;
      response.reason = std::move(parser.response().reason);
      response.headers = std::move(parser.response().headers);
      response.body = std::move(parser.body());
      bool keep = parser.framing() != MessageParser::Framing::kUntilClose &&
                  !response.headers.has_token("connection", "close") &&
                  (response.version == 11 || response.headers.has_token("connection", "keep-alive")) &&
                  offset == buffer.size();
      *reusable = keep;
      return response;
    }
    SFS_TRY(wait_fd(fd.get(), POLLIN, options_.timeout_ms));
    ssize_t n = ::recv(fd.get(), chunk, sizeof(chunk), MSG_DONTWAIT);
    if (n > 0) {
      *got_bytes = true;
      buffer.append(chunk, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n == 0 && *got_bytes) {
      if (parser.finish_at_eof() == MessageParser::Result::kComplete && !parser.in_head()) {
        ClientResponse response;
        response.version = parser.response().version;
        response.status = parser.response().status;
        response.reason = std::move(parser.response().reason);
        response.headers = std::move(parser.response().headers);
        response.body = std::move(parser.body());
        *reusable = false;
        return response;
      }
      return core::Status::closed("connection closed in the middle of the response from " + url.authority());
    }
    return core::Status::closed("connection closed by " + url.authority() + " before a response");
  }
}

core::Result<ClientResponse> Client::get(const std::string& url, Headers headers) {
  return send({"GET", url, std::move(headers), "", false});
}
core::Result<ClientResponse> Client::head(const std::string& url, Headers headers) {
  return send({"HEAD", url, std::move(headers), "", false});
}
core::Result<ClientResponse> Client::post(const std::string& url, std::string body, std::string content_type) {
  Headers headers;
  headers.add("Content-Type", std::move(content_type));
  return send({"POST", url, std::move(headers), std::move(body), false});
}
core::Result<ClientResponse> Client::put(const std::string& url, std::string body, std::string content_type) {
  Headers headers;
  headers.add("Content-Type", std::move(content_type));
  return send({"PUT", url, std::move(headers), std::move(body), false});
}
core::Result<ClientResponse> Client::del(const std::string& url) {
  return send({"DELETE", url, {}, "", false});
}

size_t Client::idle_connections() const {
  size_t n = 0;
  for (const auto& [key, fds] : pool_) n += fds.size();
  return n;
}

}  // namespace sfs::http
