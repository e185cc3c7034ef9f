/**
 * Pruning in a multi-objective study (the open Optuna request, optuna#3450). The rule:
 * the configured pruner (median, asha, curve) judges each objective's intermediate
 * curve against the other trials' curves of that objective, and a trial is pruned only
 * when it would be pruned on every objective: a trial still promising in one objective
 * may yet reach the front. An objective the run reports no intermediate values for (yet),
 * or that no finished trial has a curve of, counts as promising: pruning never guesses an
 * objective it cannot see. (`pruner.metric` in the task file keeps single-metric pruning.)
 */
import { pruneDecision, type FinishedCurve, type PruneDecision, type StepValue } from './pruners.ts';
import type { Direction, PrunerSpec } from './task.ts';

/** One objective as the pruner watches it: its direction and the finished trials' curves of it. */
export interface WatchedObjective {
  metric: string;
  direction: Direction;
  finished: readonly FinishedCurve[];
}

/**
 * The pruning decision over several objectives (see the rule above).
 *
 * @example
 * multiObjectivePruneDecision(new Map([['loss', lossCurve], ['bytes', bytesCurve]]), objectives, spec);
 * // { prune: true, reason: 'on every objective: loss: ...; bytes: ...' } only when both would prune
 */
export function multiObjectivePruneDecision(current: ReadonlyMap<string, readonly StepValue[]>, objectives: readonly WatchedObjective[], spec: PrunerSpec): PruneDecision {
  const reasons: string[] = [];
  for (const objective of objectives) {
    const points = current.get(objective.metric) ?? [];
    if (points.length === 0) return { prune: false, reason: `no intermediate value of ${objective.metric} yet (it may still reach the front)` };
    if (objective.finished.length === 0) return { prune: false, reason: `no finished trial has a curve of ${objective.metric}` };
    const decision = pruneDecision(points, objective.finished, spec, objective.direction);
    if (!decision.prune) return { prune: false, reason: `${objective.metric}: ${decision.reason}` };
    reasons.push(`${objective.metric}: ${decision.reason}`);
  }
  return { prune: reasons.length > 0, reason: reasons.length > 0 ? `unpromising on every objective: ${reasons.join('; ')}` : 'no objective to judge' };
}
