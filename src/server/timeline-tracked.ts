/**
 * The timeline of a study whose snapshot is in memory, from a `TimelineTracker` fed by
 * the snapshot's trial changes: each trial's span parsed and placed once, then each
 * write moves only the trials it changed (timeline-tracker.ts). The JSON is cached per
 * revision.
 */
import { TimelineTracker } from '../views/timeline-tracker.ts';
import type { StudySnapshot } from '../views/study-snapshot.ts';
import type { StudyEntry } from './study-hub.ts';

const trackers = new WeakMap<StudySnapshot, Promise<TimelineTracker>>();

function trackerOf(snapshot: StudySnapshot): Promise<TimelineTracker> {
  let tracker = trackers.get(snapshot);
  if (!tracker) {
    tracker = snapshot.loadSlots().then(() => {
      const started = new TimelineTracker(snapshot.sorted(), snapshot.slots);
      snapshot.onTrialChange((_, next) => started.change(next, snapshot.slots));
      return started;
    });
    trackers.set(snapshot, tracker);
    tracker.catch(() => trackers.delete(snapshot));
  }
  return tracker;
}

/**
 * The timeline JSON of `entry` at its snapshot's revision (thinned past 6,000 bars).
 *
 * @example return jsonText(c, await trackedTimelineJson(await hub.study(name)));
 */
export async function trackedTimelineJson(entry: StudyEntry): Promise<string> {
  const tracker = await trackerOf(entry.snapshot);
  return entry.snapshot.cached('timeline.json', () => JSON.stringify({ ...tracker.timeline(Date.now()), revision: entry.snapshot.revision }));
}
