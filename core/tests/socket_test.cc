#include "core/socket.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/testing/testing.h"

namespace sfs::core {
namespace {

void expect_round_trip(int listen_fd, Fd client) {
  Fd server;
  for (int i = 0; i < 200 && !server; ++i) {
    Result<Fd> accepted = accept_connection(listen_fd);
    ASSERT_TRUE(accepted.is_ok());
    if (accepted->valid()) server = std::move(accepted).value();
    else usleep(5000);
  }
  ASSERT_TRUE(server.valid());
  ASSERT_EQ(::write(client.get(), "hi", 2), 2);
  char buf[8] = {};
  for (int i = 0; i < 200; ++i) {
    if (::read(server.get(), buf, sizeof(buf)) == 2) break;
    usleep(5000);
  }
  EXPECT_EQ(std::string(buf), "hi");
}

TEST(SocketTest, TcpIpv4) {
  Result<Fd> listener = tcp_listen("127.0.0.1", 0);
  ASSERT_TRUE(listener.is_ok()) << listener.status().to_string();
  uint16_t port = *local_port(listener->get());
  ASSERT_GT(port, 0);
  Result<Fd> client = tcp_connect("127.0.0.1", port);
  ASSERT_TRUE(client.is_ok()) << client.status().to_string();
  EXPECT_EQ(peer_address(client->get()), "127.0.0.1:" + std::to_string(port));
  expect_round_trip(listener->get(), std::move(client).value());
}

TEST(SocketTest, TcpIpv6) {
  Result<Fd> listener = tcp_listen("::1", 0);
  if (!listener.is_ok()) GTEST_SKIP() << "no IPv6 loopback: " << listener.status().to_string();
  uint16_t port = *local_port(listener->get());
  Result<Fd> client = tcp_connect("::1", port);
  ASSERT_TRUE(client.is_ok()) << client.status().to_string();
  EXPECT_EQ(peer_address(client->get()), "[::1]:" + std::to_string(port));
  expect_round_trip(listener->get(), std::move(client).value());
}

TEST(SocketTest, UnixDomain) {
  testing::TempDir dir;
  std::string path = dir.file("sock");
  Result<Fd> listener = unix_listen(path);
  ASSERT_TRUE(listener.is_ok()) << listener.status().to_string();
  Result<Fd> client = unix_connect(path);
  ASSERT_TRUE(client.is_ok()) << client.status().to_string();
  expect_round_trip(listener->get(), std::move(client).value());
}

TEST(SocketTest, BindConflictNamesTheAddress) {
  Result<Fd> first = tcp_listen("127.0.0.1", 0);
  ASSERT_TRUE(first.is_ok());
  uint16_t port = *local_port(first->get());
  Result<Fd> second = tcp_listen("127.0.0.1", port);
  ASSERT_FALSE(second.is_ok());
  EXPECT_NE(second.status().message().find("127.0.0.1:" + std::to_string(port)),
            std::string::npos);
}

TEST(SocketTest, ConnectRefused) {
  uint16_t port = testing::free_port();
  Result<Fd> client = tcp_connect("127.0.0.1", port, 2000);
  EXPECT_FALSE(client.is_ok());
}

TEST(SocketTest, SplitHostPort) {
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(split_host_port("localhost:6667", &host, &port).is_ok());
  EXPECT_EQ(host, "localhost");
  EXPECT_EQ(port, 6667);
  ASSERT_TRUE(split_host_port("[::1]:80", &host, &port).is_ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 80);
  ASSERT_TRUE(split_host_port("8080", &host, &port).is_ok());
  EXPECT_EQ(host, "");
  EXPECT_FALSE(split_host_port("x:99999", &host, &port).is_ok());
  EXPECT_FALSE(split_host_port("[::1]80", &host, &port).is_ok());
}

}  // namespace
}  // namespace sfs::core
