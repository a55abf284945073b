/** Undoes a registration; calling it again does nothing. Also usable with `using`. */
export interface Dispose {
  (): void;
  [Symbol.dispose](): void;
}

/** Makes a disposer that runs `undo` once. */
export function disposer(undo: () => void): Dispose {
  let done = false;
  const dispose = (() => {
    if (done) return;
    done = true;
    undo();
  }) as Dispose;
  dispose[Symbol.dispose] = dispose;
  return dispose;
}
