// Signal dispositions and masks below Node: what JS cannot do because Node or libuv
// owns the signal (SIGUSR1 for the inspector, SIGPIPE which Node ignores). Saving and
// restoring an action is actions.hh's.
#pragma once

#include <vector>

namespace xnative {

enum class Disposition { Default, Ignore };
enum class MaskHow { Block, Unblock, Set };

// Sets the process-wide disposition of `sig` with sigaction(2).
void SetDisposition(int sig, Disposition disposition);

// Restores SIG_DFL for `sig`, unblocks it in the calling thread and raises it, so a
// signal whose default action is to terminate ends the process *by that signal*.
// Returns only when the default action does not terminate (SIGCHLD, SIGCONT, a
// stop signal after the process is continued).
void RaiseDefault(int sig);

// Changes the calling thread's signal mask; returns the signals it blocked before.
std::vector<int> SetMask(MaskHow how, const std::vector<int>& signals);

}  // namespace xnative
