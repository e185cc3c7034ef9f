/**
 * The contract tests of the Store's projected and paged reads, part of
 * `describeStoreContract`: the `ids` and `tree` filters, `listAncestors`, and pages
 * (`afterId` + `limit`) that add up to the full list on random studies. Every adapter
 * runs them against a real database.
 */
import { failureOf } from '../core/trial-failure.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import type { AcceptanceDecision, Store, TrialDraft, TrialOutcome } from '../core/store.ts';
import type { StudyRecord } from '../core/study.ts';
import type { StoreFactory } from './store-factory.ts';

const BASELINE: TrialDraft = { id: 0, specialist: 'baseline', parent: null, hypothesis: 'baseline', seed: 0, edit: null, owner: null };
const SCORED = (score: number): TrialOutcome => ({ status: 'scored', label: null, labelDetail: null, metrics: { loss: score }, score, timings: { runMs: 1 }, logExcerpt: 'ok' });
const FAILED = (label: 'crash' | 'illegal_edit', detail: string): TrialOutcome => ({ status: 'failed', label, labelDetail: detail, metrics: {}, score: null, timings: {}, logExcerpt: 'boom' });
const keepIfLower: AcceptanceDecision = (candidate, incumbent) => incumbent === null || candidate.score < (incumbent.score ?? Infinity);

