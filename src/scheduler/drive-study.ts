import { performance } from 'node:perf_hooks';
import { AutolabError, coerceError, type AutolabWarning } from '../core/errors.ts';
import { buildLineageFeedback } from '../core/lineage-feedback.ts';
import type { ProposalContext, SessionReport, Specialist, SpecialistWorkspace } from '../core/specialist.ts';
import { shouldStop, usdBudgetReason, type SessionLimits } from '../core/stop-rules.ts';
import type { Store } from '../core/store.ts';
import type { Proposal, TrialCost, TrialRecord } from '../core/trial.ts';
import { evaluateTrial, type EvaluatorContext } from '../evaluator/evaluate-trial.ts';
import { specialistWorkspace } from '../engine/specialist-workspace.ts';
import { seededRandom } from '../core/random.ts';
import { SlotPool } from './slot-pool.ts';
import { RoundRobinChooser, type SpecialistChooser } from './specialist-chooser.ts';

export interface DriveOptions extends SessionLimits {
  /** Aborted: stop creating trials, let running ones finish (first Ctrl-C). */
  stop: AbortSignal;
  /** Aborted: kill running trials; they are recorded as `interrupted` (second Ctrl-C). */
  kill: AbortSignal;
  /** Gives specialists only the incumbent's score (the control arm). */
  noLineage?: boolean;
  /** Proposals ready and waiting for a slot, at most (default: `parallel`). */
  maxWaiting?: number;
  /** Who proposes next (default: round robin). */
  chooser?: SpecialistChooser;
  /**
   * Trials run on `autolab worker`s (`autolab run --remote`): each trial is queued
   * (pending, no owner) for a worker to claim, and `awaitTrial` waits for its record;
   * `parallel` then bounds the trials in flight. This driver only proposes.
   */
  remote?: { awaitTrial(trial: TrialRecord, kill: AbortSignal): Promise<TrialRecord> };
}

export interface DriveSummary {
  stopReason: string;
  trialsRun: number;
  baseline: TrialRecord;
  incumbent: TrialRecord;
  elapsedMs: number;
}

interface WaitingProposal {
  proposal: Proposal;
  proposeMs: number;
}

/** After this many proposals in a row end in `infra_error` (each retried once), the study stops: the machine needs fixing. */
export const MACHINE_FAULTS_BEFORE_STOP = 5;

/**
 * The scheduler: specialists think while trials run. Proposals are made ahead (each
 * specialist one at a time, at most `maxWaiting` waiting) and every free slot takes the
 * oldest waiting proposal, until a stop rule fires. Running trials always finish (or are
 * killed on `kill`) before this resolves; proposals still waiting then are dropped
 * (recorded in the audit log, never run).
 */
