import { describeGateMiss, evaluateGates } from './gates.ts';
import type { Objective, GateSpec } from './task.ts';
import type { FailureLabel, Metrics } from './trial.ts';

/** What happened to one phase command, as far as classification cares. */
export interface PhaseFacts {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
  spawnError: string | null;
  /** The machine ended the command through no fault of the trial (node failure, preemption, external cancel). */
  machineFault?: string | null;
  oomSuspected: boolean;
  /** Last lines of the phase's output, for the raw detail. */
  tail: string;
}

/**
 * Everything the evaluator observed about one trial. Phases that did not happen are
 * absent. `classifyOutcome` is the one place that turns these facts into an outcome.
 */
export interface TrialFacts {
  /** The driver was stopped (second Ctrl-C) or died while the trial ran. */
  interrupted?: string;
  /** The machine's fault (disk full, git broken, worktree could not be made). */
  infraError?: string;
  applyError?: string;
  /** Paths outside the surface, protected paths touched, symlink escapes, legality command. */
  illegal?: string[];
  /** Diff, file or artifact size over the task's limits. */
  sizeExceeded?: string[];
  /** The id of an earlier trial whose tree is identical. */
  duplicateOf?: number;
  preflight?: PhaseFacts;
  /** The smoke run (`smoke:`), a short run before the full one. */
  smoke?: PhaseFacts;
  /** What the smoke run's artifacts already fail: the artifact limit, or a smoke gate (`smoke.gates`). */
  smokeOutput?: string;
  /** The pruner stopped the run early (its reason). */
  pruned?: string;
  run?: PhaseFacts;
  score?: PhaseFacts;
  /** Metrics parsed from the score command's last stdout line, plus autolab's own. */
  metrics?: Metrics;
  /** Why the metrics line could not be read, if it could not. */
  metricsError?: string;
}

export type ClassifiedOutcome =
  | { kind: 'scored'; score: number; metrics: Metrics }
  | { kind: 'failed'; label: FailureLabel; detail: string; metrics: Metrics };

/**
 * The fixed precedence of failure labels, first match wins. Documented in
 * docs/failure-labels.md; keep the two in step.
 *
 *  1. interrupted       the driver stopped or died mid-trial
 *  2. infra_error       the machine's fault; retried, never charged to a specialist
 *  3. apply_failed      the edit does not apply to the parent
 *  4. illegal_edit      outside the surface, protected path, symlink escape, legality command
 *  5. size_exceeded     diff/file over the limits (before running), artifacts (after)
 *  6. duplicate         the tree equals an earlier trial's
 *  7. preflight_failed  the cheap check failed (any way, timeout included)
 *  8. smoke_failed      the smoke run failed (crash, OOM, timeout): the full run is not spent
 *  9. pruned            the pruner stopped the run early (its intermediate metrics were losing)
 * 10. run_timeout       the run hit its wall-clock budget
 * 11. oom               the run ran out of memory
 * 12. crash             the run exited non-zero or by a signal
 * 13. score_timeout     the score command hit its budget
 * 14. metric_missing    the score command failed, printed no metrics JSON, or lacks the objective
 * 15. gate_miss         a gate's metric is on the wrong side (or missing)
 */
