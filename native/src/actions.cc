#include "actions.hh"

#include <errno.h>
#include <signal.h>

#include <atomic>
#include <mutex>

#include "errors.hh"

namespace xnative {

namespace {

// Per signal. `beneath` is what the layer chains to: written into the slot not in use, then
// published by flipping `active`, so a handler running meanwhile on another thread reads a
// whole action.
struct Saved {
  struct sigaction beneath[2];
  std::atomic<int> active{0};
  struct sigaction captured;  // under lock
  bool isCaptured = false;    // under lock
};

Saved saved[NSIG];
std::atomic<Observer> observer{nullptr};
std::mutex lock;

// A signal handler may only touch lock-free atomics: anything else may take a lock the
// interrupted thread holds.
static_assert(std::atomic<int>::is_always_lock_free, "the layer reads `active` in a signal handler");
static_assert(std::atomic<Observer>::is_always_lock_free, "the layer reads `observer` in a signal handler");

const struct sigaction& Beneath(int sig) { return saved[sig].beneath[saved[sig].active.load()]; }

// Does what the action beneath the layer would have done. Async-signal-safe.
void CallBeneath(int sig, siginfo_t* info, void* context) {
  const struct sigaction& beneath = Beneath(sig);
  if (beneath.sa_handler == SIG_IGN) return;
  if (beneath.sa_handler == SIG_DFL) {
    // The default action: give it back, let the signal through, and raise it. A fatal
    // signal ends the process here; after a stop (SIGTSTP) and SIGCONT, or for a
    // signal whose default is to be ignored, the layer is put back.
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
  if (beneath.sa_flags & SA_RESETHAND) {
    // The kernel would have reset the chained-to handler before calling it (Node's own
    // SIGINT/SIGTERM handler relies on this to end the process by re-raising).
    struct sigaction fallback = {};
    fallback.sa_handler = SIG_DFL;
    sigaction(sig, &fallback, nullptr);
  }
  if (beneath.sa_flags & SA_SIGINFO) {
    beneath.sa_sigaction(sig, info, context);
  } else {
    beneath.sa_handler(sig);
  }
}

void LayerHandler(int sig, siginfo_t* info, void* context) {
  int savedErrno = errno;
  Observer observe = observer.load();
  if (observe) observe(sig);
  CallBeneath(sig, info, context);
  errno = savedErrno;
}

bool IsLayer(const struct sigaction& action) { return (action.sa_flags & SA_SIGINFO) && action.sa_sigaction == LayerHandler; }

struct sigaction CurrentAction(int sig) {
  struct sigaction current;
  if (sigaction(sig, nullptr, &current) != 0) ThrowErrno("sigaction");
  return current;
}

// Under lock: the layer over `beneath`, installed, with `beneath` published for it to chain to.
void PutLayerOver(int sig, const struct sigaction& beneath) {
  Saved& slot = saved[sig];
  int spare = 1 - slot.active.load();
  slot.beneath[spare] = beneath;
  slot.active.store(spare);

  struct sigaction ours = {};
  ours.sa_sigaction = LayerHandler;
  bool handled = beneath.sa_handler != SIG_DFL && beneath.sa_handler != SIG_IGN;
  // The chained-to handler's flags and mask, so system calls restart (or not) and
  // signals are held back as they were; SA_RESETHAND is emulated in CallBeneath().
  ours.sa_flags = SA_SIGINFO | (handled ? (beneath.sa_flags & ~(SA_RESETHAND | SA_SIGINFO)) : SA_RESTART);
  ours.sa_mask = beneath.sa_mask;
  if (sigaction(sig, &ours, nullptr) != 0) ThrowErrno("sigaction");
}

}  // namespace

void InstallLayer(int sig, Observer observe) {
  std::lock_guard<std::mutex> hold(lock);
  observer.store(observe);
  struct sigaction current = CurrentAction(sig);
  if (!IsLayer(current)) PutLayerOver(sig, current);
}

void RemoveLayer(int sig) {
  std::lock_guard<std::mutex> hold(lock);
  if (!IsLayer(CurrentAction(sig))) return;
  if (sigaction(sig, &Beneath(sig), nullptr) != 0) ThrowErrno("sigaction");
}

void CaptureDisposition(int sig) {
  std::lock_guard<std::mutex> hold(lock);
  struct sigaction current = CurrentAction(sig);
  saved[sig].captured = IsLayer(current) ? Beneath(sig) : current;
  saved[sig].isCaptured = true;
}

void RestoreDisposition(int sig) {
  std::lock_guard<std::mutex> hold(lock);
  Saved& slot = saved[sig];
  if (!slot.isCaptured) return;
  if (IsLayer(CurrentAction(sig))) {
    PutLayerOver(sig, slot.captured);
  } else if (sigaction(sig, &slot.captured, nullptr) != 0) {
    ThrowErrno("sigaction");
  }
  slot.isCaptured = false;
}

}  // namespace xnative
