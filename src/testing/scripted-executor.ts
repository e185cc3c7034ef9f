/**
 * An Executor that runs nothing: each phase command gets the result its script says
 * (exit 0 by default), and every request is kept for inspection. For unit tests of the
 * evaluator and the scheduler, where what a command does is the test's input.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CommandRequest, CommandResult, Executor } from '../core/executor.ts';

/** The phases the evaluator runs, as `AUTOLAB_PHASE` names them. */
export type ScriptedPhase = 'setup' | 'legality' | 'preflight' | 'run' | 'score';

/** What one phase returns: a fixed result, or one computed from the request and its call number (1-based, per phase). */
export type PhaseScript = Partial<CommandResult> | ((request: CommandRequest, call: number) => Partial<CommandResult> | Promise<Partial<CommandResult>>);

/** A successful command's result (exit 0, nothing printed), with `overrides`. */
export function commandResult(overrides: Partial<CommandResult> = {}): CommandResult {
  return { exitCode: 0, signal: null, timedOut: false, aborted: false, spawnError: null, durationMs: 5, outputBytes: 0, outputTruncated: false, stdoutTail: '', outputTail: '', oomSuspected: false, logError: null, ...overrides };
}

/** A score command's result that prints `metrics` as its metrics line. */
export function scored(metrics: Record<string, number>): Partial<CommandResult> {
  const line = `${JSON.stringify(metrics)}\n`;
  return { stdoutTail: line, outputTail: line, outputBytes: line.length };
}

/**
 * @example
 * const executor = new ScriptedExecutor({ score: scored({ loss: 1, size: 10 }), run: (request, call) => (call === 2 ? { exitCode: 1, outputTail: 'Traceback' } : {}) });
 * // ... evaluate a trial, then:
 * executor.calls('run'); // the run requests, in order
 */
export class ScriptedExecutor implements Executor {
  readonly kind = 'scripted';
  readonly requests: CommandRequest[] = [];
  private readonly counts = new Map<string, number>();

  constructor(private readonly script: Partial<Record<ScriptedPhase, PhaseScript>> = {}) {}

  async run(request: CommandRequest): Promise<CommandResult> {
    this.requests.push(request);
    const phase = request.env.AUTOLAB_PHASE ?? 'unknown';
    const call = (this.counts.get(phase) ?? 0) + 1;
    this.counts.set(phase, call);
    const entry = this.script[phase as ScriptedPhase];
    const scripted = typeof entry === 'function' ? await entry(request, call) : (entry ?? {});
    const result = commandResult({ ...(request.signal?.aborted ? { exitCode: null, aborted: true } : {}), ...scripted });
    await mkdir(dirname(request.logFile), { recursive: true });
    await writeFile(request.logFile, result.outputTail);
    return result;
  }

  async reapOrphans(): Promise<number> {
    return 0;
  }

  /** The requests of one phase, in order. */
  calls(phase: ScriptedPhase): CommandRequest[] {
    return this.requests.filter((request) => request.env.AUTOLAB_PHASE === phase);
  }
}
