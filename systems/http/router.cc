// Router: see router.h for the matching and dispatch rules.
#include "systems/http/router.h"

#include <chrono>

#include "core/log.h"
#include "core/strings.h"

namespace sfs::http {

class Router::Chain : public Next {
 public:
  Chain(const Router& router, Request& request, Response& response)
      : router_(router), request_(request), response_(response) {}
  core::Status operator()() override {
    if (index_ < router_.middleware_.size()) {
      const Middleware& middleware = router_.middleware_[index_++];
      return middleware(request_, response_, *this);
    }
    return router_.dispatch(request_, response_);
  }

 private:
  const Router& router_;
  Request& request_;
  Response& response_;
  size_t index_ = 0;
};

std::vector<Router::Segment> Router::compile(std::string_view pattern) {
  std::vector<Segment> segments;
  for (std::string_view piece : core::split(pattern, '/')) {
    if (piece.empty()) continue;
    if (piece.front() == ':') {
      segments.push_back({Segment::kParam, std::string(piece.substr(1))});
    } else if (piece.front() == '*') {
      segments.push_back({Segment::kRest, piece.size() > 1 ? std::string(piece.substr(1)) : "*"});
      break;
    } else {
      segments.push_back({Segment::kLiteral, std::string(piece)});
    }
  }
  return segments;
}

bool Router::match(const std::vector<Segment>& segments, std::string_view path, Params* params) {
  size_t pos = 0;
  size_t start_size = params->size();
  auto next_segment = [&](std::string_view* out) {
    while (pos < path.size() && path[pos] == '/') ++pos;
    if (pos >= path.size()) return false;
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    *out = path.substr(pos, end - pos);
    pos = end;
    return true;
  };
  for (const Segment& segment : segments) {
    if (segment.kind == Segment::kRest) {
      while (pos < path.size() && path[pos] == '/') ++pos;
      params->emplace_back(segment.text, std::string(path.substr(std::min(pos, path.size()))));
      return true;
    }
    std::string_view piece;
    if (!next_segment(&piece)) {
      params->resize(start_size);
      return false;
    }
    if (segment.kind == Segment::kLiteral) {
      if (piece != segment.text) {
        params->resize(start_size);
        return false;
      }
    } else {
      params->emplace_back(segment.text, std::string(piece));
    }
  }
  std::string_view extra;
  if (next_segment(&extra)) {
    params->resize(start_size);
    return false;
  }
  return true;
}

Router& Router::route(std::string_view method, std::string_view pattern, Handler handler) {
  routes_.push_back({std::string(method), compile(pattern), std::move(handler)});
  return *this;
}

Router& Router::websocket(std::string_view pattern, WebSocketHandler handler) {
  sockets_.push_back({compile(pattern), std::move(handler)});
  return *this;
}

Router& Router::use(Middleware middleware) {
  middleware_.push_back(std::move(middleware));
  return *this;
}

Router& Router::not_found(Handler handler) {
  not_found_ = std::move(handler);
  return *this;
}

void Router::handle(Request& request, Response& response) const {
  Chain chain(*this, request, response);
  core::Status status = chain();
  if (!status.is_ok()) {
    response.headers.clear();
    response.error(status_for(status), status.message());
  }
}

const WebSocketHandler* Router::find_websocket(Request& request) const {
  for (const SocketRoute& route : sockets_) {
    if (match(route.segments, request.path, &request.params)) return &route.handler;
  }
  return nullptr;
}

core::Status Router::dispatch(Request& request, Response& response) const {
  std::string allowed;
  auto allow = [&](std::string_view method) {
    if (allowed.find(method) != std::string::npos) return;
    if (!allowed.empty()) allowed += ", ";
    allowed += method;
  };
  const bool is_head = request.method == "HEAD";
  for (const Route& route : routes_) {
    request.params.clear();
    if (!match(route.segments, request.path, &request.params)) continue;
    if (route.method == "*" || route.method == request.method ||
        (is_head && route.method == "GET")) {
      core::Status status = route.handler(request, response);
      // Errors become responses here, inside the chain, so middleware (CORS, logging) sees them.
      if (!status.is_ok()) response.error(status_for(status), status.message());
      return core::Status::ok();
    }
    allow(route.method);
    if (route.method == "GET") allow("HEAD");
  }
  request.params.clear();
  if (!allowed.empty()) {
    allow("OPTIONS");
    response.headers.set("Allow", allowed);
    if (request.method == "OPTIONS") {
      // RFC 9110 section 9.3.7: a successful OPTIONS response without content carries
      // Content-Length: 0, so 200 rather than 204 (which may not carry it); Apache does the same.
      response.status = 200;
      return core::Status::ok();
    }
    response.error(405, "method " + request.method + " is not allowed here (allowed: " + allowed + ")");
    response.headers.set("Allow", allowed);
    return core::Status::ok();
  }
  // A WebSocket endpoint asked for without the upgrade (a browser's address bar, curl):
  // 426 Upgrade Required with Upgrade: websocket (RFC 9110 section 15.5.22, RFC 6455 section 4.2.2).
  for (const SocketRoute& route : sockets_) {
    if (!match(route.segments, request.path, &request.params)) continue;
    request.params.clear();
    if (request.method == "GET" || request.method == "HEAD") {
      response.error(426, "this is a WebSocket endpoint: connect with Upgrade: websocket");
      response.headers.set("Upgrade", "websocket");
      response.headers.set("Sec-WebSocket-Version", "13");
      return core::Status::ok();
    }
    response.headers.set("Allow", "GET, HEAD, OPTIONS");
    if (request.method == "OPTIONS") {
      response.status = 200;
      return core::Status::ok();
    }
    response.error(405, "method " + request.method + " is not allowed here (allowed: GET, HEAD, OPTIONS)");
    return core::Status::ok();
  }
  if (not_found_) return not_found_(request, response);
  response.error(404, "no route for " + request.path);
  return core::Status::ok();
}

Middleware cors(CorsOptions options) {
  return [options](Request& request, Response& response, Next& next) -> core::Status {
    if (request.method == "OPTIONS" && request.headers.has("access-control-request-method")) {
      response.status = 204;
      response.headers.set("Access-Control-Allow-Origin", options.allow_origin);
      response.headers.set("Access-Control-Allow-Methods", options.allow_methods);
      response.headers.set("Access-Control-Allow-Headers", options.allow_headers);
      response.headers.set("Access-Control-Max-Age", std::to_string(options.max_age_seconds));
      if (options.allow_origin != "*") response.headers.set("Vary", "Origin");
      return core::Status::ok();
    }
    core::Status status = next();
    response.headers.set("Access-Control-Allow-Origin", options.allow_origin);
    if (!options.expose_headers.empty()) {
      response.headers.set("Access-Control-Expose-Headers", options.expose_headers);
    }
    if (options.allow_origin != "*") response.headers.set("Vary", "Origin");
    return status;
  };
}

Middleware request_logger() {
  return [](Request& request, Response& response, Next& next) -> core::Status {
    auto start = std::chrono::steady_clock::now();
    core::Status status = next();
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    SFS_LOG_INFO(request.method, " ", request.target, " -> ",
                 status.is_ok() ? response.status : status_for(status), " (", ms, " ms)");
    return status;
  };
}

}  // namespace sfs::http
