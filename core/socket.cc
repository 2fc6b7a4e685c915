// Sockets: see socket.h.
#include "core/socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace sfs::core {
namespace {

std::string format_address(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (address->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(address);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
    return std::string(text) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (address->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
    return "[" + std::string(text) + "]:" + std::to_string(ntohs(in6->sin6_port));
  }
  if (address->sa_family == AF_UNIX) return "unix";
  return "?";
}

std::string describe(const std::string& host, uint16_t port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

// getaddrinfo() wrapper owning the result list.
struct AddressList {
  addrinfo* head = nullptr;
  ~AddressList() {
    if (head) freeaddrinfo(head);
  }
};

Status resolve(const std::string& host, uint16_t port, bool passive, AddressList* out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = passive ? AI_PASSIVE : 0;
  std::string service = std::to_string(port);
  const char* node = host.c_str();
  if (passive && (host.empty() || host == "*")) node = nullptr;
  int rc = getaddrinfo(node, service.c_str(), &hints, &out->head);
  if (rc != 0) {
    return Status::not_found("cannot resolve '" + host + "': " + gai_strerror(rc));
  }
  return Status::ok();
}

Status fill_unix_address(const std::string& path, sockaddr_un* address) {
  std::memset(address, 0, sizeof(*address));
  address->sun_family = AF_UNIX;
  if (path.size() >= sizeof(address->sun_path)) {
    return Status::invalid_argument("unix socket path too long: '" + path + "'");
  }
  std::memcpy(address->sun_path, path.data(), path.size());
  return Status::ok();
}

// Waits for a non-blocking connect() to finish; returns its outcome.
Status finish_connect(int fd, int timeout_ms, const std::string& what) {
  pollfd pfd{fd, POLLOUT, 0};
  int rc;
  do {
    rc = ::poll(&pfd, 1, timeout_ms > 0 ? timeout_ms : -1);
  } while (rc < 0 && errno == EINTR);
  if (rc == 0) return Status::timeout("cannot connect to " + what + ": timed out");
  if (rc < 0) return Status::io_error("cannot connect to " + what, errno);
  int err = 0;
  socklen_t len = sizeof(err);
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) return Status::io_error("cannot connect to " + what, err);
  return Status::ok();
}

}  // namespace

Status set_nonblocking(int fd, bool nonblocking) {
  int flags = fcntl(fd, F_GETFL, 0);
  if (flags < 0) return Status::io_error("fcntl(F_GETFL)", errno);
  flags = nonblocking ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (fcntl(fd, F_SETFL, flags) < 0) return Status::io_error("fcntl(F_SETFL)", errno);
  return Status::ok();
}

static Status set_int_option(int fd, int level, int name, int value, const char* what) {
  if (setsockopt(fd, level, name, &value, sizeof(value)) != 0) {
    return Status::io_error(std::string("setsockopt(") + what + ")", errno);
  }
  return Status::ok();
}

Status set_tcp_nodelay(int fd, bool on) {
  return set_int_option(fd, IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0, "TCP_NODELAY");
}
Status set_keepalive(int fd, bool on) {
  return set_int_option(fd, SOL_SOCKET, SO_KEEPALIVE, on ? 1 : 0, "SO_KEEPALIVE");
}
Status set_send_buffer(int fd, int bytes) {
  return set_int_option(fd, SOL_SOCKET, SO_SNDBUF, bytes, "SO_SNDBUF");
}
Status set_receive_buffer(int fd, int bytes) {
  return set_int_option(fd, SOL_SOCKET, SO_RCVBUF, bytes, "SO_RCVBUF");
}

Result<Fd> tcp_listen(const std::string& host, uint16_t port, int backlog) {
  AddressList addresses;
  SFS_TRY(resolve(host, port, /*passive=*/true, &addresses));
  // With no host, prefer the IPv6 wildcard: it accepts IPv4 too (dual-stack).
  addrinfo* chosen = addresses.head;
  if (host.empty() || host == "*") {
    for (addrinfo* a = addresses.head; a; a = a->ai_next) {
      if (a->ai_family == AF_INET6) chosen = a;
    }
  }
  Status last = Status::not_found("no address for " + describe(host, port));
  for (addrinfo* a = chosen; a; a = a->ai_next) {
    Fd fd(::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol));
    if (!fd) {
      last = Status::io_error("socket()", errno);
      continue;
    }
    SFS_TRY(set_int_option(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR"));
    if (a->ai_family == AF_INET6 && (host.empty() || host == "*")) {
      (void)set_int_option(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 0, "IPV6_V6ONLY");
    }
    if (::bind(fd.get(), a->ai_addr, a->ai_addrlen) != 0) {
      last = Status::io_error("cannot bind " + describe(host, port), errno);
      continue;
    }
    if (::listen(fd.get(), backlog) != 0) {
      last = Status::io_error("cannot listen on " + describe(host, port), errno);
      continue;
    }
    return fd;
  }
  return last;
}

Result<Fd> tcp_connect(const std::string& host, uint16_t port, int timeout_ms, bool nonblocking) {
  AddressList addresses;
  SFS_TRY(resolve(host, port, /*passive=*/false, &addresses));
  Status last = Status::not_found("no address for " + describe(host, port));
  for (addrinfo* a = addresses.head; a; a = a->ai_next) {
    Fd fd(::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol));
    if (!fd) {
      last = Status::io_error("socket()", errno);
      continue;
    }
    if (::connect(fd.get(), a->ai_addr, a->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        last = Status::io_error("cannot connect to " + describe(host, port), errno);
        continue;
      }
      if (!nonblocking) {
        Status done = finish_connect(fd.get(), timeout_ms, describe(host, port));
        if (!done.is_ok()) {
          last = done;
          continue;
        }
      }
    }
    (void)set_tcp_nodelay(fd.get());
    if (!nonblocking) SFS_TRY(set_nonblocking(fd.get(), false));
    return fd;
  }
  return last;
}

Result<Fd> unix_listen(const std::string& path, int backlog) {
  sockaddr_un address;
  SFS_TRY(fill_unix_address(path, &address));
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return Status::io_error("socket(AF_UNIX)", errno);
  ::unlink(path.c_str());  // a stale socket file from an earlier run would make bind fail
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    return Status::io_error("cannot bind unix socket '" + path + "'", errno);
  }
  if (::listen(fd.get(), backlog) != 0) {
    return Status::io_error("cannot listen on unix socket '" + path + "'", errno);
  }
  return fd;
}

