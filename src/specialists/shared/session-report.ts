/**
 * What one session of a specialist (one `propose` call) spent and how it ended, whether
 * it produced a proposal or not. The scheduler reads it right after `propose` settles
 * (calls on one specialist are never concurrent) to record the cost of sessions that
 * proposed nothing, count it against `budget.usd`, and report why a session ended.
 */
import type { SessionReport } from '../../core/specialist.ts';
import type { TrialCost } from '../../core/trial.ts';

export type { SessionOutcome, SessionReport } from '../../core/specialist.ts';

/**
 * Implemented by specialists whose sessions spend money or can end for a reason worth
 * recording. Returns the report of the last `propose` call once, then null.
 */
export interface ReportsSessions {
  takeSessionReport(): SessionReport | null;
}

export const ZERO_COST: TrialCost = { usd: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0 };

/** The report of the last `propose` call, handed out once: the state behind `takeSessionReport`. */
export class SessionReportSlot implements ReportsSessions {
  private report: SessionReport | null = null;

  put(report: SessionReport | null): void {
    this.report = report;
  }

  takeSessionReport(): SessionReport | null {
    const taken = this.report;
    this.report = null;
    return taken;
  }
}
