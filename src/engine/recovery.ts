import type { Executor } from '../core/executor.ts';
import type { Store } from '../core/store.ts';
import type { TrialOwner, TrialRecord } from '../core/trial.ts';
import { canAdopt } from '../evaluator/adopt-trial.ts';
import type { Workspace } from '../workspace/workspace.ts';
import { scratchOwnerPid, type StudyPaths } from '../layout/autolab-layout.ts';
import { ownerAlive, pidAlive } from './owner.ts';
import { readdir } from 'node:fs/promises';

export interface RecoveryReport {
  /** Trials whose driver died mid-trial, now recorded as `interrupted`. */
  interrupted: number[];
  /**
   * Trials whose driver died while the executor still holds their commands (Slurm jobs
   * queued, running or finished): left unfinished for this process to adopt
   * (`adoptTrial`), their jobs spared. The baseline among them is adopted by `ensureBaseline`.
   */
  adopt: TrialRecord[];
  /** Leftover processes of dead drivers that were killed. */
  reapedProcesses: number;
}

/**
 * Cleans up after drivers that died (SIGKILL, power loss, a login node's reboot). Every
 * unfinished trial whose owner is gone is either adopted, when the executor kept the
 * commands it started (a Slurm job, by its record beside the log: see
 * `Executor.adoptable`), or recorded `interrupted`. Trials queued for remote workers
 * (pending, no owner) are left for them. The dead owners' leftover processes and jobs are
 * killed, except the adopted ones; worktrees of no live or adopted trial are removed.
 * Adopted trials are claimed at once (owned by `owner`, `trial.adopted` in the audit log,
 * a fresh heartbeat), so no other process takes them for a dead driver's. With
 * `adopt: 'baseline'` (`autolab submit`, which evaluates one proposal) only the baseline
 * is adopted: other adoptable trials are left as they are, jobs and all, for the next
 * `autolab run`. Recorded trials are never touched.
 */
export async function recoverStudy(options: {
  store: Store;
  studyId: number;
  executor: Executor;
  workspace: Workspace;
  paths: StudyPaths;
  /** This process: the adopted trials' new owner. */
  owner: TrialOwner;
  /** Which adoptable trials this process takes over (default all). */
  adopt?: 'all' | 'baseline';
  /**
   * With a fidelity ladder: trials a dead driver left part of the way up the ladder are
   * taken over by `owner` (pending, `trial.adopted`) and resume their climb at the level
   * they had reached (scheduler/ladder-steps.ts); the executor's jobs are not adopted
   * (a ladder's level is measured again rather than adopted mid-level).
   */
  ladder?: boolean;
}): Promise<RecoveryReport> {
  const { store, studyId, executor } = options;
  const unfinished = await store.listTrials(studyId, { status: ['pending', 'running'] });
  const climbing = options.ladder ? await climbingTrials(store, studyId, unfinished) : new Set<number>();
  const interrupted: number[] = [];
  const adopt: TrialRecord[] = [];
  const spare = new Set<string>();
  const deadTokens = new Set<string>();
  const live: TrialRecord[] = [];
  for (const trial of unfinished) {
    // Queued for remote workers (pending, no owner): not a dead driver's; a worker claims it.
    if (trial.status === 'pending' && trial.owner === null) continue;
    if (ownerAlive(trial.owner, trial.heartbeatAt)) {
      live.push(trial);
      continue;
    }
    if (trial.owner) deadTokens.add(trial.owner.token);
    // Mid-ladder: its lower levels are measured and stored; this driver resumes its climb.
    if (climbing.has(trial.id)) {
      await resumeClimb(store, studyId, trial, options.owner);
      continue;
    }
    const kept = options.ladder ? [] : ((await executor.adoptable?.(options.paths.trial(trial.id))) ?? []);
    if (canAdopt(trial, kept)) {
      for (const log of kept) spare.add(log);
      if (trial.id !== 0 && options.adopt === 'baseline') {
        live.push(trial); // left for the next `autolab run`, worktree and jobs included
        continue;
      }
      adopt.push(await claim(store, studyId, trial, options.owner));
      continue;
    }
    // The baseline is the reference of the whole study: left unfinished, it is measured
    // again by `ensureBaseline` instead of being recorded as interrupted for good.
    if (trial.id === 0 && trial.owner !== null) continue;
    if (await recordInterrupted(store, studyId, trial)) interrupted.push(trial.id);
  }
  let reapedProcesses = 0;
  for (const token of deadTokens) reapedProcesses += await executor.reapOrphans(token, spare);
  await pruneWorktrees(options, [...live, ...adopt]);
  return { interrupted, adopt, reapedProcesses };
}

