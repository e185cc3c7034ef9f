/**
 * The study overview kept current trial by trial: counts, sums, the score plot's marks,
 * the specialist totals, the incumbent and the failure causes are updated from each
 * changed trial (its record before and after), so a write costs work proportional to the
 * trials it changed, not to the study. `overview()` then gives what `buildOverview`
 * computes from every trial (without the timeline): only the score plot's thinning
 * passes over its marks (a few arithmetic steps per mark, no sort).
 * overview-tracker.test.ts checks it against the full computation on random studies.
 */
import type { StudyRecord } from '../core/study.ts';
import type { Objective } from '../core/task.ts';
import { failureOf } from '../core/trial-failure.ts';
import type { FailureLabel, TrialRecord } from '../core/trial.ts';
import type { ScorePlotData } from '../../web/plots/index.js';
import type { FailureCause } from './failures-by-cause.ts';
import { IdOrdered } from './id-ordered.ts';
import { chainTo } from './lineage-view.ts';
import { incumbentCard, outcomeBars, type StudyOverview } from './overview.ts';
import { downsampleScorePlot } from './score-plot-downsample.ts';
import { specialistTableOf, type SpecialistTotals } from './specialist-table.ts';
import { summarizeTrial } from './trial-summary.ts';

const RECENT = 10;
const CAUSES = 12;
const CAUSE_TRIALS = 20;

type Counts = StudyOverview['counts'];

interface Cause {
  ids: IdOrdered<[number]>;
  specialists: Map<string, number>;
}

export interface TrackedOverviewInput {
  study: StudyRecord;
  revision: number;
  /** Every trial of the study by id, as the tracker was last told of (the snapshot's map). */
  trials: ReadonlyMap<number, TrialRecord>;
}

export class OverviewTracker {
  private readonly counts: Counts = { total: 0, kept: 0, discarded: 0, failed: 0, running: 0, pending: 0 };
  private readonly labels = new Map<FailureLabel, { count: number; first: number }>();
  private costUsd = 0;
  private computeMs = 0;
  private maxId = 0;
  private readonly points = new IdOrdered<[number, number, 'kept' | 'discarded']>();
  private readonly failed = new IdOrdered<[number, string]>();
  private readonly running = new IdOrdered<[number]>();
  private readonly steps = new IdOrdered<[number, number]>();
  private readonly kept = new Set<number>();
  private incumbentId: number | null = null;
  private readonly totals = new Map<string, SpecialistTotals>();
  private readonly causes = new Map<string, Cause>();

  /**
   * Starts from `trials` (in id order is fastest); `change` then keeps it current.
   *
   * @example
   * const tracker = new OverviewTracker(objective, snapshot.sorted(), snapshot.trials);
   * snapshot.onTrialChange((previous, next) => tracker.change(previous, next, snapshot.trials));
   */
  constructor(
    private readonly objective: Objective,
    trials: Iterable<TrialRecord>,
    byId: ReadonlyMap<number, TrialRecord>,
  ) {
    for (const trial of trials) this.change(undefined, trial, byId);
  }

  /** Trial `next.id` changed from `previous` (undefined: a new trial) to `next`; `byId` already holds `next`. */
  change(previous: TrialRecord | undefined, next: TrialRecord, byId: ReadonlyMap<number, TrialRecord>): void {
    if (previous !== undefined) this.account(previous, -1);
    this.account(next, 1);
    this.maxId = Math.max(this.maxId, next.id);
    this.mark(next);
    this.trackIncumbent(previous, next, byId);
  }

  /** Adds (`sign` 1) or takes away (-1) a trial's counts, sums, label, specialist totals and cause. */
  private account(trial: TrialRecord, sign: 1 | -1): void {
    if (trial.id !== 0) {
      this.counts.total += sign;
      this.counts[trial.status] += sign;
      this.addTotals(trial, sign);
    }
    this.costUsd += sign * (trial.cost?.usd ?? 0);
    this.computeMs += sign * (trial.timings.totalMs ?? 0);
    if (trial.status === 'failed') this.addLabel(trial.label ?? 'crash', trial.id, sign);
    const failure = failureOf(trial);
    if (failure !== null) this.addCause(failure.signature, trial, sign);
  }

