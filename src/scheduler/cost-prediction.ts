/**
 * Before a trial starts: its predicted run time at each fidelity level, from its parent's
 * measured run times, its diff and the study's past trials (src/core/proposal-cost.ts,
 * src/core/level-cost.ts), recorded as `trial.cost_predicted`. `autolab show` prints it
 * beside what the levels then took (predicted vs measured).
 */
import type { AuditEventMap } from '../core/audit-events.ts';
import type { TrialLevelRecord } from '../core/fidelity.ts';
import { levelCosts, predictLevelCosts, type LevelCost } from '../core/level-cost.ts';
import { CHANGE_SIZE_FEATURE, costFactor, costFeatures, fitProposalCost, type CostObservation } from '../core/proposal-cost.ts';
import type { TaskSpec } from '../core/task.ts';
import type { Edit, TrialRecord } from '../core/trial.ts';
import type { StudyRuntime } from '../evaluator/study-runtime.ts';

/** The one level of a study without a ladder. */
export const RUN_LEVEL = 'run';

/** Run times by level (index), ms: a ladder's level records, else the trial's run. */
type RunTimes = (id: number) => Array<number | null>;

/**
 * The cost prediction of `trial` (not yet started), from the study as it is now.
 *
 * @example
 * const predicted = predictTrialCost(task, trials, records, trial, proposal.edit, proposal.cost?.usd ?? null);
 * predicted.levels.map((level) => level.expectedRunMs) // [1200, 3900, 12500]
 */
export function predictTrialCost(task: Pick<TaskSpec, 'fidelity'>, trials: readonly TrialRecord[], records: readonly TrialLevelRecord[], trial: Pick<TrialRecord, 'id' | 'parent'>, edit: Edit | null, usd: number | null): AuditEventMap['trial.cost_predicted'] {
  const runTimes = runTimesOf(task, trials, records);
  const model = fitProposalCost(observationsOf(trials, runTimes, trial.id));
  const { factor, terms } = costFactor(model, featuresOfEdit(edit));
  const costs: Array<Pick<LevelCost, 'level' | 'name' | 'expectedMs'>> = task.fidelity ? levelCosts(task.fidelity, records) : [{ level: 0, name: RUN_LEVEL, expectedMs: meanRunMs(trials) }];
  const parentMs = trial.parent === null ? [] : runTimes(trial.parent);
  return { levels: predictLevelCosts(costs, parentMs, factor), factor, terms: terms.slice(0, 8), fittedOn: model.observations, usd };
}

/**
 * Records the prediction for a trial about to start (`trial.cost_predicted`); never throws
 * (a prediction that cannot be made must not stop a trial).
 */
export async function announceTrialCost(runtime: Pick<StudyRuntime, 'store' | 'studyId' | 'task'>, trial: TrialRecord, edit: Edit | null, usd: number | null): Promise<number | null> {
  try {
    const { store, studyId } = runtime;
    const trials = await costHistory(runtime, trial.parent);
    const ids = trials.map((past) => past.id);
    const records = runtime.task.fidelity && store.listTrialLevels ? await store.listTrialLevels(studyId, ids) : [];
    const predicted = predictTrialCost(runtime.task, trials, records, trial, edit, usd);
    await store.appendEvent(studyId, trial.id, 'trial.cost_predicted', predicted);
    return expectedTrialCostMs(predicted.levels, records);
  } catch {
    // The prediction is advice: a store that cannot give it leaves the trial unpredicted.
    return null;
  }
}

/** How many of the newest trials the cost model learns from: a prediction costs the same in a study of any size. */
export const COST_HISTORY = 500;

/**
 * The trials a prediction reads: the newest `COST_HISTORY` (with their diffs), and, light
 * (run times only), their parents and the new trial's parent when older than those.
 */
