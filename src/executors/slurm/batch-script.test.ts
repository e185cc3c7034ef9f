import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchScript, parseStatusFile, sbatchOptions, type BatchScriptInput } from './batch-script.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autolab-batch-script-'));
  await mkdir(join(dir, 'work dir'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const input = (overrides: Partial<BatchScriptInput> = {}): BatchScriptInput => ({
  jobName: 'autolab-1a2b3c4d-7-run',
  outputFile: join(dir, 'run.log'),
  statusFile: join(dir, 'run.status'),
  cwd: join(dir, 'work dir'),
  env: { PATH: '/usr/bin:/bin', QUOTED: `it's "x" $HOME \`id\``, CUDA_VISIBLE_DEVICES: '3' },
  command: 'pwd; env | sort; exit 4',
  resources: { timeLimitMs: 90_000, extraArgs: [] },
  ...overrides,
});

/** Runs a generated script with /bin/sh as a node would, with the given job environment (no Slurm needed). */
async function runScript(script: string, jobEnv: Record<string, string>): Promise<{ code: number; output: string }> {
  const file = join(dir, 'job.sbatch');
  await writeFile(file, script);
  try {
    const output = execFileSync('/bin/sh', [file], { env: jobEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, output };
  } catch (error) {
    const failure = error as { status: number; stdout: string; stderr: string };
    return { code: failure.status, output: failure.stdout + failure.stderr };
  }
}

describe('batchScript', () => {
  it('asks Slurm for the resources, one #SBATCH line each, never inheriting the submit environment', () => {
    const options = sbatchOptions({ partition: 'gpu', account: 'lab', gpus: 2, cpus: 8, memoryBytes: 3 * 1024 ** 3 + 1, timeLimitMs: 61_000, extraArgs: ['--qos=high'] });
    expect(options).toEqual(['--partition=gpu', '--account=lab', '--gres=gpu:2', '--cpus-per-task=8', '--mem=3073M', '--time=2', '--qos=high']);
    const script = batchScript(input({ outputFile: join(dir, 'a b', 'run.log'), resources: { partition: 'gpu', timeLimitMs: 60_000, extraArgs: ['--constraint=a100'] } }));
    const directives = script.split('\n').filter((line) => line.startsWith('#SBATCH'));
    expect(directives).toEqual([
      '#SBATCH --job-name=autolab-1a2b3c4d-7-run',
      `#SBATCH --output="${join(dir, 'a b', 'run.log')}"`,
      '#SBATCH --open-mode=truncate',
      '#SBATCH --export=NONE',
      '#SBATCH --no-requeue',
      '#SBATCH --partition=gpu',
      '#SBATCH --time=1',
      '#SBATCH --constraint=a100',
    ]);
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
  });

  it('runs the command in its folder with exactly its environment plus Slurm variables, and records the exit', async () => {
    const { code, output } = await runScript(batchScript(input()), {
      PATH: '/usr/bin:/bin',
      SECRET_OF_THE_NODE: 'must not leak',
      SLURM_JOB_ID: '99',
      SLURM_EXPORT_ENV: 'NONE',
      CUDA_VISIBLE_DEVICES: '0,1',
    });
    expect(code).toBe(4);
    const lines = output.trim().split('\n');
    expect(lines[0]).toBe(join(dir, 'work dir'));
    const env = lines.slice(1).filter((line) => /^[A-Z_]+=/.test(line));
    expect(env).toEqual([
      // Slurm's GPU binding overrides the slot's; SLURM_EXPORT_ENV is dropped (it would break srun inside).
      'CUDA_VISIBLE_DEVICES=0,1',
      'PATH=/usr/bin:/bin',
      `PWD=${join(dir, 'work dir')}`,
      `QUOTED=it's "x" $HOME \`id\``,
      'SLURM_JOB_ID=99',
    ]);
    const status = parseStatusFile(await readFile(join(dir, 'run.status'), 'utf8'));
    expect(status).toMatchObject({ exitCode: 4, cwdMissing: false });
    expect(status.endedNs! >= status.startedNs!).toBe(true);
  });

  it('applies the memory, file size and process limits with ulimit, as the local executor does', async () => {
    const script = batchScript(input({ command: 'ulimit -v; ulimit -f', memoryBytes: 512 * 1024 * 1024, maxFileBytes: 1024 * 1024, maxProcesses: 500 }));
    expect(script).toMatch(/ulimit -u 500 \|\| ulimit -p 500/);
    const { output } = await runScript(script, { PATH: '/usr/bin:/bin' });
    expect(output.trim().split('\n')).toEqual([String(512 * 1024), String(2048)]);
  });

  it('kills what the command left behind when it returns, as the local executor does', async () => {
    const pidFile = join(dir, 'leftover.pid');
    const { code } = await runScript(batchScript(input({ command: `sleep 300 & echo $! > '${pidFile}'; exit 5` })), { PATH: '/usr/bin:/bin' });
    expect(code).toBe(5);
    const pid = Number(await readFile(pidFile, 'utf8'));
    const state = async () => (await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => 'gone')).replace(/^.*\) /, '').slice(0, 1);
    expect(['Z', 'g']).toContain(await state()); // a zombie waiting for init, or gone
  });

  it('records a working directory the node cannot see', async () => {
    const { code, output } = await runScript(batchScript(input({ cwd: join(dir, 'missing') })), { PATH: '/usr/bin:/bin' });
    expect(code).toBe(1);
    expect(output).toContain('is not visible on');
    expect(parseStatusFile(await readFile(join(dir, 'run.status'), 'utf8'))).toMatchObject({ cwdMissing: true, exitCode: null });
  });

  it('can be a job array: one output and status file per element, which knows its index', async () => {
    const script = batchScript(input({ array: { indices: '0-2' }, command: 'echo "index=$AUTOLAB_ARRAY_INDEX"' }));
    expect(script).toContain('#SBATCH --array=0-2');
    expect(script).toContain(`#SBATCH --output=${join(dir, 'run.log')}.%a`);
    const { output } = await runScript(script, { PATH: '/usr/bin:/bin', SLURM_ARRAY_TASK_ID: '2' });
    expect(output.trim()).toBe('index=2');
    expect(parseStatusFile(await readFile(join(dir, 'run.status.2'), 'utf8')).exitCode).toBe(0);
  });
});

describe('parseStatusFile', () => {
  it('reads the last attempt; a killed job has a start but no exit', () => {
    expect(parseStatusFile('started 1700000000000000000 n1\nexited 1 1700000001000000000\nstarted 1700000002000000000 n2\n')).toEqual({
      startedNs: 1700000002000000000n,
      host: 'n2',
      exitCode: null,
      endedNs: null,
      cwdMissing: false,
    });
    expect(parseStatusFile('')).toMatchObject({ startedNs: null, exitCode: null });
  });
});
