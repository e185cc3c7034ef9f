import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/random.ts';
import type { TrialRecord } from '../../core/trial.ts';
import { makeTrial } from '../../testing/trial-fixture.ts';
import { summarizeTrial } from '../../views/trial-summary.ts';
import { TrialQueryCache } from './trial-query-cache.ts';
import { parseTrialQuery, queryTrials, type ColumnLookup } from './trial-query.ts';

const objective = { metric: 'loss', direction: 'minimize' as const };
const SPECIALISTS = ['tuner', 'llm', 'data'];
const LABELS = ['crash', 'oom', 'gate_miss'] as const;

/** A random study of `count` trials (ties, missing scores, parents, knob values). */
function randomStudy(seed: number, count: number) {
  const random = seededRandom(seed);
  const trials: TrialRecord[] = [makeTrial({ id: 0, specialist: 'baseline', status: 'kept', score: 5, parent: null })];
  for (let id = 1; id < count; id++) {
    const roll = random();
    const failed = roll < 0.2;
    trials.push(
      makeTrial({
        id,
        parent: Math.floor(random() * id),
        specialist: SPECIALISTS[Math.floor(random() * 3)]!,
        status: failed ? 'failed' : roll < 0.25 ? 'running' : roll < 0.35 ? 'kept' : 'discarded',
        label: failed ? LABELS[Math.floor(random() * 3)]! : null,
        score: failed || roll < 0.25 ? null : Math.round(random() * 40) / 10,
        hypothesis: random() < 0.3 ? 'raise the learning rate' : 'warmup longer',
        timings: random() < 0.9 ? { totalMs: Math.floor(random() * 50) } : {},
      }),
    );
  }
  const byId = new Map(trials.map((trial) => [trial.id, trial]));
  const knob = new Map(trials.map((trial) => [trial.id, random() < 0.8 ? Math.round(random() * 20) / 10 : null]));
  const lookup: ColumnLookup = (id, key) => (key === 'score' ? byId.get(id)!.score : key === 'knob:lr' ? (knob.get(id) ?? null) : null);
  return { rows: trials.map((trial) => summarizeTrial(trial, byId, objective)), lookup };
}

/** A random query string of the trials endpoint. */
function randomQuery(random: () => number): Record<string, string> {
  const params: Record<string, string> = {};
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  params.sort = pick(['id', 'id', 'score', 'delta', 'gain', 'specialist', 'status', 'duration', 'knob:lr']);
  if (random() < 0.5) params.order = pick(['asc', 'desc']);
  if (random() < 0.3) params.specialist = pick(SPECIALISTS);
  if (random() < 0.2) params.status = pick(['kept', 'failed,discarded', 'running']);
  if (random() < 0.2) params.label = pick(LABELS);
  if (random() < 0.2) params.q = pick(['learning', 'WARMUP', 'nothing']);
  if (random() < 0.2) params.filter = pick(['score:1..3', 'knob:lr:0.5..', 'score:=2|3']);
  if (random() < 0.2) params.columns = 'knob:lr';
  params.offset = String(pick([0, 0, 10, 49, 450, 1990]));
  params.limit = String(pick([1, 20, 50, 500]));
  return params;
}

describe('TrialQueryCache', () => {
  it('gives the pages queryTrials gives, on random studies and queries, repeated and after the rows change', () => {
    const random = seededRandom(5);
    for (const seed of [1, 2, 3]) {
      const cache = new TrialQueryCache(4);
      let study = randomStudy(seed, 2000);
      for (let i = 0; i < 150; i++) {
        if (i === 75) study = randomStudy(seed + 10, 2100); // the next revision: new rows
        const query = parseTrialQuery(randomQuery(random));
        const expected = queryTrials(study.rows, query, study.lookup);
        expect(cache.page(study.rows, query, study.lookup)).toEqual(expected);
        expect(cache.page(study.rows, query, study.lookup)).toEqual(expected); // from what was kept
      }
    }
  });
});