/** Registers the projected/paged read contract tests for one adapter (called by describeStoreContract). */
export function describeStoreQueryContract(name: string, makeStore: StoreFactory): void {
  describe(`Store query contract: ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let study: StudyRecord;

    beforeEach(async () => {
      const made = await makeStore();
      ({ store, cleanup } = made);
      ({ study } = await store.openStudy({ name: 'queries', taskHash: 'h', taskJson: '{}' }));
      await store.createTrial(study.id, BASELINE);
      await store.finishTrial(study.id, 0, SCORED(10), keepIfLower);
    });

    afterEach(async () => {
      await cleanup();
    });

    /** A random study: parents drawn among earlier trials, random outcomes, some trees shared. */
    async function randomStudy(seed: number, count: number): Promise<void> {
      const random = seededRandom(seed);
      for (let i = 1; i <= count; i++) {
        const parent = Math.floor(random() * i);
        const trial = await store.createTrial(study.id, { specialist: random() < 0.5 ? 'a' : 'b', parent, hypothesis: `h${i}`, seed: i, edit: { kind: 'patch', patch: `p${i}` }, owner: null });
        const roll = random();
        if (roll < 0.15) continue; // left pending
        await store.updateTrial(study.id, trial.id, { status: 'running', tree: `tree-${Math.floor(random() * 5)}`, commit: `c${i}` });
        if (roll < 0.25) continue; // left running
        if (roll < 0.4) await store.finishTrial(study.id, trial.id, FAILED(roll < 0.3 ? 'illegal_edit' : 'crash', `why ${i}`), keepIfLower);
        else await store.finishTrial(study.id, trial.id, SCORED(10 - random() * 5), keepIfLower);
      }
    }

    it('pages (afterId + limit, either order) add up to the full list on a random study', async () => {
      await randomStudy(7, 40);
      const full = await store.listTrials(study.id);
      expect(full.map((trial) => trial.id)).toEqual(Array.from({ length: 41 }, (_, i) => i));
      for (const size of [1, 3, 16]) {
        const pages = [];
        for (let after = -1; ; ) {
          const page = await store.listTrials(study.id, { afterId: after, limit: size });
          if (page.length === 0) break;
          pages.push(...page);
          after = page.at(-1)!.id;
        }
        expect(pages).toEqual(full);
      }
      const newest = await store.listTrials(study.id, { descending: true, limit: 5 });
      expect(newest).toEqual(full.slice(-5).reverse());
    });

    it('the ids filter reads exactly the listed trials (also past one statement\'s worth), the tree filter only that tree', async () => {
      await randomStudy(11, 30);
      const full = await store.listTrials(study.id);
      const random = seededRandom(3);
      for (let round = 0; round < 5; round++) {
        const ids = full.filter(() => random() < 0.4).map((trial) => trial.id).concat([404]);
        expect(await store.listTrials(study.id, { ids })).toEqual(full.filter((trial) => ids.includes(trial.id)));
        expect(await store.listTrials(study.id, { ids, descending: true, limit: 2 })).toEqual(full.filter((trial) => ids.includes(trial.id)).reverse().slice(0, 2));
      }
      expect(await store.listTrials(study.id, { ids: [] })).toEqual([]);
      const many = Array.from({ length: 1200 }, (_, i) => i);
      expect(await store.listTrials(study.id, { ids: many })).toEqual(full);
      for (const tree of ['tree-0', 'tree-3', 'nowhere']) {
        expect(await store.listTrials(study.id, { tree })).toEqual(full.filter((trial) => trial.tree === tree));
      }
    });

    it('a light read (`light: true`) is the full read without the bulky columns, pages and filters included', async () => {
      await randomStudy(13, 40);
      const bulky = await store.createTrial(study.id, { specialist: 'a', parent: 0, hypothesis: 'bulky', seed: 1, edit: { kind: 'patch', patch: 'p' }, owner: null });
      await store.updateTrial(study.id, bulky.id, { status: 'running', diff: 'diff --git a/x b/x', commit: 'c', tree: 't' });
      await store.finishTrial(study.id, bulky.id, { ...SCORED(7), curve: [{ step: 1, name: 'loss', value: 7, repeat: 0 }] } as TrialOutcome, keepIfLower);
      expect((await store.getTrial(study.id, bulky.id))!.diff).toBe('diff --git a/x b/x');
      const full = await store.listTrials(study.id);
      const light = await store.listTrials(study.id, { light: true });
      expect(light.map((trial) => trial.id)).toEqual(full.map((trial) => trial.id));
      for (const [i, trial] of light.entries()) {
        const whole = full[i]!;
        expect(trial.diff).toBeNull();
        expect(trial.edit).toBeNull();
        expect(trial.curve ?? []).toEqual([]);
        expect(trial.repeats ?? []).toEqual([]);
        expect(trial.failure ?? null).toEqual(whole.failure ?? null); // derived or stored, as in a full read
        if (trial.status !== 'failed') expect(trial.logExcerpt).toBe('');
        else expect([whole.logExcerpt, '']).toContain(trial.logExcerpt);
        expect({ ...trial, diff: whole.diff, edit: whole.edit, curve: whole.curve, repeats: whole.repeats, logExcerpt: whole.logExcerpt, failure: whole.failure }).toEqual(whole);
      }
      // `light: 'lineage'`: what a lineage index reads of a trial outside its window, and only that.
      const lineage = await store.listTrials(study.id, { light: 'lineage' });
      expect(lineage.map((trial) => trial.id)).toEqual(full.map((trial) => trial.id));
      for (const [i, trial] of lineage.entries()) {
        const whole = full[i]!;
        const kept = (record: typeof whole) => ({ id: record.id, specialist: record.specialist, parent: record.parent, status: record.status, label: record.label, score: record.score, notes: record.notes, createdAt: record.createdAt, finishedAt: record.finishedAt, failure: failureOf(record) });
        expect(kept(trial)).toEqual(kept(whole));
        expect([trial.diff, trial.edit, trial.commit, trial.owner, trial.hypothesis, trial.metrics]).toEqual([null, null, null, null, '', {}]);
      }
      const page = await store.listTrials(study.id, { light: true, status: ['failed', 'kept'], descending: true, afterId: 5, limit: 4 });
      expect(page.map((trial) => trial.id)).toEqual(full.filter((trial) => trial.id > 5 && (trial.status === 'failed' || trial.status === 'kept')).reverse().slice(0, 4).map((trial) => trial.id));
    });

    it('listEvents narrows to one trial, to types, newest first, and pages add up to the filtered list', async () => {
      await randomStudy(17, 25);
      const all = await store.listEvents(study.id);
      for (const trialId of [0, 4, 9, 404]) expect(await store.listEvents(study.id, { trialId })).toEqual(all.filter((event) => event.trialId === trialId));
      const types = ['trial.started', 'trial.finished'] as const;
      const typed = all.filter((event) => (types as readonly string[]).includes(event.type));
      expect(typed.length).toBeGreaterThan(0);
      expect(await store.listEvents(study.id, { types })).toEqual(typed);
      expect(await store.listEvents(study.id, { types: [] })).toEqual([]);
      expect(await store.listEvents(study.id, { descending: true, limit: 1 })).toEqual([all.at(-1)]);
      expect(await store.listEvents(study.id, { trialId: 4, types: ['trial.started'], descending: true })).toEqual(all.filter((event) => event.trialId === 4 && event.type === 'trial.started').reverse());
      const pages = [];
      for (let after = -1; ; ) {
        const page = await store.listEvents(study.id, { types, afterId: after, limit: 3 });
        if (page.length === 0) break;
        pages.push(...page);
        after = page.at(-1)!.id;
      }
      expect(pages).toEqual(typed);
    });

    it('listAncestors returns the chain to the baseline, projected, in one call', async () => {
      await randomStudy(5, 30);
      const full = await store.listTrials(study.id);
      const byId = new Map(full.map((trial) => [trial.id, trial]));
      for (const trial of full) {
        const expected = [];
        for (let cursor = byId.get(trial.id); cursor; cursor = cursor.parent === null ? undefined : byId.get(cursor.parent)) {
          expected.push({ id: cursor.id, parent: cursor.parent, status: cursor.status, label: cursor.label, labelDetail: cursor.labelDetail, commit: cursor.commit });
        }
        expect(await store.listAncestors(study.id, trial.id)).toEqual(expected);
      }
      expect(await store.listAncestors(study.id, 404)).toEqual([]);
    });

    it('updateTrial merges timings and keeps the first start time; a finished trial is still refused', async () => {
      const trial = await store.createTrial(study.id, { specialist: 'a', parent: 0, hypothesis: 'h', seed: 1, edit: null, owner: null });
      await store.updateTrial(study.id, trial.id, { status: 'running', timings: { materialiseMs: 5 } });
      const started = (await store.getTrial(study.id, trial.id))!.startedAt;
      await store.updateTrial(study.id, trial.id, { status: 'running', timings: { legalityMs: 2, materialiseMs: 7 } });
      const read = (await store.getTrial(study.id, trial.id))!;
      expect(read.timings).toEqual({ materialiseMs: 7, legalityMs: 2 });
      expect(read.startedAt).toBe(started);
      await store.finishTrial(study.id, trial.id, SCORED(3), keepIfLower);
      expect((await store.getTrial(study.id, trial.id))!.timings).toEqual({ materialiseMs: 7, legalityMs: 2, runMs: 1 });
      await expect(store.updateTrial(study.id, trial.id, { timings: { runMs: 1 } })).rejects.toMatchObject({ name: 'StoreError', message: expect.stringMatching(/immutable/) });
      await expect(store.updateTrial(study.id, 404, { status: 'running' })).rejects.toMatchObject({ name: 'StoreError', message: expect.stringMatching(/does not exist/) });
    });
  });
}
