// Sorting a batch of task indices by (deadline, insertion sequence) without a comparator callback:
// Array.prototype.sort calls a JS function per comparison, which dominated firing a busy tick.

let scratch = new Int32Array(1024);
let spare = new Int32Array(1024);

/** True if task `a` runs before task `b`: earlier deadline, or the same deadline and inserted first. */
function before(deadline: Float64Array, seq: Float64Array, a: number, b: number): boolean {
  const da = deadline[a]!;
  const db = deadline[b]!;
  return da < db || (da === db && seq[a]! < seq[b]!);
}

/** Sorts `batch` (task indices) in place: insertion-sorted runs of 16, then bottom-up stable merges. */
export function sortBatch(batch: number[], deadline: Float64Array, seq: Float64Array): void {
  const n = batch.length;
  if (scratch.length < n) {
    scratch = new Int32Array(n * 2);
    spare = new Int32Array(n * 2);
  }
  let from = scratch;
  let to = spare;
  for (let k = 0; k < n; k++) from[k] = batch[k]!;
  const RUN = 16;
  for (let start = 0; start < n; start += RUN) {
    const end = Math.min(start + RUN, n);
    for (let k = start + 1; k < end; k++) {
      const item = from[k]!;
      let j = k - 1;
      while (j >= start && before(deadline, seq, item, from[j]!)) {
        from[j + 1] = from[j]!;
        j--;
      }
      from[j + 1] = item;
    }
  }
  for (let width = RUN; width < n; width *= 2) {
    for (let left = 0; left < n; left += 2 * width) {
      const middle = Math.min(left + width, n);
      const right = Math.min(left + 2 * width, n);
      let i = left;
      let j = middle;
      let k = left;
      if (middle < right && !before(deadline, seq, from[middle]!, from[middle - 1]!)) {
        // Already in order: copy the pair of runs through.
        while (i < right) to[k++] = from[i++]!;
        continue;
      }
      while (i < middle && j < right) to[k++] = before(deadline, seq, from[j]!, from[i]!) ? from[j++]! : from[i++]!;
      while (i < middle) to[k++] = from[i++]!;
      while (j < right) to[k++] = from[j++]!;
    }
    const swap = from;
    from = to;
    to = swap;
  }
  for (let k = 0; k < n; k++) batch[k] = from[k]!;
}
