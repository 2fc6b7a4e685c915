// ClientConnection: a client's socket — reads requests through RespParser and hands each to
// Server::execute; replies are written into the connection's output buffer by the commands.
#pragma once

#include <string>

#include "core/connection.h"
#include "systems/kv/resp.h"
#include "systems/kv/server.h"

namespace sfs::kv {

class ClientConnection : public core::Connection {
 public:
  ClientConnection(Server& server, core::Fd fd, std::string peer, uint64_t id);
  Client client;

 protected:
  void on_data(core::Buffer& input) override;
  void on_close(const core::Status& reason) override;

 private:
  Server& server_;
  RespParser parser_;
};

}  // namespace sfs::kv
