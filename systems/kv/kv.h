// sfs kv — a Redis-compatible key-value server and its command-line client.
//
//   sfs kv server [--port 6379] [--dir D] [--appendonly yes] [--save "900 1"] [redis.conf]
//   sfs kv cli [-h host] [-p port] [-n db] [-3] [command ...]
//
// The server speaks RESP2/RESP3 and Redis's commands (README.md lists them); its snapshots are
// Redis RDB files and its append-only file is Redis 7's multi-part AOF (FILE_FORMAT.md).
#pragma once

namespace sfs::kv {

// Entry point of `sfs kv` (argv[0] is "kv").
int cli_main(int argc, char** argv);

// `sfs kv server ...` and `sfs kv cli ...`.
int server_main(int argc, char** argv);
int client_main(int argc, char** argv);

}  // namespace sfs::kv
