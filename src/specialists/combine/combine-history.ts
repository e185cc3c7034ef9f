/**
 * The lineage as the combine specialist reads it: which kept trials a trial already
 * contains (its parent chain, plus the sources of every combine step on that chain,
 * like the extra parents of a merge commit), and which (incumbent, source) pairs were
 * already tried. Both come from the JSON line each combine proposal writes in its notes.
 */
import type { TrialRecord } from '../../core/trial.ts';

/** The JSON a combine proposal records in its notes (one line: `{"combine":{…}}`). */
export interface CombineNote {
  /** The incumbent the sources were ported onto (the trial's parent). */
  into: number;
  /** The kept trials whose lineage changes were ported. */
  sources: number[];
  /** For each source, the trial its change was taken from (the nearest ancestor the incumbent contains). */
  bases: number[];
  /** Paths where the three-way merge conflicted (the proposal then carries the raw patch and fails to apply). */
  conflicts: string[];
}

export function formatCombineNotesLine(note: CombineNote): string {
  return JSON.stringify({ combine: note });
}

/** The combine step recorded in a trial's notes, or null. */
export function parseCombineNotes(notes: string): CombineNote | null {
  for (const line of notes.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{"combine"')) continue;
    try {
      const value = (JSON.parse(trimmed) as { combine?: Partial<CombineNote> }).combine;
      if (!value || typeof value.into !== 'number' || !Array.isArray(value.sources)) continue;
      const numbers = (list: unknown): number[] => (Array.isArray(list) ? list.filter((item): item is number => Number.isInteger(item)) : []);
      return {
        into: value.into,
        sources: numbers(value.sources),
        bases: numbers(value.bases),
        conflicts: Array.isArray(value.conflicts) ? value.conflicts.filter((item): item is string => typeof item === 'string') : [],
      };
    } catch {
      // not a combine line
    }
  }
  return null;
}

/**
 * Every trial whose changes `trialId` contains: itself, its parent chain to the
 * baseline, and (recursively) the sources a materialised combine step on that chain
 * merged in, with their own chains.
 */
export function containedTrials(trialId: number, trials: readonly TrialRecord[]): Set<number> {
  const byId = new Map(trials.map((trial) => [trial.id, trial]));
  const contained = new Set<number>();
  const stack = [trialId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (contained.has(id)) continue;
    contained.add(id);
    const trial = byId.get(id);
    if (!trial) continue;
    if (trial.parent !== null) stack.push(trial.parent);
    const note = trial.commit !== null ? parseCombineNotes(trial.notes) : null;
    if (note && note.conflicts.length === 0) stack.push(...note.sources);
  }
  return contained;
}

/** Labels that mean a combine trial was not really tried (the machine's fault, or a kill). */
const NOT_TRIED = new Set(['interrupted', 'infra_error']);

/** `into:source` for every pair an earlier combine proposal tried (in flight ones included). */
export function triedPairs(trials: readonly TrialRecord[]): Set<string> {
  const tried = new Set<string>();
  for (const trial of trials) {
    if (trial.label !== null && NOT_TRIED.has(trial.label)) continue;
    const note = parseCombineNotes(trial.notes);
    if (note) for (const source of note.sources) tried.add(pairKey(note.into, source));
  }
  return tried;
}

export function pairKey(into: number, source: number): string {
  return `${into}:${source}`;
}
