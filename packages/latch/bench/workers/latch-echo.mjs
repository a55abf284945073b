// Echoes each request from one latch to another until the requests latch closes.
import { workerData } from 'node:worker_threads';
import { Latch } from '@x/latch';

const requests = Latch.from(workerData.requests);
const replies = Latch.from(workerData.replies);
try {
  for (;;) replies.put(requests.get());
} catch (error) {
  if (error.code !== 'ERR_X_LATCH_CLOSED') throw error;
}
