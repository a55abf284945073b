// Counts messages until it gets null, then reports how many it took.
import { parentPort } from 'node:worker_threads';

let count = 0;
parentPort.on('message', (message) => {
  if (message !== null) {
    count++;
    return;
  }
  parentPort.postMessage(count);
  count = 0;
});
