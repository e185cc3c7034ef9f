import { spawn } from 'node:child_process';

/** What a short-lived helper program said; `started: false` when it could not be started (not on PATH). */
export interface QuietResult {
  started: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs a program briefly for a check (`git --version`, `nvidia-smi -L`), never through a
 * shell, killing it after `timeoutMs`; output is capped at 64 KiB per stream.
 *
 * @example const result = await runQuiet('git', ['--version']); // { started: true, code: 0, stdout: 'git version 2.39.5\n', ... }
 */
export function runQuiet(file: string, args: readonly string[], options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<QuietResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let child;
    try {
      child = spawn(file, [...args], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch {
      resolve({ started: false, code: null, stdout, stderr, timedOut });
      return;
    }
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.length < 65_536) stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 65_536) stderr += chunk.toString('utf8');
    });
    child.on('error', () => {
      clearTimeout(timer);
      resolve({ started: false, code: null, stdout, stderr, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ started: true, code, stdout, stderr, timedOut });
    });
  });
}
