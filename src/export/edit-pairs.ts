/**
 * Improving edit pairs, as a data set for training code models: for every trial whose
 * measured score beat its parent's, the parent's code of each changed file, the diff,
 * the hypothesis and the measured delta (and the code after, for convenience).
 */
import { improvement } from '../core/acceptance.ts';
import type { Objective } from '../core/task.ts';
import type { TrialRecord } from '../core/trial.ts';

/** Reads a file at a commit of the study's private repo (null when absent). */
export type ReadFileAt = (commit: string, path: string) => Promise<string | null>;

export interface EditPairFile {
  path: string;
  /** The parent's content (null: the edit created the file, or it is binary). */
  before: string | null;
  /** The trial's content (null: the edit deleted the file, or it is binary). */
  after: string | null;
  binary: boolean;
}

export interface EditPair {
  study: string;
  trial: number;
  parent: number;
  specialist: string;
  hypothesis: string;
  notes: string;
  objective: Objective;
  parentScore: number;
  score: number;
  /** score − parent score, as measured. */
  delta: number;
  /** `delta` signed so that positive is better (always > 0 here). */
  improvement: number;
  /** Whether the trial became the incumbent. */
  kept: boolean;
  diff: string;
  files: EditPairFile[];
  commit: string;
  parentCommit: string;
}

/** Paths a unified diff changes (both sides of a rename or copy). */
export function changedPathsOf(diff: string): string[] {
  const paths = new Set<string>();
  for (const match of diff.matchAll(/^diff --git a\/(.+?) b\/(.+)$/gm)) {
    paths.add(match[1]!);
    paths.add(match[2]!);
  }
  return [...paths];
}

function textOrBinary(content: string | null): { text: string | null; binary: boolean } {
  if (content === null) return { text: null, binary: false };
  return content.includes('\u0000') ? { text: null, binary: true } : { text: content, binary: false };
}

/**
 * The improving pairs of `trials` (all trials of the study, any order), in trial order.
 * Trials without a commit or diff, or whose parent has no score, are skipped.
 */
export async function* improvingEditPairs(study: string, objective: Objective, trials: readonly TrialRecord[], readFileAt: ReadFileAt): AsyncGenerator<EditPair> {
  const byId = new Map(trials.map((trial) => [trial.id, trial]));
  for (const trial of [...trials].sort((a, b) => a.id - b.id)) {
    if (trial.score === null || trial.parent === null || trial.commit === null || !trial.diff) continue;
    const parent = byId.get(trial.parent);
    if (!parent || parent.score === null || parent.commit === null) continue;
    const gain = improvement(objective, trial.score, parent.score);
    if (!(gain > 0)) continue;
    const files: EditPairFile[] = [];
    for (const path of changedPathsOf(trial.diff)) {
      const before = textOrBinary(await readFileAt(parent.commit, path));
      const after = textOrBinary(await readFileAt(trial.commit, path));
      files.push({ path, before: before.text, after: after.text, binary: before.binary || after.binary });
    }
    yield {
      study,
      trial: trial.id,
      parent: parent.id,
      specialist: trial.specialist,
      hypothesis: trial.hypothesis,
      notes: trial.notes,
      objective,
      parentScore: parent.score,
      score: trial.score,
      delta: trial.score - parent.score,
      improvement: gain,
      kept: trial.status === 'kept',
      diff: trial.diff,
      files,
      commit: trial.commit,
      parentCommit: parent.commit,
    };
  }
}
