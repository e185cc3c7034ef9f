import { describe, expect, it } from 'vitest';
import type { TrialLevelRecord } from '../core/fidelity.ts';
import { makeTrial } from '../testing/trial-fixture.ts';
import { costLines } from '../cli/commands/cost-view.ts';
import type { TrialListFilter } from '../core/store.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { writeSyntheticStudy } from '../testing/synthetic-study.ts';
import { announceTrialCost, COST_HISTORY, expectedTrialCostMs, predictTrialCost } from './cost-prediction.ts';

const patch = (name: string, from: number, to: number) => `--- a/train.py\n+++ b/train.py\n@@ -1 +1 @@\n-${name} = ${from}\n+${name} = ${to}\n`;

describe('predictTrialCost: a proposal\'s run time before it starts, from its parent, its diff and past trials', () => {
  it('without a ladder: learns from past trials that doubling `width` doubles the run, and predicts a child of a 3 s parent at about 6 s', () => {
    const trials = [makeTrial({ id: 0, parent: null, timings: { runMs: 1_000 } })];
    // Scripted outcomes: each child of the baseline ran as long as its width ratio says.
    for (const [id, width] of [[1, 128], [2, 256], [3, 32], [4, 128], [5, 64 * 3]] as const) {
      trials.push(makeTrial({ id, parent: 0, diff: patch('width', 64, width), timings: { runMs: (1_000 * width) / 64 } }));
    }
    trials.push(makeTrial({ id: 6, parent: 0, diff: patch('lr', 0.1, 0.01), timings: { runMs: 1_000 } }));
    trials.push(makeTrial({ id: 7, parent: 2, diff: patch('lr', 0.1, 0.3), timings: { runMs: 3_000 } }));
    const predicted = predictTrialCost({}, trials, [], { id: 8, parent: 7 }, { kind: 'patch', patch: patch('width', 256, 512) }, 0.02);
    expect(predicted.fittedOn).toBe(7); // #1 to #7, each against its parent
    expect(predicted.levels).toHaveLength(1);
    expect(predicted.levels[0]!.levelName).toBe('run');
    expect(predicted.levels[0]!.expectedRunMs! / 3_000).toBeGreaterThan(1.6);
    expect(predicted.levels[0]!.expectedRunMs! / 3_000).toBeLessThan(2.2);
    expect(predicted.usd).toBe(0.02);
    expect(predicted.terms.map((term) => term.feature)).toContain('width');
  });

  it('on a ladder: each level from the parent\'s own run time there, levels it never reached from its speed', () => {
    const fidelity = { levels: [{ name: 's', scale: 0.1 }, { name: 'full', scale: 1 }], continueRuns: false } as never;
    const level = (trialId: number, lvl: number, runMs: number): TrialLevelRecord => ({ trialId, level: lvl, levelName: lvl === 0 ? 's' : 'full', status: 'scored', label: null, score: 1, metrics: {}, samples: [], runMs, measuredAt: '' });
    const trials = [makeTrial({ id: 0, parent: null }), makeTrial({ id: 1, parent: 0, diff: patch('steps', 100, 200) })];
    const records = [level(0, 0, 1_000), level(0, 1, 10_000), level(1, 0, 2_000)];
    const predicted = predictTrialCost({ fidelity }, trials, records, { id: 2, parent: 1 }, { kind: 'patch', patch: '--- a/x\n+++ b/x\n@@ -1 +1 @@\n-# a\n+# b\n' }, null);
    // #1 ran s at twice the level's mean speed... and was never measured at full: scaled by its speed there (kept within ×2).
    expect(predicted.levels.map((entry) => entry.levelName)).toEqual(['s', 'full']);
    expect(predicted.levels[0]!.expectedRunMs).toBeGreaterThan(1_500);
    expect(predicted.levels[1]!.expectedRunMs).toBeGreaterThan(predicted.levels[0]!.expectedRunMs!);
    const lines = costLines({ levels: predicted.levels.map((entry) => ({ ...entry, measuredRunMs: entry.level === 0 ? 2_100 : null, ratio: entry.level === 0 ? 2_100 / entry.expectedRunMs! : null })), factor: predicted.factor, terms: predicted.terms, fittedOn: predicted.fittedOn, usd: null });
    expect(lines[0]).toMatch(/^cost: s [\d.]+s predicted → 2\.1s measured \(×[\d.]+\) · full [\d.]+s predicted$/);
    expect(lines[1]).toMatch(/learnt from 1 trial/);
  });
});

