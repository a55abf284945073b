// The exported functions of @x/native: each checks and converts its arguments and
// calls the code that does the work; Entry() turns whatever that throws into a
// Node-shaped error (boundary.hh). Nothing else in src/ but boundary.cc and errors.cc
// touches a JS value.
#include <napi.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <mutex>
#include <set>

#include "actions.hh"
#include "args.hh"
#include "boundary.hh"
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

constexpr double kMaxSafeInteger = 9007199254740991.0;
constexpr int kWaitFlags = WNOHANG | WUNTRACED | WCONTINUED;

// ---- per-environment state (the main thread and each worker that loads the addon) ----

struct EnvState;

// A watch started from JS (watchFd, watchPid): the poll, the JS callback, and what
// the watch owns (a pidfd).
struct JsWatch {
  EnvState* state;
  const char* name;  // the function that started it, for errors
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

// Calls a watch's callback from the event loop (libuv calls this through FdPoll): microtasks
// run afterwards, and an exception, the callback's own or one from building its arguments, goes
// to 'uncaughtException' as one from any other callback would, never unwinding into libuv. A
// `last` delivery stops the watch first; so does a failure to build the arguments, which would
// only fail again at the next event.
void Deliver(const std::shared_ptr<JsWatch>& watch, bool last, const std::function<std::vector<napi_value>()>& args) {
  Napi::Env env = watch->state->env;
  ContainedInCallback(env, watch->name, [&] {
    Napi::HandleScope scope(env);
    Napi::Function callback = watch->callback.Value();
    // Held here: the callback may call stop(), which drops the watch's own reference.
    std::shared_ptr<Napi::AsyncContext> context = watch->context;
    if (last) StopWatch(watch);
    std::vector<napi_value> values;
    try {
      values = args();
    } catch (...) {
      StopWatch(watch);
      throw;
    }
    callback.MakeCallback(env.Global(), values, *context);
  });
}

Napi::Function StopFunction(Napi::Env env, std::shared_ptr<JsWatch> watch, const char* name) {
  return Napi::Function::New(
      env, [watch, name](const Napi::CallbackInfo& info) { Guarded(info.Env(), name, [&] { StopWatch(watch); }); },
      name);
}

// `name` is the exported function's; the async resource (async_hooks) is named "x.<name>".
std::shared_ptr<JsWatch> NewWatch(const Napi::CallbackInfo& info, Napi::Function callback, const char* name) {
  auto watch = std::make_shared<JsWatch>();
  watch->state = State(info.Env());
  watch->name = name;
  watch->callback = Napi::Persistent(callback);
  watch->context = std::make_shared<Napi::AsyncContext>(info.Env(), ("x." + std::string(name)).c_str());
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
  return PairJs(info.Env(), SocketPair(static_cast<SocketType>(type)));
}

Napi::Value PipeJs(const Napi::CallbackInfo& info) { return PairJs(info.Env(), Pipe()); }

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
  long sent = SendFds(sock, fds, data, length);
  return sent < 0 ? info.Env().Null() : Napi::Number::New(info.Env(), static_cast<double>(sent));
}

Napi::Value RecvFdsJs(const Napi::CallbackInfo& info) {
  int sock = FdArg(info, 0, "sock");
  size_t max = static_cast<size_t>(IntegerValue(info[1], "max", 0, 253));
  size_t maxBytes =
      info[2].IsUndefined() ? 65536 : static_cast<size_t>(IntegerValue(info[2], "maxBytes", 1, 64 * 1024 * 1024));
  Received received;
  if (!RecvFds(sock, max, maxBytes, received)) return info.Env().Null();
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
  SetCloexec(fd, on);
  return info.Env().Undefined();
}

Napi::Value SetNonblockingJs(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "fd");
  bool on = BoolValue(info[1], "on", true);
  SetNonblocking(fd, on);
  return info.Env().Undefined();
}

Napi::Value ShutdownJs(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "fd");
  size_t how = ChoiceArg(info, 1, "how", {"r", "w", "rw"});
  Shutdown(fd, static_cast<ShutdownHow>(how));
  return info.Env().Undefined();
}

Napi::Value CloseJs(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "fd");
  // libuv aborts the process when an fd it polls is closed before the loop next runs.
  if (FdPoll::IsPolled(fd)) {
    throw SysError{EBUSY, "close", {}, "a watchFd() or watchPid() watch polls this fd: call its stop function first"};
  }
  Close(fd);
  return info.Env().Undefined();
}

Napi::Value FdTypeJs(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "fd");
  return Napi::String::New(info.Env(), FdType(fd));
}

// ---- mmap ----

