// Router and message helpers without sockets: matching, parameters, wildcards, 404/405/OPTIONS,
// middleware order, CORS, error mapping, JSON helpers, dates, percent-encoding and query strings.
#include "systems/http/router.h"

#include <gtest/gtest.h>

#include "systems/http/message.h"
#include "systems/http/mime.h"
#include "systems/http/todo_api.h"

namespace sfs::http {
namespace {

Response run(const Router& router, std::string method, std::string path, std::string body = "",
             std::string query = "") {
  Request request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.target = request.path;
  request.query = std::move(query);
  request.body = std::move(body);
  if (!request.body.empty()) request.headers.add("Content-Type", "application/json");
  Response response;
  router.handle(request, response);
  return response;
}

TEST(HttpRouterTest, ParamsAndWildcards) {
  Router router;
  router.get("/users/:id", [](Request& req, Response& res) {
    res.text("user " + std::string(req.param("id")));
    return core::Status::ok();
  });
  router.get("/users/:id/posts/:post", [](Request& req, Response& res) {
    res.text(std::string(req.param("id")) + "/" + std::string(req.param("post")));
    return core::Status::ok();
  });
  router.get("/files/*path", [](Request& req, Response& res) {
    res.text("file " + std::string(req.param("path")));
    return core::Status::ok();
  });
  router.get("/", [](Request&, Response& res) {
    res.text("root");
    return core::Status::ok();
  });
  EXPECT_EQ(run(router, "GET", "/users/42").body, "user 42");
  EXPECT_EQ(run(router, "GET", "/users/42/").body, "user 42");
  EXPECT_EQ(run(router, "GET", "/users/7/posts/9").body, "7/9");
  EXPECT_EQ(run(router, "GET", "/files/a/b/c.txt").body, "file a/b/c.txt");
  EXPECT_EQ(run(router, "GET", "/files/").body, "file ");
  EXPECT_EQ(run(router, "GET", "/").body, "root");
  EXPECT_EQ(run(router, "GET", "/users").status, 404);
  EXPECT_EQ(run(router, "GET", "/users/1/extra").status, 404);
  EXPECT_EQ(run(router, "HEAD", "/users/1").body, "user 1");  // the server drops it for HEAD
}

TEST(HttpRouterTest, MethodNotAllowedAndOptions) {
  Router router;
  router.get("/thing", [](Request&, Response&) { return core::Status::ok(); });
  router.put("/thing", [](Request&, Response&) { return core::Status::ok(); });
  Response r = run(router, "DELETE", "/thing");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.value("allow"), "GET, HEAD, PUT, OPTIONS");
  r = run(router, "OPTIONS", "/thing");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.headers.value("allow"), "GET, HEAD, PUT, OPTIONS");
  router.not_found([](Request&, Response& res) {
    res.text("custom", 404);
    return core::Status::ok();
  });
  EXPECT_EQ(run(router, "GET", "/none").body, "custom");
}

TEST(HttpRouterTest, ErrorsBecomeJsonAndMiddlewareSeesThem) {
  Router router;
  std::vector<std::string> order;
  router.use([&order](Request&, Response& res, Next& next) {
    order.push_back("outer in");
    core::Status s = next();
    order.push_back("outer out " + std::to_string(res.status));
    return s;
  });
  router.use(cors());
  router.get("/fail/:code", [](Request& req, Response&) -> core::Status {
    if (req.param("code") == "400") return core::Status::invalid_argument("bad \"input\"");
    if (req.param("code") == "404") return core::Status::not_found("nothing here");
    if (req.param("code") == "409") return core::Status::already_exists("taken");
    return core::Status::internal("oops");
  });
  Response r = run(router, "GET", "/fail/400");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "{\"error\":{\"status\":400,\"message\":\"bad \\\"input\\\"\"}}\n");
  EXPECT_EQ(r.headers.value("access-control-allow-origin"), "*");
  EXPECT_EQ(r.headers.value("content-type"), "application/json");
  EXPECT_EQ(run(router, "GET", "/fail/404").status, 404);
  EXPECT_EQ(run(router, "GET", "/fail/409").status, 409);
  EXPECT_EQ(run(router, "GET", "/fail/500").status, 500);
  EXPECT_EQ(order[0], "outer in");
  EXPECT_EQ(order[1], "outer out 400");
}

TEST(HttpRouterTest, CorsPreflight) {
  Router router;
  router.use(cors(CorsOptions{.allow_origin = "http://app.test"}));
  router.post("/todos", [](Request&, Response&) { return core::Status::ok(); });
  Request request;
  request.method = "OPTIONS";
  request.path = "/todos";
  request.headers.add("Origin", "http://app.test");
  request.headers.add("Access-Control-Request-Method", "POST");
  Response response;
  router.handle(request, response);
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(response.headers.value("access-control-allow-origin"), "http://app.test");
  EXPECT_NE(response.headers.value("access-control-allow-methods").find("POST"), std::string::npos);
  EXPECT_EQ(response.headers.value("vary"), "Origin");
}

