// `sfs http`: the command line — a static file server, the example todo API, and a curl-like
// client.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "core/file.h"
#include "core/flags.h"
#include "core/log.h"
#include "core/strings.h"
#include "systems/http/http.h"
#include "systems/http/todo_api.h"

namespace sfs::http {
namespace {

struct ListenFlags {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  std::string unix_path;
  std::string access_log = "-";
  int header_timeout_ms = 10000;
  int idle_timeout_ms = 60000;
  int body_timeout_ms = 30000;

  void add_to(core::Flags& flags) {
    flags.add("host", &host, "address to listen on (127.0.0.1, ::1, 0.0.0.0, ...)", 0, "HOST");
    flags.add("port", &port, "TCP port (0: pick a free one)", 'p');
    flags.add("unix", &unix_path, "also listen on this Unix-domain socket", 0, "PATH");
    flags.add("access-log", &access_log, "access log in the common log format: '-' (stdout), a file, or 'off'", 0, "FILE");
    flags.add("header-timeout", &header_timeout_ms, "milliseconds to receive a request's head", 0, "MS");
    flags.add("body-timeout", &body_timeout_ms, "longest silence while a body arrives (ms)", 0, "MS");
    flags.add("idle-timeout", &idle_timeout_ms, "milliseconds a keep-alive connection may idle", 0, "MS");
  }

