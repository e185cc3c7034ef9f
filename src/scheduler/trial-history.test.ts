import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLineageFeedback, type LineageOptions } from '../core/lineage-feedback.ts';
import { LineageIndex } from '../core/lineage-index.ts';
import type { LineageFeedback } from '../core/lineage.ts';
import { seededRandom } from '../core/random.ts';
import type { ProposalContext } from '../core/specialist.ts';
import type { AcceptanceDecision } from '../core/store.ts';
import type { KnobSpec, SpecialistSpec, TaskSpec } from '../core/task.ts';
import { RECENT_TRIALS, trialHistoryOf, type TrialHistory } from '../core/trial-history.ts';
import type { TrialRecord } from '../core/trial.ts';
import { ablationOutcomes, ablationTrials, formatAblationNotesLine } from '../specialists/ablate/ablation-history.ts';
import { formatKnobNotesLine, KNOB_HISTORY_LIMIT } from '../specialists/knobs/knob-history.ts';
import { createKnobsSpecialist } from '../specialists/knobs/knobs-specialist.ts';
import { repairOffer } from '../specialists/shared/repair.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { driverTrialHistory, refreshLineageIndex } from './lineage-refresh.ts';

/**
 * The driver's bounded reads (a LineageIndex holding the newest RECENT_TRIALS trials,
 * the store for the rest) against what every trial in memory gives, on a seeded study
 * longer than the window: the same lineage feedback, the same knobs proposals, the
 * same repair offer and ablation verdicts.
 */
const KNOBS: KnobSpec[] = [
  { name: 'lr', file: 'config.json', key: 'lr', type: 'float', low: 1e-4, high: 1, log: true },
  { name: 'batch', file: 'config.json', key: 'batch', type: 'int', low: 8, high: 256, log: true },
];
const TUNER: SpecialistSpec = { name: 'tuner', kind: 'knobs', surface: 'hyper', options: { sampler: 'tpe' } };
const FIXER: SpecialistSpec = { name: 'fixer', kind: 'command', surface: 'hyper', options: {} };
const ABLATE: SpecialistSpec = { name: 'ablate', kind: 'ablate', surface: 'hyper', options: {} };
const TASK = {
  name: 'toy',
  objective: { metric: 'loss', direction: 'minimize' },
  protected: [],
  surfaces: { hyper: { name: 'hyper', paths: ['config.json'], knobs: KNOBS } },
  specialists: [TUNER, FIXER, ABLATE],
  budget: {},
  seed: 3,
} as unknown as TaskSpec;
const TRIALS = RECENT_TRIALS + 150;
const keepIfLower: AcceptanceDecision = (candidate, incumbent) => incumbent === null || candidate.score < (incumbent.score ?? Infinity);

let dir: string;
let store: SqliteStore;
let studyId: number;

/** Records a seeded study: knobs trials (scored, kept, crashing at large batches), failed fixer trials with commits, ablations. */
async function recordStudy(): Promise<void> {
  const random = seededRandom(7);
  const owner = null;
  await store.createTrial(studyId, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'baseline', seed: 0, edit: null, owner });
  await store.finishTrial(studyId, 0, { status: 'scored', label: null, labelDetail: null, metrics: { loss: 3 }, score: 3, timings: {}, logExcerpt: '', commit: 'c0' }, keepIfLower);
  for (let i = 1; i < TRIALS; i++) {
    const roll = random();
    const specialist = roll < 0.8 ? 'tuner' : roll < 0.93 ? 'fixer' : 'ablate';
    const values = { lr: Math.round(10 ** (-4 + random() * 4) * 1e6) / 1e6, batch: 8 + Math.floor(random() * 248) };
    const notes = specialist === 'tuner' ? formatKnobNotesLine(values, 'tpe') : specialist === 'ablate' ? formatAblationNotesLine({ incumbent: 0, removed: [`u${i % 7}`], units: ['x'], of: 7, granularity: 'hunk' }) : '';
    const parent = Math.floor(random() * i);
    await store.createTrial(studyId, { specialist, parent, hypothesis: `h${i}`, notes, seed: i, edit: null, owner });
    const crashes = specialist === 'fixer' ? random() < 0.7 : values.batch > 200;
    const score = 3 - Math.log10(values.lr + 1e-3) * 0.1 + random() * 0.5;
    await store.finishTrial(
      studyId,
      i,
      crashes
        ? { status: 'failed', label: 'crash', labelDetail: 'exit code 1', metrics: {}, score: null, timings: {}, logExcerpt: `Traceback (most recent call last):\nValueError: batch ${values.batch} too large`, commit: `c${i}`, diff: `+batch = ${values.batch}\n` }
        : { status: 'scored', label: null, labelDetail: null, metrics: { loss: score }, score, timings: {}, logExcerpt: 'ok', commit: `c${i}`, diff: `+lr = ${values.lr}\n` },
      keepIfLower,
    );
  }
}

