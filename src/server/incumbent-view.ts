/**
 * The incumbent against the baseline, for the dashboard: every knob's value at both (and
 * the chain step that set it), the chain, and the cumulative change (the git diff from
 * the baseline's commit to the incumbent's, else the stored diffs along the chain).
 */
import { diffStat, type IncumbentConfiguration } from '../views/incumbent-config.ts';
import { chainTo, incumbentOf } from '../views/lineage-view.ts';
import { summarizeTrial, type TrialSummary } from '../views/trial-summary.ts';
import type { StudyEntry } from './study-hub.ts';
import { diffTrials, type TrialDiff } from './trial-diff.ts';

export interface IncumbentView {
  incumbent: TrialSummary | null;
  baseline: TrialSummary | null;
  /** Null when the task declares no knobs or there is no incumbent. */
  configuration: IncumbentConfiguration | null;
  /** Baseline → incumbent. */
  chain: TrialSummary[];
  /** The cumulative change from the baseline to the incumbent (null when the incumbent is the baseline). */
  diff: TrialDiff | null;
  /** Lines added and removed per file, over the whole change. */
  files: Array<{ path: string; added: number; removed: number }>;
}

/** The incumbent's cumulative diff, per study entry: it depends on the incumbent only. */
const diffs = new WeakMap<StudyEntry, { id: number; diff: Promise<TrialDiff> }>();

/** @example const view = await incumbentView(await hub.study('golf')); view.configuration?.changed; // 3 */
export async function incumbentView(entry: StudyEntry): Promise<IncumbentView> {
  const { snapshot, source } = entry;
  const trials = snapshot.sorted();
  const incumbent = incumbentOf(trials);
  const baseline = snapshot.trials.get(0) ?? null;
  const objective = source.task.objective;
  const chain = chainTo(incumbent, snapshot.trials);
  const configuration = entry.analysis.knobs.length > 0 ? await entry.analysis.incumbentConfiguration() : null;
  let diff: TrialDiff | null = null;
  if (incumbent && baseline && incumbent.id !== baseline.id) {
    let cached = diffs.get(entry);
    if (cached?.id !== incumbent.id) {
      cached = { id: incumbent.id, diff: source.workspace().then((workspace) => diffTrials(baseline, incumbent, snapshot.trials, workspace, (ids) => snapshot.diffs(ids))) };
      diffs.set(entry, cached);
    }
    diff = await cached.diff;
  }
  const patch = diff === null ? '' : diff.source === 'git' ? diff.diff : diff.steps.map((step) => step.diff).join('\n');
  return {
    incumbent: incumbent ? summarizeTrial(incumbent, snapshot.trials, objective) : null,
    baseline: baseline ? summarizeTrial(baseline, snapshot.trials, objective) : null,
    configuration,
    chain: chain.map((trial) => summarizeTrial(trial, snapshot.trials, objective)),
    diff,
    files: mergeStats(diffStat(patch)),
  };
}

/** One entry per path (stored steps may touch a file several times). */
function mergeStats(stats: Array<{ path: string; added: number; removed: number }>): Array<{ path: string; added: number; removed: number }> {
  const byPath = new Map<string, { path: string; added: number; removed: number }>();
  for (const stat of stats) {
    const entry = byPath.get(stat.path) ?? { path: stat.path, added: 0, removed: 0 };
    entry.added += stat.added;
    entry.removed += stat.removed;
    byPath.set(stat.path, entry);
  }
  return [...byPath.values()];
}
