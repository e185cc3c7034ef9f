/**
 * Parent strategies: which trial a program-editing specialist (llm, command, combine)
 * starts its next proposal from, instead of always the incumbent, so that several
 * lineages advance at once (the task file's `parents:` on a specialist; docs/pareto.md).
 *
 * - `incumbent`: the incumbent (the default).
 * - `front`: a member of the front (a single-objective study's front is its incumbent),
 *   the one this specialist has used least as a parent, ties to the oldest.
 * - `tournament`: `size` scored trials drawn at random; the best of them (by score, or
 *   by Pareto rank then crowding with several objectives).
 * - `islands`: `islands` sub-populations, each grown from the baseline by its own
 *   proposals; the next proposal goes to the island with the fewest trials and starts
 *   from that island's best trial. Every `migration`-th trial of an island starts
 *   instead from the best of its neighbour on the ring (island k-1) when that one is
 *   better: a migrant. A trial's island is recorded in its notes (`[island k]`), so
 *   islands survive a resume.
 * - `map_elites`: feature bins over metrics the user names (`bins: { run_seconds: [10,
 *   30] }`: cells below 10, 10 to 30, 30 and above); each cell's elite is its best scored
 *   trial; the next proposal starts from the elite of a cell drawn at random among the
 *   filled ones (MAP-Elites, Mouret and Clune 2015), so that lineages of every kind
 *   (fast and slow, small and large) keep advancing.
 *
 * Pure: the caller passes every trial and a seeded random source.
 */
import { crowdingDistances, dominatesLosses, nonDominatedSort, toLosses } from './pareto.ts';
import type { Objective, ParentStrategySpec } from './task.ts';
import type { TrialRecord } from './trial.ts';

export type { ParentStrategySpec };

/** The parent chosen for one proposal and why (shown to the agent, recorded in the trial's notes). */
export interface ParentChoice {
  trial: TrialRecord;
  strategy: ParentStrategySpec['strategy'];
  reason: string;
  /** The island the proposal belongs to (islands only). */
  island?: number;
}

export interface ParentChoiceInput {
  /** Every trial of the study so far. */
  trials: readonly TrialRecord[];
  incumbent: TrialRecord;
  /** The primary objective (the trial's `score`). */
  objective: Objective;
  /** Several objectives: ranking by Pareto rank instead of score. */
  objectives?: readonly Objective[];
  /** The specialist choosing (its own past parents steer `front`). */
  specialist: string;
  random: () => number;
}

const ISLAND_TAG = /\[island (\d+)\]/;

/** The island a trial was proposed for (from its notes), or null. */
export function islandOf(trial: Pick<TrialRecord, 'notes'>): number | null {
  const match = ISLAND_TAG.exec(trial.notes ?? '');
  return match ? Number(match[1]) : null;
}

/** The line the engine adds to a proposal's notes: the parent, the strategy, the island tag. */
export function parentNoteLine(choice: ParentChoice): string {
  return `parent #${choice.trial.id} by strategy ${choice.strategy}${choice.island !== undefined ? ` [island ${choice.island}]` : ''}: ${choice.reason}`;
}

/** The loss vector of a scored trial (lower is better in every entry), or null. */
function lossesOf(input: ParentChoiceInput, trial: TrialRecord): number[] | null {
  if (trial.score === null) return null;
  if (!input.objectives || input.objectives.length < 2) return toLosses([input.objective], [trial.score]);
  const values = input.objectives.map((objective) => (objective.metric === input.objective.metric ? trial.score : trial.metrics[objective.metric]));
  return values.every((value): value is number => typeof value === 'number' && Number.isFinite(value)) ? toLosses(input.objectives, values) : null;
}

/** Trials that can be parents: scored and legal (kept, or discarded; never failed). */
function scoredTrials(input: ParentChoiceInput): Array<{ trial: TrialRecord; losses: number[] }> {
  return input.trials.flatMap((trial) => {
    if (trial.status !== 'kept' && trial.status !== 'discarded') return [];
    const losses = lossesOf(input, trial);
    return losses ? [{ trial, losses }] : [];
  });
}

/** The best of some candidates: the least loss, or with several objectives the lowest Pareto rank, then the largest crowding distance, then the oldest. */
function best<T extends { trial: TrialRecord; losses: number[] }>(candidates: readonly T[]): T | null {
  if (candidates.length === 0) return null;
  const ranks = nonDominatedSort(candidates.map((candidate) => candidate.losses));
  const first = ranks[0]!.map((index) => candidates[index]!);
  if (first.length === 1 || first[0]!.losses.length === 1) return [...first].sort((a, b) => a.losses[0]! - b.losses[0]! || a.trial.id - b.trial.id)[0]!;
  const crowding = crowdingDistances(first.map((candidate) => candidate.losses));
  let pick = 0;
  for (let i = 1; i < first.length; i += 1) if (crowding[i]! > crowding[pick]!) pick = i;
  return first[pick]!;
}

function fromFront(input: ParentChoiceInput): ParentChoice {
  const kept = scoredTrials(input).filter((entry) => entry.trial.status === 'kept');
  const front = kept.filter((entry) => !kept.some((other) => dominatesLosses(other.losses, entry.losses)));
  if (!input.objectives || input.objectives.length < 2 || front.length === 0) {
    return { trial: input.incumbent, strategy: 'front', reason: 'the incumbent (a single-objective study\'s front is its incumbent)' };
  }
  const used = new Map<number, number>();
  for (const trial of input.trials) if (trial.specialist === input.specialist && trial.parent !== null) used.set(trial.parent, (used.get(trial.parent) ?? 0) + 1);
  const pick = [...front].sort((a, b) => (used.get(a.trial.id) ?? 0) - (used.get(b.trial.id) ?? 0) || a.trial.id - b.trial.id)[0]!;
  return { trial: pick.trial, strategy: 'front', reason: `a front member (${front.length} on the front), the one this specialist has built on least (${used.get(pick.trial.id) ?? 0} times)` };
}