export function classifyOutcome(facts: TrialFacts, objective: Objective, gates: readonly GateSpec[]): ClassifiedOutcome {
  const metrics = facts.metrics ?? {};
  const fail = (label: FailureLabel, detail: string): ClassifiedOutcome => ({ kind: 'failed', label, detail, metrics });

  if (facts.interrupted !== undefined) return fail('interrupted', facts.interrupted);
  if (facts.infraError !== undefined) return fail('infra_error', facts.infraError);
  if (facts.applyError !== undefined) return fail('apply_failed', facts.applyError);
  if (facts.illegal && facts.illegal.length > 0) return fail('illegal_edit', facts.illegal.join('; '));
  if (facts.sizeExceeded && facts.sizeExceeded.length > 0 && facts.run === undefined) {
    return fail('size_exceeded', facts.sizeExceeded.join('; '));
  }
  if (facts.duplicateOf !== undefined) return fail('duplicate', `same tree as trial #${facts.duplicateOf}`);

  if (facts.preflight) {
    const p = facts.preflight;
    if (p.aborted) return fail('interrupted', 'stopped during preflight');
    if (p.spawnError) return fail('infra_error', `preflight could not start: ${p.spawnError}`);
    if (p.machineFault) return fail('infra_error', `the machine ended the preflight: ${p.machineFault}`);
    if (p.timedOut) return fail('preflight_failed', `preflight timed out\n${p.tail}`.trim());
    if (p.exitCode !== 0) return fail('preflight_failed', `${describeExit(p)}\n${p.tail}`.trim());
  }
  if (facts.smoke) {
    const s = facts.smoke;
    if (s.aborted) return fail('interrupted', 'stopped during the smoke run');
    if (s.spawnError) return fail('infra_error', `smoke run could not start: ${s.spawnError}`);
    if (s.machineFault) return fail('infra_error', `the machine ended the smoke run: ${s.machineFault}`);
    if (s.timedOut) return fail('smoke_failed', `smoke run killed at its budget\n${s.tail}`.trim());
    if (s.exitCode !== 0) return fail('smoke_failed', `smoke run ${describeExit(s)}${s.oomSuspected ? ' (out of memory suspected)' : ''}\n${s.tail}`.trim());
  }
  if (facts.smokeOutput !== undefined) return fail('smoke_failed', `smoke run's artifacts: ${facts.smokeOutput}`);

  if (facts.pruned !== undefined) return fail('pruned', facts.pruned);
  if (facts.run) {
    const r = facts.run;
    if (r.aborted) return fail('interrupted', 'stopped during the run');
    if (r.spawnError) return fail('infra_error', `run could not start: ${r.spawnError}`);
    if (r.machineFault) return fail('infra_error', `the machine ended the run: ${r.machineFault}`);
    if (r.timedOut) return fail('run_timeout', `run killed at its wall-clock budget\n${r.tail}`.trim());
    if (r.exitCode !== 0 && r.oomSuspected) return fail('oom', `${describeExit(r)}\n${r.tail}`.trim());
    if (r.exitCode !== 0) return fail('crash', `${describeExit(r)}\n${r.tail}`.trim());
  }
  if (facts.sizeExceeded && facts.sizeExceeded.length > 0) return fail('size_exceeded', facts.sizeExceeded.join('; '));

  if (facts.score) {
    const s = facts.score;
    if (s.aborted) return fail('interrupted', 'stopped during scoring');
    if (s.spawnError) return fail('infra_error', `score could not start: ${s.spawnError}`);
    if (s.machineFault) return fail('infra_error', `the machine ended the score: ${s.machineFault}`);
    if (s.timedOut) return fail('score_timeout', `score command killed at its budget\n${s.tail}`.trim());
    if (s.exitCode !== 0) return fail('metric_missing', `score command ${describeExit(s)}\n${s.tail}`.trim());
  }
  if (facts.metricsError !== undefined) return fail('metric_missing', facts.metricsError);
  const score = metrics[objective.metric];
  if (score === undefined || !Number.isFinite(score)) {
    return fail('metric_missing', `the score command printed no finite '${objective.metric}' (got: ${JSON.stringify(metrics)})`);
  }

  const missed = evaluateGates(gates, metrics).filter((result) => !result.passed);
  if (missed.length > 0) return fail('gate_miss', missed.map(describeGateMiss).join('; '));

  return { kind: 'scored', score, metrics };
}

export function describeExit(phase: Pick<PhaseFacts, 'exitCode' | 'signal'>): string {
  if (phase.signal) return `killed by ${phase.signal}`;
  return `exited with code ${phase.exitCode}`;
}
