/**
 * The bandit between a warm start's proposers (the earlier shape's step, the trust region,
 * the warm-started population, the inner sampler): each proposal is credited to the
 * proposer that made it, and once measured it **paid** when it improved this study's best
 * (by more than a hair). Proposers are ranked for the next proposal by Thompson sampling
 * from Beta(1 + paid, 1 + unpaid) over each one's latest `window` measured proposals, so a
 * proposer that stops paying loses its share within a few of its proposals, and one that
 * starts paying again wins it back. Pure apart from the random stream.
 */

/** The default number of a proposer's latest outcomes that count. */
const WINDOW = 6;

/** The bandit's record of one proposer. */
interface ArmRecord {
  outcomes: boolean[];
}

/** A bandit over named proposers. */
export interface ProposerBandit {
  /** The proposers, most promising first, by one Thompson draw each. */
  order(random: () => number): string[];
  /** Records a measured proposal of `arm`: whether it paid (improved this study's best). */
  record(arm: string, paid: boolean): void;
  /** Each proposer's paid and unpaid count in its window (for hypotheses and tests). */
  tally(): Record<string, { paid: number; unpaid: number }>;
  /** Credits the proposal with `key` to `arm`; `bestBefore` is this study's best loss when it was proposed. */
  credit(key: string, arm: string, bestBefore: number): void;
  /**
   * Settles every credited proposal that finished: `finished` maps its key to its loss
   * (undefined when it failed, which does not pay). It paid when it beat `bestBefore`.
   */
  settle(finished: ReadonlyMap<string, number | undefined>): void;
}

/** A draw from Beta(a, b) for whole a, b ≥ 1: the a-th smallest of a + b − 1 uniforms. */
export function betaDraw(a: number, b: number, random: () => number): number {
  const draws = Array.from({ length: a + b - 1 }, () => random()).sort((x, y) => x - y);
  return draws[a - 1]!;
}

/**
 * A bandit over `arms` (names), each proposer's window of `window` latest outcomes.
 *
 * @example
 * const bandit = createProposerBandit(['shape', 'population', 'inner']);
 * for (const arm of bandit.order(random)) { const values = propose(arm); if (values) return values; }
 * bandit.record('population', true);
 */
export function createProposerBandit(arms: readonly string[], window = WINDOW): ProposerBandit {
  const records = new Map<string, ArmRecord>(arms.map((arm) => [arm, { outcomes: [] }]));
  const credits = new Map<string, { arm: string; bestBefore: number }>();
  const counts = (record: ArmRecord) => {
    const paid = record.outcomes.filter(Boolean).length;
    return { paid, unpaid: record.outcomes.length - paid };
  };
  return {
    order(random) {
      const drawn = arms.map((arm) => {
        const { paid, unpaid } = counts(records.get(arm)!);
        return { arm, value: betaDraw(1 + paid, 1 + unpaid, random) };
      });
      return drawn.sort((a, b) => b.value - a.value).map((entry) => entry.arm);
    },
    credit(key, arm, bestBefore) {
      credits.set(key, { arm, bestBefore });
    },
    settle(finished) {
      for (const [key, { arm, bestBefore }] of credits) {
        if (!finished.has(key)) continue;
        const loss = finished.get(key);
        this.record(arm, loss !== undefined && loss < bestBefore - 1e-12 * Math.max(1, Math.abs(bestBefore)));
        credits.delete(key);
      }
    },
    record(arm, paid) {
      const record = records.get(arm);
      if (record === undefined) return;
      record.outcomes.push(paid);
      if (record.outcomes.length > window) record.outcomes.shift();
    },
    tally() {
      return Object.fromEntries(arms.map((arm) => [arm, counts(records.get(arm)!)]));
    },
  };
}
