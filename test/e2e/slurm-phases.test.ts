import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStudy } from '../../src/engine/open-study.ts';
import { runCli } from '../../src/testing/cli.ts';
import { onRealSlurm } from '../../src/testing/on-real-slurm.ts';
import { slurmForTests } from '../../src/testing/slurm-for-tests.ts';
import { gitIn, makeRecipeRepo } from '../../src/testing/recipe-repo.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');
const slurm = slurmForTests();
const bwrapRequired = process.env.AUTOLAB_TEST_BWRAP === '1' || process.env.CI === 'true';

/**
 * `executor.phases: [run, score]`: the score is a Slurm job too (a GPU evaluation), and
 * stays the evaluator's: it runs from the baseline's copy of the protected files, sees
 * the held-out data, and the run (under bubblewrap inside its job) does not.
 */
describe('the score phase as a Slurm job', () => {
  onRealSlurm(
    slurm,
    () => {
      let repo: { dir: string; cleanup: () => Promise<void> };

      beforeAll(async () => {
        repo = await makeRecipeRepo(FIXTURE);
        const train = await readFile(join(repo.dir, 'train.js'), 'utf8');
        // The run looks for the held-out target next to its data folder, where setup wrote it.
        await writeFile(
          join(repo.dir, 'train.js'),
          `${train}\nimport { existsSync as seen } from 'node:fs';\nconsole.log(seen(process.env.AUTOLAB_DATA + '/../holdout/target.json') ? 'holdout visible' : 'holdout hidden');\n`,
        );
        const task = (await readFile(join(repo.dir, 'autolab.yaml'), 'utf8')).replace(/timeout: 3s/g, 'timeout: 120s');
        await writeFile(join(repo.dir, 'autolab.yaml'), `${task}sandbox: bwrap\nexecutor: { kind: slurm, partition: debug, cpus_per_trial: 1, mem: 256MB, poll_interval: 250ms, phases: [run, score], by_phase: { score: { mem: 128MB } } }\n`);
        gitIn(repo.dir, ['commit', '-q', '-am', 'score on Slurm']);
      });

      afterAll(async () => {
        await repo?.cleanup();
      });

      it('scores every trial in a job of its own, from the evaluator checkout, with the held-out data only the score sees', async () => {
        const run = await runCli(['run', repo.dir, '--trials', '1']);
        expect(run.code, run.stderr + run.stdout).toBe(0);
        const study = await openStudy(repo.dir);
        try {
          const trials = await study.trials();
          expect(trials).toHaveLength(2);
          expect(trials[0]).toMatchObject({ status: 'kept', score: 9 });
          expect(trials[1]!.score, JSON.stringify(trials[1])).not.toBeNull();
          for (const id of [0, 1]) {
            const dir = join(repo.dir, '.autolab', 'studies', 'fixture', 'trials', String(id));
            const files = await readdir(dir);
            expect(files).toEqual(expect.arrayContaining(['run.sbatch', 'score.sbatch', 'score.job', 'score.status']));
            const script = await readFile(join(dir, 'score.sbatch'), 'utf8');
            expect(script).toMatch(/#SBATCH --job-name=autolab-[0-9a-f]{8}-\d+-score\n/);
            expect(script).toContain('#SBATCH --mem=123M\n'); // by_phase.score: 128MB
            expect(script).toContain(`autolab_cwd='${join(repo.dir, '.autolab')}`); // the evaluator's checkout, not the trial's worktree
            expect(script).toContain('AUTOLAB_HOLDOUT=');
            expect(await readFile(join(dir, 'run.log'), 'utf8')).toContain('holdout hidden');
            expect(await readFile(join(dir, 'run.sbatch'), 'utf8')).not.toContain('AUTOLAB_HOLDOUT=');
          }
        } finally {
          await study.close();
        }
      }, 600_000);
    },
    { name: 'on a real single-node Slurm with bubblewrap', alsoNeeds: bwrapRequired },
  );
});
