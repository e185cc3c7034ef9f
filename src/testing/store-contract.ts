/**
 * The contract test suite of the Store port: every adapter (SQLite, PostgreSQL) runs
 * these same tests against a real database (STYLE.md habit 7).
 *
 * @example
 * describeStoreContract('SqliteStore', async () => {
 *   const dir = await mkdtemp(join(tmpdir(), 'autolab-store-'));
 *   const store = await SqliteStore.open(join(dir, 'study.db'));
 *   return { store, cleanup: async () => { await store.close(); await rm(dir, { recursive: true, force: true }); } };
 * });
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decisionOverKeptTrials, type AcceptanceDecision, type Store, type TrialDraft, type TrialOutcome } from '../core/store.ts';
import type { StudyRecord } from '../core/study.ts';
import type { FailureLabel, Metrics, TrialCost, TrialRecord } from '../core/trial.ts';
import type { StoreFactory } from './store-factory.ts';
import { describeResearchMemoryContract } from './research-memory-contract.ts';
import { describeStoreQueryContract } from './store-query-contract.ts';
import { describeStoreSummaryContract } from './store-summary-contract.ts';
import { describeStoreLevelsContract } from './store-levels-contract.ts';
import { describeStoreQueueContract } from './store-queue-contract.ts';

export type { StoreFactory } from './store-factory.ts';

const OWNER = { host: 'test-host', pid: 4242, token: 'tok-1' };

function draft(overrides: Partial<TrialDraft> = {}): TrialDraft {
  return {
    specialist: 'knobs',
    parent: 0,
    hypothesis: 'raise the learning rate',
    seed: 7,
    edit: { kind: 'patch', patch: '--- a/x\n+++ b/x\n@@ -1 +1 @@\n-1\n+2\n' },
    owner: OWNER,
    ...overrides,
  };
}

const BASELINE: TrialDraft = { id: 0, specialist: 'baseline', parent: null, hypothesis: 'baseline', seed: 0, edit: null, owner: null };

function scored(score: number, metrics: Metrics = {}, extra: Partial<TrialOutcome> = {}): TrialOutcome {
  return { status: 'scored', label: null, labelDetail: null, metrics: { val_loss: score, ...metrics }, score, timings: { runMs: 100, totalMs: 150 }, logExcerpt: 'done', ...extra };
}

function failed(label: FailureLabel, detail = 'it broke'): TrialOutcome {
  return { status: 'failed', label, labelDetail: detail, metrics: {}, score: null, timings: { totalMs: 5 }, logExcerpt: 'Traceback ...' };
}

/** Lower is better; the first score is always kept. */
const keepIfLower: AcceptanceDecision = (candidate, incumbent) => incumbent === null || candidate.score < (incumbent.score ?? Infinity);
const never: AcceptanceDecision = () => false;

