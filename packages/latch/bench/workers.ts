// Starting and stopping the benchmark's worker threads (bench/workers/*.mjs).
import { Worker } from 'node:worker_threads';

/** A started worker and a promise of its exit, listened for from the start so no exit is missed. */
export interface Started {
  worker: Worker;
  exited: Promise<number>;
}

/** Starts bench/workers/<name>.mjs with `workerData`. */
export function startWorker(name: string, workerData?: unknown): Started {
  const worker = new Worker(new URL(`./workers/${name}.mjs`, import.meta.url), { workerData });
  const exited = new Promise<number>((resolve, reject) => {
    worker.once('exit', resolve);
    worker.once('error', reject);
  });
  return { worker, exited };
}

/** Calls a worker over its port: post a message, resolve with its reply (replies come in order). */
export function portCaller({ worker }: Started): (message: unknown) => Promise<unknown> {
  const waiting: ((value: unknown) => void)[] = [];
  worker.on('message', (reply) => waiting.shift()?.(reply));
  return (message) =>
    new Promise((settle) => {
      waiting.push(settle);
      worker.postMessage(message);
    });
}
