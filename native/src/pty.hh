// Pseudo-terminals: a master/slave pair, its window size and its foreground
// process group.
#pragma once

#include <sys/types.h>

#include <string>

namespace xnative {

struct Pty {
  int master;        // close-on-exec
  int slave;         // close-on-exec; not our controlling terminal
  std::string name;  // the slave's path, e.g. /dev/pts/3
};

// Opens a new pty with the given window size (columns and rows of characters).
Pty OpenPty(unsigned short cols, unsigned short rows);

// Sets the window size of the terminal `fd` (either side); the foreground group gets SIGWINCH.
void SetWindowSize(int fd, unsigned short cols, unsigned short rows);

// The foreground process group of the terminal `fd`.
pid_t ForegroundGroup(int fd);

// Makes `pgid` the foreground process group of the terminal `fd`. SIGTTOU is held
// back meanwhile, so a caller in a background group is not stopped by it.
void SetForegroundGroup(int fd, pid_t pgid);

}  // namespace xnative
