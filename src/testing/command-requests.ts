import type { CommandRequest } from '../core/executor.ts';

/** Where and how an executor test's commands run; read when each request is made. */
export interface CommandRequestDefaults {
  /** The command's working folder (a function: tests make their folder in `beforeAll`). */
  cwd: () => string;
  /** The log file of the `n`th request (1-based). */
  logFile: (n: number) => string;
  timeoutMs: number;
  /** Variables beside `PATH` for the `n`th request. */
  env?: (n: number) => Record<string, string>;
}

/** Makes numbered executor requests; `made()` is how many were made so far. */
export interface CommandRequestMaker {
  (command: string, overrides?: Partial<CommandRequest>): CommandRequest;
  made(): number;
}

/**
 * The executor tests' request factory: each call numbers a request, gives it its own log
 * file and `PATH`, a 1 MiB output cap, and the test's defaults, which `overrides` replace.
 *
 * @example
 * const request = commandRequests({ cwd: () => dir, logFile: (n) => join(dir, `run-${n}.log`), timeoutMs: 20_000 });
 * await executor.run(request('echo hi'));
 * request.made(); // 1
 */
export function commandRequests(defaults: CommandRequestDefaults): CommandRequestMaker {
  let count = 0;
  const make = (command: string, overrides: Partial<CommandRequest> = {}): CommandRequest => {
    count += 1;
    return {
      command,
      cwd: defaults.cwd(),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...defaults.env?.(count) },
      timeoutMs: defaults.timeoutMs,
      outputCapBytes: 1 << 20,
      logFile: defaults.logFile(count),
      ...overrides,
    };
  };
  return Object.assign(make, { made: () => count });
}
