/**
 * The payoff table (`specialistPayoffs`, payoff.ts) kept up to date one finished trial
 * at a time, holding what the table reads and no trial record: per-specialist sums,
 * the kept trials' scores in finish order (the improvement credits), and the newest
 * `window` results in finish order (the AUC credit). A driver's bandit chooser so keeps
 * its memory flat however long the study runs.
 */
import { improvement } from '../core/acceptance.ts';
import type { TrialResult, TrialResultFilter, TrialSummary } from '../core/store.ts';
import type { Objective } from '../core/task.ts';
import type { FailureLabel, TrialRecord } from '../core/trial.ts';
import { DEFAULT_PAYOFF_WINDOW, weighCosts, type PayoffTable, type SpecialistPayoff } from './payoff.ts';

/** What the table keeps of a finished result (kept trials and the window). */
interface Result {
  id: number;
  specialist: string;
  finishedAt: string;
  kept: boolean;
  score: number | null;
}

interface Sums {
  firstId: number;
  trials: number;
  kept: number;
  failed: number;
  inFlight: number;
  costUsd: number;
  computeMs: number;
}

/** Labels that are not a specialist's result: the machine's fault, or a kill. */
const NOT_A_RESULT_LABELS: FailureLabel[] = ['infra_error', 'interrupted'];
const NOT_A_RESULT = new Set<string>(NOT_A_RESULT_LABELS);

/** What the accumulator of a study's finished trials is built from without their records (`PayoffAccumulator.resume`). */
export interface PayoffSource {
  /** The study's totals (`Store.summarizeTrials`). */
  summary: Pick<TrialSummary, 'lastId' | 'unfinishedIds' | 'specialists'>;
  /** Finished trials' results (`Store.listTrialResults`). */
  results(filter: TrialResultFilter): Promise<TrialResult[]>;
}

const finishOrder = (a: Result, b: Result) => a.finishedAt.localeCompare(b.finishedAt) || a.id - b.id;

/**
 * @example
 * const payoffs = new PayoffAccumulator(50);
 * for (const trial of finished) payoffs.add(trial); // each trial once (a second add is ignored)
 * payoffs.table(task.objective); // equals specialistPayoffs(finished, task.objective, 50)
 */
export class PayoffAccumulator {
  private readonly sums = new Map<string, Sums>();
  private readonly kept: Result[] = [];
  private readonly newest: Result[] = [];
  /** One bit per trial id added (ids are small, dense integers). */
  private seen = new Uint8Array(1024);
  private baselineScore: number | null = null;

  constructor(private readonly window = DEFAULT_PAYOFF_WINDOW) {}

  /**
   * The accumulator of every finished trial of a study other than the baseline (as
   * `add` of each would build it), from the store's totals by specialist, the kept
   * trials' results and the newest `window` results: no trial record read. Trials
   * unfinished then are not added (`add` them when they finish).
   *
   * @example
   * const payoffs = await PayoffAccumulator.resume(50, { summary: await store.summarizeTrials(studyId), results: (filter) => store.listTrialResults(studyId, filter) });
   */
  static async resume(window: number, source: PayoffSource): Promise<PayoffAccumulator> {
    const accumulator = new PayoffAccumulator(window);
    const [kept, newest] = await Promise.all([source.results({ status: ['kept'] }), source.results({ excludeLabels: NOT_A_RESULT_LABELS, newest: Math.max(1, window) })]);
    for (const totals of source.summary.specialists) {
      const { specialist, firstId, finished, machineFaults, kept: keptCount, failed, costUsd, totalMs } = totals;
      accumulator.sums.set(specialist, { firstId, trials: finished - machineFaults, kept: keptCount, failed, inFlight: 0, costUsd, computeMs: totalMs });
    }
    const result = (trial: TrialResult): Result => ({ id: trial.id, specialist: trial.specialist, finishedAt: trial.finishedAt, kept: trial.status === 'kept', score: trial.score });
    accumulator.kept.push(...kept.filter((trial) => trial.score !== null).map(result));
    accumulator.newest.push(...newest.map(result));
    const unfinished = new Set(source.summary.unfinishedIds);
    for (let id = 0; id <= (source.summary.lastId ?? -1); id++) if (!unfinished.has(id)) accumulator.mark(id);
    return accumulator;
  }

