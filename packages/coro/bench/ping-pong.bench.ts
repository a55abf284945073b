// Ping-pong: round trips between two tasks over two queues. The figure is per round trip.
// x: two Fifos; async/await: a minimal promise queue (resolver hand-off); Effection: two createQueue()s.
// x and async/await run 1M round trips per batch; Effection 50k (1M takes 3-17 s). A fourth contender,
// the bare yield* trampoline, is no library: it is the floor for any runtime built on generators.
import * as coro from '../src/index.js';
import * as effection from 'effection';
import { perOp, versus } from './support.js';

const N = 1_000_000;
const EFFECTION_N = 50_000;

function* pingPong(count: number): coro.Operation<void> {
  const ping = new coro.Fifo<number>();
  const pong = new coro.Fifo<number>();
  const echo = coro.spawn(function* () {
    for (let k = 0; k < count; k++) pong.push(yield* ping.pop());
  });
  for (let k = 0; k < count; k++) {
    ping.push(k);
    yield* pong.pop();
  }
  yield* echo.join();
}

/** The least a promise-based queue needs: items, or resolvers waiting for one. */
class PromiseQueue<T> {
  readonly #items: T[] = [];
  readonly #waiting: ((item: T) => void)[] = [];

  push(item: T): void {
    const resolve = this.#waiting.shift();
    if (resolve) resolve(item);
    else this.#items.push(item);
  }

  pop(): Promise<T> {
    return this.#items.length > 0 ? Promise.resolve(this.#items.shift()!) : new Promise((resolve) => this.#waiting.push(resolve));
  }
}

async function asyncPingPong(count: number): Promise<void> {
  const ping = new PromiseQueue<number>();
  const pong = new PromiseQueue<number>();
  const echo = (async () => {
    for (let k = 0; k < count; k++) pong.push(await ping.pop());
  })();
  for (let k = 0; k < count; k++) {
    ping.push(k);
    await pong.pop();
  }
  await echo;
}

/** An operation taking one item from a BareQueue: itself the iterator `yield*` drives, as ours are. */
class BarePop implements Iterator<undefined, number, number> {
  #parked = false;
  constructor(readonly queue: BareQueue) {}
  [Symbol.iterator](): this {
    return this;
  }
  next(value?: number): IteratorResult<undefined, number> {
    if (this.#parked) return { done: true, value: value! };
    if (this.queue.items.length > 0) return { done: true, value: this.queue.items.shift()! };
    this.#parked = true;
    this.queue.waiting.push(bareCurrent!);
    return { done: false, value: undefined };
  }
}

interface BareTask {
  gen: Iterator<undefined, void, number>;
  resume: number;
}

class BareQueue {
  readonly items: number[] = [];
  readonly waiting: BareTask[] = [];
  push(item: number): void {
    const task = this.waiting.shift();
    if (task === undefined) this.items.push(item);
    else {
      task.resume = item;
      bareRun.push(task);
    }
  }
  pop(): BarePop {
    return new BarePop(this);
  }
}

let bareCurrent: BareTask | undefined;
const bareRun: BareTask[] = [];

/**
 * The least a generator runtime with the same `yield*` protocol can cost per round trip: two tasks, two
 * queues, one operation object per pop, a run queue drained in a loop, and none of a runtime's
 * bookkeeping (no interruption, timing, selfishness, waiter removal or yielding to libuv). Effection's
 * figure over this one bounds the ratio any such runtime can reach against Effection on this machine.
 */
function bareYieldStar(count: number): void {
  const ping = new BareQueue();
  const pong = new BareQueue();
  const start = (body: () => Iterator<undefined, void, number>) => bareRun.push({ gen: body(), resume: 0 });
  start(function* () {
    for (let k = 0; k < count; k++) pong.push(yield* ping.pop());
  });
  start(function* () {
    for (let k = 0; k < count; k++) {
      ping.push(k);
      yield* pong.pop();
    }
  });
  for (let head = 0; head < bareRun.length; head++) {
    const task = (bareCurrent = bareRun[head]!);
    task.gen.next(task.resume);
    if (head === 1023) {
      bareRun.splice(0, 1024); // keeps the run queue short, as a ring would
      head = -1;
    }
  }
  bareRun.length = 0;
}

function effectionPingPong(count: number) {
  return effection.run(function* () {
    const ping = effection.createQueue<number, never>();
    const pong = effection.createQueue<number, never>();
    const echo = yield* effection.spawn(function* () {
      for (let k = 0; k < count; k++) pong.add(((yield* ping.next()) as IteratorYieldResult<number>).value);
    });
    for (let k = 0; k < count; k++) {
      ping.add(k);
      yield* pong.next();
    }
    yield* echo;
  });
}

await versus(
  'ping-pong over a queue (per round trip)',
  'ms',
  { name: 'x', batch: () => perOp(N, () => coro.toPromise(pingPong(N))) },
  [
    { name: 'async/await', batch: () => perOp(N, () => asyncPingPong(N)) },
    { name: 'effection', batch: () => perOp(EFFECTION_N, () => effectionPingPong(EFFECTION_N)) },
    { name: 'bare yield* trampoline', batch: () => perOp(N, async () => bareYieldStar(N)) },
  ],
  5,
);

// The same with the latency warning off: the run queue then reads the clock once per drain, not per slice.
coro.setLatencyWarning(0);
await versus(
  'ping-pong over a queue, latency warning off (per round trip)',
  'ms',
  { name: 'x', batch: () => perOp(N, () => coro.toPromise(pingPong(N))) },
  [{ name: 'async/await', batch: () => perOp(N, () => asyncPingPong(N)) }],
  5,
);