async function costHistory(runtime: Pick<StudyRuntime, 'store' | 'studyId'>, parent: number | null): Promise<TrialRecord[]> {
  const recent = await runtime.store.listTrials(runtime.studyId, { descending: true, limit: COST_HISTORY });
  const have = new Set(recent.map((past) => past.id));
  const older = new Set<number>();
  for (const id of [parent, ...recent.map((past) => past.parent)]) if (id !== null && !have.has(id)) older.add(id);
  const parents = older.size === 0 ? [] : await runtime.store.listTrials(runtime.studyId, { ids: [...older], light: true });
  return [...recent.reverse(), ...parents];
}

/**
 * A trial's expected cost before it runs (ms): each level's predicted run time times the
 * share of the study's trials (the baseline aside) measured at the first level that reached
 * it (the first level: 1; none measured yet: the first level only). Null when no level
 * could be predicted.
 *
 * @example expectedTrialCostMs([{ level: 0, expectedRunMs: 100 }, { level: 1, expectedRunMs: 900 }], records) // 100 + 900 × (share that climbed)
 */
export function expectedTrialCostMs(levels: ReadonlyArray<{ level: number; expectedRunMs: number | null }>, records: readonly TrialLevelRecord[]): number | null {
  const reached = new Map<number, Set<number>>();
  for (const record of records) if (record.trialId !== 0) reached.set(record.level, (reached.get(record.level) ?? new Set()).add(record.trialId));
  const screened = reached.get(0)?.size ?? 0;
  let total = 0;
  let known = false;
  for (const level of levels) {
    if (level.expectedRunMs === null) continue;
    const share = level.level === 0 ? 1 : screened === 0 ? 0 : (reached.get(level.level)?.size ?? 0) / screened;
    total += level.expectedRunMs * share;
    known = true;
  }
  return known && total > 0 ? total : null;
}

/** What each past trial's change did to its cost: its run time over its parent's at the lowest level both ran. */
function observationsOf(trials: readonly TrialRecord[], runTimes: RunTimes, excluding: number): CostObservation[] {
  const observations: CostObservation[] = [];
  for (const trial of trials) {
    if (trial.id === excluding || trial.parent === null || trial.diff === null) continue;
    const own = runTimes(trial.id);
    const parent = runTimes(trial.parent);
    const level = own.findIndex((ms, index) => ms !== null && ms > 0 && (parent[index] ?? 0) > 0);
    if (level < 0) continue;
    observations.push({ logRatio: Math.log(own[level]! / parent[level]!), features: costFeatures(trial.diff) });
  }
  return observations;
}

function runTimesOf(task: Pick<TaskSpec, 'fidelity'>, trials: readonly TrialRecord[], records: readonly TrialLevelRecord[]): RunTimes {
  if (task.fidelity) {
    const byTrial = new Map<number, Array<number | null>>();
    for (const record of records) {
      if (record.runMs <= 0) continue;
      const row = byTrial.get(record.trialId) ?? task.fidelity.levels.map(() => null);
      row[record.level] = record.runMs;
      byTrial.set(record.trialId, row);
    }
    return (id) => byTrial.get(id) ?? [];
  }
  const byId = new Map(trials.map((trial) => [trial.id, trial.timings.runMs ?? null]));
  return (id) => [byId.get(id) ?? null];
}

function featuresOfEdit(edit: Edit | null): Record<string, number> {
  if (edit === null) return {};
  if (edit.kind === 'patch') return costFeatures(edit.patch);
  const lines = Object.values(edit.files).reduce((sum, text) => sum + (text === null ? 1 : text.split('\n').length), 0);
  return { [CHANGE_SIZE_FEATURE]: Math.log1p(lines) };
}

function meanRunMs(trials: readonly TrialRecord[]): number | null {
  const runs = trials.map((trial) => trial.timings.runMs ?? 0).filter((ms) => ms > 0);
  return runs.length === 0 ? null : runs.reduce((sum, ms) => sum + ms, 0) / runs.length;
}