Result<Fd> unix_connect(const std::string& path, bool nonblocking) {
  sockaddr_un address;
  SFS_TRY(fill_unix_address(path, &address));
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0));
  if (!fd) return Status::io_error("socket(AF_UNIX)", errno);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    return Status::io_error("cannot connect to unix socket '" + path + "'", errno);
  }
  return fd;
}

Result<Fd> accept_connection(int listen_fd, std::string* peer) {
  sockaddr_storage address;
  socklen_t len = sizeof(address);
  for (;;) {
    int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&address), &len,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      auto* sa = reinterpret_cast<sockaddr*>(&address);
      if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6) (void)set_tcp_nodelay(fd);
      if (peer) *peer = format_address(sa);
      return Fd(fd);
    }
    switch (errno) {
      case EINTR:
        continue;
      case EAGAIN:
      case ECONNABORTED:  // the client gave up while queued: nothing to accept
        return Fd();
      default:
        return Status::io_error("accept()", errno);
    }
  }
}

Result<uint16_t> local_port(int fd) {
  sockaddr_storage address;
  socklen_t len = sizeof(address);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len) != 0) {
    return Status::io_error("getsockname()", errno);
  }
  if (address.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
  }
  return Status::invalid_argument("not a TCP socket");
}

std::string peer_address(int fd) {
  sockaddr_storage address;
  socklen_t len = sizeof(address);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&address), &len) != 0) return "?";
  return format_address(reinterpret_cast<sockaddr*>(&address));
}

Status split_host_port(std::string_view text, std::string* host, uint16_t* port) {
  std::string_view port_text = text;
  host->clear();
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Status::invalid_argument("bad address '" + std::string(text) + "': want [host]:port");
    }
    *host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else if (size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    *host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || value > 65535 ||
      port_text.empty()) {
    return Status::invalid_argument("bad port in '" + std::string(text) + "'");
  }
  *port = static_cast<uint16_t>(value);
  return Status::ok();
}

}  // namespace sfs::core
