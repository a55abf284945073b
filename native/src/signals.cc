#include "signals.hh"

#include <signal.h>

#include "errors.hh"

namespace xnative {

namespace {

// Only the JS thread of the main isolate changes these; indexed by signal number.
struct sigaction captured[NSIG];
bool isCaptured[NSIG];

}  // namespace

void CaptureDisposition(int sig) {
  if (sigaction(sig, nullptr, &captured[sig]) != 0) ThrowErrno("sigaction");
  isCaptured[sig] = true;
}

void RestoreDisposition(int sig) {
  if (!isCaptured[sig]) return;
  if (sigaction(sig, &captured[sig], nullptr) != 0) ThrowErrno("sigaction");
  isCaptured[sig] = false;
}

void SetDisposition(int sig, Disposition disposition) {
  struct sigaction action = {};
  action.sa_handler = disposition == Disposition::Default ? SIG_DFL : SIG_IGN;
  sigemptyset(&action.sa_mask);
  if (sigaction(sig, &action, nullptr) != 0) ThrowErrno("sigaction");
}

void RaiseDefault(int sig) {
  SetDisposition(sig, Disposition::Default);
  sigset_t set;
  sigemptyset(&set);
  if (sigaddset(&set, sig) != 0) ThrowErrno("sigaddset");
  // A blocked signal stays pending; unblock it here so raise() acts at once.
  if (pthread_sigmask(SIG_UNBLOCK, &set, nullptr) != 0) ThrowErrno("pthread_sigmask");
  if (raise(sig) != 0) ThrowErrno("raise");
}

}  // namespace xnative
