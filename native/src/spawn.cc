#include "spawn.hh"

#include <fcntl.h>
#include <unistd.h>

#include "children.hh"
#include "errors.hh"

namespace xnative {

pid_t Spawn(const ChildOptions& options) {
  PreparedChild prepared(options);
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) ThrowErrno("pipe");
  pid_t pid;
  int forkError;
  {
    SignalsBlocked blocked;
    pid = fork();
    if (pid == 0) {
      close(report[0]);
      prepared.Exec(report[1]);
    }
    forkError = errno;
  }
  close(report[1]);
  if (pid < 0) {
    close(report[0]);
    ThrowError(forkError, "fork");
  }
  // The write end closes at exec (close-on-exec) or when the child exits after reporting.
  std::vector<ChildReport> reports = ReadReports(report[0]);
  close(report[0]);
  if (!reports.empty()) {
    ReapForked(pid);
    ThrowReport(reports.front(), options);
  }
  RegisterChild(pid);
  return pid;
}

}  // namespace xnative
