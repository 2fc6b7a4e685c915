// The example application: an in-memory CRUD JSON API for todo items, plus a WebSocket echo —
// `sfs http todo-api`. It exists to show (and test) the REST framework; see README.md for the curl
// session.
//
//   GET    /todos            list (?done=true|false filters, ?q=text searches titles)
//   POST   /todos            create from {"title": "...", "done": false}; 201 + Location
//   GET    /todos/:id        one item; 404 when missing
//   PUT    /todos/:id        replace (title required)
//   PATCH  /todos/:id        update the fields given
//   DELETE /todos/:id        204
//   GET    /todos/events     a streaming response: one line of JSON per change (chunked)
//   GET    /ws/echo          WebSocket echo (text and binary)
//   GET    /health           {"ok": true}
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "systems/http/router.h"
#include "systems/http/stream.h"

namespace sfs::http {

struct Todo {
  int64_t id = 0;
  std::string title;
  bool done = false;
};

struct TodoStore {
  std::map<int64_t, Todo> items;
  int64_t next_id = 1;
  std::vector<std::weak_ptr<ResponseStream>> watchers;
};

// Adds the routes above to `router`; `store` must outlive it.
void add_todo_routes(Router& router, TodoStore& store);

}  // namespace sfs::http
