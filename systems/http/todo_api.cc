// The todo API: see todo_api.h. Every handler returns a Status, so malformed input ("id" that is
// not a number, a body that is not JSON, a missing title) becomes a JSON 400 without ceremony.
#include "systems/http/todo_api.h"

#include "core/strings.h"
#include "formats/json/json.h"
#include "systems/http/websocket.h"

namespace sfs::http {
namespace {

json::Value to_json(const Todo& todo) {
  return json::Object{{"id", todo.id}, {"title", todo.title}, {"done", todo.done}};
}

core::Result<int64_t> parse_id(std::string_view text) {
  auto id = core::parse_int64(text);
  if (!id || *id <= 0) return core::Status::invalid_argument("todo id must be a positive integer, got '" + std::string(text) + "'");
  return *id;
}

// Applies the fields of `body` to `todo`. `require_title` for POST and PUT.
core::Status apply(const json::Value& body, Todo* todo, bool require_title) {
  if (!body.is_object()) return core::Status::invalid_argument("expected a JSON object");
  for (const auto& [name, value] : body.as_object()) {
    if (name == "title") {
      if (!value.is_string() || value.as_string().empty()) {
        return core::Status::invalid_argument("\"title\" must be a non-empty string");
      }
      todo->title = value.as_string();
    } else if (name == "done") {
      if (!value.is_bool()) return core::Status::invalid_argument("\"done\" must be true or false");
      todo->done = value.as_bool();
    } else if (name != "id") {
      return core::Status::invalid_argument("unknown field \"" + name + "\"");
    }
  }
  if (require_title && !body.find("title")) return core::Status::invalid_argument("\"title\" is required");
  return core::Status::ok();
}

void notify(TodoStore& store, std::string_view event, const json::Value& data) {
  std::string line = json::write(json::Object{{"event", event}, {"todo", data}}) + "\n";
  std::erase_if(store.watchers, [&](const std::weak_ptr<ResponseStream>& weak) {
    auto stream = weak.lock();
    return !stream || !stream->write(line);
  });
}

}  // namespace

void add_todo_routes(Router& router, TodoStore& store) {
  TodoStore* s = &store;
  router.get("/health", [](Request&, Response& res) {
    res.json(json::Object{{"ok", true}});
    return core::Status::ok();
  });
  router.get("/todos", [s](Request& req, Response& res) -> core::Status {
    std::optional<bool> done_filter;
    if (auto done = req.query_param("done")) {
      if (*done != "true" && *done != "false") return core::Status::invalid_argument("done must be true or false");
      done_filter = *done == "true";
    }
    std::string needle = core::to_lower(req.query_param("q").value_or(""));
    json::Array list;
    for (const auto& [id, todo] : s->items) {
      if (done_filter && todo.done != *done_filter) continue;
      if (!needle.empty() && core::to_lower(todo.title).find(needle) == std::string::npos) continue;
      list.push_back(to_json(todo));
    }
    res.json(std::move(list));
    return core::Status::ok();
  });
  router.post("/todos", [s](Request& req, Response& res) -> core::Status {
    SFS_ASSIGN_OR_RETURN(json::Value body, req.json());
    Todo todo;
    SFS_TRY(apply(body, &todo, true));
    todo.id = s->next_id++;
    s->items[todo.id] = todo;
    res.headers.set("Location", "/todos/" + std::to_string(todo.id));
    res.json(to_json(todo), 201);
    notify(*s, "created", to_json(todo));
    return core::Status::ok();
  });
  router.get("/todos/events", [s](Request&, Response& res) {
    res.headers.set("Content-Type", "application/x-ndjson");
    res.headers.set("Cache-Control", "no-store");
    auto stream = res.start_stream();
    stream->write(json::write(json::Object{{"event", "hello"}, {"count", static_cast<int64_t>(s->items.size())}}) + "\n");
    s->watchers.push_back(stream);
    return core::Status::ok();
  });
  router.get("/todos/:id", [s](Request& req, Response& res) -> core::Status {
    SFS_ASSIGN_OR_RETURN(int64_t id, parse_id(req.param("id")));
    auto it = s->items.find(id);
    if (it == s->items.end()) return core::Status::not_found("no todo with id " + std::to_string(id));
    res.json(to_json(it->second));
    return core::Status::ok();
  });
  auto update = [s](bool replace) {
    return [s, replace](Request& req, Response& res) -> core::Status {
      SFS_ASSIGN_OR_RETURN(int64_t id, parse_id(req.param("id")));
      auto it = s->items.find(id);
      if (it == s->items.end()) return core::Status::not_found("no todo with id " + std::to_string(id));
      SFS_ASSIGN_OR_RETURN(json::Value body, req.json());
      Todo todo = replace ? Todo{id, "", false} : it->second;
      SFS_TRY(apply(body, &todo, replace));
      it->second = todo;
      res.json(to_json(todo));
      notify(*s, "updated", to_json(todo));
      return core::Status::ok();
    };
  };
  router.put("/todos/:id", update(true));
  router.patch("/todos/:id", update(false));
  router.del("/todos/:id", [s](Request& req, Response& res) -> core::Status {
    SFS_ASSIGN_OR_RETURN(int64_t id, parse_id(req.param("id")));
    auto it = s->items.find(id);
    if (it == s->items.end()) return core::Status::not_found("no todo with id " + std::to_string(id));
    json::Value gone = to_json(it->second);
    s->items.erase(it);
    res.status = 204;
    notify(*s, "deleted", gone);
    return core::Status::ok();
  });
  router.websocket("/ws/echo", [](const std::shared_ptr<WebSocket>& socket, const Request&) {
    socket->on_message([](WebSocket& self, std::string_view data, bool binary) {
      if (binary) {
        self.send_binary(data);
      } else {
        self.send_text(data);
      }
    });
  });
}

}  // namespace sfs::http
