import { performance } from 'node:perf_hooks';
import { coerceError } from '../core/errors.ts';
import { buildLineageFeedback } from '../core/lineage-feedback.ts';
import type { Specialist } from '../core/specialist.ts';
import { shouldStop, type SessionLimits } from '../core/stop-rules.ts';
import type { Proposal, TrialRecord } from '../core/trial.ts';
import { evaluateTrial, type EvaluatorContext } from '../evaluator/evaluate-trial.ts';
import { SlotPool } from './slot-pool.ts';
import { seededRandom } from './random.ts';
import { SpecialistRotation } from './specialist-rotation.ts';

export interface DriveOptions extends SessionLimits {
  /** Aborted: stop creating trials, let running ones finish (first Ctrl-C). */
  stop: AbortSignal;
  /** Aborted: kill running trials; they are recorded as `interrupted` (second Ctrl-C). */
  kill: AbortSignal;
  /** Gives specialists only the incumbent's score (the control arm). */
  noLineage?: boolean;
}

export interface DriveSummary {
  stopReason: string;
  trialsRun: number;
  baseline: TrialRecord;
  incumbent: TrialRecord;
  elapsedMs: number;
}

/**
 * The scheduler: keeps every slot busy with trials from the specialists, in rotation,
 * each proposing on top of the incumbent, until a stop rule fires. Running trials always
 * finish (or are killed on `kill`) before this resolves.
 */
export async function driveStudy(ctx: EvaluatorContext, specialists: Specialist[], options: DriveOptions): Promise<DriveSummary> {
  const { store, studyId, task } = ctx;
  const started = performance.now();
  const slots = new SlotPool(task.parallel, task.gpus);
  const rotation = new SpecialistRotation(specialists);
  const running = new Map<number, Promise<void>>();
  const all = await store.listTrials(studyId);
  const baseline = all.find((trial) => trial.id === 0)!;
  const studyRecord = (await store.listStudies()).find((study) => study.id === studyId);
  const priorElapsedMs = studyRecord?.elapsedMs ?? 0;
  const random = seededRandom(task.seed * 1_000_003 + all.length);

  let studyTrials = all.filter((trial) => trial.id !== 0).length;
  let sessionTrials = 0;
  let sinceImprovement = countSinceImprovement(all);
  let stopReason: string | null = null;
  let lastElapsedMark = performance.now();

  const heartbeat = setInterval(() => {
    const now = performance.now();
    const ids = [...running.keys()];
    void store.heartbeat(studyId, ids).catch(() => undefined);
    void store.addElapsed(studyId, Math.round(now - lastElapsedMark)).catch(() => undefined);
    lastElapsedMark = now;
  }, 2_000);
  heartbeat.unref();

  const stopped = abortPromise(options.stop);
  const onFinished = (trial: TrialRecord): void => {
    if (trial.status === 'kept') sinceImprovement = 0;
    else sinceImprovement++;
  };

  try {
    for (;;) {
      if (options.stop.aborted || options.kill.aborted) stopReason ??= 'stopped by the user';
      stopReason ??= shouldStop(
        { studyTrials, sessionTrials, trialsSinceImprovement: sinceImprovement, studyElapsedMs: priorElapsedMs + (performance.now() - started), sessionElapsedMs: performance.now() - started },
        task.budget,
        options,
      );
      if (stopReason !== null) break;
      if (rotation.size === 0) {
        stopReason = 'the task file declares no specialists (add one under `specialists:`, or use `autolab submit`)';
        break;
      }
      if (running.size >= task.parallel) {
        await Promise.race([...running.values(), stopped]);
        continue;
      }
      const slot = await slots.acquire();
      let proposal: Proposal | null = null;
      let specialist: Specialist | null = null;
      let proposeMs = 0;
      try {
        specialist = rotation.next()!;
        const trials = await store.listTrials(studyId);
        const incumbent = (await store.getIncumbent(studyId)) ?? baseline;
        const surface = task.surfaces[specialist.spec.surface]!;
        const t0 = performance.now();
        proposal = await specialist.propose({
          task,
          surface,
          incumbent,
          trials,
          lineage: buildLineageFeedback(trials, { study: ctx.studyName, objective: task.objective, viewer: specialist.spec.name, controlArm: options.noLineage ?? false }),
          readFile: async (trialId, path) => {
            const trial = trials.find((candidate) => candidate.id === trialId) ?? (await store.getTrial(studyId, trialId));
            return trial?.commit ? ctx.workspace.readFileAt(trial.commit, path) : null;
          },
          random,
          signal: options.stop,
        });
        proposeMs = Math.round(performance.now() - t0);
      } catch (error) {
        ctx.events.emit('warning', { code: 'specialist_failed', message: `specialist '${specialist?.spec.name}' failed to propose: ${coerceError(error).message}` });
        proposal = null;
      }
      if (proposal === null) {
        slot.release();
        if (specialist && rotation.markIdle(specialist.spec.name)) {
          stopReason = 'no specialist has anything more to propose';
          break;
        }
        continue;
      }
      rotation.markProductive(proposal.specialist);
      const trial = await store.createTrial(studyId, {
        specialist: proposal.specialist,
        parent: proposal.parent,
        hypothesis: proposal.hypothesis,
        notes: proposal.notes ?? '',
        expectedDelta: proposal.expectedDelta ?? null,
        seed: task.seed,
        edit: proposal.edit,
        cost: proposal.cost ?? null,
        owner: ctx.owner,
      });
      trial.timings = { proposeMs };
      studyTrials++;
      sessionTrials++;
      ctx.events.emit('trial:created', { trial });
      const work = evaluateTrial(ctx, trial, { index: slot.index, gpu: slot.gpu }, options.kill)
        .then(onFinished, (error: unknown) => {
          ctx.events.emit('warning', { code: 'record_failed', message: `trial #${trial.id} could not be recorded: ${coerceError(error).message}` });
        })
        .finally(() => {
          slot.release();
          running.delete(trial.id);
        });
      running.set(trial.id, work);
    }
    ctx.events.emit('stopping', { reason: stopReason ?? 'stopped', force: options.kill.aborted });
    await Promise.all(running.values());
  } finally {
    clearInterval(heartbeat);
    await store.addElapsed(studyId, Math.round(performance.now() - lastElapsedMark)).catch(() => undefined);
  }
  const incumbent = (await store.getIncumbent(studyId)) ?? baseline;
  ctx.events.emit('study:stopped', { reason: stopReason ?? 'stopped' });
  return { stopReason: stopReason ?? 'stopped', trialsRun: sessionTrials, baseline, incumbent, elapsedMs: Math.round(performance.now() - started) };
}

function countSinceImprovement(trials: readonly TrialRecord[]): number {
  let count = 0;
  const finished = trials.filter((trial) => trial.id !== 0 && trial.finishedAt !== null).sort((a, b) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? ''));
  for (const trial of finished) count = trial.status === 'kept' ? 0 : count + 1;
  return count;
}

function abortPromise(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
