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
  if (pthread_sigmask(SIG_UNBLOCK, &set, nullptr) != 0) ThrowErrno("pthread_sigmask");
  if (raise(sig) != 0) ThrowErrno("raise");
}

}  // namespace xnative
