/**
 * The knob values of past trials, for samplers: taken from the JSON line a knobs
 * specialist writes into its proposals' notes, or else read from the trial's files.
 */
import { PREDICTED_FULL_METRIC } from '../../core/fidelity.ts';
import { multiFidelityScores } from '../../core/fidelity-model-scores.ts';
import { AutolabError } from '../../core/errors.ts';
import { knobValuesInNotes } from '../../core/trial-change.ts';
import type { ProposalContext } from '../../core/specialist.ts';
import type { KnobSpec } from '../../core/task.ts';
import { isFinished, type TrialRecord } from '../../core/trial.ts';
import { trialFailure } from './failure-groups.ts';
import { readKnobValues } from './knob-io.ts';
import type { KnobObservation } from './knob-sampler.ts';
import type { KnobValues } from './knob-value.ts';

/**
 * How many of the most recent trials are looked at. Samplers learn from all of them
 * (CMA-ES replays them), so the limit is generous; reading is cached per trial.
 */
export const KNOB_HISTORY_LIMIT = 1000;

/**
 * The notes line that records a proposal's full knob values, e.g.
 * `{"knobs":{"lr":0.034,"width":96},"sampler":"random"}`, and which of the sampler's
 * proposers made it where it has several (`"proposer":"region"`).
 */
export function formatKnobNotesLine(values: KnobValues, sampler: string, proposer?: string | null): string {
  return JSON.stringify({ knobs: values, sampler, ...(proposer ? { proposer } : {}) });
}

/** The proposer recorded on a trial's knobs notes line (the last one), or undefined. */
export function parseKnobProposer(notes: string): string | undefined {
  let found: string | undefined;
  for (const line of notes.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{') || !trimmed.includes('"knobs"')) continue;
    try {
      const proposer = (JSON.parse(trimmed) as { proposer?: unknown }).proposer;
      found = typeof proposer === 'string' ? proposer : undefined;
    } catch {
      // Not a knobs line.
    }
  }
  return found;
}

/** The knob values recorded in a trial's notes (the last such JSON line), or null. */
export function parseKnobNotes(notes: string): KnobValues | null {
  return knobValuesInNotes(notes);
}

/**
 * A reader of past trials' knob values, for every trial of the study whatever specialist
 * made it: from the notes line a knobs specialist writes, or else read from the recipe at
 * the trial's commit (so an llm or command specialist's trial counts with the knob values
 * it ran with). A trial's commit never changes, so what was read is cached for the life
 * of the reader (one per specialist). Trials without a commit yet (or whose files lack a
 * knob) are left out. A failed trial's observation carries its failure signature (stored
 * with the trial, else computed from its label, detail and log excerpt), so that samplers
 * learn where each cause of failure strikes.
 */
export function createKnobHistoryReader(knobs: readonly KnobSpec[]): (context: ProposalContext) => Promise<KnobObservation[]> {
  const fromFiles = new Map<number, KnobValues | null>();
  const hasAll = (values: KnobValues): boolean => knobs.every((knob) => values[knob.name] !== undefined);

  const valuesOf = async (trial: TrialRecord, context: ProposalContext): Promise<KnobValues | null> => {
    const noted = parseKnobNotes(trial.notes);
    if (noted !== null && hasAll(noted)) return noted;
    if (trial.commit === null) return null;
    if (fromFiles.has(trial.id)) return fromFiles.get(trial.id) ?? null;
    try {
      const values = await readKnobValues((path) => context.readFile(trial.id, path), knobs);
      fromFiles.set(trial.id, values);
      return values;
    } catch (error) {
      // A KnobError (e.g. an edit removed a marker) is permanent: nothing to dedupe against.
      // Anything else may be transient, so it is not cached.
      if (AutolabError.is(error) && isFinished(trial)) fromFiles.set(trial.id, null);
      return null;
    }
  };

  // A finished trial's signature never changes: computed once per trial.
  const signatures = new Map<number, { signature: string; text: string } | null>();
  const signatureOf = (trial: TrialRecord): { signature: string; text: string } | null => {
    if (trial.status !== 'failed') return null;
    if (!signatures.has(trial.id)) signatures.set(trial.id, trialFailure(trial));
    return signatures.get(trial.id) ?? null;
  };

  return async (context) => {
    const observations: KnobObservation[] = [];
    // On a ladder: full-level scores once knobs + 1 trials reached full (as BOHB), the scaling model's predictions of them before; never levels' scores mixed raw.
    const multiFidelity = context.fidelityLevels && context.task.fidelity ? multiFidelityScores(context.task.fidelity, context.fidelityLevels, context.task.objective.direction, knobs.length + 1) : null;
    for (const trial of context.history.recent.slice(-KNOB_HISTORY_LIMIT)) {
      context.signal.throwIfAborted();
      const values = await valuesOf(trial, context);
      if (values === null) continue;
      const observation: KnobObservation = { trialId: trial.id, values, status: trial.status, score: trial.score ?? prunedScore(trial, context.task.objective.metric), label: trial.label };
      if (Object.keys(trial.metrics).length > 0) observation.metrics = trial.metrics;
      const proposer = parseKnobProposer(trial.notes);
      if (proposer !== undefined) observation.proposer = proposer;
      const levelScore = multiFidelity?.scores.get(trial.id);
      if (multiFidelity && levelScore !== undefined && !(trial.status === 'failed' && trial.label !== 'pruned')) {
        observation.score = levelScore;
        observation.modelLevel = multiFidelity.level;
      }
      const failure = signatureOf(trial);
      if (failure !== null) {
        observation.failure = failure.signature;
        if (failure.text !== '') observation.failureText = failure.text;
      }
      observations.push(observation);
    }
    return observations;
  };
}

/**
 * A pruned trial's last intermediate value of the objective metric (as Optuna's TPE uses
 * it): the run stopped early, so this is a pessimistic stand-in for its final score; a
 * trial stopped below the full level of a fidelity ladder, its predicted full-level score.
 * Null when the run reported no intermediate value under the objective's name.
 */
export function prunedScore(trial: Pick<TrialRecord, 'label' | 'curve'> & { metrics?: TrialRecord['metrics'] }, metric: string): number | null {
  if (trial.label !== 'pruned') return null;
  // Stopped on a fidelity ladder: the scaling model's prediction of its full-level score (src/core/ladder-summary.ts), not a lower level's score.
  const predicted = trial.metrics?.[PREDICTED_FULL_METRIC];
  if (predicted !== undefined && Number.isFinite(predicted)) return predicted;
  let last: { step: number; value: number } | null = null;
  for (const point of trial.curve) {
    if (point.name !== metric || point.repeat !== 0) continue;
    if (last === null || point.step >= last.step) last = point;
  }
  return last !== null && Number.isFinite(last.value) ? last.value : null;
}
