// Ping-pong: round trips between two tasks over two queues. The figure is per round trip.
// x: two Fifos; async/await: a minimal promise queue (resolver hand-off); Effection: two createQueue()s.
// x and async/await run 1M round trips per batch; Effection 50k (1M takes 7-17 s).
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
