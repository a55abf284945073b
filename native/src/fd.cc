#include "fd.hh"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "errors.hh"

namespace xnative {

namespace {

// The most fds one message carries (Linux's SCM_MAX_FD).
constexpr size_t kMaxFds = 253;

void SetFlag(int fd, int getCmd, int setCmd, int flag, bool on, const char* syscall) {
  int flags = fcntl(fd, getCmd);
  if (flags < 0) ThrowErrno(syscall);
  int updated = on ? (flags | flag) : (flags & ~flag);
  if (updated != flags && fcntl(fd, setCmd, updated) < 0) ThrowErrno(syscall);
}

}  // namespace

FdPair SocketPair(SocketType type) {
  int kind = type == SocketType::Stream ? SOCK_STREAM : type == SocketType::Datagram ? SOCK_DGRAM : SOCK_SEQPACKET;
  int fds[2];
  if (socketpair(AF_UNIX, kind | SOCK_CLOEXEC, 0, fds) != 0) ThrowErrno("socketpair");
  return {fds[0], fds[1]};
}

FdPair Pipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) ThrowErrno("pipe");
  return {fds[0], fds[1]};
}

long SendFds(int sock, const std::vector<int>& fds, const uint8_t* data, size_t length) {
  if (fds.size() > kMaxFds) ThrowError(EINVAL, "sendmsg");
  uint8_t nul = 0;
  iovec iov = {length ? const_cast<uint8_t*>(data) : &nul, length ? length : 1};
  std::vector<uint8_t> control(CMSG_SPACE(sizeof(int) * fds.size()));
  msghdr message = {};
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  if (!fds.empty()) {
    message.msg_control = control.data();
    message.msg_controllen = control.size();
    cmsghdr* header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(header), fds.data(), sizeof(int) * fds.size());
  }
  for (;;) {
    ssize_t sent = sendmsg(sock, &message, MSG_NOSIGNAL);
    if (sent >= 0) return static_cast<long>(sent);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return -1;
    ThrowErrno("sendmsg");
  }
}

bool RecvFds(int sock, size_t maxFds, size_t maxBytes, Received& out) {
  if (maxFds > kMaxFds) maxFds = kMaxFds;
  out.data.resize(maxBytes);
  std::vector<uint8_t> control(CMSG_SPACE(sizeof(int) * (maxFds ? maxFds : 1)));
  iovec iov = {out.data.data(), maxBytes};
  msghdr message = {};
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  message.msg_control = control.data();
  message.msg_controllen = control.size();
  ssize_t received;
  for (;;) {
    received = recvmsg(sock, &message, MSG_CMSG_CLOEXEC);
    if (received >= 0) break;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
    ThrowErrno("recvmsg");
  }
  out.data.resize(static_cast<size_t>(received));
  out.fds.clear();
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    const uint8_t* bytes = CMSG_DATA(header);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, bytes + i * sizeof(int), sizeof(int));
      out.fds.push_back(fd);
    }
  }
  out.truncated = (message.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) != 0;
  // The kernel closes the fds that did not fit in the control buffer; its padding may
  // still fit more than `maxFds`, and those are closed here, as the caller asked.
  while (out.fds.size() > maxFds) {
    close(out.fds.back());
    out.fds.pop_back();
    out.truncated = true;
  }
  return true;
}

void SetCloexec(int fd, bool on) { SetFlag(fd, F_GETFD, F_SETFD, FD_CLOEXEC, on, "fcntl"); }

void SetNonblocking(int fd, bool on) { SetFlag(fd, F_GETFL, F_SETFL, O_NONBLOCK, on, "fcntl"); }

void Shutdown(int fd, ShutdownHow how) {
  int kind = how == ShutdownHow::Read ? SHUT_RD : how == ShutdownHow::Write ? SHUT_WR : SHUT_RDWR;
  if (shutdown(fd, kind) != 0) ThrowErrno("shutdown");
}

void Close(int fd) {
  // On Linux the fd is released even when close() reports EINTR: retrying could close
  // an fd another thread just opened, so EINTR counts as success.
  if (close(fd) != 0 && errno != EINTR) ThrowErrno("close");
}

const char* FdType(int fd) {
  struct stat info;
  if (fstat(fd, &info) != 0) ThrowErrno("fstat");
  switch (info.st_mode & S_IFMT) {
    case S_IFREG: return "file";
    case S_IFDIR: return "directory";
    case S_IFIFO: return "pipe";
    case S_IFSOCK: return "socket";
    case S_IFCHR: return isatty(fd) ? "tty" : "character";
    case S_IFBLK: return "block";
    case S_IFLNK: return "symlink";
    default: return "unknown";
  }
}

}  // namespace xnative
