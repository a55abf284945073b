// The coarse clock: a native thread that writes CLOCK_MONOTONIC, in milliseconds, into
// each registered word every millisecond. JS then reads the time with one memory load
// instead of a clock call (70-150 ns on a VM), which matters when it is read for every
// slice of a scheduler. The thread ticks only while some reader is busy: after
// 50 ticks with none busy it clears every word's `ticking` flag and ends, and
// WakeCoarseClock() starts it again.
#pragma once

#include <cstdint>

namespace xnative {

// A reader's 16 bytes of shared memory. JS uses Atomics on `busy` and `ticking`.
struct CoarseClockWord {
  double nowMs;     // CLOCK_MONOTONIC in ms, written by the thread
  int32_t busy;     // set by the reader while it wants the time kept (a drain)
  int32_t ticking;  // 1 while the thread keeps `nowMs` current, 0 once it has ended
};

// Adds `word` (the time is written into it at once and it is marked ticking), starting
// the thread if it is not running. Returns the time written.
double RegisterCoarseClock(CoarseClockWord* word);

// Removes `word`: once this returns the thread no longer writes to it.
void UnregisterCoarseClock(CoarseClockWord* word);

// Starts the thread again if it has ended, and writes the time into every word, marking
// them ticking. Returns the time written.
double WakeCoarseClock();

}  // namespace xnative
