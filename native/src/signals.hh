// Signal dispositions below Node: what JS cannot do because Node or libuv owns
// the signal (SIGUSR1 for the inspector, SIGPIPE which Node ignores).
#pragma once

namespace xnative {

enum class Disposition { Default, Ignore };

// Sets the process-wide disposition of `sig` with sigaction(2).
void SetDisposition(int sig, Disposition disposition);

// Remembers the current disposition of `sig` (handler, mask and flags), replacing
// any remembered before, so RestoreDisposition can put it back: Node installs its
// own handlers (SIGUSR1 for the inspector, SIG_IGN for SIGPIPE) that libuv
// overwrites and, when the last JS listener goes, resets to SIG_DFL.
void CaptureDisposition(int sig);

// Puts back the disposition CaptureDisposition remembered for `sig`, once; does
// nothing when none is remembered.
void RestoreDisposition(int sig);

// Restores SIG_DFL for `sig`, unblocks it in the calling thread and raises it, so a
// signal whose default action is to terminate ends the process *by that signal*.
// Returns only when the default action does not terminate (SIGCHLD, SIGCONT, a
// stop signal after the process is continued).
void RaiseDefault(int sig);

}  // namespace xnative
