// Starting programs in C: fork, set the child up, exec. The child only execs; a
// failure before or at exec comes back to the caller as an error with its errno.
#pragma once

#include <sys/types.h>

#include "child.hh"

namespace xnative {

// Starts `options.path` as a child of this process and registers it (see children.hh).
// Throws the child's failure (execve ENOENT, chdir ENOTDIR, ...) after reaping it.
pid_t Spawn(const ChildOptions& options);

}  // namespace xnative