  private addTotals(trial: TrialRecord, sign: 1 | -1): void {
    const key = `${trial.specialist}\u0000${trial.status}`;
    const totals = this.totals.get(key) ?? { specialist: trial.specialist, status: trial.status, count: 0, costUsd: 0, computeMs: 0 };
    totals.count += sign;
    totals.costUsd += sign * (trial.cost?.usd ?? 0);
    totals.computeMs += sign * (trial.timings.totalMs ?? 0);
    if (totals.count === 0) this.totals.delete(key);
    else this.totals.set(key, totals);
  }

  private addLabel(label: FailureLabel, id: number, sign: 1 | -1): void {
    const entry = this.labels.get(label) ?? { count: 0, first: id };
    entry.count += sign;
    if (entry.count === 0) {
      this.labels.delete(label);
      return;
    }
    if (sign === 1) entry.first = Math.min(entry.first, id);
    this.labels.set(label, entry);
    // Its first failure went: found again among the failures (its mark is replaced after this).
    if (sign === -1 && entry.first === id) entry.first = this.firstFailure(label, id) ?? id;
  }

  /** The lowest id failed with `label` other than `id` (null when none). */
  private firstFailure(label: FailureLabel, id: number): number | null {
    for (let i = 0; i < this.failed.size; i++) {
      const [other, otherLabel] = this.failed.at(i);
      if (other !== id && otherLabel === label) return other;
    }
    return null;
  }

  private addCause(signature: string, trial: TrialRecord, sign: 1 | -1): void {
    let cause = this.causes.get(signature);
    if (!cause) {
      cause = { ids: new IdOrdered(), specialists: new Map() };
      this.causes.set(signature, cause);
    }
    const count = (cause.specialists.get(trial.specialist) ?? 0) + sign;
    if (count === 0) cause.specialists.delete(trial.specialist);
    else cause.specialists.set(trial.specialist, count);
    if (sign === 1) cause.ids.upsert([trial.id]);
    else cause.ids.remove(trial.id);
    if (cause.ids.size === 0) this.causes.delete(signature);
  }

  /** The trial's mark on the score plot: a point, a failure cross, a running tick; a step when kept. */
  private mark(trial: TrialRecord): void {
    const { id, status, score } = trial;
    this.points.remove(id);
    this.failed.remove(id);
    this.running.remove(id);
    this.steps.remove(id);
    if (status === 'failed') this.failed.upsert([id, trial.label ?? 'crash']);
    else if (status === 'kept' || status === 'discarded') {
      if (score !== null) this.points.upsert([id, score, status]);
      if (status === 'kept' && score !== null) this.steps.upsert([id, score]);
    } else this.running.upsert([id]);
  }

  /** The incumbent: the kept trial that finished last (`incumbentOf`), found again only when it changed. */
  private trackIncumbent(previous: TrialRecord | undefined, next: TrialRecord, byId: ReadonlyMap<number, TrialRecord>): void {
    if (next.status === 'kept') this.kept.add(next.id);
    else this.kept.delete(next.id);
    if (previous !== undefined && previous.id === this.incumbentId) {
      this.incumbentId = null;
      for (const id of [...this.kept].sort((a, b) => a - b)) this.consider(byId.get(id), byId);
    } else if (next.status === 'kept') this.consider(next, byId);
  }

  private consider(trial: TrialRecord | undefined, byId: ReadonlyMap<number, TrialRecord>): void {
    if (trial === undefined || trial.status !== 'kept') return;
    const best = this.incumbentId === null ? undefined : byId.get(this.incumbentId);
    if (best === undefined) {
      this.incumbentId = trial.id;
      return;
    }
    const a = trial.finishedAt ?? '';
    const b = best.finishedAt ?? '';
    if (a > b || (a === b && trial.id > best.id)) this.incumbentId = trial.id;
  }

