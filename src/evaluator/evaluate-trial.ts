import { mkdir } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { judgeCandidate } from '../core/acceptance.ts';
import type { TypedEmitter, StudyEventMap } from '../core/events.ts';
import type { Executor } from '../core/executor.ts';
import { classifyOutcome, type TrialFacts } from '../core/outcome.ts';
import type { Store, TrialOutcome } from '../core/store.ts';
import type { TaskSpec } from '../core/task.ts';
import type { TrialOwner, TrialPhase, TrialRecord, TrialTimings } from '../core/trial.ts';
import type { SlotPool } from '../scheduler/slot-pool.ts';
import type { Workspace } from '../workspace/workspace.ts';
import { checkLegality } from './legality.ts';
import { measureRepeats, computeSaved } from './measure-repeats.ts';
import { lastLines, phaseFacts, runPhase } from './phase-runner.ts';
import { aggregateMetrics, noiseOf, samplesOf, toRepeatRecords } from './repeats.ts';
import type { RepeatResult } from './run-repeat.ts';
import type { StudyPaths } from '../layout/autolab-layout.ts';

/** What evaluating a trial needs; one per driver process. */
export interface EvaluatorContext {
  task: TaskSpec;
  store: Store;
  studyId: number;
  studyName: string;
  workspace: Workspace;
  executor: Executor;
  owner: TrialOwner;
  paths: StudyPaths;
  events: TypedEmitter<StudyEventMap>;
  /** The baseline's commit in the private repo. */
  baselineCommit: string;
  /** The baseline's evaluator checkout, where setup and score run. */
  evaluatorDir: string;
  /** The driver's slots: repeats take free ones to run in parallel (optional). */
  slots?: SlotPool;
}

export interface SlotInfo {
  index: number;
  gpu: string | null;
}

/** Edit radius of a trial's specialist: its surface's globs, or null (any unprotected path). */
function surfaceOf(task: TaskSpec, specialistName: string): { name: string | null; paths: string[] | null } {
  const spec = task.specialists.find((specialist) => specialist.name === specialistName);
  const surface = spec ? task.surfaces[spec.surface] : undefined;
  if (!surface) return { name: null, paths: null };
  return { name: surface.name, paths: surface.paths };
}

/**
 * Takes one pending trial through the lifecycle (materialise, legality, preflight, run,
 * score, gates, accept, record) and returns the recorded trial. Every outcome, however the
 * trial fails, is decided by `classifyOutcome` and recorded by `store.finishTrial`.
 * Never throws for anything a trial does; throws only when the store itself fails.
 */
