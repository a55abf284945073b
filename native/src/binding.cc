// The exported functions of @x/native: each checks and converts its arguments,
// calls the code that does the work, and turns a SysError into a Node-shaped error.
// Nothing else in src/ touches a JS value.
#include <napi.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <mutex>
#include <set>

#include "args.hh"
#include "child.hh"
#include "children.hh"
#include "clock.hh"
#include "daemonize.hh"
#include "errors.hh"
#include "fd.hh"
#include "interrupt.hh"
#include "mmap.hh"
#include "pidwatch.hh"
#include "poll.hh"
#include "pty.hh"
#include "signals.hh"
#include "spawn.hh"
#include "vspawn.hh"

extern char** environ;

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

constexpr double kMaxSafeInteger = 9007199254740991.0;
constexpr int kWaitFlags = WNOHANG | WUNTRACED | WCONTINUED;

// ---- per-environment state (the main thread and each worker that loads the addon) ----

struct EnvState;

// A watch started from JS (watchFd, watchPid): the poll, the JS callback, and what
// the watch owns (a pidfd).
struct JsWatch {
  EnvState* state;
  FdPoll* poll = nullptr;
  Napi::FunctionReference callback;
  std::shared_ptr<Napi::AsyncContext> context;
  int ownedFd = -1;
  pid_t pid = 0;
};

struct EnvState {
  Napi::Env env;
  uv_loop_s* loop;
  std::set<std::shared_ptr<JsWatch>> watches;  // the active ones
  Napi::ObjectReference wordBuffer;            // keeps the registered SharedArrayBuffer alive
  CoarseClockWord* clockWord = nullptr;        // the registered coarse clock word, if any
  Napi::ObjectReference clockBuffer;           // keeps its SharedArrayBuffer alive
};

// The interrupt word is process-wide; the environment whose buffer it points into owns it.
std::mutex wordLock;
EnvState* wordOwner = nullptr;

EnvState* State(Napi::Env env) { return env.GetInstanceData<EnvState>(); }

void StopWatch(const std::shared_ptr<JsWatch>& watch) {
  if (!watch->poll) return;
  watch->poll->Stop();
  watch->poll = nullptr;
  if (watch->ownedFd >= 0) close(watch->ownedFd);
  watch->ownedFd = -1;
  watch->callback.Reset();
  watch->context.reset();
  watch->state->watches.erase(watch);
}

// Calls a watch's callback from the event loop: microtasks run afterwards, and an
// exception goes to 'uncaughtException' as one from any other callback would. A
// `last` delivery stops the watch first.
void Deliver(const std::shared_ptr<JsWatch>& watch, bool last, const std::function<std::vector<napi_value>()>& args) {
  Napi::Env env = watch->state->env;
  Napi::HandleScope scope(env);
  Napi::Function callback = watch->callback.Value();
  // Held here: the callback may call stop(), which drops the watch's own reference.
  std::shared_ptr<Napi::AsyncContext> context = watch->context;
  if (last) StopWatch(watch);
  try {
    callback.MakeCallback(env.Global(), args(), *context);
  } catch (const Napi::Error& error) {
    napi_fatal_exception(env, error.Value());
  }
}

Napi::Function StopFunction(Napi::Env env, std::shared_ptr<JsWatch> watch, const char* name) {
  return Napi::Function::New(
      env, [watch](const Napi::CallbackInfo&) { StopWatch(watch); }, name);
}

std::shared_ptr<JsWatch> NewWatch(const Napi::CallbackInfo& info, Napi::Function callback, const char* name) {
  auto watch = std::make_shared<JsWatch>();
  watch->state = State(info.Env());
  watch->callback = Napi::Persistent(callback);
  watch->context = std::make_shared<Napi::AsyncContext>(info.Env(), name);
  return watch;
}

void ReleaseWord(EnvState* state) {
  std::lock_guard<std::mutex> hold(wordLock);
  if (wordOwner == state) {
    ReplaceInterruptWord(nullptr);
    wordOwner = nullptr;
  }
  state->wordBuffer.Reset();
}

void ReleaseClock(EnvState* state) {
  if (state->clockWord) UnregisterCoarseClock(state->clockWord);
  state->clockWord = nullptr;
  state->clockBuffer.Reset();
}

