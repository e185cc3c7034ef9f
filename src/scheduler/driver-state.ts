/**
 * The driver's state, and every rule that changes it. The scheduler's steps
 * (`requestProposals`, `fillSlots`, `startTrial`, ...) never touch a counter themselves:
 * they call the transitions here, so what the driver knows (trials counted, patience,
 * machine faults, money spent, why it stops) is decided in one place.
 */
import { shouldStop, usdBudgetReason, type SessionLimits } from '../core/stop-rules.ts';
import type { TrialSummary } from '../core/store.ts';
import type { BudgetSpec } from '../core/task.ts';
import type { Proposal, TrialRecord } from '../core/trial.ts';

/** After this many proposals in a row end in `infra_error` (each retried once), the study stops: the machine needs fixing. */
export const MACHINE_FAULTS_BEFORE_STOP = 5;

/** The reason the driver gives when every specialist is idle. */
export const NOTHING_TO_PROPOSE = 'no specialist has anything more to propose';

/** A proposal made ahead, waiting for a free slot. */
export interface WaitingProposal {
  proposal: Proposal;
  proposeMs: number;
  /** The archived session that made it (linked to the trial it becomes). */
  sessionId?: string;
}

/** A trial this driver is evaluating (or waiting for, remotely); a retry takes over its entry. */
export interface RunningTrial {
  /** The trial in flight now (a retry's id once the machine failed the first). */
  trialId: number;
  /** Settles when the trial (and its retry) is recorded, or could not be. */
  done: Promise<void>;
  /** On a fidelity ladder: the level it is being measured at (absent: not known, e.g. a trial adopted from a dead driver). */
  level?: number;
}

/** A trial measured at a fidelity level whose promotion is not decided yet. */
export interface UndecidedTrial {
  trialId: number;
  level: number;
  /**
   * Trials that were being measured at the same level when this one was measured: a
   * promotion waits for their results (which may outrank it) before it is decided, so an
   * expensive climb is not started on the strength of a level that is about to grow.
   */
  awaiting?: number[];
}

/** A trial promoted up the fidelity ladder, waiting for a free slot to run at `level`. */
export interface WaitingPromotion {
  trialId: number;
  level: number;
  /**
   * `gain_per_cost`: the trial's expected gain per second of predicted climb cost when it
   * was promoted; waiting promotions that have one take free slots in its order.
   */
  gainPerSecond?: number | null;
}

export interface DriverState {
  /** Trials created in the whole study (baseline excluded). */
  studyTrials: number;
  /** Trials created by this driver. */
  sessionTrials: number;
  /** Finished trials since the last new incumbent (machine faults not counted). */
  sinceImprovement: number;
  /** Proposals in a row that the machine failed, even when retried. */
  machineFaultsInARow: number;
  /** USD spent by specialists in the whole study (for `budget.usd`). */
  spentUsd: number;
  /** Why the driver stops; the first reason set wins. */
  stopReason: string | null;
  waiting: WaitingProposal[];
  /** Names of the specialists proposing now. */
  proposing: Set<string>;
  running: Set<RunningTrial>;
  /** Promotions up the fidelity ladder waiting for a slot (they go before new proposals). */
  promotions: WaitingPromotion[];
  /**
   * Trials measured at a fidelity level that holds fewer than `min_rung` results: no
   * promotion decided yet, no slot held; decided when the level gets another result, or
   * when the driver stops.
   */
  undecided: UndecidedTrial[];
}

/** The state of a driver starting on a study with these trials and this spend so far. */
export function createDriverState(trials: readonly TrialRecord[], spentUsd: number): DriverState {
  // budget.trials counts every trial but the baseline and those the machine failed (their retry counts instead).
  const countedTrials = trials.filter((trial) => trial.id !== 0 && trial.label !== 'infra_error').length;
  return resumeDriverState({ countedTrials, sinceLastKept: countSinceImprovement(trials), spentUsd });
}

/**
 * The state of a driver starting on a study, from its counts (`Store.summarizeTrials`):
 * the trials `budget.trials` counts, those since the last kept one, the USD spent.
 *
 * @example
 * const state = resumeDriverState(await store.summarizeTrials(studyId));
 */
export function resumeDriverState(summary: Pick<TrialSummary, 'countedTrials' | 'sinceLastKept' | 'spentUsd'>): DriverState {
  return {
    studyTrials: summary.countedTrials,
    sessionTrials: 0,
    sinceImprovement: summary.sinceLastKept,
    machineFaultsInARow: 0,
    spentUsd: summary.spentUsd,
    stopReason: null,
    waiting: [],
    proposing: new Set(),
    running: new Set(),
    promotions: [],
    undecided: [],
  };
}

/** Finished trials since the last kept one, in finishing order (machine faults skipped). */
export function countSinceImprovement(trials: readonly TrialRecord[]): number {
  let count = 0;
  const finished = trials.filter((trial) => trial.id !== 0 && trial.finishedAt !== null).sort((a, b) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? ''));
  for (const trial of finished) if (trial.label !== 'infra_error') count = trial.status === 'kept' ? 0 : count + 1;
  return count;
}

/** Sets the stop reason unless one is set already (the first reason wins). */
export function stopWith(state: DriverState, reason: string | null): void {
  state.stopReason ??= reason;
}