export async function evaluateTrial(ctx: EvaluatorContext, trial: TrialRecord, slot: SlotInfo, signal: AbortSignal): Promise<TrialRecord> {
  const started = performance.now();
  const timings: TrialTimings = { ...trial.timings };
  const trialFacts: TrialFacts = {};
  let commit: string | null = trial.commit;
  let tree: string | null = trial.tree;
  let diff: string | null = trial.diff;
  let logExcerpt = '';
  /** The facts of the first failing repeat, if one failed. */
  let runFacts: TrialFacts | null = null;
  let repeatResults: RepeatResult[] = [];
  let failedRepeat: RepeatResult | null = null;
  const worktreeName = ctx.paths.worktreeName(trial.id);
  const isBaseline = trial.id === 0;

  const phase = async (name: TrialPhase): Promise<void> => {
    ctx.events.emit('trial:phase', { trialId: trial.id, phase: name });
  };
  const timed = async <T>(key: keyof TrialTimings, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      timings[key] = Math.round(performance.now() - t0);
    }
  };

  await ctx.store.updateTrial(ctx.studyId, trial.id, { status: 'running', startedAt: new Date().toISOString(), owner: ctx.owner }, { type: 'trial.started', data: { slot: slot.index, gpu: slot.gpu } });
  await mkdir(ctx.paths.trial(trial.id), { recursive: true });

  let worktree: string | null = null;
  try {
    // materialise
    await phase('materialise');
    const parentTrial = trial.parent === null ? null : await ctx.store.getTrial(ctx.studyId, trial.parent);
    const parentCommit = isBaseline ? ctx.baselineCommit : parentTrial?.commit ?? null;
    await timed('materialiseMs', async () => {
      if (!isBaseline && parentCommit === null) {
        trialFacts.applyError = `parent trial #${trial.parent} has no commit (it ${parentTrial ? `failed with ${parentTrial.label}` : 'does not exist'})`;
        return;
      }
      worktree = await ctx.workspace.createWorktree(worktreeName, parentCommit!);
      if (isBaseline) {
        commit = ctx.baselineCommit;
        tree = await ctx.workspace.treeOf(commit);
        diff = '';
        return;
      }
      if (trial.edit === null) {
        trialFacts.applyError = 'the proposal carries no edit';
        return;
      }
      const result = await ctx.workspace.materialise({ worktree, parentCommit: parentCommit!, edit: trial.edit, trialId: trial.id, message: trial.hypothesis || `trial ${trial.id}` });
      if ('error' in result) {
        trialFacts.applyError = result.error;
        return;
      }
      commit = result.commit;
      tree = result.tree;
      diff = result.diff;
      // legality, no compute spent
      await phase('legality');
      await timed('legalityMs', async () => {
        const surface = surfaceOf(ctx.task, trial.specialist);
        const verdict = checkLegality({
          changed: result.changed,
          diffBytes: Buffer.byteLength(result.diff),
          surfacePaths: surface.paths,
          surfaceName: surface.name,
          protectedPaths: ctx.task.protected,
          limits: ctx.task.limits,
        });
        const escapes = await ctx.workspace.symlinkEscapes(worktree!, result.changed);
        trialFacts.illegal = [...verdict.illegal, ...escapes];
        trialFacts.sizeExceeded = verdict.sizeExceeded;
        if (trialFacts.illegal.length === 0 && verdict.sizeExceeded.length === 0) {
          const duplicateOf = await findDuplicate(ctx, trial.id, result.tree);
          if (duplicateOf !== null) trialFacts.duplicateOf = duplicateOf;
        }
        if (trialFacts.illegal.length === 0 && verdict.sizeExceeded.length === 0 && trialFacts.duplicateOf === undefined && ctx.task.legality) {
          const check = await runPhase(ctx, 'legality', ctx.task.legality, { trialId: trial.id, seed: trial.seed, cwd: worktree!, logFile: ctx.paths.log(trial.id, 'legality') }, slot, signal);
          if (check.aborted) trialFacts.interrupted = 'stopped during the legality check';
          else if (check.exitCode !== 0) trialFacts.illegal.push(`the task's legality command rejected the edit: ${lastLines(check.outputTail, 10)}`);
        }
      });
    });
    await ctx.store.updateTrial(ctx.studyId, trial.id, { commit, tree, diff, timings }, { type: 'trial.materialised', data: { commit } });

    const blocked = () =>
      trialFacts.applyError !== undefined ||
      (trialFacts.illegal?.length ?? 0) > 0 ||
      (trialFacts.sizeExceeded?.length ?? 0) > 0 ||
      trialFacts.duplicateOf !== undefined ||
      trialFacts.interrupted !== undefined;

    if (!blocked() && ctx.task.preflight && worktree) {
      await phase('preflight');
      const result = await timed('preflightMs', () => runPhase(ctx, 'preflight', ctx.task.preflight!, { trialId: trial.id, seed: trial.seed, cwd: worktree!, logFile: ctx.paths.log(trial.id, 'preflight') }, slot, signal));
      trialFacts.preflight = phaseFacts(result);
      if (result.exitCode !== 0) logExcerpt = lastLines(result.outputTail, 30);
    }
    const preflightOk = !trialFacts.preflight || (trialFacts.preflight.exitCode === 0 && !trialFacts.preflight.timedOut && !trialFacts.preflight.aborted);

    if (!blocked() && preflightOk && worktree) {
      await phase('run');
      const measured = await measureRepeats(ctx, { ...trial, commit }, worktree, slot, signal);
      runFacts = measured.failure;
      failedRepeat = measured.failedRepeat;
      repeatResults = measured.repeats;
      timings.runMs = measured.runMs;
      timings.scoreMs = measured.scoreMs;
      logExcerpt = measured.logExcerpt;
      if (measured.failure === null) trialFacts.run = { exitCode: 0, signal: null, timedOut: false, aborted: false, spawnError: null, oomSuspected: false, tail: '' };
    }
    if (signal.aborted && trialFacts.interrupted === undefined && !trialFacts.run && runFacts === null && !blocked()) {
      trialFacts.interrupted = 'stopped before the run';
    }
  } catch (error) {
    trialFacts.infraError = error instanceof Error ? error.message : String(error);
  } finally {
    if (worktree !== null) await ctx.workspace.removeWorktree(worktreeName).catch(() => undefined);
  }

  await phase('gates');
  const objective = ctx.task.objective;
  let classified;
  if (runFacts !== null) {
    classified = classifyOutcome({ ...runFacts, ...(trialFacts.interrupted ? { interrupted: trialFacts.interrupted } : {}), ...(trialFacts.infraError ? { infraError: trialFacts.infraError } : {}) }, objective, []);
    if (classified.kind === 'failed' && failedRepeat && repeatResults.length > 1) {
      classified.detail = `repeat ${failedRepeat.repeat} (seed ${failedRepeat.seed})${failedRepeat.verification ? ', a verification repeat' : ''}: ${classified.detail}`;
    }
  } else if (trialFacts.run && repeatResults.length > 0) {
    const metrics = aggregateMetrics(repeatResults, objective.metric);
    classified = classifyOutcome({ ...trialFacts, score: trialFacts.run, metrics }, objective, ctx.task.gates);
  } else {
    classified = classifyOutcome(trialFacts, objective, ctx.task.gates);
  }
  await phase('record');
  timings.totalMs = Math.round(performance.now() - started);
  const repeats = toRepeatRecords(repeatResults);
  const curve = repeatResults.flatMap((repeat) => repeat.curve);
  if (classified.kind === 'failed' && classified.label === 'pruned') {
    const saved = await computeSaved(ctx, repeatResults);
    if (saved !== null) classified.metrics = { ...classified.metrics, pruned_saved_seconds: saved };
  }
  const outcome: TrialOutcome =
    classified.kind === 'scored'
      ? { status: 'scored', label: null, labelDetail: null, metrics: classified.metrics, score: classified.score, timings, logExcerpt, commit, tree, diff, repeats, curve }
      : { status: 'failed', label: classified.label, labelDetail: classified.detail, metrics: classified.metrics, score: null, timings, logExcerpt, commit, tree, diff, repeats, curve };
  const baseline = isBaseline ? null : await ctx.store.getTrial(ctx.studyId, 0);
  const noise = noiseOf(baseline, objective.metric);
  const recorded = await ctx.store.finishTrial(ctx.studyId, trial.id, outcome, (_candidate, incumbent) =>
    judgeCandidate(ctx.task.acceptance, objective, samplesOf({ repeats, score: outcome.score }, objective.metric), incumbent ? samplesOf(incumbent, objective.metric) : null, noise),
  );
  ctx.events.emit('trial:finished', { trial: recorded, incumbentChanged: recorded.status === 'kept' });
  return recorded;
}


/** An earlier trial with the same tree that counts (not interrupted, not a machine fault). */
async function findDuplicate(ctx: EvaluatorContext, trialId: number, tree: string): Promise<number | null> {
  const trials = await ctx.store.listTrials(ctx.studyId);
  for (const other of trials) {
    if (other.id === trialId || other.tree !== tree) continue;
    if (other.label === 'interrupted' || other.label === 'infra_error' || other.label === 'apply_failed') continue;
    return other.id;
  }
  return null;
}
