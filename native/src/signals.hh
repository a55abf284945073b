// Signal dispositions below Node: what JS cannot do because Node or libuv owns
// the signal (SIGUSR1 for the inspector, SIGPIPE which Node ignores).
#pragma once

namespace xnative {

enum class Disposition { Default, Ignore };

// Sets the process-wide disposition of `sig` with sigaction(2).
void SetDisposition(int sig, Disposition disposition);

// Restores SIG_DFL for `sig`, unblocks it in the calling thread and raises it, so a
// signal whose default action is to terminate ends the process *by that signal*.
// Returns only when the default action does not terminate (SIGCHLD, SIGCONT, a
// stop signal after the process is continued).
void RaiseDefault(int sig);

}  // namespace xnative