/** What `nextStopReason` looks at besides the state. */
export interface StopContext {
  budget: BudgetSpec;
  limits: SessionLimits;
  /** The user asked to stop (first or second Ctrl-C). */
  stopped: boolean;
  specialists: number;
  studyElapsedMs: number;
  sessionElapsedMs: number;
}

/**
 * Why the driver should stop now, or null: a reason already set, the user, the stop
 * rules (trials, hours, patience), no specialists at all, or the USD budget spent once no
 * proposal is waiting or in the making. Pure.
 */
export function nextStopReason(state: DriverState, context: StopContext): string | null {
  if (state.stopReason !== null) return state.stopReason;
  if (context.stopped) return 'stopped by the user';
  const rule = shouldStop(
    { studyTrials: state.studyTrials, sessionTrials: state.sessionTrials, trialsSinceImprovement: state.sinceImprovement, studyElapsedMs: context.studyElapsedMs, sessionElapsedMs: context.sessionElapsedMs },
    context.budget,
    context.limits,
  );
  if (rule !== null) return rule;
  if (context.specialists === 0) return 'the task file declares no specialists (add one under `specialists:`, or use `autolab submit`)';
  const usd = usdBudgetReason(state.spentUsd, context.budget);
  if (usd !== null && state.waiting.length === 0 && state.proposing.size === 0) return usd;
  return null;
}

/** Trials this driver may still create, counting proposals already made or in the making. */
export function roomLeft(state: DriverState, budget: BudgetSpec, limits: SessionLimits): number {
  let left = Infinity;
  if (limits.trials !== undefined) left = Math.min(left, limits.trials - state.sessionTrials);
  if (budget.trials !== undefined) left = Math.min(left, budget.trials - state.studyTrials);
  return left - state.waiting.length - state.proposing.size;
}

/** Whether one more specialist may be asked for a proposal now. */
export function mayRequestProposal(state: DriverState, budget: BudgetSpec, limits: SessionLimits, capacity: { parallel: number; maxWaiting: number }): boolean {
  const inFlight = state.running.size + state.waiting.length + state.proposing.size;
  return inFlight < capacity.parallel + capacity.maxWaiting && roomLeft(state, budget, limits) > 0 && usdBudgetReason(state.spentUsd, budget) === null;
}

/** Nothing runs, waits (proposals, promotions) or is being proposed. */
export function isIdle(state: DriverState): boolean {
  return state.running.size === 0 && state.waiting.length === 0 && state.proposing.size === 0 && state.promotions.length === 0;
}

/**
 * The waiting promotion to start now, or null when none waits or no slot is free: the
 * highest expected gain per second of predicted cost first (rule `gain_per_cost`: a cheap
 * climb of a promising trial before a costly one of a doubtful trial), else the highest
 * level first (as ASHA does: the trials closest to the full level finish first), then the
 * oldest. A promotion is not a new trial: nothing is counted.
 */
export function takePromotion(state: DriverState, parallel: number): WaitingPromotion | null {
  if (state.running.size >= parallel || state.promotions.length === 0) return null;
  const priority = (promotion: WaitingPromotion) => promotion.gainPerSecond ?? -Infinity;
  let best = 0;
  state.promotions.forEach((promotion, index) => {
    const current = state.promotions[best]!;
    if (priority(promotion) > priority(current) || (priority(promotion) === priority(current) && promotion.level > current.level)) best = index;
  });
  return state.promotions.splice(best, 1)[0]!;
}

/**
 * Takes the undecided trials at `level` (every level when omitted) out of the state, to be
 * decided again; a trial still undecided afterwards is put back by the caller.
 */
export function takeUndecided(state: DriverState, level?: number): UndecidedTrial[] {
  const taken = state.undecided.filter((entry) => level === undefined || entry.level === level);
  state.undecided = state.undecided.filter((entry) => !taken.includes(entry));
  return taken;
}

/** The oldest waiting proposal, taken to start as a trial (counted now), or null when none waits or no slot is free. */
export function takeWaiting(state: DriverState, parallel: number): WaitingProposal | null {
  if (state.running.size >= parallel) return null;
  const item = state.waiting.shift();
  if (item === undefined) return null;
  countTrial(state);
  return item;
}

/** Counts one more trial of this driver (a started proposal, or a retry). */
export function countTrial(state: DriverState): void {
  state.studyTrials += 1;
  state.sessionTrials += 1;
}

/** Money a specialist spent (a session without a proposal, or a proposal's cost). */
export function addSpend(state: DriverState, usd: number): void {
  state.spentUsd += usd;
}

/**
 * Takes a finished trial (after its retry, if the machine failed it): patience counts it,
 * unless it is a machine fault; enough faults in a row stop the study.
 */
export function recordFinished(state: DriverState, finished: TrialRecord): void {
  if (finished.label !== 'infra_error') {
    state.machineFaultsInARow = 0;
    state.sinceImprovement = finished.status === 'kept' ? 0 : state.sinceImprovement + 1;
    return;
  }
  state.machineFaultsInARow += 1;
  if (state.machineFaultsInARow >= MACHINE_FAULTS_BEFORE_STOP) {
    stopWith(
      state,
      `${state.machineFaultsInARow} proposals in a row failed with infra_error, the machine's fault, even when retried (the last: ${finished.labelDetail ?? 'no detail'}); fix the machine or the executor settings, then resume`,
    );
  }
}
