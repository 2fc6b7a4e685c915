// Client: a blocking HTTP/1.1 client with a keep-alive connection pool, chunked bodies both
// ways, redirects and timeouts — what `sfs http get|post|...` and tests use, and what another
// system calls to talk to an HTTP service. http:// only (no TLS: the runtime uses no crypto
// library).
//
//   http::Client client;
//   auto response = client.get("http://127.0.0.1:8080/todos");
//   if (response.is_ok() && response->status == 200) use(response->body);
//
// Connections are kept per host:port after a response that allows it (HTTP/1.1 without
// Connection: close, or HTTP/1.0 with keep-alive) and reused by the next request to the same
// place. A request on a reused connection that fails before any byte of the response arrives
// (the server had closed the idle connection) is retried once on a fresh connection when its
// method is idempotent. Not thread-safe: use one Client per thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/fd.h"
#include "core/status.h"
#include "systems/http/message.h"

namespace sfs::http {

struct Url {
  std::string host;    // "127.0.0.1", "::1", "example.test"
  uint16_t port = 80;
  std::string target;  // "/path?query" (always starts with '/')
  // host:port for the Host field (IPv6 literals in brackets, the port only when not 80).
  std::string authority() const;
};
// Parses "http://host[:port][/path][?query]". Errors for other schemes and malformed URLs.
core::Result<Url> parse_url(std::string_view url);
// Resolves a Location value against the URL it came from.
core::Result<Url> resolve_location(const Url& base, std::string_view location);

struct ClientOptions {
  int connect_timeout_ms = 10000;
  int timeout_ms = 30000;         // longest wait for any one read or write
  int max_redirects = 5;          // 0: return 3xx responses as they are
  size_t max_idle_per_host = 8;
  size_t max_body = size_t{1} << 30;
  std::string user_agent = "sfs-http/0.1";
};

struct ClientRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  bool chunked = false;  // send the body with Transfer-Encoding: chunked
};

struct ClientResponse {
  int version = 11;
  int status = 0;
  std::string reason;
  Headers headers;
  std::string body;
  std::string url;            // the URL that answered (after redirects)
  int redirects = 0;
  bool reused_connection = false;
};

class Client {
 public:
  explicit Client(ClientOptions options = {}) : options_(std::move(options)) {}

  core::Result<ClientResponse> send(const ClientRequest& request);
  core::Result<ClientResponse> get(const std::string& url, Headers headers = {});
  core::Result<ClientResponse> head(const std::string& url, Headers headers = {});
  core::Result<ClientResponse> post(const std::string& url, std::string body,
                                    std::string content_type = "application/json");
  core::Result<ClientResponse> put(const std::string& url, std::string body,
                                   std::string content_type = "application/json");
  core::Result<ClientResponse> del(const std::string& url);

  // Idle pooled connections (all hosts).
  size_t idle_connections() const;
  void close_idle_connections() { pool_.clear(); }

 private:
  core::Result<ClientResponse> send_once(const std::string& method, const Url& url,
                                         const Headers& headers, const std::string& body,
                                         bool chunked);
  core::Result<ClientResponse> exchange(core::Fd& fd, const std::string& method, const Url& url,
                                        const Headers& headers, const std::string& body,
                                        bool chunked, bool* got_bytes, bool* reusable);

  ClientOptions options_;
  std::map<std::string, std::vector<core::Fd>> pool_;
};

}  // namespace sfs::http
