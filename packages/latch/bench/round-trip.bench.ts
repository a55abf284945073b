// Round trip main thread -> worker -> main thread: a latch pair against MessagePort postMessage and
// against a raw Atomics.wait/notify ping-pong that carries no value (the floor of a futex hand-off).
import { compare } from '@x/bench';
import { Latch } from '@x/latch';
import { portCaller, startWorker } from './workers.js';

const message = { id: 1, op: 'ping' };

const requests = new Latch<typeof message>();
const replies = new Latch<typeof message>();
const latchWorker = startWorker('latch-echo', { requests: requests.handle, replies: replies.handle });
const portWorker = startWorker('port-echo');
const callPort = portCaller(portWorker);
const words = new Int32Array(new SharedArrayBuffer(12));
const atomicsWorker = startWorker('atomics-echo', words.buffer);

const latchRoundTrip = {
  fn: () => {
    requests.put(message);
    replies.get();
  },
};

await compare({
  name: 'latch: round trip main <-> worker (small object)',
  ours: latchRoundTrip,
  peer: { name: 'MessagePort', label: 'postMessage + message event', fn: () => callPort(message) },
});

await compare({
  name: 'latch: round trip main <-> worker vs the raw futex floor',
  ours: latchRoundTrip,
  peer: {
    name: 'raw Atomics',
    label: 'Atomics.wait/notify ping-pong, no value',
    fn: () => {
      Atomics.store(words, 0, 1);
      Atomics.notify(words, 0);
      Atomics.wait(words, 1, 0);
      Atomics.store(words, 1, 0);
    },
  },
});

requests.close();
Atomics.store(words, 2, 1);
Atomics.store(words, 0, 1);
Atomics.notify(words, 0);
await portWorker.worker.terminate();
await Promise.all([latchWorker.exited, atomicsWorker.exited]);
