// Subprocess: start a program, talk to it through pipes or files, wait for it, stop it.
//
// fork() + execvp() with the "close-on-exec error pipe" trick: the child writes errno to a pipe
// whose write end closes on a successful exec, so start() returns an error for a program that
// does not exist instead of a child that exits 127 later. Everything the child needs (argv, env)
// is built before fork(), since between fork() and exec() only async-signal-safe calls are
// allowed. The child gets an empty signal mask and default dispositions back (an EventLoop that
// took SIGINT/SIGTERM through a signalfd blocked them, and a blocked mask survives exec).
//
// The destructor kills (SIGKILL) and reaps a child that is still running, so a failing test can
// never leave a server behind.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/fd.h"
#include "core/status.h"

namespace sfs::core {

struct SubprocessOptions {
  enum class Stream {
    kInherit,  // the parent's descriptor
    kPipe,     // a pipe the parent reads/writes through stdin_pipe()/stdout_pipe()/stderr_pipe()
    kNull,     // /dev/null
    kFile,     // stdout/stderr: appended to stdout_file / stderr_file
  };
  std::vector<std::string> argv;  // argv[0] is looked up in PATH unless it contains a '/'
  std::vector<std::string> env;   // "NAME=value" entries added to (or replacing in) environ
  std::string working_directory;  // empty: the parent's
  Stream stdin_mode = Stream::kInherit;
  Stream stdout_mode = Stream::kInherit;
  Stream stderr_mode = Stream::kInherit;
  std::string stdout_file;
  std::string stderr_file;
  bool stderr_to_stdout = false;  // 2>&1 (after stdout is set up)
  bool new_process_group = false;  // setpgid(0, 0), so kill_group() reaches its children
};

class Subprocess {
 public:
  Subprocess() = default;
  ~Subprocess();
  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) noexcept;

  static Result<Subprocess> start(const SubprocessOptions& options);

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && !exit_code_; }
  Fd& stdin_pipe() { return stdin_; }
  Fd& stdout_pipe() { return stdout_; }
  Fd& stderr_pipe() { return stderr_; }

  // Sends a signal to the child (or to its process group, when it has its own).
  Status kill(int signo);
  // Waits for the child to exit; returns its exit code, or 128 + signal number if a signal
  // killed it (the shell's convention).
  Result<int> wait();
  // The exit code if the child has exited, without blocking.
  std::optional<int> try_wait();
  // Waits at most timeout_ms; nullopt if still running.
  std::optional<int> wait_for(int timeout_ms);
  // SIGTERM, wait up to grace_ms, then SIGKILL; returns the exit code.
  int terminate(int grace_ms = 5000);

 private:
  pid_t pid_ = -1;
  bool own_group_ = false;
  std::optional<int> exit_code_;
  Fd stdin_;
  Fd stdout_;
  Fd stderr_;
};

struct CapturedRun {
  int exit_code = 0;
  std::string output;  // stdout and stderr interleaved
};

// Runs a program to completion, feeding it `input` on stdin and capturing its output. A program
// still running after timeout_ms is killed (exit code 128 + SIGKILL).
Result<CapturedRun> run_and_capture(const std::vector<std::string>& argv,
                                    const std::string& input = "", int timeout_ms = 60000,
                                    const std::vector<std::string>& env = {});

// Reads a descriptor to end-of-file.
Result<std::string> read_all(int fd);

}  // namespace sfs::core
