import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trialHistoryOf } from '../../core/trial-history.ts';
import type { ProposalContext, Specialist } from '../../core/specialist.ts';
import type { SpecialistSpec, TaskSpec } from '../../core/task.ts';
import type { Proposal, TrialRecord, TrialStatus } from '../../core/trial.ts';
import { openStudy, type Study } from '../../engine/open-study.ts';
import { buildProposalContext } from '../../scheduler/proposal-context.ts';
import { gitIn, makePatch, makeRecipeRepo } from '../../testing/recipe-repo.ts';
import { createSpecialist } from '../registry.ts';
import { parseAblationNotes } from './ablation-history.ts';
import { createAblateSpecialist } from './ablate-specialist.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'recipe');

/**
 * A real study over the fixture recipe (loss = (x - 3)^2). The incumbent #1 changes three
 * files: config.json moves x to 2 (helps), lib/util.js gains a line (does nothing),
 * train.js subtracts 0.5 from x (hurts). Ablate removes one hunk at a time.
 */
describe('ablate, on a real study', () => {
  let repo: { dir: string; cleanup: () => Promise<void> };
  let study: Study;
  let ablate: Specialist;
  const signal = new AbortController().signal;

  const propose = async (): Promise<Proposal | null> => {
    const { runtime } = await study.prepare(signal);
    return ablate.propose(await buildProposalContext(runtime, ablate, { signal }));
  };

  beforeAll(async () => {
    repo = await makeRecipeRepo(FIXTURE);
    const taskFile = join(repo.dir, 'autolab.yaml');
    const text = await readFile(taskFile, 'utf8');
    await writeFile(taskFile, text.replace('specialists:\n', 'specialists:\n  - { name: ablate, kind: ablate, surface: recipe }\n'));
    gitIn(repo.dir, ['commit', '-qam', 'declare ablate']);
    study = await openStudy(repo.dir, { create: true });
    ablate = createSpecialist(study.task.specialists.find((spec) => spec.name === 'ablate')!, study.task);
    await study.prepare(signal);
  });

  afterAll(async () => {
    await study?.close();
    await repo?.cleanup();
  });

  it('has nothing to ablate on the baseline', async () => {
    expect(await propose()).toBeNull();
  });

  it('removes one hunk at a time, keeps a removal that helps, reports equal ones, and stops when all were tried', async () => {
    const train = await readFile(join(repo.dir, 'train.js'), 'utf8');
    const patch = await makePatch(repo.dir, {
      'config.json': '{\n  "x": 2\n}\n',
      'lib/util.js': 'export const unused = 1;\nexport const alsoUnused = 2;\n',
      'train.js': train.replace('x: config.x,', 'x: config.x - 0.5,'),
    });
    const incumbent = await study.submit({ specialist: 'manual', parent: 0, hypothesis: 'x to 2, a helper, and a shift', edit: { kind: 'patch', patch } }, signal);
    expect(incumbent).toMatchObject({ id: 1, status: 'kept', score: 2.25 });

    // 1: without the config.json hunk, x = -0.5: worse.
    const first = await propose();
    expect(first!.parent).toBe(1);
    expect(first!.hypothesis).toBe('ablate: remove hunk 1/1 of config.json ("x": 2) from #1 to test whether it matters');
    expect(parseAblationNotes(first!.notes!)).toMatchObject({ incumbent: 1, units: ['hunk 1/1 of config.json ("x": 2)'], of: 3, granularity: 'hunk' });
    const worse = await study.submit(first!, signal);
    expect(worse).toMatchObject({ specialist: 'ablate', status: 'discarded', score: 12.25 });

    // 2: without the lib/util.js hunk: the same score (a simpler equal recipe, discarded by `better`).
    const second = await propose();
    expect(second!.hypothesis).toContain('hunk 1/1 of lib/util.js (export const alsoUnused = 2;)');
    expect(second!.notes).toContain('Parts that matter (worse without them):\n- #2 without hunk 1/1 of config.json ("x": 2) (Δ +10 loss)');
    const equal = await study.submit(second!, signal);
    expect(equal).toMatchObject({ status: 'discarded', score: 2.25 });

    // 3: without the train.js shift, x = 2: better, kept; the recipe got simpler.
    const third = await propose();
    expect(third!.hypothesis).toContain('of train.js (');
    expect(third!.notes).toContain('Simpler recipes that scored equal or better (these parts do not matter):\n- #3 without hunk 1/1 of lib/util.js');
    const better = await study.submit(third!, signal);
    expect(better).toMatchObject({ parent: 1, status: 'kept', score: 1 });
    const { runtime } = await study.prepare(signal);
    const remaining = await runtime.workspace.diffBetween(runtime.baselineCommit, better.commit!);
    expect(remaining).toContain('+  "x": 2');
    expect(remaining).toContain('alsoUnused');
    expect(remaining).not.toContain('train.js');

    // The new incumbent's two hunks were both tried already (recognised by content).
    expect(await propose()).toBeNull();
  });
});

