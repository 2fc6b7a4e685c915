// core::EventLoop's kEdgeTriggered flag (added for this server): readiness is reported once per
// arrival of new data, not on every iteration while bytes sit unread; a change of interest re-arms
// the edge. Level-triggered watching (the default) is unchanged.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/event_loop.h"

namespace sfs::core {
namespace {

struct Counter : IoHandler {
  int calls = 0;
  void on_io(int, uint32_t) override { ++calls; }
};

TEST(HttpEdgeTriggerTest, ReportsNewDataOnce) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
  EventLoop loop;
  Counter edge;
  ASSERT_TRUE(loop.watch(fds[0], kReadable | kEdgeTriggered, &edge).is_ok());
  ASSERT_EQ(::write(fds[1], "x", 1), 1);
  for (int i = 0; i < 5; ++i) loop.run_once(Milliseconds(10));
  EXPECT_EQ(edge.calls, 1);  // unread, but not reported again
  ASSERT_EQ(::write(fds[1], "y", 1), 1);
  for (int i = 0; i < 3; ++i) loop.run_once(Milliseconds(10));
  EXPECT_EQ(edge.calls, 2);  // new data: a new edge
  // Changing the interest re-arms: the unread bytes are reported again.
  ASSERT_TRUE(loop.watch(fds[0], kReadable | kWritable | kEdgeTriggered, &edge).is_ok());
  loop.run_once(Milliseconds(10));
  EXPECT_EQ(edge.calls, 3);
  loop.unwatch(fds[0]);

  Counter level;
  ASSERT_TRUE(loop.watch(fds[0], kReadable, &level).is_ok());
  for (int i = 0; i < 3; ++i) loop.run_once(Milliseconds(10));
  EXPECT_EQ(level.calls, 3);  // level-triggered: every iteration while unread
  loop.unwatch(fds[0]);
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace sfs::core
