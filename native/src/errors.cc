#include "errors.hh"

#include <cerrno>
#include <cstring>

namespace xnative {

namespace {

const char* ErrnoName(int err) {
  switch (err) {
#define X_ERRNO(name) \
  case name:          \
    return #name;
    X_ERRNO(EPERM) X_ERRNO(ENOENT) X_ERRNO(ESRCH) X_ERRNO(EINTR) X_ERRNO(EIO) X_ERRNO(ENXIO)
    X_ERRNO(E2BIG) X_ERRNO(ENOEXEC) X_ERRNO(EBADF) X_ERRNO(ECHILD) X_ERRNO(EAGAIN) X_ERRNO(ENOMEM)
    X_ERRNO(EACCES) X_ERRNO(EFAULT) X_ERRNO(EBUSY) X_ERRNO(EEXIST) X_ERRNO(EXDEV) X_ERRNO(ENODEV)
    X_ERRNO(ENOTDIR) X_ERRNO(EISDIR) X_ERRNO(EINVAL) X_ERRNO(ENFILE) X_ERRNO(EMFILE) X_ERRNO(ENOTTY)
    X_ERRNO(ETXTBSY) X_ERRNO(EFBIG) X_ERRNO(ENOSPC) X_ERRNO(ESPIPE) X_ERRNO(EROFS) X_ERRNO(EMLINK)
    X_ERRNO(EPIPE) X_ERRNO(EDOM) X_ERRNO(ERANGE) X_ERRNO(EDEADLK) X_ERRNO(ENAMETOOLONG)
    X_ERRNO(ENOLCK) X_ERRNO(ENOSYS) X_ERRNO(ENOTEMPTY) X_ERRNO(ELOOP) X_ERRNO(ENOTSOCK)
    X_ERRNO(EDESTADDRREQ) X_ERRNO(EMSGSIZE) X_ERRNO(EPROTOTYPE) X_ERRNO(ENOPROTOOPT)
    X_ERRNO(EPROTONOSUPPORT) X_ERRNO(EOPNOTSUPP) X_ERRNO(EAFNOSUPPORT) X_ERRNO(EADDRINUSE)
    X_ERRNO(EADDRNOTAVAIL) X_ERRNO(ENETDOWN) X_ERRNO(ENETUNREACH) X_ERRNO(ECONNABORTED)
    X_ERRNO(ECONNRESET) X_ERRNO(ENOBUFS) X_ERRNO(EISCONN) X_ERRNO(ENOTCONN) X_ERRNO(ETIMEDOUT)
    X_ERRNO(ECONNREFUSED) X_ERRNO(EHOSTUNREACH) X_ERRNO(EALREADY) X_ERRNO(EINPROGRESS)
    X_ERRNO(ECANCELED) X_ERRNO(EOVERFLOW)
#undef X_ERRNO
    default:
      return "UNKNOWN";
  }
}

}  // namespace

void ThrowErrno(const char* syscall, std::string path) { ThrowError(errno, syscall, std::move(path)); }

void ThrowError(int err, const char* syscall, std::string path) { throw SysError{err, syscall, std::move(path)}; }

Napi::Error NodeError(Napi::Env env, const SysError& failure) {
  const char* code = ErrnoName(failure.err);
  std::string message = std::string(code) + ": " + std::strerror(failure.err) + ", " + failure.syscall;
  if (!failure.path.empty()) message += " '" + failure.path + "'";
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  error.Set("errno", Napi::Number::New(env, -failure.err));
  error.Set("syscall", Napi::String::New(env, failure.syscall));
  if (!failure.path.empty()) error.Set("path", Napi::String::New(env, failure.path));
  return error;
}

Napi::TypeError InvalidArg(Napi::Env env, const std::string& message) {
  Napi::TypeError error = Napi::TypeError::New(env, message);
  error.Set("code", Napi::String::New(env, "ERR_X_INVALID_ARG"));
  return error;
}

}  // namespace xnative
