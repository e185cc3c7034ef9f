/**
 * What earlier ablations removed and what they measured, read back from the lineage:
 * every ablate proposal carries one JSON line in its notes naming the units it removed
 * (by their stable keys), so that a hunk is tried once and the outcome of each removal
 * can be reported.
 */
import { improvement } from '../../core/acceptance.ts';
import type { Objective, TaskSpec } from '../../core/task.ts';
import type { TrialHistory } from '../../core/trial-history.ts';
import type { TrialRecord } from '../../core/trial.ts';
import { inIdOrder, linkedTrials, trialsOfKind } from '../shared/history-reads.ts';

/** The JSON an ablate proposal records in its notes (one line: `{"ablate":{…}}`). */
export interface AblationNote {
  /** The incumbent the units were removed from (the trial's parent). */
  incumbent: number;
  /** Keys of the removed units (see `DiffUnit.key`), sorted. */
  removed: string[];
  /** The removed units as people read them. */
  units: string[];
  /** Units in the incumbent's diff from the baseline at the time. */
  of: number;
  /** How the group was formed: `hunk`, `file` or `bisect`. */
  granularity: string;
}

/** The key of a group of units: its sorted unit keys. */
export function groupKey(unitKeys: readonly string[]): string {
  return [...unitKeys].sort().join('+');
}

/** The notes line of an ablation. */
export function formatAblationNotesLine(note: AblationNote): string {
  return JSON.stringify({ ablate: { ...note, removed: [...note.removed].sort() } });
}

/** The ablation recorded in a trial's notes, or null when it carries none. */
export function parseAblationNotes(notes: string): AblationNote | null {
  for (const line of notes.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{"ablate"')) continue;
    try {
      const value = (JSON.parse(trimmed) as { ablate?: Partial<AblationNote> }).ablate;
      if (!value || !Array.isArray(value.removed) || typeof value.incumbent !== 'number') continue;
      return {
        incumbent: value.incumbent,
        removed: value.removed.filter((key): key is string => typeof key === 'string'),
        units: Array.isArray(value.units) ? value.units.filter((unit): unit is string => typeof unit === 'string') : [],
        of: typeof value.of === 'number' ? value.of : value.removed.length,
        granularity: typeof value.granularity === 'string' ? value.granularity : 'hunk',
      };
    } catch {
      // not an ablation line
    }
  }
  return null;
}

/** What removing a group measured. */
export type AblationVerdict =
  /** Kept: the recipe is better without it. */
  | 'better'
  /** Within the tolerance of the incumbent it was removed from: a simpler equal recipe. */
  | 'equal'
  /** Worse without it: it matters. */
  | 'worse'
  /** No valid score (see the label). */
  | 'failed'
  /** Not finished yet. */
  | 'pending';

export interface AblationOutcome {
  trial: TrialRecord;
  note: AblationNote;
  verdict: AblationVerdict;
  /** Score without the units minus the incumbent's score (null when not measured). */
  delta: number | null;
  /** For a `duplicate`: the earlier trial whose tree it was (its score is the measurement). */
  sameAs: number | null;
}

/** Labels that mean the ablation was not really tried (the machine's fault, or a kill). */
const NOT_TRIED = new Set(['interrupted', 'infra_error']);

/**
 * The trials `ablationOutcomes` reads, from the history: every trial of the task's ablate
 * specialists, and the parents and duplicates their ablations refer to.
 *
 * @example
 * const outcomes = ablationOutcomes(await ablationTrials(context.history, context.task), objective, tolerance);
 */
export async function ablationTrials(history: TrialHistory, task: TaskSpec): Promise<TrialRecord[]> {
  const ablations = (await trialsOfKind(history, task, 'ablate')).filter((trial) => parseAblationNotes(trial.notes) !== null);
  const own = new Set(ablations.map((trial) => trial.id));
  const referred = await linkedTrials(history, ablations, (trial) => (own.has(trial.id) ? referencesOf(trial) : []));
  return inIdOrder(referred.values());
}

/** The trials an ablation's verdict reads: its parent (or the incumbent it names) and the trial it duplicates. */
function referencesOf(trial: TrialRecord): number[] {
  const note = parseAblationNotes(trial.notes)!;
  const sameAs = trial.label === 'duplicate' ? /#(\d+)/.exec(trial.labelDetail ?? '') : null;
  return [trial.parent ?? note.incumbent, ...(sameAs ? [Number(sameAs[1])] : [])];
}

/**
 * Every ablation of the study with its verdict, oldest first. A removal whose tree
 * duplicates an earlier trial (e.g. removing the last step's change gives its parent)
 * is judged by that trial's score. `tolerance` is the absolute move that counts as equal.
 */
export function ablationOutcomes(trials: readonly TrialRecord[], objective: Objective, tolerance: number): AblationOutcome[] {
  const byId = new Map(trials.map((trial) => [trial.id, trial]));
  const outcomes: AblationOutcome[] = [];
  for (const trial of trials) {
    const note = parseAblationNotes(trial.notes);
    if (note === null || (trial.label !== null && NOT_TRIED.has(trial.label))) continue;
    const parentScore = byId.get(trial.parent ?? note.incumbent)?.score ?? null;
    let score = trial.score;
    let sameAs: number | null = null;
    if (trial.label === 'duplicate') {
      const match = /#(\d+)/.exec(trial.labelDetail ?? '');
      sameAs = match ? Number(match[1]) : null;
      score = sameAs === null ? null : (byId.get(sameAs)?.score ?? null);
    }
    let verdict: AblationVerdict;
    if (trial.status === 'pending' || trial.status === 'running') verdict = 'pending';
    else if (score === null || parentScore === null) verdict = 'failed';
    else if (trial.status === 'kept') verdict = 'better';
    else verdict = improvement(objective, score, parentScore) >= -tolerance ? 'equal' : 'worse';
    outcomes.push({ trial, note, verdict, delta: score !== null && parentScore !== null ? score - parentScore : null, sameAs });
  }
  return outcomes;
}