Napi::Value MmapJs(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd", -1, INT32_MAX);
  int64_t offset = IntegerValue(info[1], "offset", 0, static_cast<int64_t>(kMaxSafeInteger));
  int64_t length = IntegerValue(info[2], "length", 0, static_cast<int64_t>(kMaxSafeInteger));
  size_t prot = ChoiceArg(info, 3, "prot", {"r", "rw"});
  bool shared = BoolValue(info[4], "shared", true);
  Mapping* mapping =
      Map(fd, offset, static_cast<size_t>(length), prot == 0 ? Protection::Read : Protection::ReadWrite, shared);
  try {
    return Napi::ArrayBuffer::New(
        info.Env(), mapping->data, mapping->length,
        [](Napi::Env, void*, Mapping* done) { Contained("mmap finalizer", [&] { Unmap(done); }); }, mapping);
  } catch (...) {
    Unmap(mapping);
    throw;
  }
}

Napi::Value MsyncJs(const Napi::CallbackInfo& info) {
  Mapping* mapping = MappingArg(info, 0);
  bool async = BoolValue(info[1], "async", false);
  Sync(mapping, async);
  return info.Env().Undefined();
}

Napi::Value MadviseJs(const Napi::CallbackInfo& info) {
  Mapping* mapping = MappingArg(info, 0);
  size_t advice = ChoiceArg(info, 1, "advice", {"normal", "random", "sequential", "willneed", "dontneed", "populate"});
  Advise(mapping, static_cast<Advice>(advice));
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
  Pty pty = OpenPty(cols, rows);
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
  SetWindowSize(fd, cols, rows);
  return info.Env().Undefined();
}

Napi::Value TcgetpgrpJs(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "fd");
  return Napi::Number::New(info.Env(), ForegroundGroup(fd));
}

Napi::Value TcsetpgrpJs(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "fd");
  pid_t pgid = IntArg(info, 1, "pgid", 1, INT32_MAX);
  SetForegroundGroup(fd, pgid);
  return info.Env().Undefined();
}

// ---- process ----

Napi::Value SpawnJs(const Napi::CallbackInfo& info) {
  ChildOptions options = ChildArgs(info, false);
  return Napi::Number::New(info.Env(), Spawn(options));
}

Napi::Value VSpawnJs(const Napi::CallbackInfo& info) {
  ChildOptions options = ChildArgs(info, false);
  return Napi::Number::New(info.Env(), VSpawn(options));
}

Napi::Value DaemonizeJs(const Napi::CallbackInfo& info) {
  ChildOptions options = ChildArgs(info, true);
  return Napi::Number::New(info.Env(), Daemonize(options));
}

Napi::Value WaitpidJs(const Napi::CallbackInfo& info) {
  pid_t pid = IntArg(info, 0, "pid", 1, INT32_MAX);
  int flags = info[1].IsUndefined() ? 0 : IntArg(info, 1, "flags", 0, kWaitFlags);
  if ((flags & ~kWaitFlags) != 0) Reject(info[1], "flags", "a combination of constants.WNOHANG, WUNTRACED, WCONTINUED");
  std::optional<WaitResult> result = Wait(pid, flags);
  return result ? StatusJs(info.Env(), *result, true) : info.Env().Null();
}

Napi::Value PidfdOpenJs(const Napi::CallbackInfo& info) {
  pid_t pid = IntArg(info, 0, "pid", 1, INT32_MAX);
  return Napi::Number::New(info.Env(), PidfdOpen(pid));
}

