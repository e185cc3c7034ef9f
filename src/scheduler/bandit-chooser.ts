/**
 * A payoff-driven chooser: the next proposal goes to the specialist with the best AUC
 * payoff plus an exploration bonus (OpenTuner's AUC bandit; see `payoff.ts`).
 */
import type { Specialist } from '../core/specialist.ts';
import type { Objective } from '../core/task.ts';
import { isFinished, type TrialRecord } from '../core/trial.ts';
import { banditScore, DEFAULT_PAYOFF_WINDOW, payoffPerCost, weighCosts, type PayoffTable } from './payoff.ts';
import { PayoffAccumulator } from './payoff-accumulator.ts';
import type { ChooserRow, ChooserStart, SpecialistChooser } from './specialist-chooser.ts';

/**
 * The exploration constant C. OpenTuner uses 0.05 for runs of thousands of tests; a
 * study runs tens to hundreds of trials. Simulated over 100 trials (20 seeds), C = 0.1
 * gives a specialist that never improves about 6% of the trials beside one that keeps
 * 30% of its trials, and about 24% beside one that keeps 10% (with so few successes the
 * two are hard to tell apart); C = 0.25 gave 14% and 34%.
 */
export const DEFAULT_EXPLORATION = 0.1;

export interface BanditChooserOptions {
  objective: Objective;
  /** Results in the sliding window (default 50). */
  window?: number;
  /** The exploration constant C (default 0.1). */
  exploration?: number;
  /**
   * Weigh payoff per unit of cost (default true): a specialist's payoff is divided by its
   * trials' mean cost relative to the study's (`relativeCost`, payoff.ts), so one whose
   * trials cost 5× as much must keep 5× as often to be chosen as often. False: per trial.
   */
  costAware?: boolean;
}

/**
 * Gives the next proposal to the free specialist with the highest
 * `payoff / relativeCost + C * sqrt(2 * log2(total) / uses)`, where payoff and uses come
 * from the recorded trials in the window and `relativeCost` is its trials' mean cost over
 * the study's (a pure function of the study's history): expected gain per unit of cost,
 * not per trial. Specialists
 * without results come first, in declaration order. Proposals already handed out and
 * not yet recorded count as uses (so one untried specialist does not take every slot).
 * A specialist that had nothing to propose (or failed) is not asked again until another
 * trial is recorded: the study has not changed for it.
 *
 * @example
 * const chooser = new BanditChooser(specialists, { objective: task.objective });
 * await study.run({ specialists, chooser }); // study.run() uses this chooser by default
 */
export class BanditChooser implements SpecialistChooser {
  readonly name = 'bandit';
  /** The recorded trials' payoff table, kept up to date without holding their records. */
  private recorded: PayoffAccumulator;
  /** Bumped for every newly recorded trial. */
  private version = 0;
  private table: PayoffTable | null = null;
  private readonly chosenAt = new Map<string, number>();
  private readonly idleAt = new Map<string, number>();
  private readonly outstanding = new Map<string, number>();
  private readonly chosen = new Map<string, number>();
  private readonly window: number;
  private readonly exploration: number;

  constructor(
    private readonly all: readonly Specialist[],
    private readonly options: BanditChooserOptions,
  ) {
    this.window = options.window ?? DEFAULT_PAYOFF_WINDOW;
    this.exploration = options.exploration ?? DEFAULT_EXPLORATION;
    this.recorded = new PayoffAccumulator(this.window);
  }

