/**
 * What a passing smoke run's artifacts already tell: over the artifact limit, or (with
 * `smoke.gates`) a gate a short run decides, such as a size, missed. The artifacts are
 * sealed like a run's, and the evaluator's score command scores them the way it scores a
 * run (sandboxed, its own folder); only the smoke gates are judged. A miss is fed back as
 * `smoke_failed` before the full budget is spent. Nothing here can make a trial pass: the
 * full run is still run and scored.
 */
import { mkdir, rm } from 'node:fs/promises';
import { describeGateMiss, evaluateGates } from '../core/gates.ts';
import type { TrialFacts } from '../core/outcome.ts';
import type { SmokeSpec } from '../core/task.ts';
import { sealArtifacts, unsealedDetail } from './artifact-seal.ts';
import { parseMetricsLine } from './metrics-line.ts';
import { runPhase } from './phase-runner.ts';
import type { TrialJob } from './trial-evidence.ts';

/**
 * Checks the smoke run's artifacts folder `artifacts` of `job`'s trial; the facts to add
 * (none when it passes).
 *
 * @example
 * await checkSmokeOutput(job, spec, artifacts) // { smokeOutput: 'gate missed: artifact_bytes = 70000, gate <= 65536 (missed by 4464, 6.8%)' }
 */
export async function checkSmokeOutput(job: TrialJob, spec: SmokeSpec, artifacts: string): Promise<TrialFacts> {
  const { runtime, trial } = job;
  const sealed = await sealArtifacts(artifacts);
  // Only a folder the score will read must be plain data; the size is measured either way.
  if (spec.gates.length > 0 && sealed.problems.length > 0) return { illegal: [`smoke run: ${unsealedDetail(sealed.problems)}`] };
  const limit = runtime.task.limits.maxArtifactBytes;
  if (sealed.bytes > limit) return { smokeOutput: `artifacts are ${sealed.bytes} bytes, over the limit of ${limit}` };
  if (spec.gates.length === 0) return {};

  runtime.events.emit('trial.phase', { trialId: trial.id, phase: 'score' });
  const scoreDir = runtime.paths.repeatFile(trial.id, 0, 'smoke-score-out');
  await rm(scoreDir, { recursive: true, force: true });
  await mkdir(scoreDir, { recursive: true });
  const logFile = runtime.paths.repeatFile(trial.id, 0, 'smoke-score', '.log');
  const score = await runPhase(runtime, 'score', runtime.task.score, { trialId: trial.id, seed: trial.seed, cwd: runtime.evaluatorDir, logFile, artifacts, scoreDir }, job.slot, job.signal);
  if (score.aborted) return { interrupted: 'stopped while scoring the smoke run' };
  if (score.spawnError || score.machineFault) return { infraError: `the smoke run's score could not finish: ${score.spawnError ?? score.machineFault}` };
  if (score.timedOut || score.exitCode !== 0) {
    const how = score.timedOut ? 'timed out' : score.exitCode !== null ? `exited with code ${score.exitCode}` : `was killed by ${score.signal}`;
    return { smokeOutput: `the score command ${how} on them (smoke-score.log); smoke gates need a score that can read a smoke run's artifacts` };
  }
  const parsed = parseMetricsLine(score.stdoutTail, { required: [...new Set(spec.gates.map((gate) => gate.metric))].filter((metric) => metric !== 'artifacts_total_bytes') });
  if ('error' in parsed) return { smokeOutput: `no metrics for the smoke gates: ${parsed.error}` };
  const metrics = { ...parsed.metrics, artifacts_total_bytes: sealed.bytes };
  const missed = evaluateGates(spec.gates, metrics).filter((result) => !result.passed);
  return missed.length > 0 ? { smokeOutput: `gate missed: ${missed.map(describeGateMiss).join('; ')}` } : {};
}
