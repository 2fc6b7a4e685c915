// Subprocess: see process.h.
#include "core/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "core/file.h"

extern char** environ;

namespace sfs::core {
namespace {

Status make_pipe(Fd* read_end, Fd* write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Status::io_error("pipe2", errno);
  read_end->reset(fds[0]);
  write_end->reset(fds[1]);
  return Status::ok();
}

int decode_wait_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

// In the child: make `fd` become `target` (0, 1, 2). Async-signal-safe.
void child_dup(int fd, int target) {
  if (fd == target) {
    int flags = fcntl(fd, F_GETFD);
    fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
  } else {
    dup2(fd, target);
  }
}

// write() that reports EPIPE instead of raising SIGPIPE: the signal is blocked for this thread
// during the call, and a SIGPIPE it generated is consumed before unblocking.
ssize_t write_without_sigpipe(int fd, const char* data, size_t size) {
  sigset_t pipe_only, old;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
  ssize_t n = ::write(fd, data, size);
  int err = errno;
  if (n < 0 && err == EPIPE) {
    timespec zero{0, 0};
    sigtimedwait(&pipe_only, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = err;
  return n;
}

}  // namespace

Subprocess::~Subprocess() {
  if (pid_ > 0 && !exit_code_) {
    (void)kill(SIGKILL);
    (void)wait();
  }
}

Subprocess::Subprocess(Subprocess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      own_group_(other.own_group_),
      exit_code_(other.exit_code_),
      stdin_(std::move(other.stdin_)),
      stdout_(std::move(other.stdout_)),
      stderr_(std::move(other.stderr_)) {}

Subprocess& Subprocess::operator=(Subprocess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && !exit_code_) {
      (void)kill(SIGKILL);
      (void)wait();
    }
    pid_ = std::exchange(other.pid_, -1);
    own_group_ = other.own_group_;
    exit_code_ = other.exit_code_;
    stdin_ = std::move(other.stdin_);
    stdout_ = std::move(other.stdout_);
    stderr_ = std::move(other.stderr_);
  }
  return *this;
}

Result<Subprocess> Subprocess::start(const SubprocessOptions& options) {
  using Stream = SubprocessOptions::Stream;
  if (options.argv.empty()) return Status::invalid_argument("no program to run");

  // Everything the child touches is prepared here, before fork().
  std::vector<char*> argv;
  for (const auto& arg : options.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  std::vector<std::string> env_storage;
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    std::string name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& extra : options.env) {
      if (extra.substr(0, extra.find('=')) == name) replaced = true;
    }
    if (!replaced) env_storage.push_back(std::move(entry));
  }
  for (const auto& extra : options.env) env_storage.push_back(extra);
  std::vector<char*> envp;
  for (auto& entry : env_storage) envp.push_back(entry.data());
  envp.push_back(nullptr);

  Subprocess child;
  Fd child_stdin, child_stdout, child_stderr;
  auto setup = [](Stream mode, bool input, const std::string& file, Fd* parent_end,
                  Fd* child_end) -> Status {
    switch (mode) {
      case Stream::kInherit:
        return Status::ok();
      case Stream::kPipe:
        return input ? make_pipe(child_end, parent_end) : make_pipe(parent_end, child_end);
      case Stream::kNull: {
        SFS_ASSIGN_OR_RETURN(*child_end, open_file("/dev/null", input ? O_RDONLY : O_WRONLY));
        return Status::ok();
      }
      case Stream::kFile: {
        if (input) return Status::invalid_argument("stdin cannot be a kFile stream");
        SFS_ASSIGN_OR_RETURN(*child_end, open_file(file, O_WRONLY | O_CREAT | O_APPEND));
        return Status::ok();
      }
    }
    return Status::ok();
  };
  SFS_TRY(setup(options.stdin_mode, true, "", &child.stdin_, &child_stdin));
  SFS_TRY(setup(options.stdout_mode, false, options.stdout_file, &child.stdout_, &child_stdout));
  SFS_TRY(setup(options.stderr_mode, false, options.stderr_file, &child.stderr_, &child_stderr));

  Fd error_read, error_write;
  SFS_TRY(make_pipe(&error_read, &error_write));

