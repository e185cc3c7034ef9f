/**
 * The figures of `bench:parents` from a finished study's trials: the best score, how many
 * distinct lineages advanced (branches off the baseline, each rooted at a trial whose
 * parent is the baseline, holding at least one trial that beat its own parent), how many
 * trials beat their parent, and how many distinct trials served as parents.
 */

/** What the figures read of a trial (the baseline is trial 0). */
export interface LineageTrial {
  id: number;
  parent: number | null;
  score: number | null;
  status: string;
}

export interface LineageFigures {
  /** The best score of any scored trial, the baseline included. */
  best: number;
  /** Branches off the baseline with at least one trial better than its parent. */
  lineagesAdvanced: number;
  /** Trials better than their parent. */
  improvingSteps: number;
  /** Distinct trials that some trial started from. */
  distinctParents: number;
}

/** The branch a trial belongs to: the id of its ancestor whose parent is the baseline (0 for the baseline itself). */
export function branchOf(trial: LineageTrial, byId: ReadonlyMap<number, LineageTrial>): number {
  let current = trial;
  const seen = new Set<number>();
  while (current.parent !== null && current.parent !== 0 && !seen.has(current.id)) {
    seen.add(current.id);
    const parent = byId.get(current.parent);
    if (!parent) break;
    current = parent;
  }
  return current.id;
}

/**
 * The figures of one study (`minimize`: a lower score is better).
 *
 * @example
 * lineageFigures([{ id: 0, parent: null, score: 4, status: 'kept' }, { id: 1, parent: 0, score: 3, status: 'kept' }], 'minimize');
 * // { best: 3, lineagesAdvanced: 1, improvingSteps: 1, distinctParents: 1 }
 */
export function lineageFigures(trials: readonly LineageTrial[], direction: 'minimize' | 'maximize'): LineageFigures {
  const byId = new Map(trials.map((trial) => [trial.id, trial]));
  const better = (a: number, b: number) => (direction === 'minimize' ? a < b : a > b);
  const scored = (trial: LineageTrial | undefined): trial is LineageTrial & { score: number } => trial !== undefined && trial.score !== null && Number.isFinite(trial.score) && trial.status !== 'failed';
  let best = direction === 'minimize' ? Infinity : -Infinity;
  const advanced = new Set<number>();
  const parents = new Set<number>();
  let improvingSteps = 0;
  for (const trial of trials) {
    if (scored(trial) && better(trial.score, best)) best = trial.score;
    if (trial.parent === null) continue;
    parents.add(trial.parent);
    const parent = byId.get(trial.parent);
    if (scored(trial) && scored(parent) && better(trial.score, parent.score)) {
      improvingSteps += 1;
      advanced.add(branchOf(trial, byId));
    }
  }
  return { best, lineagesAdvanced: advanced.size, improvingSteps, distinctParents: parents.size };
}