void Cleanup(EnvState* state) {
  while (!state->watches.empty()) StopWatch(*state->watches.begin());
  ReleaseWord(state);
  ReleaseClock(state);
}

// ---- conversions ----

int SignalValue(const Napi::Value& value, const std::string& name) {
  return static_cast<int>(IntegerValue(value, name, 1, NSIG - 1));
}

int SignalArg(const Napi::CallbackInfo& info, size_t index) { return SignalValue(info[index], "signal"); }

std::vector<int> SignalsArg(const Napi::CallbackInfo& info, size_t index) {
  return IntArrayValue(info[index], "signals", 1, NSIG - 1);
}

Napi::Array PairJs(Napi::Env env, FdPair pair) {
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, pair.first);
  result.Set(1u, pair.second);
  return result;
}

Napi::Value NumberOrNull(Napi::Env env, int value) {
  return value < 0 ? env.Null() : Napi::Number::New(env, value);
}

Napi::Object StatusJs(Napi::Env env, const WaitResult& result, bool full) {
  Napi::Object status = Napi::Object::New(env);
  if (full) status.Set("pid", result.pid);
  status.Set("code", NumberOrNull(env, result.code));
  status.Set("signal", NumberOrNull(env, result.signal));
  status.Set("coreDumped", result.coreDumped);
  if (full) {
    status.Set("stopped", result.stopped);
    status.Set("continued", result.continued);
  }
  return status;
}

// spawn and daemonize share their arguments: (path, argv, env, options).
ChildOptions ChildArgs(const Napi::CallbackInfo& info, bool daemon) {
  ChildOptions options;
  options.path = StringValue(info[0], "path");
  if (options.path.empty()) Reject(info[0], "path", "a non-empty path to an executable");
  options.argv = StringArrayValue(info[1], "argv");
  if (options.argv.empty()) Reject(info[1], "argv", "a non-empty array of strings (argv[0] first)");
  Napi::Value env = info[2];
  if (env.IsUndefined() || env.IsNull()) {
    for (char** entry = environ; *entry; ++entry) options.env.emplace_back(*entry);
  } else if (env.IsObject() && !env.IsArray()) {
    Napi::Object object = env.As<Napi::Object>();
    Napi::Array names = object.GetPropertyNames();
    for (uint32_t i = 0; i < names.Length(); ++i) {
      std::string name = StringValue(names.Get(i), "env key");
      Napi::Value value = object.Get(name);
      if (value.IsUndefined()) continue;
      if (name.empty() || name.find('=') != std::string::npos) Reject(names.Get(i), "env key", "a name without '='");
      options.env.push_back(name + "=" + StringValue(value, "env." + name));
    }
  } else {
    Reject(env, "env", "an object of strings, or undefined for this process's environment");
  }
  Napi::Object bag = OptionsArg(info, 3, "options");
  Napi::Value fdmap = bag.Get("fdmap");
  if (fdmap.IsUndefined()) {
    options.fdmap = daemon ? std::vector<int>{-1, -1, -1} : std::vector<int>{0, 1, 2};
  } else {
    if (!fdmap.IsArray()) Reject(fdmap, "options.fdmap", "an array of file descriptors or nulls");
    Napi::Array array = fdmap.As<Napi::Array>();
    for (uint32_t i = 0; i < array.Length(); ++i) {
      Napi::Value entry = array.Get(i);
      options.fdmap.push_back(entry.IsNull() ? -1 : FdValue(entry, "options.fdmap[" + std::to_string(i) + "]"));
    }
  }
  Napi::Value cwd = bag.Get("cwd");
  options.cwd = cwd.IsUndefined() ? (daemon ? "/" : "") : StringValue(cwd, "options.cwd");
  if (daemon) return options;
  options.setsid = BoolValue(bag.Get("setsid"), "options.setsid", false);
  Napi::Value pgid = bag.Get("pgid");
  if (!pgid.IsUndefined()) options.pgid = static_cast<pid_t>(IntegerValue(pgid, "options.pgid", 0, INT32_MAX));
  Napi::Value tty = bag.Get("controllingTty");
  if (!tty.IsUndefined()) {
    options.controllingTty = static_cast<int>(
        IntegerValue(tty, "options.controllingTty", 0, static_cast<int64_t>(options.fdmap.size()) - 1));
    if (!options.setsid) Reject(bag.Get("setsid"), "options.setsid", "true when options.controllingTty is set");
  }
  return options;
}

