/**
 * The overview of a study whose snapshot is in memory, from an `OverviewTracker` fed by
 * the snapshot's trial changes: built over every trial once, then each write updates it
 * with the trials that write changed (overview-tracker.ts). The JSON is cached per
 * revision.
 */
import { OverviewTracker } from '../views/overview-tracker.ts';
import type { StudySnapshot } from '../views/study-snapshot.ts';
import type { StudyEntry } from './study-hub.ts';

const trackers = new WeakMap<StudySnapshot, OverviewTracker>();

function trackerOf(entry: StudyEntry): OverviewTracker {
  const snapshot = entry.snapshot;
  let tracker = trackers.get(snapshot);
  if (!tracker) {
    const started = new OverviewTracker(entry.source.task.objective, snapshot.sorted(), snapshot.trials);
    snapshot.onTrialChange((previous, next) => started.change(previous, next, snapshot.trials));
    trackers.set(snapshot, started);
    tracker = started;
  }
  return tracker;
}

/**
 * The overview JSON of `entry` at its snapshot's revision.
 *
 * @example return jsonText(c, trackedOverviewJson(await hub.study(name)));
 */
export function trackedOverviewJson(entry: StudyEntry): string {
  const tracker = trackerOf(entry);
  return entry.snapshot.cached('overview.json', () => JSON.stringify(tracker.overview({ study: entry.snapshot.study, revision: entry.snapshot.revision, trials: entry.snapshot.trials })));
}
