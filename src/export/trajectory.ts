/**
 * The whole trajectory of a study as records, for audit: the study and its task, every
 * trial (proposal, edit, diff, commit, metrics, label and detail, timings, cost, repeats,
 * learning curve, log excerpt), then every event of the audit log (dropped proposals and
 * their costs included). Streamed: a study of any size is never held in memory twice.
 */
import { storedTypeOf } from '../core/audit-events.ts';
import type { Store, StudyEvent } from '../core/store.ts';
import type { StudyRecord } from '../core/study.ts';
import { trialToJson, type CurvePoint, type Edit, type RepeatRecord, type TrialJson, type TrialOwner } from '../core/trial.ts';

/** Bump when a record's shape changes incompatibly. */
export const TRAJECTORY_FORMAT = 'autolab.trajectory/1';

export type TrajectoryRecord =
  | { type: 'study'; format: typeof TRAJECTORY_FORMAT; name: string; createdAt: string; elapsedMs: number; baselineCommit: string | null; taskHash: string; task: unknown; exportedAt: string }
  | ({ type: 'trial' } & TrialJson & { tree: string | null; diff: string | null; edit: Edit | null; logExcerpt: string; owner: TrialOwner | null; repeats: RepeatRecord[]; curve: CurvePoint[] })
  /** `event` is the audit-log event's own type (`trial.started`, `proposal.dropped`, ...). */
  | { type: 'event'; id: number; trialId: number | null; at: string; event: string; data: StudyEvent['data'] };

const PAGE = 500;

/** The records of `study`, in order: the study, its trials by id, its events by id. */
export async function* trajectoryRecords(store: Store, study: StudyRecord): AsyncGenerator<TrajectoryRecord> {
  let task: unknown = null;
  try {
    task = JSON.parse(study.taskJson);
  } catch {
    task = study.taskJson;
  }
  yield { type: 'study', format: TRAJECTORY_FORMAT, name: study.name, createdAt: study.createdAt, elapsedMs: study.elapsedMs, baselineCommit: study.baselineCommit, taskHash: study.taskHash, task, exportedAt: new Date().toISOString() };
  for (let after = -1; ; ) {
    const trials = await store.listTrials(study.id, { afterId: after, limit: PAGE });
    for (const trial of trials) {
      yield { type: 'trial', ...trialToJson(trial), tree: trial.tree, diff: trial.diff, edit: trial.edit, logExcerpt: trial.logExcerpt, owner: trial.owner, repeats: trial.repeats ?? [], curve: trial.curve ?? [] };
    }
    if (trials.length < PAGE) break;
    after = trials[trials.length - 1]!.id;
  }
  for (let after = 0; ; ) {
    const events = await store.listEvents(study.id, { afterId: after, limit: PAGE * 4 });
    for (const event of events) yield { type: 'event', id: event.id, trialId: event.trialId, at: event.at, event: storedTypeOf(event), data: event.data };
    if (events.length < PAGE * 4) break;
    after = events[events.length - 1]!.id;
  }
}
