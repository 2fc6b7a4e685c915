// Sockets: TCP over IPv4 and IPv6, and Unix-domain stream sockets — listening, accepting,
// connecting, and the options servers set. Every descriptor is created close-on-exec; listening
// and accepted sockets are non-blocking (they belong to an EventLoop), connected client sockets
// are blocking unless asked otherwise (simple clients and tests read them directly).
//
// Addresses are numeric or names from /etc/hosts ("127.0.0.1", "::1", "localhost"); resolution
// uses getaddrinfo(). A host of "" or "*" listens on every interface ("::" dual-stack, else
// "0.0.0.0"). Errors name the address: "cannot bind 127.0.0.1:6667: Address already in use".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/fd.h"
#include "core/status.h"

namespace sfs::core {

// Listens on host:port (port 0 = the kernel picks; read it back with local_port()). Sets
// SO_REUSEADDR. The socket is non-blocking.
Result<Fd> tcp_listen(const std::string& host, uint16_t port, int backlog = 511);

// Connects to host:port, trying each resolved address in turn, within timeout_ms (<= 0: the
// system's own timeout). The returned socket is blocking unless `nonblocking`, and has
// TCP_NODELAY set.
Result<Fd> tcp_connect(const std::string& host, uint16_t port, int timeout_ms = 10000,
                       bool nonblocking = false);

// Listens on a Unix-domain socket at `path`, removing a stale socket file first. Non-blocking.
Result<Fd> unix_listen(const std::string& path, int backlog = 511);
// Connects to the Unix-domain socket at `path` (blocking unless `nonblocking`).
Result<Fd> unix_connect(const std::string& path, bool nonblocking = false);

// Accepts one pending connection from a non-blocking listening socket. Returns an invalid Fd
// (not an error) when none is pending. The new socket is non-blocking and close-on-exec; TCP
// sockets get TCP_NODELAY. `peer` (optional) receives the peer's address as "1.2.3.4:5",
// "[::1]:5" or "unix".
Result<Fd> accept_connection(int listen_fd, std::string* peer = nullptr);

Status set_nonblocking(int fd, bool nonblocking = true);
Status set_tcp_nodelay(int fd, bool on = true);
Status set_keepalive(int fd, bool on = true);
Status set_send_buffer(int fd, int bytes);
Status set_receive_buffer(int fd, int bytes);

// The local port of a bound TCP socket.
Result<uint16_t> local_port(int fd);
// "1.2.3.4:5", "[::1]:5" or "unix" for the socket's peer; "?" when unknown.
std::string peer_address(int fd);
// Parses "host:port", "[v6]:port" or ":port"/"port" (host "") into its parts.
Status split_host_port(std::string_view text, std::string* host, uint16_t* port);

}  // namespace sfs::core
