// A real daemon: double fork and setsid, so the program runs in a session of its own,
// is no child of ours and can never acquire a controlling terminal.
#pragma once

#include <sys/types.h>

#include "child.hh"

namespace xnative {

// Forks a middle process that calls setsid() and forks the daemon, which execs
// `options.path`; the middle process exits at once and is reaped here. Returns the
// daemon's pid once it has exec'd; throws its failure otherwise. `options.setsid`,
// `pgid` and `controllingTty` are ignored.
pid_t Daemonize(const ChildOptions& options);

}  // namespace xnative
