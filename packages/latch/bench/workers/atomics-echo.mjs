// The raw floor: waits for word 0 to become 1, clears it, sets word 1 and wakes the caller; word 2 = stop.
import { workerData } from 'node:worker_threads';

const words = new Int32Array(workerData);
for (;;) {
  Atomics.wait(words, 0, 0);
  if (Atomics.load(words, 2) === 1) break;
  Atomics.store(words, 0, 0);
  Atomics.store(words, 1, 1);
  Atomics.notify(words, 1);
}
