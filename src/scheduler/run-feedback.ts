/**
 * The run feedback a specialist sees in its lineage (the task's `feedback:`): the
 * `trial.feedback` events of the audit log, read incrementally per study runtime, for the
 * incumbent, the viewer's own latest trials and the study's latest.
 */
import { auditEventsOf } from '../core/audit-events.ts';
import type { LineageFeedback } from '../core/lineage.ts';
import type { TrialFeedback } from '../core/trial-feedback.ts';
import type { TrialHistory } from '../core/trial-history.ts';
import type { StudyRuntime } from '../evaluator/study-runtime.ts';

/** How many trials' feedback a lineage shows at most. */
const SHOWN_TRIALS = 3;

interface FeedbackCursor {
  afterId: number;
  byTrial: Map<number, TrialFeedback>;
}

const cursors = new WeakMap<StudyRuntime, FeedbackCursor>();

/** Every trial's recorded feedback so far (the audit log read from where the last call stopped). */
export async function recordedFeedback(runtime: StudyRuntime): Promise<ReadonlyMap<number, TrialFeedback>> {
  const cursor = cursors.get(runtime) ?? { afterId: 0, byTrial: new Map<number, TrialFeedback>() };
  cursors.set(runtime, cursor);
  for (;;) {
    const events = await runtime.store.listEvents(runtime.studyId, { afterId: cursor.afterId, limit: 5_000 });
    if (events.length === 0) break;
    cursor.afterId = events.at(-1)!.id;
    for (const event of auditEventsOf(events, 'trial.feedback')) if (event.trialId !== null) cursor.byTrial.set(event.trialId, event.data);
    if (events.length < 5_000) break;
  }
  return cursor.byTrial;
}

/**
 * The lineage's `runFeedback`: the incumbent's, then `viewer`'s latest trial's, then the
 * study's latest trial's feedback (each once, at most 3). Undefined when the task
 * declares no feedback or in the control arm.
 *
 * @example
 * const runFeedback = await lineageRunFeedback(runtime, trials, incumbent.id, 'systems');
 */
export async function lineageRunFeedback(runtime: StudyRuntime, history: TrialHistory, incumbentId: number, viewer: string, controlArm: boolean): Promise<LineageFeedback['runFeedback']> {
  if (!runtime.task.feedback || controlArm) return undefined;
  const recorded = await recordedFeedback(runtime);
  const newestFirst = [...recorded.keys()].filter((id) => id <= history.lastId).sort((a, b) => b - a);
  let newest: number | undefined;
  let viewersNewest: number | undefined;
  for (const id of newestFirst) {
    const trial = await history.get(id);
    if (trial === null) continue;
    newest ??= id;
    if (trial.specialist === viewer) {
      viewersNewest = id;
      break;
    }
  }
  const wanted = [incumbentId, viewersNewest, newest];
  const ids = [...new Set(wanted.filter((id): id is number => id !== undefined && recorded.has(id)))].slice(0, SHOWN_TRIALS);
  return ids.map((trialId) => ({ trialId, feedback: recorded.get(trialId)! }));
}