async function expectStoreError(promise: Promise<unknown>, message?: RegExp): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'expected a StoreError').toBeInstanceOf(Error);
  expect((error as Error).name).toBe('StoreError');
  if (message) expect((error as Error).message).toMatch(message);
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Registers the Store contract tests for one adapter, the work queue's (store-queue-contract.ts) included. */
export function describeStoreContract(name: string, makeStore: StoreFactory): void {
  describeStoreQueueContract(name, makeStore);
  describeResearchMemoryContract(name, makeStore);
  describeStoreQueryContract(name, makeStore);
  describeStoreSummaryContract(name, makeStore);
  describeStoreLevelsContract(name, makeStore);
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let study: StudyRecord;

    beforeEach(async () => {
      ({ store, cleanup } = await makeStore());
      ({ study } = await store.openStudy({ name: 'demo', taskHash: 'hash-1', taskJson: '{"name":"demo"}' }));
    });

    afterEach(async () => {
      await cleanup();
    });

    /** Baseline scored `baselineScore` (kept), then `count` pending trials on it. */
    async function seeded(baselineScore = 1, count = 0): Promise<TrialRecord[]> {
      await store.createTrial(study.id, BASELINE);
      await store.finishTrial(study.id, 0, scored(baselineScore), keepIfLower);
      const trials: TrialRecord[] = [];
      for (let i = 0; i < count; i++) trials.push(await store.createTrial(study.id, draft()));
      return trials;
    }

    it('migrate twice is a no-op that keeps every record', async () => {
      await seeded(1, 2);
      const before = { studies: await store.listStudies(), trials: await store.listTrials(study.id), events: await store.listEvents(study.id) };
      await store.migrate();
      await store.migrate();
      expect(await store.listStudies()).toEqual(before.studies);
      expect(await store.listTrials(study.id)).toEqual(before.trials);
      expect(await store.listEvents(study.id)).toEqual(before.events);
      expect((await store.createTrial(study.id, draft())).id).toBe(3);
    });

    it('openStudy creates a study once, then returns the same one unchanged', async () => {
      expect(study).toMatchObject({ name: 'demo', taskHash: 'hash-1', taskJson: '{"name":"demo"}', baselineCommit: null, elapsedMs: 0 });
      expect(study.createdAt).toMatch(ISO);
      const again = await store.openStudy({ name: 'demo', taskHash: 'other-hash', taskJson: '{}' });
      expect(again).toEqual({ study, created: false });
      const other = await store.openStudy({ name: 'second', taskHash: 'h2', taskJson: '{}' });
      expect(other.created).toBe(true);
      expect(other.study.id).not.toBe(study.id);
      expect(await store.getStudy('demo')).toEqual(study);
      expect(await store.getStudy('missing')).toBeNull();
      expect((await store.listStudies()).map((s) => s.name)).toEqual(['demo', 'second']);
      expect((await store.listEvents(study.id)).map((e) => e.type)).toEqual(['study.created']);
    });

    it('numbers trials per study: the baseline 0, then 1, 2, 3', async () => {
      const baseline = await store.createTrial(study.id, BASELINE);
      expect(baseline).toMatchObject({ studyId: study.id, id: 0, parent: null, status: 'pending', specialist: 'baseline' });
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await store.createTrial(study.id, draft())).id);
      expect(ids).toEqual([1, 2, 3]);
      const { study: second } = await store.openStudy({ name: 'second', taskHash: 'h', taskJson: '{}' });
      expect((await store.createTrial(second.id, draft({ parent: null }))).id).toBe(1);
    });

    it('records a draft faithfully', async () => {
      await store.createTrial(study.id, BASELINE);
      const cost: TrialCost = { usd: 0.25, inputTokens: 1000, outputTokens: 200, cachedTokens: 50 };
      const edit = { kind: 'files' as const, files: { 'train.py': 'lr = 3e-4\n', 'old.py': null } };
      const trial = await store.createTrial(study.id, draft({ notes: 'n', expectedDelta: -0.02, cost, edit, seed: 123456789 }));
      expect(trial).toEqual({
        studyId: study.id, id: 1, specialist: 'knobs', parent: 0, hypothesis: 'raise the learning rate', notes: 'n',
        expectedDelta: -0.02, status: 'pending', label: null, labelDetail: null, commit: null, tree: null, diff: null,
        metrics: {}, score: null, seed: 123456789, timings: {}, cost, logExcerpt: '', failure: null, repeats: [], curve: [], edit, owner: OWNER,
        createdAt: trial.createdAt, startedAt: null, finishedAt: null, heartbeatAt: null,
      });
      expect(trial.createdAt).toMatch(ISO);
      expect(await store.getTrial(study.id, 1)).toEqual(trial);
      const plain = await store.createTrial(study.id, draft({ owner: null }));
      expect(plain).toMatchObject({ notes: '', expectedDelta: null, cost: null, owner: null });
      expect(await store.getTrial(study.id, 99)).toBeNull();
    });

    it('refuses a taken forced number, an unknown parent and an unknown study', async () => {
      await store.createTrial(study.id, BASELINE);
      await expectStoreError(store.createTrial(study.id, BASELINE), /already exists/);
      await expectStoreError(store.createTrial(study.id, draft({ parent: 42 })), /parent 42/);
      await expectStoreError(store.createTrial(study.id + 1000, draft({ parent: null })));
      // Numbers that would not read back as written are refused up front.
      await expectStoreError(store.createTrial(study.id, draft({ seed: 1.5 })), /seed/);
      await expectStoreError(store.createTrial(study.id, draft({ expectedDelta: Number.POSITIVE_INFINITY })), /expectedDelta/);
      await expectStoreError(store.updateTrial(study.id, 0, { timings: { runMs: Number.NaN } }), /runMs/);
      expect(await store.countTrials(study.id)).toBe(1);
      expect((await store.getTrial(study.id, 0))!.timings).toEqual({});
    });

    it('gives concurrent createTrial calls distinct consecutive numbers', async () => {
      await store.createTrial(study.id, BASELINE);
      const created = await Promise.all(Array.from({ length: 25 }, (_, i) => store.createTrial(study.id, draft({ seed: i }))));
      expect(created.map((t) => t.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    });

    it('updateTrial records progress, merges timings and logs the given event', async () => {
      const [trial] = await seeded(1, 1);
      await store.updateTrial(study.id, trial!.id, { status: 'running', owner: OWNER, timings: { proposeMs: 10 } }, { type: 'trial.started', data: { slot: 2 } });
      let now = (await store.getTrial(study.id, trial!.id))!;
      expect(now.status).toBe('running');
      expect(now.startedAt).toMatch(ISO);
      await store.updateTrial(study.id, trial!.id, { commit: 'c1', tree: 't1', diff: 'd1', timings: { materialiseMs: 20 }, logExcerpt: 'x', startedAt: '2030-01-01T00:00:00.000Z' });
      now = (await store.getTrial(study.id, trial!.id))!;
      expect(now).toMatchObject({ commit: 'c1', tree: 't1', diff: 'd1', timings: { proposeMs: 10, materialiseMs: 20 }, logExcerpt: 'x', startedAt: '2030-01-01T00:00:00.000Z', owner: OWNER });
      await store.updateTrial(study.id, trial!.id, { owner: null, commit: null });
      expect(await store.getTrial(study.id, trial!.id)).toMatchObject({ owner: null, commit: null, tree: 't1' });
      const events = (await store.listEvents(study.id)).filter((e) => e.trialId === trial!.id);
      expect(events.map((e) => [e.type, e.data])).toEqual([
        ['trial.created', expect.anything()],
        ['trial.started', { slot: 2 }],
        ['trial.updated', expect.anything()],
        ['trial.updated', expect.anything()],
      ]);
      await expectStoreError(store.updateTrial(study.id, 77, { status: 'running' }), /does not exist/);
    });

    it('keeps and discards by the decide callback, which sees the current incumbent', async () => {
      expect(await store.getIncumbent(study.id)).toBeNull();
      await store.createTrial(study.id, BASELINE);
      const seen: Array<number | null> = [];
      const spy: AcceptanceDecision = (candidate, incumbent) => {
        seen.push(incumbent?.id ?? null);
        return keepIfLower(candidate, incumbent);
      };
      const baseline = await store.finishTrial(study.id, 0, scored(1.0), spy);
      expect(baseline.status).toBe('kept');
      expect(await store.getIncumbent(study.id)).toEqual(baseline);

      const t1 = await store.createTrial(study.id, draft());
      const t2 = await store.createTrial(study.id, draft());
      const t3 = await store.createTrial(study.id, draft());
      expect((await store.finishTrial(study.id, t2.id, scored(0.8), spy)).status).toBe('kept');
      expect((await store.getIncumbent(study.id))!.id).toBe(2);
      // Kept after trial 2 although its number is lower: the most recently kept wins.
      expect((await store.finishTrial(study.id, t1.id, scored(0.7), spy)).status).toBe('kept');
      expect((await store.getIncumbent(study.id))!.id).toBe(1);
      const discarded = await store.finishTrial(study.id, t3.id, scored(0.75), spy);
      expect(discarded).toMatchObject({ status: 'discarded', score: 0.75, label: null });
      expect((await store.getIncumbent(study.id))!.id).toBe(1);
      expect(seen).toEqual([null, 0, 2, 1]);

      const t4 = await store.createTrial(study.id, draft());
      expect((await store.finishTrial(study.id, t4.id, scored(0.1), never)).status).toBe('discarded');
      expect((await store.getIncumbent(study.id))!.id).toBe(1);
    });

    it('hands every kept trial to a decision over the front, and nothing to others', async () => {
      await store.createTrial(study.id, BASELINE);
      const plain: Array<readonly TrialRecord[] | undefined> = [];
      await store.finishTrial(study.id, 0, scored(1.0), (_candidate, _incumbent, kept) => {
        plain.push(kept);
        return true;
      });
      expect(plain).toEqual([undefined]);
      const t1 = await store.createTrial(study.id, draft());
      const t2 = await store.createTrial(study.id, draft());
      await store.finishTrial(study.id, t1.id, scored(2.0), () => false);
      const seen: number[][] = [];
      const overFront = decisionOverKeptTrials((_candidate, _incumbent, kept) => {
        seen.push((kept ?? []).map((trial) => trial.id));
        return true;
      });
      expect((await store.finishTrial(study.id, t2.id, scored(0.5), overFront)).status).toBe('kept');
      expect(seen).toEqual([[0]]);
    });

    it('records a failed outcome with its label, without asking decide', async () => {
      const [trial] = await seeded(1, 1);
      let asked = false;
      const recorded = await store.finishTrial(study.id, trial!.id, failed('crash', 'exit code 1'), () => (asked = true));
      expect(asked).toBe(false);
      expect(recorded).toMatchObject({ status: 'failed', label: 'crash', labelDetail: 'exit code 1', score: null, logExcerpt: 'Traceback ...' });
      expect(recorded.finishedAt).toMatch(ISO);
      expect((await store.getIncumbent(study.id))!.id).toBe(0);
    });

    it('stores the failure signature of a failed trial: the one given, else one derived from its label, detail and excerpt', async () => {
      const [given, derived, fine] = await seeded(1, 3);
      const failure = { signature: 'crash AssertionError at model.py: assert d_model % n_heads == <n>', summary: 'crash AssertionError at model.py:66 assert d_model % n_heads == 0', frame: { file: 'model.py', line: 66, source: 'assert d_model % n_heads == 0' } };
      const recorded = await store.finishTrial(study.id, given!.id, { ...failed('crash', 'exited with code 1'), failure }, never);
      expect(recorded.failure).toEqual(failure);
      expect((await store.getTrial(study.id, given!.id))!.failure).toEqual(failure);
      const traceback = 'Traceback (most recent call last):\n  File "train.py", line 3, in <module>\n    x = 1 / 0\nZeroDivisionError: division by zero';
      await store.finishTrial(study.id, derived!.id, { ...failed('crash', 'exited with code 1'), logExcerpt: traceback }, never);
      expect((await store.getTrial(study.id, derived!.id))!.failure).toMatchObject({ summary: 'crash ZeroDivisionError: division by zero at train.py:3', frame: { file: 'train.py', line: 3 } });
      // A scored outcome carries none, even when one is given.
      expect((await store.finishTrial(study.id, fine!.id, { ...scored(2), failure }, never)).failure).toBeNull();
      expect((await store.listTrials(study.id)).map((trial) => trial.failure === null)).toEqual([true, false, false, true]);
    });

    it('makes finished trials immutable: updateTrial and finishTrial throw and change nothing', async () => {
      const [kept, discarded, failing] = await seeded(1, 3);
      await store.finishTrial(study.id, kept!.id, scored(0.5), keepIfLower);
      await store.finishTrial(study.id, discarded!.id, scored(0.9), keepIfLower);
      await store.finishTrial(study.id, failing!.id, failed('oom'), keepIfLower);
      const before = { trials: await store.listTrials(study.id), events: await store.listEvents(study.id), incumbent: await store.getIncumbent(study.id) };
      for (const id of [0, kept!.id, discarded!.id, failing!.id]) {
        await expectStoreError(store.updateTrial(study.id, id, { status: 'running', commit: 'x' }), /immutable/);
        await expectStoreError(store.finishTrial(study.id, id, scored(0.01), keepIfLower), /immutable/);
        await expectStoreError(store.finishTrial(study.id, id, failed('crash'), keepIfLower), /immutable/);
      }
      await store.heartbeat(study.id, [0, kept!.id]);
      expect(await store.listTrials(study.id)).toEqual(before.trials);
      expect(await store.listEvents(study.id)).toEqual(before.events);
      expect(await store.getIncumbent(study.id)).toEqual(before.incumbent);
    });

    it('finishTrial is all or nothing: a throwing decide or an invalid outcome leaves no trace', async () => {
      const [trial] = await seeded(1, 1);
      const cost: TrialCost = { usd: 1, inputTokens: 1, outputTokens: 1, cachedTokens: 0 };
      const before = { trial: await store.getTrial(study.id, trial!.id), events: await store.listEvents(study.id) };
      await expect(
        store.finishTrial(study.id, trial!.id, scored(0.5, {}, { cost }), () => {
          throw new Error('decider exploded');
        }),
      ).rejects.toThrow('decider exploded');
      await expectStoreError(store.finishTrial(study.id, trial!.id, { ...scored(0.5), score: null }, keepIfLower), /finite score/);
      await expectStoreError(store.finishTrial(study.id, trial!.id, { ...failed('crash'), label: null }, keepIfLower), /label/);
      await expectStoreError(store.finishTrial(study.id, trial!.id, scored(0.5, { bad: Number.NaN }), keepIfLower), /bad/);
      expect(await store.getTrial(study.id, trial!.id)).toEqual(before.trial);
      expect(await store.listEvents(study.id)).toEqual(before.events);
      expect((await store.getIncumbent(study.id))!.id).toBe(0);
      // Still recordable afterwards.
      expect((await store.finishTrial(study.id, trial!.id, scored(0.5), keepIfLower)).status).toBe('kept');
    });

    it('round-trips metrics, score, timings, commit and the cost ledger', async () => {
      await store.createTrial(study.id, BASELINE);
      const proposal: TrialCost = { usd: 0.5, inputTokens: 1000, outputTokens: 100, cachedTokens: 10 };
      const later: TrialCost = { usd: 0.25, inputTokens: 500, outputTokens: 50, cachedTokens: 5 };
      const trial = await store.createTrial(study.id, draft({ parent: null, cost: proposal }));
      await store.updateTrial(study.id, trial.id, { status: 'running', timings: { proposeMs: 7 }, commit: 'c-old' });
      const metrics = { val_loss: 0.123456789012345, artifact_bytes: 15_999_999, accuracy: 0.97, run_seconds: 1.5 };
      const recorded = await store.finishTrial(
        study.id,
        trial.id,
        { ...scored(0.123456789012345, metrics, { cost: later, commit: 'c-new', tree: 't', diff: 'diff --git' }), labelDetail: 'fine' },
        keepIfLower,
      );
      const expected = {
        status: 'kept', metrics, score: 0.123456789012345, labelDetail: 'fine', commit: 'c-new', tree: 't', diff: 'diff --git',
        timings: { proposeMs: 7, runMs: 100, totalMs: 150 }, logExcerpt: 'done',
        cost: { usd: 0.75, inputTokens: 1500, outputTokens: 150, cachedTokens: 15 },
      };
      expect(recorded).toMatchObject(expected);
      expect(await store.getTrial(study.id, trial.id)).toEqual(recorded);
      // An outcome without commit/tree/diff keeps what progress recorded.
      const other = await store.createTrial(study.id, draft({ parent: null }));
      await store.updateTrial(study.id, other.id, { commit: 'c2', tree: 't2', diff: 'd2' });
      expect(await store.finishTrial(study.id, other.id, failed('crash'), keepIfLower)).toMatchObject({ commit: 'c2', tree: 't2', diff: 'd2', cost: null });
    });

    it('appends an event for every state change, in order', async () => {
      await store.createTrial(study.id, BASELINE);
      await store.setBaselineCommit(study.id, 'base');
      await store.finishTrial(study.id, 0, scored(1), keepIfLower);
      const trial = await store.createTrial(study.id, draft());
      await store.updateTrial(study.id, trial.id, { status: 'running' }, { type: 'trial.started', data: { slot: 0 } });
      await store.appendEvent(study.id, trial.id, 'trial.phase', { phase: 'run' });
      await store.finishTrial(study.id, trial.id, scored(2), keepIfLower);
      await store.appendEvent(study.id, null, 'study.stopped', { reason: 'budget' });
      await store.addElapsed(study.id, 1000);
      await store.setTask(study.id, 'hash-2', '{}');
      await store.renameStudy(study.id, 'demo-archived');
      const events = await store.listEvents(study.id);
      expect(events.map((e) => [e.type, e.trialId])).toEqual([
        ['study.created', null],
        ['trial.created', 0],
        ['study.baseline_commit', null],
        ['trial.finished', 0],
        ['trial.created', 1],
        ['trial.started', 1],
        ['trial.phase', 1],
        ['trial.finished', 1],
        ['study.stopped', null],
        ['study.elapsed', null],
        ['study.task_changed', null],
        ['study.renamed', null],
      ]);
      for (let i = 1; i < events.length; i++) expect(events[i]!.id).toBeGreaterThan(events[i - 1]!.id);
      for (const event of events) {
        expect(event.studyId).toBe(study.id);
        expect(event.at).toMatch(ISO);
      }
      expect(events[3]!.data).toEqual({ status: 'kept', label: null, score: 1 });
      expect(events[7]!.data).toEqual({ status: 'discarded', label: null, score: 2 });
      expect(events[6]!.data).toEqual({ phase: 'run' });
      expect(await store.listEvents(study.id, { afterId: events[4]!.id, limit: 2 })).toEqual(events.slice(5, 7));
      await expectStoreError(store.appendEvent(study.id, 99, 'trial.phase', { phase: 'run' }), /does not exist/);
      await expectStoreError(store.appendEvent(study.id, null, 'note' as never, {} as never), /not in the audit log's vocabulary/);
      const { study: other } = await store.openStudy({ name: 'other', taskHash: 'h', taskJson: '{}' });
      expect((await store.listEvents(other.id)).map((e) => e.type)).toEqual(['study.created']);
    });

    it('listTrials filters by status, specialist, afterId, limit and order; countTrials counts', async () => {
      await seeded(1);
      const specialists = ['knobs', 'llm', 'knobs', 'llm', 'knobs', 'llm'];
      for (const specialist of specialists) await store.createTrial(study.id, draft({ specialist }));
      await store.finishTrial(study.id, 1, scored(0.5), keepIfLower); // kept
      await store.finishTrial(study.id, 2, scored(0.9), keepIfLower); // discarded
      await store.finishTrial(study.id, 3, failed('crash'), keepIfLower);
      await store.updateTrial(study.id, 4, { status: 'running' });
      const ids = async (filter?: Parameters<Store['listTrials']>[1]) => (await store.listTrials(study.id, filter)).map((t) => t.id);
      expect(await ids()).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(await ids({ status: ['kept'] })).toEqual([0, 1]);
      expect(await ids({ status: ['pending', 'running'] })).toEqual([4, 5, 6]);
      expect(await ids({ status: [] })).toEqual([]);
      expect(await ids({ specialist: 'llm' })).toEqual([2, 4, 6]);
      expect(await ids({ afterId: 3 })).toEqual([4, 5, 6]);
      expect(await ids({ limit: 2 })).toEqual([0, 1]);
      expect(await ids({ descending: true })).toEqual([6, 5, 4, 3, 2, 1, 0]);
      expect(await ids({ descending: true, limit: 3 })).toEqual([6, 5, 4]);
      expect(await ids({ specialist: 'knobs', status: ['kept', 'failed', 'pending'], afterId: 0, descending: true, limit: 2 })).toEqual([5, 3]);
      expect(await ids({ limit: 0 })).toEqual([]);
      expect(await store.countTrials(study.id)).toBe(7);
      expect(await store.countTrials(study.id, { status: ['kept', 'discarded'] })).toBe(3);
      expect(await store.countTrials(study.id, { status: ['failed'] })).toBe(1);
      expect(await store.countTrials(study.id, { status: [] })).toBe(0);
      const { study: other } = await store.openStudy({ name: 'other', taskHash: 'h', taskJson: '{}' });
      expect(await store.countTrials(other.id)).toBe(0);
      expect(await store.listTrials(other.id)).toEqual([]);
    });

    it('heartbeat stamps only the listed unfinished trials', async () => {
      const [a, b, c] = await seeded(1, 3);
      await store.finishTrial(study.id, c!.id, failed('crash'), keepIfLower);
      await store.heartbeat(study.id, []);
      await store.heartbeat(study.id, [a!.id, c!.id, 0, 404]);
      expect((await store.getTrial(study.id, a!.id))!.heartbeatAt).toMatch(ISO);
      expect((await store.getTrial(study.id, b!.id))!.heartbeatAt).toBeNull();
      expect((await store.getTrial(study.id, c!.id))!.heartbeatAt).toBeNull();
      expect((await store.getTrial(study.id, 0))!.heartbeatAt).toBeNull();
    });

    it('concurrent addElapsed calls each log the running total as of their own write', async () => {
      await Promise.all(Array.from({ length: 12 }, (_, i) => store.addElapsed(study.id, 100 * (i + 1))));
      expect((await store.getStudy('demo'))!.elapsedMs).toBe(7800);
      const logged = (await store.listEvents(study.id)).filter((e) => e.type === 'study.elapsed').map((e) => e.data as { addedMs: number; elapsedMs: number });
      let total = 0;
      for (const event of logged) expect(event.elapsedMs).toBe((total += event.addedMs));
    });

    it('setBaselineCommit, addElapsed, setTask and renameStudy update the study', async () => {
      await store.setBaselineCommit(study.id, 'abc123');
      await store.addElapsed(study.id, 1500);
      await store.addElapsed(study.id, 2500);
      await store.setTask(study.id, 'hash-2', '{"name":"demo","v":2}');
      expect(await store.getStudy('demo')).toEqual({ ...study, baselineCommit: 'abc123', elapsedMs: 4000, taskHash: 'hash-2', taskJson: '{"name":"demo","v":2}' });
      await store.openStudy({ name: 'taken', taskHash: 'h', taskJson: '{}' });
      await expectStoreError(store.renameStudy(study.id, 'taken'), /exists/);
      await store.renameStudy(study.id, 'demo-archived-1');
      expect(await store.getStudy('demo')).toBeNull();
      expect((await store.getStudy('demo-archived-1'))!.id).toBe(study.id);
      const fresh = await store.openStudy({ name: 'demo', taskHash: 'h3', taskJson: '{}' });
      expect(fresh.created).toBe(true);
      expect(fresh.study.id).not.toBe(study.id);
      await expectStoreError(store.setBaselineCommit(study.id + 1000, 'x'), /does not exist/);
      await expectStoreError(store.addElapsed(study.id, -1));
    });
  });
}
