import type { CommandRequest, CommandResult } from '../core/executor.ts';
import type { PhaseFacts } from '../core/outcome.ts';
import type { CommandSpec } from '../core/task.ts';
import type { SlotInfo, StudyRuntime } from './study-runtime.ts';
import { addSpan } from './engine-profile.ts';
import { phaseEnv, type PhaseName } from './phase-env.ts';

/** Where one phase command of one repeat reads and writes. */
export interface PhaseTarget {
  trialId: number;
  seed: number;
  cwd: string;
  logFile: string;
  artifacts?: string;
  metricsFile?: string;
  /** Where the run may keep what it needs to resume (`$AUTOLAB_CHECKPOINT_DIR`). */
  checkpointDir?: string;
  /** A continued ladder's run: the trial's artifacts of the level below, read-only (`$AUTOLAB_RESUME_FROM`). */
  resumeFrom?: { dir: string; levelName: string };
  /** Legality: the trial's worktree the check judges (its cwd is the evaluator's checkout). */
  worktree?: string;
  /** Legality: the file holding the trial's cumulative diff from the baseline. */
  diffFile?: string;
  /** Score: the folder the score command may write to. */
  scoreDir?: string;
}

/** How a phase command is handed to the executor besides its request. */
export interface PhaseOptions {
  /** Wait for the command a dead driver started for this log file, if the executor kept it (a Slurm job). */
  adopt?: boolean;
  /** One of the repeats of a trial that the executor may submit together. */
  group?: { id: string; size: number };
}

/** Runs one phase command of a trial through the executor, with its environment and budgets. */
export function runPhase(runtime: StudyRuntime, phase: Exclude<PhaseName, 'setup'>, spec: CommandSpec, target: PhaseTarget, slot: SlotInfo, signal: AbortSignal, options: PhaseOptions = {}): Promise<CommandResult> {
  const t0 = performance.now();
  const request: CommandRequest = {
    command: spec.command,
    cwd: target.cwd,
    env: phaseEnv({
      task: runtime.task,
      paths: runtime.paths,
      trialId: target.trialId,
      seed: target.seed,
      phase,
      gpu: slot.gpu,
      owner: runtime.owner,
      studyName: runtime.studyName,
      ...(target.artifacts !== undefined ? { artifacts: target.artifacts } : {}),
      ...(target.metricsFile !== undefined ? { metricsFile: target.metricsFile } : {}),
      ...(target.checkpointDir !== undefined ? { checkpointDir: target.checkpointDir } : {}),
      ...(target.resumeFrom !== undefined ? { resumeFrom: target.resumeFrom } : {}),
      ...(target.worktree !== undefined ? { worktree: target.worktree } : {}),
      ...(target.diffFile !== undefined ? { diffFile: target.diffFile } : {}),
      ...(target.scoreDir !== undefined ? { scoreDir: target.scoreDir } : {}),
    }),
    timeoutMs: spec.timeoutMs,
    outputCapBytes: phase === 'run' || phase === 'smoke' ? runtime.task.run.outputCapBytes : Math.min(runtime.task.run.outputCapBytes, 1 << 20),
    logFile: target.logFile,
    signal,
    ...(options.adopt === true && { adopt: true }),
    ...(options.group !== undefined && { group: options.group }),
  };
  // The score reads what a trial left: it runs under the run's memory limit too.
  if ((phase === 'run' || phase === 'smoke' || phase === 'score') && runtime.task.run.memoryBytes !== undefined) request.memoryBytes = runtime.task.run.memoryBytes;
  // The executor's own work around the command (environment, sandbox, limits, spawn, teardown) is engine time.
  return runtime.executor.run(request).then((result) => {
    addSpan(target.trialId, `${phase}.executor`, performance.now() - t0 - result.durationMs);
    return result;
  });
}

export function phaseFacts(result: CommandResult): PhaseFacts {
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    aborted: result.aborted,
    spawnError: result.spawnError,
    machineFault: result.machineFault ?? null,
    oomSuspected: result.oomSuspected,
    tail: lastLines(result.outputTail, 20),
  };
}

export function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
