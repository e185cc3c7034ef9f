/**
 * Everything the trial page shows about one trial: the record with its diff and log
 * excerpt, its place in the lineage (parent, children, chain), its slot, its events, its
 * log files and its learning curve.
 */
import type { LearningCurveData } from '../../web/plots/index.js';
import type { StudyEvent } from '../core/store.ts';
import { trialToJson, type CurvePoint, type Edit, type RepeatRecord, type TrialJson } from '../core/trial.ts';
import type { StudyEntry } from './study-hub.ts';
import type { TrialSlot } from '../views/study-snapshot.ts';
import { listTrialLogs, type TrialLogFile } from './trial-logs.ts';
import { ChildrenIndex } from '../views/children-index.ts';
import { chainTo, incumbentOf } from '../views/lineage-view.ts';
import { summarizeTrial, type TrialSummary } from '../views/trial-summary.ts';

export interface TrialDetail {
  trial: TrialJson & { diff: string | null; logExcerpt: string; tree: string | null; editKind: Edit['kind'] | null; repeats: RepeatRecord[] };
  summary: TrialSummary;
  deltaVsBaseline: number | null;
  parent: TrialSummary | null;
  children: TrialSummary[];
  isIncumbent: boolean;
  onChain: boolean;
  slot: TrialSlot | null;
  events: StudyEvent[];
  logs: TrialLogFile[];
  /** Present when the run reported intermediate metrics. */
  curve: LearningCurveData | null;
  objective: { metric: string; direction: string };
}

/** The trial page's data for trial `id` (null when the study has no such trial). */
export async function trialDetail(entry: StudyEntry, id: number): Promise<TrialDetail | null> {
  const { snapshot, source } = entry;
  if (!snapshot.trials.has(id)) return null;
  const trial = (await snapshot.full([id])).get(id) ?? snapshot.trials.get(id)!; // the light record lacks the diff, logs, curve
  const objective = source.task.objective;
  const trials = snapshot.sorted();
  const byId = snapshot.trials;
  const children = snapshot
    .cached('children-index', () => ChildrenIndex.of(trials))
    .childrenOf(id)
    .map((child) => byId.get(child)!);
  const chain = snapshot.cached('chain', () => new Set(chainTo(incumbentOf(trials), byId).map((t) => t.id)));
  const incumbent = snapshot.cached('incumbent', () => incumbentOf(trials)?.id ?? null);
  const baseline = byId.get(0)?.score ?? null;
  const parent = trial.parent === null ? undefined : byId.get(trial.parent);
  const events = await snapshot.events(trial.id);
  return {
    trial: {
      ...trialToJson(trial),
      diff: trial.diff,
      logExcerpt: trial.logExcerpt,
      tree: trial.tree,
      editKind: trial.edit?.kind ?? null,
      repeats: trial.repeats ?? [],
    },
    summary: summarizeTrial(trial, byId, objective),
    deltaVsBaseline: trial.score !== null && baseline !== null ? trial.score - baseline : null,
    parent: parent ? summarizeTrial(parent, byId, objective) : null,
    children: children.map((child) => summarizeTrial(child, byId, objective)),
    isIncumbent: incumbent === trial.id,
    onChain: chain.has(trial.id),
    slot: slotOf(events),
    events,
    logs: await listTrialLogs(source.paths, trial.id),
    curve: learningCurve(trial.curve ?? []),
    objective,
  };
}

/** Where the trial ran: its last `trial.started` event's slot and GPU, or null. */
function slotOf(events: readonly StudyEvent[]): TrialSlot | null {
  const started = events.findLast((event) => event.type === 'trial.started');
  return started?.type === 'trial.started' ? { slot: started.data.slot ?? null, gpu: started.data.gpu ?? null } : null;
}

/** One series per metric (and per repeat when there are several). */
export function learningCurve(points: readonly CurvePoint[]): LearningCurveData | null {
  if (points.length === 0) return null;
  const repeats = new Set(points.map((point) => point.repeat));
  const series = new Map<string, Array<[number, number]>>();
  for (const point of points) {
    const name = repeats.size > 1 ? `${point.name} (repeat ${point.repeat})` : point.name;
    const list = series.get(name) ?? [];
    list.push([point.step, point.value]);
    series.set(name, list);
  }
  return { series: [...series].map(([name, list]) => ({ name, points: list.sort((a, b) => a[0] - b[0]) })) };
}