  // Fills the options; returns false (after printing why) when the log file cannot be opened.
  bool apply(ServerOptions* options) {
    options->header_timeout = core::Milliseconds(header_timeout_ms);
    options->body_timeout = core::Milliseconds(body_timeout_ms);
    options->idle_timeout = core::Milliseconds(idle_timeout_ms);
    if (access_log == "off" || access_log.empty()) return true;
    FILE* file = stdout;
    if (access_log != "-") {
      file = std::fopen(access_log.c_str(), "a");
      if (file == nullptr) {
        std::perror(access_log.c_str());
        return false;
      }
    }
    setvbuf(file, nullptr, _IOLBF, 1 << 16);
    options->access_log = [file](std::string_view line) {
      std::fwrite(line.data(), 1, line.size(), file);
      std::fputc('\n', file);
    };
    return true;
  }
};

int serve_main(int argc, char** argv) {
  std::string dir = ".";
  ListenFlags listen;
  bool listing = false;
  std::string cache_control = "no-cache";
  core::Flags flags("sfs http serve", "Serve a directory over HTTP/1.1 (static files).");
  flags.positional("DIR", &dir, "the document root (default: the current directory)");
  listen.add_to(flags);
  flags.add("listing", &listing, "list directories that have no index.html");
  flags.add("cache-control", &cache_control, "Cache-Control for files ('' for none)", 0, "VALUE");
  if (auto code = flags.parse(argc, argv)) return *code;
  core::set_log_tag("http");
  if (::access(dir.c_str(), R_OK | X_OK) != 0) {
    std::fprintf(stderr, "sfs http serve: cannot read directory '%s'\n", dir.c_str());
    return 1;
  }
  ServerOptions options;
  if (!listen.apply(&options)) return 1;
  StaticOptions static_options;
  static_options.directory_listing = listing;
  static_options.cache_control = cache_control;
  Router router;
  router.get("/*", static_files(dir, static_options));
  SFS_LOG_INFO("serving ", dir);
  return run_server(std::move(router), std::move(options), listen.host, listen.port, listen.unix_path);
}

int todo_main(int argc, char** argv) {
  ListenFlags listen;
  listen.access_log = "off";
  std::string cors_origin = "*";
  std::string static_dir;
  core::Flags flags("sfs http todo-api", "An in-memory todo list as a JSON REST API, with a WebSocket echo.");
  listen.add_to(flags);
  flags.add("cors-origin", &cors_origin, "Access-Control-Allow-Origin ('' disables CORS)", 0, "ORIGIN");
  flags.add("static", &static_dir, "also serve this directory at /", 0, "DIR");
  flags.epilog(
      "routes:\n"
      "  GET /todos[?done=true|false][&q=text]   POST /todos   GET|PUT|PATCH|DELETE /todos/:id\n"
      "  GET /todos/events (streamed changes)     GET /ws/echo (WebSocket)   GET /health\n");
  if (auto code = flags.parse(argc, argv)) return *code;
  core::set_log_tag("http");
  ServerOptions options;
  if (!listen.apply(&options)) return 1;
  static TodoStore store;
  Router router;
  if (!cors_origin.empty()) router.use(cors(CorsOptions{.allow_origin = cors_origin}));
  add_todo_routes(router, store);
  if (!static_dir.empty()) router.get("/*", static_files(static_dir));
  return run_server(std::move(router), std::move(options), listen.host, listen.port, listen.unix_path);
}

// The curl-like client: sfs http get|head|post|put|patch|delete URL ...
int client_main(const std::string& method, int argc, char** argv) {
  std::string url;
  std::string data;
  std::vector<std::string> header_lines;
  bool include = false;
  std::string output;
  bool follow = false;
  bool fail = false;
  bool chunked = false;
  int timeout_ms = 30000;
  core::Flags flags("sfs http " + core::to_lower(method), "Send an HTTP " + method + " request and print the response body.");
  flags.positional("URL", &url, "http://host[:port]/path", true);
  flags.add("data", &data, "request body; @FILE reads it from a file, @- from stdin", 'd', "DATA");
  flags.add("header", &header_lines, "extra header field 'Name: value' (repeatable)", 'H', "LINE");
  flags.add("include", &include, "print the status line and headers before the body", 'i');
  flags.add("output", &output, "write the body to FILE instead of stdout", 'o', "FILE");
  flags.add("location", &follow, "follow redirects (up to 5)", 'L');
  flags.add("fail", &fail, "exit with code 22 when the status is 400 or more", 'f');
  flags.add("chunked", &chunked, "send the body with Transfer-Encoding: chunked");
  flags.add("timeout", &timeout_ms, "milliseconds to wait for any read or write", 0, "MS");
  if (auto code = flags.parse(argc, argv)) return *code;

  ClientRequest request;
  request.method = method;
  request.url = url;
  request.chunked = chunked;
  if (!data.empty() && data[0] == '@') {
    if (data == "@-") {
      std::string all((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
      request.body = std::move(all);
    } else {
      auto text = core::read_file(data.substr(1));
      if (!text.is_ok()) {
        std::fprintf(stderr, "sfs http: %s\n", text.status().message().c_str());
        return 2;
      }
      request.body = std::move(*text);
    }
  } else {
    request.body = data;
  }
  bool has_type = false;
  for (const std::string& line : header_lines) {
    size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) {
      std::fprintf(stderr, "sfs http: bad header '%s' (want 'Name: value')\n", line.c_str());
      return 2;
    }
    std::string name = std::string(core::trim(line.substr(0, colon)));
    has_type |= core::iequals(name, "content-type");
    request.headers.add(name, std::string(core::trim(line.substr(colon + 1))));
  }
  if (!request.body.empty() && !has_type) {
    // What curl -d sends; JSON-looking bodies get application/json.
    std::string_view t = core::trim(request.body);
    bool looks_json = !t.empty() && (t.front() == '{' || t.front() == '[');
    request.headers.add("Content-Type", looks_json ? "application/json" : "application/x-www-form-urlencoded");
  }
  ClientOptions options;
  options.max_redirects = follow ? 5 : 0;
  options.timeout_ms = timeout_ms;
  Client client(options);
  auto response = client.send(request);
  if (!response.is_ok()) {
    std::fprintf(stderr, "sfs http: %s\n", response.status().message().c_str());
    return 1;
  }
  std::string head;
  if (include) {
    head = (response->version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ") + std::to_string(response->status) +
           " " + response->reason + "\r\n";
    for (const auto& [name, value] : response->headers) head += name + ": " + value + "\r\n";
    head += "\r\n";
  }
  if (!output.empty()) {
    if (core::Status status = core::write_file(output, response->body); !status.is_ok()) {
      std::fprintf(stderr, "sfs http: %s\n", status.message().c_str());
      return 1;
    }
    std::fwrite(head.data(), 1, head.size(), stdout);
  } else {
    std::fwrite(head.data(), 1, head.size(), stdout);
    std::fwrite(response->body.data(), 1, response->body.size(), stdout);
  }
  std::fflush(stdout);
  if (fail && response->status >= 400) return 22;
  return 0;
}

}  // namespace

int cli_main(int argc, char** argv) {
  static const core::Subcommand kSubcommands[] = {
      {"serve", "serve a directory of static files", serve_main},
      {"todo-api", "run the example REST API (todos, WebSocket echo)", todo_main},
      {"get", "GET a URL (curl-like)", [](int c, char** v) { return client_main("GET", c, v); }},
      {"head", "HEAD a URL", [](int c, char** v) { return client_main("HEAD", c, v); }},
      {"post", "POST data to a URL", [](int c, char** v) { return client_main("POST", c, v); }},
      {"put", "PUT data to a URL", [](int c, char** v) { return client_main("PUT", c, v); }},
      {"patch", "PATCH a URL", [](int c, char** v) { return client_main("PATCH", c, v); }},
      {"delete", "DELETE a URL", [](int c, char** v) { return client_main("DELETE", c, v); }},
  };
  return core::dispatch_subcommands(argc, argv, "sfs http",
                                    "HTTP/1.1 server, REST framework, WebSocket and client.",
                                    kSubcommands);
}

}  // namespace sfs::http