function fromTournament(input: ParentChoiceInput, size: number): ParentChoice {
  const pool = scoredTrials(input);
  if (pool.length === 0) return { trial: input.incumbent, strategy: 'tournament', reason: 'the incumbent (no scored trial to draw from yet)' };
  const drawn: typeof pool = [];
  const left = [...pool];
  while (drawn.length < size && left.length > 0) drawn.push(left.splice(Math.floor(input.random() * left.length), 1)[0]!);
  const winner = best(drawn)!;
  return { trial: winner.trial, strategy: 'tournament', reason: `the best of a tournament of ${drawn.length} scored trials drawn at random (${drawn.map((entry) => `#${entry.trial.id}`).join(', ')})` };
}

function fromIslands(input: ParentChoiceInput, islands: number, migration: number): ParentChoice {
  const members: TrialRecord[][] = Array.from({ length: islands }, () => []);
  for (const trial of input.trials) {
    const island = islandOf(trial);
    if (island !== null && island < islands) members[island]!.push(trial);
  }
  let island = 0;
  for (let k = 1; k < islands; k += 1) if (members[k]!.length < members[island]!.length) island = k;
  const baseline = input.trials.find((trial) => trial.id === 0) ?? input.incumbent;
  const bestOf = (k: number) => best(scoredTrials({ ...input, trials: members[k]! }));
  const own = bestOf(island);
  const size = members[island]!.length;
  if (islands > 1 && migration > 0 && size > 0 && size % migration === 0) {
    const neighbour = (island + islands - 1) % islands;
    const migrant = bestOf(neighbour);
    const better = migrant && (!own || dominatesLosses(migrant.losses, own.losses) || (migrant.losses.length === 1 && migrant.losses[0]! < own.losses[0]!));
    if (migrant && better) return { trial: migrant.trial, strategy: 'islands', island, reason: `island ${island} of ${islands} (${size} trials): a migrant, the best of island ${neighbour}, which beats this island's best` };
  }
  if (!own) return { trial: baseline, strategy: 'islands', island, reason: `island ${island} of ${islands} starts from the baseline (${size} trials, none scored yet)` };
  return { trial: own.trial, strategy: 'islands', island, reason: `island ${island} of ${islands} (${size} trials, the fewest): its best trial` };
}

/** The cell of a trial under `bins` (one interval index per metric), or null when it lacks a binned metric. */
export function featureCell(bins: Readonly<Record<string, readonly number[]>>, metrics: Readonly<Record<string, number>>): number[] | null {
  const cell: number[] = [];
  for (const [metric, edges] of Object.entries(bins)) {
    const value = metrics[metric];
    if (typeof value !== 'number' || !Number.isFinite(value)) return null;
    cell.push(edges.filter((edge) => value >= edge).length);
  }
  return cell;
}

function describeCell(bins: Readonly<Record<string, readonly number[]>>, cell: readonly number[]): string {
  return Object.entries(bins)
    .map(([metric, edges], k) => {
      const index = cell[k]!;
      if (index === 0) return `${metric} < ${edges[0]}`;
      if (index === edges.length) return `${metric} >= ${edges[edges.length - 1]}`;
      return `${edges[index - 1]} <= ${metric} < ${edges[index]}`;
    })
    .join(', ');
}

function fromMapElites(input: ParentChoiceInput, bins: Readonly<Record<string, readonly number[]>>): ParentChoice {
  const elites = new Map<string, { cell: number[]; entry: { trial: TrialRecord; losses: number[] } }>();
  for (const entry of scoredTrials(input)) {
    const metrics = { ...entry.trial.metrics, [input.objective.metric]: entry.trial.score! };
    const cell = featureCell(bins, metrics);
    if (cell === null) continue;
    const key = cell.join(',');
    const elite = elites.get(key);
    const better = !elite || dominatesLosses(entry.losses, elite.entry.losses) || (entry.losses.length === 1 && entry.losses[0]! < elite.entry.losses[0]!);
    if (better) elites.set(key, { cell, entry });
  }
  const cells = [...elites.values()].sort((a, b) => a.entry.trial.id - b.entry.trial.id);
  if (cells.length === 0) return { trial: input.incumbent, strategy: 'map_elites', reason: `the incumbent (no scored trial reports ${Object.keys(bins).join(' and ')} yet)` };
  const total = Object.values(bins).reduce((product, edges) => product * (edges.length + 1), 1);
  const pick = cells[Math.floor(input.random() * cells.length)]!;
  return { trial: pick.entry.trial, strategy: 'map_elites', reason: `the elite of the cell ${describeCell(bins, pick.cell)}, drawn at random among the ${cells.length} filled cells of ${total}` };
}

/**
 * The parent of a specialist's next proposal under `spec`.
 *
 * @example
 * const choice = chooseParent({ strategy: 'tournament', size: 3 }, { trials, incumbent, objective, specialist: 'coder', random });
 * // choice.trial: the best of 3 random scored trials; choice.reason says so
 */
export function chooseParent(spec: ParentStrategySpec, input: ParentChoiceInput): ParentChoice {
  switch (spec.strategy) {
    case 'incumbent':
      return { trial: input.incumbent, strategy: 'incumbent', reason: 'the incumbent' };
    case 'front':
      return fromFront(input);
    case 'tournament':
      return fromTournament(input, spec.size);
    case 'islands':
      return fromIslands(input, spec.islands, spec.migration);
    case 'map_elites':
      return fromMapElites(input, spec.bins);
  }
}
