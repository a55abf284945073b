// Where control enters this addon's C++: from JS (an exported function, a stop function)
// and from libuv or Node (a poll callback, a finalizer, an environment's cleanup hook).
// No C++ exception may cross one of these: through node-addon-api only a Napi::Error is
// turned into a JS exception, and anything unwinding into C frames (libuv, Node) ends in
// std::terminate. Every entry runs its work through one of the three helpers below.
#pragma once

#include <napi.h>

#include <exception>

namespace xnative {

// The JS error that stands for `failure`: a Napi::Error as it is; a SysError, or a
// std::system_error (its code is an errno), as Node's SystemError; std::bad_alloc as ENOMEM;
// anything else as an Error with code ERR_X_NATIVE_INTERNAL naming `where`, since only a bug
// in this addon gets there.
Napi::Error JsError(Napi::Env env, const std::exception_ptr& failure, const char* where);

// Writes a failure that has nowhere else to go to stderr, as Node does for a warning.
void ReportLost(const std::exception_ptr& failure, const char* where) noexcept;

// An entry from JS: whatever `work` throws is thrown again as JsError.
template <typename Work>
auto Guarded(Napi::Env env, const char* where, Work&& work) -> decltype(work()) {
  try {
    return work();
  } catch (...) {
    throw JsError(env, std::current_exception(), where);
  }
}

// An entry from the event loop with JS reachable (a watch's callback): the failure becomes an
// uncaught exception ('uncaughtException', or the process ends with it printed), as one thrown
// by a JS callback of any Node handle would. Nothing unwinds into libuv.
template <typename Work>
void ContainedInCallback(Napi::Env env, const char* where, Work&& work) noexcept {
  try {
    work();
  } catch (const Napi::Error& error) {
    // A JS exception. When it cannot be delivered, the environment is going away (a worker being
    // terminated), and Node drops such an exception too.
    try {
      Napi::HandleScope scope(env);  // the work's own scope has ended with it
      napi_fatal_exception(env, error.Value());
    } catch (...) {
    }
  } catch (...) {
    std::exception_ptr failure = std::current_exception();
    try {
      Napi::HandleScope scope(env);
      if (napi_fatal_exception(env, JsError(env, failure, where).Value()) == napi_ok) return;
    } catch (...) {
    }
    ReportLost(failure, where);  // a failure of the addon itself is never dropped silently
  }
}

// An entry where no JS may run (a finalizer, a cleanup hook, the poll backstop): the failure
// is reported on stderr and the work abandoned.
template <typename Work>
void Contained(const char* where, Work&& work) noexcept {
  try {
    work();
  } catch (...) {
    ReportLost(std::current_exception(), where);
  }
}

}  // namespace xnative
