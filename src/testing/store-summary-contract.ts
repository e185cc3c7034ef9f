/**
 * The contract tests of the Store's aggregate reads, part of `describeStoreContract`:
 * `summarizeTrials` and `listTrialResults` equal what the full records and events give
 * (computed here from `listTrials` and `listEvents`) on random studies whose trials
 * finish out of order, with machine faults, kills, costs and sessions that proposed
 * nothing. Every adapter runs them against a real database.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import type { AcceptanceDecision, SpecialistTrialTotals, Store, TrialOutcome, TrialResult, TrialSummary } from '../core/store.ts';
import type { StudyRecord } from '../core/study.ts';
import { isFinished, type FailureLabel, type TrialRecord } from '../core/trial.ts';
import type { StudyEvent } from '../core/audit-events.ts';
import type { StoreFactory } from './store-factory.ts';

const keepIfLower: AcceptanceDecision = (candidate, incumbent) => incumbent === null || candidate.score < (incumbent.score ?? Infinity);
const cost = (usd: number) => ({ usd, inputTokens: 10, outputTokens: 5, cachedTokens: 0 });
const SPECIALISTS = ['tuner', 'writer', 'porter'];
const LABELS: FailureLabel[] = ['crash', 'infra_error', 'interrupted', 'gate_miss'];

/** The summary as it follows from every record and event (the definitions of `TrialSummary`). */
export function summaryFromRecords(trials: readonly TrialRecord[], events: readonly StudyEvent[]): TrialSummary {
  const finished = trials.filter((trial) => trial.id !== 0 && isFinished(trial) && trial.finishedAt !== null);
  const order = [...finished].sort((a, b) => a.finishedAt!.localeCompare(b.finishedAt!) || a.id - b.id);
  let since = 0;
  for (const trial of order) if (trial.label !== 'infra_error') since = trial.status === 'kept' ? 0 : since + 1;
  let spent = trials.reduce((sum, trial) => sum + (trial.cost?.usd ?? 0), 0);
  for (const event of events) if (event.type === 'proposal.none' || event.type === 'proposal.dropped') spent += event.data.cost?.usd ?? 0;
  const bySpecialist = new Map<string, SpecialistTrialTotals>();
  for (const trial of [...finished].sort((a, b) => a.id - b.id)) {
    let row = bySpecialist.get(trial.specialist);
    if (!row) bySpecialist.set(trial.specialist, (row = { specialist: trial.specialist, firstId: trial.id, finished: 0, machineFaults: 0, kept: 0, failed: 0, costUsd: 0, totalMs: 0 }));
    const fault = trial.label === 'infra_error';
    row.finished++;
    row.costUsd += trial.cost?.usd ?? 0;
    if (fault) row.machineFaults++;
    else row.totalMs += trial.timings.totalMs ?? 0;
    if (trial.status === 'kept') row.kept++;
    if (trial.status === 'failed' && !fault) row.failed++;
  }
  return {
    trials: trials.length,
    lastId: trials.length === 0 ? null : Math.max(...trials.map((trial) => trial.id)),
    unfinishedIds: trials.filter((trial) => !isFinished(trial)).map((trial) => trial.id),
    countedTrials: trials.filter((trial) => trial.id !== 0 && trial.label !== 'infra_error').length,
    sinceLastKept: since,
    spentUsd: spent,
    specialists: [...bySpecialist.values()],
  };
}

/** The results of finished trials other than the baseline, in finishing order. */
function resultsFromRecords(trials: readonly TrialRecord[]): TrialResult[] {
  return trials
    .filter((trial) => trial.id !== 0 && isFinished(trial) && trial.finishedAt !== null)
    .map((trial) => ({ id: trial.id, specialist: trial.specialist, status: trial.status as TrialResult['status'], label: trial.label, score: trial.score, finishedAt: trial.finishedAt! }))
    .sort((a, b) => a.finishedAt.localeCompare(b.finishedAt) || a.id - b.id);
}

/** Sums rounded, so the database's order of adding doubles does not matter. */
function rounded(summary: TrialSummary): TrialSummary {
  const round = (value: number) => Math.round(value * 1e9) / 1e9;
  return { ...summary, spentUsd: round(summary.spentUsd), specialists: summary.specialists.map((row) => ({ ...row, costUsd: round(row.costUsd), totalMs: round(row.totalMs) })) };
}

