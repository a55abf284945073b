#include "daemonize.hh"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "errors.hh"

namespace xnative {

pid_t Daemonize(const ChildOptions& options) {
  ChildOptions daemon = options;
  daemon.setsid = false;
  daemon.pgid = -1;
  daemon.controllingTty = -1;
  PreparedChild prepared(daemon);
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) ThrowErrno("pipe");
  pid_t middle;
  int forkError;
  {
    SignalsBlocked blocked;
    middle = fork();
    if (middle == 0) {
      close(report[0]);
      if (setsid() < 0) {
        WriteReport(report[1], {errno, kStepSetsid, 0});
        _exit(1);
      }
      pid_t pid = fork();
      if (pid == 0) prepared.Exec(report[1]);
      if (pid < 0) {
        WriteReport(report[1], {errno, kStepFork, 0});
      } else {
        WriteReport(report[1], {0, kStepPid, pid});
      }
      _exit(0);
    }
    forkError = errno;
  }
  close(report[1]);
  if (middle < 0) {
    close(report[0]);
    ThrowError(forkError, "fork");
  }
  // EOF comes once the middle process has exited and the daemon has exec'd (or failed).
  std::vector<ChildReport> reports = ReadReports(report[0]);
  close(report[0]);
  ReapForked(middle);
  pid_t pid = -1;
  for (const ChildReport& one : reports) {
    if (one.step != kStepPid) ThrowReport(one, daemon);
    pid = one.pid;
  }
  if (pid < 0) ThrowError(ECHILD, "fork");
  return pid;
}

}  // namespace xnative
