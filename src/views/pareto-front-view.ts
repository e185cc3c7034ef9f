/**
 * The front of a multi-objective study as `status`, `best`, the report and the dashboard
 * show it: the kept trials no other kept trial dominates (by their recorded means), the
 * recommended one under the task's preference, the hypervolume against the reference
 * point (declared per objective, else the worst measured value pushed out by 10% of the
 * range), and the hypervolume after each finished trial.
 */
import { hypervolume, nadirReference } from '../core/hypervolume.ts';
import { dominates, paretoFront, toLosses } from '../core/pareto.ts';
import { recommendFrontMember } from '../core/pareto-preference.ts';
import type { ParetoObjective, ParetoPreference, TaskSpec } from '../core/task.ts';
import type { TrialRecord } from '../core/trial.ts';

export interface FrontMemberView {
  id: number;
  specialist: string;
  hypothesis: string;
  /** Objective values by metric. */
  values: Record<string, number>;
}

export interface ParetoFrontView {
  objectives: ParetoObjective[];
  preference: ParetoPreference | null;
  /** Front members, oldest first. */
  members: FrontMemberView[];
  /** The trial the preference recommends (null with an empty front). */
  recommended: number | null;
  /** The reference point (objective values, by metric) the hypervolume is measured against. */
  reference: Record<string, number>;
  hypervolume: number;
  /** Hypervolume of the front after each finished trial (in trial order), for plots. */
  hypervolumeOverTime: Array<{ trial: number; hypervolume: number }>;
}

/** A trial's objective values (the primary one from its score), or null when one is missing. */
export function objectiveValuesOf(objectives: readonly ParetoObjective[], primaryMetric: string, trial: Pick<TrialRecord, 'score' | 'metrics'>): number[] | null {
  const values = objectives.map((objective) => (objective.metric === primaryMetric && trial.score !== null ? trial.score : trial.metrics[objective.metric]));
  return values.every((value): value is number => typeof value === 'number' && Number.isFinite(value)) ? values : null;
}

/**
 * The front view of a multi-objective task, or null for a single-objective one.
 *
 * @example
 * const front = paretoFrontView(study.task, await study.trials());
 * if (front) console.log(front.members.map((member) => member.id), front.recommended);
 */
export function paretoFrontView(task: Pick<TaskSpec, 'objective' | 'objectives' | 'preference'>, trials: readonly TrialRecord[]): ParetoFrontView | null {
  const objectives = task.objectives;
  if (!objectives || objectives.length < 2) return null;
  const ordered = [...trials].sort((a, b) => a.id - b.id);
  const measured = ordered.flatMap((trial) => {
    const values = trial.status === 'kept' ? objectiveValuesOf(objectives, task.objective.metric, trial) : null;
    return values ? [{ id: trial.id, values, trial }] : [];
  });
  const front = paretoFront(objectives, measured);
  const losses = measured.map((member) => toLosses(objectives, member.values));
  const fallback = nadirReference(losses);
  const referenceLoss = objectives.map((objective, k) => (objective.reference !== undefined ? toLosses([objective], [objective.reference])[0]! : (fallback[k] ?? 0)));
  const recommended = recommendFrontMember(objectives, front, task.preference);
  const overTime: Array<{ trial: number; hypervolume: number }> = [];
  let sofar: number[][] = [];
  for (const trial of ordered) {
    if (trial.status !== 'kept' && trial.status !== 'discarded' && trial.status !== 'failed') continue;
    const member = measured.find((entry) => entry.id === trial.id);
    if (member) sofar = [...sofar, toLosses(objectives, member.values)];
    overTime.push({ trial: trial.id, hypervolume: hypervolume(sofar, referenceLoss) });
  }
  return {
    objectives: [...objectives],
    preference: task.preference ?? null,
    members: front.map((member) => ({ id: member.id, specialist: member.trial.specialist, hypothesis: member.trial.hypothesis, values: Object.fromEntries(objectives.map((objective, k) => [objective.metric, member.values[k]!])) })),
    recommended: recommended?.id ?? null,
    reference: Object.fromEntries(objectives.map((objective, k) => [objective.metric, objective.direction === 'maximize' ? -referenceLoss[k]! : referenceLoss[k]!])),
    hypervolume: hypervolume(front.map((member) => toLosses(objectives, member.values)), referenceLoss),
    hypervolumeOverTime: overTime,
  };
}

/** Where one trial stands against the front: a member (and whether the recommended one), or the first member that dominates it. */
export interface FrontStanding {
  member: boolean;
  recommended: boolean;
  /** The first front member that dominates the trial (null for a member, or a trial without every objective). */
  dominatedBy: number | null;
}

/**
 * Where `trial` stands against the front of `view` (`autolab show`).
 *
 * @example
 * const standing = frontStanding(view, task, trial); // { member: false, recommended: false, dominatedBy: 4 }
 */
export function frontStanding(view: ParetoFrontView, task: Pick<TaskSpec, 'objective'>, trial: Pick<TrialRecord, 'id' | 'score' | 'metrics'>): FrontStanding {
  const member = view.members.some((entry) => entry.id === trial.id);
  const values = objectiveValuesOf(view.objectives, task.objective.metric, trial);
  const dominator = member || values === null ? undefined : view.members.find((entry) => dominates(view.objectives, view.objectives.map((objective) => entry.values[objective.metric]!), values));
  return { member, recommended: view.recommended === trial.id, dominatedBy: dominator?.id ?? null };
}
