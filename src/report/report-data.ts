/**
 * What a study report shows, gathered once: the overview (the dashboard's own view
 * model), the lineage, the failures by cause (failure signature), the leaderboard, the incumbent's
 * configuration and change against the baseline, and the knob views (importance,
 * slices, parallel coordinates) with each trial's knob values, and in a multi-objective
 * study the front.
 */
import type { LineageData } from '../../web/plots/index.js';
import { improvement } from '../core/acceptance.ts';
import type { Store } from '../core/store.ts';
import type { StudyRecord } from '../core/study.ts';
import type { Objective, ParetoObjective, ParetoPreference } from '../core/task.ts';
import { paretoPageData, type ParetoPageData } from '../views/pareto-page-view.ts';
import type { TrialRecord } from '../core/trial.ts';
import { failuresByCause, type FailureCause } from '../views/failures-by-cause.ts';
import { incumbentConfiguration, type IncumbentConfiguration } from '../views/incumbent-config.ts';
import { buildKnobAnalysis, scoredObservations, type KnobAnalysis } from '../views/knob-analysis.ts';
import { knobImportance } from '../views/knob-importance.ts';
import { StudySnapshot } from '../views/study-snapshot.ts';
import { knobsOfTask } from '../views/study-knobs.ts';
import { TrialKnobValues, type FilesAtCommits, type TrialKnobs } from '../views/trial-knob-values.ts';
import { chainTo, lineageData } from '../views/lineage-view.ts';
import { buildOverview, type StudyOverview } from '../views/overview.ts';
import { fidelityFunnel, type FidelityFunnel, type FunnelLadder } from '../views/fidelity-funnel.ts';
import { costAccuracy, type CostAccuracyLevel } from '../views/cost-accuracy.ts';
import { summarizeTrial, type TrialSummary } from '../views/trial-summary.ts';

export interface ReportData {
  overview: StudyOverview;
  lineage: LineageData;
  /** Failed trials grouped by failure signature, most frequent first. */
  failures: FailureCause[];
  /** Kept trials, best first. */
  leaderboard: TrialSummary[];
  /** Every trial (newest first), capped at `tableLimit`. */
  trials: TrialSummary[];
  trialCount: number;
  /** The incumbent's change against the baseline (null when unavailable). */
  incumbentPatch: string | null;
  /** The knob views (null when the task declares no knobs). */
  knobs: KnobAnalysis | null;
  /** Every knob at the baseline and at the incumbent (null without knobs or incumbent). */
  configuration: IncumbentConfiguration | null;
  /** The knob columns of the tables, and each trial's values. */
  knobColumns: string[];
  knobValues: ReadonlyMap<number, TrialKnobs>;
  /** The front page's data in a multi-objective study (null with one objective). */
  front: ParetoPageData | null;
  /** The fidelity funnel of a study on a ladder (trials and run time per level), else null. */
  fidelity: FidelityFunnel | null;
  /** The cost model's predictions checked against the measured run times, per level (empty when none can be checked). */
  costs: CostAccuracyLevel[];
  generatedAt: string;
}

export interface ReportDataOptions {
  objective: Objective;
  /** A multi-objective study's objectives and preference: the report then shows the front. */
  objectives?: ParetoObjective[];
  preference?: ParetoPreference;
  /** The incumbent's diff against the baseline, when the workspace can compute it. */
  incumbentPatch?: (incumbent: TrialRecord) => Promise<string | null>;
  /** At most this many rows in the table of all trials (default 2000). */
  tableLimit?: number;
  /** Reads files at trials' commits (knob values of trials not made by a knobs specialist); else from notes only. */
  files?: FilesAtCommits;
  /** The task's fidelity ladder, when it has one (the report then shows its funnel). */
  fidelity?: FunnelLadder;
}

/** Reads the study from the store and gathers the report's data. */
export async function gatherReportData(store: Store, study: StudyRecord, options: ReportDataOptions): Promise<ReportData> {
  const snapshot = await StudySnapshot.load(store, study);
  const trials = snapshot.sorted();
  const byId = snapshot.trials;
  const overview = buildOverview({ study, objective: options.objective, trials, slots: snapshot.slots, revision: snapshot.revision, now: Date.now() });
  const summary = (trial: TrialRecord) => summarizeTrial(trial, byId, options.objective);

  const leaderboard = trials
    .filter((trial) => trial.status === 'kept' && trial.score !== null)
    .sort((a, b) => improvement(options.objective, b.score!, a.score!) || a.id - b.id)
    .slice(0, 10)
    .map(summary);
  const incumbentId = overview.incumbent?.id;
  const incumbent = incumbentId === undefined ? undefined : byId.get(incumbentId);
  const incumbentPatch = incumbent && incumbent.id !== 0 && options.incumbentPatch ? await options.incumbentPatch(incumbent).catch(() => null) : null;
  const limit = options.tableLimit ?? 2000;
  const knobs = knobsOfTask(study.taskJson);
  const knobValues = await new TrialKnobValues(knobs, options.files ?? null).read(trials);
  const chain = chainTo(incumbent ?? null, byId);
  return {
    overview,
    lineage: lineageData(trials, byId, options.objective.direction),
    failures: failuresByCause(trials),
    leaderboard,
    trials: trials.slice(-limit).reverse().map(summary),
    trialCount: trials.length,
    incumbentPatch,
    knobs: knobs.length === 0 ? null : buildKnobAnalysis({ objective: options.objective, knobs, trials, values: knobValues, importance: knobImportance(knobs, scoredObservations(trials, knobValues)) }),
    configuration: knobs.length === 0 ? null : incumbentConfiguration(knobs, chain, knobValues),
    knobColumns: knobs.map((knob) => knob.column),
    knobValues,
    front: options.objectives && options.objectives.length >= 2 ? paretoPageData({ objective: options.objective, objectives: options.objectives, ...(options.preference ? { preference: options.preference } : {}) }, trials) : null,
    fidelity: options.fidelity && store.listTrialLevels ? fidelityFunnel(options.fidelity, options.objective.direction, trials, await store.listTrialLevels(study.id)) : null,
    costs: costAccuracy(await store.listEvents(study.id), trials, options.fidelity && store.listTrialLevels ? await store.listTrialLevels(study.id) : null),
    generatedAt: new Date().toISOString(),
  };
}
