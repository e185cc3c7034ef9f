import { spawn } from 'node:child_process';

/**
 * Runs a Python script (a peer's side of a benchmark, e.g. Optuna) and resolves with its
 * stdout; rejects with the command and the last lines of its stderr when it exits non-zero.
 *
 * @example
 * const out = await runPython('python3', ['bench/samplers-optuna.py', 'branin', '--seeds', '0,1']);
 * const result = lastJsonLine<{ runs: unknown[] }>(out);
 */
export function runPython(python: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${python} ${args.join(' ')} exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/** The last line of `stdout` parsed as JSON (the line a benchmark's peer ends with). */
export function lastJsonLine<T>(stdout: string): T {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as T;
  } catch (error) {
    throw new Error(`expected a JSON line at the end of the output, got: ${line.slice(0, 200)}`, { cause: error });
  }
}