TEST(HttpRouterTest, JsonHelpers) {
  Router router;
  router.post("/sum", [](Request& req, Response& res) -> core::Status {
    SFS_ASSIGN_OR_RETURN(json::Value body, req.json());
    res.json(json::Object{{"sum", body["a"].as_int() + body["b"].as_int()}});
    return core::Status::ok();
  });
  Response r = run(router, "POST", "/sum", R"({"a": 2, "b": 3})");
  EXPECT_EQ(r.body, "{\"sum\":5}\n");
  r = run(router, "POST", "/sum", "{nope");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("not valid JSON"), std::string::npos);
  r = run(router, "POST", "/sum", "");  // `curl -X POST URL`: no body at all
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("request body is empty"), std::string::npos) << r.body;
  Request wrong_type;
  wrong_type.headers.add("Content-Type", "text/plain");
  wrong_type.body = "{}";
  EXPECT_FALSE(wrong_type.json().is_ok());
}

TEST(HttpRouterTest, TodoApi) {
  TodoStore store;
  Router router;
  add_todo_routes(router, store);
  Response r = run(router, "POST", "/todos", R"({"title": "milk"})");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.headers.value("location"), "/todos/1");
  run(router, "POST", "/todos", R"({"title": "Bread", "done": true})");
  EXPECT_EQ(run(router, "GET", "/todos").body,
            "[{\"id\":1,\"title\":\"milk\",\"done\":false},{\"id\":2,\"title\":\"Bread\",\"done\":true}]\n");
  EXPECT_EQ(run(router, "GET", "/todos", "", "done=true").body, "[{\"id\":2,\"title\":\"Bread\",\"done\":true}]\n");
  EXPECT_EQ(run(router, "GET", "/todos", "", "q=MIL").body, "[{\"id\":1,\"title\":\"milk\",\"done\":false}]\n");
  EXPECT_EQ(run(router, "GET", "/todos", "", "done=maybe").status, 400);
  EXPECT_EQ(run(router, "PATCH", "/todos/1", R"({"done": true})").body, "{\"id\":1,\"title\":\"milk\",\"done\":true}\n");
  EXPECT_EQ(run(router, "PUT", "/todos/1", R"({"done": true})").status, 400);  // title required
  EXPECT_EQ(run(router, "PUT", "/todos/1", R"({"title": "oat milk"})").body, "{\"id\":1,\"title\":\"oat milk\",\"done\":false}\n");
  EXPECT_EQ(run(router, "POST", "/todos", R"({"title": 5})").status, 400);
  EXPECT_EQ(run(router, "POST", "/todos", R"({"title": "x", "colour": "red"})").status, 400);
  EXPECT_EQ(run(router, "GET", "/todos/abc").status, 400);
  EXPECT_EQ(run(router, "DELETE", "/todos/1").status, 204);
  EXPECT_EQ(run(router, "GET", "/todos/1").status, 404);
  EXPECT_EQ(run(router, "DELETE", "/todos/1").status, 404);
}

TEST(HttpMessageTest, DatesRoundTrip) {
  EXPECT_EQ(http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), 784111777);
  EXPECT_FALSE(parse_http_date("yesterday"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT junk"));
}

TEST(HttpMessageTest, PercentEncodingAndQueries) {
  EXPECT_EQ(percent_decode("a%20b%2Fc"), "a b/c");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_FALSE(percent_decode("%4"));
  EXPECT_FALSE(percent_decode("%zz"));
  EXPECT_EQ(percent_encode_path("/a b/<c>"), "/a%20b/%3Cc%3E");
  auto q = parse_query("a=1&b=x+y&c&d=%41&&a=2");
  ASSERT_EQ(q.size(), 5u);
  EXPECT_EQ(q[1].second, "x y");
  EXPECT_EQ(q[2].first, "c");
  EXPECT_EQ(q[3].second, "A");
  Request request;
  request.query = "a=1&a=2";
  EXPECT_EQ(request.query_param("a"), "1");
  EXPECT_FALSE(request.query_param("z"));
}

TEST(HttpMessageTest, HeadersAndStatus) {
  Headers h;
  h.add("Connection", "keep-alive, Upgrade");
  h.add("X-A", "1");
  h.add("x-a", "2");
  EXPECT_TRUE(h.has_token("connection", "upgrade"));
  EXPECT_EQ(h.count("X-A"), 2u);
  h.set("X-A", "3");
  EXPECT_EQ(h.count("x-a"), 1u);
  EXPECT_EQ(h.value("x-a"), "3");
  EXPECT_EQ(reason_phrase(404), "Not Found");
  EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(status_for(core::Status::timeout("x")), 504);
  EXPECT_EQ(json_quote("a\"\\\n\x01"), "\"a\\\"\\\\\\n\\u0001\"");
  EXPECT_EQ(mime_type("x/y.HTML"), "text/html; charset=utf-8");
  EXPECT_EQ(mime_type("a.tar.gz"), "application/gzip");
  EXPECT_EQ(mime_type("dir.d/noext"), "application/octet-stream");
  EXPECT_EQ(mime_type("feed.rss"), "application/rss+xml");
  EXPECT_EQ(mime_type("clip.MOV"), "video/quicktime");
}

}  // namespace
}  // namespace sfs::http
