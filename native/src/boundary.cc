#include "boundary.hh"

#include <cerrno>
#include <cstdio>
#include <new>
#include <string>
#include <system_error>

#include "errors.hh"

namespace xnative {

namespace {

Napi::Error Internal(Napi::Env env, const char* where, const std::string& what) {
  Napi::Error error = Napi::Error::New(env, std::string("@x/native ") + where + "() failed inside the addon: " + what +
                                                ". This is a bug in @x/native: please report it with this message.");
  error.Set("code", Napi::String::New(env, "ERR_X_NATIVE_INTERNAL"));
  return error;
}

bool IsErrno(const std::error_code& code) {
  return code.category() == std::generic_category() || code.category() == std::system_category();
}

}  // namespace

Napi::Error JsError(Napi::Env env, const std::exception_ptr& failure, const char* where) {
  try {
    std::rethrow_exception(failure);
  } catch (const Napi::Error& error) {
    return error;
  } catch (const SysError& error) {
    return NodeError(env, error);
  } catch (const std::system_error& error) {
    if (IsErrno(error.code())) return NodeError(env, SysError{error.code().value(), where, {}, error.what()});
    return Internal(env, where, error.what());
  } catch (const std::bad_alloc&) {
    return NodeError(env, SysError{ENOMEM, "malloc", {}, {}});
  } catch (const std::exception& error) {
    return Internal(env, where, error.what());
  } catch (...) {
    return Internal(env, where, "an exception of unknown type");
  }
}

void ReportLost(const std::exception_ptr& failure, const char* where) noexcept {
  try {
    std::rethrow_exception(failure);
  } catch (const SysError& error) {
    std::fprintf(stderr, "@x/native %s: %s failed with errno %d, and there was no JS to report it to\n", where,
                 error.syscall, error.err);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "@x/native %s: %s, and there was no JS to report it to (a bug in @x/native)\n", where,
                 error.what());
  } catch (...) {
    std::fprintf(stderr, "@x/native %s: an exception of unknown type, and there was no JS to report it to\n", where);
  }
}

}  // namespace xnative
