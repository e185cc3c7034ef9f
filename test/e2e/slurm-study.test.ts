import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStudy, type Study } from '../../src/engine/open-study.ts';
import { SlurmExecutor, tokenTag } from '../../src/executors/slurm/slurm-executor.ts';
import { measureSlurmStartupMs, slurmForTests } from '../../src/testing/slurm-for-tests.ts';
import { runCli } from '../../src/testing/cli.ts';
import { gitIn, makePatch, makeRecipeRepo, readText } from '../../src/testing/recipe-repo.ts';
import { onRealSlurm } from '../../src/testing/on-real-slurm.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');
const slurm = slurmForTests();

function squeue(): Array<{ id: string; name: string }> {
  const text = execFileSync('squeue', ['-h', '--me', '-o', '%i %j'], { encoding: 'utf8' });
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id, name] = line.trim().split(/\s+/);
      return { id: id!, name: name! };
    });
}

/**
 * The fixture study (objective (x - 3)^2) with its run phase on a real single-node Slurm:
 * `executor: { kind: slurm }` in its task file. Setup and score stay on this machine.
 */
describe('a study on Slurm', () => {
  // In CI a missing Slurm fails the run (it must never be skipped there); elsewhere the
  // tests below are left out.
  onRealSlurm(slurm, () => {
    let repo: { dir: string; cleanup: () => Promise<void> };
    let study: Study | undefined;
    /**
     * The run and score budget, whole seconds: the fixture's 3s, or three times what a
     * trivial `node` job takes on this cluster now, plus 3s (a loaded node starts jobs
     * late and fills memory slowly: a fixed 3s ran out before the memory hog reached its
     * limit, labelling it run_timeout). At most 50s, so the jobs' --time (budget + 10% +
     * 5 minutes) stays 6 minutes.
     */
    let budgetS = 3;

    beforeAll(async () => {
      repo = await makeRecipeRepo(FIXTURE);
      const scratch = await mkdtemp(join(tmpdir(), 'autolab-slurm-startup-'));
      const startupMs = await measureSlurmStartupMs(new SlurmExecutor({ partition: 'debug', pollIntervalMs: 250 }), scratch, 'node -e 0').finally(() => rm(scratch, { recursive: true, force: true }));
      budgetS = Math.min(50, Math.max(3, Math.ceil((3 * startupMs + 3_000) / 1_000)));
      const taskFile = join(repo.dir, 'autolab.yaml');
      const task = (await readFile(taskFile, 'utf8')).replace(/(command: node (train|score)\.js, timeout:) 3s/g, `$1 ${budgetS}s`);
      // The run and score lines only (preflight's `node --check train.js, timeout: 10s` must not count).
      expect(task.match(new RegExp(`command: node (train|score)\\.js, timeout: ${budgetS}s`, 'g'))).toHaveLength(2);
      await writeFile(taskFile, `${task}executor: { kind: slurm, partition: debug, cpus_per_trial: 1, mem: 256MB, poll_interval: 250ms }\n`);
      gitIn(repo.dir, ['commit', '-q', '-am', 'run the trials on Slurm']);
    });

    afterAll(async () => {
      await study?.close();
      await repo?.cleanup();
    });

    it('runs end to end from the CLI: baseline and trials are sbatch jobs, scored on the driver', async () => {
      const run = await runCli(['run', repo.dir, '--trials', '3']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/Stopped: --trials 3 reached/);
      study = await openStudy(repo.dir, { create: true });
      const trials = await study.trials();
      expect(trials).toHaveLength(4);
      expect(trials[0]).toMatchObject({ id: 0, status: 'kept', score: 9 });
      for (const trial of trials) {
        expect(trial.label, JSON.stringify(trial)).not.toBe('infra_error');
        expect(['kept', 'discarded', 'failed']).toContain(trial.status);
      }
      const trialDir = join(repo.dir, '.autolab', 'studies', 'fixture', 'trials', '1');
      const files = await readdir(trialDir);
      expect(files).toEqual(expect.arrayContaining(['run.sbatch', 'run.status', 'run.log']));
      const script = await readFile(join(trialDir, 'run.sbatch'), 'utf8');
      expect(script).toMatch(/#SBATCH --job-name=autolab-[0-9a-f]{8}-1-run\n/);
      expect(script).toContain('#SBATCH --partition=debug\n#SBATCH --cpus-per-task=1\n#SBATCH --mem=245M\n#SBATCH --time=6\n');
      expect(await readFile(join(trialDir, 'run.log'), 'utf8')).toMatch(/^trained with x=/);
      // the score phase ran here, not as a job
      expect(files).not.toContain('score.sbatch');
    }, 300_000);

    it('labels what Slurm reports: a crash with its exit code, a run_timeout (scancelled), oom, a cancel by someone else as infra_error', async () => {
      study ??= await openStudy(repo.dir, { create: true });
      const signal = new AbortController().signal;
      await study.prepare(signal);
      const train = await readText(repo.dir, 'train.js');
      // Patches are made one at a time (makePatch edits the repo's working copy), then run side by side.
      const patchOf = (source: string) => makePatch(repo.dir, { 'train.js': source });
      const submit = (patch: string, hypothesis: string) => study!.submit({ specialist: 'manual', parent: 0, hypothesis, edit: { kind: 'patch', patch } }, signal);
      const crashPatch = await patchOf(`${train}\nthrow new Error("diverged at step 7");\n`);
      const hangPatch = await patchOf(`${train}\nsetTimeout(() => {}, 60_000);\n`);
      const cancelPatch = await patchOf(`${train}\nsetTimeout(() => {}, 20_000);\n`);
      // 64 MB a step, past the job's --mem of 256MB within four steps: Slurm kills it (OverMemoryKill in the CI cluster, the cgroup elsewhere)
      const hogPatch = await patchOf(`${train}\nconst held = []; for (;;) held.push(Buffer.alloc(64e6, 1));\n`);
      const [crash, hang, hog] = await Promise.all([submit(crashPatch, 'crash'), submit(hangPatch, 'hang past the budget'), submit(hogPatch, 'hold all the memory')]);
      expect(crash).toMatchObject({ status: 'failed', label: 'crash' });
      expect(crash.labelDetail).toContain('exited with code 1');
      expect(crash.labelDetail).toContain('diverged at step 7');
      expect(hang).toMatchObject({ status: 'failed', label: 'run_timeout' });
      expect(hang.timings.runMs!).toBeGreaterThanOrEqual(budgetS * 1_000 - 1_000); // Slurm's accounting counts whole seconds
      expect(hog).toMatchObject({ status: 'failed', label: 'oom' });

      const tag = tokenTag(study!.owner.token);
      const cancelled = submit(cancelPatch, 'cancelled by an administrator');
      let victim: { id: string; name: string } | undefined;
      const deadline = Date.now() + budgetS * 1_000 + 30_000;
      while (!victim && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        victim = squeue().find((job) => job.name.startsWith(`autolab-${tag}-`) && job.name.endsWith('-run'));
      }
      expect(victim).toBeDefined();
      execFileSync('scancel', [victim!.id]);
      const trial = await cancelled;
      expect(trial).toMatchObject({ status: 'failed', label: 'infra_error' });
      expect(trial.labelDetail).toMatch(/cancelled outside autolab/);
      expect(squeue().filter((job) => job.name.startsWith(`autolab-${tag}-`))).toEqual([]);
    }, 300_000);
  });
});
