#include "daemonize.hh"

#include <errno.h>
#include <unistd.h>

#include "errors.hh"

namespace xnative {

pid_t Daemonize(const ChildOptions& options) {
  ChildOptions daemon = options;
  daemon.setsid = false;
  daemon.pgid = -1;
  daemon.controllingTty = -1;
  PreparedChild prepared(daemon);
  Forked middle = ForkAndCollect([&](int reportFd) {
    if (setsid() < 0) {
      WriteReport(reportFd, {errno, kStepSetsid, 0});
      _exit(1);
    }
    pid_t pid = fork();
    if (pid == 0) prepared.Exec(reportFd);
    if (pid < 0) {
      WriteReport(reportFd, {errno, kStepFork, 0});
    } else {
      WriteReport(reportFd, {0, kStepPid, pid});
    }
    _exit(0);
  });
  // The reports are in once the middle process has exited and the daemon has exec'd (or failed).
  ReapForked(middle.pid);
  pid_t pid = -1;
  for (const ChildReport& one : middle.reports) {
    if (one.step != kStepPid) ThrowReport(one, daemon);
    pid = one.pid;
  }
  if (pid < 0) ThrowError(ECHILD, "fork");
  return pid;
}

}  // namespace xnative
