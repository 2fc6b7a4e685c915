#include "core/event_loop.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

namespace sfs::core {
namespace {

TEST(EventLoopTest, TimersFireInDeadlineOrder) {
  EventLoop loop;
  std::vector<int> order;
  loop.run_after(Milliseconds(30), [&] { order.push_back(3); });
  loop.run_after(Milliseconds(10), [&] { order.push_back(1); });
  loop.run_after(Milliseconds(20), [&] { order.push_back(2); });
  loop.run_after(Milliseconds(40), [&] { loop.stop(); });
  loop.run();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(EventLoopTest, CancelledTimerDoesNotFire) {
  EventLoop loop;
  bool fired = false;
  auto id = loop.run_after(Milliseconds(5), [&] { fired = true; });
  EXPECT_TRUE(loop.cancel(id));
  EXPECT_FALSE(loop.cancel(id));
  loop.run_after(Milliseconds(20), [&] { loop.stop(); });
  loop.run();
  EXPECT_FALSE(fired);
}

TEST(EventLoopTest, PeriodicTimerRepeatsUntilCancelled) {
  EventLoop loop;
  int ticks = 0;
  EventLoop::TimerId id = 0;
  id = loop.run_every(Milliseconds(2), [&] {
    if (++ticks == 5) {
      loop.cancel(id);
      loop.run_after(Milliseconds(20), [&] { loop.stop(); });
    }
  });
  loop.run();
  EXPECT_EQ(ticks, 5);
}

TEST(EventLoopTest, PostFromAnotherThreadWakesTheLoop) {
  EventLoop loop;
  bool ran = false;
  std::thread other([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    loop.post([&] {
      ran = true;
      loop.stop();
    });
  });
  loop.run();
  other.join();
  EXPECT_TRUE(ran);
}

TEST(EventLoopTest, DeferRunsAfterCurrentIteration) {
  EventLoop loop;
  std::vector<std::string> events;
  loop.defer([&] {
    events.push_back("first");
    loop.defer([&] {
      events.push_back("second");
      loop.stop();
    });
  });
  loop.run();
  EXPECT_EQ(events, (std::vector<std::string>{"first", "second"}));
}

TEST(EventLoopTest, BeforeFlushHooksRunBeforeBeforeSleepHooks) {
  EventLoop loop;
  std::vector<std::string> events;
  loop.add_before_sleep([&] { events.push_back("sleep"); });
  loop.add_before_flush([&] { events.push_back("flush"); });
  loop.run_once(Milliseconds(0));
  loop.run_once(Milliseconds(0));
  EXPECT_EQ(events, (std::vector<std::string>{"flush", "sleep", "flush", "sleep"}));
}

struct PipeReader : IoHandler {
  int reads = 0;
  std::string data;
  void on_io(int fd, uint32_t events) override {
    ASSERT_TRUE(events & kReadable);
    char buf[64];
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n > 0) data.append(buf, static_cast<size_t>(n));
    ++reads;
  }
};

TEST(EventLoopTest, DispatchesReadiness) {
  EventLoop loop;
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  PipeReader reader;
  ASSERT_TRUE(loop.watch(fds[0], kReadable, &reader).is_ok());
  ASSERT_EQ(::write(fds[1], "ping", 4), 4);
  loop.run_once(Milliseconds(1000));
  EXPECT_EQ(reader.data, "ping");
  loop.unwatch(fds[0]);
  ASSERT_EQ(::write(fds[1], "more", 4), 4);
  loop.run_once(Milliseconds(20));
  EXPECT_EQ(reader.data, "ping");  // unwatched: not called again
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(EventLoopTest, SignalsArriveThroughTheLoop) {
  EventLoop loop;
  int received = 0;
  ASSERT_TRUE(loop.on_signal(SIGUSR1, [&](int signo) {
                received = signo;
                loop.stop();
              }).is_ok());
  loop.run_after(Milliseconds(10), [] { ::kill(::getpid(), SIGUSR1); });
  loop.run_after(Milliseconds(5000), [&] { loop.stop(); });  // safety net
  loop.run();
  EXPECT_EQ(received, SIGUSR1);
}

}  // namespace
}  // namespace sfs::core
