#include "child.hh"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "errors.hh"

namespace xnative {

PreparedChild::PreparedChild(const ChildOptions& options) : options_(options), staged_(options.fdmap.size()) {
  for (const std::string& arg : options.argv) argv_.push_back(const_cast<char*>(arg.c_str()));
  argv_.push_back(nullptr);
  for (const std::string& entry : options.env) env_.push_back(const_cast<char*>(entry.c_str()));
  env_.push_back(nullptr);
}

void PreparedChild::Exec(int reportFd) const {
  auto fail = [&](ChildStep step) {
    WriteReport(reportFd, {errno, step, 0});
    _exit(127);
  };
  // Default dispositions for every signal (handlers are the parent's code; SIG_IGN
  // would be inherited through exec). The C library refuses its internal signals.
  struct sigaction fallback = {};
  fallback.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &fallback, nullptr);
  }

  if (options_.setsid && setsid() < 0) fail(kStepSetsid);
  if (options_.pgid >= 0 && setpgid(0, options_.pgid) != 0) fail(kStepSetpgid);

  // Move every source above the targets first, so no dup2 overwrites a source still needed.
  const int count = static_cast<int>(staged_.size());
  if (reportFd < count) {
    int moved = fcntl(reportFd, F_DUPFD_CLOEXEC, count);
    if (moved < 0) fail(kStepDup);  // still written to the original, not yet overwritten
    reportFd = moved;
  }
  for (int i = 0; i < count; ++i) {
    int source = options_.fdmap[i];
    if (source < 0) {
      source = open("/dev/null", O_RDWR | O_CLOEXEC);
      if (source < 0) fail(kStepOpen);
    }
    staged_[i] = fcntl(source, F_DUPFD_CLOEXEC, count);
    if (staged_[i] < 0) fail(kStepDup);
    if (options_.fdmap[i] < 0) close(source);
  }
  for (int i = 0; i < count; ++i) {
    if (dup2(staged_[i], i) < 0) fail(kStepDup);
  }
#ifdef CLOSE_RANGE_CLOEXEC
  // Nothing else crosses exec: Node's own fds are close-on-exec already, this makes
  // sure of any other (Linux 5.11+; older kernels keep relying on O_CLOEXEC).
  close_range(count, ~0U, CLOSE_RANGE_CLOEXEC);
#endif

  if (options_.controllingTty >= 0 && ioctl(options_.controllingTty, TIOCSCTTY, 0) != 0) fail(kStepIoctl);
  if (!options_.cwd.empty() && chdir(options_.cwd.c_str()) != 0) fail(kStepChdir);

  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  execve(options_.path.c_str(), argv_.data(), env_.data());
  fail(kStepExec);
  _exit(127);
}

void WriteReport(int fd, const ChildReport& report) {
  ssize_t written;
  do {
    written = write(fd, &report, sizeof report);
  } while (written < 0 && errno == EINTR);
}

std::vector<ChildReport> ReadReports(int fd) {
  std::vector<ChildReport> reports;
  ChildReport report;
  size_t have = 0;
  for (;;) {
    ssize_t got = read(fd, reinterpret_cast<char*>(&report) + have, sizeof report - have);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    have += static_cast<size_t>(got);
    if (have == sizeof report) {
      reports.push_back(report);
      have = 0;
    }
  }
  return reports;
}

void ThrowReport(const ChildReport& report, const ChildOptions& options) {
  switch (report.step) {
    case kStepFork: ThrowError(report.err, "fork");
    case kStepSetsid: ThrowError(report.err, "setsid");
    case kStepSetpgid: ThrowError(report.err, "setpgid");
    case kStepDup: ThrowError(report.err, "dup2");
    case kStepOpen: ThrowError(report.err, "open", "/dev/null");
    case kStepIoctl: ThrowError(report.err, "ioctl");
    case kStepChdir: ThrowError(report.err, "chdir", options.cwd);
    default: ThrowError(report.err, "execve", options.path);
  }
}

SignalsBlocked::SignalsBlocked() {
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous_);
}

SignalsBlocked::~SignalsBlocked() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

void ReapForked(pid_t pid) {
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

Forked ForkAndCollect(const std::function<void(int reportFd)>& child) {
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) ThrowErrno("pipe");
  pid_t pid;
  int forkError;
  {
    SignalsBlocked blocked;
    pid = fork();
    if (pid == 0) {
      close(report[0]);
      child(report[1]);
      _exit(127);
    }
    forkError = errno;
  }
  close(report[1]);
  if (pid < 0) {
    close(report[0]);
    ThrowError(forkError, "fork");
  }
  std::vector<ChildReport> reports = ReadReports(report[0]);
  close(report[0]);
  return {pid, std::move(reports)};
}

}  // namespace xnative
