#include "pty.hh"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "errors.hh"

namespace xnative {

namespace {

// Closes an fd unless released: keeps a half-opened pty from leaking on error.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) close(fd);
  }
  int release() {
    int kept = fd;
    fd = -1;
    return kept;
  }
};

}  // namespace

Pty OpenPty(unsigned short cols, unsigned short rows) {
  FdCloser master{posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)};
  if (master.fd < 0) ThrowErrno("posix_openpt");
  if (grantpt(master.fd) != 0) ThrowErrno("grantpt");
  if (unlockpt(master.fd) != 0) ThrowErrno("unlockpt");
  char name[128];
  int err = ptsname_r(master.fd, name, sizeof name);
  if (err != 0) ThrowError(err, "ptsname_r");
  FdCloser slave{open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)};
  if (slave.fd < 0) ThrowErrno("open", name);
  SetWindowSize(master.fd, cols, rows);
  return {master.release(), slave.release(), name};
}

void SetWindowSize(int fd, unsigned short cols, unsigned short rows) {
  struct winsize size = {};
  size.ws_col = cols;
  size.ws_row = rows;
  if (ioctl(fd, TIOCSWINSZ, &size) != 0) ThrowErrno("ioctl");
}

pid_t ForegroundGroup(int fd) {
  pid_t group = tcgetpgrp(fd);
  if (group < 0) ThrowErrno("tcgetpgrp");
  return group;
}

void SetForegroundGroup(int fd, pid_t pgid) {
  sigset_t ttou, previous;
  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  pthread_sigmask(SIG_BLOCK, &ttou, &previous);
  int result = tcsetpgrp(fd, pgid);
  int err = errno;
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (result != 0) ThrowError(err, "tcsetpgrp");
}

}  // namespace xnative
