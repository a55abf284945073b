// Sockets: listening (KAccept), connecting. Node's net module does the socket(2)/bind(2)/listen(2)/
// connect(2) calls; its handle is never read or written by Node (paused before it could start), and
// the channels do their I/O on the handle's fd. Destroying the net.Socket closes that fd.
//
// Why Node's private `_handle.fd`: Node has no public way to give a socket's fd, and @x/native has no
// socket(2), bind(2), listen(2), accept4(2) and connect(2) of its own. Those would also need name
// resolution, IPv4/IPv6 dual stack, Unix paths and non-blocking connect, all of which Node's net module
// already does right. libuv's stream handles (tcp_wrap, pipe_wrap) have carried `fd` on Linux since
// Node 0.x; `handleFd` is the one place that reads it, it throws a bug report rather than go on without
// an fd, and net.test.ts checks that the fd it gives is the connected socket itself.
import * as net from 'node:net';
import { KChannel } from './channel.js';
import { KDuplex } from './connect.js';
import { KInput, type InputOptions } from './input.js';
import { KOutput, type OutputOptions } from './output.js';
import { InvalidArgumentError, KernelError } from './errors.js';
import { toReadable, toReadableStream } from './streams.js';
import type { Readable } from 'node:stream';

/** A TCP address (`host` defaults to 127.0.0.1 for listen, `port` 0 = any free port) or a Unix socket path. */
export type Endpoint = { host?: string; port: number } | { path: string };

function checkEndpoint(name: string, endpoint: unknown): Endpoint {
  const e = endpoint as { host?: unknown; port?: unknown; path?: unknown };
  if (typeof e === 'object' && e !== null) {
    if (typeof e.path === 'string' && e.path !== '') return { path: e.path };
    if (typeof e.port === 'number' && Number.isInteger(e.port) && e.port >= 0 && e.port <= 65535 && (e.host === undefined || typeof e.host === 'string')) {
      return e.host === undefined ? { port: e.port } : { host: e.host, port: e.port };
    }
  }
  throw new InvalidArgumentError(name, 'an endpoint: { host?, port } (port 0 to 65535) or { path }', endpoint);
}

/** The fd under a connected socket or a listening server (see the top of this file for why it is read so). */
function handleFd(handleOwner: net.Socket | net.Server): number {
  const fd = (handleOwner as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) {
    throw new Error(`@x/kernel-io: a net.${handleOwner instanceof net.Server ? 'Server' : 'Socket'} without an fd on Node ${process.version}. This is a bug in x (or an unsupported platform): please report it.`);
  }
  return fd;
}

/** Channels over a connected net.Socket's fd; the socket is destroyed (fd closed) when both have terminated. */
export function socketDuplex(socket: net.Socket, options: InputOptions & OutputOptions = {}): KDuplex {
  socket.on('error', () => {});
  const fd = handleFd(socket);
  const close = () => socket.destroy();
  const what = socket.remoteAddress ? `tcp ${socket.remoteAddress}:${socket.remotePort}` : `unix socket fd ${fd}`;
  const input = new KInput({ fd, kind: 'stream', what, close }, options);
  const output = new KOutput({ fd, kind: 'stream', socket: true, what, close }, options);
  return new KDuplex(fd, input, output);
}

/** How {@link listen} and {@link KAccept} behave. */
export interface AcceptOptions extends InputOptions, OutputOptions {
  /** Accepted connections waiting for the consumer before the KAccept reports `'obstruct'` (default 64). */
  backlog?: number;
}

/**
 * Connections accepted on one listening socket, as an async iterable of {@link KDuplex}. With `backlog`
 * connections waiting for the consumer the channel reports `'obstruct'` (and `'clear'` when it takes
 * one); Node's listener cannot pause accept(2), so later connections still queue here, none is dropped.
 *
 * @example
 * import { listen } from '@x/kernel-io';
 * const [server] = await listen({ host: '127.0.0.1', port: 0 });
 * for await (const connection of server) { await connection.output.send('hello'); await connection.output.end(); }
 */
export class KAccept extends KChannel implements AsyncIterable<KDuplex> {
  readonly fd: number;
  /** Where it listens. */
  readonly address: Endpoint;
  private readonly server: net.Server;
  private readonly options: AcceptOptions;
  private readonly waiting: KDuplex[] = [];
  private waiter: { resolve(value: KDuplex | null): void; reject(error: Error): void } | null = null;
  private readonly backlog: number;