describe('announceTrialCost on a large study', () => {
  it(`reads only the newest ${COST_HISTORY} trials and the parents they need, and still predicts from a parent older than those`, async () => {
    const store = await SqliteStore.open(':memory:');
    try {
      const study = await writeSyntheticStudy(store, { name: 'large', trials: COST_HISTORY + 300, slots: 4 });
      const reads: Array<TrialListFilter | undefined> = [];
      const listTrials = store.listTrials.bind(store);
      store.listTrials = async (studyId, filter) => {
        reads.push(filter);
        return listTrials(studyId, filter);
      };
      const baseline = (await store.getTrial(study.id, 0))!;
      const next = await store.createTrial(study.id, { specialist: 'manual', parent: 0, hypothesis: 'a child of the baseline', seed: 1, edit: null, owner: null });
      await announceTrialCost({ store, studyId: study.id, task: {} as never }, next, { kind: 'patch', patch: patch('lr', 0.1, 0.2) }, null);
      // Every read is bounded: the newest trials, or the listed parents.
      expect(reads.length).toBeGreaterThan(0);
      for (const filter of reads) expect(filter?.limit !== undefined || filter?.ids !== undefined, JSON.stringify(filter)).toBe(true);
      const events = await store.listEvents(study.id, { trialId: next.id, types: ['trial.cost_predicted'] });
      expect(events).toHaveLength(1);
      const predicted = events[0]!.data as { levels: Array<{ expectedRunMs: number | null }>; fittedOn: number };
      expect(predicted.fittedOn).toBeGreaterThan(0);
      expect(predicted.fittedOn).toBeLessThanOrEqual(COST_HISTORY);
      // The baseline (older than the window) gives the child its run time: the prediction scales it.
      expect(predicted.levels[0]!.expectedRunMs! / baseline.timings.runMs!).toBeGreaterThan(0.25);
      expect(predicted.levels[0]!.expectedRunMs! / baseline.timings.runMs!).toBeLessThan(4);
    } finally {
      await store.close();
    }
  });
});

describe('expectedTrialCostMs: what a new trial is expected to cost over the levels it may reach', () => {
  it('counts each level by the share of screened trials that reached it (the baseline aside)', () => {
    const level = (trialId: number, lvl: number): TrialLevelRecord => ({ trialId, level: lvl, levelName: String(lvl), status: 'scored', label: null, score: 1, metrics: {}, samples: [], runMs: 1, measuredAt: '' });
    const levels = [{ level: 0, expectedRunMs: 100 }, { level: 1, expectedRunMs: 300 }, { level: 2, expectedRunMs: 1_000 }];
    // Four trials screened at level 0, two reached level 1, one level 2; the baseline (0) reached every level and is not counted.
    const records = [level(0, 0), level(0, 1), level(0, 2), level(1, 0), level(2, 0), level(3, 0), level(4, 0), level(1, 1), level(2, 1), level(1, 2)];
    expect(expectedTrialCostMs(levels, records)).toBeCloseTo(100 + 300 * 0.5 + 1_000 * 0.25, 9);
    expect(expectedTrialCostMs(levels, [level(0, 0)])).toBe(100); // nothing screened yet: the first level only
    expect(expectedTrialCostMs([{ level: 0, expectedRunMs: null }], [])).toBeNull();
  });
});