export async function driveStudy(ctx: EvaluatorContext, specialists: Specialist[], options: DriveOptions): Promise<DriveSummary> {
  const { store, studyId, task } = ctx;
  const started = performance.now();
  const slots = new SlotPool(task.parallel, task.gpus);
  const chooser = options.chooser ?? new RoundRobinChooser(specialists);
  const maxWaiting = options.maxWaiting ?? task.parallel;
  const running = new Map<number, Promise<void>>();
  const proposing = new Set<string>();
  const waiting: WaitingProposal[] = [];
  const all = await store.listTrials(studyId);
  for (const trial of all) if (trial.finishedAt !== null) chooser.record(trial);
  const baseline = all.find((trial) => trial.id === 0)!;
  const priorElapsedMs = (await store.listStudies()).find((study) => study.id === studyId)?.elapsedMs ?? 0;
  const random = seededRandom(task.seed * 1_000_003 + all.length);
  const workspace = specialistWorkspace(ctx);
  const proposalAbort = new AbortController();
  let wake: () => void = () => undefined;
  const onStop = () => {
    proposalAbort.abort();
    wake();
  };
  options.stop.addEventListener('abort', onStop, { once: true });
  options.kill.addEventListener('abort', onStop, { once: true });

  let studyTrials = all.filter((trial) => trial.id !== 0).length;
  let sessionTrials = 0;
  let sinceImprovement = countSinceImprovement(all);
  let machineFaultsInARow = 0;
  let stopReason: string | null = null;
  let lastElapsedMark = performance.now();
  /** USD spent by specialists in the whole study (for budget.usd). */
  let spentUsd = await spentSoFar(store, studyId, all);

  /** Records what a session that made no proposal spent and why it ended; passes its warnings on. */
  const noteSession = async (name: string, report: SessionReport | null, proposed: boolean): Promise<void> => {
    if (!report) return;
    for (const warning of report.warnings) ctx.events.emit('warning', warning);
    if (proposed) return; // the cost travels with the proposal
    spentUsd += report.cost.usd;
    if (report.outcome !== 'submitted' && !proposalAbort.signal.aborted) {
      ctx.events.emit('warning', { code: 'specialist_no_proposal', message: `specialist '${name}' ended its session without a proposal: ${report.reason}` });
    }
    await store
      .appendEvent(studyId, null, 'proposal.none', { specialist: name, outcome: report.outcome, reason: report.reason, cost: report.cost, steps: report.steps, toolCalls: report.toolCalls, retries: report.retries })
      .catch(() => undefined);
  };

  const heartbeat = setInterval(() => {
    const now = performance.now();
    // Queued trials' heartbeats are their workers' leases: a driver must not renew them.
    if (!options.remote) void store.heartbeat(studyId, [...running.keys()]).catch(() => undefined);
    void store.addElapsed(studyId, Math.round(now - lastElapsedMark)).catch(() => undefined);
    lastElapsedMark = now;
  }, 2_000);
  heartbeat.unref();

  /** Trials this run may still create, counting proposals already made or in the making. */
  const room = (): number => {
    let left = Infinity;
    if (options.trials !== undefined) left = Math.min(left, options.trials - sessionTrials);
    if (task.budget.trials !== undefined) left = Math.min(left, task.budget.trials - studyTrials);
    return left - waiting.length - proposing.size;
  };

  const propose = async (specialist: Specialist): Promise<void> => {
    const name = specialist.spec.name;
    proposing.add(name);
    let report: SessionReport | null = null;
    try {
      // Let timers, I/O and signals run between proposals (a specialist may answer at once).
      await new Promise((resolve) => setImmediate(resolve));
      const context = await buildProposalContext(ctx, specialist, { workspace, random, signal: proposalAbort.signal, noLineage: options.noLineage ?? false });
      const t0 = performance.now();
      const proposal = await specialist.propose(context).catch(async (error: unknown) => {
        report = takeSessionReport(specialist);
        await noteSession(name, report, false);
        throw error;
      });
      const proposeMs = Math.round(performance.now() - t0);
      report = takeSessionReport(specialist);
      await noteSession(name, report, proposal !== null);
      spentUsd += proposal?.cost?.usd ?? 0;
      if (proposal === null) {
        // A model's session that ended empty may go differently next time; a search with nothing left will not.
        if (chooser.markIdle(name, report !== null)) stopReason ??= 'no specialist has anything more to propose';
      } else if (stopReason !== null) {
        await store.appendEvent(studyId, null, 'proposal.dropped', { specialist: name, hypothesis: proposal.hypothesis, cost: proposal.cost ?? null, reason: stopReason }).catch(() => undefined);
      } else {
        chooser.markProductive(name);
        waiting.push({ proposal: { ...proposal, specialist: proposal.specialist || name }, proposeMs });
      }
    } catch (error) {
      if (!proposalAbort.signal.aborted) {
        ctx.events.emit('warning', { code: 'specialist_failed', message: `specialist '${name}' failed to propose: ${coerceError(error).message}` });
      }
      if (chooser.markIdle(name, true)) stopReason ??= 'no specialist has anything more to propose';
    } finally {
      proposing.delete(name);
      wake();
    }
  };

  const startTrial = async (item: WaitingProposal): Promise<void> => {
    const slot = await slots.acquire();
    const { proposal } = item;
    /** A retry carries no cost (the proposal was paid for once) and says which trial it retries. */
    const create = async (retryOf: TrialRecord | null): Promise<TrialRecord> => {
      const created = await store.createTrial(studyId, {
        specialist: proposal.specialist,
        parent: proposal.parent,
        hypothesis: proposal.hypothesis,
        notes: retryOf ? `${proposal.notes ?? ''}\n[autolab: retry of trial #${retryOf.id}, which the machine failed]`.trim() : proposal.notes ?? '',
        expectedDelta: proposal.expectedDelta ?? null,
        seed: task.seed,
        edit: proposal.edit,
        cost: retryOf ? null : proposal.cost ?? null,
        owner: options.remote ? null : ctx.owner,
      });
      if (retryOf === null) created.timings = { proposeMs: item.proposeMs };
      ctx.events.emit('trial:created', { trial: created });
      return created;
    };
    const evaluate = (record: TrialRecord): Promise<TrialRecord> =>
      options.remote ? options.remote.awaitTrial(record, options.kill) : evaluateTrial({ ...ctx, slots }, record, { index: slot.index, gpu: slot.gpu }, options.kill);
    const trial = await create(null);
    let current = trial.id;
    // infra_error is the machine's fault (a failed node, a preempted job): the same proposal
    // runs once more, on a fresh trial in the same slot; it counts as a trial, never against
    // the specialist (no patience, no payoff: the chooser ignores infra_error).
    const retryOnce = async (finished: TrialRecord): Promise<TrialRecord> => {
      if (finished.label !== 'infra_error' || options.stop.aborted || options.kill.aborted) return finished;
      const retry = await create(finished);
      studyTrials++;
      sessionTrials++;
      running.delete(current);
      current = retry.id;
      running.set(current, work);
      await store.appendEvent(studyId, retry.id, 'trial.retry', { of: finished.id, reason: finished.labelDetail }).catch(() => undefined);
      return evaluate(retry);
    };
    const work: Promise<void> = evaluate(trial)
      .then(retryOnce)
      .then(
        (finished) => {
          chooser.record(finished);
          if (finished.label !== 'infra_error') {
            machineFaultsInARow = 0;
            sinceImprovement = finished.status === 'kept' ? 0 : sinceImprovement + 1;
            return;
          }
          machineFaultsInARow += 1;
          if (machineFaultsInARow >= MACHINE_FAULTS_BEFORE_STOP) {
            stopReason ??= `${machineFaultsInARow} proposals in a row failed with infra_error, the machine's fault, even when retried (the last: ${finished.labelDetail ?? 'no detail'}); fix the machine or the executor settings, then resume`;
          }
        },
        (error: unknown) => {
          ctx.events.emit('warning', { code: 'record_failed', message: `trial #${current} could not be recorded: ${coerceError(error).message}` });
        },
      )
      .finally(() => {
        slot.release();
        running.delete(current);
        wake();
      });
    running.set(trial.id, work);
  };

  try {
    for (;;) {
      if (options.stop.aborted || options.kill.aborted) stopReason ??= 'stopped by the user';
      stopReason ??= shouldStop(
        { studyTrials, sessionTrials, trialsSinceImprovement: sinceImprovement, studyElapsedMs: priorElapsedMs + (performance.now() - started), sessionElapsedMs: performance.now() - started },
        task.budget,
        options,
      );
      if (stopReason === null && specialists.length === 0) stopReason = 'the task file declares no specialists (add one under `specialists:`, or use `autolab submit`)';
      const usdStop = usdBudgetReason(spentUsd, task.budget);
      if (usdStop !== null && waiting.length === 0 && proposing.size === 0) stopReason ??= usdStop;
      if (stopReason !== null) break;

      while (running.size < task.parallel && waiting.length > 0) {
        const item = waiting.shift()!;
        studyTrials++;
        sessionTrials++;
        await startTrial(item);
      }
      while (running.size + waiting.length + proposing.size < task.parallel + maxWaiting && room() > 0 && usdBudgetReason(spentUsd, task.budget) === null) {
        const free = specialists.filter((specialist) => !proposing.has(specialist.spec.name));
        const next = chooser.next(free);
        if (!next) break;
        void propose(next);
      }
      if (running.size === 0 && waiting.length === 0 && proposing.size === 0) {
        if (room() <= 0) continue; // a trial limit is reached: the stop rule fires next round
        stopReason = 'no specialist could be given the next proposal';
        break;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (options.stop.aborted || options.kill.aborted) resolve();
      });
    }
    proposalAbort.abort();
    ctx.events.emit('stopping', { reason: stopReason, force: options.kill.aborted });
    for (const item of waiting.splice(0)) {
      await store.appendEvent(studyId, null, 'proposal.dropped', { specialist: item.proposal.specialist, hypothesis: item.proposal.hypothesis, cost: item.proposal.cost ?? null, reason: stopReason }).catch(() => undefined);
    }
    while (running.size > 0 || proposing.size > 0) {
      await Promise.race([...running.values(), new Promise<void>((resolve) => (wake = resolve))]);
    }
  } finally {
    clearInterval(heartbeat);
    options.stop.removeEventListener('abort', onStop);
    options.kill.removeEventListener('abort', onStop);
    await store.addElapsed(studyId, Math.round(performance.now() - lastElapsedMark)).catch(() => undefined);
  }
  const incumbent = (await store.getIncumbent(studyId)) ?? baseline;
  ctx.events.emit('study:stopped', { reason: stopReason });
  return { stopReason, trialsRun: sessionTrials, baseline, incumbent, elapsedMs: Math.round(performance.now() - started) };
}

