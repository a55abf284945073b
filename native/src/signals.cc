#include "signals.hh"

#include <signal.h>

#include "errors.hh"

namespace xnative {

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
  int err = pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  if (err != 0) ThrowError(err, "pthread_sigmask");
  if (raise(sig) != 0) ThrowErrno("raise");
}

std::vector<int> SetMask(MaskHow how, const std::vector<int>& signals) {
  sigset_t set, previous;
  sigemptyset(&set);
  for (int sig : signals) {
    if (sigaddset(&set, sig) != 0) ThrowErrno("sigaddset");
  }
  int kind = how == MaskHow::Block ? SIG_BLOCK : how == MaskHow::Unblock ? SIG_UNBLOCK : SIG_SETMASK;
  int err = pthread_sigmask(kind, &set, &previous);
  if (err != 0) ThrowError(err, "pthread_sigmask");
  std::vector<int> blocked;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sigismember(&previous, sig) == 1) blocked.push_back(sig);
  }
  return blocked;
}

}  // namespace xnative
