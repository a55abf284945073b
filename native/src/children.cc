#include "children.hh"

#include <errno.h>
#include <sys/wait.h>

#include <mutex>
#include <set>

#include "errors.hh"

namespace xnative {

namespace {

// Spawned from any thread (worker threads load the addon too).
std::mutex childrenLock;
std::set<pid_t> children;

}  // namespace

void RegisterChild(pid_t pid) {
  std::lock_guard<std::mutex> hold(childrenLock);
  children.insert(pid);
}

bool IsChild(pid_t pid) {
  std::lock_guard<std::mutex> hold(childrenLock);
  return children.count(pid) != 0;
}

WaitResult Decode(pid_t pid, int status) {
  WaitResult result{pid};
  if (WIFEXITED(status)) {
    result.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
    result.coreDumped = WCOREDUMP(status);
  } else if (WIFSTOPPED(status)) {
    result.signal = WSTOPSIG(status);
    result.stopped = true;
  } else if (WIFCONTINUED(status)) {
    result.continued = true;
  }
  return result;
}

std::optional<WaitResult> Wait(pid_t pid, int flags) {
  if (!IsChild(pid)) ThrowError(ECHILD, "waitpid");
  int status;
  pid_t changed;
  do {
    changed = waitpid(pid, &status, flags);
  } while (changed < 0 && errno == EINTR);
  if (changed < 0) {
    int err = errno;
    if (err == ECHILD) {
      std::lock_guard<std::mutex> hold(childrenLock);
      children.erase(pid);
    }
    ThrowError(err, "waitpid");
  }
  if (changed == 0) return std::nullopt;
  WaitResult result = Decode(pid, status);
  if (!result.stopped && !result.continued) {
    std::lock_guard<std::mutex> hold(childrenLock);
    children.erase(pid);
  }
  return result;
}

}  // namespace xnative