/** What `buildProposalContext` needs beside the evaluator context. */
export interface ProposalContextOptions {
  /** Seeded per study; default a generator seeded from the task's seed. */
  random?: () => number;
  signal: AbortSignal;
  /** The control arm: the lineage shows only the incumbent's score. */
  noLineage?: boolean;
  /** Reuse one workspace across calls (default: a fresh `specialistWorkspace(ctx)`). */
  workspace?: SpecialistWorkspace;
}

/**
 * The context a specialist sees before it proposes, read fresh from the store: every
 * trial so far, the incumbent (or the baseline), the lineage as `specialist` sees it,
 * file reads at any trial's commit and scratch worktrees. The scheduler uses it for
 * every proposal; tests and tools use it to ask one specialist by hand.
 *
 * @example
 * const { context: evaluator } = await study.prepare(signal);
 * const proposal = await ablate.propose(await buildProposalContext(evaluator, ablate, { signal }));
 */
export async function buildProposalContext(ctx: EvaluatorContext, specialist: Specialist, options: ProposalContextOptions): Promise<ProposalContext> {
  const { store, studyId, task } = ctx;
  const trials = await store.listTrials(studyId);
  const baseline = trials.find((trial) => trial.id === 0);
  const incumbent = (await store.getIncumbent(studyId)) ?? baseline;
  if (!incumbent) throw new AutolabError('NotFound', `study '${ctx.studyName}' has no baseline yet`, { hint: 'measure it first (study.prepare)' });
  return {
    task,
    surface: task.surfaces[specialist.spec.surface]!,
    incumbent,
    trials,
    lineage: buildLineageFeedback(trials, { study: ctx.studyName, objective: task.objective, viewer: specialist.spec.name, controlArm: options.noLineage ?? false }),
    readFile: async (trialId, path) => {
      const trial = trials.find((candidate) => candidate.id === trialId) ?? (await store.getTrial(studyId, trialId));
      return trial?.commit ? ctx.workspace.readFileAt(trial.commit, path) : null;
    },
    workspace: options.workspace ?? specialistWorkspace(ctx),
    random: options.random ?? seededRandom(task.seed * 1_000_003 + trials.length),
    signal: options.signal,
  };
}

/** The report of a specialist's last session, for specialists that keep one (llm, command). */
function takeSessionReport(specialist: Specialist): SessionReport | null {
  return specialist.takeSessionReport?.() ?? null;
}

/** USD already spent in the study: every trial's cost plus sessions that proposed nothing and dropped proposals. */
async function spentSoFar(store: Store, studyId: number, trials: readonly TrialRecord[]): Promise<number> {
  let usd = trials.reduce((sum, trial) => sum + (trial.cost?.usd ?? 0), 0);
  for (const event of await store.listEvents(studyId)) {
    if (event.type !== 'proposal.none' && event.type !== 'proposal.dropped') continue;
    const cost = event.data.cost as { usd?: unknown } | null | undefined;
    if (typeof cost?.usd === 'number' && Number.isFinite(cost.usd)) usd += cost.usd;
  }
  return usd;
}

function countSinceImprovement(trials: readonly TrialRecord[]): number {
  let count = 0;
  const finished = trials.filter((trial) => trial.id !== 0 && trial.finishedAt !== null).sort((a, b) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? ''));
  for (const trial of finished) if (trial.label !== 'infra_error') count = trial.status === 'kept' ? 0 : count + 1;
  return count;
}
