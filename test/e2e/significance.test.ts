import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStudy, type Study } from '../../src/engine/open-study.ts';
import { gitIn, makePatch, makeRecipeRepo } from '../../src/testing/recipe-repo.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'noisy');
const signal = new AbortController().signal;

async function studyOf(overrides: (yaml: string) => string) {
  const repo = await makeRecipeRepo(FIXTURE);
  const file = join(repo.dir, 'autolab.yaml');
  writeFileSync(file, overrides(readFileSync(file, 'utf8')));
  gitIn(repo.dir, ['commit', '-qam', 'task for this test', '--allow-empty']);
  const study = await openStudy(repo.dir, { create: true });
  return { repo, study };
}

const config = (values: Record<string, number>) => ({ 'config.json': JSON.stringify(values, null, 2) + '\n' });

describe('repeats, calibration and significance on a noisy recipe', () => {
  let repo: { dir: string; cleanup: () => Promise<void> };
  let study: Study;
  beforeAll(async () => {
    ({ repo, study } = await studyOf((yaml) => yaml));
  });
  afterAll(async () => {
    await study?.close();
    await repo?.cleanup();
  });

  const submit = async (values: Record<string, number>, hypothesis: string) =>
    study.submit({ specialist: 'manual', parent: 0, hypothesis, edit: { kind: 'patch', patch: await makePatch(repo.dir, config(values)) } }, signal);

  it('calibrates the baseline with 5 repeats of distinct seeds and measures its noise', async () => {
    const { baseline } = await study.prepare(signal);
    expect(baseline.repeats.map((repeat) => repeat.seed)).toEqual([0, 1, 2, 3, 4]);
    expect(baseline.metrics.repeats_n).toBe(5);
    expect(baseline.metrics.loss_std).toBeGreaterThan(0.1);
    expect(baseline.repeats.every((repeat) => repeat.metrics.run_seconds! > 0)).toBe(true);
    expect(baseline.score).toBeCloseTo(baseline.repeats.reduce((sum, repeat) => sum + repeat.metrics.loss!, 0) / 5, 10);
  });

  it('crowns no lucky trial when an edit only changes the noise', async () => {
    for (let salt = 1; salt <= 6; salt++) {
      const trial = await submit({ x: 1, salt }, `same recipe, different noise (${salt})`);
      expect(trial.status).not.toBe('kept');
      expect(trial.repeats).toHaveLength(3);
      if (trial.label !== null) expect(trial.label).toBe('not_significant');
    }
    expect((await study.incumbent())!.id).toBe(0);
  });

  it('finds a real improvement, verifies it on fresh repeats and records the evidence', async () => {
    const trial = await submit({ x: 2.5, salt: 0 }, 'move x towards 3');
    expect(trial.status).toBe('kept');
    expect(trial.repeats.map((repeat) => [repeat.seed, repeat.verification])).toEqual([
      [0, false], [1, false], [2, false], [3, true], [4, true], [5, true],
    ]);
    expect(trial.metrics.p_value).toBeLessThan(0.01);
    expect(trial.metrics.verify_p_value).toBeLessThan(0.01);
    expect(trial.metrics).toMatchObject({ n: 3, verify_n: 3, incumbent_n: 5, repeats_n: 6 });
  });
});

describe('pruning on learning curves', () => {
  let repo: { dir: string; cleanup: () => Promise<void> };
  let study: Study;
  beforeAll(async () => {
    ({ repo, study } = await studyOf((yaml) =>
      yaml
        .replace('repeats: 3', 'repeats: 1')
        .replace('calibration: 5', 'calibration: 1')
        .replace('acceptance: { rule: welch, alpha: 0.01, verify: 3 }', 'acceptance: { rule: better }\npruner: { kind: median, metric: val_loss, warmup_steps: 2, min_trials: 2 }'),
    ));
    await study.prepare(signal);
  });
  afterAll(async () => {
    await study?.close();
    await repo?.cleanup();
  });

  const submit = async (values: Record<string, number>, hypothesis: string) =>
    study.submit({ specialist: 'manual', parent: 0, hypothesis, edit: { kind: 'patch', patch: await makePatch(repo.dir, config({ steps: 10, step_ms: 120, sigma: 0, ...values })) } }, signal);

  it('stops a clearly losing run early, keeps its curve and the compute it saved', async () => {
    await submit({ x: 2 }, 'a good one');
    await submit({ x: 2.5 }, 'a better one');
    const losing = await submit({ x: 40 }, 'a hopeless one');
    expect(losing).toMatchObject({ status: 'failed', label: 'pruned' });
    expect(losing.labelDetail).toContain('median pruner');
    const steps = losing.curve.filter((point) => point.name === 'val_loss').map((point) => point.step);
    expect(steps.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...steps)).toBeLessThan(10);
    expect(losing.metrics.pruned_saved_seconds).toBeGreaterThan(0);
  });

  it('lets a winning run finish', async () => {
    const winner = await submit({ x: 3 }, 'the best one');
    expect(winner.status).toBe('kept');
    expect(winner.curve.filter((point) => point.name === 'val_loss')).toHaveLength(10);
  });
});
