#include "interrupt.hh"

#include <errno.h>
#include <signal.h>

#include <atomic>
#include <mutex>

#include "actions.hh"
#include "errors.hh"

namespace xnative {

namespace {

std::atomic<int32_t*> word{nullptr};
std::atomic<int> handlersRunning{0};
std::mutex controlLock;
bool counted[NSIG];  // under controlLock

// A signal handler may only touch lock-free atomics: anything else may take a lock the
// interrupted thread holds.
static_assert(std::atomic<int32_t*>::is_always_lock_free, "Count() loads `word` in a signal handler");
static_assert(std::atomic<int>::is_always_lock_free, "Count() updates `handlersRunning` in a signal handler");
static_assert(__atomic_always_lock_free(sizeof(int32_t), nullptr), "Count() updates the word in a signal handler");

// The layer's observer (actions.hh): runs in the signal handler, before the action beneath.
void Count(int sig) {
  handlersRunning.fetch_add(1);
  int32_t* target = word.load();
  if (target) {
    // The signal number first: a reader that sees the counter move reads it next.
    __atomic_store_n(&target[1], sig, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&target[0], 1, __ATOMIC_SEQ_CST);
  }
  handlersRunning.fetch_sub(1);
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
    counted[sig] = true;
    InstallLayer(sig, Count);
  }
}

bool UninstallInterruptHandlers(const std::vector<int>& signals) {
  std::lock_guard<std::mutex> hold(controlLock);
  for (int sig : signals) {
    counted[sig] = false;
    RemoveLayer(sig);
  }
  for (int sig = 1; sig < NSIG; ++sig) {
    if (counted[sig]) return false;
  }
  return true;
}

}  // namespace xnative
