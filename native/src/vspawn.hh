// Starting programs without copying this process's page tables: clone(CLONE_VM |
// CLONE_VFORK) on a small stack of its own, as glibc's posix_spawn does, then the same
// child setup as spawn (child.hh). fork() copies the page tables of the whole process,
// which for a Node process of a few hundred MB costs milliseconds per child; here the
// parent is suspended until the child has exec'd (or failed), which spawn waits for anyway.
#pragma once
#include <sys/types.h>
#include "child.hh"

namespace xnative {

// As Spawn (spawn.hh): starts `options.path`, registers the child, throws its failure.
pid_t VSpawn(const ChildOptions& options);

}  // namespace xnative
