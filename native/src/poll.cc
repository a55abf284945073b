#include "poll.hh"

#include <uv.h>

#include "errors.hh"

namespace xnative {

struct FdPoll::Handle {
  uv_poll_t poll;
  FdPoll* owner;
};

FdPoll* FdPoll::Start(uv_loop_s* loop, int fd, int events, Callback callback) {
  auto* handle = new Handle{};
  int err = uv_poll_init(loop, &handle->poll, fd);
  if (err != 0) {
    delete handle;
    ThrowError(-err, "uv_poll_init");
  }
  auto* watch = new FdPoll();
  watch->handle_ = handle;
  watch->callback_ = std::move(callback);
  handle->owner = watch;
  int uvEvents = UV_DISCONNECT | ((events & kReadable) ? UV_READABLE : 0) | ((events & kWritable) ? UV_WRITABLE : 0);
  err = uv_poll_start(&handle->poll, uvEvents, [](uv_poll_t* poll, int status, int ready) {
    OnPoll(poll, status, ready);
  });
  if (err != 0) {
    watch->Stop();
    ThrowError(-err, "uv_poll_start");
  }
  return watch;
}

void FdPoll::OnPoll(void* raw, int status, int ready) {
  FdPoll* watch = reinterpret_cast<Handle*>(raw)->owner;
  if (watch->stopped_) return;
  int events = ((ready & UV_READABLE) ? kReadable : 0) | ((ready & UV_WRITABLE) ? kWritable : 0) |
               ((ready & UV_DISCONNECT) ? kHangup : 0);
  watch->callback_(status, events);
}

void FdPoll::Stop() {
  if (stopped_) return;
  stopped_ = true;
  uv_poll_stop(&handle_->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_->poll), [](uv_handle_t* closed) {
    auto* handle = reinterpret_cast<Handle*>(closed);
    delete handle->owner;
    delete handle;
  });
}

}  // namespace xnative
