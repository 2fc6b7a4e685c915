// EventLoop: a single-threaded reactor over epoll — descriptors, timers, signals and deferred work.
//
// One loop runs one thread's worth of servers and clients. Each iteration (run_once()) does:
//
//   1. before-sleep: run the before-flush hooks, flush every Connection that queued output this iteration, then run the
//      before-sleep hooks (a system's "after a batch" work, like Redis's beforeSleep)
//   2. wait:   epoll_wait() for at most the time until the earliest timer (0 if work is pending)
//   3. I/O:    call IoHandler::on_io() for each ready descriptor
//   4. timers: run every timer whose deadline has passed (periodic ones are re-armed)
//   5. tasks:  run callbacks queued with defer() or post(), then destroy what destroy_later() got
//
// Why these choices:
// - epoll, level-triggered (as Redis's ae_epoll.c). A handler that reads only part of what is
//   available is simply woken again: fairness between clients costs nothing, and no handler
//   needs to drain a socket to EAGAIN to stay correct (edge-triggered would demand that).
// - Handlers are found through a table indexed by descriptor (epoll_event.data.fd), not through a
//   pointer stored in the kernel. When a handler unwatches its descriptor (or is destroyed) in
//   the middle of a batch, its table slot is cleared and the batch's later events for that
//   descriptor are dropped instead of calling freed memory.
// - Output is written before sleeping, not on every send(): a client that pipelines a hundred
//   requests gets one write() with a hundred replies (Redis's handleClientsWithPendingWrites).
// - Timers live in a binary heap of (deadline, id); cancel() just forgets the id, and a popped
//   entry whose id is gone is skipped (lazy deletion: O(log n) add, O(1) cancel).
// - Signals arrive through a signalfd, so a SIGTERM handler is ordinary code running between
//   events, free to close sockets and write files (a classic signal handler may do neither).
// - Objects a callback wants gone (a closed connection) go to destroy_later(): they die at the
//   end of the iteration, after every pending event that might still mention them.
//
// Thread safety: everything is single-threaded except post() and stop(), which may be called
// from any thread (they write to an eventfd to wake the loop).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <unordered_map>
#include <vector>

#include "core/fd.h"
#include "core/status.h"

namespace sfs::core {

class Connection;

using Clock = std::chrono::steady_clock;
using Milliseconds = std::chrono::milliseconds;

// Interest and readiness flags. Errors and hang-ups are reported as kReadable: the handler's next
// read() returns the error or end-of-file and it reacts to that.
inline constexpr uint32_t kReadable = 1;
inline constexpr uint32_t kWritable = 2;
// Optional, with kReadable/kWritable: edge-triggered notification (EPOLLET). The handler is only
// told when new readiness arrives, so it must read until EAGAIN (or come back by itself), but busy
// sockets are not re-polled on every wait. For servers with many active connections.
inline constexpr uint32_t kEdgeTriggered = 4;

class IoHandler {
 public:
  virtual ~IoHandler() = default;
  // `fd` is ready; `events` is a mask of kReadable | kWritable.
  virtual void on_io(int fd, uint32_t events) = 0;
};

class EventLoop {
 public:
  using TimerId = uint64_t;

  // Creates the epoll instance and the wake-up eventfd. Aborts if the kernel refuses (that only
  // happens when descriptors are exhausted at start-up).
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Starts watching `fd` for `events` (or changes what is watched) and routes readiness to
  // `handler`. REQUIRES: handler outlives the watch (unwatch before destroying it).
  Status watch(int fd, uint32_t events, IoHandler* handler);
  // Stops watching `fd`; pending events for it in the current batch are dropped. Call it before
  // closing the descriptor.
  void unwatch(int fd);

  // Runs `fn` once after `delay`. Returns an id for cancel().
  TimerId run_after(Milliseconds delay, std::function<void()> fn);
  // Runs `fn` every `interval` until cancelled.
  TimerId run_every(Milliseconds interval, std::function<void()> fn);
  // Cancels a timer; returns false if it already ran (one-shot) or never existed.
  bool cancel(TimerId id);

  // Calls `fn(signo)` from the loop when `signo` arrives (SIGINT, SIGTERM, SIGHUP, SIGCHLD...).
  // The signal is blocked for the thread so it is only delivered through the loop. Processes
  // started by core::Subprocess get the default mask back.
  Status on_signal(int signo, std::function<void(int)> fn);

  // Runs `fn` at the end of the current iteration (or the next one, when called between them).
  void defer(std::function<void()> fn);
  // Like defer(), from any thread; wakes the loop.
  void post(std::function<void()> fn);
  // Runs `fn` before every wait, after pending connection output is flushed.
  void add_before_sleep(std::function<void()> fn);
  // Runs `fn` before every wait, BEFORE pending connection output is flushed: the place for work
  // that must be done before replies leave (a log that must be durable before a write is
  // acknowledged, as Redis's beforeSleep fsyncs its AOF before handleClientsWithPendingWrites).
  void add_before_flush(std::function<void()> fn);

  // Keeps `object` alive until the end of the current iteration, then destroys it.
  template <typename T>
  void destroy_later(std::unique_ptr<T> object) {
    graveyard_.emplace_back(std::move(object));
  }

  // Runs iterations until stop() is called.
  void run();
  // Makes run() return after the current iteration. Thread-safe.
  void stop();
  bool stopping() const { return stop_requested_.load(); }
  // One iteration, waiting at most `max_wait` (negative: as long as no timer is due).
  void run_once(Milliseconds max_wait = Milliseconds(-1));

  // The time at the start of the current iteration's callbacks (cheap; refreshed after each wait).
  Clock::time_point now() const { return now_; }
  size_t watched_count() const { return watched_; }

 private:
  friend class Connection;
  struct Timer {
    std::function<void()> fn;
    Milliseconds interval;  // 0 for one-shot
  };
  struct HeapEntry {
    Clock::time_point deadline;
    TimerId id;
    bool operator>(const HeapEntry& other) const { return deadline > other.deadline; }
  };
  class Waker;
  class SignalReader;

  // Connection's output path: queue for the next before-sleep flush / forget it.
  void queue_flush(Connection* connection);
  void forget_flush(Connection* connection);

  int wait_timeout_ms(Milliseconds max_wait) const;
  void run_timers();
  void run_tasks();

  Fd epoll_;
  std::vector<IoHandler*> handlers_;  // by descriptor
  std::vector<uint32_t> interest_;    // by descriptor: what epoll watches now
  size_t watched_ = 0;

  std::priority_queue<HeapEntry, std::vector<HeapEntry>, std::greater<HeapEntry>> timer_heap_;
  std::unordered_map<TimerId, Timer> timers_;
  TimerId next_timer_id_ = 1;

  std::vector<std::function<void()>> tasks_;
  std::vector<std::function<void()>> before_sleep_;
  std::vector<std::function<void()>> before_flush_;
  std::vector<Connection*> flush_queue_;
  std::vector<std::shared_ptr<void>> graveyard_;

  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
  std::unique_ptr<Waker> waker_;
  std::unique_ptr<SignalReader> signals_;

  std::atomic<bool> stop_requested_{false};
  Clock::time_point now_;
};

}  // namespace sfs::core