Mapping* MappingArg(const Napi::CallbackInfo& info, size_t index) {
  Napi::Value value = info[index];
  Mapping* mapping = value.IsArrayBuffer() ? FindMapping(value.As<Napi::ArrayBuffer>().Data()) : nullptr;
  if (!mapping) Reject(value, "buffer", "an ArrayBuffer returned by mmap()");
  return mapping;
}

// ---- fd ----

Napi::Value SocketPairJs(const Napi::CallbackInfo& info) {
  size_t type = info[0].IsUndefined() ? 0 : ChoiceArg(info, 0, "type", {"stream", "dgram", "seqpacket"});
  return PairJs(info.Env(), Guard(info, [&] { return SocketPair(static_cast<SocketType>(type)); }));
}

Napi::Value PipeJs(const Napi::CallbackInfo& info) { return PairJs(info.Env(), Guard(info, [] { return Pipe(); })); }

Napi::Value SendFdsJs(const Napi::CallbackInfo& info) {
  int sock = FdArg(info, 0, "sock");
  std::vector<int> fds = IntArrayValue(info[1], "fds", 0, INT32_MAX);
  std::string text;
  const uint8_t* data = nullptr;
  size_t length = 0;
  Napi::Value payload = info[2];
  if (payload.IsString()) {
    text = payload.As<Napi::String>().Utf8Value();
    data = reinterpret_cast<const uint8_t*>(text.data());
    length = text.size();
  } else if (payload.IsTypedArray() && payload.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
    Napi::Uint8Array bytes = payload.As<Napi::Uint8Array>();
    data = bytes.Data();
    length = bytes.ByteLength();
  } else if (!payload.IsUndefined()) {
    Reject(payload, "data", "a string, a Uint8Array (or Buffer), or undefined");
  }
  long sent = Guard(info, [&] { return SendFds(sock, fds, data, length); });
  return sent < 0 ? info.Env().Null() : Napi::Number::New(info.Env(), static_cast<double>(sent));
}

Napi::Value RecvFdsJs(const Napi::CallbackInfo& info) {
  int sock = FdArg(info, 0, "sock");
  size_t max = static_cast<size_t>(IntegerValue(info[1], "max", 0, 253));
  size_t maxBytes =
      info[2].IsUndefined() ? 65536 : static_cast<size_t>(IntegerValue(info[2], "maxBytes", 1, 64 * 1024 * 1024));
  Received received;
  if (!Guard(info, [&] { return RecvFds(sock, max, maxBytes, received); })) return info.Env().Null();
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  result.Set("data", Napi::Buffer<uint8_t>::Copy(env, received.data.data(), received.data.size()));
  Napi::Array fds = Napi::Array::New(env, received.fds.size());
  for (size_t i = 0; i < received.fds.size(); ++i) fds.Set(static_cast<uint32_t>(i), received.fds[i]);
  result.Set("fds", fds);
  result.Set("truncated", received.truncated);
  return result;
}

Napi::Value SetCloexecJs(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "fd");
  bool on = BoolValue(info[1], "on", true);
  Guard(info, [&] { SetCloexec(fd, on); });
  return info.Env().Undefined();
}

Napi::Value SetNonblockingJs(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "fd");
  bool on = BoolValue(info[1], "on", true);
  Guard(info, [&] { SetNonblocking(fd, on); });
  return info.Env().Undefined();
}

Napi::Value ShutdownJs(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "fd");
  size_t how = ChoiceArg(info, 1, "how", {"r", "w", "rw"});
  Guard(info, [&] { Shutdown(fd, static_cast<ShutdownHow>(how)); });
  return info.Env().Undefined();
}

Napi::Value CloseJs(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "fd");
  Guard(info, [&] { Close(fd); });
  return info.Env().Undefined();
}

Napi::Value FdTypeJs(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "fd");
  return Napi::String::New(info.Env(), Guard(info, [&] { return FdType(fd); }));
}

// ---- mmap ----

