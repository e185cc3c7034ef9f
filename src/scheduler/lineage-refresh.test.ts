import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLineageFeedback, type LineageOptions } from '../core/lineage-feedback.ts';
import { LineageIndex } from '../core/lineage-index.ts';
import { seededRandom } from '../core/random.ts';
import type { AcceptanceDecision, Store, TrialListFilter } from '../core/store.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { refreshLineageIndex } from './lineage-refresh.ts';

/**
 * The first refresh of a bounded index reads the trials that fall outside its window
 * light (no diff, edit or log): on random studies with trials in flight among the old
 * ones, it holds the same full records and gives the same feedback as every full record.
 */
const keepIfLower: AcceptanceDecision = (candidate, incumbent) => incumbent === null || candidate.score < (incumbent.score ?? Infinity);
const objective = { metric: 'loss', direction: 'minimize' } as const;

let dir: string;
let store: SqliteStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'autolab-refresh-'));
  store = await SqliteStore.open(join(dir, 'store.db'));
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Records `count` trials after the last: some left running, one in five failing, each with a diff, an edit and a log. */
async function record(studyId: number, count: number, random: () => number): Promise<number[]> {
  const running: number[] = [];
  const last = (await store.listTrials(studyId, { descending: true, limit: 1 }))[0]?.id ?? -1;
  for (let n = 0; n < count; n++) {
    const id = last + 1 + n;
    const specialist = id === 0 ? 'baseline' : ['tuner', 'fixer', 'agent'][Math.floor(random() * 3)]!;
    const notes = specialist === 'tuner' ? `{"knobs":{"lr":${Math.round(random() * 100) / 100}}}` : '';
    await store.createTrial(studyId, { ...(id === 0 ? { id: 0 } : {}), specialist, parent: id === 0 ? null : Math.floor(random() * id), hypothesis: `h${id}`, notes, seed: id, edit: id === 0 ? null : { kind: 'patch', patch: `+x = ${id}\n` }, owner: null });
    if (id > 0 && random() < 0.1) {
      running.push(id);
      continue;
    }
    const fails = id > 0 && random() < 0.2;
    await store.finishTrial(
      studyId,
      id,
      fails
        ? { status: 'failed', label: 'crash', labelDetail: 'exit code 1', metrics: {}, score: null, timings: {}, logExcerpt: `ValueError: case ${id % 3}`, diff: `+x = ${id}\n` }
        : { status: 'scored', label: null, labelDetail: null, metrics: { loss: 3 - random() }, score: 3 - random(), timings: {}, logExcerpt: `log ${id}`, diff: `+x = ${id}\n` },
      keepIfLower,
    );
  }
  return running;
}

/** The store, counting the rows it read whole (not light). */
function counting(): { store: Pick<Store, 'listTrials'>; full: () => number } {
  let full = 0;
  return {
    store: {
      listTrials: async (studyId: number, filter?: TrialListFilter) => {
        const rows = await store.listTrials(studyId, filter);
        if (!filter?.light) full += rows.length;
        return rows;
      },
    },
    full: () => full,
  };
}

describe('refreshLineageIndex', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`reads light what leaves the window, and holds what the full read holds (seed ${seed})`, async () => {
      const random = seededRandom(seed);
      const studyId = (await store.openStudy({ name: `s${seed}`, taskHash: 'h', taskJson: '{}' })).study.id;
      const window = 3 + Math.floor(random() * 6);
      const running = await record(studyId, 60 + Math.floor(random() * 60), random);
      const bounded = new LineageIndex({ retainRecent: window });
      const spy = counting();
      await refreshLineageIndex(spy.store, studyId, bounded);
      // The window, the baseline and the trials in flight, plus the few a light page's end overlaps.
      expect(spy.full()).toBeLessThanOrEqual(window + 1 + running.length);
      for (let round = 0; round < 3; round++) {
        const all = await store.listTrials(studyId);
        const full = new LineageIndex();
        full.apply(all);
        expect(bounded.size).toBe(all.length);
        expect(bounded.unfinishedIds()).toEqual(full.unfinishedIds());
        expect(bounded.counts()).toEqual(full.counts());
        expect(bounded.recentTrials(window)).toEqual(full.recentTrials(window));
        expect(bounded.baseline()).toEqual(full.baseline());
        for (const id of bounded.unfinishedIds()) expect(bounded.peek(id)).toEqual(await store.getTrial(studyId, id));
        for (const viewer of ['tuner', 'fixer', undefined]) {
          const options: LineageOptions = { study: 's', objective, ...(viewer ? { viewer } : {}) };
          expect(await bounded.feedbackLoading(options, (ids) => store.listTrials(studyId, { ids }))).toEqual(buildLineageFeedback(all, options));
        }
        // Some trials in flight finish, more are recorded (fewer than the window, then more than it).
        for (const id of running.splice(0, 2)) await store.finishTrial(studyId, id, { status: 'scored', label: null, labelDetail: null, metrics: { loss: 2 }, score: 2, timings: {}, logExcerpt: 'late', diff: '+late\n' }, keepIfLower);
        running.push(...(await record(studyId, round === 0 ? window - 1 : window * 3, random)));
        await refreshLineageIndex(store, studyId, bounded);
      }
    }, 60_000);
  }
});
