// Readiness of a file descriptor on the event loop (a uv_poll_t). The callback runs on
// the loop's thread; the code that owns an FdPoll turns events into JS calls.
#pragma once

#include <functional>

struct uv_loop_s;

namespace xnative {

enum PollEvents { kReadable = 1, kWritable = 2, kHangup = 4 };

class FdPoll {
 public:
  // status: 0, or a negative errno; events: PollEvents bits. Called from libuv, so it must
  // not throw: what it throws is reported on stderr and the poll stopped (see OnPoll).
  using Callback = std::function<void(int status, int events)>;

  // Starts watching `fd` for `events` (kReadable and/or kWritable; hang-ups are always
  // reported). Throws SysError: EBADF, EPERM for a regular file, EEXIST for an fd the
  // loop already watches.
  static FdPoll* Start(uv_loop_s* loop, int fd, int events, Callback callback);

  // Stops watching. Idempotent; `this` is freed once libuv has closed the handle, so the
  // owner must not use the pointer afterwards. Safe to call from the callback.
  void Stop();

  // Whether some FdPoll, on any thread's loop, watches `fd` now. Closing such an fd makes
  // libuv abort the process (epoll_ctl fails with EBADF when the loop next runs).
  static bool IsPolled(int fd);

 private:
  FdPoll() = default;
  struct Handle;
  Handle* handle_ = nullptr;
  Callback callback_;
  int fd_ = -1;
  bool stopped_ = false;
  static void OnPoll(void* handle, int status, int events);
};

}  // namespace xnative
