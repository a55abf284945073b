#include "clock.hh"

#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "errors.hh"

namespace xnative {

namespace {

constexpr long kTickNs = 1000000;
constexpr int kIdleTicks = 50;

// The thread is detached, and may still be ticking while the process exits and runs its
// static destructors: its state is therefore allocated once and never destroyed, so the
// thread can never lock a destroyed mutex or walk a freed vector.
struct ClockState {
  std::mutex lock;
  std::vector<CoarseClockWord*> words;  // under lock
  bool running = false;                 // under lock: a thread is ticking (or about to end)
};

ClockState& immortal = *new ClockState;
std::mutex& lock = immortal.lock;
std::vector<CoarseClockWord*>& words = immortal.words;
bool& running = immortal.running;

// CLOCK_MONOTONIC in milliseconds (the clock performance.now() is based on).
double MonotonicMs() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec * 1e3 + now.tv_nsec / 1e6;
}

// Under lock.
void Publish(double now, int32_t ticking) {
  for (CoarseClockWord* word : words) {
    __atomic_store(&word->nowMs, &now, __ATOMIC_RELEASE);
    __atomic_store_n(&word->ticking, ticking, __ATOMIC_SEQ_CST);
  }
}

// Under lock.
bool AnyBusy() {
  return std::any_of(words.begin(), words.end(),
                     [](CoarseClockWord* word) { return __atomic_load_n(&word->busy, __ATOMIC_SEQ_CST) != 0; });
}

void Tick() {
  timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  int idle = 0;
  for (;;) {
    next.tv_nsec += kTickNs;
    if (next.tv_nsec >= 1000000000) {
      next.tv_nsec -= 1000000000;
      next.tv_sec += 1;
    }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
    std::lock_guard<std::mutex> hold(lock);
    double now = MonotonicMs();
    // After a stall (a stopped process, a starved VM) tick from now on rather than catch up.
    if (now - (next.tv_sec * 1e3 + next.tv_nsec / 1e6) > 10) clock_gettime(CLOCK_MONOTONIC, &next);
    Publish(now, 1);
    idle = AnyBusy() ? 0 : idle + 1;
    if (!words.empty() && idle < kIdleTicks) continue;
    // Clear `ticking` before the last look at `busy`; a reader sets `busy` before it reads
    // `ticking`. With both sequentially consistent, either the reader sees 0 and wakes the
    // clock, or this sees the reader busy and goes on ticking.
    Publish(now, 0);
    if (!words.empty() && AnyBusy()) {
      Publish(now, 1);
      idle = 0;
      continue;
    }
    running = false;
    return;
  }
}

// Under lock. The time is read first, so it is the time of the call rather than of the end
// of a thread's creation (slow on a loaded machine); the thread is started before any word is
// marked ticking, so a failed start leaves every word as it was.
double StartAndPublish() {
  double now = MonotonicMs();
  if (!running) {
    std::thread thread;
    try {
      thread = std::thread(Tick);
    } catch (const std::system_error& failure) {
      ThrowError(failure.code().value(), "pthread_create");  // EAGAIN: out of threads or memory
    }
    // Named here rather than by the thread itself, so it has its name by the time the caller looks.
    pthread_setname_np(thread.native_handle(), "x-coarse-clock");
    thread.detach();
    running = true;
  }
  Publish(now, 1);
  return now;
}

}  // namespace

double RegisterCoarseClock(CoarseClockWord* word) {
  std::lock_guard<std::mutex> hold(lock);
  bool added = std::find(words.begin(), words.end(), word) == words.end();
  if (added) words.push_back(word);
  try {
    return StartAndPublish();
  } catch (...) {
    if (added) words.pop_back();
    throw;
  }
}

void UnregisterCoarseClock(CoarseClockWord* word) {
  std::lock_guard<std::mutex> hold(lock);
  words.erase(std::remove(words.begin(), words.end(), word), words.end());
  __atomic_store_n(&word->ticking, 0, __ATOMIC_SEQ_CST);
}

double WakeCoarseClock() {
  std::lock_guard<std::mutex> hold(lock);
  return StartAndPublish();
}

}  // namespace xnative
