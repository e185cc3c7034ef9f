import { describe, expect, it } from 'vitest';
import { makeTrial } from '../testing/trial-fixture.ts';
import { FailureIndex } from './lineage-failure-index.ts';
import { lineageFailures } from './lineage-failures.ts';
import { seededRandom } from './random.ts';
import type { TrialRecord } from './trial.ts';

const notes = (values: Record<string, number | string | boolean>) => `tpe\n${JSON.stringify({ knobs: values })}`;

/** A random finished trial: knob values on a small grid (integers, reals, categories), a failure by a few causes, or a score. */
function randomTrial(random: () => number, id: number, ids: readonly number[]): TrialRecord {
  const heads = 1 + Math.floor(random() * 9);
  const values: Record<string, number | string | boolean> = { heads };
  if (random() < 0.7) values.lr = Math.round(random() * 50) / 1000;
  if (random() < 0.3) values.act = random() < 0.5 ? 'gelu' : 'relu';
  if (random() < 0.1) values.flag = random() < 0.5;
  const withKnobs = random() < 0.8;
  const parent = ids.length === 0 ? 0 : ids[Math.floor(random() * ids.length)]!;
  const specialist = ['tuner', 'writer', 'porter'][Math.floor(random() * 3)]!;
  const fails = heads >= 7 || random() < 0.15;
  if (fails) {
    const cause = heads >= 7 ? `AssertionError: heads ${heads % 2}` : `ValueError: case ${Math.floor(random() * 4)}`;
    return makeTrial({ id, parent, specialist, status: 'failed', label: 'crash', score: null, labelDetail: 'exit 1', logExcerpt: `Traceback (most recent call last):\n  File "train.py", line 3, in <module>\n${cause}`, notes: withKnobs ? notes(values) : '', diff: `--- a/t.py\n+++ b/t.py\n@@\n-h = 1\n+h = ${heads}` });
  }
  return makeTrial({ id, parent, specialist, status: random() < 0.3 ? 'kept' : 'discarded', score: 2 + random(), notes: withKnobs ? notes(values) : '' });
}

describe('FailureIndex', () => {
  it('gives the failure blocks lineageFailures computes from every trial, after each trial added in any order or applied again', () => {
    let checked = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const random = seededRandom(seed);
      const byId = new Map<number, TrialRecord>([[0, makeTrial({ id: 0, specialist: 'baseline', parent: null, status: 'kept', score: 2.5 })]]);
      const index = new FailureIndex((id) => byId.get(id));
      index.add(byId.get(0)!);
      // Ids arrive out of order (parallel trials finishing late), and some trials are applied again.
      const order = Array.from({ length: 160 }, (_, k) => k + 1).sort((a, b) => a - b + (random() - 0.5) * 12);
      for (const id of order) {
        const trial = randomTrial(random, id, [...byId.keys()]);
        byId.set(id, trial);
        index.add(trial);
        if (random() < 0.1) {
          const again = byId.get(order[Math.floor(random() * order.length)]!) ?? trial;
          index.remove(again);
          index.add(again);
        }
        if (random() < 0.4) {
          expect(index.blocks()).toEqual(lineageFailures([...byId.values()].sort((a, b) => a.id - b.id)));
          checked++;
        }
      }
      const blocks = index.blocks();
      expect(blocks).toEqual(lineageFailures([...byId.values()]));
      expect(blocks.some((cause) => cause.contrast.length > 0)).toBe(true);
      expect(blocks.some((cause) => cause.passes.length > 0)).toBe(true);
    }
    expect(checked).toBeGreaterThan(300);
  });
});
