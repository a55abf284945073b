// The exported functions of @x/native: each checks and converts its arguments,
// calls the code that does the work, and turns a SysError into a Node-shaped error.
// Nothing else in src/ touches a JS value.
#include <napi.h>
#include <signal.h>

#include "args.hh"
#include "errors.hh"
#include "signals.hh"

namespace xnative {

namespace {

// Runs `work`, converting a failed system call into the JS error Node would throw.
template <typename Work>
auto Guard(const Napi::CallbackInfo& info, Work work) -> decltype(work()) {
  try {
    return work();
  } catch (const SysError& failure) {
    throw NodeError(info.Env(), failure);
  }
}

int SignalArg(const Napi::CallbackInfo& info, size_t index) {
  return IntArg(info, index, "signal", 1, NSIG - 1);
}

Napi::Value SetDispositionJs(const Napi::CallbackInfo& info) {
  int sig = SignalArg(info, 0);
  size_t choice = ChoiceArg(info, 1, "disposition", {"default", "ignore"});
  Guard(info, [&] { SetDisposition(sig, choice == 0 ? Disposition::Default : Disposition::Ignore); });
  return info.Env().Undefined();
}

Napi::Value RaiseDefaultJs(const Napi::CallbackInfo& info) {
  int sig = SignalArg(info, 0);
  Guard(info, [&] { RaiseDefault(sig); });
  return info.Env().Undefined();
}

Napi::Value CaptureDispositionJs(const Napi::CallbackInfo& info) {
  int sig = SignalArg(info, 0);
  Guard(info, [&] { CaptureDisposition(sig); });
  return info.Env().Undefined();
}

Napi::Value RestoreDispositionJs(const Napi::CallbackInfo& info) {
  int sig = SignalArg(info, 0);
  Guard(info, [&] { RestoreDisposition(sig); });
  return info.Env().Undefined();
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("setDisposition", Napi::Function::New(env, SetDispositionJs, "setDisposition"));
  exports.Set("raiseDefault", Napi::Function::New(env, RaiseDefaultJs, "raiseDefault"));
  exports.Set("captureDisposition", Napi::Function::New(env, CaptureDispositionJs, "captureDisposition"));
  exports.Set("restoreDisposition", Napi::Function::New(env, RestoreDispositionJs, "restoreDisposition"));
  return exports;
}

}  // namespace xnative

// The macro pastes its argument into an identifier, so it cannot name a qualified function.
static Napi::Object InitXNative(Napi::Env env, Napi::Object exports) { return xnative::Init(env, exports); }

NODE_API_MODULE(x_native, InitXNative)
