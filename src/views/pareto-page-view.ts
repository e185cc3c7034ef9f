/**
 * The data of the dashboard's front page (`GET /api/studies/:study/front`): every scored
 * trial at its objective values, marked as a front member or dominated, with the front
 * view itself (members, recommended trade-off, reference point, hypervolume over time).
 * A single-objective study has no front page: `objectives` is null.
 */
import type { Objective, ParetoObjective, ParetoPreference } from '../core/task.ts';
import type { TrialRecord } from '../core/trial.ts';
import { objectiveValuesOf, paretoFrontView, type ParetoFrontView } from './pareto-front-view.ts';

/** One scored trial on the front plot. */
export interface ParetoPoint {
  id: number;
  /** Objective values in the order of `objectives`. */
  values: number[];
  status: 'kept' | 'discarded';
  /** On the front now (else dominated by a member, or equal to one). */
  member: boolean;
  specialist: string;
}

export interface ParetoPageData {
  objective: Objective;
  /** The task's objectives; null for a single-objective study. */
  objectives: ParetoObjective[] | null;
  front: ParetoFrontView | null;
  points: ParetoPoint[];
  /** Finished trials without a value for every objective (failed, or a metric missing). */
  unplotted: number;
}

/**
 * The front page's data for a study with these objectives.
 *
 * @example
 * const data = paretoPageData({ objective, objectives, preference }, trials);
 * data.points.filter((point) => !point.member); // the greyed, dominated trials
 */
export function paretoPageData(task: { objective: Objective; objectives?: ParetoObjective[]; preference?: ParetoPreference }, trials: readonly TrialRecord[]): ParetoPageData {
  const front = paretoFrontView(task, trials);
  if (front === null) return { objective: task.objective, objectives: null, front: null, points: [], unplotted: 0 };
  const members = new Set(front.members.map((member) => member.id));
  const points: ParetoPoint[] = [];
  let unplotted = 0;
  for (const trial of [...trials].sort((a, b) => a.id - b.id)) {
    if (trial.status !== 'kept' && trial.status !== 'discarded' && trial.status !== 'failed') continue;
    const values = trial.status === 'failed' ? null : objectiveValuesOf(front.objectives, task.objective.metric, trial);
    if (values === null || trial.status === 'failed') {
      unplotted += 1;
      continue;
    }
    points.push({ id: trial.id, values, status: trial.status, member: members.has(trial.id), specialist: trial.specialist });
  }
  return { objective: task.objective, objectives: front.objectives, front, points, unplotted };
}
