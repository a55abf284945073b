#include "pidwatch.hh"

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errors.hh"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

namespace xnative {

int PidfdOpen(pid_t pid) {
  long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) ThrowErrno("pidfd_open");
  return static_cast<int>(fd);
}

std::optional<WaitResult> ExitStatus(pid_t pid) {
  if (IsChild(pid)) {
    try {
      return Wait(pid, WNOHANG);
    } catch (const SysError&) {
      return std::nullopt;  // someone else reaped it (a waitpid call raced this watch)
    }
  }
  siginfo_t info = {};
  if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid != pid) {
    return std::nullopt;
  }
  WaitResult result{pid};
  if (info.si_code == CLD_EXITED) {
    result.code = info.si_status;
  } else {
    result.signal = info.si_status;
    result.coreDumped = info.si_code == CLD_DUMPED;
  }
  return result;
}

}  // namespace xnative
