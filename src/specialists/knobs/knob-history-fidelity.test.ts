import { describe, expect, it } from 'vitest';
import type { TrialLevelRecord } from '../../core/fidelity.ts';
import type { ProposalContext } from '../../core/specialist.ts';
import { trialHistoryOf } from '../../core/trial-history.ts';
import type { TrialRecord } from '../../core/trial.ts';
import type { KnobSpec, TaskSpec } from '../../core/task.ts';
import { makeTrial } from '../../testing/trial-fixture.ts';
import { createKnobHistoryReader, formatKnobNotesLine } from './knob-history.ts';
import { observationRole } from './knob-observations.ts';

const KNOBS: KnobSpec[] = [{ name: 'x', file: 'config.json', key: 'x', type: 'float', low: 0, high: 6 }];
const TASK = {
  objective: { metric: 'loss', direction: 'minimize' },
  fidelity: {
    levels: ['s', 'm', 'full'].map((name, index) => ({ name, scale: [0.1, 0.3, 1][index]!, timeoutMs: 1000, env: {}, slots: 1 })),
    promote: { rule: 'successive_halving', eta: 2 },
  },
} as unknown as TaskSpec;

const level = (trialId: number, index: number, score: number): TrialLevelRecord => ({ trialId, level: index, levelName: ['s', 'm', 'full'][index]!, status: 'scored', label: null, score, metrics: {}, samples: [], runMs: 1, measuredAt: '' });

function context(trials: readonly TrialRecord[], fidelityLevels?: TrialLevelRecord[]): ProposalContext {
  return { task: TASK, history: trialHistoryOf(trials), signal: new AbortController().signal, readFile: async () => null, ...(fidelityLevels ? { fidelityLevels } : {}) } as unknown as ProposalContext;
}

describe('knob history on a fidelity ladder (multi-fidelity, as BOHB)', () => {
  const notes = (x: number) => formatKnobNotesLine({ x }, 'tpe');
  // #1 climbed to m and waits there (#5 too); #2 and #3 stopped at s (pruned); #4 crashed at m after s.
  const trials = [
    makeTrial({ id: 1, notes: notes(2.5), status: 'pending', finishedAt: null }),
    makeTrial({ id: 2, notes: notes(5), status: 'failed', label: 'pruned', metrics: { fidelity_predicted_full: 1.1 } }),
    makeTrial({ id: 3, notes: notes(0.5), status: 'failed', label: 'pruned' }),
    makeTrial({ id: 4, notes: notes(3.2), status: 'failed', label: 'crash' }),
    makeTrial({ id: 5, notes: notes(2.9), status: 'failed', label: 'pruned' }),
  ];
  const levels = [level(1, 0, 2.0), level(2, 0, 3.0), level(3, 0, 3.5), level(4, 0, 1.9), level(5, 0, 2.2), level(1, 1, 1.6), level(5, 1, 1.7)];

  it('before knobs + 1 trials reach full, ranks every trial by its predicted full-level score and counts a climbing trial as measured', async () => {
    const observations = await createKnobHistoryReader(KNOBS)(context(trials, levels));
    const byId = new Map(observations.map((o) => [o.trialId, o]));
    // #1 and #5 extrapolate along their own slopes from s and m (power law, exponent 0.5): 1.6 - 0.299 * 0.826 and 1.7 - 0.374 * 0.826.
    expect(byId.get(1)!.score!).toBeCloseTo(1.353, 2);
    expect(byId.get(1)!.modelLevel).toBe(1);
    expect(observationRole(byId.get(1)!)).toBe('scored'); // pending between levels, yet measured
    expect(byId.get(5)!.score!).toBeCloseTo(1.391, 2);
    // Stopped at s: shifted by the population's amplitude (the same order as at s), never an s score compared raw with an m score.
    expect(byId.get(2)!.score!).toBeGreaterThan(byId.get(5)!.score!);
    expect(byId.get(3)!.score!).toBeGreaterThan(byId.get(2)!.score!);
    expect(byId.get(2)!.score!).toBeLessThan(3.0);
    expect(observationRole(byId.get(2)!)).toBe('scored');
    // A crash stays a failure (the feasibility model learns where it struck), whatever it scored below.
    expect(byId.get(4)).toMatchObject({ status: 'failed', label: 'crash', score: null });
    expect(byId.get(4)!.modelLevel).toBeUndefined();
    expect(observationRole(byId.get(4)!)).toBe('failed');
  });

  it('once knobs + 1 trials reach full, ranks by full-level scores and those that stopped below after them (BOHB)', async () => {
    const atFull = [...levels, level(1, 2, 1.4), level(5, 2, 1.3)];
    const observations = await createKnobHistoryReader(KNOBS)(context(trials, atFull));
    const byId = new Map(observations.map((o) => [o.trialId, o]));
    expect(byId.get(1)).toMatchObject({ score: 1.4, modelLevel: 2 });
    expect(byId.get(5)).toMatchObject({ score: 1.3, modelLevel: 2 });
    expect(byId.get(2)!.score!).toBeGreaterThan(1.4);
    expect(byId.get(3)!.score!).toBeGreaterThan(byId.get(2)!.score!);
  });

  it('without level records keeps the single-fidelity view (a pruned trial by its predicted full-level score)', async () => {
    const observations = await createKnobHistoryReader(KNOBS)(context(trials));
    expect(observations.find((o) => o.trialId === 2)).toMatchObject({ score: 1.1 });
    expect(observations.find((o) => o.trialId === 1)!.modelLevel).toBeUndefined();
    expect(observationRole(observations.find((o) => o.trialId === 1)!)).toBe('in_flight');
  });
});
