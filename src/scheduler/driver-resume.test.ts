import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import type { Specialist } from '../core/specialist.ts';
import type { AcceptanceDecision, TrialOutcome } from '../core/store.ts';
import type { FailureLabel, TrialRecord } from '../core/trial.ts';
import type { StudyRuntime } from '../evaluator/study-runtime.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { BanditChooser } from './bandit-chooser.ts';
import { openDriver, resumeChooser } from './driver.ts';
import { createDriverState, nextStopReason, type StopContext } from './driver-state.ts';
import type { PayoffTable } from './payoff.ts';
import type { ChooserRow, SpecialistChooser } from './specialist-chooser.ts';

/**
 * A driver starting on a study reads its counts, spend and the chooser's payoffs from
 * aggregate queries (`Store.summarizeTrials`, `listTrialResults`) instead of every
 * record: on random studies (trials finishing out of order, machine faults, kills,
 * costs, sessions that proposed nothing) it starts exactly where one reading every
 * trial and event started, and goes on recording the same way.
 */
const objective = { metric: 'loss', direction: 'minimize' } as const;
const keepIfLower: AcceptanceDecision = (candidate, incumbent) => incumbent === null || candidate.score < (incumbent.score ?? Infinity);
const cost = (usd: number) => ({ usd, inputTokens: 1, outputTokens: 1, cachedTokens: 0 });
const NAMES = ['tuner', 'writer', 'porter'];
const LABELS: FailureLabel[] = ['crash', 'infra_error', 'interrupted', 'gate_miss'];
const specialists = NAMES.map((name) => ({ spec: { name } }) as unknown as Specialist);
const never = new AbortController().signal;

let dir: string;
let store: SqliteStore;
let studyId: number;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'autolab-driver-resume-'));
  store = await SqliteStore.open(join(dir, 'study.db'));
  studyId = (await store.openStudy({ name: 'resume', taskHash: 'h', taskJson: '{}' })).study.id;
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Creates `count` trials, finishing open ones in a random order (some never); returns the ids still open. */
async function grow(random: () => number, count: number, open: number[] = []): Promise<number[]> {
  for (let i = 0; i < count; i++) {
    const specialist = NAMES[Math.floor(random() * NAMES.length)]!;
    const trial = await store.createTrial(studyId, { specialist, parent: 0, hypothesis: 'h', seed: i, edit: null, owner: null, ...(random() < 0.5 ? { cost: cost(Math.round(random() * 100) / 1000) } : {}) });
    open.push(trial.id);
    if (random() < 0.2) await store.appendEvent(studyId, null, 'proposal.none', { specialist, outcome: 'failed', reason: 'r', cost: cost(0.01), steps: 1, toolCalls: 0, retries: 0 });
    if (random() < 0.1) await store.appendEvent(studyId, null, 'proposal.dropped', { specialist, hypothesis: 'h', cost: cost(0.03), reason: null });
    while (open.length > 4 || (open.length > 0 && random() < 0.35)) {
      const id = open.splice(Math.floor(random() * open.length), 1)[0]!;
      if (random() < 0.05) continue;
      const score = 10 - random() * 6;
      const outcome: TrialOutcome =
        random() < 0.35
          ? { status: 'failed', label: LABELS[Math.floor(random() * LABELS.length)]!, labelDetail: 'd', metrics: {}, score: null, timings: { totalMs: Math.round(random() * 900) }, logExcerpt: '' }
          : { status: 'scored', label: null, labelDetail: null, metrics: { loss: score }, score, timings: { totalMs: Math.round(random() * 900) }, logExcerpt: '' };
      await store.finishTrial(studyId, id, outcome, keepIfLower);
    }
  }
  return open;
}

async function randomStudy(seed: number, count: number): Promise<{ random: () => number; open: number[] }> {
  const random = seededRandom(seed);
  await store.createTrial(studyId, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'baseline', seed: 0, edit: null, owner: null, cost: cost(0.25) });
  await store.finishTrial(studyId, 0, { status: 'scored', label: null, labelDetail: null, metrics: { loss: 10 }, score: 10, timings: { totalMs: 10 }, logExcerpt: '' }, keepIfLower);
  return { random, open: await grow(random, count) };
}

/** What openDriver built before: every record read, every finished one recorded, every event's spend. */
async function fromEveryRecord(chooser: SpecialistChooser): Promise<{ trials: TrialRecord[]; spent: number }> {
  const trials = await store.listTrials(studyId);
  for (const trial of trials) if (trial.finishedAt !== null) chooser.record(trial);
  let spent = trials.reduce((sum, trial) => sum + (trial.cost?.usd ?? 0), 0);
  for (const event of await store.listEvents(studyId)) if (event.type === 'proposal.none' || event.type === 'proposal.dropped') spent += event.data.cost?.usd ?? 0;
  return { trials, spent };
}

