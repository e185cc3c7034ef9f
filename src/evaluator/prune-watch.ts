/**
 * Watches a running repeat's intermediate metrics and says when to prune it: the
 * configured pruner on its one metric, or, in a multi-objective study without
 * `pruner.metric`, the multi-objective rule over every objective
 * (src/core/multi-objective-pruning.ts).
 */
import { multiObjectivePruneDecision, type WatchedObjective } from '../core/multi-objective-pruning.ts';
import { pruneDecision, type FinishedCurve, type StepValue } from '../core/pruners.ts';
import type { Direction, PrunerSpec } from '../core/task.ts';

/** The pruner's view of the study while a repeat runs. */
export interface PruningContext {
  spec: PrunerSpec;
  metric: string;
  direction: Direction;
  /** Curves of finished trials (the incumbent flagged). */
  finished: FinishedCurve[];
  /** A multi-objective study without `pruner.metric`: every objective is watched, pruned only when unpromising on all. */
  objectives?: WatchedObjective[];
}

/**
 * A function fed each batch of new curve points; returns the reason to prune, or null.
 *
 * @example
 * const watch = pruneWatch(pruning);
 * const reason = watch([{ name: 'loss', step: 10, value: 2.1 }]);
 */
export function pruneWatch(pruning: PruningContext): (added: ReadonlyArray<{ name: string; step: number; value: number }>) => string | null {
  const own = new Map<string, StepValue[]>();
  const watched = new Set(pruning.objectives ? pruning.objectives.map((objective) => objective.metric) : [pruning.metric]);
  return (added) => {
    let changed = false;
    for (const point of added) {
      if (!watched.has(point.name)) continue;
      const points = own.get(point.name) ?? [];
      points.push({ step: point.step, value: point.value });
      own.set(point.name, points);
      changed = true;
    }
    if (!changed) return null;
    const decision = pruning.objectives
      ? multiObjectivePruneDecision(own, pruning.objectives, pruning.spec)
      : pruneDecision(own.get(pruning.metric) ?? [], pruning.finished, pruning.spec, pruning.direction);
    return decision.prune ? decision.reason : null;
  };
}
