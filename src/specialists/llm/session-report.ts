/**
 * What one session of a specialist (one `propose` call) spent and how it ended, whether
 * it produced a proposal or not. The scheduler reads it right after `propose` settles
 * (calls on one specialist are never concurrent) to record the cost of sessions that
 * proposed nothing, count it against `budget.usd`, and report why a session ended.
 */
import type { AutolabWarning } from '../../core/errors.ts';
import type { TrialCost } from '../../core/trial.ts';

/**
 * `submitted`: a proposal was made. `no_proposal`: the session ended without one for a
 * reason that is not a failure (the step limit, nothing changed). `failed`: the
 * provider or the command failed (after retries) or a limit (tokens, wall time) cut it.
 */
export type SessionOutcome = 'submitted' | 'no_proposal' | 'failed';

export interface SessionReport {
  outcome: SessionOutcome;
  /** Why it ended, in words (`submitted`, `step limit of 30 reached without submit`, `429 rate limited after 6 retries`). */
  reason: string;
  /** Zero when nothing was spent (command specialists report tokens only when their CLI does not; always zero). */
  cost: TrialCost;
  /** Model calls (llm) or 1 (command). */
  steps: number;
  /** Tool calls the session made (llm). */
  toolCalls: number;
  /** Provider retries during the session (llm). */
  retries: number;
  /** Non-fatal problems for the user (an unknown price, a refused edit). */
  warnings: AutolabWarning[];
}

/**
 * Implemented by specialists whose sessions spend money or can end for a reason worth
 * recording. Returns the report of the last `propose` call once, then null.
 */
export interface ReportsSessions {
  takeSessionReport(): SessionReport | null;
}

export const ZERO_COST: TrialCost = { usd: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0 };
