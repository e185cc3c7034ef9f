/**
 * Writes what a finished trial teaches later studies: its knob observation (every
 * measured trial whose knob values are known) and, when it was kept and improved on its
 * parent, its technique card.
 */
import type { Store } from '../core/store.ts';
import type { KnobSpec, TaskSpec } from '../core/task.ts';
import type { StudyMemory } from '../core/technique-card.ts';
import type { TrialRecord } from '../core/trial.ts';
import { readKnobValues } from '../specialists/knobs/knob-io.ts';
import { parseKnobNotes } from '../specialists/knobs/knob-history.ts';
import { cardFromTrial, knobObservationOf } from './technique-cards.ts';

/** Every declared knob of the task, once per name. */
export function taskKnobs(task: Pick<TaskSpec, 'surfaces'>): KnobSpec[] {
  const byName = new Map<string, KnobSpec>();
  for (const surface of Object.values(task.surfaces)) for (const knob of surface.knobs) if (!byName.has(knob.name)) byName.set(knob.name, knob);
  return [...byName.values()];
}

export interface RememberInput {
  memory: StudyMemory;
  task: TaskSpec;
  store: Store;
  studyId: number;
  /** Reads a recipe file at a commit (for the knob values of trials made by other specialists). */
  readFileAt(commit: string, path: string): Promise<string | null>;
}

async function knobValuesOf(trial: TrialRecord, knobs: readonly KnobSpec[], input: RememberInput): Promise<Record<string, string | number | boolean> | null> {
  if (knobs.length === 0) return null;
  const noted = parseKnobNotes(trial.notes);
  if (noted !== null && knobs.every((knob) => noted[knob.name] !== undefined)) return noted;
  if (trial.commit === null) return null;
  const commit = trial.commit;
  return readKnobValues((path) => input.readFileAt(commit, path), knobs).catch(() => null);
}

/**
 * Records `trial` in the memory (when the study writes to it). Returns what was written.
 *
 * @example
 * await rememberTrial(finished, { memory: runtime.memory, task, store, studyId, readFileAt });
 */
export async function rememberTrial(trial: TrialRecord, input: RememberInput): Promise<{ card: boolean; observation: boolean }> {
  const { memory, task } = input;
  if (!memory.write) return { card: false, observation: false };
  const knobs = taskKnobs(task);
  const values = await knobValuesOf(trial, knobs, input);
  const observation = knobObservationOf(trial, knobs, values, { study: memory.studyName, fingerprint: memory.fingerprint, task });
  if (observation) await memory.store.putKnobObservation(observation);
  const parent = trial.parent === null ? undefined : ((await input.store.getTrial(input.studyId, trial.parent)) ?? undefined);
  const card = cardFromTrial(trial, parent, task, { study: memory.studyName, fingerprint: memory.fingerprint, knobs: values, now: new Date().toISOString() });
  if (card) await memory.store.putCard(card);
  return { card: card !== null, observation: observation !== null };
}
