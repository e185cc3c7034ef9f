/** The fidelity notes of the lineage feedback: each laddered trial's levels, prediction and shrinking gain. */
import { ladderNote, summariseLadder } from '../core/ladder-summary.ts';
import type { TrialLevelRecord } from '../core/fidelity.ts';
import type { TrialRecord } from '../core/trial.ts';
import type { StudyRuntime } from '../evaluator/study-runtime.ts';

/**
 * `{ fidelityNotes }` for `buildLineageFeedback` when the task has a ladder, else `{}`.
 * `trials`: the study's trials, or the parent of each trial measured on the ladder.
 *
 * @example
 * buildLineageFeedback(trials, { study, objective, ...(await fidelityNotes(runtime, trials)) });
 */
export async function fidelityNotes(runtime: Pick<StudyRuntime, 'task' | 'store' | 'studyId'>, trials: readonly TrialRecord[] | ReadonlyMap<number, number | null>, levels?: readonly TrialLevelRecord[]): Promise<{ fidelityNotes?: ReadonlyMap<number, string> }> {
  const fidelity = runtime.task.fidelity;
  if (!fidelity || !runtime.store.listTrialLevels) return {};
  const records = levels ?? (await runtime.store.listTrialLevels(runtime.studyId));
  const summary = summariseLadder(fidelity, runtime.task.objective.direction, records, trials instanceof Map ? trials : new Map((trials as readonly TrialRecord[]).map((trial) => [trial.id, trial.parent])));
  return { fidelityNotes: new Map([...summary.trials].map(([id, trial]) => [id, ladderNote(fidelity, trial)])) };
}