Napi::Value WatchPidJs(const Napi::CallbackInfo& info) {
  pid_t pid = IntArg(info, 0, "pid", 1, INT32_MAX);
  Napi::Function callback = FunctionArg(info, 1, "callback");
  std::shared_ptr<JsWatch> watch = NewWatch(info, callback, "watchPid");
  watch->pid = pid;
  watch->ownedFd = PidfdOpen(pid);
  try {
    watch->poll = FdPoll::Start(watch->state->loop, watch->ownedFd, kReadable, [watch](int, int) {
      Deliver(watch, true, [&] {
        std::optional<WaitResult> result = ExitStatus(watch->pid);
        Napi::Env env = watch->state->env;
        return std::vector<napi_value>{result ? StatusJs(env, *result, false) : env.Null()};
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
  std::shared_ptr<JsWatch> watch = NewWatch(info, callback, "watchFd");
  watch->poll = FdPoll::Start(watch->state->loop, fd, events, [watch](int status, int ready) {
    Deliver(watch, status < 0, [&] {
      Napi::Env env = watch->state->env;
      if (status < 0) return std::vector<napi_value>{NodeError(env, SysError{-status, "uv_poll", {}, {}}).Value(), env.Null()};
      Napi::Object flags = Napi::Object::New(env);
      flags.Set("readable", (ready & kReadable) != 0);
      flags.Set("writable", (ready & kWritable) != 0);
      flags.Set("hangup", (ready & kHangup) != 0);
      return std::vector<napi_value>{env.Null(), flags};
    });
  });
  watch->state->watches.insert(watch);
  return StopFunction(info.Env(), watch, "stopWatchingFd");
}

// ---- signals ----

Napi::Value SetDispositionJs(const Napi::CallbackInfo& info) {
  int sig = SignalArg(info, 0);
  size_t choice = ChoiceArg(info, 1, "disposition", {"default", "ignore"});
  SetDisposition(sig, choice == 0 ? Disposition::Default : Disposition::Ignore);
  return info.Env().Undefined();
}

Napi::Value RaiseDefaultJs(const Napi::CallbackInfo& info) {
  int sig = SignalArg(info, 0);
  RaiseDefault(sig);
  return info.Env().Undefined();
}

Napi::Value CaptureDispositionJs(const Napi::CallbackInfo& info) {
  int sig = SignalArg(info, 0);
  CaptureDisposition(sig);
  return info.Env().Undefined();
}

Napi::Value RestoreDispositionJs(const Napi::CallbackInfo& info) {
  int sig = SignalArg(info, 0);
  RestoreDisposition(sig);
  return info.Env().Undefined();
}

Napi::Value SigmaskJs(const Napi::CallbackInfo& info) {
  size_t how = ChoiceArg(info, 0, "how", {"block", "unblock", "set"});
  std::vector<int> signals = SignalsArg(info, 1);
  std::vector<int> previous = SetMask(static_cast<MaskHow>(how), signals);
  Napi::Array result = Napi::Array::New(info.Env(), previous.size());
  for (size_t i = 0; i < previous.size(); ++i) result.Set(static_cast<uint32_t>(i), previous[i]);
  return result;
}

// The memory of a SharedArrayBuffer of at least `bytes` bytes (8-byte aligned, as V8 allocates them).
// A signal handler or the clock thread writes there until it is released, so only a real
// SharedArrayBuffer will do: its memory is never detached, moved or freed while referenced.
void* SharedMemoryArg(const Napi::CallbackInfo& info, size_t index, size_t bytes) {
  Napi::Env env = info.Env();
  Napi::Value buffer = info[index];
  auto reject = [&] { Reject(buffer, "buffer", "a SharedArrayBuffer of at least " + std::to_string(bytes) + " bytes"); };
  Napi::Function sharedArrayBuffer = env.Global().Get("SharedArrayBuffer").As<Napi::Function>();
  // IsArrayBuffer() is true only for a plain ArrayBuffer, which could be detached under the writer.
  if (!buffer.IsObject() || buffer.IsArrayBuffer() || !buffer.As<Napi::Object>().InstanceOf(sharedArrayBuffer)) reject();
  // N-API has no SharedArrayBuffer accessor before Node 22: a Uint8Array over it gives its memory.
  // An impostor (an object whose prototype is SharedArrayBuffer.prototype) is not a buffer, so the
  // view gets a fresh one of its own: comparing the view's buffer with ours tells them apart.
  Napi::Function uint8Array = env.Global().Get("Uint8Array").As<Napi::Function>();
  Napi::Uint8Array view = uint8Array.New({buffer}).As<Napi::Uint8Array>();
  if (!view.ArrayBuffer().StrictEquals(buffer) || view.ByteLength() < bytes) reject();
  return view.Data();
}

Napi::Value InstallInterruptWordJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Value buffer = info[0];
  int32_t* word = static_cast<int32_t*>(SharedMemoryArg(info, 0, 8));
  std::vector<int> signals = SignalsArg(info, 1);
  InstallInterruptHandlers(signals);
  EnvState* state = State(env);
  std::lock_guard<std::mutex> hold(wordLock);
  ReplaceInterruptWord(word);
  wordOwner = state;
  state->wordBuffer = Napi::Persistent(buffer.As<Napi::Object>());
  return env.Undefined();
}

Napi::Value UninstallInterruptWordJs(const Napi::CallbackInfo& info) {
  std::vector<int> signals = SignalsArg(info, 0);
  if (UninstallInterruptHandlers(signals)) ReleaseWord(State(info.Env()));
  return info.Env().Undefined();
}

Napi::Value CoarseClockJs(const Napi::CallbackInfo& info) {
  auto* word = static_cast<CoarseClockWord*>(SharedMemoryArg(info, 0, sizeof(CoarseClockWord)));
  EnvState* state = State(info.Env());
  // The buffer is held before the thread may write into it, and the word kept only once registered.
  Napi::ObjectReference buffer = Napi::Persistent(info[0].As<Napi::Object>());
  if (state->clockWord != word) ReleaseClock(state);
  double now = RegisterCoarseClock(word);
  state->clockWord = word;
  state->clockBuffer = std::move(buffer);
  return Napi::Number::New(info.Env(), now);
}

Napi::Value WakeCoarseClockJs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), WakeCoarseClock());
}

Napi::Value StopCoarseClockJs(const Napi::CallbackInfo& info) {
  ReleaseClock(State(info.Env()));
  return info.Env().Undefined();
}

// Every exported function is called through this: nothing it throws reaches node-addon-api
// (which passes on only a Napi::Error) but as a Node-shaped JS error.
template <Napi::Value (*Function)(const Napi::CallbackInfo&)>
Napi::Value Entry(const Napi::CallbackInfo& info) {
  return Guarded(info.Env(), static_cast<const char*>(info.Data()), [&] { return Function(info); });
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* state = new EnvState{env, nullptr, {}, {}, nullptr, {}};
  if (napi_get_uv_event_loop(env, &state->loop) != napi_ok) {
    delete state;
    throw Napi::Error::New(env, "@x/native: no event loop for this environment. This is a bug in x.");
  }
  env.SetInstanceData(state);
  // Node calls this hook from C++ with no JS to throw to.
  env.AddCleanupHook([state] { Contained("environment cleanup", [&] { Cleanup(state); }); });

  struct Export {
    const char* name;
    Napi::Function::Callback function;
  };
  const Export functions[] = {
      {"socketpair", Entry<SocketPairJs>},
      {"pipe", Entry<PipeJs>},
      {"sendFds", Entry<SendFdsJs>},
      {"recvFds", Entry<RecvFdsJs>},
      {"setCloexec", Entry<SetCloexecJs>},
      {"setNonblocking", Entry<SetNonblockingJs>},
      {"shutdown", Entry<ShutdownJs>},
      {"close", Entry<CloseJs>},
      {"fdType", Entry<FdTypeJs>},
      {"mmap", Entry<MmapJs>},
      {"msync", Entry<MsyncJs>},
      {"madvise", Entry<MadviseJs>},
      {"openpty", Entry<OpenPtyJs>},
      {"setWindowSize", Entry<SetWindowSizeJs>},
      {"tcgetpgrp", Entry<TcgetpgrpJs>},
      {"tcsetpgrp", Entry<TcsetpgrpJs>},
      {"spawn", Entry<SpawnJs>},
      {"vspawn", Entry<VSpawnJs>},
      {"daemonize", Entry<DaemonizeJs>},
      {"waitpid", Entry<WaitpidJs>},
      {"pidfdOpen", Entry<PidfdOpenJs>},
      {"watchPid", Entry<WatchPidJs>},
      {"watchFd", Entry<WatchFdJs>},
      {"setDisposition", Entry<SetDispositionJs>},
      {"raiseDefault", Entry<RaiseDefaultJs>},
      {"captureDisposition", Entry<CaptureDispositionJs>},
      {"restoreDisposition", Entry<RestoreDispositionJs>},
      {"sigmask", Entry<SigmaskJs>},
      {"installInterruptWord", Entry<InstallInterruptWordJs>},
      {"uninstallInterruptWord", Entry<UninstallInterruptWordJs>},
      {"coarseClock", Entry<CoarseClockJs>},
      {"wakeCoarseClock", Entry<WakeCoarseClockJs>},
      {"stopCoarseClock", Entry<StopCoarseClockJs>},
  };
  for (const Export& entry : functions) {
    // The name doubles as the function's data, so Entry() can say which function failed.
    exports.Set(entry.name, Napi::Function::New(env, entry.function, entry.name, const_cast<char*>(entry.name)));
  }

  Napi::Object constants = Napi::Object::New(env);
  constants.Set("WNOHANG", WNOHANG);
  constants.Set("WUNTRACED", WUNTRACED);
  constants.Set("WCONTINUED", WCONTINUED);
  exports.Set("constants", constants);
  return exports;
}

}  // namespace xnative

// The macro pastes its argument into an identifier, so it cannot name a qualified function.
static Napi::Object InitXNative(Napi::Env env, Napi::Object exports) {
  return xnative::Guarded(env, "require", [&] { return xnative::Init(env, exports); });
}

NODE_API_MODULE(x_native, InitXNative)
