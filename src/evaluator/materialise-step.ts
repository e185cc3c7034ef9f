/**
 * The materialise phase: a worktree at the parent's commit, the edit applied and
 * committed there, and the diff recomputed by git (never the proposer's).
 */
import { editNotStoredReason } from './edit-admission.ts';
import { lapTimer } from './engine-profile.ts';
import { enterPhase, withFacts, type TrialEvidence, type TrialJob } from './trial-evidence.ts';

/**
 * Finds the commit the trial builds on: its parent's (the baseline's own for trial 0).
 * A parent without a commit (it failed, or does not exist) is an `applyError`.
 */
export async function parentStep(job: TrialJob, evidence: TrialEvidence): Promise<TrialEvidence> {
  const { runtime, trial } = job;
  enterPhase(job, 'materialise');
  if (trial.id === 0) return { ...evidence, parentCommit: runtime.baselineCommit };
  const parentTrial = trial.parent === null ? null : await runtime.store.getTrial(runtime.studyId, trial.parent);
  if (parentTrial?.commit) return { ...evidence, parentCommit: parentTrial.commit };
  return withFacts(evidence, { applyError: `parent trial #${trial.parent} has no commit (it ${parentTrial ? `failed with ${parentTrial.label}` : 'does not exist'})` });
}

/** Makes the trial's worktree at its parent's commit, once that is known. */
export async function worktreeStep(job: TrialJob, evidence: TrialEvidence): Promise<TrialEvidence> {
  if (evidence.parentCommit === null) return evidence;
  const worktree = await job.runtime.workspace.createWorktree(job.runtime.paths.worktreeName(job.trial.id), evidence.parentCommit);
  return { ...evidence, worktree };
}

/**
 * Applies the trial's edit in its worktree and commits it: the trial's commit, tree,
 * diff and changed paths, or an `applyError`; an edit whose files or diff are over the
 * task's limits is `sizeExceeded` and leaves nothing in the private repo (nor did an
 * edit too large to store, see `admitEdit`). The baseline is its own commit, with an
 * empty diff.
 */
export async function materialiseStep(job: TrialJob, evidence: TrialEvidence): Promise<TrialEvidence> {
  const { runtime, trial } = job;
  if (evidence.worktree === null || evidence.parentCommit === null || evidence.facts.applyError !== undefined) return evidence;
  if (trial.id === 0) {
    const commit = runtime.baselineCommit;
    return { ...evidence, commit, tree: await runtime.workspace.treeOf(commit), diff: '' };
  }
  if (trial.edit === null) {
    const notStored = editNotStoredReason(trial.notes);
    return withFacts(evidence, notStored !== null ? { sizeExceeded: [`the edit was not stored or applied: ${notStored}`] } : { applyError: 'the proposal carries no edit' });
  }
  const { maxFileBytes, maxDiffBytes } = runtime.task.limits;
  // The profile's parts of this step (engine-profile.ts): `materialise.<step>`.
  const timer = lapTimer(trial.id);
  const lap = (step: string) => timer(`materialise.${step}`);
  const result = await runtime.workspace.materialise({ worktree: evidence.worktree, parentCommit: evidence.parentCommit, edit: trial.edit, trialId: trial.id, message: trial.hypothesis || `trial ${trial.id}`, limits: { maxFileBytes, maxDiffBytes }, lap });
  if ('error' in result) return withFacts(evidence, { applyError: result.error });
  if ('oversize' in result) return withFacts(evidence, { sizeExceeded: result.oversize });
  return { ...evidence, commit: result.commit, tree: result.tree, diff: result.diff, changed: result.changed };
}

