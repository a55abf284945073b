// A blocking call from the main thread into a worker (the worker adds two numbers): a request latch
// and a reply latch against synckit's createSyncFn.
import { createSyncFn } from 'synckit';
import { compare } from '@x/bench';
import { Latch } from '@x/latch';
import { startWorker } from './workers.js';

type Call = { a: number; b: number };

const requests = new Latch<Call>();
const replies = new Latch<number>();
const latchWorker = startWorker('latch-call', { requests: requests.handle, replies: replies.handle });
const add = createSyncFn<(call: Call) => Promise<number>>(new URL('./workers/synckit-call.mjs', import.meta.url).pathname);

function check(sum: number): void {
  if (sum !== 3) throw new Error(`the call returned ${sum}, not 3`);
}

await compare({
  name: 'latch: blocking call main -> worker -> main',
  ours: {
    fn: () => {
      requests.put({ a: 1, b: 2 });
      check(replies.get());
    },
  },
  peer: { name: 'synckit', label: 'createSyncFn', fn: () => check(add({ a: 1, b: 2 })) },
});

requests.close();
await latchWorker.exited;
