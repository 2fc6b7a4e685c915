// ClientConnection: see client_connection.h.
#include "systems/kv/client_connection.h"

#include "core/log.h"
#include "core/socket.h"
#include "systems/kv/util.h"

namespace sfs::kv {

ClientConnection::ClientConnection(Server& server, core::Fd fd, std::string peer, uint64_t id)
    : Connection(server.loop(), std::move(fd), peer), client(server, id), server_(server) {
  client.connection = this;
  client.peer = std::move(peer);
  client.created_ms = now_ms();
  client.last_interaction_ms = client.created_ms;
}

void ClientConnection::on_data(core::Buffer& input) {
  client.last_interaction_ms = now_ms();
  server_.stats().net_input_bytes += input.size();
  while (!closed() && !client.blocked && !client.close_requested) {
    RespParser::Result r = parser_.parse(input.view());
    if (r == RespParser::Result::kNeedMore) break;
    if (r == RespParser::Result::kError) {
      // Redis answers a protocol error and closes the connection.
      client.reply.set_output(&output());
      client.reply.error(parser_.error());
      SFS_LOG_DEBUG("client ", client.peer, ": ", parser_.error());
      input.consume(input.size());
      parser_.reset();
      close_after_flush();
      return;
    }
    if (!parser_.args().empty() && !server_.execute(client, parser_.args())) {
      parser_.reset();  // postponed by CLIENT PAUSE: the request stays buffered
      break;
    }
    if (closed()) return;
    input.consume(parser_.consumed());
    parser_.reset();
  }
  if (client.close_requested && !closed()) close_after_flush();
}

void ClientConnection::on_close(const core::Status& reason) {
  if (!reason.is_ok() && reason.code() != core::Code::kClosed) {
    SFS_LOG_DEBUG("client ", client.peer, " closed: ", reason.message());
  }
  server_.remove_client(this);
}

}  // namespace sfs::kv