  next(free: readonly Specialist[]): Specialist | null {
    const table = this.payoffs();
    const outstandingTotal = [...this.outstanding.values()].reduce((sum, n) => sum + n, 0);
    let best: { specialist: Specialist; score: number; order: number } | null = null;
    for (const specialist of free) {
      const name = specialist.spec.name;
      if (this.isBlocked(name)) continue;
      const row = table.rows.find((candidate) => candidate.specialist === name);
      const uses = (row?.uses ?? 0) + (this.outstanding.get(name) ?? 0);
      const payoff = row === undefined ? 0 : this.options.costAware === false ? row.payoff : payoffPerCost(row);
      const score = banditScore(payoff, uses, table.windowResults + outstandingTotal, this.exploration);
      const order = this.all.findIndex((candidate) => candidate.spec.name === name);
      if (best === null || score > best.score || (score === best.score && order < best.order)) best = { specialist, score, order };
    }
    if (best === null) return null;
    const name = best.specialist.spec.name;
    this.chosenAt.set(name, this.version);
    this.outstanding.set(name, (this.outstanding.get(name) ?? 0) + 1);
    this.chosen.set(name, (this.chosen.get(name) ?? 0) + 1);
    return best.specialist;
  }

  predictCost(trial: Pick<TrialRecord, 'id' | 'specialist'>, costMs: number): void {
    if (!(costMs > 0) || this.recorded.has(trial.id)) return;
    this.predicted.set(trial.id, { specialist: trial.specialist, ms: costMs });
    this.table = null;
  }

  record(trial: TrialRecord): void {
    this.predicted.delete(trial.id);
    if (trial.id === 0 || !isFinished(trial) || this.recorded.has(trial.id)) return;
    this.recorded.add(trial);
    this.version++;
    this.table = null;
    const pending = this.outstanding.get(trial.specialist) ?? 0;
    if (pending > 0) this.outstanding.set(trial.specialist, pending - 1);
  }

  /** The study's finished trials from its totals and results (`PayoffAccumulator.resume`), before any `record`. */
  async resume(start: ChooserStart): Promise<void> {
    this.recorded = await PayoffAccumulator.resume(this.window, start);
    this.version++;
    this.table = null;
  }

  markIdle(name: string, retryable = false): boolean {
    if (retryable) this.failures.set(name, (this.failures.get(name) ?? 0) + 1);
    if (!retryable || (this.failures.get(name) ?? 0) >= 3) this.idleAt.set(name, this.chosenAt.get(name) ?? this.version);
    const pending = this.outstanding.get(name) ?? 0;
    if (pending > 0) this.outstanding.set(name, pending - 1);
    return this.all.every((specialist) => this.isBlocked(specialist.spec.name));
  }

  markProductive(name: string): void {
    this.idleAt.delete(name);
    this.failures.delete(name);
  }

  /** Retryable empty sessions in a row, per specialist (three block it until the next recorded trial). */
  private readonly failures = new Map<string, number>();

  rows(): ChooserRow[] {
    const table = this.payoffs();
    return this.all.map((specialist) => {
      const row = table.rows.find((candidate) => candidate.specialist === specialist.spec.name);
      return { specialist: specialist.spec.name, payoff: row?.payoff ?? null, chosen: this.chosen.get(specialist.spec.name) ?? 0, ...(row !== undefined && { relativeCost: row.relativeCost }) };
    });
  }

  /** The payoff table of the trials recorded so far, costs weighed with the predicted costs of the trials in flight. */
  payoffs(): PayoffTable {
    if (this.table === null) {
      const table = this.recorded.table(this.options.objective);
      const inFlight = new Map<string, { ms: number; trials: number }>();
      for (const { specialist, ms } of this.predicted.values()) {
        const entry = inFlight.get(specialist) ?? { ms: 0, trials: 0 };
        inFlight.set(specialist, { ms: entry.ms + ms, trials: entry.trials + 1 });
      }
      if (inFlight.size > 0) weighCosts(table.rows, inFlight);
      this.table = table;
    }
    return this.table;
  }

  /** Trials started and not yet recorded, with their predicted cost (ms). */
  private readonly predicted = new Map<number, { specialist: string; ms: number }>();

  private isBlocked(name: string): boolean {
    return this.idleAt.get(name) === this.version;
  }
}
