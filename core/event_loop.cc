// EventLoop: see event_loop.h for the iteration and the design choices.
#include "core/event_loop.h"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/connection.h"

namespace sfs::core {

// Wakes epoll_wait() from another thread: post() and stop() write to this eventfd.
class EventLoop::Waker : public IoHandler {
 public:
  explicit Waker(EventLoop& loop) : loop_(loop), fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (!fd_) {
      std::perror("sfs: eventfd");
      std::abort();
    }
  }
  int fd() const { return fd_.get(); }
  void wake() {
    uint64_t one = 1;
    ssize_t n = ::write(fd_.get(), &one, sizeof(one));
    (void)n;  // EAGAIN means the counter is already non-zero: the loop will wake anyway
  }
  void on_io(int, uint32_t) override {
    uint64_t count;
    ssize_t n = ::read(fd_.get(), &count, sizeof(count));
    (void)n;
    std::vector<std::function<void()>> posted;
    {
      std::lock_guard<std::mutex> lock(loop_.posted_mutex_);
      posted.swap(loop_.posted_);
    }
    for (auto& fn : posted) loop_.tasks_.push_back(std::move(fn));
  }

 private:
  EventLoop& loop_;
  Fd fd_;
};

// Delivers signals through a signalfd. Each on_signal() adds the signal to the blocked mask and
// re-creates the signalfd's mask (signalfd() accepts an existing descriptor to update).
class EventLoop::SignalReader : public IoHandler {
 public:
  explicit SignalReader(EventLoop& loop) : loop_(loop) { sigemptyset(&mask_); }
  ~SignalReader() override {
    if (fd_) {
      loop_.unwatch(fd_.get());
      pthread_sigmask(SIG_UNBLOCK, &mask_, nullptr);
    }
  }

  Status add(int signo, std::function<void(int)> fn) {
    sigaddset(&mask_, signo);
    if (pthread_sigmask(SIG_BLOCK, &mask_, nullptr) != 0) {
      return Status::io_error("pthread_sigmask", errno);
    }
    int fd = ::signalfd(fd_ ? fd_.get() : -1, &mask_, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) return Status::io_error("signalfd", errno);
    if (!fd_) {
      fd_.reset(fd);
      SFS_TRY(loop_.watch(fd, kReadable, this));
    }
    handlers_[signo] = std::move(fn);
    return Status::ok();
  }

  void on_io(int, uint32_t) override {
    signalfd_siginfo info;
    while (::read(fd_.get(), &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info))) {
      auto it = handlers_.find(static_cast<int>(info.ssi_signo));
      if (it != handlers_.end()) it->second(static_cast<int>(info.ssi_signo));
    }
  }

 private:
  EventLoop& loop_;
  Fd fd_;
  sigset_t mask_;
  std::unordered_map<int, std::function<void(int)>> handlers_;
};

EventLoop::EventLoop() : epoll_(::epoll_create1(EPOLL_CLOEXEC)), now_(Clock::now()) {
  if (!epoll_) {
    std::perror("sfs: epoll_create1");
    std::abort();
  }
  waker_ = std::make_unique<Waker>(*this);
  if (!watch(waker_->fd(), kReadable, waker_.get()).is_ok()) {
    std::perror("sfs: epoll_ctl(eventfd)");
    std::abort();
  }
}

EventLoop::~EventLoop() {
  signals_.reset();
  unwatch(waker_->fd());
  // Destroy what callbacks handed over, in case the loop stopped mid-iteration.
  graveyard_.clear();
}

Status EventLoop::watch(int fd, uint32_t events, IoHandler* handler) {
  if (fd < 0) return Status::invalid_argument("watch: bad descriptor");
  size_t index = static_cast<size_t>(fd);
  if (index >= handlers_.size()) {
    handlers_.resize(std::max(index + 1, handlers_.size() * 2), nullptr);
    interest_.resize(handlers_.size(), 0);
  }
  bool known = handlers_[index] != nullptr;
  epoll_event event{};
  event.events = ((events & kReadable) ? EPOLLIN : 0u) | ((events & kWritable) ? EPOLLOUT : 0u) |
                 ((events & kEdgeTriggered) ? static_cast<uint32_t>(EPOLLET) : 0u);
  event.data.fd = fd;
  if (!known || interest_[index] != events) {
    if (epoll_ctl(epoll_.get(), known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event) != 0) {
      return Status::io_error("epoll_ctl", errno);
    }
  }
  if (!known) ++watched_;
  handlers_[index] = handler;
  interest_[index] = events;
  return Status::ok();
}

void EventLoop::unwatch(int fd) {
  size_t index = static_cast<size_t>(fd);
  if (fd < 0 || index >= handlers_.size() || handlers_[index] == nullptr) return;
  epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
  handlers_[index] = nullptr;
  interest_[index] = 0;
  --watched_;
}

EventLoop::TimerId EventLoop::run_after(Milliseconds delay, std::function<void()> fn) {
  TimerId id = next_timer_id_++;
  timers_.emplace(id, Timer{std::move(fn), Milliseconds(0)});
  timer_heap_.push({Clock::now() + delay, id});
  return id;
}

