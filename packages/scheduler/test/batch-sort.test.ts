import { describe, expect, it } from 'vitest';
import { sortBatch } from '../src/batch-sort.js';

describe('sortBatch()', () => {
  it('orders task indices by deadline, then by insertion sequence, for every batch size', () => {
    let state = 12345;
    const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (const size of [0, 1, 2, 15, 16, 17, 33, 100, 1_000, 5_000]) {
      const deadline = new Float64Array(size);
      const seq = new Float64Array(size);
      for (let k = 0; k < size; k++) {
        deadline[k] = Math.floor(random() * 40) / 4; // many ties
        seq[k] = Math.floor(random() * 1e9);
      }
      const batch = Array.from({ length: size }, (_, k) => k);
      const expected = [...batch].sort((a, b) => deadline[a]! - deadline[b]! || seq[a]! - seq[b]!);
      sortBatch(batch, deadline, seq);
      expect(batch).toEqual(expected);
    }
  });
});
