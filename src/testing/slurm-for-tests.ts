import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Executor } from '../core/executor.ts';

/** Whether the tests that need a real Slurm run here, and what to say when they cannot. */
export interface SlurmForTests {
  /** A controller answers and a node is up: run the tests. */
  available: boolean;
  /** CI (`CI=true`) or `AUTOLAB_TEST_SLURM=1`: a missing Slurm is a failure, not a skip. */
  required: boolean;
  /** Why Slurm is not usable (null when it is). */
  problem: string | null;
}

/**
 * Decides whether the real-Slurm tests run: they need `AUTOLAB_TEST_SLURM=1` (exported by
 * `.ci/services/slurm.sh`, which starts a single-node cluster) and a node that `sinfo`
 * shows up. Outside CI without the variable they are skipped; in CI (or with the
 * variable set) a missing Slurm makes them fail with `problem`.
 *
 * @example
 * const slurm = slurmForTests();
 * describe.runIf(slurm.available)('on a real Slurm', () => { ... });
 * it.runIf(!slurm.available && slurm.required)('has a Slurm to test against', () => { throw new Error(slurm.problem!); });
 */
export function slurmForTests(env: NodeJS.ProcessEnv = process.env): SlurmForTests {
  const required = env.CI === 'true' || env.AUTOLAB_TEST_SLURM === '1';
  if (env.AUTOLAB_TEST_SLURM !== '1') {
    return { available: false, required, problem: 'AUTOLAB_TEST_SLURM is not set: start a test cluster with .ci/services/slurm.sh (it exports AUTOLAB_TEST_SLURM=1)' };
  }
  try {
    const states = execFileSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
    if (!/^(idle|mixed|allocated|completing)/m.test(states)) {
      return { available: false, required, problem: `Slurm answers but no node is up (sinfo: ${states.trim() || 'nothing'}); see /var/log/slurm/*.log` };
    }
    return { available: true, required, problem: null };
  } catch (error) {
    return { available: false, required, problem: `Slurm is not reachable (${(error as Error).message.split('\n')[0]}): run .ci/services/slurm.sh` };
  }
}

/**
 * How long one trivial job takes on this cluster right now, from submission to result
 * (sbatch, the queue, the node's launch, polls, reading the output): real-Slurm tests
 * derive every budget they give a command from it, so that they hold on a loaded node.
 * Throws when the job does not succeed.
 *
 * @example
 * const startupMs = await measureSlurmStartupMs(new SlurmExecutor({ pollIntervalMs: 250 }), dir, 'node -e 0');
 * const budgetMs = Math.max(3_000, 2 * startupMs);
 */
export async function measureSlurmStartupMs(executor: Executor, dir: string, command = 'true'): Promise<number> {
  const started = performance.now();
  const result = await executor.run({
    command,
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', AUTOLAB_RUN_TOKEN: `startup-${randomUUID()}`, AUTOLAB_PHASE: 'startup' },
    timeoutMs: 300_000,
    outputCapBytes: 1 << 16,
    logFile: join(dir, `startup-${randomUUID()}.log`),
  });
  if (result.exitCode !== 0) throw new Error(`a trivial Slurm job (${command}) failed: ${JSON.stringify(result)}`);
  return performance.now() - started;
}
