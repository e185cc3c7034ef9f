import { describe, expect, it } from 'vitest';
import { IdList } from './id-list.ts';
import { seededRandom } from './random.ts';

describe('IdList', () => {
  it('behaves as a sorted number[] through random inserts (mostly appends), removals and reads', () => {
    for (let seed = 1; seed <= 3; seed++) {
      const random = seededRandom(seed);
      const list = new IdList();
      const model: number[] = [];
      for (let step = 0; step < 2000; step++) {
        const action = random();
        if (action < 0.75) {
          const id = random() < 0.8 ? (model.at(-1) ?? 0) + 1 + Math.floor(random() * 3) : Math.floor(random() * 2000) - 5;
          list.insert(id);
          let at = model.length;
          while (at > 0 && model[at - 1]! > id) at--;
          model.splice(at, 0, id);
        } else if (model.length > 0) {
          const at = Math.floor(random() * model.length);
          list.removeAt(at);
          model.splice(at, 1);
        }
        expect(list.length).toBe(model.length);
        const probe = Math.floor(random() * 2100) - 10;
        expect(list.indexOf(probe)).toBe(model.includes(probe) ? model.lastIndexOf(probe) : -1);
        expect(list.upperBound(probe)).toBe(model.filter((id) => id <= probe).length);
        expect(list.at(-1)).toBe(model.at(-1));
        const start = Math.floor(random() * 20) - 10;
        const end = Math.floor(random() * 40) - 20;
        expect(list.slice(start)).toEqual(model.slice(start));
        expect(list.slice(start, end)).toEqual(model.slice(start, end));
      }
      expect([...list]).toEqual(model);
    }
  });

  it('refuses ids that are not int32', () => {
    const list = new IdList();
    expect(() => list.insert(2 ** 31)).toThrow(RangeError);
    expect(() => list.insert(1.5)).toThrow(RangeError);
    expect(list.at(0)).toBeUndefined();
  });
});
