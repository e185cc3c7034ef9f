/**
 * A trial's feedback beyond the score (the task's `feedback:`), as `autolab show` prints
 * it: the `trial.feedback` audit event recorded after its run (the latest, should a trial
 * be measured again), read from the study's store.
 */
import { auditEventsOf } from '../core/audit-events.ts';
import type { Store } from '../core/store.ts';
import type { TrialFeedback } from '../core/trial-feedback.ts';

/** Events read per page. */
const PAGE = 5_000;

/**
 * The feedback recorded with trial `trialId`, or null when none was (the task declares no
 * `feedback:`, or the trial never ran).
 *
 * @example
 * const feedback = await trialFeedback(study.store, study.record.id, 12);
 * if (feedback) console.log(feedbackMarkdown(12, feedback));
 */
export async function trialFeedback(store: Pick<Store, 'listEvents'>, studyId: number, trialId: number): Promise<TrialFeedback | null> {
  let found: TrialFeedback | null = null;
  let afterId = 0;
  for (;;) {
    const events = await store.listEvents(studyId, { afterId, limit: PAGE });
    for (const event of auditEventsOf(events, 'trial.feedback')) if (event.trialId === trialId) found = event.data;
    if (events.length < PAGE) return found;
    afterId = events.at(-1)!.id;
  }
}
