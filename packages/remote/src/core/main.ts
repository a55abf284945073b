// The context-side runtime: bundled by esbuild into one minified script that the first stage inflates
// and runs with `require` and `boot` in scope. Nothing here may need a file on the context's disk.
import { Socket } from 'node:net';
import { formatWithOptions } from 'node:util';
import { decodePayload } from '../wire/codec.js';
import { ENCODING_V8, type Frame } from '../wire/frame.js';
import { BOOTSTRAP, type BootstrapConfig, type LogLevel } from '../routing/handles.js';
import type { LogRecord } from '../calls/log-forwarder.js';
import { Stream } from '../wire/stream.js';
import { type Boot, ContextRouter } from './context-router.js';
import { captureStdio, channelMode, readRelay, splitChannel, supervise } from './stdio.js';
import { tierUpSooner } from './tier-up.js';

declare const boot: Boot;

const RUNTIME = Symbol.for('@x/remote.runtime');
const CHANNEL_FD = 3;
/** Until the bootstrap says otherwise, a frame larger than this is refused. */
const BOOTSTRAP_MAX = 1 << 20;

const mode = channelMode();
let router: ContextRouter | undefined;
if (mode === 'supervise') supervise(boot.name, boot.core);
else serve(mode === 'local' ? new Socket({ fd: CHANNEL_FD, readable: true, writable: true }) : splitChannel());

function serve(channel: Socket): void {
  process.title = `node (x:${boot.name})`;
  tierUpSooner();
  const stream = new Stream(
    channel,
    -1,
    BOOTSTRAP_MAX,
    (frame, from) => {
      if (router !== undefined) router.receive(frame, from);
      else start(frame, from);
    },
    () => {
      // The channel to the parent is gone (EOF, error, or a frame that broke it): nobody is left to serve.
      if (router === undefined) process.exit(1);
      router.end(true);
    },
  );
  stream.leadsToParent = true;
}

function start(frame: Frame, from: Stream): void {
  if (frame.handle !== BOOTSTRAP || frame.encoding !== ENCODING_V8) {
    from.close('the first frame was not a bootstrap');
    process.exit(1);
  }
  const config = decodePayload(frame.payload, (tagged) => tagged, 'parent') as BootstrapConfig;
  from.remoteId = config.parentIds[0]!;
  from.maxMessageSize = config.maxMessageSize;
  const self = new ContextRouter(config, boot);
  router = self;
  self.setParentStream(from);
  patchConsole(self);
  if (mode === 'split') {
    readRelay(
      (stream, text) => {
        self.emitLog({ contextId: self.id, stream, level: stream === 'stdout' ? 'info' : 'warn', text }, false);
        return self.logsWait();
      },
      () => self.end(true),
    );
  }
  else if (mode === 'redirected') {
    captureStdio(
      (stream, text) => self.emitLog({ contextId: self.id, stream, level: stream === 'stdout' ? 'info' : 'warn', text }),
      () => self.logsWait(),
    );
  }
  else watchStdin(self);
  const parent = self.contextFor(config.parentIds[0]!, 'parent');
  const current = self.contextFor(self.id, self.name);
  (globalThis as Record<symbol, unknown>)[RUNTIME] = {
    parentContext: () => parent,
    currentContext: () => current,
    load: boot.load,
    // For modules shipped on demand that start children of this context (via-child.ts).
    router: self,
    core: boot.core,
  };
  self.reply(frame, true, { pid: process.pid });
}

const CONSOLE_LEVELS: Record<string, Exclude<LogLevel, 'silent'>> = {
  debug: 'debug',
  trace: 'debug',
  log: 'info',
  info: 'info',
  dir: 'info',
  warn: 'warn',
  error: 'error',
};

/** console.* becomes log records; levels below the parent's are dropped here, so they never travel. */
function patchConsole(self: ContextRouter): void {
  const target = console as unknown as Record<string, (...args: unknown[]) => void>;
  for (const [method, level] of Object.entries(CONSOLE_LEVELS)) {
    target[method] = (...args: unknown[]) => {
      if (!self.logs(level)) return;
      const text = method === 'trace' ? `Trace: ${formatWithOptions({ colors: false }, ...args)}\n${new Error().stack?.split('\n').slice(2).join('\n') ?? ''}` : formatWithOptions({ colors: false }, ...args);
      self.emitLog({ contextId: self.id, stream: 'console', level: level as LogRecord['level'], text });
    };
  }
}

/** stdin carried the core; after it, EOF there (the parent closed it or died) ends the context too. */
function watchStdin(self: ContextRouter): void {
  const stdin = new Socket({ fd: 0, readable: true, writable: false });
  stdin.on('end', () => self.end(true));
  stdin.on('error', () => self.end(true));
  stdin.resume();
}

