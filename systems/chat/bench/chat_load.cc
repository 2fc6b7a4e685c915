// chat_load: a load generator for IRC servers (used by bench/run.sh to compare `sfs chat server`
// with ngircd). One thread, one epoll, N raw client sockets:
//
//   1. connect N clients (at most --inflight registering at once): NICK, USER, wait for 001;
//      then JOIN the channel (at most --join-batch joining at once), wait for 366 (end of NAMES);
//   2. idle for --idle-seconds, then read the server's RSS (/proc/PID/status) and report
//      (RSS now - RSS before step 1) / N as the memory per idle client;
//   3. throughput: the first --senders clients each send --burst messages at once; the time until
//      every other client has received every message gives deliveries/s and messages/s;
//   4. latency: messages paced so the server delivers about --latency-load deliveries per second,
//      each carrying its send time (CLOCK_MONOTONIC ns); every receiver records now - sent;
//      p50 / p99 / max over all deliveries.
//
// Output: one "key value" line per figure, for the script to collect.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

struct Options {
  int port = 6667;
  int clients = 1000;
  int inflight = 200;
  int join_batch = 500;
  double setup_limit = 300;  // seconds for connecting and joining everyone
  int senders = 100;
  int burst = 20;
  double idle_seconds = 3;
  double latency_seconds = 3;
  double latency_load = 200000;  // deliveries per second offered in the latency phase
  int server_pid = 0;
  std::string channel = "#bench";
};

