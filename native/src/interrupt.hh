// The interrupt word: a C signal handler (the layer of actions.hh) that counts deliveries
// into shared memory the caller registered, then chains to the handler installed before it. A thread
// blocked in Atomics.wait (a @x/latch get) cannot run JS signal listeners, but it can
// poll this word and give up its wait when it changes.
#pragma once

#include <cstdint>
#include <vector>

namespace xnative {

// Registers the word (two Int32s: [0] the delivery counter, [1] the last signal), or
// none with nullptr. Returns the word it replaces; once this returns no handler is still
// writing to that word, so its memory may be released.
int32_t* ReplaceInterruptWord(int32_t* word);

// The word registered now, or nullptr.
int32_t* CurrentInterruptWord();

// Installs the handler for each signal whose current handler is not ours, chaining to
// that current handler. Throws SysError (EINVAL, sigaction) for SIGKILL and SIGSTOP,
// before anything is installed.
void InstallInterruptHandlers(const std::vector<int>& signals);

// Gives each signal whose current handler is ours back the handler it chains to, and
// stops counting it. Returns true when no signal is counted any more.
bool UninstallInterruptHandlers(const std::vector<int>& signals);

}  // namespace xnative
