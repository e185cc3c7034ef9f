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
  // #1 climbed to m and waits there; #2 and #3 stopped at s (pruned); #4 crashed at m after s.
  const trials = [
    makeTrial({ id: 1, notes: notes(2.5), status: 'pending', finishedAt: null }),
    makeTrial({ id: 2, notes: notes(5), status: 'failed', label: 'pruned', metrics: { fidelity_predicted_full: 1.1 } }),
    makeTrial({ id: 3, notes: notes(0.5), status: 'failed', label: 'pruned' }),
    makeTrial({ id: 4, notes: notes(3.2), status: 'failed', label: 'crash' }),
    makeTrial({ id: 5, notes: notes(2.9), status: 'failed', label: 'pruned' }),
  ];
  const levels = [level(1, 0, 2.0), level(2, 0, 3.0), level(3, 0, 3.5), level(4, 0, 1.9), level(5, 0, 2.2), level(1, 1, 1.6), level(5, 1, 1.7)];

  it('ranks every trial by the model level (m: two trials, knobs + 1) and counts a climbing trial as measured', async () => {
    const observations = await createKnobHistoryReader(KNOBS)(context(trials, levels));
    const byId = new Map(observations.map((o) => [o.trialId, o]));
    expect(byId.get(1)).toMatchObject({ score: 1.6, modelLevel: 1 });
    expect(observationRole(byId.get(1)!)).toBe('scored'); // pending between levels, yet measured at m
    expect(byId.get(5)).toMatchObject({ score: 1.7, modelLevel: 1 });
    // Stopped at s: ranked after every trial at m (not by a predicted or an s score), #2 before #3 (its s score is better).
    expect(byId.get(2)!.score!).toBeGreaterThan(1.7);
    expect(byId.get(3)!.score!).toBeGreaterThan(byId.get(2)!.score!);
    expect(observationRole(byId.get(2)!)).toBe('scored');
    // A crash stays a failure (the feasibility model learns where it struck), whatever it scored below.
    expect(byId.get(4)).toMatchObject({ status: 'failed', label: 'crash', score: null });
    expect(byId.get(4)!.modelLevel).toBeUndefined();
    expect(observationRole(byId.get(4)!)).toBe('failed');
  });

  it('without level records keeps the single-fidelity view (a pruned trial by its predicted full-level score)', async () => {
    const observations = await createKnobHistoryReader(KNOBS)(context(trials));
    expect(observations.find((o) => o.trialId === 2)).toMatchObject({ score: 1.1 });
    expect(observations.find((o) => o.trialId === 1)!.modelLevel).toBeUndefined();
    expect(observationRole(observations.find((o) => o.trialId === 1)!)).toBe('in_flight');
  });
});
