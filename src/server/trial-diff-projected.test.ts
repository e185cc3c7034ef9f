import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../core/store.ts';
import { openStore } from '../store/open-store.ts';
import { writeSyntheticStudy } from '../testing/synthetic-study.ts';
import { StudySnapshot } from '../views/study-snapshot.ts';
import { diffTrials } from './trial-diff.ts';

/** A seeded pseudo-random generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the diff between two trials from the projected diff read', () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autolab-trial-diff-'));
    store = await openStore(join(dir, 'autolab.db'));
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('equals, byte for byte, the diff built from the full records on a synthetic study', async () => {
    const study = await writeSyntheticStudy(store, { name: 'diffs', trials: 120, slots: 3, seed: 11 });
    const full = await StudySnapshot.load(store, study);
    const light = await StudySnapshot.load(store, study, { light: true });
    const rand = random(5);
    const ids = [...full.trials.keys()];
    const pairs: Array<[number, number]> = [[0, ids.at(-1)!], [ids.at(-1)!, 0], [7, 7]];
    for (let i = 0; i < 60; i++) pairs.push([ids[Math.floor(rand() * ids.length)]!, ids[Math.floor(rand() * ids.length)]!]);
    let steps = 0;
    for (const [from, to] of pairs) {
      // Before: the full record of every step read from the store (and, for a full snapshot, the ones held).
      const fromFull = await diffTrials(light.trials.get(from)!, light.trials.get(to)!, light.trials, null, async (shown) => new Map([...(await light.full(shown))].map(([id, trial]) => [id, trial.diff])));
      const held = await diffTrials(full.trials.get(from)!, full.trials.get(to)!, full.trials, null);
      const projected = await diffTrials(light.trials.get(from)!, light.trials.get(to)!, light.trials, null, (shown) => light.diffs(shown));
      expect(JSON.stringify(projected)).toBe(JSON.stringify(fromFull));
      expect(JSON.stringify(projected)).toBe(JSON.stringify(held));
      if (projected.source === 'stored') steps += projected.steps.length;
    }
    expect(steps).toBeGreaterThan(100); // the pairs walked real lineages
  });

  it('reads the stored diffs of any number of ids, unknown ids left out', async () => {
    const study = await writeSyntheticStudy(store, { name: 'many', trials: 600, slots: 2, seed: 4 });
    const records = await store.listTrials(study.id);
    const ids = [...records.map((trial) => trial.id).reverse(), 9999];
    const rows = await store.listTrialDiffs!(study.id, ids);
    expect(rows).toEqual(records.map((trial) => ({ id: trial.id, diff: trial.diff })));
    expect(rows.some((row) => row.diff === null)).toBe(true);
    expect(await store.listTrialDiffs!(study.id, [])).toEqual([]);
  });
});
