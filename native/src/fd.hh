// File descriptors Node does not give out: socketpairs, raw pipes, fd passing over
// Unix sockets (SCM_RIGHTS), and the fcntl/shutdown/fstat calls around them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace xnative {

enum class SocketType { Stream, Datagram, SeqPacket };
enum class ShutdownHow { Read, Write, Both };

struct FdPair {
  int first;
  int second;
};

// A connected pair of AF_UNIX sockets, both close-on-exec.
FdPair SocketPair(SocketType type);

// A pipe {read end, write end}, both close-on-exec.
FdPair Pipe();

// Sends `data` with `fds` attached (SCM_RIGHTS). Empty data is sent as one NUL byte,
// since a stream socket drops ancillary data that comes with no byte. Returns the
// number of bytes sent, or -1 when the socket is non-blocking and full (EAGAIN).
long SendFds(int sock, const std::vector<int>& fds, const uint8_t* data, size_t length);

struct Received {
  std::vector<uint8_t> data;
  std::vector<int> fds;  // close-on-exec
  bool truncated;        // more fds (or bytes, on a datagram socket) were sent than fit
};

// Receives up to `maxBytes` bytes and up to `maxFds` fds. Returns false when the socket
// is non-blocking and empty (EAGAIN).
bool RecvFds(int sock, size_t maxFds, size_t maxBytes, Received& out);

void SetCloexec(int fd, bool on);
void SetNonblocking(int fd, bool on);
void Shutdown(int fd, ShutdownHow how);
void Close(int fd);

// What the fd refers to: "file", "directory", "pipe", "socket", "tty", "character",
// "block", "symlink" or "unknown".
const char* FdType(int fd);

}  // namespace xnative
