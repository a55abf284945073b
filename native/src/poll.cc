#include "poll.hh"

#include <uv.h>

#include <memory>
#include <mutex>
#include <set>

#include "boundary.hh"
#include "errors.hh"

namespace xnative {

namespace {

// Every thread's loop polls fds of the one fd table: one registry for the process.
std::mutex polledLock;
std::multiset<int> polled;

}  // namespace

struct FdPoll::Handle {
  uv_poll_t poll;
  FdPoll* owner;
};

FdPoll* FdPoll::Start(uv_loop_s* loop, int fd, int events, Callback callback) {
  auto watch = std::unique_ptr<FdPoll>(new FdPoll());
  watch->callback_ = std::move(callback);
  watch->fd_ = fd;
  auto handle = std::make_unique<Handle>();
  handle->owner = watch.get();
  // Registered before libuv knows the fd, so nothing can throw between uv_poll_init and the
  // handle's ownership passing to libuv.
  {
    std::lock_guard<std::mutex> hold(polledLock);
    polled.insert(fd);
  }
  int err = uv_poll_init(loop, &handle->poll, fd);
  if (err != 0) {
    std::lock_guard<std::mutex> hold(polledLock);
    polled.erase(polled.find(fd));
    ThrowError(-err, "uv_poll_init");
  }
  watch->handle_ = handle.release();
  FdPoll* started = watch.release();
  int uvEvents = UV_DISCONNECT | ((events & kReadable) ? UV_READABLE : 0) | ((events & kWritable) ? UV_WRITABLE : 0);
  err = uv_poll_start(&started->handle_->poll, uvEvents, [](uv_poll_t* poll, int status, int ready) {
    OnPoll(poll, status, ready);
  });
  if (err != 0) {
    started->Stop();
    ThrowError(-err, "uv_poll_start");
  }
  return started;
}

void FdPoll::OnPoll(void* raw, int status, int ready) {
  FdPoll* watch = reinterpret_cast<Handle*>(raw)->owner;
  if (watch->stopped_) return;
  int events = ((ready & UV_READABLE) ? kReadable : 0) | ((ready & UV_WRITABLE) ? kWritable : 0) |
               ((ready & UV_DISCONNECT) ? kHangup : 0);
  // The owner's callback reports its own failures (binding.cc sends them to JS); this is the
  // backstop, since an exception unwinding into libuv's C frames ends in std::terminate. The
  // poll goes on: stopping it is its owner's call.
  Contained("fd poll", [&] { watch->callback_(status, events); });
}

bool FdPoll::IsPolled(int fd) {
  std::lock_guard<std::mutex> hold(polledLock);
  return polled.count(fd) != 0;
}

void FdPoll::Stop() {
  if (stopped_) return;
  stopped_ = true;
  {
    std::lock_guard<std::mutex> hold(polledLock);
    polled.erase(polled.find(fd_));
  }
  uv_poll_stop(&handle_->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_->poll), [](uv_handle_t* closed) {
    auto* handle = reinterpret_cast<Handle*>(closed);
    delete handle->owner;
    delete handle;
  });
}

}  // namespace xnative
