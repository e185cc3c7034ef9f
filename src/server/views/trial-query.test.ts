import { describe, expect, it } from 'vitest';
import { makeTrial } from '../../testing/trial-fixture.ts';
import { parseTrialQuery, queryTrials } from './trial-query.ts';
import { summarizeTrial } from '../../views/trial-summary.ts';

const objective = { metric: 'loss', direction: 'minimize' as const };
const trials = [
  makeTrial({ id: 0, specialist: 'baseline', status: 'kept', score: 5, parent: null }),
  makeTrial({ id: 1, specialist: 'tuner', status: 'kept', score: 3, hypothesis: 'raise the learning rate' }),
  makeTrial({ id: 2, specialist: 'llm', status: 'failed', label: 'crash' }),
  makeTrial({ id: 3, specialist: 'llm', status: 'discarded', score: 6, parent: 1, timings: { totalMs: 50 } }),
  makeTrial({ id: 4, specialist: 'tuner', status: 'failed', label: 'oom', timings: { totalMs: 10 } }),
];
const byId = new Map(trials.map((t) => [t.id, t]));
const rows = trials.map((t) => summarizeTrial(t, byId, objective));

describe('trials table queries', () => {
  it('defaults to newest first, 50 a page', () => {
    const page = queryTrials(rows, parseTrialQuery({}));
    expect(page.rows.map((r) => r.id)).toEqual([4, 3, 2, 1, 0]);
    expect(page).toMatchObject({ total: 5, offset: 0, limit: 50, sort: 'id', order: 'desc' });
  });

  it('filters by specialist, status, label and text', () => {
    expect(queryTrials(rows, parseTrialQuery({ specialist: 'llm' })).rows.map((r) => r.id)).toEqual([3, 2]);
    expect(queryTrials(rows, parseTrialQuery({ status: 'kept,discarded' })).rows.map((r) => r.id)).toEqual([3, 1, 0]);
    expect(queryTrials(rows, parseTrialQuery({ label: 'oom' })).rows.map((r) => r.id)).toEqual([4]);
    expect(queryTrials(rows, parseTrialQuery({ q: 'LEARNING' })).rows.map((r) => r.id)).toEqual([1]);
    expect(queryTrials(rows, parseTrialQuery({ parent: '1' })).rows.map((r) => r.id)).toEqual([3]);
  });

  it('sorts by score with missing values last in both orders, and by delta', () => {
    expect(queryTrials(rows, parseTrialQuery({ sort: 'score' })).rows.map((r) => r.id)).toEqual([1, 0, 3, 2, 4]);
    expect(queryTrials(rows, parseTrialQuery({ sort: 'score', order: 'desc' })).rows.map((r) => r.id)).toEqual([3, 0, 1, 2, 4]);
    const deltas = queryTrials(rows, parseTrialQuery({ sort: 'delta' })).rows;
    expect(deltas.slice(0, 2).map((r) => [r.id, r.delta, r.gain])).toEqual([
      [1, -2, 2],
      [3, 3, -3],
    ]);
  });

  it('pages', () => {
    const page = queryTrials(rows, parseTrialQuery({ sort: 'id', order: 'asc', offset: '2', limit: '2' }));
    expect(page.rows.map((r) => r.id)).toEqual([2, 3]);
    expect(page.total).toBe(5);
  });

  it('pages a large study by score as a full sort would (only the page is kept in order), ties and missing scores included', () => {
    let seed = 11;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const many = [makeTrial({ id: 0, specialist: 'baseline', status: 'kept', score: 5, parent: null })];
    for (let id = 1; id <= 3000; id++) {
      const failed = random() < 0.2;
      many.push(makeTrial({ id, status: failed ? 'failed' : random() < 0.1 ? 'kept' : 'discarded', label: failed ? 'crash' : null, score: failed ? null : Math.round(random() * 40) / 10 }));
    }
    const manyById = new Map(many.map((t) => [t.id, t]));
    const manyRows = many.map((t) => summarizeTrial(t, manyById, objective));
    for (const order of ['asc', 'desc']) {
      for (const sort of ['score', 'delta']) {
        // Pages of 500 (the largest) are a big part of 3,001 rows: those are fully sorted.
        const full = [0, 500, 1000, 1500, 2000, 2500, 3000].flatMap((offset) => queryTrials(manyRows, parseTrialQuery({ sort, order, offset: String(offset), limit: '500' })).rows.map((r) => r.id));
        expect(full).toHaveLength(3001);
        for (const [offset, limit] of [[0, 50], [50, 50], [120, 7], [0, 1]] as Array<[number, number]>) {
          const page = queryTrials(manyRows, parseTrialQuery({ sort, order, offset: String(offset), limit: String(limit) }));
          expect(page.rows.map((r) => r.id)).toEqual(full.slice(offset, offset + limit));
          expect(page.total).toBe(3001);
        }
      }
    }
  });

  it('rejects what it does not know, naming it', () => {
    expect(() => parseTrialQuery({ sort: 'colour' })).toThrow(/unknown sort 'colour'/);
    expect(() => parseTrialQuery({ label: 'exploded' })).toThrow(/unknown failure label 'exploded'/);
    expect(() => parseTrialQuery({ status: 'done' })).toThrow(/unknown status 'done'/);
    expect(() => parseTrialQuery({ offset: '-1' })).toThrow(/offset/);
  });
});

