import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrialLevelRecord } from '../../src/core/fidelity.ts';
import type { StudyEvent } from '../../src/core/store.ts';
import { openStudy, type Study } from '../../src/engine/open-study.ts';
import { gitIn, makePatch, makeRecipeRepo } from '../../src/testing/recipe-repo.ts';
import { patchProposal, ScriptedSpecialist } from '../../src/testing/scripted-specialist.ts';
import { onRealSlurm } from '../../src/testing/on-real-slurm.ts';
import { slurmForTests } from '../../src/testing/slurm-for-tests.ts';

// A two-level continued ladder on a real Slurm: each level's job asks for the level's own
// resources (its timeout becomes --time, its executor keys --cpus-per-task and --mem), and
// the full level's job resumes from the checkpoint the first level's job left.
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'ladder-resume');
const slurm = slurmForTests();

const FIDELITY = `fidelity:
  levels:
    - { name: s, env: { SIZE: "10" }, scale: 0.1, timeout: 2m }
    - { name: full, env: { SIZE: "100" }, scale: 1, timeout: 4m, executor: { cpus_per_trial: 2, mem: 300MB } }
  promote: { rule: top_k, k: 8 }
  continue: true
`;
const EXECUTOR = 'executor: { kind: slurm, partition: debug, cpus_per_trial: 1, mem: 200MB, poll_interval: 250ms }\n';
/** Appended to the run: what the job was given (Slurm's CPUs and memory, and its time limit as squeue shows it). */
const RECORD_JOB = `
import { execFileSync } from 'node:child_process';
const timeLimit = execFileSync('squeue', ['-h', '-j', process.env.SLURM_JOB_ID, '-o', '%l'], { encoding: 'utf8' }).trim();
writeFileSync(\`\${out}/job.json\`, JSON.stringify({ cpus: Number(process.env.SLURM_CPUS_PER_TASK ?? 0), memMb: Number(process.env.SLURM_MEM_PER_NODE ?? 0), timeLimit }));
`;
/** The evaluator-owned score reports it beside the loss. */
const SCORE = `import { readFileSync } from 'node:fs';
const model = JSON.parse(readFileSync(\`\${process.env.AUTOLAB_ARTIFACTS}/model.json\`, 'utf8'));
const job = JSON.parse(readFileSync(\`\${process.env.AUTOLAB_ARTIFACTS}/job.json\`, 'utf8'));
const [minutes] = job.timeLimit.split(':').map(Number);
console.log(JSON.stringify({ loss: model.final, resumed_from: model.resumed_from, slurm_cpus: job.cpus, slurm_mem_mb: job.memMb, slurm_time_min: minutes }));
`;

const ofTrial = (levels: TrialLevelRecord[], id: number) => levels.filter((record) => record.trialId === id).sort((a, b) => a.level - b.level);

describe('a continued two-level ladder on Slurm, each level with its own resources', () => {
  onRealSlurm(slurm, () => {
    let repo: { dir: string; cleanup: () => Promise<void> };
    let study: Study;
    let levels: TrialLevelRecord[];
    let events: StudyEvent[];

    beforeAll(async () => {
      repo = await makeRecipeRepo(FIXTURE);
      const taskFile = join(repo.dir, 'autolab.yaml');
      const task = (await readFile(taskFile, 'utf8')).replace(/fidelity:\n(?: {2}.*\n)+/, FIDELITY);
      expect(task).toContain('timeout: 4m');
      await writeFile(taskFile, task + EXECUTOR);
      await writeFile(join(repo.dir, 'train.js'), (await readFile(join(repo.dir, 'train.js'), 'utf8')) + RECORD_JOB);
      await writeFile(join(repo.dir, 'score.js'), SCORE);
      gitIn(repo.dir, ['commit', '-q', '-am', 'a two-level continued ladder on Slurm']);
      const patch = await makePatch(repo.dir, { 'config.json': JSON.stringify({ x: 2.5, probe: false }) + '\n' });
      study = await openStudy(repo.dir, { create: true });
      await study.run({ specialists: [new ScriptedSpecialist('scripted', [patchProposal('scripted', 0, patch, { hypothesis: 'x nearer 3' }), null])], trials: 1 });
      levels = await study.store.listTrialLevels!(study.record.id);
      events = await study.store.listEvents(study.record.id);
    }, 900_000);

    afterAll(async () => {
      await study?.close();
      await repo?.cleanup();
    });

    it('resumes the full level\'s job from the checkpoint of the first level\'s job', async () => {
      for (const id of [0, 1]) {
        expect(ofTrial(levels, id).map((record) => [record.levelName, record.status, record.metrics.resumed_from]), `trial #${id}`).toEqual([
          ['s', 'scored', 0],
          ['full', 'scored', 10],
        ]);
      }
      expect(events.filter((event) => event.trialId === 1 && event.type === 'trial.level_resumed').map((event) => event.data)).toEqual([{ level: 1, levelName: 'full', from: 's', problem: null }]);
      expect((await study.trials()).map((trial) => trial.status)).toEqual(['kept', 'kept']);
    });

    it('asks Slurm for each level\'s resources: --time from the level\'s timeout, --cpus-per-task and --mem from its executor keys', () => {
      for (const id of [0, 1]) {
        const [small, full] = ofTrial(levels, id);
        // s: 2 min × 1.1 + 5 min → 8 min; full: 4 min × 1.1 + 5 min → 10 min (Slurm's --time in whole minutes).
        expect(small!.metrics).toMatchObject({ slurm_cpus: 1, slurm_mem_mb: 191, slurm_time_min: 8 });
        expect(full!.metrics).toMatchObject({ slurm_cpus: 2, slurm_mem_mb: 287, slurm_time_min: 10 });
      }
    });
  });
});
