import type { CommandRequest, CommandResult } from '../core/executor.ts';
import type { PhaseFacts } from '../core/outcome.ts';
import type { CommandSpec } from '../core/task.ts';
import type { EvaluatorContext, SlotInfo } from './evaluate-trial.ts';
import { phaseEnv, type PhaseName } from './phase-env.ts';

/** Where one phase command of one repeat reads and writes. */
export interface PhaseTarget {
  trialId: number;
  seed: number;
  cwd: string;
  logFile: string;
  artifacts?: string;
  metricsFile?: string;
}

/** Runs one phase command of a trial through the executor, with its environment and budgets. */
export function runPhase(ctx: EvaluatorContext, phase: Exclude<PhaseName, 'setup'>, spec: CommandSpec, target: PhaseTarget, slot: SlotInfo, signal: AbortSignal): Promise<CommandResult> {
  const request: CommandRequest = {
    command: spec.command,
    cwd: target.cwd,
    env: phaseEnv({
      task: ctx.task,
      paths: ctx.paths,
      trialId: target.trialId,
      seed: target.seed,
      phase,
      gpu: slot.gpu,
      owner: ctx.owner,
      studyName: ctx.studyName,
      ...(target.artifacts !== undefined ? { artifacts: target.artifacts } : {}),
      ...(target.metricsFile !== undefined ? { metricsFile: target.metricsFile } : {}),
    }),
    timeoutMs: spec.timeoutMs,
    outputCapBytes: phase === 'run' ? ctx.task.run.outputCapBytes : Math.min(ctx.task.run.outputCapBytes, 1 << 20),
    logFile: target.logFile,
    signal,
  };
  if (phase === 'run' && ctx.task.run.memoryBytes !== undefined) request.memoryBytes = ctx.task.run.memoryBytes;
  return ctx.executor.run(request);
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
