// Router: maps (method, path) to handlers, with path parameters, wildcards and middleware — the
// REST framework that applications (the todo API, the site generator's server, a scheduler's web
// UI) are written against.
//
//   http::Router router;
//   router.use(http::cors());
//   router.get("/todos/:id", [&](http::Request& req, http::Response& res) -> core::Status {
//     SFS_ASSIGN_OR_RETURN(int64_t id, parse_id(req.param("id")));   // error -> 400 JSON body
//     res.json_text(...);
//     return core::Status::ok();
//   });
//   router.get("/static/*", http::static_files("public"));           // "*" captures the rest
//   router.websocket("/ws", [](std::shared_ptr<http::WebSocket> ws, const http::Request&) {...});
//
// Patterns are matched segment by segment against the decoded path: a literal segment matches
// itself, ":name" matches any one non-empty segment and captures it, and a final "*" (or "*name")
// matches the rest of the path, possibly empty, and captures it under "*" (or "name"). Routes are
// tried in the order they were added; the first whose pattern and method match wins.
//
// Dispatch rules (RFC 9110 sections 9.3.2, 9.3.7, 15.5.6):
//   - HEAD runs the GET handler; the server drops the body and keeps the headers.
//   - A path that matches some route but not with this method: 405 with an Allow field listing the
//     methods that would match; OPTIONS on such a path gets 200 with Allow (and Content-Length:
//     0) instead.
//   - No route matches: the not_found() handler, or a JSON 404.
//   - A handler that returns an error Status gets a JSON error body whose status comes from
//     status_for() (invalid argument 400, not found 404, ...). A handler that wants another code
//     calls res.error(409, "...") and returns OK.
//
// Middleware wraps everything after it: it may change the request, call next() to run the rest of
// the chain (or not, to answer by itself), and then change the response. Thread safety: a Router is
// built before the server starts and only read afterwards.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "systems/http/message.h"

namespace sfs::http {

class WebSocket;

using Handler = std::function<core::Status(Request& request, Response& response)>;

// Runs the rest of the middleware chain and the route.
class Next {
 public:
  virtual ~Next() = default;
  virtual core::Status operator()() = 0;
};
using Middleware = std::function<core::Status(Request& request, Response& response, Next& next)>;

// Called once a WebSocket upgrade on a matching path succeeded; keep the pointer to talk later.
using WebSocketHandler =
    std::function<void(const std::shared_ptr<WebSocket>& socket, const Request& request)>;

class Router {
 public:
  Router& route(std::string_view method, std::string_view pattern, Handler handler);
  Router& get(std::string_view pattern, Handler handler) { return route("GET", pattern, std::move(handler)); }
  Router& post(std::string_view pattern, Handler handler) { return route("POST", pattern, std::move(handler)); }
  Router& put(std::string_view pattern, Handler handler) { return route("PUT", pattern, std::move(handler)); }
  Router& patch(std::string_view pattern, Handler handler) { return route("PATCH", pattern, std::move(handler)); }
  Router& del(std::string_view pattern, Handler handler) { return route("DELETE", pattern, std::move(handler)); }
  Router& options(std::string_view pattern, Handler handler) { return route("OPTIONS", pattern, std::move(handler)); }
  // Any method.
  Router& any(std::string_view pattern, Handler handler) { return route("*", pattern, std::move(handler)); }
  Router& websocket(std::string_view pattern, WebSocketHandler handler);
  Router& use(Middleware middleware);
  Router& not_found(Handler handler);

  // Runs the middleware and the matching route; always leaves a complete response in `response`.
  void handle(Request& request, Response& response) const;
  // The WebSocket handler for an upgrade request's path (with request.params filled), or null.
  const WebSocketHandler* find_websocket(Request& request) const;

 private:
  struct Segment {
    enum Kind { kLiteral, kParam, kRest } kind;
    std::string text;  // literal text or parameter name
  };
  struct Route {
    std::string method;  // "*" for any
    std::vector<Segment> segments;
    Handler handler;
  };
  struct SocketRoute {
    std::vector<Segment> segments;
    WebSocketHandler handler;
  };
  class Chain;

  static std::vector<Segment> compile(std::string_view pattern);
  static bool match(const std::vector<Segment>& segments, std::string_view path, Params* params);
  core::Status dispatch(Request& request, Response& response) const;

  std::vector<Route> routes_;
  std::vector<SocketRoute> sockets_;
  std::vector<Middleware> middleware_;
  Handler not_found_;
};

// Middleware: CORS (Fetch standard). Adds Access-Control-Allow-Origin to every response and
// answers preflight requests (OPTIONS with Access-Control-Request-Method) with 204.
struct CorsOptions {
  std::string allow_origin = "*";
  std::string allow_methods = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
  std::string allow_headers = "Content-Type, Authorization";
  std::string expose_headers = "Location";  // response fields scripts may read ('' for none)
  int max_age_seconds = 600;
};
Middleware cors(CorsOptions options = {});

// Middleware: logs "GET /path -> 200 (1.2 ms)" at info level through core's logger.
Middleware request_logger();

}  // namespace sfs::http