/** Makes this process the owner of an adopted trial (with a fresh heartbeat and `trial.adopted`). */
async function claim(store: Store, studyId: number, trial: TrialRecord, owner: TrialOwner): Promise<TrialRecord> {
  const from = trial.owner === null ? 'nobody' : `${trial.owner.host}:${trial.owner.pid}`;
  await store.updateTrial(studyId, trial.id, { owner }, { type: 'trial.adopted', data: { from } });
  await store.heartbeat(studyId, [trial.id]).catch(() => undefined);
  return { ...trial, owner };
}

/** Makes this process the owner of a trial a dead driver left mid-ladder, pending its next level. */
async function resumeClimb(store: Store, studyId: number, trial: TrialRecord, owner: TrialOwner): Promise<void> {
  const from = trial.owner === null ? 'nobody' : `${trial.owner.host}:${trial.owner.pid}`;
  await store.updateTrial(studyId, trial.id, { status: 'pending', owner }, { type: 'trial.adopted', data: { from } }).catch(() => undefined);
}

/** Records a dead driver's trial as `interrupted`; false when another process recovered it first. */
async function recordInterrupted(store: Store, studyId: number, trial: TrialRecord): Promise<boolean> {
  const who = trial.owner ? `${trial.owner.host}:${trial.owner.pid}` : 'unknown';
  try {
    await store.finishTrial(
      studyId,
      trial.id,
      {
        status: 'failed',
        label: 'interrupted',
        labelDetail: `the driver (${who}) stopped while the trial was ${trial.status}; recovered by a later run`,
        metrics: {},
        score: null,
        timings: trial.timings,
        logExcerpt: trial.logExcerpt,
      },
      () => false,
    );
    return true;
  } catch {
    return false; // another process recovered it first: nothing to do
  }
}

/** Removes the study's worktrees except those of `kept` trials (their repeats' too) and live specialists' scratch ones. */
async function pruneWorktrees(options: { workspace: Workspace; paths: StudyPaths }, kept: readonly TrialRecord[]): Promise<void> {
  const { workspace, paths } = options;
  const names = await readdir(workspace.layout.worktreesDir).catch(() => [] as string[]);
  const prefix = paths.worktreePrefix;
  const keep: string[] = [];
  for (const trial of kept) {
    const own = paths.worktreeName(trial.id);
    keep.push(own, ...names.filter((name) => name.startsWith(`${own}.r`)));
  }
  for (const name of names) {
    const pid = scratchOwnerPid(name);
    if (name.startsWith(prefix) && pid !== null && pidAlive(pid)) keep.push(name);
  }
  await workspace.pruneWorktrees(keep, prefix).catch(() => undefined);
}

/** Unfinished trials (not the baseline) with a scored fidelity level: measured part of the way up the ladder. */
async function climbingTrials(store: Store, studyId: number, unfinished: readonly TrialRecord[]): Promise<Set<number>> {
  const ids = unfinished.filter((trial) => trial.id !== 0).map((trial) => trial.id);
  if (ids.length === 0 || !store.listTrialLevels) return new Set();
  const records = await store.listTrialLevels(studyId, ids);
  return new Set(records.filter((record) => record.status === 'scored').map((record) => record.trialId));
}
