import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const here = import.meta.dirname;
const hasSklearn = spawnSync('sh', [join(here, 'py.sh'), '-c', 'pass'], { encoding: 'utf8' }).status === 0;
if (!hasSklearn && process.env.CI === 'true') {
  throw new Error('python3 with numpy and scikit-learn is missing in CI: .ci/services/python.sh should install python3-sklearn');
}

describe.skipIf(!hasSklearn)('the digits speedrun recipe', () => {
  const dir = mkdtempSync(join(tmpdir(), 'autolab-digits-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = { ...process.env, AUTOLAB_DATA: join(dir, 'data'), AUTOLAB_HOLDOUT: join(dir, 'holdout'), AUTOLAB_ARTIFACTS: join(dir, 'artifacts'), AUTOLAB_SEED: '1', OMP_NUM_THREADS: '1' };

  it('prepares, trains quickly on a small budget and scores held-out accuracy', () => {
    const recipe = join(dir, 'recipe');
    cpSync(here, recipe, { recursive: true });
    const config = JSON.parse(readFileSync(join(recipe, 'config.json'), 'utf8'));
    writeFileSync(join(recipe, 'config.json'), JSON.stringify({ ...config, max_iter: 15, lr: 0.01 }));
    execFileSync('mkdir', ['-p', env.AUTOLAB_ARTIFACTS]);
    execFileSync('sh', ['py.sh', 'prepare.py'], { cwd: recipe, env });
    execFileSync('sh', ['py.sh', 'train.py'], { cwd: recipe, env });
    const lines = execFileSync('sh', ['py.sh', 'score.py'], { cwd: recipe, env, encoding: 'utf8' }).trim().split('\n');
    const metrics = JSON.parse(lines.at(-1)!);
    expect(metrics.accuracy).toBeGreaterThan(0.9);
    expect(metrics.accuracy).toBeLessThanOrEqual(1);
  }, 120_000);

  it('fails the score phase clearly when the run left no predictions', () => {
    const result = spawnSync('sh', [join(here, 'py.sh'), join(here, 'score.py')], { env: { ...env, AUTOLAB_ARTIFACTS: join(dir, 'empty') }, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('cannot read');
  });
});
