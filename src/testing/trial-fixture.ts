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
