/**
 * The trials table's rows and facets of a study whose snapshot is in memory, from a
 * `TrialRowsTracker` fed by the snapshot's trial changes (a write summarises only the
 * trials it changed). Each revision gets its own copy of the rows array (a pointer per
 * trial, no summary rebuilt), so the table's kept orders (trial-query-cache.ts) start
 * afresh with it.
 */
import { orderMetricNames } from '../../views/trial-columns.ts';
import { TrialRowsTracker } from '../../views/trial-rows-tracker.ts';
import type { StudySnapshot } from '../../views/study-snapshot.ts';
import type { TrialSummary } from '../../views/trial-summary.ts';
import type { StudyEntry } from '../study-hub.ts';

const trackers = new WeakMap<StudySnapshot, TrialRowsTracker>();

function trackerOf(entry: StudyEntry): TrialRowsTracker {
  const snapshot = entry.snapshot;
  let tracker = trackers.get(snapshot);
  if (!tracker) {
    const started = new TrialRowsTracker(entry.source.task.objective, snapshot.sorted(), snapshot.trials);
    snapshot.onTrialChange((previous, next) => started.change(previous, next, snapshot.trials));
    trackers.set(snapshot, started);
    tracker = started;
  }
  return tracker;
}

/**
 * Every trial's summary row in id order, at the snapshot's revision.
 *
 * @example const page = cache.page(trackedRows(entry), query, lookup);
 */
export function trackedRows(entry: StudyEntry): readonly TrialSummary[] {
  const tracker = trackerOf(entry);
  return entry.snapshot.cached('rows', () => tracker.rows().slice());
}

/** The table's facets: specialists (the task's and every trial's), failure labels, knob columns, metric names but the objective's. */
export function trackedFacets(entry: StudyEntry): { specialists: string[]; labels: string[]; knobs: string[]; metrics: string[] } {
  const tracker = trackerOf(entry);
  return entry.snapshot.cached('facets', () => {
    const { specialists, labels } = tracker.facets();
    const metric = entry.source.task.objective.metric;
    return {
      specialists: [...new Set([...entry.source.task.specialists, ...specialists])].sort(),
      labels,
      knobs: entry.analysis.knobs.map((knob) => knob.column),
      metrics: orderMetricNames(tracker.metricNames, metric).filter((name) => name !== metric),
    };
  });
}
