#include "interrupt.hh"

#include <errno.h>
#include <signal.h>

#include <atomic>
#include <mutex>

#include "errors.hh"

namespace xnative {

namespace {

// What the handler reads, per signal: the handler it chains to. Written by
// InstallInterruptHandlers into the slot not in use, then published by flipping
// `active`, so a handler running on another thread meanwhile reads a whole action.
struct Chain {
  struct sigaction previous[2];
  std::atomic<int> active{0};
  bool counted = false;  // under controlLock
};

Chain chains[NSIG];
std::atomic<int32_t*> word{nullptr};
std::atomic<int> handlersRunning{0};
std::mutex controlLock;

// Does what the chained-to handler would have done. Async-signal-safe.
void CallPrevious(int sig, siginfo_t* info, void* context) {
  const struct sigaction& previous = chains[sig].previous[chains[sig].active.load()];
  if (previous.sa_handler == SIG_IGN) return;
  if (previous.sa_handler == SIG_DFL) {
    // The default action: give it back, let the signal through, and raise it. A fatal
    // signal ends the process here; after a stop (SIGTSTP) and SIGCONT, or for a
    // signal whose default is to be ignored, the handler is put back.
    struct sigaction fallback = {}, ours;
    fallback.sa_handler = SIG_DFL;
    sigaction(sig, &fallback, &ours);
    sigset_t only, mask;
    sigemptyset(&only);
    sigaddset(&only, sig);
    pthread_sigmask(SIG_UNBLOCK, &only, &mask);
    raise(sig);
    pthread_sigmask(SIG_SETMASK, &mask, nullptr);
    sigaction(sig, &ours, nullptr);
    return;
  }
  if (previous.sa_flags & SA_RESETHAND) {
    // The kernel would have reset the chained-to handler before calling it (Node's own
    // SIGINT/SIGTERM handler relies on this to end the process by re-raising).
    struct sigaction fallback = {};
    fallback.sa_handler = SIG_DFL;
    sigaction(sig, &fallback, nullptr);
  }
  if (previous.sa_flags & SA_SIGINFO) {
    previous.sa_sigaction(sig, info, context);
  } else {
    previous.sa_handler(sig);
  }
}

void Handler(int sig, siginfo_t* info, void* context) {
  int savedErrno = errno;
  handlersRunning.fetch_add(1);
  int32_t* target = word.load();
  if (target) {
    // The signal number first: a reader that sees the counter move reads it next.
    __atomic_store_n(&target[1], sig, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&target[0], 1, __ATOMIC_SEQ_CST);
  }
  handlersRunning.fetch_sub(1);
  CallPrevious(sig, info, context);
  errno = savedErrno;
}

bool IsOurs(const struct sigaction& action) {
  return (action.sa_flags & SA_SIGINFO) && action.sa_sigaction == Handler;
}

}  // namespace

int32_t* ReplaceInterruptWord(int32_t* next) {
  int32_t* previous = word.exchange(next);
  // A handler that loaded the old pointer finishes with it before we return.
  while (handlersRunning.load() != 0) {
  }
  return previous;
}

int32_t* CurrentInterruptWord() { return word.load(); }

void InstallInterruptHandlers(const std::vector<int>& signals) {
  for (int sig : signals) {
    if (sig == SIGKILL || sig == SIGSTOP) ThrowError(EINVAL, "sigaction");
  }
  std::lock_guard<std::mutex> hold(controlLock);
  for (int sig : signals) {
    struct sigaction current;
    if (sigaction(sig, nullptr, &current) != 0) ThrowErrno("sigaction");
    chains[sig].counted = true;
    if (IsOurs(current)) continue;
    Chain& chain = chains[sig];
    int spare = 1 - chain.active.load();
    chain.previous[spare] = current;
    chain.active.store(spare);

    struct sigaction ours = {};
    ours.sa_sigaction = Handler;
    bool handled = current.sa_handler != SIG_DFL && current.sa_handler != SIG_IGN;
    // The chained-to handler's flags and mask, so system calls restart (or not) and
    // signals are held back as they were; SA_RESETHAND is emulated in CallPrevious().
    ours.sa_flags = SA_SIGINFO | (handled ? (current.sa_flags & ~(SA_RESETHAND | SA_SIGINFO)) : SA_RESTART);
    ours.sa_mask = current.sa_mask;
    if (sigaction(sig, &ours, nullptr) != 0) ThrowErrno("sigaction");
  }
}

bool UninstallInterruptHandlers(const std::vector<int>& signals) {
  std::lock_guard<std::mutex> hold(controlLock);
  for (int sig : signals) {
    chains[sig].counted = false;
    struct sigaction current;
    if (sigaction(sig, nullptr, &current) != 0) ThrowErrno("sigaction");
    if (!IsOurs(current)) continue;
    const Chain& chain = chains[sig];
    if (sigaction(sig, &chain.previous[chain.active.load()], nullptr) != 0) ThrowErrno("sigaction");
  }
  for (int sig = 1; sig < NSIG; ++sig) {
    if (chains[sig].counted) return false;
  }
  return true;
}

}  // namespace xnative
