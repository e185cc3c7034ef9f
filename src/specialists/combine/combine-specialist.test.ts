import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Specialist } from '../../core/specialist.ts';
import type { Proposal, TrialRecord } from '../../core/trial.ts';
import { openStudy, type Study } from '../../engine/open-study.ts';
import { buildProposalContext } from '../../scheduler/proposal-context.ts';
import { gitIn, makePatch, makeRecipeRepo } from '../../testing/recipe-repo.ts';
import { createSpecialist } from '../registry.ts';
import { parseCombineNotes } from './combine-history.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'recipe');

/**
 * A real study over the fixture recipe (loss = (x - 3)^2, x read from config.json).
 * Two lineages from the baseline: #1 moves x to 1 in config.json; #2 adds an offset of
 * 1.5 through lib/util.js and train.js. Combining them gives x = 2.5.
 */
describe('combine, on a real study', () => {
  let repo: { dir: string; cleanup: () => Promise<void> };
  let study: Study;
  let combine: Specialist;
  const signal = new AbortController().signal;

  const submit = async (changes: Parameters<typeof makePatch>[1], hypothesis: string, parent = 0): Promise<TrialRecord> => {
    const patch = await makePatch(repo.dir, changes);
    return study.submit({ specialist: 'manual', parent, hypothesis, edit: { kind: 'patch', patch } }, signal);
  };
  const propose = async (): Promise<Proposal | null> => {
    const { runtime } = await study.prepare(signal);
    return combine.propose(await buildProposalContext(runtime, combine, { signal }));
  };

  beforeAll(async () => {
    repo = await makeRecipeRepo(FIXTURE);
    const taskFile = join(repo.dir, 'autolab.yaml');
    const text = await readFile(taskFile, 'utf8');
    await writeFile(taskFile, text.replace('specialists:\n', 'specialists:\n  - { name: combine, kind: combine, surface: recipe }\n'));
    gitIn(repo.dir, ['commit', '-qam', 'declare combine']);
    study = await openStudy(repo.dir, { create: true });
    combine = createSpecialist(study.task.specialists.find((spec) => spec.name === 'combine')!, study.task);
    const { baseline } = await study.prepare(signal);
    expect(baseline.score).toBe(9);
  });

  afterAll(async () => {
    await study?.close();
    await repo?.cleanup();
  });

  it('has nothing to combine while every kept trial is on the incumbent lineage', async () => {
    expect(await propose()).toBeNull();
    const a = await submit({ 'config.json': '{\n  "x": 1\n}\n' }, 'move x to 1');
    expect(a).toMatchObject({ id: 1, status: 'kept', score: 4 });
    expect(await propose()).toBeNull();
  });

  it('ports a kept lineage onto the incumbent with a three-way merge; the trial has both changes and scores', async () => {
    const train = await readFile(join(repo.dir, 'train.js'), 'utf8');
    const b = await submit(
      {
        'lib/util.js': 'export const unused = 1;\nexport const offset = 1.5;\n',
        'train.js': train.replace("import { readFileSync, writeFileSync } from 'node:fs';", "import { readFileSync, writeFileSync } from 'node:fs';\nimport { offset } from './lib/util.js';").replace('x: config.x,', 'x: config.x + offset,'),
      },
      'shift x by an offset of 1.5',
    );
    expect(b).toMatchObject({ id: 2, parent: 0, status: 'kept', score: 2.25 });

    const proposal = await propose();
    expect(proposal).not.toBeNull();
    expect(proposal!.parent).toBe(2);
    expect(proposal!.hypothesis).toContain('port #1 "move x to 1" (Δ -5 loss)');
    expect(proposal!.hypothesis).toContain('onto incumbent #2 "shift x by an offset of 1.5" (Δ -6.75 loss vs baseline)');
    expect(proposal!.expectedDelta).toBe(-5);
    expect(parseCombineNotes(proposal!.notes!)).toEqual({ into: 2, sources: [1], bases: [0], conflicts: [] });
    expect(proposal!.edit.kind).toBe('patch');
    const patch = (proposal!.edit as { patch: string }).patch;
    expect(patch).toContain('+  "x": 1');
    expect(patch).not.toContain('lib/util.js');

    const combined = await study.submit(proposal!, signal);
    expect(combined).toMatchObject({ id: 3, parent: 2, specialist: 'combine', status: 'kept', score: 0.25, label: null });
    const { runtime } = await study.prepare(signal);
    const full = await runtime.workspace.diffBetween(runtime.baselineCommit, combined.commit!);
    expect(full).toContain('+  "x": 1');
    expect(full).toContain('+export const offset = 1.5;');
    expect(full).toContain('x: config.x + offset');
  });

  it('does not port what the incumbent already contains through an earlier combine', async () => {
    // #3 contains #2 (its parent) and #1 (merged in, recorded in its notes).
    expect(await propose()).toBeNull();
  });

  it('labels conflicts: a pair that cannot merge is proposed once, fails as apply_failed, and is not retried', async () => {
    const d = await submit({ 'config.json': '{\n  "x": 3.1\n}\n' }, 'move x to 3.1');
    expect(d).toMatchObject({ id: 4, parent: 0, status: 'kept' });

    // Candidates, best first: #3 (conflicts in config.json), #2 (merges cleanly), #1 (conflicts).
    const clean = await propose();
    expect(parseCombineNotes(clean!.notes!)).toEqual({ into: 4, sources: [2], bases: [0], conflicts: [] });
    const port = await study.submit(clean!, signal);
    expect(port).toMatchObject({ parent: 4, status: 'discarded' }); // x = 4.6: combining does not always help
    expect(port.score).toBeCloseTo(2.56, 10);

    // Every untried candidate conflicts now: the best one is proposed with its raw patch.
    const conflict = await propose();
    const note = parseCombineNotes(conflict!.notes!)!;
    expect(note).toMatchObject({ into: 4, sources: [3], bases: [0] });
    expect(note.conflicts).toEqual(['config.json']);
    expect(conflict!.hypothesis).toContain('port #2 "shift x by an offset of 1.5" (Δ -6.75 loss) + #3');
    expect(conflict!.hypothesis).toContain('conflicts in config.json');
    const failed = await study.submit(conflict!, signal);
    expect(failed).toMatchObject({ status: 'failed', label: 'apply_failed', commit: null });
    expect(failed.labelDetail).toContain('config.json');

    const second = await propose();
    expect(parseCombineNotes(second!.notes!)).toMatchObject({ into: 4, sources: [1], conflicts: ['config.json'] });
    expect((await study.submit(second!, signal)).label).toBe('apply_failed');

    expect(await propose()).toBeNull();
  });
});
