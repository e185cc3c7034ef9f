import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import { IdOrdered } from './id-ordered.ts';

describe('IdOrdered', () => {
  it('holds what a map sorted by id holds, through random upserts and removals', () => {
    for (const seed of [1, 2, 3]) {
      const random = seededRandom(seed);
      const marks = new IdOrdered<[number, number, string]>();
      const expected = new Map<number, [number, number, string]>();
      for (let step = 0; step < 2_000; step++) {
        const id = Math.floor(random() * 300);
        if (random() < 0.3) expect(marks.remove(id)).toBe(expected.delete(id));
        else {
          const entry: [number, number, string] = [id, random() * 10, random() < 0.5 ? 'kept' : 'discarded'];
          marks.upsert(entry);
          expected.set(id, entry);
        }
        if (step % 97 === 0) {
          const sorted = [...expected.values()].sort((a, b) => a[0] - b[0]);
          expect(marks.entries()).toEqual(sorted);
          expect(marks.size).toBe(sorted.length);
          expect(marks.idList()).toEqual(sorted.map(([other]) => other));
          if (sorted.length > 0) expect(marks.at(sorted.length - 1)).toEqual(sorted.at(-1));
        }
      }
    }
  });

  it('holds ids alone', () => {
    const running = new IdOrdered<[number]>();
    for (const id of [5, 1, 3, 1]) running.upsert([id]);
    expect(running.entries()).toEqual([[1], [3], [5]]);
    expect(running.idAt(1)).toBe(3);
  });
});