EventLoop::TimerId EventLoop::run_every(Milliseconds interval, std::function<void()> fn) {
  TimerId id = next_timer_id_++;
  interval = std::max(interval, Milliseconds(1));
  timers_.emplace(id, Timer{std::move(fn), interval});
  timer_heap_.push({Clock::now() + interval, id});
  return id;
}

bool EventLoop::cancel(TimerId id) { return timers_.erase(id) > 0; }

Status EventLoop::on_signal(int signo, std::function<void(int)> fn) {
  if (!signals_) signals_ = std::make_unique<SignalReader>(*this);
  return signals_->add(signo, std::move(fn));
}

void EventLoop::defer(std::function<void()> fn) { tasks_.push_back(std::move(fn)); }

void EventLoop::post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(posted_mutex_);
    posted_.push_back(std::move(fn));
  }
  waker_->wake();
}

void EventLoop::add_before_sleep(std::function<void()> fn) { before_sleep_.push_back(std::move(fn)); }

void EventLoop::add_before_flush(std::function<void()> fn) { before_flush_.push_back(std::move(fn)); }

void EventLoop::stop() {
  stop_requested_ = true;
  waker_->wake();
}

void EventLoop::run() {
  stop_requested_ = false;
  while (!stop_requested_) run_once();
  // Let connections write what they queued in the last iteration.
  for (auto& hook : before_flush_) hook();
  for (size_t i = 0; i < flush_queue_.size(); ++i) {
    if (Connection* connection = flush_queue_[i]) connection->flush();
  }
  flush_queue_.clear();
}

void EventLoop::queue_flush(Connection* connection) { flush_queue_.push_back(connection); }

void EventLoop::forget_flush(Connection* connection) {
  auto it = std::find(flush_queue_.begin(), flush_queue_.end(), connection);
  if (it != flush_queue_.end()) *it = nullptr;
}

int EventLoop::wait_timeout_ms(Milliseconds max_wait) const {
  if (!tasks_.empty() || !graveyard_.empty() || stop_requested_) return 0;
  long long wait = max_wait.count();  // < 0: unbounded
  if (!timer_heap_.empty()) {
    auto until = std::chrono::ceil<Milliseconds>(timer_heap_.top().deadline - Clock::now());
    long long due = std::max<long long>(0, until.count());
    wait = wait < 0 ? due : std::min(wait, due);
  }
  return static_cast<int>(std::min<long long>(wait, 24LL * 3600 * 1000));
}

void EventLoop::run_once(Milliseconds max_wait) {
  // 1. Before sleep: before-flush hooks, then write queued output (a flush may queue nothing
  // new; it never re-queues).
  for (auto& hook : before_flush_) hook();
  for (size_t i = 0; i < flush_queue_.size(); ++i) {
    if (Connection* connection = flush_queue_[i]) connection->flush();
  }
  flush_queue_.clear();
  for (auto& hook : before_sleep_) hook();

  // 2. Wait.
  epoll_event events[256];
  int n = epoll_wait(epoll_.get(), events, 256, wait_timeout_ms(max_wait));
  if (n < 0 && errno != EINTR) {
    std::perror("sfs: epoll_wait");
    std::abort();
  }
  now_ = Clock::now();

  // 3. I/O.
  for (int i = 0; i < n; ++i) {
    int fd = events[i].data.fd;
    IoHandler* handler = static_cast<size_t>(fd) < handlers_.size() ? handlers_[fd] : nullptr;
    if (handler == nullptr) continue;  // unwatched earlier in this batch
    uint32_t ready = 0;
    if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) ready |= kReadable;
    if (events[i].events & (EPOLLOUT | EPOLLERR)) ready |= kWritable;
    // Report only what was asked for, plus kReadable for errors so they are noticed.
    uint32_t wanted = interest_[fd] | kReadable;
    handler->on_io(fd, ready & wanted);
  }

  // 4. Timers, 5. tasks and the graveyard.
  run_timers();
  run_tasks();
}

void EventLoop::run_timers() {
  auto now = Clock::now();
  while (!timer_heap_.empty() && timer_heap_.top().deadline <= now) {
    HeapEntry entry = timer_heap_.top();
    timer_heap_.pop();
    auto it = timers_.find(entry.id);
    if (it == timers_.end()) continue;  // cancelled
    if (it->second.interval.count() > 0) {
      // Re-arm from the planned deadline (no drift), but never in the past: a timer that fell
      // behind fires once and then keeps its period.
      auto next = std::max(entry.deadline + it->second.interval, now);
      timer_heap_.push({next, entry.id});
      auto fn = it->second.fn;  // a copy: the callback may cancel its own timer
      fn();
    } else {
      auto fn = std::move(it->second.fn);
      timers_.erase(it);
      fn();
    }
  }
}

void EventLoop::run_tasks() {
  // Tasks may defer more tasks; those run in the next iteration so a task that re-defers itself
  // cannot starve I/O.
  std::vector<std::function<void()>> tasks;
  tasks.swap(tasks_);
  for (auto& task : tasks) task();
  // A destructor may hand over more objects; they wait for the next iteration.
  auto dead = std::move(graveyard_);
  graveyard_.clear();
  dead.clear();
}

}  // namespace sfs::core
