import { describe, expect, it } from 'vitest';
import type { StudyEvent } from '../core/audit-events.ts';
import type { TrialLevelRecord } from '../core/fidelity.ts';
import { makeTrial } from '../testing/trial-fixture.ts';
import { costMarkdown } from '../report/render-costs.ts';
import { costAccuracy } from './cost-accuracy.ts';

const predicted = (id: number, trialId: number, levels: Array<[number, string, number | null]>): StudyEvent =>
  ({ id, studyId: 1, trialId, at: '', type: 'trial.cost_predicted', data: { levels: levels.map(([level, levelName, expectedRunMs]) => ({ level, levelName, expectedRunMs })), factor: 1, terms: [], fittedOn: 0, usd: null } }) as StudyEvent;

describe('costAccuracy: predictions checked against the measured run times', () => {
  it('without a ladder: the ratio measured / predicted of every trial that ran', () => {
    const trials = [makeTrial({ id: 1, timings: { runMs: 1_100 } }), makeTrial({ id: 2, timings: { runMs: 2_000 } }), makeTrial({ id: 3, timings: {} })];
    const events = [predicted(1, 1, [[0, 'run', 1_000]]), predicted(2, 2, [[0, 'run', 2_000]]), predicted(3, 3, [[0, 'run', 500]])];
    const [run] = costAccuracy(events, trials, null);
    expect(run).toMatchObject({ levelName: 'run', checked: 2 });
    expect(run!.medianRatio).toBeCloseTo(1.05, 6);
    expect(costMarkdown(costAccuracy(events, trials, null)).join('\n')).toMatch(/## Cost predictions[\s\S]*\| run \| 2 \| ×1\.05 \|/);
  });

  it('on a ladder: per level, only where the trial was measured', () => {
    const record = (trialId: number, level: number, runMs: number) => ({ trialId, level, levelName: level === 0 ? 's' : 'full', runMs }) as TrialLevelRecord;
    const events = [predicted(1, 1, [[0, 's', 1_000], [1, 'full', 10_000]]), predicted(2, 2, [[0, 's', 1_000], [1, 'full', null]])];
    const levels = costAccuracy(events, [], [record(1, 0, 900), record(1, 1, 12_000), record(2, 0, 1_500)]);
    expect(levels.map((level) => [level.levelName, level.checked])).toEqual([['s', 2], ['full', 1]]);
    expect(levels[1]!.medianRatio).toBeCloseTo(1.2, 6);
    expect(costMarkdown([])).toEqual([]);
  });
});
