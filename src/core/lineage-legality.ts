/**
 * Lineage legality: an illegal edit must not be laundered by building on it. A trial
 * recorded `illegal_edit` keeps its commit (for audit), so a child whose own edit is
 * legal would otherwise inherit, run and export the parent's forbidden change. Every
 * trial whose lineage (its parent chain from the baseline) holds an illegal edit is
 * refused: it is never scored or kept, `submit --parent`, `rebase`, `combine` and
 * `export` refuse it with a message.
 */
import type { TrialRecord } from './trial.ts';

type LineageTrial = Pick<TrialRecord, 'id' | 'parent' | 'label' | 'labelDetail'>;

/**
 * The nearest trial of `trialId`'s lineage (itself first, then its parents up to the
 * baseline) recorded as an illegal edit, or null when the lineage is legal. A cycle or
 * a missing parent ends the walk.
 *
 * @example
 * illegalInLineage(7, trials); // the record of #5 when #7's parent #5 was an illegal_edit
 */
export function illegalInLineage<T extends LineageTrial>(trialId: number | null, trials: ReadonlyMap<number, T> | readonly T[]): T | null {
  const byId = trials instanceof Map ? (trials as ReadonlyMap<number, T>) : new Map((trials as readonly T[]).map((trial) => [trial.id, trial]));
  const seen = new Set<number>();
  for (let id = trialId; id !== null && !seen.has(id); ) {
    seen.add(id);
    const trial = byId.get(id);
    if (!trial) return null;
    if (trial.label === 'illegal_edit') return trial;
    id = trial.parent;
  }
  return null;
}

/**
 * Why building on (or exporting) `trialId` is refused, given the illegal trial of its
 * lineage, in one sentence.
 *
 * @example
 * describeIllegalLineage(7, illegal); // 'trial #7 builds on trial #5, an illegal edit (score.js: protected path ...)'
 */
export function describeIllegalLineage(trialId: number, illegal: LineageTrial): string {
  const why = (illegal.labelDetail ?? '').split('\n')[0]!.slice(0, 200);
  const what = illegal.id === trialId ? `trial #${trialId} is an illegal edit` : `trial #${trialId} builds on trial #${illegal.id}, an illegal edit`;
  return `${what}${why ? ` (${why})` : ''}: no trial may build on it, and it cannot be exported`;
}
