// Serves calls: takes { a, b } from the requests latch and puts a + b on the replies latch.
import { workerData } from 'node:worker_threads';
import { Latch } from '@x/latch';

const requests = Latch.from(workerData.requests);
const replies = Latch.from(workerData.replies);
try {
  for (;;) {
    const { a, b } = requests.get();
    replies.put(a + b);
  }
} catch (error) {
  if (error.code !== 'ERR_X_LATCH_CLOSED') throw error;
}
