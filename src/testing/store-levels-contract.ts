/**
 * The Store contract of fidelity levels (`recordTrialLevel`, `listTrialLevels`): run
 * against every adapter by `describeStoreContract`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../core/store.ts';
import type { StudyRecord } from '../core/study.ts';
import type { StoreFactory } from './store-factory.ts';

const OWNER = { host: 'test-host', pid: 4242, token: 'tok-1' };

export function describeStoreLevelsContract(name: string, makeStore: StoreFactory): void {
  describe(`Store contract (fidelity levels): ${name}`, () => {
    let store: Store & Required<Pick<Store, 'recordTrialLevel' | 'listTrialLevels'>>;
    let cleanup: () => Promise<void>;
    let study: StudyRecord;

    beforeEach(async () => {
      const made = await makeStore();
      cleanup = made.cleanup;
      expect(made.store.recordTrialLevel, 'the store records fidelity levels').toBeTypeOf('function');
      store = made.store as typeof store;
      ({ study } = await store.openStudy({ name: 'ladder', taskHash: 'h', taskJson: '{}' }));
      await store.createTrial(study.id, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'baseline', seed: 0, edit: null, owner: null });
      await store.createTrial(study.id, { specialist: 'knobs', parent: 0, hypothesis: 'wider', seed: 0, edit: null, owner: OWNER });
    });

    afterEach(async () => {
      await cleanup();
    });

    it('records levels of an unfinished trial, keeps one row per level, lists them by trial and level, and logs each', async () => {
      const small = { level: 0, levelName: 's', status: 'scored' as const, label: null, score: 2.5, metrics: { loss: 2.5, run_seconds: 0.2 }, samples: [2.5], runMs: 200 };
      const recorded = await store.recordTrialLevel(study.id, 1, small);
      expect(recorded).toMatchObject({ ...small, trialId: 1 });
      expect(recorded.measuredAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      await store.recordTrialLevel(study.id, 0, { ...small, score: 3, samples: [2.9, 3.1], metrics: { loss: 3 } });
      // A re-run of the same level (after an interruption) replaces it.
      await store.recordTrialLevel(study.id, 1, { ...small, score: 2.4, metrics: { loss: 2.4 }, samples: [2.4] });
      await store.recordTrialLevel(study.id, 1, { level: 1, levelName: 'full', status: 'failed', label: 'oom', score: null, metrics: {}, samples: [], runMs: 1234.4 });
      const all = await store.listTrialLevels(study.id);
      expect(all.map((r) => [r.trialId, r.level, r.score, r.label])).toEqual([
        [0, 0, 3, null],
        [1, 0, 2.4, null],
        [1, 1, null, 'oom'],
      ]);
      expect(all[2]!.runMs).toBe(1234);
      expect((await store.listTrialLevels(study.id, [0])).map((r) => r.samples)).toEqual([[2.9, 3.1]]);
      expect(await store.listTrialLevels(study.id, [])).toEqual([]);
      const events = (await store.listEvents(study.id)).filter((e) => e.type === 'trial.level_measured');
      expect(events.map((e) => [e.trialId, e.data.levelName, e.data.status])).toEqual([
        [1, 's', 'scored'],
        [0, 's', 'scored'],
        [1, 's', 'scored'],
        [1, 'full', 'failed'],
      ]);
    });

    it('refuses a level of a finished or missing trial, and a malformed level, changing nothing', async () => {
      await store.finishTrial(study.id, 0, { status: 'scored', label: null, labelDetail: null, metrics: { loss: 3 }, score: 3, timings: {}, logExcerpt: '' }, () => true);
      const level = { level: 0, levelName: 's', status: 'scored' as const, label: null, score: 1, metrics: {}, samples: [], runMs: 1 };
      await expect(store.recordTrialLevel(study.id, 0, level)).rejects.toThrow(/immutable/);
      await expect(store.recordTrialLevel(study.id, 9, level)).rejects.toThrow(/does not exist/);
      await expect(store.recordTrialLevel(study.id, 1, { ...level, score: null })).rejects.toMatchObject({ name: 'StoreError' });
      await expect(store.recordTrialLevel(study.id, 1, { ...level, status: 'failed' })).rejects.toThrow(/failure label/);
      await expect(store.recordTrialLevel(study.id, 1, { ...level, level: -1 })).rejects.toThrow(/level must be/);
      expect(await store.listTrialLevels(study.id)).toEqual([]);
    });
  });
}
