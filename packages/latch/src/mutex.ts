// A mutex in one shared Int32 word (Drepper, "Futexes Are Tricky", mutex 2):
// 0 = free, 1 = held, 2 = held and someone may sleep on it. Legal on Node's main
// thread too, where Atomics.wait is allowed. It guards a few header words and one
// memcpy, so it spins briefly before sleeping.

const SPINS = 64;

/** Takes the lock at `index`, sleeping in Atomics.wait when it stays held. */
export function lock(words: Int32Array, index: number): void {
  if (Atomics.compareExchange(words, index, 0, 1) === 0) return;
  for (let spin = 0; spin < SPINS; spin++) {
    if (Atomics.load(words, index) === 0 && Atomics.compareExchange(words, index, 0, 1) === 0) return;
  }
  while (Atomics.exchange(words, index, 2) !== 0) Atomics.wait(words, index, 2);
}

/** Releases the lock at `index`, waking one sleeper if there may be one. */
export function unlock(words: Int32Array, index: number): void {
  if (Atomics.sub(words, index, 1) !== 1) {
    Atomics.store(words, index, 0);
    Atomics.notify(words, index, 1);
  }
}
