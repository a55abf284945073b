// Takes messages until it gets null, then reports how many it took on the `done` latch.
import { workerData } from 'node:worker_threads';
import { Latch } from '@x/latch';

const messages = Latch.from(workerData.messages);
const done = Latch.from(workerData.done);
try {
  for (;;) {
    let count = 0;
    while (messages.get() !== null) count++;
    done.put(count);
  }
} catch (error) {
  if (error.code !== 'ERR_X_LATCH_CLOSED') throw error;
}