describe('knob and metric columns', () => {
  const knobs = new Map<number, Record<string, number | string>>([
    [0, { lr: 0.001, act: 'relu' }],
    [1, { lr: 0.03, act: 'gelu' }],
    [2, { lr: 0.5, act: 'relu' }],
    [3, { lr: 0.01 }],
  ]);
  const metrics = new Map<number, number>([[0, 100], [1, 90], [3, 120]]);
  const lookup = (id: number, key: string) => {
    if (key === 'score') return byId.get(id)?.score ?? null;
    if (key.startsWith('knob:')) return knobs.get(id)?.[key.slice(5)] ?? null;
    return metrics.get(id) ?? null;
  };

  it('returns the requested columns with each row and sorts by them, missing values last', () => {
    const page = queryTrials(rows, parseTrialQuery({ sort: 'knob:lr', columns: 'knob:lr,knob:act,metric:bytes' }), lookup);
    expect(page.columns).toEqual(['knob:lr', 'knob:act', 'metric:bytes']);
    expect(page.rows.map((r) => [r.id, ...(r.values ?? [])])).toEqual([
      [0, 0.001, 'relu', 100],
      [3, 0.01, null, 120],
      [1, 0.03, 'gelu', 90],
      [2, 0.5, 'relu', null],
      [4, null, null, null],
    ]);
    expect(queryTrials(rows, parseTrialQuery({ sort: 'metric:bytes', order: 'desc' }), lookup).rows.map((r) => r.id)).toEqual([3, 0, 1, 2, 4]);
    expect(queryTrials(rows, parseTrialQuery({ sort: 'knob:act' }), lookup).rows.map((r) => r.id)).toEqual([1, 0, 2, 3, 4]);
  });

  it('filters by ranges of knob values, choices and the score (what a brush selects)', () => {
    const ids = (filter: string) => queryTrials(rows, parseTrialQuery({ filter, sort: 'id', order: 'asc' }), lookup).rows.map((r) => r.id);
    expect(ids('knob:lr:0.005..0.1')).toEqual([1, 3]);
    expect(ids('knob:lr:..0.01')).toEqual([0, 3]);
    expect(ids('knob:act:=relu')).toEqual([0, 2]);
    expect(ids('knob:act:=relu|gelu;knob:lr:0.01..')).toEqual([1, 2]);
    expect(ids('score:..4')).toEqual([1]);
    expect(ids('metric:bytes:95..')).toEqual([0, 3]);
  });

  it('names a bad column, sort or filter', () => {
    expect(() => parseTrialQuery({ columns: 'lr' })).toThrow(/unknown column 'lr'/);
    expect(() => parseTrialQuery({ sort: 'knob:' })).toThrow(/unknown sort/);
    expect(() => parseTrialQuery({ filter: 'lr:1..2' })).toThrow(/filter 'lr:1..2': unknown key/);
    expect(() => parseTrialQuery({ filter: 'knob:lr:1-2' })).toThrow(/not MIN..MAX/);
    expect(() => parseTrialQuery({ filter: 'knob:lr:a..2' })).toThrow(/'a' is not a number/);
  });
});