Napi::Value MmapJs(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd", -1, INT32_MAX);
  int64_t offset = IntegerValue(info[1], "offset", 0, static_cast<int64_t>(kMaxSafeInteger));
  int64_t length = IntegerValue(info[2], "length", 0, static_cast<int64_t>(kMaxSafeInteger));
  size_t prot = ChoiceArg(info, 3, "prot", {"r", "rw"});
  bool shared = BoolValue(info[4], "shared", true);
  Mapping* mapping = Guard(info, [&] {
    return Map(fd, offset, static_cast<size_t>(length), prot == 0 ? Protection::Read : Protection::ReadWrite, shared);
  });
  try {
    return Napi::ArrayBuffer::New(
        info.Env(), mapping->data, mapping->length, [](Napi::Env, void*, Mapping* done) { Unmap(done); }, mapping);
  } catch (...) {
    Unmap(mapping);
    throw;
  }
}

Napi::Value MsyncJs(const Napi::CallbackInfo& info) {
  Mapping* mapping = MappingArg(info, 0);
  bool async = BoolValue(info[1], "async", false);
  Guard(info, [&] { Sync(mapping, async); });
  return info.Env().Undefined();
}

Napi::Value MadviseJs(const Napi::CallbackInfo& info) {
  Mapping* mapping = MappingArg(info, 0);
  size_t advice = ChoiceArg(info, 1, "advice", {"normal", "random", "sequential", "willneed", "dontneed", "populate"});
  Guard(info, [&] { Advise(mapping, static_cast<Advice>(advice)); });
  return info.Env().Undefined();
}

// ---- pty ----

unsigned short CellsValue(const Napi::Value& value, const char* name, unsigned short fallback) {
  if (value.IsUndefined()) return fallback;
  return static_cast<unsigned short>(IntegerValue(value, name, 1, 65535));
}

Napi::Value OpenPtyJs(const Napi::CallbackInfo& info) {
  Napi::Object options = OptionsArg(info, 0, "options");
  unsigned short cols = CellsValue(options.Get("cols"), "options.cols", 80);
  unsigned short rows = CellsValue(options.Get("rows"), "options.rows", 24);
  Pty pty = Guard(info, [&] { return OpenPty(cols, rows); });
  Napi::Object result = Napi::Object::New(info.Env());
  result.Set("master", pty.master);
  result.Set("slave", pty.slave);
  result.Set("name", pty.name);
  return result;
}

Napi::Value SetWindowSizeJs(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "fd");
  unsigned short cols = static_cast<unsigned short>(IntArg(info, 1, "cols", 1, 65535));
  unsigned short rows = static_cast<unsigned short>(IntArg(info, 2, "rows", 1, 65535));
  Guard(info, [&] { SetWindowSize(fd, cols, rows); });
  return info.Env().Undefined();
}

Napi::Value TcgetpgrpJs(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "fd");
  return Napi::Number::New(info.Env(), Guard(info, [&] { return ForegroundGroup(fd); }));
}

Napi::Value TcsetpgrpJs(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "fd");
  pid_t pgid = IntArg(info, 1, "pgid", 1, INT32_MAX);
  Guard(info, [&] { SetForegroundGroup(fd, pgid); });
  return info.Env().Undefined();
}

// ---- process ----

Napi::Value SpawnJs(const Napi::CallbackInfo& info) {
  ChildOptions options = ChildArgs(info, false);
  return Napi::Number::New(info.Env(), Guard(info, [&] { return Spawn(options); }));
}

Napi::Value VSpawnJs(const Napi::CallbackInfo& info) {
  ChildOptions options = ChildArgs(info, false);
  return Napi::Number::New(info.Env(), Guard(info, [&] { return VSpawn(options); }));
}

Napi::Value DaemonizeJs(const Napi::CallbackInfo& info) {
  ChildOptions options = ChildArgs(info, true);
  return Napi::Number::New(info.Env(), Guard(info, [&] { return Daemonize(options); }));
}

Napi::Value WaitpidJs(const Napi::CallbackInfo& info) {
  pid_t pid = IntArg(info, 0, "pid", 1, INT32_MAX);
  int flags = info[1].IsUndefined() ? 0 : IntArg(info, 1, "flags", 0, kWaitFlags);
  if ((flags & ~kWaitFlags) != 0) Reject(info[1], "flags", "a combination of constants.WNOHANG, WUNTRACED, WCONTINUED");
  std::optional<WaitResult> result = Guard(info, [&] { return Wait(pid, flags); });
  return result ? StatusJs(info.Env(), *result, true) : info.Env().Null();
}

