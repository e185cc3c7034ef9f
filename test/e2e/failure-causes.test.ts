/**
 * Failure signatures through the CLI, on a real Python recipe whose model asserts that
 * d_model is a multiple of n_heads (test/fixtures/heads-recipe): stored with each failed
 * trial, in `--json`, named on one line by `submit`, `trials`, `status` and `failures`
 * (never the vocabulary the run printed first), grouped by cause, and fed back in the
 * lineage; then the smoke phase (`smoke:`) on real processes: its label, its signature,
 * its budget, and a full run never spent after it fails.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/testing/cli.ts';
import { gitIn, makePatch, makeRecipeRepo } from '../../src/testing/recipe-repo.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'heads-recipe');
const PYTHON = process.env.AUTOLAB_PYTHON ?? '/usr/bin/python3';
const SIGNATURE = 'AssertionError at model.py: assert d_model % n_heads == <n>';
const cleanups: Array<() => Promise<void>> = [];
let patches: string | null = null;

/** A folder for patch files, outside the recipe. */
async function patchDir(): Promise<string> {
  if (patches === null) {
    const dir = await mkdtemp(join(tmpdir(), 'autolab-patches-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    patches = dir;
  }
  return patches;
}

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function recipe(withSmoke: boolean, smokeLine?: string): Promise<string> {
  const repo = await makeRecipeRepo(FIXTURE);
  cleanups.push(repo.cleanup);
  // The system's Python (a pyenv shim in the hidden home folder does not run in the sandbox).
  const file = join(repo.dir, 'autolab.yaml');
  let yaml = readFileSync(file, 'utf8').replace(/python3 /g, `${PYTHON} `);
  if (!withSmoke) yaml = yaml.replace(/^smoke: .*\n/m, '');
  if (smokeLine !== undefined) yaml = yaml.replace(/^smoke: .*\n/m, `${smokeLine}\n`);
  writeFileSync(file, yaml);
  gitIn(repo.dir, ['commit', '-q', '-am', 'this machine']);
  return repo.dir;
}

/** `autolab submit` of a config with these values, against the baseline; its `--json` output. */
async function submitConfig(dir: string, values: Record<string, number>, hypothesis: string): Promise<{ code: number | null; trial: Record<string, any>; stderr: string }> {
  const config = { d_model: 128, n_heads: 4, smoke_sleep: 0, run_sleep: 0, ...values };
  const patch = await makePatch(dir, { 'config.json': JSON.stringify(config) + '\n' });
  const file = join(await patchDir(), `${hypothesis.replace(/\W+/g, '-')}.patch`);
  await writeFile(file, patch);
  const result = await runCli(['submit', file, '--hypothesis', hypothesis, '--parent', '0', '--specialist', 'tuner', '--json', '--task', dir]);
  return { code: result.code, trial: JSON.parse(result.stdout), stderr: result.stderr };
}

describe('failure causes through the CLI, on a real recipe that crashes with a traceback', () => {
  it('stores, shows and groups the cause of each crash', async () => {
    const dir = await recipe(false);
    const crashed = [];
    for (const heads of [3, 5, 6]) {
      const { code, trial } = await submitConfig(dir, { n_heads: heads }, `${heads} heads`);
      expect(code).toBe(5);
      crashed.push(trial);
    }
    expect(crashed.map((trial) => trial.label)).toEqual(['crash', 'crash', 'crash']);
    for (const trial of crashed) {
      expect(trial.failure).toEqual({
        signature: `crash ${SIGNATURE}`,
        summary: 'crash AssertionError at model.py:6 assert d_model % n_heads == 0',
        frame: { file: 'model.py', line: 6, source: 'assert d_model % n_heads == 0' },
      });
    }
    const good = await submitConfig(dir, { n_heads: 8 }, '8 heads');
    expect(good.trial).toMatchObject({ status: 'discarded', failure: null });

    // The plain submit line names the cause.
    const patch = await makePatch(dir, { 'config.json': JSON.stringify({ d_model: 128, n_heads: 7, smoke_sleep: 0, run_sleep: 0 }) + '\n' });
    await writeFile(join(await patchDir(), '7.patch'), patch);
    const plain = await runCli(['submit', join(await patchDir(), '7.patch'), '--hypothesis', '7 heads', '--parent', '0', '--task', dir]);
    expect(plain.stdout).toContain('trial #5 crash AssertionError at model.py:6 assert d_model % n_heads == 0');

    const json = JSON.parse((await runCli(['trials', dir, '--json'])).stdout) as Array<Record<string, any>>;
    expect(json.map((trial) => trial.failure?.signature ?? null)).toEqual([null, ...Array(3).fill(`crash ${SIGNATURE}`), null, `crash ${SIGNATURE}`]);
    const shown = JSON.parse((await runCli(['show', '2', '--task', dir, '--json'])).stdout);
    expect(shown.failure.frame).toEqual({ file: 'model.py', line: 6, source: 'assert d_model % n_heads == 0' });

    // One line per trial names the cause, never the first lines the run printed.
    const table = (await runCli(['trials', dir])).stdout;
    const row = table.split('\n').find((line) => line.startsWith('#2 '))!;
    expect(row).toContain('crash AssertionError at model.py:6 assert d_model % n_heads == 0');
    expect(table).not.toContain('vocab:');

    const status = await runCli(['status', dir]);
    expect(status.stdout).toContain('failures by cause');
    expect(status.stdout).toMatch(/4\s+crash\s+#1 … #5\s+AssertionError at model\.py:6 assert d_model % n_heads == 0/);
    const statusJson = JSON.parse((await runCli(['status', dir, '--json'])).stdout);
    expect(statusJson.failures).toEqual([expect.objectContaining({ signature: `crash ${SIGNATURE}`, count: 4, firstTrial: 1, lastTrial: 5, label: 'crash' })]);

    const failures = JSON.parse((await runCli(['failures', dir, '--json'])).stdout);
    expect(failures).toEqual([
      {
        signature: `crash ${SIGNATURE}`,
        label: 'crash',
        summary: 'crash AssertionError at model.py:6 assert d_model % n_heads == 0',
        frame: { file: 'model.py', line: 6, source: 'assert d_model % n_heads == 0' },
        count: 4,
        firstTrial: 1,
        lastTrial: 5,
        trials: [1, 2, 3, 5],
        specialists: { tuner: 3, manual: 1 },
      },
    ]);
    const listed = await runCli(['failures', dir]);
    expect(listed.stdout).toContain('4 × crash AssertionError at model.py:6 assert d_model % n_heads == 0');
    expect(listed.stdout).toContain('trials: #1 #2 #3 #5 · tuner 3, manual 1');

    // The lineage a specialist reads: one block for the cause, the traceback once, the values that hit it against the one that did not.
    const lineage = (await runCli(['lineage', dir, '--specialist', 'tuner'])).stdout;
    expect(lineage).toContain('### 4 × crash AssertionError at model.py:6 assert d_model % n_heads == 0');
    expect(lineage.match(/Traceback \(most recent call last\)/g)).toHaveLength(1);
    expect(lineage).toContain('- #5 manual: config.json: { "d_model": 128, "n_heads": 4, "smoke_sleep": 0, "run_sleep": 0 } → {"d_model":128,"n_heads":7,');
    expect(lineage).toContain('- #3 tuner: config.json: { "d_model": 128, "n_heads": 4, "smoke_sleep": 0, "run_sleep": 0 } → {"d_model":128,"n_heads":6,');
    expect(lineage).toMatch(/The nearest trials that did not \(scored\):\n- #0 baseline \(kept, 2\): \(no change\)/);
    expect(lineage).not.toContain('vocab:');
  }, 600_000);

  it('smoke: a crash fails the smoke run (smoke_failed, with its signature) and a hung smoke run is killed at its budget; neither spends the full run', async () => {
    // A smoke budget of 6 s (a smoke run here takes under 0.4 s at load 20): the hung run is killed 14 s sooner than at the fixture's 20 s.
    const dir = await recipe(true, 'smoke: { timeout: 6s }');
    const crashed = await submitConfig(dir, { n_heads: 3 }, 'three heads');
    expect(crashed.code).toBe(5);
    expect(crashed.trial).toMatchObject({ status: 'failed', label: 'smoke_failed' });
    expect(crashed.trial.failure).toMatchObject({ signature: `smoke_failed ${SIGNATURE}`, summary: 'smoke_failed AssertionError at model.py:6 assert d_model % n_heads == 0' });
    expect(crashed.trial.timings.smokeMs).toBeGreaterThan(0);
    expect(crashed.trial.timings.runMs).toBeUndefined();
    const trialDir = join(dir, '.autolab', 'studies', 'heads', 'trials', String(crashed.trial.id));
    expect(existsSync(join(trialDir, 'smoke.log'))).toBe(true);
    expect(existsSync(join(trialDir, 'run.log'))).toBe(false);

    const hung = await submitConfig(dir, { smoke_sleep: 600 }, 'a smoke run that hangs');
    expect(hung.trial).toMatchObject({ status: 'failed', label: 'smoke_failed' });
    expect(hung.trial.failure.signature).toBe('smoke_failed timed out');
    expect(hung.trial.labelDetail).toMatch(/^smoke run killed at its budget/);
    expect(hung.trial.timings.smokeMs).toBeGreaterThanOrEqual(6_000);
    expect(hung.trial.timings.smokeMs).toBeLessThan(120_000);
    expect(hung.trial.timings.runMs).toBeUndefined();

    // A recipe that passes its smoke run (AUTOLAB_SMOKE=1: one step, nothing written) is then run and scored in full.
    const good = await submitConfig(dir, { n_heads: 8 }, 'eight heads');
    expect(good.trial).toMatchObject({ status: 'discarded', score: 2.04, label: null });
    expect(good.trial.timings.smokeMs).toBeGreaterThan(0);
    expect(good.trial.timings.runMs).toBeGreaterThan(0);
    expect(readFileSync(join(dir, '.autolab', 'studies', 'heads', 'trials', String(good.trial.id), 'smoke.log'), 'utf8')).toContain('smoke: one step ok');

    const failures = JSON.parse((await runCli(['failures', dir, '--json'])).stdout) as Array<{ signature: string; count: number }>;
    expect(failures.map((cause) => [cause.signature, cause.count])).toEqual([
      ['smoke_failed timed out', 1],
      [`smoke_failed ${SIGNATURE}`, 1],
    ]);
  }, 600_000);

  it('smoke gates: a size gate missed by the smoke run\'s artifacts, or the artifact limit, fails the trial before its full run', async () => {
    const dir = await recipe(true, 'smoke: { timeout: 20s, gates: ["weights_bytes <= 40000"] }\ngates: ["weights_bytes <= 40000"]\nlimits: { max_artifact_bytes: 100KB }');
    // 128 x 8 x 64 bytes of weights: over the gate, though the model itself works.
    const big = await submitConfig(dir, { n_heads: 8 }, 'eight heads');
    expect(big.code).toBe(5);
    expect(big.trial).toMatchObject({ status: 'failed', label: 'smoke_failed' });
    expect(big.trial.labelDetail).toBe("smoke run's artifacts: gate missed: weights_bytes = 65536, gate <= 40000 (missed by 25536, 63.8%)");
    expect(big.trial.failure).toMatchObject({ signature: 'smoke_failed gate weights_bytes <= 40000' });
    expect(big.trial.timings.runMs).toBeUndefined();
    const trialDir = join(dir, '.autolab', 'studies', 'heads', 'trials', String(big.trial.id));
    expect(existsSync(join(trialDir, 'smoke-score.log'))).toBe(true);
    expect(existsSync(join(trialDir, 'run.log'))).toBe(false);

    // Over max_artifact_bytes: caught by the evaluator's own measure, no score needed.
    const huge = await submitConfig(dir, { d_model: 256, n_heads: 8 }, 'a wide model');
    expect(huge.trial).toMatchObject({ status: 'failed', label: 'smoke_failed', labelDetail: "smoke run's artifacts: artifacts are 131072 bytes, over the limit of 100000" });
    expect(huge.trial.failure.signature).toBe('smoke_failed artifacts limit');

    // Within the gate: the smoke passes and the full run is scored (and judged by the same gate).
    const small = await submitConfig(dir, { n_heads: 2 }, 'two heads');
    expect(small.trial).toMatchObject({ status: 'discarded', label: null, score: 2.02 });
    expect(small.trial.timings.runMs).toBeGreaterThan(0);
  }, 600_000);
});