  pid_t pid = ::fork();
  if (pid < 0) return Status::io_error("fork", errno);
  if (pid == 0) {
    // Child: only async-signal-safe calls from here on.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int signo : {SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGHUP, SIGQUIT}) signal(signo, SIG_DFL);
    if (options.new_process_group) setpgid(0, 0);
    if (child_stdin) child_dup(child_stdin.get(), 0);
    if (child_stdout) child_dup(child_stdout.get(), 1);
    if (child_stderr) child_dup(child_stderr.get(), 2);
    if (options.stderr_to_stdout) dup2(1, 2);
    if (!options.working_directory.empty() && chdir(options.working_directory.c_str()) != 0) {
      int err = errno;
      ssize_t n = ::write(error_write.get(), &err, sizeof(err));
      (void)n;
      _exit(127);
    }
    environ = envp.data();
    execvp(argv[0], argv.data());
    int err = errno;
    ssize_t n = ::write(error_write.get(), &err, sizeof(err));
    (void)n;
    _exit(127);
  }
  child.pid_ = pid;
  child.own_group_ = options.new_process_group;
  if (options.new_process_group) setpgid(pid, pid);  // also here: no race with kill()
  error_write.reset();
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(error_read.get(), &child_errno, sizeof(child_errno));
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof(child_errno))) {
    (void)child.wait();
    return Status::io_error("cannot run '" + options.argv[0] + "'", child_errno);
  }
  return child;
}

Status Subprocess::kill(int signo) {
  if (pid_ <= 0 || exit_code_) return Status::ok();
  int rc = own_group_ ? ::kill(-pid_, signo) : ::kill(pid_, signo);
  if (rc != 0 && errno != ESRCH) return Status::io_error("kill", errno);
  return Status::ok();
}

Result<int> Subprocess::wait() {
  if (exit_code_) return *exit_code_;
  if (pid_ <= 0) return Status::invalid_argument("no child process");
  int status = 0;
  pid_t rc;
  do {
    rc = ::waitpid(pid_, &status, 0);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return Status::io_error("waitpid", errno);
  exit_code_ = decode_wait_status(status);
  return *exit_code_;
}

std::optional<int> Subprocess::try_wait() {
  if (exit_code_ || pid_ <= 0) return exit_code_;
  int status = 0;
  pid_t rc = ::waitpid(pid_, &status, WNOHANG);
  if (rc == pid_) exit_code_ = decode_wait_status(status);
  return exit_code_;
}

std::optional<int> Subprocess::wait_for(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    if (auto code = try_wait()) return code;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
}

int Subprocess::terminate(int grace_ms) {
  if (auto code = try_wait()) return *code;
  (void)kill(SIGTERM);
  if (auto code = wait_for(grace_ms)) return *code;
  (void)kill(SIGKILL);
  Result<int> code = wait();
  return code.is_ok() ? *code : 255;
}

Result<std::string> read_all(int fd) {
  std::string out;
  char chunk[16384];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n > 0) {
      out.append(chunk, static_cast<size_t>(n));
    } else if (n == 0) {
      return out;
    } else if (errno != EINTR) {
      return Status::io_error("read", errno);
    }
  }
}

Result<CapturedRun> run_and_capture(const std::vector<std::string>& argv, const std::string& input,
                                    int timeout_ms, const std::vector<std::string>& env) {
  SubprocessOptions options;
  options.argv = argv;
  options.env = env;
  options.stdin_mode = SubprocessOptions::Stream::kPipe;
  options.stdout_mode = SubprocessOptions::Stream::kPipe;
  options.stderr_to_stdout = true;
  SFS_ASSIGN_OR_RETURN(Subprocess child, Subprocess::start(options));

  // Feed stdin and drain stdout together with poll(), so neither side can fill a pipe and
  // deadlock the other.
  std::string_view pending = input;
  if (pending.empty()) {
    child.stdin_pipe().reset();
  } else {
    int flags = fcntl(child.stdin_pipe().get(), F_GETFL);
    fcntl(child.stdin_pipe().get(), F_SETFL, flags | O_NONBLOCK);
  }
  CapturedRun run;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (child.stdout_pipe()) {
    pollfd fds[2];
    int count = 0;
    fds[count++] = {child.stdout_pipe().get(), POLLIN, 0};
    if (child.stdin_pipe()) fds[count++] = {child.stdin_pipe().get(), POLLOUT, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      (void)child.kill(SIGKILL);
      break;
    }
    int rc = ::poll(fds, count, static_cast<int>(left.count()));
    if (rc < 0 && errno != EINTR) return Status::io_error("poll", errno);
    if (count == 2 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = write_without_sigpipe(child.stdin_pipe().get(), pending.data(),
                                        std::min<size_t>(pending.size(), 65536));
      if (n > 0) pending.remove_prefix(static_cast<size_t>(n));
      if (n < 0 && errno != EINTR && errno != EAGAIN) pending = {};
      if (pending.empty()) child.stdin_pipe().reset();
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char chunk[16384];
      ssize_t n = ::read(child.stdout_pipe().get(), chunk, sizeof(chunk));
      if (n > 0) {
        run.output.append(chunk, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        child.stdout_pipe().reset();
      }
    }
  }
  child.stdin_pipe().reset();
  SFS_ASSIGN_OR_RETURN(run.exit_code, child.wait());
  return run;
}

}  // namespace sfs::core