/** Registers the aggregate read contract tests for one adapter (called by describeStoreContract). */
export function describeStoreSummaryContract(name: string, makeStore: StoreFactory): void {
  describe(`Store summary contract: ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let study: StudyRecord;

    beforeEach(async () => {
      ({ store, cleanup } = await makeStore());
      ({ study } = await store.openStudy({ name: 'summaries', taskHash: 'h', taskJson: '{}' }));
    });

    afterEach(async () => {
      await cleanup();
    });

    /** Trials created in batches and finished in a random order (some never), with costs, labels and proposal events. */
    async function randomStudy(seed: number, count: number): Promise<void> {
      const random = seededRandom(seed);
      await store.createTrial(study.id, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'baseline', seed: 0, edit: null, owner: null, cost: cost(0.5) });
      await store.finishTrial(study.id, 0, { status: 'scored', label: null, labelDetail: null, metrics: { loss: 10 }, score: 10, timings: { totalMs: 40 }, logExcerpt: '' }, keepIfLower);
      const open: number[] = [];
      for (let i = 1; i <= count; i++) {
        const specialist = SPECIALISTS[Math.floor(random() * SPECIALISTS.length)]!;
        const trial = await store.createTrial(study.id, { specialist, parent: 0, hypothesis: `h${i}`, seed: i, edit: null, owner: null, ...(random() < 0.6 ? { cost: cost(Math.round(random() * 100) / 1000) } : {}) });
        open.push(trial.id);
        if (random() < 0.2) await store.appendEvent(study.id, null, 'proposal.none', { specialist, outcome: 'no_proposal', reason: 'nothing', cost: cost(0.01), steps: 1, toolCalls: 0, retries: 0 });
        if (random() < 0.1) await store.appendEvent(study.id, null, 'proposal.dropped', { specialist, hypothesis: 'dropped', cost: random() < 0.5 ? null : cost(0.02), reason: null });
        // Finish a random open trial now and then, so trials finish out of id order.
        while (open.length > 3 || (open.length > 0 && random() < 0.4)) {
          const id = open.splice(Math.floor(random() * open.length), 1)[0]!;
          if (random() < 0.1) continue; // left unfinished
          const roll = random();
          const totalMs = Math.round(random() * 1000);
          const outcome: TrialOutcome =
            roll < 0.35
              ? { status: 'failed', label: LABELS[Math.floor(random() * LABELS.length)]!, labelDetail: 'why', metrics: {}, score: null, timings: random() < 0.2 ? {} : { totalMs }, logExcerpt: '' }
              : { status: 'scored', label: null, labelDetail: null, metrics: { loss: 10 - random() * 5 }, score: 10 - random() * 5, timings: { totalMs }, logExcerpt: '' };
          if (outcome.score !== null) outcome.metrics = { loss: outcome.score };
          await store.finishTrial(study.id, id, outcome, keepIfLower);
        }
      }
      if (open.length > 0) await store.updateTrial(study.id, open[0]!, { status: 'running' });
    }

    it('summarizeTrials equals the counts and sums of every record and event, on random studies', async () => {
      expect(await store.summarizeTrials(study.id)).toEqual({ trials: 0, lastId: null, unfinishedIds: [], countedTrials: 0, sinceLastKept: 0, spentUsd: 0, specialists: [] });
      let machineFaults = 0;
      for (const [seed, count] of [[1, 30], [2, 45]] as const) {
        await randomStudy(seed, count);
        const expected = summaryFromRecords(await store.listTrials(study.id), await store.listEvents(study.id));
        expect(expected.unfinishedIds.length).toBeGreaterThan(0);
        machineFaults += expected.specialists.reduce((sum, row) => sum + row.machineFaults, 0);
        expect(rounded(await store.summarizeTrials(study.id))).toEqual(rounded(expected));
        ({ study } = await store.openStudy({ name: `summaries-${seed}`, taskHash: 'h', taskJson: '{}' }));
      }
      expect(machineFaults).toBeGreaterThan(0);
    });

    it('listTrialResults gives the finished trials in finishing order, filtered and the newest only', async () => {
      await randomStudy(3, 40);
      const all = resultsFromRecords(await store.listTrials(study.id));
      expect(all.map((result) => result.id)).not.toEqual([...all.map((result) => result.id)].sort((a, b) => a - b)); // finished out of order
      expect(await store.listTrialResults(study.id)).toEqual(all);
      expect(await store.listTrialResults(study.id, { status: ['kept'] })).toEqual(all.filter((result) => result.status === 'kept'));
      const results = all.filter((result) => result.label !== 'infra_error' && result.label !== 'interrupted');
      expect(await store.listTrialResults(study.id, { excludeLabels: ['infra_error', 'interrupted'] })).toEqual(results);
      for (const newest of [0, 1, 5, 1000]) expect(await store.listTrialResults(study.id, { excludeLabels: ['infra_error', 'interrupted'], newest })).toEqual(newest === 0 ? [] : results.slice(-newest));
      expect(await store.listTrialResults(study.id, { status: [] })).toEqual([]);
      await expect(store.listTrialResults(study.id, { newest: -1 })).rejects.toMatchObject({ name: 'StoreError' });
    });
  });
}
