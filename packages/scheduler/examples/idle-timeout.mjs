// A per-connection idle timeout for 100,000 connections: each connection keeps one Task, and every read
// or write re-arms it (cancel + defer: two O(1) operations, no Node timer touched).
import { Scheduler } from '@x/scheduler';

const CONNECTIONS = 100_000;
const IDLE_MS = 1_000;
const scheduler = new Scheduler();
const closed = { idle: 0, done: 0 };

class Connection {
  constructor(id) {
    this.id = id;
    this.open = true;
    this.idle = scheduler.defer(IDLE_MS, () => this.close('idle'));
  }

  /** Called on every read and write: the connection is not idle. */
  touch() {
    this.idle.cancel();
    this.idle = scheduler.defer(IDLE_MS, () => this.close('idle'));
  }

  close(reason) {
    if (!this.open) return;
    this.open = false;
    this.idle.cancel();
    closed[reason]++;
  }
}

const connections = Array.from({ length: CONNECTIONS }, (_, id) => new Connection(id));
console.log(`${CONNECTIONS} connections, ${scheduler.size} idle timers, one Node timer`);

// Every 100 ms one connection in ten sees traffic; after 1.5 s those finish normally.
const traffic = scheduler.recur(100, () => {
  for (let id = 0; id < CONNECTIONS; id += 10) if (connections[id].open) connections[id].touch();
});
await scheduler.sleep(1_500);
traffic.cancel();
for (let id = 0; id < CONNECTIONS; id += 10) connections[id].close('done');

while (scheduler.size > 0) await scheduler.sleep(100);
console.log(`closed when idle: ${closed.idle}, closed after traffic: ${closed.done}`);
scheduler.close();