/** What a specialist saw before: every trial in memory. */
async function everyTrial(): Promise<{ history: TrialHistory; all: TrialRecord[] }> {
  const all = await store.listTrials(studyId);
  return { history: trialHistoryOf(all), all };
}

/** What the driver gives now: its bounded index, refreshed, and the store. */
async function bounded(index: LineageIndex): Promise<TrialHistory> {
  await refreshLineageIndex(store, studyId, index);
  return driverTrialHistory(store, studyId, index);
}

function knobsContext(history: TrialHistory, lineage: LineageFeedback, incumbent: TrialRecord, seed: number): ProposalContext {
  return {
    task: TASK,
    surface: TASK.surfaces.hyper!,
    incumbent,
    history,
    lineage,
    readFile: async () => '{"lr": 0.01, "batch": 64}\n',
    workspace: { createScratch: async () => Promise.reject(new Error('not used by knobs')), diffBetween: async () => '' },
    random: seededRandom(seed),
    signal: new AbortController().signal,
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'autolab-history-'));
  store = await SqliteStore.open(join(dir, 'store.db'));
  studyId = (await store.openStudy({ name: 'toy', taskHash: 'h', taskJson: '{}' })).study.id;
  await recordStudy();
}, 600_000);

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the driver reads a bounded history', () => {
  it('holds the newest trials and the baseline only, and gives the lineage feedback of every trial', async () => {
    expect(RECENT_TRIALS).toBeGreaterThanOrEqual(KNOB_HISTORY_LIMIT);
    const index = new LineageIndex({ retainRecent: RECENT_TRIALS });
    const history = await bounded(index);
    const { all, history: before } = await everyTrial();
    expect(history.count).toBe(TRIALS);
    expect(history.lastId).toBe(before.lastId);
    expect(history.recent).toEqual(before.recent);
    expect(history.baseline).toEqual(before.baseline);
    // The window and the baseline (nothing is in flight), before the feedback loads the older trials it shows.
    expect(index.held).toBe(RECENT_TRIALS + 1);
    for (const viewer of ['tuner', 'fixer', 'ablate', undefined]) {
      const options: LineageOptions = { study: 'toy', objective: TASK.objective, ...(viewer ? { viewer } : {}) };
      expect(await index.feedbackLoading(options, (ids) => store.listTrials(studyId, { ids }))).toEqual(buildLineageFeedback(all, options));
    }
    expect(await history.get(3)).toEqual(await before.get(3));
    expect(await history.ancestors(TRIALS - 1)).toEqual(await before.ancestors(TRIALS - 1));
    expect(await history.list({ specialist: 'fixer', descending: true, limit: 4 })).toEqual(await before.list({ specialist: 'fixer', descending: true, limit: 4 }));
  }, 120_000);

  it('gives the knobs specialist the same proposals, and the same repair offer and ablation verdicts', async () => {
    const index = new LineageIndex({ retainRecent: RECENT_TRIALS });
    const tunerBefore = createKnobsSpecialist(TUNER, TASK);
    const tunerAfter = createKnobsSpecialist(TUNER, TASK);
    const options: LineageOptions = { study: 'toy', objective: TASK.objective, viewer: 'tuner' };
    for (let round = 0; round < 3; round++) {
      const incumbent = (await store.getIncumbent(studyId))!;
      const { history: before, all } = await everyTrial();
      const after = await bounded(index);
      const lineage = buildLineageFeedback(all, options);
      const proposed = await tunerBefore.propose(knobsContext(before, lineage, incumbent, round));
      expect(proposed).not.toBeNull();
      expect(await tunerAfter.propose(knobsContext(after, await index.feedbackLoading(options, (ids) => store.listTrials(studyId, { ids })), incumbent, round))).toEqual(proposed);
      expect(await repairOffer(after, 'fixer')).toEqual(await repairOffer(before, 'fixer'));
      expect(ablationOutcomes(await ablationTrials(after, TASK), TASK.objective, 0.01)).toEqual(ablationOutcomes(all, TASK.objective, 0.01));
      // The proposal becomes a trial (a failure of the fixer after it, so that the repair offer moves too).
      const id = (await store.createTrial(studyId, { specialist: 'tuner', parent: incumbent.id, hypothesis: proposed!.hypothesis, notes: proposed!.notes ?? '', seed: 1, edit: proposed!.edit, owner: null })).id;
      await store.finishTrial(studyId, id, { status: 'scored', label: null, labelDetail: null, metrics: { loss: 2 + round }, score: 2 + round, timings: {}, logExcerpt: '' }, keepIfLower);
      const fixer = (await store.createTrial(studyId, { specialist: 'fixer', parent: id, hypothesis: 'fix', seed: 1, edit: null, owner: null })).id;
      await store.finishTrial(studyId, fixer, { status: 'failed', label: 'crash', labelDetail: 'boom', metrics: {}, score: null, timings: {}, logExcerpt: 'Error: boom', commit: `f${fixer}` }, keepIfLower);
    }
  }, 120_000);
});
