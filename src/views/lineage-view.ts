/**
 * The incumbent and the chain of trials from the baseline to it, and the compact node
 * list the lineage tree is drawn from.
 */
import type { LineageData } from '../../web/plots/index.js';
import type { Direction } from '../core/task.ts';
import type { TrialRecord } from '../core/trial.ts';

/** The incumbent: the most recently kept trial (the baseline when nothing else was kept). */
export function incumbentOf(trials: readonly TrialRecord[]): TrialRecord | null {
  let best: TrialRecord | null = null;
  for (const trial of trials) {
    if (trial.status !== 'kept') continue;
    if (best === null) best = trial;
    else {
      const a = trial.finishedAt ?? '';
      const b = best.finishedAt ?? '';
      if (a > b || (a === b && trial.id > best.id)) best = trial;
    }
  }
  return best;
}

/** The trials from the baseline (first) to `tip` (last), following parents. */
export function chainTo(tip: TrialRecord | null, byId: ReadonlyMap<number, TrialRecord>): TrialRecord[] {
  const chain: TrialRecord[] = [];
  const seen = new Set<number>();
  for (let cursor: TrialRecord | undefined = tip ?? undefined; cursor && !seen.has(cursor.id); cursor = cursor.parent === null ? undefined : byId.get(cursor.parent)) {
    seen.add(cursor.id);
    chain.push(cursor);
  }
  return chain.reverse();
}

/** Up to this many trials, every trial's hypothesis comes with the lineage; above, the chain's only. */
const ALL_HYPOTHESES_UP_TO = 200;
const HYPOTHESIS_CHARS = 100;

/**
 * The lineage tree's data: every trial as a compact node, the incumbent and its chain,
 * the objective's direction, and hypotheses (every trial's in a small study, the chain's
 * in a large one) cut to a line.
 */
export function lineageData(trials: readonly TrialRecord[], byId: ReadonlyMap<number, TrialRecord>, direction: Direction = 'minimize'): LineageData {
  const incumbent = incumbentOf(trials);
  const chain = chainTo(incumbent, byId);
  const described = trials.length <= ALL_HYPOTHESES_UP_TO ? trials : chain;
  return {
    nodes: trials.map((trial) => [trial.id, trial.parent, trial.status, trial.score, trial.label, trial.specialist]),
    incumbent: incumbent?.id ?? null,
    chain: chain.map((trial) => trial.id),
    direction,
    hypotheses: described.map((trial) => [trial.id, oneLine(trial.hypothesis)]),
  };
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > HYPOTHESIS_CHARS ? line.slice(0, HYPOTHESIS_CHARS - 1) + '…' : line;
}
