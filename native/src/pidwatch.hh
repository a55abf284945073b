// Watching any process for its exit, child or not: a pidfd (Linux 5.3+) becomes
// readable when the process ends.
#pragma once

#include <sys/types.h>

#include <optional>

#include "children.hh"

namespace xnative {

// pidfd_open(pid): an fd (close-on-exec) that is readable once the process has exited.
// ESRCH when no such process exists; ENOSYS on kernels before 5.3.
int PidfdOpen(pid_t pid);

// Once the pidfd is readable: the exit status, when this process may know it. A child
// this addon spawned is reaped; another child of ours (libuv's) is only looked at
// (WNOWAIT), so libuv still reaps it; for any other process there is no status.
std::optional<WaitResult> ExitStatus(pid_t pid);

}  // namespace xnative
