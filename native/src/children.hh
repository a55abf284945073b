// The children this addon spawned, and waiting for them. libuv reaps its own children
// (child_process) by pid, so this addon never calls waitpid(-1) and never waits for a
// pid it did not spawn: it would steal the status libuv is waiting for.
#pragma once

#include <sys/types.h>

#include <optional>

namespace xnative {

// A change of state, decoded from a wait status.
struct WaitResult {
  pid_t pid;
  int code = -1;    // exit code, when it exited
  int signal = -1;  // the signal that ended (or stopped) it
  bool coreDumped = false;
  bool stopped = false;
  bool continued = false;
};

void RegisterChild(pid_t pid);
bool IsChild(pid_t pid);

// waitpid(pid, flags) for a child this addon spawned; ECHILD (without calling waitpid)
// for any other pid. Returns nullopt when WNOHANG finds no change. A child that exited is
// forgotten.
std::optional<WaitResult> Wait(pid_t pid, int flags);

// Decodes a waitpid status.
WaitResult Decode(pid_t pid, int status);

}  // namespace xnative
