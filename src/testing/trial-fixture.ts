import type { TrialRecord } from '../core/trial.ts';

/** A finished trial record with sensible defaults, for tests of pure code. */
export function makeTrial(overrides: Partial<TrialRecord> & { id: number }): TrialRecord {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, overrides.id)).toISOString();
  return {
    studyId: 1,
    specialist: 'tuner',
    parent: overrides.id === 0 ? null : 0,
    hypothesis: `trial ${overrides.id}`,
    notes: '',
    expectedDelta: null,
    status: 'discarded',
    label: null,
    labelDetail: null,
    commit: `c${overrides.id}`,
    tree: `t${overrides.id}`,
    diff: '',
    metrics: {},
    score: null,
    seed: 0,
    timings: {},
    cost: null,
    logExcerpt: '',
    failure: null,
    repeats: [],
    curve: [],
    edit: null,
    owner: null,
    createdAt: at,
    startedAt: at,
    finishedAt: at,
    heartbeatAt: null,
    ...overrides,
  };
}

/**
 * A trial as the sampler benches and the knobs specialist's tests record one: no parent,
 * hypothesis, tree, diff or times unless given, seed 1, kept unless said.
 *
 * @example
 * const baseline = makeSampledTrial(0, { specialist: 'baseline', score: 3.2, metrics: { value: 3.2 } });
 */
export function makeSampledTrial(id: number, fields: Partial<TrialRecord> = {}): TrialRecord {
  return makeTrial({ id, parent: null, hypothesis: '', status: 'kept', tree: null, diff: null, seed: 1, createdAt: '2025-01-01T00:00:00Z', startedAt: null, finishedAt: null, ...fields });
}
