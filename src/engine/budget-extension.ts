/**
 * Extending a spent trial budget from the command line (`autolab run --more N`). The
 * extension is recorded in the study's audit log (event `study.budget_extended`; older
 * versions stored it as `budget_extended`, read back under the new name), so every
 * process that opens the study (a resume, `status`, another host on a shared store)
 * sees the same budget: the task file's `budget.trials` plus every extension. Budgets do
 * not judge trials, so the task's judging hash is unchanged.
 */
import type { Store } from '../core/store.ts';
import type { BudgetSpec } from '../core/task.ts';

/** The audit-log event type of one extension; its data is `{ trials: N }`. */
export const BUDGET_EXTENDED_EVENT = 'study.budget_extended';

const PAGE = 5_000;

/** The study's trial budget: the task file's, the extensions, and the sum. */
export interface TrialBudget {
  /** `budget.trials` of the task file; undefined when it sets none. */
  file: number | undefined;
  /** Trials added by `run --more`, summed over the study's life. */
  extra: number;
  /** What the stop rule uses: file + extra (undefined when the task file sets no trial budget). */
  effective: number | undefined;
}

/**
 * The trials added to a study's budget by `run --more`, read from its audit log.
 *
 * @example await recordedBudgetExtension(store, study.id) // 10
 */
export async function recordedBudgetExtension(store: Store, studyId: number): Promise<number> {
  let extra = 0;
  let afterId = -1;
  for (;;) {
    const events = await store.listEvents(studyId, { afterId, limit: PAGE });
    for (const event of events) {
      if (event.type === BUDGET_EXTENDED_EVENT) extra += event.data.trials;
    }
    if (events.length < PAGE) return extra;
    afterId = events[events.length - 1]!.id;
  }
}

/** The trial budget from the task file's budget and the recorded extension. */
export function trialBudget(budget: BudgetSpec, extra: number): TrialBudget {
  return { file: budget.trials, extra, effective: budget.trials === undefined ? undefined : budget.trials + extra };
}

/**
 * Brings the study's trial budget up to date, once per process that drives it: records
 * `more` extra trials when given (`run --more N`), then sets `budget.trials` (the
 * in-memory task) to the task file's plus every recorded extension, so that the stop
 * rules, the progress display, the summary and `status` agree. A task file without
 * `budget.trials` has nothing to extend: nothing is recorded (`run --more N` then runs N
 * more trials in that invocation).
 *
 * @example const budget = await applyBudgetExtension(study.store, study.record.id, study.task.budget, options.more);
 */
export async function applyBudgetExtension(store: Store, studyId: number, budget: BudgetSpec, more?: number): Promise<TrialBudget> {
  if (more !== undefined && budget.trials !== undefined) await store.appendEvent(studyId, null, BUDGET_EXTENDED_EVENT, { trials: more });
  const result = trialBudget(budget, await recordedBudgetExtension(store, studyId));
  if (result.effective !== undefined) budget.trials = result.effective;
  return result;
}
