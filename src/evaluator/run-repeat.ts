import { stat } from 'node:fs/promises';
import { makeFolder, removePath } from './quick-files.ts';
import type { TrialFacts } from '../core/outcome.ts';
import { pruneWatch, type PruningContext } from './prune-watch.ts';
import type { CurvePoint, Metrics, TrialRecord } from '../core/trial.ts';
import { CurveWatcher } from './curve-watcher.ts';
import { lapTimer } from './engine-profile.ts';
import { sealArtifacts, unsealedDetail } from './artifact-seal.ts';
import { resumeFolderOf } from './level-resume.ts';
import type { SlotInfo, StudyRuntime } from './study-runtime.ts';
import { parseMetricsLine } from './metrics-line.ts';
import { lastLines, phaseFacts, runPhase, type PhaseOptions } from './phase-runner.ts';

/** What the pruner of a study needs while a run goes. */
export type { PruningContext } from './prune-watch.ts';

export interface RepeatResult {
  repeat: number;
  seed: number;
  verification: boolean;
  /** The run/score facts of this repeat, for `classifyOutcome`. */
  facts: TrialFacts;
  /** Score metrics plus autolab's own, when the score command produced them. */
  metrics: Metrics | null;
  runMs: number;
  scoreMs: number;
  curve: CurvePoint[];
  logExcerpt: string;
}

/** The artifacts folder of one repeat (repeat 0 uses the trial's own). */
export function repeatArtifacts(runtime: StudyRuntime, trialId: number, repeat: number): string {
  return runtime.paths.repeatFile(trialId, repeat, 'artifacts');
}

/** What one repeat is told: which it is, where it runs, and how its commands reach the executor. */
export interface RepeatOptions extends PhaseOptions {
  repeat: number;
  seed: number;
  verification: boolean;
  cwd: string;
  slot: SlotInfo;
  signal: AbortSignal;
  pruning: PruningContext | null;
}

/**
 * The files of a repeat before its run: artifacts, curve and checkpoints start empty, unless
 * the repeat is adopted from a dead driver that already started its run (its log exists):
 * then they are the run's own and kept.
 */
async function prepareRepeatFiles(runtime: StudyRuntime, trialId: number, repeat: number, adopt: boolean): Promise<{ artifacts: string; metricsFile: string; checkpointDir: string }> {
  const artifacts = repeatArtifacts(runtime, trialId, repeat);
  const metricsFile = runtime.paths.repeatFile(trialId, repeat, 'curve', '.jsonl');
  const checkpointDir = runtime.paths.repeatFile(trialId, repeat, 'checkpoint');
  const started = adopt && (await stat(runtime.paths.repeatFile(trialId, repeat, 'run', '.log')).then(() => true, () => false));
  if (!started) {
    await removePath(artifacts);
    await removePath(metricsFile);
    await removePath(checkpointDir);
  }
  makeFolder(artifacts);
  makeFolder(checkpointDir);
  return { artifacts, metricsFile, checkpointDir };
}

/**
 * One repeat of a trial: the run (its intermediate metrics followed, and stopped early
 * when the pruner says so), the artifacts sealed (regular files and folders only, made
 * read-only; anything else is `illegal_edit`) and their size, the evaluator's score
 * command (sandboxed like the run, writing only to its own folder), and the metrics line.
 * The run's checkpoint folder lives as long as the run. Measures its own time; never
 * throws for anything the trial does.
 */
