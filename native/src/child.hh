// What a forked child does before it execs, shared by spawn and daemonize. Everything
// the child needs is prepared before fork(): between fork and exec the child of a
// threaded process may only make async-signal-safe calls, so it never allocates.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace xnative {

struct ChildOptions {
  std::string path;               // executed as is: no PATH search
  std::vector<std::string> argv;  // argv[0] included
  std::vector<std::string> env;   // "NAME=value"
  std::vector<int> fdmap;         // child fd i <- parent fd fdmap[i]; -1 opens /dev/null
  std::string cwd;                // empty: the parent's
  bool setsid = false;            // a new session (and process group)
  pid_t pgid = -1;                // -1: keep the parent's group; 0: a group of its own
  int controllingTty = -1;        // child fd to make the controlling terminal (needs setsid)
};

// The options in the form the child reads: C strings and preallocated room.
class PreparedChild {
 public:
  explicit PreparedChild(const ChildOptions& options);

  // In the forked child: resets signals, sets up session, group, fds and cwd, then
  // execs. On failure it writes a ChildReport to `reportFd` and exits with 127.
  [[noreturn]] void Exec(int reportFd) const;

  const ChildOptions& options() const { return options_; }

 private:
  const ChildOptions& options_;
  std::vector<char*> argv_;
  std::vector<char*> env_;
  mutable std::vector<int> staged_;  // written only in the child
};

// One message on the report pipe: the failure of a step in the child, or (from
// daemonize's middle process) the daemon's pid.
struct ChildReport {
  int err;    // 0 for a pid message
  int step;   // a ChildStep
  pid_t pid;  // for a pid message
};

enum ChildStep { kStepPid, kStepFork, kStepSetsid, kStepSetpgid, kStepDup, kStepOpen, kStepIoctl, kStepChdir, kStepExec };

// Writes one report (async-signal-safe).
void WriteReport(int fd, const ChildReport& report);

// Reads every report until the pipe's write ends are all closed (each has exec'd or exited).
std::vector<ChildReport> ReadReports(int fd);

// Throws the SysError a failure report stands for (syscall and path named after the step).
[[noreturn]] void ThrowReport(const ChildReport& report, const ChildOptions& options);

// Blocks every signal in the calling thread for its lifetime: a signal arriving between
// fork and exec must not run the parent's handlers (libuv's) in the child.
class SignalsBlocked {
 public:
  SignalsBlocked();
  ~SignalsBlocked();

 private:
  sigset_t previous_;
};

// Reaps a process this call forked itself (blocking, retrying EINTR).
void ReapForked(pid_t pid);

struct Forked {
  pid_t pid;
  std::vector<ChildReport> reports;  // what the child (and its own children) reported
};

// Forks with every signal blocked and runs `child(reportFd)` in the child, which must exec
// or _exit. Returns once every copy of the report pipe's write end is closed (exec'd or
// exited). Throws SysError for a failed pipe or fork.
Forked ForkAndCollect(const std::function<void(int reportFd)>& child);

}  // namespace xnative
