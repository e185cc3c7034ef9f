import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrialLevelRecord } from '../../src/core/fidelity.ts';
import { openStudy, type Study } from '../../src/engine/open-study.ts';
import { gitIn, makePatch, makeRecipeRepo } from '../../src/testing/recipe-repo.ts';
import { patchProposal, ScriptedSpecialist } from '../../src/testing/scripted-specialist.ts';
import { slurmForTests } from '../../src/testing/slurm-for-tests.ts';
import { onRealSlurm } from '../../src/testing/on-real-slurm.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'ladder');
const slurm = slurmForTests();

/** The run records what it was given (GPUs, Slurm's memory); the evaluator-owned score reports it. */
const TRAIN = `import { readFileSync, writeFileSync } from 'node:fs';
const config = JSON.parse(readFileSync('config.json', 'utf8'));
const scale = Number(process.env.SIZE ?? 100) / 100;
const final = 1 + 0.2 * (config.x - 3) ** 2 + 0.5 * scale ** -0.5;
writeFileSync(process.env.AUTOLAB_ARTIFACTS + '/model.json', JSON.stringify({ final, cuda: process.env.CUDA_VISIBLE_DEVICES ?? '', slurmMem: Number(process.env.SLURM_MEM_PER_NODE ?? 0) }));
`;
const SCORE = `import { readFileSync } from 'node:fs';
const model = JSON.parse(readFileSync(process.env.AUTOLAB_ARTIFACTS + '/model.json', 'utf8'));
const gpus = model.cuda.split(',').filter(Boolean);
console.log(JSON.stringify({ loss: model.final, gpu_count: gpus.length, gpu_first: gpus.length > 0 ? Number(gpus[0]) : -1, slurm_mem_mb: model.slurmMem }));
`;

/** A recipe on a three-level ladder whose last level asks for `fullLevel` resources, under `extra` task keys. */
async function ladderRepo(fullLevel: string, extra: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const repo = await makeRecipeRepo(FIXTURE);
  const taskFile = join(repo.dir, 'autolab.yaml');
  const task = (await readFile(taskFile, 'utf8')).replace('- { name: full, env: { SIZE: "100" }, scale: 1 }', `- { name: full, env: { SIZE: "100" }, scale: 1, ${fullLevel} }`);
  expect(task).toContain(fullLevel);
  await writeFile(taskFile, task + extra);
  await writeFile(join(repo.dir, 'train.js'), TRAIN);
  await writeFile(join(repo.dir, 'score.js'), SCORE);
  gitIn(repo.dir, ['commit', '-q', '-am', 'per-level resources']);
  return repo;
}

/** The baseline, then one trial better everywhere (it climbs to full), then one far worse (stopped at s). */
async function runLadder(dir: string): Promise<{ study: Study; levels: TrialLevelRecord[] }> {
  const config = async (x: number) => makePatch(dir, { 'config.json': JSON.stringify({ x, trick: 0 }) + '\n' });
  const turns = [patchProposal('scripted', 0, await config(2.5), { hypothesis: 'x nearer 3' }), patchProposal('scripted', 0, await config(6), { hypothesis: 'x far off' }), null];
  const study = await openStudy(dir, { create: true });
  await study.run({ specialists: [new ScriptedSpecialist('scripted', turns)], trials: 2 });
  return { study, levels: await study.store.listTrialLevels!(study.record.id) };
}

const at = (levels: TrialLevelRecord[], trialId: number, level: string) => levels.find((record) => record.trialId === trialId && record.levelName === level);

describe('per-level resources on a fidelity ladder', () => {
  describe('local slots: the full level holds two slots and sees both GPUs', () => {
    let repo: { dir: string; cleanup: () => Promise<void> };
    let study: Study;
    let levels: TrialLevelRecord[];

    beforeAll(async () => {
      repo = await ladderRepo('slots: 2', 'parallel: 2\ngpus: ["0", "1"]\n');
      ({ study, levels } = await runLadder(repo.dir));
    }, 600_000);

    afterAll(async () => {
      await study?.close();
      await repo?.cleanup();
    });

    it('runs the lower levels on one slot (one GPU) and the full level on two (CUDA_VISIBLE_DEVICES=0,1)', () => {
      for (const trialId of [0, 1]) {
        expect(at(levels, trialId, 's')!.metrics.gpu_count).toBe(1);
        expect(at(levels, trialId, 'm')!.metrics.gpu_count).toBe(1);
        expect(at(levels, trialId, 'full')!.metrics).toMatchObject({ gpu_count: 2, gpu_first: 0 });
      }
      expect(at(levels, 2, 'full')).toBeUndefined();
    });

    it('records the trials as usual: the climber kept at full, the other stopped at s', async () => {
      const trials = await study.trials();
      expect(trials.map((trial) => [trial.id, trial.status])).toEqual([
        [0, 'kept'],
        [1, 'kept'],
        [2, 'failed'],
      ]);
      expect(trials[2]!.label).toBe('pruned');
    });
  });

  describe('Slurm: the full level asks for its own memory', () => {
    onRealSlurm(slurm, () => {
      let repo: { dir: string; cleanup: () => Promise<void> };
      let study: Study;
      let levels: TrialLevelRecord[];

      beforeAll(async () => {
        // Generous budgets: a loaded node starts jobs late (autolab enforces them; Slurm's --time adds 5 minutes).
        repo = await ladderRepo('executor: { mem: 300MB }', 'executor: { kind: slurm, partition: debug, cpus_per_trial: 1, mem: 200MB, poll_interval: 250ms }\n');
        const taskFile = join(repo.dir, 'autolab.yaml');
        await writeFile(taskFile, (await readFile(taskFile, 'utf8')).replace('timeout: 20s', 'timeout: 120s'));
        gitIn(repo.dir, ['commit', '-q', '-am', 'generous budget']);
        ({ study, levels } = await runLadder(repo.dir));
      }, 900_000);

      afterAll(async () => {
        await study?.close();
        await repo?.cleanup();
      });

      it('submits the lower levels with the executor\'s --mem and the full level with its own', async () => {
        for (const trialId of [0, 1]) {
          expect(at(levels, trialId, 's')!.metrics.slurm_mem_mb).toBe(191); // 200 MB in MiB, rounded up
          expect(at(levels, trialId, 'full')!.metrics.slurm_mem_mb).toBe(287); // 300 MB
        }
        const trialDir = join(repo.dir, '.autolab', 'studies', 'ladder', 'trials', '1');
        const scripts = (await readdir(trialDir)).filter((name) => name.endsWith('.sbatch'));
        expect(scripts.length).toBeGreaterThan(0);
        const texts = await Promise.all(scripts.map((name) => readFile(join(trialDir, name), 'utf8')));
        expect(texts.some((text) => text.includes('--mem=287M'))).toBe(true);
        expect((await study.trials()).map((trial) => trial.status)).toEqual(['kept', 'kept', 'failed']);
      });
    });
  });
});
