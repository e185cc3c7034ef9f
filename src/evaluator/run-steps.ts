/**
 * The phases that spend compute: the preflight (a cheap check), the smoke run (a short run), then the run and score
 * phases of every repeat (`measureRepeats`).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { measureRepeats } from './measure-repeats.ts';
import { checkSmokeOutput } from './smoke-check.ts';
import { lastLines, phaseFacts, runPhase } from './phase-runner.ts';
import { enterPhase, isBlocked, msSince, withFacts, withTimings, type TrialEvidence, type TrialJob } from './trial-evidence.ts';

/** Runs the task's preflight, if it declares one and nothing blocks the trial; sets `preflightMs`. */
export async function preflightStep(job: TrialJob, evidence: TrialEvidence): Promise<TrialEvidence> {
  const { runtime, trial } = job;
  const spec = runtime.task.preflight;
  if (!spec || evidence.worktree === null || isBlocked(evidence.facts)) return evidence;
  enterPhase(job, 'preflight');
  const t0 = performance.now();
  const result = await runPhase(runtime, 'preflight', spec, { trialId: trial.id, seed: trial.seed, cwd: evidence.worktree, logFile: runtime.paths.log(trial.id, 'preflight') }, job.slot, job.signal, job.adopt === true ? { adopt: true } : {});
  const timed = withTimings(evidence, { preflightMs: msSince(t0) });
  const failed = result.exitCode !== 0;
  return { ...withFacts(timed, { preflight: phaseFacts(result) }), logExcerpt: failed ? lastLines(result.outputTail, 30) : evidence.logExcerpt };
}

/** True when the preflight did not run or passed (exit 0, in time, not stopped). */
export function preflightPassed(evidence: TrialEvidence): boolean {
  const preflight = evidence.facts.preflight;
  return !preflight || (preflight.exitCode === 0 && !preflight.timedOut && !preflight.aborted);
}

/**
 * Runs the task's smoke run (`smoke:`: the run command with `AUTOLAB_SMOKE=1`, or its own
 * command, under its short budget and the run's limits, its artifacts in their own folder),
 * if it declares one, nothing blocks the trial and the preflight passed; then checks what its
 * artifacts already tell (`checkSmokeOutput`: the artifact limit, the smoke gates). Sets `smokeMs`.
 */
export async function smokeStep(job: TrialJob, evidence: TrialEvidence): Promise<TrialEvidence> {
  const { runtime, trial } = job;
  const spec = runtime.task.smoke;
  if (!spec || evidence.worktree === null || isBlocked(evidence.facts) || !preflightPassed(evidence)) return evidence;
  enterPhase(job, 'smoke');
  const t0 = performance.now();
  const artifacts = join(runtime.paths.trial(trial.id), 'smoke-artifacts');
  await mkdir(artifacts, { recursive: true });
  const target = { trialId: trial.id, seed: trial.seed, cwd: evidence.worktree, logFile: runtime.paths.log(trial.id, 'smoke'), artifacts };
  const result = await runPhase(runtime, 'smoke', spec, target, job.slot, job.signal);
  const smoke = phaseFacts(result);
  const failed = !smokePassed({ ...evidence, facts: { smoke } });
  const checked = failed ? {} : await checkSmokeOutput(job, spec, artifacts);
  const timed = withTimings(evidence, { smokeMs: msSince(t0) });
  return { ...withFacts(timed, { smoke, ...checked }), logExcerpt: failed ? lastLines(result.outputTail, 30) : evidence.logExcerpt };
}

/** True when the smoke run did not run or passed (exit 0, in time, not stopped, its artifacts within the limit and its gates). */
export function smokePassed(evidence: Pick<TrialEvidence, 'facts'>): boolean {
  const { smoke, smokeOutput, infraError } = evidence.facts;
  return !smoke || (infraError === undefined && smoke.exitCode === 0 && !smoke.timedOut && !smoke.aborted && !smoke.spawnError && !smoke.machineFault && smokeOutput === undefined);
}

/**
 * The run and score phases of every repeat (and verification repeats of a would-be
 * incumbent), when nothing blocks the trial and its preflight passed. Sets `runMs`,
 * `scoreMs`, the log excerpt, and `facts.run` when every repeat was scored.
 */
export async function runStep(job: TrialJob, evidence: TrialEvidence): Promise<TrialEvidence> {
  if (evidence.worktree === null || isBlocked(evidence.facts) || !preflightPassed(evidence) || !smokePassed(evidence)) return evidence;
  enterPhase(job, 'run');
  const measured = await measureRepeats(job.runtime, { ...job.trial, commit: evidence.commit }, evidence.worktree, job.slot, job.signal, job.adopt === true);
  const next: TrialEvidence = { ...withTimings(evidence, { runMs: measured.runMs, scoreMs: measured.scoreMs }), measured, logExcerpt: measured.logExcerpt };
  if (measured.failure !== null) return next;
  return withFacts(next, { run: { exitCode: 0, signal: null, timedOut: false, aborted: false, spawnError: null, oomSuspected: false, tail: '' } });
}

/** A trial stopped (second Ctrl-C, lost lease) before its run produced anything is `interrupted`. */
export function stoppedStep(job: TrialJob, evidence: TrialEvidence): TrialEvidence {
  const { facts } = evidence;
  if (!job.signal.aborted || facts.run || evidence.measured?.failure || isBlocked(facts)) return evidence;
  return withFacts(evidence, { interrupted: 'stopped before the run' });
}
