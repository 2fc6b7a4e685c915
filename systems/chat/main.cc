// `sfs chat`: the system's command line — `sfs chat server` and `sfs chat connect`.
#include "core/flags.h"
#include "systems/chat/chat.h"
#include "systems/chat/server.h"
#include "systems/chat/terminal_client.h"

namespace sfs::chat {

int cli_main(int argc, char** argv) {
  static const core::Subcommand kSubcommands[] = {
      {"server", "Run an IRC server (RFC 1459/2812).", server_main},
      {"connect", "Chat from the terminal with any IRC server.", connect_main},
  };
  return core::dispatch_subcommands(argc, argv, "sfs chat",
                                    "An IRC server and a terminal IRC client.", kSubcommands);
}

}  // namespace sfs::chat