Napi::Value PidfdOpenJs(const Napi::CallbackInfo& info) {
  pid_t pid = IntArg(info, 0, "pid", 1, INT32_MAX);
  return Napi::Number::New(info.Env(), Guard(info, [&] { return PidfdOpen(pid); }));
}

Napi::Value WatchPidJs(const Napi::CallbackInfo& info) {
  pid_t pid = IntArg(info, 0, "pid", 1, INT32_MAX);
  Napi::Function callback = FunctionArg(info, 1, "callback");
  std::shared_ptr<JsWatch> watch = NewWatch(info, callback, "x.watchPid");
  watch->pid = pid;
  watch->ownedFd = Guard(info, [&] { return PidfdOpen(pid); });
  try {
    watch->poll = Guard(info, [&] {
      return FdPoll::Start(watch->state->loop, watch->ownedFd, kReadable, [watch](int, int) {
        std::optional<WaitResult> result = ExitStatus(watch->pid);
        Deliver(watch, true, [&] {
          Napi::Env env = watch->state->env;
          return std::vector<napi_value>{result ? StatusJs(env, *result, false) : env.Null()};
        });
      });
    });
  } catch (...) {
    close(watch->ownedFd);
    throw;
  }
  watch->state->watches.insert(watch);
  return StopFunction(info.Env(), watch, "stopWatchingPid");
}

// ---- poll ----

Napi::Value WatchFdJs(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "fd");
  size_t which = ChoiceArg(info, 1, "events", {"r", "w", "rw"});
  Napi::Function callback = FunctionArg(info, 2, "callback");
  int events = which == 0 ? kReadable : which == 1 ? kWritable : kReadable | kWritable;
  std::shared_ptr<JsWatch> watch = NewWatch(info, callback, "x.watchFd");
  watch->poll = Guard(info, [&] {
    return FdPoll::Start(watch->state->loop, fd, events, [watch](int status, int ready) {
      Deliver(watch, status < 0, [&] {
        Napi::Env env = watch->state->env;
        if (status < 0) return std::vector<napi_value>{NodeError(env, SysError{-status, "uv_poll", {}}).Value(), env.Null()};
        Napi::Object flags = Napi::Object::New(env);
        flags.Set("readable", (ready & kReadable) != 0);
        flags.Set("writable", (ready & kWritable) != 0);
        flags.Set("hangup", (ready & kHangup) != 0);
        return std::vector<napi_value>{env.Null(), flags};
      });
    });
  });
  watch->state->watches.insert(watch);
  return StopFunction(info.Env(), watch, "stopWatchingFd");
}

// ---- signals ----

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

Napi::Value SigmaskJs(const Napi::CallbackInfo& info) {
  size_t how = ChoiceArg(info, 0, "how", {"block", "unblock", "set"});
  std::vector<int> signals = SignalsArg(info, 1);
  std::vector<int> previous = Guard(info, [&] { return SetMask(static_cast<MaskHow>(how), signals); });
  Napi::Array result = Napi::Array::New(info.Env(), previous.size());
  for (size_t i = 0; i < previous.size(); ++i) result.Set(static_cast<uint32_t>(i), previous[i]);
  return result;
}

// The memory of a SharedArrayBuffer of at least `bytes` bytes (8-byte aligned, as V8 allocates them).
void* SharedMemoryArg(const Napi::CallbackInfo& info, size_t index, size_t bytes) {
  Napi::Env env = info.Env();
  Napi::Value buffer = info[index];
  Napi::Function sharedArrayBuffer = env.Global().Get("SharedArrayBuffer").As<Napi::Function>();
  if (!buffer.IsObject() || !buffer.As<Napi::Object>().InstanceOf(sharedArrayBuffer) ||
      buffer.As<Napi::Object>().Get("byteLength").As<Napi::Number>().DoubleValue() < bytes) {
    Reject(buffer, "buffer", "a SharedArrayBuffer of at least " + std::to_string(bytes) + " bytes");
  }
  // N-API has no SharedArrayBuffer accessor before Node 22: an Int32Array over it gives its memory.
  Napi::Function int32Array = env.Global().Get("Int32Array").As<Napi::Function>();
  Napi::Value length = Napi::Number::New(env, static_cast<double>(bytes / 4));
  return int32Array.New({buffer, Napi::Number::New(env, 0), length}).As<Napi::Int32Array>().Data();
}