/** Bisection over a fake lineage (no git): the groups, and what is skipped after an equal result. */
describe('ablate: bisection', () => {
  const hunkFile = (name: string, count: number) => {
    const lines = [`diff --git a/${name} b/${name}`, `index 1111111..2222222 100644`, `--- a/${name}`, `+++ b/${name}`];
    for (let i = 0; i < count; i++) lines.push(`@@ -${i * 10 + 1} +${i * 10 + 1} @@`, `-old ${name} ${i}`, `+new ${name} ${i}`);
    return lines.join('\n') + '\n';
  };
  const diff = hunkFile('a.py', 3) + hunkFile('b.py', 1);
  const spec: SpecialistSpec = { name: 'ablate', kind: 'ablate', surface: 'all', options: { granularity: 'bisect' } };
  const task = {
    objective: { metric: 'loss', direction: 'minimize' },
    protected: [],
    surfaces: { all: { name: 'all', paths: ['*.py'], knobs: [] } },
    specialists: [spec],
  } as unknown as TaskSpec;

  const record = (id: number, status: TrialStatus, score: number | null, parent: number | null, notes = ''): TrialRecord =>
    ({ id, status, score, parent, notes, label: null, labelDetail: null, specialist: id === 0 ? 'baseline' : 'ablate', hypothesis: '', commit: 'c' }) as unknown as TrialRecord;

  const contextWith = (trials: TrialRecord[]): ProposalContext =>
    ({
      task,
      surface: task.surfaces['all'],
      incumbent: trials.find((trial) => trial.id === 1),
      history: trialHistoryOf(trials),
      workspace: { diffBetween: async () => diff, createScratch: async () => Promise.reject(new Error('not used')) },
      signal: new AbortController().signal,
    }) as unknown as ProposalContext;

  it('walks halves, then quarters, and skips the pieces of a half that did not matter', async () => {
    const ablate = createAblateSpecialist(spec, task);
    const trials = [record(0, 'kept', 10, null), record(1, 'kept', 5, 0)];
    const seen: string[][] = [];
    // Outcomes by what was removed: anything with hunk 1 of a.py hurts; the rest is equal.
    for (let step = 0; step < 10; step++) {
      const proposal = await ablate.propose(contextWith(trials));
      if (proposal === null) break;
      const note = parseAblationNotes(proposal.notes!)!;
      seen.push(note.units);
      const hurts = note.units.some((unit) => unit.startsWith('hunk 1/3 of a.py'));
      trials.push(record(trials.length, 'discarded', hurts ? 7 : 5, 1, proposal.notes));
    }
    expect(seen).toEqual([
      ['hunk 1/3 of a.py (new a.py 0)', 'hunk 2/3 of a.py (new a.py 1)'],
      ['hunk 3/3 of a.py (new a.py 2)', 'hunk 1/1 of b.py (new b.py 0)'],
      // The first half mattered: split it. The second did not: its quarters are skipped.
      ['hunk 1/3 of a.py (new a.py 0)'],
      ['hunk 2/3 of a.py (new a.py 1)'],
    ]);
  });

  it('proposes nothing for a single-unit diff (without it the recipe is the baseline)', async () => {
    const single: ProposalContext = { ...contextWith([record(0, 'kept', 10, null), record(1, 'kept', 5, 0)]), workspace: { diffBetween: async () => hunkFile('a.py', 1), createScratch: async () => Promise.reject(new Error('not used')) } };
    for (const granularity of ['hunk', 'file', 'bisect']) {
      expect(await createAblateSpecialist({ ...spec, options: { granularity } }, task).propose(single)).toBeNull();
    }
  });

  it('waits for a half to be measured before splitting it', async () => {
    const ablate = createAblateSpecialist(spec, task);
    const trials = [record(0, 'kept', 10, null), record(1, 'kept', 5, 0)];
    for (let step = 0; step < 2; step++) {
      const proposal = await ablate.propose(contextWith(trials));
      trials.push(record(trials.length, 'running', null, 1, proposal!.notes));
    }
    expect(await ablate.propose(contextWith(trials))).toBeNull();
  });
});
