import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import { makeTrial } from '../testing/trial-fixture.ts';
import { ChildrenIndex } from './children-index.ts';

describe('ChildrenIndex', () => {
  it('gives what a scan of the trials gives, on random trees, dense and sparse ids', () => {
    for (const seed of [1, 2, 3]) {
      const random = seededRandom(seed);
      for (const sparse of [false, true]) {
        const ids = Array.from({ length: 300 }, (_, i) => (sparse ? i * 10_000 : i));
        const trials = ids.map((id, i) => makeTrial({ id, parent: i === 0 || random() < 0.05 ? null : ids[Math.floor(random() * i)]! }));
        const index = ChildrenIndex.of(trials);
        for (const id of [...ids, -1, 7_777_777]) {
          expect(index.childrenOf(id)).toEqual(trials.filter((trial) => trial.parent === id).map((trial) => trial.id));
        }
      }
    }
  });
});
