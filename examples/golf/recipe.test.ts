import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The golf recipe run by hand in a temp dir: prepare, a tiny train, score. */
describe('golf recipe', () => {
  let root: string;
  let recipe: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'autolab-golf-test-'));
    recipe = join(root, 'recipe');
    mkdirSync(recipe);
    for (const file of ['prepare.js', 'train.js', 'score.js']) copyFileSync(join(here, file), join(recipe, file));
    // In the repository the scripts are ES modules by the root package.json; the folder has
    // none of its own, so that `npx autolab` inside it finds the repository's autolab.
    writeFileSync(join(recipe, 'package.json'), '{ "type": "module" }\n');
    const config = JSON.parse(readFileSync(join(here, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(recipe, 'config.json'), JSON.stringify({ ...config, steps: 300, log_every: 100 }));
    env = {
      ...process.env,
      AUTOLAB_DATA: join(root, 'data'),
      AUTOLAB_HOLDOUT: join(root, 'holdout'),
      AUTOLAB_ARTIFACTS: join(root, 'artifacts'),
      AUTOLAB_SEED: '0',
    };
    execFileSync(process.execPath, ['prepare.js'], { cwd: recipe, env });
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const node = (script: string, extra: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [script], { cwd: recipe, env: { ...env, ...extra }, encoding: 'utf8' });

  it('prepares a corpus whose holdout is separate from the training text', () => {
    const train = readFileSync(join(root, 'data', 'train.txt'), 'latin1');
    const holdout = readFileSync(join(root, 'holdout', 'holdout.txt'), 'latin1');
    expect(train.length).toBeGreaterThan(300_000);
    expect(holdout.length).toBeGreaterThan(40_000);
    expect(train.includes(holdout.slice(1000, 1200))).toBe(false);
  });

  it('trains deterministically and scores the artifact with a metrics line', () => {
    const first = node('train.js');
    expect(first.status, first.stderr).toBe(0);
    const artifact = readFileSync(join(root, 'artifacts', 'model.bin'));
    expect(node('train.js').status).toBe(0);
    expect(readFileSync(join(root, 'artifacts', 'model.bin')).equals(artifact)).toBe(true);

    const score = node('score.js');
    expect(score.status, score.stderr).toBe(0);
    const metrics = JSON.parse(score.stdout.trim().split('\n').at(-1) ?? '') as { val_bpb: number; artifact_bytes: number };
    expect(Number.isFinite(metrics.val_bpb)).toBe(true);
    // Better than a uniform guess over the 67-character vocabulary (log2 67 = 6.07 bits).
    expect(metrics.val_bpb).toBeGreaterThan(1);
    expect(metrics.val_bpb).toBeLessThan(6);
    expect(metrics.artifact_bytes).toBe(artifact.length);
  });

  it('trains a fraction of its steps on a fidelity level (GOLF_STEP_SCALE), and its ladder task file loads', async () => {
    const small = node('train.js', { GOLF_STEP_SCALE: '0.25' });
    expect(small.status, small.stderr).toBe(0);
    expect(small.stdout).toMatch(/^step 75\/75 /m); // 300 steps in this test's config
    const { loadTaskFile } = await import('../../src/task/load-task.ts');
    const { task } = await loadTaskFile(join(here, 'autolab.ladder.yaml'));
    expect(task.fidelity!.levels.map((level) => [level.name, level.env.GOLF_STEP_SCALE ?? '1', level.scale])).toEqual([
      ['s', '0.25', 0.25],
      ['m', '0.5', 0.5],
      ['full', '1', 1],
    ]);
  });

  it('loads its two-objective task file: bpb and artifact bytes, with a preference', async () => {
    const { loadTaskFile } = await import('../../src/task/load-task.ts');
    const { task } = await loadTaskFile(join(here, 'autolab.pareto.yaml'));
    expect(task.objectives!.map((objective) => [objective.metric, objective.direction])).toEqual([
      ['val_bpb', 'minimize'],
      ['artifact_bytes', 'minimize'],
    ]);
    expect(task.objective.metric).toBe('val_bpb');
    expect(task.preference).toEqual({ weights: { val_bpb: 3, artifact_bytes: 1 } });
    expect(task.gates).toHaveLength(1);
  });

  it('protects every one of its task files in each of them (no trial of one study may edit another variant)', async () => {
    const { loadTaskFile } = await import('../../src/task/load-task.ts');
    const taskFiles = ['autolab.yaml', 'autolab.ladder.yaml', 'autolab.pareto.yaml'];
    for (const file of taskFiles) {
      const { task } = await loadTaskFile(join(here, file));
      expect(task.protected, file).toEqual(expect.arrayContaining(['score.js', 'prepare.js', ...taskFiles]));
    }
  });

  it('refuses a missing or corrupt artifact with a message on stderr', () => {
    const missing = node('score.js', { AUTOLAB_ARTIFACTS: join(root, 'nowhere') });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/cannot read the artifact/);

    const corrupt = join(root, 'corrupt');
    mkdirSync(corrupt);
    writeFileSync(join(corrupt, 'model.bin'), 'not a model');
    const result = node('score.js', { AUTOLAB_ARTIFACTS: corrupt });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/bad magic/);
  });

  it('refuses a model whose weights are not finite', () => {
    const model = readFileSync(join(root, 'artifacts', 'model.bin'));
    const headerLength = model.readUInt32LE(4);
    const header = JSON.parse(model.toString('utf8', 8, 8 + headerLength)) as { tensors: Array<{ scale: number | null }> };
    header.tensors[1]!.scale = null; // what JSON.stringify writes for NaN
    const newHeader = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(newHeader.length);
    const dir = join(root, 'nan');
    mkdirSync(dir);
    writeFileSync(join(dir, 'model.bin'), Buffer.concat([model.subarray(0, 4), length, newHeader, model.subarray(8 + headerLength)]));
    const result = node('score.js', { AUTOLAB_ARTIFACTS: dir });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/model weights are not finite/);
  });

  it('on a continued ladder, resumes from the checkpoint the level below left and trains only the remaining steps', () => {
    const below = join(root, 'artifacts-s');
    const small = node('train.js', { AUTOLAB_ARTIFACTS: below, GOLF_STEP_SCALE: '0.5', GOLF_CHECKPOINT: '1' });
    expect(small.status, small.stderr).toBe(0);
    expect(readFileSync(join(below, 'checkpoint.bin')).length).toBeGreaterThan(1000);
    const resumed = node('train.js', { AUTOLAB_ARTIFACTS: join(root, 'artifacts-full'), AUTOLAB_RESUME_FROM: below, AUTOLAB_RESUME_LEVEL: 's' });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('train: resumed from step 150 (level s); training steps 151 to 300');
    expect(resumed.stdout).not.toMatch(/^step 100\//m); // steps before 150 are not trained again
    const again = node('train.js', { AUTOLAB_ARTIFACTS: join(root, 'artifacts-again'), AUTOLAB_RESUME_FROM: below });
    expect(readFileSync(join(root, 'artifacts-again', 'model.bin')).equals(readFileSync(join(root, 'artifacts-full', 'model.bin')))).toBe(true);
    expect(again.status).toBe(0);
    // The full level writes no checkpoint (its artifacts are held to the 64 KiB gate).
    expect(() => readFileSync(join(root, 'artifacts-full', 'checkpoint.bin'))).toThrow();
    const score = node('score.js', { AUTOLAB_ARTIFACTS: join(root, 'artifacts-full') });
    expect(JSON.parse(score.stdout.trim().split('\n').at(-1) ?? '').artifact_bytes).toBeLessThanOrEqual(65536);
  });

  it('starts over when the checkpoint is of other settings', () => {
    const below = join(root, 'artifacts-s2');
    expect(node('train.js', { AUTOLAB_ARTIFACTS: below, GOLF_STEP_SCALE: '0.5', GOLF_CHECKPOINT: '1' }).status).toBe(0);
    const config = JSON.parse(readFileSync(join(recipe, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(recipe, 'config.json'), JSON.stringify({ ...config, lr: 0.02 }));
    try {
      const other = node('train.js', { AUTOLAB_ARTIFACTS: join(root, 'artifacts-other'), AUTOLAB_RESUME_FROM: below });
      expect(other.status, other.stderr).toBe(0);
      expect(other.stdout).toContain('the checkpoint is of another model or settings; starting over');
    } finally {
      writeFileSync(join(recipe, 'config.json'), JSON.stringify(config));
    }
  });
});