  /**
   * The overview, as `buildOverview(…, { timeline: false })` gives it for the same trials.
   *
   * @example const json = JSON.stringify(tracker.overview({ study, revision, trials: snapshot.trials }));
   */
  overview(input: TrackedOverviewInput, options: { maxScorePoints?: number; maxScoreFailures?: number } = {}): StudyOverview {
    const { trials: byId, study } = input;
    const objective = this.objective;
    const incumbent = this.incumbentId === null ? null : (byId.get(this.incumbentId) ?? null);
    const chain = chainTo(incumbent, byId);
    const baselineScore = byId.get(0)?.score ?? null;
    const labelCounts = new Map([...this.labels].sort((a, b) => a[1].first - b[1].first).map(([label, entry]) => [label, entry.count] as const));
    const counts = { ...this.counts };
    const summary = (trial: TrialRecord) => summarizeTrial(trial, byId, objective);
    return {
      study: { id: study.id, name: study.name, createdAt: study.createdAt, elapsedMs: study.elapsedMs, objective },
      revision: input.revision,
      counts,
      baseline: { score: baselineScore },
      incumbent: incumbentCard(incumbent, baselineScore),
      costUsd: this.costUsd,
      computeMs: this.computeMs,
      scorePlot: this.scorePlot(baselineScore, options),
      timeline: null,
      outcomes: outcomeBars(counts, labelCounts),
      specialists: specialistTableOf([...this.totals.values()], chain, objective),
      chain: chain.map(summary),
      recent: this.recent(byId).map(summary),
      failures: this.failureCauses(byId),
    };
  }

  private scorePlot(baseline: number | null, options: { maxScorePoints?: number; maxScoreFailures?: number }): ScorePlotData {
    const data: ScorePlotData = {
      metric: this.objective.metric,
      direction: this.objective.direction,
      baseline,
      maxId: this.maxId,
      points: this.points.entries(),
      failed: this.failed.entries(),
      running: this.running.idList(),
      incumbent: this.steps.entries(),
    };
    return downsampleScorePlot(data, options.maxScorePoints, options.maxScoreFailures);
  }

  /** The newest trials, newest first. */
  private recent(byId: ReadonlyMap<number, TrialRecord>): TrialRecord[] {
    const recent: TrialRecord[] = [];
    if (byId.size === 0) return recent;
    for (let id = this.maxId; id >= 0 && recent.length < Math.min(RECENT, byId.size); id--) {
      const trial = byId.get(id);
      if (trial !== undefined) recent.push(trial);
    }
    return recent;
  }

  /** The 12 most frequent causes (`failuresByCause`'s order and fields), each with its last 20 trials. */
  private failureCauses(byId: ReadonlyMap<number, TrialRecord>): FailureCause[] {
    const ranked = [...this.causes].map(([signature, cause]) => ({ signature, cause, count: cause.ids.size, last: cause.ids.idAt(cause.ids.size - 1) }));
    ranked.sort((a, b) => b.count - a.count || b.last - a.last);
    return ranked.slice(0, CAUSES).flatMap(({ signature, cause, count, last }) => {
      const latest = byId.get(last);
      const failure = latest ? failureOf(latest) : null;
      if (!latest || !failure) return [];
      const ids = cause.ids;
      let label: FailureLabel = 'crash';
      for (let i = ids.size - 1; i >= 0; i--) {
        const other = byId.get(ids.idAt(i))?.label;
        if (other != null) {
          label = other;
          break;
        }
      }
      const trials: number[] = [];
      for (let i = Math.max(0, ids.size - CAUSE_TRIALS); i < ids.size; i++) trials.push(ids.idAt(i));
      return [{ signature, label, summary: failure.summary, frame: failure.frame, count, firstTrial: ids.idAt(0), lastTrial: last, trials, specialists: Object.fromEntries(cause.specialists) }];
    });
  }
}
