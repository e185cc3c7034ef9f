import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../core/store.ts';
import type { TrialRecord } from '../core/trial.ts';
import { openStore } from '../store/open-store.ts';
import { writeSyntheticStudy } from '../testing/synthetic-study.ts';
import { StudySnapshot } from './study-snapshot.ts';

/** What a light snapshot holds of a full record (held-trial.ts). */
const lightened = (trial: TrialRecord): TrialRecord => ({ ...trial, diff: null, edit: null, logExcerpt: '', curve: [], repeats: [], tree: null, labelDetail: null, owner: null, heartbeatAt: null });

describe('StudySnapshot', () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autolab-snapshot-'));
    store = await openStore(join(dir, 'autolab.db'));
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a light snapshot holds the full one without the bulky columns, and reads them, events and slots from the store', async () => {
    for (const seed of [3, 8]) {
      const study = await writeSyntheticStudy(store, { name: `s${seed}`, trials: 60, slots: 3, seed });
      const full = await StudySnapshot.load(store, study);
      const light = await StudySnapshot.load(store, study, { light: true });
      expect(light.revision).toBe(full.revision);
      expect(light.sorted()).toEqual(full.sorted().map(lightened));
      expect(light.sorted().some((trial) => trial.status === 'failed' && trial.failure !== null)).toBe(true);
      expect(light.slots.size).toBe(0); // read when a view needs them
      await light.loadSlots();
      expect(light.slots).toEqual(full.slots);
      const ids = [0, 5, 17, 59, 404];
      const records = await light.full(ids);
      expect([...records.keys()]).toEqual([0, 5, 17, 59]);
      for (const id of records.keys()) expect(records.get(id)).toEqual(full.trials.get(id));
      const all = await store.listEvents(study.id);
      for (const id of [0, 9, 31]) expect(await light.events(id)).toEqual(all.filter((event) => event.trialId === id));

      // Trials recorded after the load: a refresh reads what changed, light, slots included.
      const trial = await store.createTrial(study.id, { specialist: 'tuner', parent: 0, hypothesis: 'late', seed: 0, edit: { kind: 'patch', patch: 'p' }, owner: null });
      await store.updateTrial(study.id, trial.id, { status: 'running', diff: 'diff --git a/x b/x' }, { type: 'trial.started', data: { slot: 2, gpu: '2' } });
      await store.finishTrial(study.id, trial.id, { status: 'failed', label: 'crash', labelDetail: 'exit 1', metrics: {}, score: null, timings: { totalMs: 5 }, logExcerpt: 'Traceback\nValueError: x' }, () => false);
      await Promise.all([full.refresh(), light.refresh()]);
      expect(light.revision).toBe(full.revision);
      expect(light.sorted()).toEqual(full.sorted().map(lightened));
      expect(light.slots.get(trial.id)).toEqual({ slot: 2, gpu: '2' });
      expect(light.slots).toEqual(full.slots);
      expect((await light.full([trial.id])).get(trial.id)!.diff).toBe('diff --git a/x b/x');
    }
  });
});
