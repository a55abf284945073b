#include "errors.hh"

#include <string.h>
#include <uv.h>

#include <cerrno>

namespace xnative {

namespace {

constexpr size_t kTextSize = 128;

// libuv names and describes errors exactly as Node prints them ("EBADF: bad file
// descriptor"), so its table comes first. It lacks a few errnos this addon can see
// (ECHILD from waitpid, ENOEXEC from execve): those come from the C library, whose
// strerrorname_np/strerrordesc_np return constant strings (strerror may not be
// called from two threads at once).
bool LibuvKnows(int err, char* name) {
  uv_err_name_r(-err, name, kTextSize);
  return strncmp(name, "Unknown system error", 20) != 0;
}

}  // namespace

std::string ErrnoName(int err) {
  char name[kTextSize];
  if (LibuvKnows(err, name)) return name;
  const char* known = strerrorname_np(err);
  return known ? known : "UNKNOWN";
}

std::string ErrnoDescription(int err) {
  char text[kTextSize];
  if (LibuvKnows(err, text)) return uv_strerror_r(-err, text, kTextSize);
  const char* known = strerrordesc_np(err);
  return known ? known : "unknown error " + std::to_string(err);
}

void ThrowErrno(const char* syscall, std::string path) { ThrowError(errno, syscall, std::move(path)); }

void ThrowError(int err, const char* syscall, std::string path) { throw SysError{err, syscall, std::move(path), {}}; }

Napi::Error NodeError(Napi::Env env, const SysError& failure) {
  std::string code = ErrnoName(failure.err);
  std::string message = code + ": " + ErrnoDescription(failure.err) + ", " + failure.syscall;
  if (!failure.path.empty()) message += " '" + failure.path + "'";
  if (!failure.hint.empty()) message += " (" + failure.hint + ")";
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
