import type { Executor } from '../core/executor.ts';
import type { Store } from '../core/store.ts';
import type { TrialOwner, TrialRecord } from '../core/trial.ts';
import type { Workspace } from '../workspace/workspace.ts';
import { scratchOwnerPid, type StudyPaths } from '../layout/autolab-layout.ts';
import { ownerAlive, pidAlive } from './owner.ts';
import { readdir } from 'node:fs/promises';

export interface RecoveryReport {
  /** Trials whose driver died mid-trial, now recorded as `interrupted`. */
  interrupted: number[];
  /** Leftover processes of dead drivers that were killed. */
  reapedProcesses: number;
}

/**
 * Cleans up after drivers that died (SIGKILL, power loss): every unfinished trial whose
 * owner is gone is recorded as `interrupted` (trials queued for remote workers, pending
 * with no owner, are left for them), that owner's leftover processes are killed,
 * and worktrees of no live trial are removed. Recorded trials are never touched.
 */
export async function recoverStudy(options: {
  store: Store;
  studyId: number;
  executor: Executor;
  workspace: Workspace;
  paths: StudyPaths;
  /** With a fidelity ladder: the owner that takes over trials a dead driver left mid-ladder (scheduler/ladder-steps.ts resumes them). */
  adoptClimbingFor?: TrialOwner;
}): Promise<RecoveryReport> {
  const { store, studyId } = options;
  const unfinished = await store.listTrials(studyId, { status: ['pending', 'running'] });
  const climbing = options.adoptClimbingFor ? await climbingTrials(store, studyId, unfinished) : new Set<number>();
  const interrupted: number[] = [];
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
    // The baseline is the reference of the whole study: left unfinished, it is measured
    // again by `ensureBaseline` instead of being recorded as interrupted for good.
    if (trial.id === 0 && trial.owner !== null) continue;
    // Mid-ladder: its lower levels are measured and stored; the next driver resumes its climb.
    if (climbing.has(trial.id) && options.adoptClimbingFor) {
      await store.updateTrial(studyId, trial.id, { status: 'pending', owner: options.adoptClimbingFor }, { type: 'trial.adopted', data: { from: trial.owner ? `${trial.owner.host}:${trial.owner.pid}` : null } }).catch(() => undefined);
      continue;
    }
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
      interrupted.push(trial.id);
    } catch {
      // Another process recovered it first: nothing to do.
    }
  }
  let reapedProcesses = 0;
  for (const token of deadTokens) reapedProcesses += await options.executor.reapOrphans(token);
  const keep = live.map((trial) => options.paths.worktreeName(trial.id));
  // Scratch worktrees of specialists in live processes are kept too.
  const prefix = options.paths.worktreePrefix;
  for (const name of await readdir(options.workspace.layout.worktreesDir).catch(() => [] as string[])) {
    const pid = scratchOwnerPid(name);
    if (name.startsWith(prefix) && pid !== null && pidAlive(pid)) keep.push(name);
  }
  await options.workspace.pruneWorktrees(keep, prefix).catch(() => undefined);
  return { interrupted, reapedProcesses };
}

/** Unfinished trials (not the baseline) with a scored fidelity level: measured part of the way up the ladder. */
async function climbingTrials(store: Store, studyId: number, unfinished: readonly TrialRecord[]): Promise<Set<number>> {
  const ids = unfinished.filter((trial) => trial.id !== 0).map((trial) => trial.id);
  if (ids.length === 0 || !store.listTrialLevels) return new Set();
  const records = await store.listTrialLevels(studyId, ids);
  return new Set(records.filter((record) => record.status === 'scored').map((record) => record.trialId));
}