Napi::Value InstallInterruptWordJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Value buffer = info[0];
  int32_t* word = static_cast<int32_t*>(SharedMemoryArg(info, 0, 8));
  std::vector<int> signals = SignalsArg(info, 1);
  Guard(info, [&] { InstallInterruptHandlers(signals); });
  EnvState* state = State(env);
  std::lock_guard<std::mutex> hold(wordLock);
  ReplaceInterruptWord(word);
  wordOwner = state;
  state->wordBuffer = Napi::Persistent(buffer.As<Napi::Object>());
  return env.Undefined();
}

Napi::Value UninstallInterruptWordJs(const Napi::CallbackInfo& info) {
  std::vector<int> signals = SignalsArg(info, 0);
  if (Guard(info, [&] { return UninstallInterruptHandlers(signals); })) ReleaseWord(State(info.Env()));
  return info.Env().Undefined();
}

Napi::Value CoarseClockJs(const Napi::CallbackInfo& info) {
  auto* word = static_cast<CoarseClockWord*>(SharedMemoryArg(info, 0, sizeof(CoarseClockWord)));
  EnvState* state = State(info.Env());
  if (state->clockWord != word) ReleaseClock(state);
  state->clockWord = word;
  state->clockBuffer = Napi::Persistent(info[0].As<Napi::Object>());
  return Napi::Number::New(info.Env(), RegisterCoarseClock(word));
}

Napi::Value WakeCoarseClockJs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), WakeCoarseClock());
}

Napi::Value StopCoarseClockJs(const Napi::CallbackInfo& info) {
  ReleaseClock(State(info.Env()));
  return info.Env().Undefined();
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* state = new EnvState{env, nullptr, {}, {}, nullptr, {}};
  if (napi_get_uv_event_loop(env, &state->loop) != napi_ok) {
    delete state;
    throw Napi::Error::New(env, "@x/native: no event loop for this environment. This is a bug in x.");
  }
  env.SetInstanceData(state);
  env.AddCleanupHook([state] { Cleanup(state); });

  struct Export {
    const char* name;
    Napi::Function::Callback function;
  };
  const Export functions[] = {
      {"socketpair", SocketPairJs},
      {"pipe", PipeJs},
      {"sendFds", SendFdsJs},
      {"recvFds", RecvFdsJs},
      {"setCloexec", SetCloexecJs},
      {"setNonblocking", SetNonblockingJs},
      {"shutdown", ShutdownJs},
      {"close", CloseJs},
      {"fdType", FdTypeJs},
      {"mmap", MmapJs},
      {"msync", MsyncJs},
      {"madvise", MadviseJs},
      {"openpty", OpenPtyJs},
      {"setWindowSize", SetWindowSizeJs},
      {"tcgetpgrp", TcgetpgrpJs},
      {"tcsetpgrp", TcsetpgrpJs},
      {"spawn", SpawnJs},
      {"vspawn", VSpawnJs},
      {"daemonize", DaemonizeJs},
      {"waitpid", WaitpidJs},
      {"pidfdOpen", PidfdOpenJs},
      {"watchPid", WatchPidJs},
      {"watchFd", WatchFdJs},
      {"setDisposition", SetDispositionJs},
      {"raiseDefault", RaiseDefaultJs},
      {"captureDisposition", CaptureDispositionJs},
      {"restoreDisposition", RestoreDispositionJs},
      {"sigmask", SigmaskJs},
      {"installInterruptWord", InstallInterruptWordJs},
      {"uninstallInterruptWord", UninstallInterruptWordJs},
      {"coarseClock", CoarseClockJs},
      {"wakeCoarseClock", WakeCoarseClockJs},
      {"stopCoarseClock", StopCoarseClockJs},
  };
  for (const Export& entry : functions) exports.Set(entry.name, Napi::Function::New(env, entry.function, entry.name));

  Napi::Object constants = Napi::Object::New(env);
  constants.Set("WNOHANG", WNOHANG);
  constants.Set("WUNTRACED", WUNTRACED);
  constants.Set("WCONTINUED", WCONTINUED);
  exports.Set("constants", constants);
  return exports;
}

}  // namespace xnative

// The macro pastes its argument into an identifier, so it cannot name a qualified function.
static Napi::Object InitXNative(Napi::Env env, Napi::Object exports) { return xnative::Init(env, exports); }

NODE_API_MODULE(x_native, InitXNative)
