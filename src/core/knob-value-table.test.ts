import { describe, expect, it } from 'vitest';
import { KnobValueTable } from './knob-value-table.ts';
import { knobDistance } from './lineage-failures.ts';
import { seededRandom } from './random.ts';
import { knobValuesInNotes, type NotedKnobValues } from './trial-change.ts';

/** Random knob values as a knob tuner notes them: names in varying order and subsets, numbers, strings, booleans. */
function randomValues(random: () => number): NotedKnobValues {
  const knobs: Record<string, unknown> = {};
  const names = ['lr', 'heads', 'act', 'flag', '2', 'constructor', 'warmup', 'toString'].sort(() => random() - 0.5);
  for (const name of names) {
    if (random() < 0.35) continue;
    const pick = random();
    knobs[name] = pick < 0.4 ? Math.round(random() * 1e6) / 1e4 - 20 : pick < 0.55 ? Math.floor(random() * 9) : pick < 0.65 ? -0 : pick < 0.85 ? ['gelu', 'relu', ''][Math.floor(random() * 3)] : random() < 0.5;
  }
  return knobValuesInNotes(`tpe\n${JSON.stringify({ knobs })}`)!;
}

describe('KnobValueTable', () => {
  it('gives back each trial values as parsed, names in order, and knobDistance to the same bits, through sets, deletes and sets again', () => {
    for (let seed = 1; seed <= 4; seed++) {
      const random = seededRandom(seed);
      const table = new KnobValueTable();
      const held = new Map<number, NotedKnobValues>();
      for (let step = 0; step < 1000; step++) {
        const id = Math.floor(random() * 400);
        const action = random();
        if (action < 0.6) {
          const values = randomValues(random);
          table.set(id, values);
          held.set(id, values);
        } else if (action < 0.8) {
          // Applied again with the values it had (a trial that moved on keeps its notes).
          const values = held.get(id);
          table.delete(id);
          if (values !== undefined) table.set(id, values);
        } else {
          table.delete(id);
          held.delete(id);
        }
        expect(table.size).toBe(held.size);
        expect(table.has(id)).toBe(held.has(id));
        expect(table.get(id)).toEqual(held.get(id));
        if (held.has(id)) expect(Object.keys(table.get(id)!)).toEqual(Object.keys(held.get(id)!));
        const probe = randomValues(random);
        for (const [other, values] of [...held].slice(0, 20)) expect(Object.is(table.distance(probe, other), knobDistance(probe, values))).toBe(true);
      }
      for (const [id, values] of held) expect(table.get(id)).toEqual(values);
    }
  });

  it('keeps -0, empty strings and booleans apart', () => {
    const table = new KnobValueTable();
    table.set(3, { a: -0, b: '', c: false, d: 0 });
    const values = table.get(3)!;
    expect(Object.is(values.a, -0)).toBe(true);
    expect(values).toEqual({ a: -0, b: '', c: false, d: 0 });
    expect(table.get(4)).toBeUndefined();
    expect(() => table.set(-1, {})).toThrow(RangeError);
  });
});