  /** @internal use {@link listen}. */
  constructor(server: net.Server, options: AcceptOptions) {
    super();
    this.server = server;
    this.options = options;
    this.backlog = options.backlog ?? 64;
    const address = server.address();
    this.address = typeof address === 'string' ? { path: address } : { host: address!.address, port: address!.port };
    this.fd = handleFd(server);
    server.on('connection', this.onConnection);
  }

  /** The next accepted connection, or null once terminated. */
  accept(): Promise<KDuplex | null> {
    const next = this.waiting.shift();
    if (next) {
      if (this.obstructed && this.waiting.length < this.backlog) this.obstruct(false);
      return Promise.resolve(next);
    }
    if (this.terminated) return this.error ? Promise.reject(this.error) : Promise.resolve(null);
    if (this.waiter) return Promise.reject(new TypeError(`${this.describe()}: accept() called while another accept() waits.`));
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** This channel as a Node Readable (object mode, one KDuplex per connection) with its back-pressure (see {@link toReadable}). */
  toReadable(): Readable {
    return toReadable(this);
  }

  /** This channel as a web ReadableStream with its back-pressure (see {@link toReadableStream}). */
  toReadableStream(): ReadableStream<KDuplex> {
    return toReadableStream(this);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<KDuplex, void, undefined> {
    for (;;) {
      const connection = await this.accept();
      if (connection === null) return;
      yield connection;
    }
  }

  /** Stops listening and closes connections not yet taken. */
  terminate(error?: Error): void {
    if (this.terminated) return;
    this.server.off('connection', this.onConnection);
    this.server.close();
    for (const connection of this.waiting.splice(0)) connection.terminate();
    this.finish(error ?? null, 'in');
    const waiter = this.waiter;
    this.waiter = null;
    if (waiter) (error ? waiter.reject(error) : waiter.resolve(null));
  }

  protected describe(): string {
    const a = this.address;
    return `KAccept#${this.id} (${'path' in a ? a.path : `${a.host}:${a.port}`})`;
  }

  private onConnection = (socket: net.Socket): void => {
    let connection: KDuplex;
    try {
      connection = socketDuplex(socket, this.options);
    } catch (error) {
      socket.destroy();
      this.emit('warning', error);
      return;
    }
    if (this.owner) {
      connection.input.attach(this.owner);
      connection.output.attach(this.owner);
    }
    this.transferred(Buffer.alloc(0), true, false, 'in');
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      waiter.resolve(connection);
      return;
    }
    this.waiting.push(connection);
    if (this.waiting.length >= this.backlog) this.obstruct(true);
  };
}

/**
 * Listens on each endpoint (bind(2) + listen(2)); resolves with one KAccept per endpoint, in order.
 * A TCP endpoint without `host` listens on 127.0.0.1.
 *
 * @throws KernelError EADDRINUSE, EACCES (syscall listen).
 */
export async function openListen(interfaces: Endpoint | Endpoint[], options: AcceptOptions = {}): Promise<KAccept[]> {
  const list = (Array.isArray(interfaces) ? interfaces : [interfaces]).map((e, i) => checkEndpoint(`interfaces[${i}]`, e));
  const accepts: KAccept[] = [];
  try {
    for (const endpoint of list) {
      const server = net.createServer({ pauseOnConnect: true });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        const ready = () => {
          server.off('error', reject);
          resolve();
        };
        if ('path' in endpoint) server.listen(endpoint.path, ready);
        else server.listen(endpoint.port, endpoint.host ?? '127.0.0.1', ready);
      }).catch((error: unknown) => {
        throw KernelError.from(error, `listen on ${JSON.stringify(endpoint)}`, 'listen');
      });
      server.on('error', () => {});
      accepts.push(new KAccept(server, options));
    }
  } catch (error) {
    for (const accept of accepts) accept.terminate();
    throw error;
  }
  return accepts;
}

/**
 * Connects to an endpoint and resolves with the connection's channels.
 *
 * @throws KernelError ECONNREFUSED, ENOENT… (syscall connect).
 */
export function openConnect(endpoint: Endpoint, options: InputOptions & OutputOptions = {}): Promise<KDuplex> {
  const target = checkEndpoint('endpoint', endpoint);
  return new Promise((resolve, reject) => {
    const socket = 'path' in target ? net.connect(target.path) : net.connect(target.port, target.host ?? '127.0.0.1');
    // Paused before the connection completes, Node never starts reading the fd the channels read.
    socket.pause();
    socket.once('error', (error) => reject(KernelError.from(error, `connect to ${JSON.stringify(target)}`, 'connect')));
    socket.once('connect', () => {
      try {
        resolve(socketDuplex(socket, options));
      } catch (error) {
        socket.destroy();
        reject(error);
      }
    });
  });
}

