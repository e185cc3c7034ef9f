/**
 * The gates and the classification: the evidence of a trial becomes a status and a
 * failure label through `classifyOutcome`, the one place that decides outcomes.
 */
import { classifyOutcome, type ClassifiedOutcome } from '../core/outcome.ts';
import type { TaskSpec } from '../core/task.ts';
import { aggregateMetrics } from './repeats.ts';
import type { TrialEvidence } from './trial-evidence.ts';

/**
 * Classifies a trial from its evidence (pure). A failing repeat is classified from its
 * own facts (interruptions and machine faults still come first), its detail naming the
 * repeat; an all-scored trial from the mean of its repeats' metrics, against the gates.
 *
 * @example
 * const verdict = classifyStep(task, evidence); // { kind: 'failed', label: 'crash', detail: '...', metrics: {} }
 */
export function classifyStep(task: Pick<TaskSpec, 'objective' | 'gates'>, evidence: TrialEvidence): ClassifiedOutcome {
  const { facts, measured } = evidence;
  const objective = task.objective;
  if (measured?.failure) {
    const classified = classifyOutcome(
      { ...measured.failure, ...(facts.interrupted ? { interrupted: facts.interrupted } : {}), ...(facts.infraError ? { infraError: facts.infraError } : {}) },
      objective,
      [],
    );
    const failed = measured.failedRepeat;
    if (classified.kind === 'failed' && failed && measured.repeats.length > 1) {
      return { ...classified, detail: `repeat ${failed.repeat} (seed ${failed.seed})${failed.verification ? ', a verification repeat' : ''}: ${classified.detail}` };
    }
    return classified;
  }
  if (facts.run && measured && measured.repeats.length > 0) {
    return classifyOutcome({ ...facts, score: facts.run, metrics: aggregateMetrics(measured.repeats, objective.metric) }, objective, task.gates);
  }
  return classifyOutcome(facts, objective, task.gates);
}
