#include "vspawn.hh"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include "children.hh"
#include "errors.hh"

namespace xnative {

namespace {

// What the cloned child reads: it shares this process's memory until it execs, so these
// live on the parent's stack, which is suspended (CLONE_VFORK) for as long as the child runs.
struct CloneArgs {
  const PreparedChild* prepared;
  int reportFd;
  int readEnd;
};

int ChildMain(void* raw) {
  const CloneArgs* args = static_cast<const CloneArgs*>(raw);
  // The fd table is the child's own (no CLONE_FILES): closing here leaves the parent's alone.
  close(args->readEnd);
  args->prepared->Exec(args->reportFd);
}

// The child's stack: PreparedChild::Exec makes only system calls, so a small one is plenty.
constexpr size_t kStackSize = 256 * 1024;

}  // namespace

pid_t VSpawn(const ChildOptions& options) {
  PreparedChild prepared(options);
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) ThrowErrno("pipe");
  void* stack = mmap(nullptr, kStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) {
    int err = errno;
    close(report[0]);
    close(report[1]);
    ThrowError(err, "mmap");
  }
  CloneArgs args{&prepared, report[1], report[0]};
  pid_t pid;
  int cloneError;
  {
    // Every signal blocked across the clone: the child resets dispositions before it
    // unblocks them, so the parent's handlers never run in it (see SignalsBlocked).
    SignalsBlocked blocked;
    pid = clone(ChildMain, static_cast<char*>(stack) + kStackSize, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
    cloneError = errno;
  }
  munmap(stack, kStackSize);
  close(report[1]);
  if (pid < 0) {
    close(report[0]);
    ThrowError(cloneError, "clone");
  }
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