export async function runRepeat(runtime: StudyRuntime, trial: TrialRecord, options: RepeatOptions): Promise<RepeatResult> {
  const { repeat, seed } = options;
  // The profile's parts (engine-profile.ts); each phase's executor work is timed by runPhase.
  const lap = lapTimer(trial.id);
  const phaseOptions: PhaseOptions = { ...(options.adopt === true && { adopt: true }), ...(options.group !== undefined && { group: options.group }) };
  const { artifacts, metricsFile, checkpointDir } = await prepareRepeatFiles(runtime, trial.id, repeat, options.adopt === true);
  const resumeDir = runtime.resumeFrom ? await resumeFolderOf(runtime.resumeFrom, repeat) : null;
  const resumeFrom = resumeDir !== null ? { dir: resumeDir, levelName: runtime.resumeFrom!.levelName } : null;
  const facts: TrialFacts = {};
  const pruner = new AbortController();
  let prunedReason: string | null = null;
  const watch = options.pruning ? pruneWatch(options.pruning) : null;
  const watcher = new CurveWatcher(metricsFile, repeat, (added) => {
    if (!watch || prunedReason !== null) return;
    prunedReason = watch(added);
    if (prunedReason !== null) pruner.abort();
  });
  // Followed live only when a pruner reads it; else read once the run has ended.
  if (watch) watcher.start();
  lap('run.files');
  const run = await runPhase(
    runtime,
    'run',
    runtime.task.run,
    { trialId: trial.id, seed, cwd: options.cwd, logFile: runtime.paths.repeatFile(trial.id, repeat, 'run', '.log'), artifacts, metricsFile, checkpointDir, ...(resumeFrom !== null && { resumeFrom }) },
    options.slot,
    AbortSignal.any([options.signal, pruner.signal]),
    phaseOptions,
  );
  lap(null);
  const curve = await watcher.stop();
  await removePath(checkpointDir);
  lap('run.curve');
  facts.run = { ...phaseFacts(run), aborted: run.aborted && prunedReason === null };
  if (prunedReason !== null) facts.pruned = prunedReason;
  const result: RepeatResult = { repeat, seed, verification: options.verification, facts, metrics: null, runMs: Math.round(run.durationMs), scoreMs: 0, curve, logExcerpt: lastLines(run.outputTail, 30) };
  if (run.exitCode !== 0 || run.timedOut || run.aborted || run.spawnError) return result;

  // Sealed: only regular files and folders, made read-only, before the evaluator's score reads them.
  const sealed = await sealArtifacts(artifacts);
  lap('seal');
  if (sealed.problems.length > 0) {
    facts.illegal = [unsealedDetail(sealed.problems)];
    return result;
  }
  const artifactBytes = sealed.bytes;
  if (artifactBytes > runtime.task.limits.maxArtifactBytes) {
    facts.sizeExceeded = [`artifacts are ${artifactBytes} bytes, over the limit of ${runtime.task.limits.maxArtifactBytes}`];
    return result;
  }
  runtime.events.emit('trial.phase', { trialId: trial.id, phase: 'score' });
  const scoreDir = runtime.paths.repeatFile(trial.id, repeat, 'score-out');
  // An adopted score job that the dead driver started may still be writing its folder.
  const scoreStarted = options.adopt === true && (await stat(runtime.paths.repeatFile(trial.id, repeat, 'score', '.log')).then(() => true, () => false));
  if (!scoreStarted) await removePath(scoreDir);
  makeFolder(scoreDir);
  lap('score.files');
  const score = await runPhase(
    runtime,
    'score',
    runtime.task.score,
    { trialId: trial.id, seed, cwd: runtime.evaluatorDir, logFile: runtime.paths.repeatFile(trial.id, repeat, 'score', '.log'), artifacts, scoreDir },
    options.slot,
    options.signal,
    options.adopt === true ? { adopt: true } : {},
  );
  lap(null);
  result.scoreMs = Math.round(score.durationMs);
  facts.score = phaseFacts(score);
  if (score.exitCode === 0 && !score.timedOut) {
    const parsed = parseMetricsLine(score.stdoutTail, { required: judgedMetrics(runtime.task) });
    if ('error' in parsed) facts.metricsError = parsed.error;
    else {
      // Measured by autolab, never taken from the run's own output.
      result.metrics = { ...parsed.metrics, run_seconds: Math.round(run.durationMs) / 1000, artifacts_total_bytes: artifactBytes };
      facts.metrics = result.metrics;
    }
  }
  return result;
}

/** The metrics that judge a trial (the objective's and the gates'): each must be a finite number when the score prints it. */
export function judgedMetrics(task: Pick<StudyRuntime['task'], 'objective' | 'gates'>): string[] {
  return [...new Set([task.objective.metric, ...task.gates.map((gate) => gate.metric)])];
}
