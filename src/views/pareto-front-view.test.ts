import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../core/task.ts';
import { makeTrial } from '../testing/trial-fixture.ts';
import { frontStanding, paretoFrontView } from './pareto-front-view.ts';

const task: Pick<TaskSpec, 'objective' | 'objectives' | 'preference'> = {
  objective: { metric: 'bpb', direction: 'minimize' },
  objectives: [{ metric: 'bpb', direction: 'minimize', reference: 3 }, { metric: 'bytes', direction: 'minimize', reference: 3 }],
};

const trials = [
  makeTrial({ id: 0, status: 'kept', score: 2, metrics: { bpb: 2, bytes: 2 } }),
  makeTrial({ id: 1, status: 'kept', score: 1, metrics: { bpb: 1, bytes: 2 } }),
  makeTrial({ id: 2, status: 'discarded', score: 2.5, metrics: { bpb: 2.5, bytes: 2.5 } }),
  makeTrial({ id: 3, status: 'kept', score: 2, metrics: { bpb: 2, bytes: 1 } }),
  makeTrial({ id: 4, status: 'failed', score: null, metrics: {} }),
];

describe('paretoFrontView', () => {
  it('is null for a single-objective task', () => {
    expect(paretoFrontView({ objective: task.objective }, trials)).toBeNull();
  });

  it('lists the front, the recommended member, and the hypervolume over time', () => {
    const view = paretoFrontView(task, trials)!;
    expect(view.members.map((member) => member.id)).toEqual([1, 3]);
    expect(view.members[0]!.values).toEqual({ bpb: 1, bytes: 2 });
    expect(view.reference).toEqual({ bpb: 3, bytes: 3 });
    expect(view.hypervolume).toBe(3); // (3-1)*(3-2) + (3-2)*(2-1)
    expect(view.hypervolumeOverTime).toEqual([
      { trial: 0, hypervolume: 1 },
      { trial: 1, hypervolume: 2 },
      { trial: 2, hypervolume: 2 },
      { trial: 3, hypervolume: 3 },
      { trial: 4, hypervolume: 3 },
    ]);
    expect([1, 3]).toContain(view.recommended);
  });

  it('follows the preference', () => {
    expect(paretoFrontView({ ...task, preference: { weights: { bytes: 1 } } }, trials)!.recommended).toBe(3);
    expect(paretoFrontView({ ...task, preference: { target: { bpb: 1 } } }, trials)!.recommended).toBe(1);
  });

  it('says where a trial stands: member, recommended, or dominated by a member', () => {
    const view = paretoFrontView({ ...task, preference: { weights: { bytes: 1 } } }, trials)!;
    expect(frontStanding(view, task, trials[3]!)).toEqual({ member: true, recommended: true, dominatedBy: null });
    expect(frontStanding(view, task, trials[1]!)).toEqual({ member: true, recommended: false, dominatedBy: null });
    expect(frontStanding(view, task, trials[0]!)).toEqual({ member: false, recommended: false, dominatedBy: 1 });
    expect(frontStanding(view, task, trials[4]!)).toEqual({ member: false, recommended: false, dominatedBy: null });
  });
});