  /** Whether trial `id` was added. */
  has(id: number): boolean {
    return id >= 0 && id >> 3 < this.seen.length && (this.seen[id >> 3]! & (1 << (id & 7))) !== 0;
  }

  /** Adds one trial as `specialistPayoffs` counts it; a trial added before is ignored. */
  add(trial: TrialRecord): void {
    if (this.has(trial.id)) return;
    this.mark(trial.id);
    if (trial.id === 0) {
      this.baselineScore = trial.score;
      return;
    }
    const sums = this.sumsOf(trial);
    sums.costUsd += trial.cost?.usd ?? 0;
    if (trial.finishedAt === null || trial.status === 'pending' || trial.status === 'running') {
      sums.inFlight++;
      return;
    }
    const result: Result = { id: trial.id, specialist: trial.specialist, finishedAt: trial.finishedAt, kept: trial.status === 'kept', score: trial.score };
    if (result.kept && trial.score !== null) insertInOrder(this.kept, result);
    if (trial.label === null || !NOT_A_RESULT.has(trial.label)) {
      insertInOrder(this.newest, result);
      if (this.newest.length > Math.max(1, this.window)) this.newest.shift();
    }
    if (trial.label === 'infra_error') return;
    sums.trials++;
    sums.computeMs += trial.timings.totalMs ?? 0;
    if (trial.status === 'kept') sums.kept++;
    if (trial.status === 'failed') sums.failed++;
  }

  /** The table of every trial added (`specialistPayoffs` over them). */
  table(objective: Objective): PayoffTable {
    const rows = new Map<string, SpecialistPayoff>();
    for (const [specialist, sums] of [...this.sums.entries()].sort((a, b) => a[1].firstId - b[1].firstId)) {
      const { firstId: _firstId, ...counts } = sums;
      rows.set(specialist, { specialist, ...counts, improvement: 0, share: null, uses: 0, payoff: 0, meanCostMs: null, relativeCost: 1 });
    }
    let best = this.baselineScore;
    let totalImprovement = 0;
    for (const result of this.kept) {
      if (best !== null) {
        const gain = improvement(objective, result.score!, best);
        if (gain <= 0) continue;
        rows.get(result.specialist)!.improvement += gain;
        totalImprovement += gain;
      }
      best = result.score;
    }
    for (const row of rows.values()) row.share = totalImprovement > 0 ? row.improvement / totalImprovement : null;
    const credit = new Map<string, number>();
    for (const result of this.newest) {
      const row = rows.get(result.specialist)!;
      row.uses++;
      if (result.kept) credit.set(result.specialist, (credit.get(result.specialist) ?? 0) + row.uses);
    }
    for (const row of rows.values()) row.payoff = row.uses > 0 ? ((credit.get(row.specialist) ?? 0) * 2) / (row.uses * (row.uses + 1)) : 0;
    weighCosts([...rows.values()]);
    return { rows: [...rows.values()], windowResults: this.newest.length, window: this.window, totalImprovement };
  }

  private sumsOf(trial: TrialRecord): Sums {
    let sums = this.sums.get(trial.specialist);
    if (sums === undefined) this.sums.set(trial.specialist, (sums = { firstId: trial.id, trials: 0, kept: 0, failed: 0, inFlight: 0, costUsd: 0, computeMs: 0 }));
    sums.firstId = Math.min(sums.firstId, trial.id);
    return sums;
  }

  private mark(id: number): void {
    if (id < 0) return;
    if (id >> 3 >= this.seen.length) {
      const grown = new Uint8Array(Math.max(this.seen.length * 2, (id >> 3) + 1));
      grown.set(this.seen);
      this.seen = grown;
    }
    this.seen[id >> 3]! |= 1 << (id & 7);
  }
}

/** Inserts `result` into `list`, kept in finish order (at the end, in the usual case). */
function insertInOrder(list: Result[], result: Result): void {
  let at = list.length;
  while (at > 0 && finishOrder(list[at - 1]!, result) > 0) at--;
  list.splice(at, 0, result);
}