/** A payoff table with sums rounded (the database adds doubles in its own order). */
function rounded(table: PayoffTable): PayoffTable {
  const round = (value: number) => Math.round(value * 1e9) / 1e9;
  return { ...table, totalImprovement: round(table.totalImprovement), rows: table.rows.map((row) => ({ ...row, costUsd: round(row.costUsd), improvement: round(row.improvement), share: row.share === null ? null : round(row.share), relativeCost: round(row.relativeCost) })) };
}

function runtimeOf(seed: number): StudyRuntime {
  return { store, studyId, studyName: 'resume', task: { objective, parallel: 2, gpus: [], seed, budget: {} } } as unknown as StudyRuntime;
}

describe('a driver starting from the store\'s aggregates', () => {
  it('gives the bandit the payoff table of every finished record, and goes on recording the same way', async () => {
    for (const [seed, count, window] of [[1, 60, 50], [2, 90, 7], [3, 40, 1]] as const) {
      const { random, open } = await randomStudy(seed, count);
      const everyRecord = new BanditChooser(specialists, { objective, window });
      await fromEveryRecord(everyRecord);
      const resumed = new BanditChooser(specialists, { objective, window });
      await resumeChooser(store, studyId, resumed, await store.summarizeTrials(studyId));
      expect(rounded(resumed.payoffs())).toEqual(rounded(everyRecord.payoffs()));
      expect(resumed.next(specialists)?.spec.name).toBe(everyRecord.next(specialists)?.spec.name);
      // The study goes on: earlier trials finish, new ones come; both record every finished trial (again: ignored).
      await grow(random, 25, open);
      for (const trial of await store.listTrials(studyId)) {
        if (trial.finishedAt === null) continue;
        everyRecord.record(trial);
        resumed.record(trial);
      }
      expect(rounded(resumed.payoffs())).toEqual(rounded(everyRecord.payoffs()));
      studyId = (await store.openStudy({ name: `resume-${seed}`, taskHash: 'h', taskJson: '{}' })).study.id;
    }
  });

  it('gives a chooser without resume every finished trial, a page at a time', async () => {
    await randomStudy(4, 50);
    const recorded: number[] = [];
    const chooser: SpecialistChooser = { name: 'log', next: () => null, record: (trial) => void recorded.push(trial.id), markIdle: () => false, markProductive: () => undefined, rows: (): ChooserRow[] => [] };
    await resumeChooser(store, studyId, chooser, await store.summarizeTrials(studyId));
    expect(recorded).toEqual((await store.listTrials(studyId)).filter((trial) => trial.finishedAt !== null).map((trial) => trial.id));
  });

  it('resumes the budget and stop counters, the spend, the seed and the baseline as reading every trial did', async () => {
    await randomStudy(5, 80);
    const { trials, spent } = await fromEveryRecord(new BanditChooser(specialists, { objective }));
    const driver = await openDriver(runtimeOf(9), specialists, { stop: never, kill: never, chooser: new BanditChooser(specialists, { objective }) });
    const before = createDriverState(trials, spent);
    expect(driver.state.studyTrials).toBe(before.studyTrials);
    expect(driver.state.sinceImprovement).toBe(before.sinceImprovement);
    expect(driver.state.spentUsd).toBeCloseTo(before.spentUsd, 9);
    expect(driver.state.sinceImprovement).toBeGreaterThan(0);
    expect(driver.baseline).toEqual(trials[0]);
    expect(driver.lineageIndex.size).toBe(trials.length);
    const seeded = (await import('../core/random.ts')).seededRandom(9 * 1_000_003 + trials.length);
    expect(driver.random()).toBe(seeded());
    // The stop rules see the resumed counts: each rule stops exactly at what the study already spent.
    const context = (budget: StopContext['budget'], limits: StopContext['limits'] = {}): StopContext => ({ budget, limits, stopped: false, specialists: 3, studyElapsedMs: 0, sessionElapsedMs: 0 });
    expect(nextStopReason(driver.state, context({ trials: before.studyTrials + 1 }))).toBeNull();
    expect(nextStopReason(driver.state, context({ trials: before.studyTrials }))).not.toBeNull();
    expect(nextStopReason(driver.state, context({}, { patience: before.sinceImprovement + 1 }))).toBeNull();
    expect(nextStopReason(driver.state, context({}, { patience: before.sinceImprovement }))).not.toBeNull();
    expect(nextStopReason(driver.state, context({ usd: spent + 0.001 }))).toBeNull();
    expect(nextStopReason(driver.state, context({ usd: spent - 0.001 }))).not.toBeNull();
  });
});