long rss_kib(int pid) {
  if (pid <= 0) return -1;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

struct Client {
  int fd = -1;
  int index = 0;
  enum State { kConnecting, kRegistering, kRegistered, kJoining, kReady } state = kConnecting;
  std::string in;
  std::string out;
  int64_t received = 0;
};

class Load {
 public:
  explicit Load(Options options) : o_(options) {}

  int run() {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    clients_.resize(o_.clients);
    long rss_before = rss_kib(o_.server_pid);
    auto t0 = Clock::now();
    int next = 0;
    auto last_progress = Clock::now();
    int last_count = 0;
    // Register everyone (a few at a time: connection backlogs are short), then join in large
    // waves (one client per JOIN, as real clients do, but many in flight so that the server's
    // JOIN and NAMES fan-out is batched instead of one write per line).
    while (registered_ < o_.clients) {
      while (next < o_.clients && next - registered_ < o_.inflight) open(next++);
      poll(100);
      if (registered_ != last_count) {
        last_count = registered_;
        last_progress = Clock::now();
      } else if (seconds_since(last_progress) > 60) {
        return fail("registration stalled for 60 s");
      }
    }
    std::printf("register_seconds %.2f\n", seconds_since(t0));
    if (o_.server_pid > 0) std::printf("rss_registered_kib %ld\n", rss_kib(o_.server_pid));
    int joining = 0;
    last_count = 0;
    while (ready_ < o_.clients) {
      while (joining < o_.clients && joining - ready_ < o_.join_batch) {
        Client& c = clients_[joining++];
        c.state = Client::kJoining;
        send(c, "JOIN " + o_.channel + "\r\n");
      }
      poll(100);
      if (ready_ != last_count) {
        last_count = ready_;
        last_progress = Clock::now();
      } else if (seconds_since(last_progress) > 60) {
        return fail("joining stalled for 60 s");
      }
      if (seconds_since(t0) > o_.setup_limit) {
        std::printf("setup_incomplete %d\nsetup_limit_seconds %.0f\n", ready_, o_.setup_limit);
        fail("setup did not finish within the time limit");
        return 3;
      }
    }
    std::printf("setup_seconds %.2f\n", seconds_since(t0));
    // Drain the JOIN/NAMES flood until the server goes quiet, then let it settle.
    drain(o_.idle_seconds);
    long rss_after = rss_kib(o_.server_pid);
    if (rss_before > 0 && rss_after > 0) {
      std::printf("rss_before_kib %ld\nrss_after_kib %ld\n", rss_before, rss_after);
      std::printf("bytes_per_idle_client %.0f\n",
                  (rss_after - rss_before) * 1024.0 / o_.clients);
    }
    if (!throughput()) return 1;
    if (!latency()) return 1;
    return 0;
  }

 private:
  int fail(const char* why) {
    std::fprintf(stderr, "chat_load: %s (ready %d of %d, errors %d)\n", why, ready_, o_.clients,
                 errors_);
    return 1;
  }
  static double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  }

  void open(int i) {
    Client& c = clients_[i];
    c.index = i;
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
      std::perror("socket");
      std::exit(1);
    }
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(o_.port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u32 = static_cast<uint32_t>(i);
    epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev);
    std::string nick = "b" + std::to_string(i);
    c.state = Client::kRegistering;
    send(c, "NICK " + nick + "\r\nUSER " + nick + " 0 * :bench client\r\n");
  }

  void send(Client& c, std::string_view data) {
    if (!c.out.empty()) {
      c.out.append(data);
      return;
    }
    ssize_t n = ::send(c.fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno != EAGAIN && errno != ENOTCONN) {
        ++errors_;
        return;
      }
      n = 0;
    }
    if (static_cast<size_t>(n) < data.size()) c.out.append(data.substr(static_cast<size_t>(n)));
  }

  void flush(Client& c) {
    while (!c.out.empty()) {
      ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      c.out.erase(0, static_cast<size_t>(n));
    }
  }

  // Handles one complete line from the server.
  void line(Client& c, std::string_view l) {
    if (l.rfind("PING ", 0) == 0) {
      std::string pong = "PONG " + std::string(l.substr(5)) + "\r\n";
      send(c, pong);
      return;
    }
    // ":prefix CMD ..." — find the command.
    size_t space = l.find(' ');
    if (space == std::string_view::npos) return;
    std::string_view rest = l.substr(space + 1);
    if (rest.rfind("PRIVMSG ", 0) == 0) {
      size_t colon = rest.find(" :");
      if (colon == std::string_view::npos) return;
      std::string_view text = rest.substr(colon + 2);
      ++c.received;
      ++deliveries_;
      if (text.size() > 2 && text[0] == 'L') {
        int64_t sent = std::strtoll(std::string(text.substr(2)).c_str(), nullptr, 10);
        latencies_.push_back(now_ns() - sent);
      }
      return;
    }
    std::string_view code = rest.substr(0, 3);
    if (c.state == Client::kRegistering && code == "001") {
      c.state = Client::kRegistered;
      ++registered_;
    } else if (c.state == Client::kJoining && code == "366") {
      c.state = Client::kReady;
      ++ready_;
    } else if (code == "433" || code == "432" || code == "471" || code == "465") {
      std::fprintf(stderr, "chat_load: client %d: %.*s\n", c.index, static_cast<int>(l.size()),
                   l.data());
      ++errors_;
    } else if (rest.rfind("ERROR", 0) == 0 || l.rfind("ERROR", 0) == 0) {
      std::fprintf(stderr, "chat_load: client %d closed: %.*s\n", c.index,
                   static_cast<int>(l.size()), l.data());
      ++errors_;
    }
  }

  void readable(Client& c) {
    char buf[65536];
    for (int round = 0; round < 4; ++round) {
      ssize_t n = ::recv(c.fd, buf, sizeof(buf), 0);
      if (n <= 0) {
        if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
          if (c.fd >= 0) {
            ++errors_;
            epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
            close(c.fd);
            c.fd = -1;
            std::fprintf(stderr, "chat_load: client %d disconnected\n", c.index);
          }
        }
        return;
      }
      std::string_view data(buf, static_cast<size_t>(n));
      // Fast path: no partial line pending, parse straight from the read buffer.
      size_t start = 0;
      if (!c.in.empty()) {
        size_t nl = data.find('\n');
        if (nl == std::string_view::npos) {
          c.in.append(data);
          continue;
        }
        c.in.append(data.substr(0, nl + 1));
        std::string_view whole(c.in);
        line(c, strip(whole));
        c.in.clear();
        start = nl + 1;
      }
      while (start < data.size()) {
        size_t nl = data.find('\n', start);
        if (nl == std::string_view::npos) {
          c.in.assign(data.substr(start));
          break;
        }
        line(c, strip(data.substr(start, nl - start + 1)));
        start = nl + 1;
      }
      if (static_cast<size_t>(n) < sizeof(buf)) return;
    }
  }

  static std::string_view strip(std::string_view l) {
    while (!l.empty() && (l.back() == '\n' || l.back() == '\r')) l.remove_suffix(1);
    return l;
  }

  // One epoll round; false when nothing happened for `timeout_ms`.
  bool poll(int timeout_ms) {
    epoll_event events[512];
    int n = epoll_wait(epoll_, events, 512, timeout_ms);
    if (n <= 0) return false;
    for (int i = 0; i < n; ++i) {
      Client& c = clients_[events[i].data.u32];
      if (c.fd < 0) continue;
      if (events[i].events & EPOLLOUT) {
        flush(c);
        if (c.out.empty()) {
          epoll_event ev{};
          ev.events = EPOLLIN;
          ev.data.u32 = events[i].data.u32;
          epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
        }
      }
      if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) readable(c);
    }
    return true;
  }

  void drain(double settle_seconds) {
    // Read until 0.5 s pass without data, then wait out the rest of the settle time.
    auto t0 = Clock::now();
    while (poll(500)) {
    }
    while (seconds_since(t0) < settle_seconds) poll(100);
  }

  bool throughput() {
    int senders = std::min(o_.senders, o_.clients);
    int64_t messages = static_cast<int64_t>(senders) * o_.burst;
    int64_t expected = messages * (o_.clients - 1);
    deliveries_ = 0;
    auto t0 = Clock::now();
    for (int s = 0; s < senders; ++s) {
      std::string batch;
      for (int m = 0; m < o_.burst; ++m) {
        batch += "PRIVMSG " + o_.channel + " :T " + std::to_string(s) + " " + std::to_string(m) +
                 " fan-out throughput test message\r\n";
      }
      send(clients_[s], batch);
    }
    auto last_progress = Clock::now();
    int64_t seen = 0;
    while (deliveries_ < expected) {
      poll(100);
      if (deliveries_ != seen) {
        seen = deliveries_;
        last_progress = Clock::now();
      } else if (seconds_since(last_progress) > 30) {
        std::fprintf(stderr, "chat_load: throughput phase stalled at %lld of %lld deliveries\n",
                     static_cast<long long>(deliveries_), static_cast<long long>(expected));
        return false;
      }
    }
    double seconds = seconds_since(t0);
    std::printf("throughput_messages %lld\nthroughput_deliveries %lld\nthroughput_seconds %.3f\n",
                static_cast<long long>(messages), static_cast<long long>(expected), seconds);
    std::printf("deliveries_per_second %.0f\nmessages_per_second %.0f\n", expected / seconds,
                messages / seconds);
    return true;
  }

  bool latency() {
    double per_second = o_.latency_load / std::max(1, o_.clients - 1);
    int64_t total = std::max<int64_t>(10, static_cast<int64_t>(per_second * o_.latency_seconds));
    int senders = std::min(o_.senders, o_.clients);
    int64_t interval_ns = static_cast<int64_t>(1e9 / per_second);
    latencies_.clear();
    latencies_.reserve(static_cast<size_t>(total) * (o_.clients - 1));
    deliveries_ = 0;
    int64_t start = now_ns();
    for (int64_t k = 0; k < total; ++k) {
      int64_t due = start + k * interval_ns;
      // Wait for the send time without spinning: the server needs the CPU more than we do.
      for (int64_t left = due - now_ns(); left > 0; left = due - now_ns()) {
        poll(static_cast<int>(left / 1000000));
      }
      send(clients_[k % senders], "PRIVMSG " + o_.channel + " :L " + std::to_string(now_ns()) +
                                      " latency probe\r\n");
    }
    int64_t expected = total * (o_.clients - 1);
    auto last_progress = Clock::now();
    int64_t seen = 0;
    while (deliveries_ < expected) {
      poll(100);
      if (deliveries_ != seen) {
        seen = deliveries_;
        last_progress = Clock::now();
      } else if (seconds_since(last_progress) > 30) {
        std::fprintf(stderr, "chat_load: latency phase stalled\n");
        return false;
      }
    }
    std::sort(latencies_.begin(), latencies_.end());
    auto pct = [&](double p) {
      size_t i = static_cast<size_t>(p * static_cast<double>(latencies_.size() - 1));
      return latencies_[i] / 1e6;
    };
    std::printf("latency_messages %lld\nlatency_rate %.1f\n", static_cast<long long>(total),
                per_second);
    std::printf("latency_p50_ms %.3f\nlatency_p99_ms %.3f\nlatency_max_ms %.3f\n", pct(0.5),
                pct(0.99), latencies_.back() / 1e6);
    return true;
  }

  Options o_;
  int epoll_ = -1;
  std::vector<Client> clients_;
  int ready_ = 0;
  int registered_ = 0;
  int errors_ = 0;
  int64_t deliveries_ = 0;
  std::vector<int64_t> latencies_;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--port") o.port = std::atoi(value);
    else if (flag == "--clients") o.clients = std::atoi(value);
    else if (flag == "--inflight") o.inflight = std::atoi(value);
    else if (flag == "--join-batch") o.join_batch = std::atoi(value);
    else if (flag == "--setup-limit") o.setup_limit = std::atof(value);
    else if (flag == "--senders") o.senders = std::atoi(value);
    else if (flag == "--burst") o.burst = std::atoi(value);
    else if (flag == "--idle-seconds") o.idle_seconds = std::atof(value);
    else if (flag == "--latency-seconds") o.latency_seconds = std::atof(value);
    else if (flag == "--latency-load") o.latency_load = std::atof(value);
    else if (flag == "--server-pid") o.server_pid = std::atoi(value);
    else if (flag == "--channel") o.channel = value;
    else {
      std::fprintf(stderr, "chat_load: unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < static_cast<rlim_t>(o.clients + 64)) {
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, static_cast<rlim_t>(o.clients + 64));
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  return Load(o).run();
}
