/**
 * The failure signature of a failed trial, computed where the evaluator still knows what a
 * signature needs: which folders are the recipe's (the trial's worktree, the evaluator
 * checkout), the run's budget, which phase failed, and the recipe's sources at the trial's
 * commit (for frames a runtime printed without their line, as Node does).
 */
import { extractFailureSignature, toTrialFailure, type FailureSignatureInput } from '../core/failure-signature.ts';
import type { ClassifiedOutcome } from '../core/outcome.ts';
import type { FailureLabel, TrialFailure } from '../core/trial.ts';
import type { TrialEvidence, TrialJob } from './trial-evidence.ts';

/** The phase whose output explains a label. */
function phaseOf(label: FailureLabel): string | null {
  switch (label) {
    case 'preflight_failed':
      return 'preflight';
    case 'smoke_failed':
      return 'smoke';
    case 'crash':
    case 'oom':
    case 'run_timeout':
    case 'pruned':
      return 'run';
    case 'score_timeout':
    case 'metric_missing':
      return 'score';
    default:
      return null;
  }
}

/**
 * The signature of a failed verdict (null for a scored one), from its label, detail and the
 * log excerpt that is recorded with it.
 *
 * @example
 * const failure = await failureStep(job, evidence, verdict, cleanTrialText(logExcerpt));
 * // { signature: 'crash AssertionError at model.py: assert ...', summary: 'crash AssertionError at model.py:66 ...', frame }
 */
export async function failureStep(job: TrialJob, evidence: TrialEvidence, verdict: ClassifiedOutcome, detail: string, logExcerpt: string): Promise<TrialFailure | null> {
  if (verdict.kind !== 'failed') return null;
  const { runtime } = job;
  const roots = [evidence.worktree, runtime.evaluatorDir].filter((root): root is string => root !== null);
  const input: FailureSignatureInput = {
    label: verdict.label,
    detail,
    output: logExcerpt,
    phase: phaseOf(verdict.label),
    recipe: { roots },
    runTimeoutMs: runtime.task.run.timeoutMs,
  };
  const first = extractFailureSignature(input);
  const frame = first.frame;
  const commit = evidence.commit ?? evidence.parentCommit;
  if (frame === null || frame.source !== null || commit === null || frame.file.startsWith('/')) return toTrialFailure(first);
  // The worktree is gone by now: the line is read from the trial's commit in the private repo.
  const text = await runtime.workspace.readFileAt(commit, frame.file).catch(() => null);
  if (text === null) return toTrialFailure(first);
  const lines = text.split('\n');
  return toTrialFailure(extractFailureSignature({ ...input, sourceLine: (_file, line) => lines[line - 1] ?? null }));
}
