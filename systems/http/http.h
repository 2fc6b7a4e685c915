// sfs::http — an HTTP/1.1 server (RFC 9110/9112) with a REST framework, static files and
// WebSocket (RFC 6455), and an HTTP client. This header is the system's public face: other
// systems include only this.
//
// Serving an application:
//
//   #include "systems/http/http.h"
//
//   http::Router router;
//   router.use(http::request_logger());
//   router.get("/hello/:name", [](http::Request& req, http::Response& res) {
//     res.json(json::Object{{"hello", req.param("name")}});
//     return core::Status::ok();
//   });
//   router.get("/*", http::static_files("public"));
//   return http::run_server(std::move(router), {}, "127.0.0.1", 8080);   // until SIGINT/SIGTERM
//
// or, inside a program that already runs a core::EventLoop, construct an http::Server on it.
//
// What each piece is:
//   message.h       Request, Response, Headers, Limits; dates, status codes, percent-encoding
//   router.h        Router (routes with :params and wildcards, middleware, errors -> JSON),
//                   cors(), request_logger()
//   server.h        Server (TCP and Unix listeners, timeouts, graceful shutdown), run_server()
//   stream.h        ResponseStream (chunked streaming bodies), Response::Deferred (async answers)
//   static_files.h  static_files(): a document root with ranges, validators and confinement
//   websocket.h     WebSocket (messages over an upgraded connection)
//   client.h        Client (blocking, pooled keep-alive, redirects), parse_url()
#pragma once

#include "systems/http/client.h"
#include "systems/http/message.h"
#include "systems/http/router.h"
#include "systems/http/server.h"
#include "systems/http/static_files.h"
#include "systems/http/stream.h"
#include "systems/http/websocket.h"

namespace sfs::http {

// `sfs http ...`: serve, todo-api, get, head, post, put, patch, delete.
int cli_main(int argc, char** argv);

}  // namespace sfs::http
