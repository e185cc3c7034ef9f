import { execFileSync, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchScript, parseStatusFile, sbatchOptions, type BatchScriptInput, type JobElement } from './batch-script.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autolab-batch-script-'));
  await mkdir(join(dir, 'work dir'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const element = (overrides: Partial<JobElement> = {}, stem = 'run'): JobElement => ({
  logFile: join(dir, `${stem}.log`),
  statusFile: join(dir, `${stem}.status`),
  tailFile: join(dir, `${stem}.tail`),
  cwd: join(dir, 'work dir'),
  env: { PATH: '/usr/bin:/bin', QUOTED: `it's "x" $HOME \`id\``, CUDA_VISIBLE_DEVICES: '3' },
  command: 'pwd; env | sort; exit 4',
  outputCapBytes: 1 << 20,
  timeoutMs: 60_000,
  ...overrides,
});

const input = (overrides: Partial<BatchScriptInput> = {}, elementOverrides: Partial<JobElement> = {}): BatchScriptInput => ({
  jobName: 'autolab-1a2b3c4d-7-run',
  slurmOutputFile: join(dir, 'run.slurm.log'),
  elements: [element(elementOverrides)],
  resources: { timeLimitMs: 90_000, extraArgs: [] },
  ...overrides,
});

/** Runs a generated script with bash as a node would, with the given job environment (no Slurm needed). */
async function runScript(script: string, jobEnv: Record<string, string>): Promise<{ code: number; output: string }> {
  const file = join(dir, 'job.sbatch');
  await writeFile(file, script);
  try {
    const output = execFileSync('/bin/bash', [file], { env: jobEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, output };
  } catch (error) {
    const failure = error as { status: number; stdout: string; stderr: string };
    return { code: failure.status, output: failure.stdout + failure.stderr };
  }
}

const readLog = (stem = 'run') => readFile(join(dir, `${stem}.log`), 'utf8');
const readStatus = async (stem = 'run') => parseStatusFile(await readFile(join(dir, `${stem}.status`), 'utf8'));

describe('batchScript', () => {
  it('asks Slurm for the resources, one #SBATCH line each, never inheriting the submit environment', () => {
    const options = sbatchOptions({ partition: 'gpu', account: 'lab', gpus: 'a100:2', cpus: 8, memoryBytes: 3 * 1024 ** 3 + 1, nodes: 2, ntasks: 8, ntasksPerNode: 4, timeLimitMs: 61_000, extraArgs: ['--qos=high'] });
    expect(options).toEqual(['--partition=gpu', '--account=lab', '--nodes=2', '--ntasks=8', '--ntasks-per-node=4', '--gres=gpu:a100:2', '--cpus-per-task=8', '--mem=3073M', '--time=2', '--qos=high']);
    expect(sbatchOptions({ gpus: '0', timeLimitMs: 60_000, extraArgs: [] })).toEqual(['--time=1']);
    const script = batchScript(input({ slurmOutputFile: join(dir, 'a b', 'run.slurm.log'), requeue: true, signal: { name: 'USR1', beforeMs: 300_000 }, resources: { partition: 'gpu', timeLimitMs: 60_000, extraArgs: ['--constraint=a100'] } }));
    const directives = script.split('\n').filter((line) => line.startsWith('#SBATCH'));
    expect(directives).toEqual([
      '#SBATCH --job-name=autolab-1a2b3c4d-7-run',
      `#SBATCH --output="${join(dir, 'a b', 'run.slurm.log')}"`,
      '#SBATCH --open-mode=append',
      '#SBATCH --export=NONE',
      '#SBATCH --requeue',
      '#SBATCH --signal=B:USR1@300',
      '#SBATCH --partition=gpu',
      '#SBATCH --time=1',
      '#SBATCH --constraint=a100',
    ]);
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
  });

  it('runs the command in its folder with exactly its environment plus Slurm variables, its output in the log, and records the exit', async () => {
    const { code } = await runScript(batchScript(input()), {
      PATH: '/usr/bin:/bin',
      SECRET_OF_THE_NODE: 'must not leak',
      SLURM_JOB_ID: '99',
      SLURM_EXPORT_ENV: 'NONE',
      CUDA_VISIBLE_DEVICES: '0,1',
    });
    expect(code).toBe(4);
    const lines = (await readLog()).trim().split('\n');
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
    const status = await readStatus();
    expect(status).toMatchObject({ exitCode: 4, cwdMissing: false, droppedBytes: 0, starts: 1 });
    expect(status.endedNs! >= status.startedNs!).toBe(true);
  });

  it('applies the memory, file size and process limits with ulimit, as the local executor does', async () => {
    const script = batchScript(input({}, { command: 'ulimit -v; ulimit -f', memoryBytes: 512 * 1024 * 1024, maxFileBytes: 1024 * 1024, maxProcesses: 500 }));
    expect(script).toMatch(/ulimit -u 500 \|\| ulimit -p 500/);
    await runScript(script, { PATH: '/usr/bin:/bin' });
    expect((await readLog()).trim().split('\n')).toEqual([String(512 * 1024), String(2048)]);
  });

  it('kills what the command left behind when it returns, as the local executor does', async () => {
    const pidFile = join(dir, 'leftover.pid');
    const { code } = await runScript(batchScript(input({}, { command: `sleep 300 & echo $! > '${pidFile}'; exit 5` })), { PATH: '/usr/bin:/bin' });
    expect(code).toBe(5);
    const pid = Number(await readFile(pidFile, 'utf8'));
    const state = async () => (await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => 'gone')).replace(/^.*\) /, '').slice(0, 1);
    expect(['Z', 'g']).toContain(await state()); // a zombie waiting for init, or gone
  });

  it('records a working directory the node cannot see', async () => {
    const { code, output } = await runScript(batchScript(input({}, { cwd: join(dir, 'missing') })), { PATH: '/usr/bin:/bin' });
    expect(code).toBe(1);
    expect(output).toContain('is not visible on');
    expect(await readStatus()).toMatchObject({ cwdMissing: true, exitCode: null });
  });

  it('cuts the output at the cap while the command runs, counting the rest and keeping its end', async () => {
    const command = "i=0; while [ $i -lt 2000 ]; do echo \"line $i of the output\"; i=$((i+1)); done; echo 'the very end' >&2";
    await runScript(batchScript(input({}, { command, outputCapBytes: 1000 })), { PATH: '/usr/bin:/bin' });
    expect((await stat(join(dir, 'run.log'))).size).toBe(1000);
    const status = await readStatus();
    const total = Array.from({ length: 2000 }, (_, i) => `line ${i} of the output\n`).join('').length + 'the very end\n'.length;
    expect(status).toMatchObject({ exitCode: 0, droppedBytes: total - 1000 });
    expect(await readFile(join(dir, 'run.tail'), 'utf8')).toMatch(/line 1999 of the output\nthe very end\n$/);
  });

  it('runs every element of a job array with its own files, environment and command', async () => {
    const elements = [0, 1, 2].map((index) => element({ command: `echo "element ${index} seed=$AUTOLAB_SEED"`, env: { PATH: '/usr/bin:/bin', AUTOLAB_SEED: String(40 + index) } }, `run-e${index}`));
    const script = batchScript(input({ elements, slurmOutputFile: join(dir, 'run.slurm-%a.log') }));
    expect(script).toContain('#SBATCH --array=0-2');
    expect(script).toContain(`#SBATCH --output=${join(dir, 'run.slurm-%a.log')}`);
    await runScript(script, { PATH: '/usr/bin:/bin', SLURM_ARRAY_TASK_ID: '2' });
    expect((await readLog('run-e2')).trim()).toBe('element 2 seed=42');
    expect((await readStatus('run-e2')).exitCode).toBe(0);
  });

  it('lets a prologue prepare the environment the command sees', async () => {
    const script = batchScript(input({ prologue: ['export FROM_PROLOGUE="loaded $AUTOLAB_PHASE"', 'mods() { :; }; mods'] }, { command: 'echo "$FROM_PROLOGUE"', env: { PATH: '/usr/bin:/bin', AUTOLAB_PHASE: 'run' } }));
    await runScript(script, { PATH: '/usr/bin:/bin' });
    expect((await readLog()).trim()).toBe('loaded run');
  });

  it('stages the worktree and artifacts to node-local scratch and copies the artifacts back', async () => {
    const artifacts = join(dir, 'artifacts');
    await mkdir(artifacts, { recursive: true });
    await writeFile(join(dir, 'work dir', 'input.txt'), 'from the worktree\n');
    const scratch = join(dir, 'scratch');
    const command = 'pwd; cat input.txt; echo "$AUTOLAB_ARTIFACTS"; echo model > "$AUTOLAB_ARTIFACTS/model.txt"';
    await runScript(batchScript(input({ scratch: `${scratch}/$USER_SUFFIX` }, { command, env: { PATH: '/usr/bin:/bin', AUTOLAB_ARTIFACTS: artifacts } })), { PATH: '/usr/bin:/bin', SLURM_JOB_ID: '77', USER_SUFFIX: 'me' });
    const [pwd, content, where] = (await readLog()).trim().split('\n');
    expect(pwd).toBe(join(scratch, 'me', 'autolab-77-0', 'work'));
    expect(content).toBe('from the worktree');
    expect(where).toBe(join(scratch, 'me', 'autolab-77-0', 'artifacts'));
    expect(await readFile(join(artifacts, 'model.txt'), 'utf8')).toBe('model\n');
    await expect(stat(join(scratch, 'me', 'autolab-77-0'))).rejects.toThrow(); // the stage is removed
  });

  it('forwards the checkpoint signal to the command, and sends it itself before the budget', async () => {
    const command = "trap 'echo got-usr1; exit 0' USR1; echo ready; while :; do sleep 0.1; done";
    const forwarded = batchScript(input({ signal: { name: 'USR1', beforeMs: 1_000 } }, { command, timeoutMs: 600_000 }));
    const file = join(dir, 'signal.sbatch');
    await writeFile(file, forwarded);
    const child = spawn('/bin/bash', [file], { env: { PATH: '/usr/bin:/bin' }, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // Signal only once the command is up (its trap set): a loaded machine can take many seconds.
    const deadline = Date.now() + 120_000;
    while (!(await readLog().catch(() => '')).includes('ready') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await readLog()).toContain('ready');
    child.kill('SIGUSR1'); // Slurm's --signal=B:USR1@N reaches the batch shell
    expect(await exited).toBe(0);
    // The whole group gets it (the shell's `sleep` child dies of it: "User defined signal 1").
    expect((await readLog()).trim().split('\n').filter((line) => !/signal/i.test(line))).toEqual(['ready', 'got-usr1']);
    // Before the budget (3 s here, the signal 1 s before it): the script's own timer sends it.
    const timed = await runScript(batchScript(input({ signal: { name: 'USR1', beforeMs: 1_000 } }, { command, timeoutMs: 3_000 })), { PATH: '/usr/bin:/bin' });
    expect(timed.code).toBe(0);
    expect((await readLog()).trim().split('\n').filter((line) => !/signal/i.test(line))).toEqual(['ready', 'got-usr1']);
  });

  it('refuses to run a sandboxed command where bubblewrap does not work, saying so in the status file', async () => {
    const fakeBin = join(dir, 'fake-bin');
    await mkdir(fakeBin, { recursive: true });
    await writeFile(join(fakeBin, 'bwrap'), '#!/bin/sh\necho "no user namespaces here" >&2\nexit 1\n');
    await chmod(join(fakeBin, 'bwrap'), 0o755);
    const sandbox = { readOnly: [], writable: [join(dir, 'work dir')], hidden: [], network: false };
    const { code } = await runScript(batchScript(input({}, { command: 'echo ran', sandbox })), { PATH: `${fakeBin}:/usr/bin:/bin` });
    expect(code).toBe(1);
    expect((await readStatus()).nodeProblem).toMatch(/bubblewrap cannot build the sandbox on node .*bwrap failed: no user namespaces here/);
  });
});

describe('parseStatusFile', () => {
  it('reads the last attempt; a killed job has a start but no exit', () => {
    expect(parseStatusFile('started 1700000000000000000 n1\nexited 1 1700000001000000000\nstarted 1700000002000000000 n2\n')).toEqual({
      startedNs: 1700000002000000000n,
      host: 'n2',
      starts: 2,
      exitCode: null,
      endedNs: null,
      cwdMissing: false,
      nodeProblem: null,
      droppedBytes: null,
    });
    expect(parseStatusFile('')).toMatchObject({ startedNs: null, exitCode: null, starts: 0 });
    expect(parseStatusFile('started 1700000000000000000 n1\nstage-failed n1 No space left on device\n').nodeProblem).toBe('the worktree could not be staged to node-local scratch on node n1 (No space left on device)');
  });
});
