import type { BudgetSpec } from './task.ts';

/** What the stop rules look at; counts exclude the baseline. */
export interface StopState {
  /** Trials created in the whole study. */
  studyTrials: number;
  /** Trials created by this invocation. */
  sessionTrials: number;
  /** Finished trials since the last new incumbent (or since the baseline). */
  trialsSinceImprovement: number;
  /** Milliseconds driven in the whole study (earlier runs plus this one). */
  studyElapsedMs: number;
  /** Milliseconds since this invocation started. */
  sessionElapsedMs: number;
}

/** Limits given on the command line; they apply to this invocation. */
export interface SessionLimits {
  trials?: number;
  hours?: number;
  patience?: number;
}

const HOUR_MS = 3_600_000;

/**
 * The USD rule: once the specialists' recorded spend (trial costs plus sessions that
 * proposed nothing and proposals dropped) reaches `budget.usd`, no new proposals are
 * made; proposals already made still run.
 *
 * @example usdBudgetReason(5.02, { usd: 5 }) // 'budget of $5 spent ($5.02 on models)'
 */
export function usdBudgetReason(spentUsd: number, budget: BudgetSpec): string | null {
  if (budget.usd === undefined || spentUsd < budget.usd) return null;
  return `budget of $${budget.usd} spent ($${spentUsd.toFixed(2)} on models)`;
}

/**
 * Whether to stop creating trials, and why. Running trials always finish.
 *
 * @example shouldStop({ studyTrials: 40, ... }, { trials: 40 }, {}) // 'budget: 40 trials reached'
 */
export function shouldStop(state: StopState, budget: BudgetSpec, session: SessionLimits): string | null {
  if (session.trials !== undefined && state.sessionTrials >= session.trials) return `--trials ${session.trials} reached`;
  if (budget.trials !== undefined && state.studyTrials >= budget.trials) return `budget of ${budget.trials} trials reached`;
  if (session.hours !== undefined && state.sessionElapsedMs >= session.hours * HOUR_MS) return `--hours ${session.hours} reached`;
  if (budget.hours !== undefined && state.studyElapsedMs >= budget.hours * HOUR_MS) return `budget of ${budget.hours} hours reached`;
  const patience = session.patience ?? budget.patience;
  if (patience !== undefined && state.trialsSinceImprovement >= patience) {
    return `patience: ${patience} trials without a new incumbent`;
  }
  return null;
}
