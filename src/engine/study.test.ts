import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrialRecord } from '../core/trial.ts';
import { makePatch } from '../testing/recipe-repo.ts';
import { patchProposal, ScriptedSpecialist } from '../testing/scripted-specialist.ts';
import { openStudy, waitForStudy } from './open-study.ts';
import { useRecipeRepos } from '../testing/recipe-repos.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'recipe');
const repos = useRecipeRepos(FIXTURE);
const { recipe } = repos;

describe('the Study facade', () => {
  it('study.run() prepares, measures the baseline, drives the given specialists and summarises', async () => {
    const dir = await recipe();
    const patch = await makePatch(dir, { 'config.json': '{ "x": 2.5 }\n' });
    const study = await openStudy(dir, { create: true });
    repos.defer(() => study.close());
    const ready: Array<{ baseline: TrialRecord; incumbent: TrialRecord | null }> = [];
    const tuner = new ScriptedSpecialist('tuner', [patchProposal('tuner', 0, patch, { hypothesis: 'x closer to 3' })]);
    const summary = await study.run({ trials: 1, specialists: [tuner], onReady: (state) => ready.push(state) });
    expect(ready).toHaveLength(1);
    expect(ready[0]!.baseline).toMatchObject({ id: 0, status: 'kept' });
    expect(summary).toMatchObject({ stopReason: '--trials 1 reached', trialsRun: 1, incumbent: { id: 1, status: 'kept', hypothesis: 'x closer to 3' } });
    expect(summary.incumbent.score!).toBeLessThan(ready[0]!.baseline.score!);
  });

  it('refuses --remote and work() on a store that hosts cannot share', async () => {
    const dir = await recipe();
    const study = await openStudy(dir, { create: true });
    repos.defer(() => study.close());
    await expect(study.run({ remote: true, specialists: [] })).rejects.toMatchObject({ name: 'UsageError', message: expect.stringMatching(/needs a store they share/) });
    await expect(study.work()).rejects.toMatchObject({ name: 'UsageError', message: expect.stringMatching(/no work queue/) });
    const never = new AbortController().signal;
    await expect(waitForStudy(dir, { store: join(dir, '.autolab', 'autolab.db'), signal: never })).rejects.toMatchObject({ name: 'UsageError' });
  });

  it('refuses study names that would leave their folder, naming the rule', async () => {
    const dir = await recipe();
    await expect(openStudy(dir, { create: true, study: '../elsewhere' })).rejects.toMatchObject({
      name: 'UsageError',
      message: 'invalid study name "../elsewhere" (the study option (--study)): a study name cannot contain `/` or `\\` (it names one folder)',
    });
    await expect(openStudy(dir, { create: true, study: '..' })).rejects.toMatchObject({ name: 'UsageError' });
    await expect(openStudy(dir, { create: true, study: '-rf' })).rejects.toMatchObject({ name: 'UsageError' });
  });
});
