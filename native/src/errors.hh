// Failures of system calls, carried from the code that does the work (which sees
// no JS values) to the boundary (boundary.hh), which turns them into Node-shaped errors.
#pragma once

#include <napi.h>

#include <string>

namespace xnative {

// A failed system call: what Node calls a SystemError (code, errno, syscall, path).
struct SysError {
  int err;
  const char* syscall;
  std::string path;
  std::string hint;  // what to do, appended to the message when there is something to say
};

// Throws SysError for the current errno.
[[noreturn]] void ThrowErrno(const char* syscall, std::string path = {});

// Throws SysError for `err`: for calls that return an error number (pthread_*) instead of setting errno.
[[noreturn]] void ThrowError(int err, const char* syscall, std::string path = {});

// The errno's name as Node gives it ('EBADF', 'ENOTSUP' for 95), and its description.
// Both are thread-safe and never allocate per call.
std::string ErrnoName(int err);
std::string ErrnoDescription(int err);

// The JS error Node itself would throw for this failure: message "<CODE>: <description>, <syscall>",
// with `code` ('EBADF'), `errno` (negative, as in Node), `syscall` and `path` when there is one.
Napi::Error NodeError(Napi::Env env, const SysError& failure);

// A TypeError with code ERR_X_INVALID_ARG, naming the argument and what was expected.
Napi::TypeError InvalidArg(Napi::Env env, const std::string& message);

}  // namespace xnative
