import type { Specialist } from '../core/specialist.ts';
import type { TrialResult, TrialResultFilter, TrialSummary } from '../core/store.ts';
import type { TrialRecord } from '../core/trial.ts';

/** What a chooser reads of a study when a driver starts on it, without its trials' records. */
export interface ChooserStart {
  /** The study's counts and sums (`Store.summarizeTrials`). */
  summary: TrialSummary;
  /** Its finished trials' results, by query (`Store.listTrialResults`). */
  results(filter: TrialResultFilter): Promise<TrialResult[]>;
}

/** One row of the chooser's view, shown by `autolab status`. */
export interface ChooserRow {
  specialist: string;
  /** The chooser's current estimate of the specialist's payoff (strategy-specific). */
  payoff: number | null;
  /** How many times the specialist was given the next proposal. */
  chosen: number;
  /** Its trials' mean cost relative to the study's (a cost-aware chooser divides the payoff by it). */
  relativeCost?: number;
}

/**
 * Decides which specialist proposes next. The scheduler calls `next` with the
 * specialists that are free (not already proposing), and `record` with every finished
 * trial of the study (its own and those of other processes).
 */
export interface SpecialistChooser {
  readonly name: string;
  next(free: readonly Specialist[]): Specialist | null;
  record(trial: TrialRecord): void;
  /**
   * Optional: takes in the study's finished trials at once, from its totals and results
   * (`ChooserStart`), as `record` of each would, before any `record`. A chooser without
   * it is given every finished trial's record, a page at a time.
   */
  resume?(start: ChooserStart): Promise<void>;
  /**
   * Marks a specialist that had nothing to propose (or failed); returns true when every
   * specialist is idle. `retryable`: the session failed or ended empty for a reason that
   * may not hold next time (a model's session, a provider error): it may be asked again
   * at once, up to three times in a row; otherwise it waits for the next recorded trial.
   */
  markIdle(name: string, retryable?: boolean): boolean;
  markProductive(name: string): void;
  rows(): ChooserRow[];
  /**
   * A trial about to start and its cost predicted before it runs (src/core/proposal-cost.ts;
   * ms, its expected run time over the levels it is expected to reach); counted until the
   * trial is recorded with its measured cost. Optional: a chooser that ignores cost omits it.
   */
  predictCost?(trial: Pick<TrialRecord, 'id' | 'specialist'>, costMs: number): void;
}

/**
 * Round robin over the free specialists. A specialist that had nothing to propose is not
 * asked again until another trial is recorded (the study has not changed for it; asking
 * at once would spin), unless its session may go differently next time (`retryable`).
 * Every specialist idle three times in a row means stop.
 */
export class RoundRobinChooser implements SpecialistChooser {
  readonly name = 'round-robin';
  private cursor = 0;
  private readonly idle = new Map<string, number>();
  private readonly chosen = new Map<string, number>();
  /** Bumped for every recorded trial. */
  private version = 0;
  private readonly askedAt = new Map<string, number>();
  private readonly idleAt = new Map<string, number>();

  constructor(private readonly all: readonly Specialist[]) {}

  next(free: readonly Specialist[]): Specialist | null {
    if (free.length === 0) return null;
    const names = new Set(free.map((specialist) => specialist.spec.name));
    for (let step = 0; step < this.all.length; step++) {
      const candidate = this.all[(this.cursor + step) % this.all.length]!;
      if (!names.has(candidate.spec.name) || this.idleAt.get(candidate.spec.name) === this.version) continue;
      this.cursor = (this.cursor + step + 1) % this.all.length;
      this.chosen.set(candidate.spec.name, (this.chosen.get(candidate.spec.name) ?? 0) + 1);
      this.askedAt.set(candidate.spec.name, this.version);
      return candidate;
    }
    return null;
  }

  record(trial: TrialRecord): void {
    if (trial.finishedAt !== null) this.version++;
  }

  /** Round robin reads nothing of the past. */
  async resume(): Promise<void> {}

  markIdle(name: string, retryable = false): boolean {
    if (!retryable) this.idleAt.set(name, this.askedAt.get(name) ?? this.version);
    this.idle.set(name, (this.idle.get(name) ?? 0) + 1);
    return this.all.every((specialist) => (this.idle.get(specialist.spec.name) ?? 0) >= 3);
  }

  markProductive(name: string): void {
    this.idle.set(name, 0);
    this.idleAt.delete(name);
  }

  rows(): ChooserRow[] {
    return this.all.map((specialist) => ({ specialist: specialist.spec.name, payoff: null, chosen: this.chosen.get(specialist.spec.name) ?? 0 }));
  }
}
