import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditEventsOf } from '../../src/core/audit-events.ts';
import type { TrialLevelRecord } from '../../src/core/fidelity.ts';
import type { TrialRecord } from '../../src/core/trial.ts';
import { openStudy } from '../../src/engine/open-study.ts';
import { makePatch, makeRecipeRepo } from '../../src/testing/recipe-repo.ts';
import { patchProposal, ScriptedSpecialist } from '../../src/testing/scripted-specialist.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'ladder');
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

/**
 * The ladder fixture as two levels (s, full), one slot, `successive_halving` with eta 3
 * (min_rung 3 by default): the baseline x = 1; proposals set x (best at 3).
 */
async function studyOf(xs: number[], trials: number): Promise<{ trials: TrialRecord[]; levels: TrialLevelRecord[]; promoted: Map<number, string> }> {
  const fixture = await mkdtemp(join(tmpdir(), 'autolab-min-rung-'));
  cleanups.push(() => rm(fixture, { recursive: true, force: true }));
  await cp(FIXTURE, fixture, { recursive: true });
  const task = (await readFile(join(fixture, 'autolab.yaml'), 'utf8'))
    .replace('    - { name: m, env: { SIZE: "30" }, scale: 0.3 }\n', '')
    .replace('{ rule: successive_halving, eta: 2 }', '{ rule: successive_halving, eta: 3 }');
  await writeFile(join(fixture, 'autolab.yaml'), `${task}parallel: 1\n`);
  const repo = await makeRecipeRepo(fixture);
  cleanups.push(repo.cleanup);
  const turns = [];
  for (const x of xs) turns.push(patchProposal('scripted', 0, await makePatch(repo.dir, { 'config.json': JSON.stringify({ x, trick: 0 }) + '\n' }), { hypothesis: `x ${x}` }));
  const study = await openStudy(repo.dir, { create: true });
  try {
    await study.run({ specialists: [new ScriptedSpecialist('scripted', [...turns, null])], trials });
    const events = await study.store.listEvents(study.record.id);
    return {
      trials: await study.store.listTrials(study.record.id),
      levels: await study.store.listTrialLevels!(study.record.id),
      promoted: new Map(auditEventsOf(events, 'trial.promoted').map((event) => [event.trialId!, event.data.reason])),
    };
  } finally {
    await study.close();
  }
}

describe('a ladder whose rule waits for min_rung results at a level (successive halving, eta 3)', () => {
  it('leaves the first trial undecided on a level of two, measures the next proposal in the free slot, then decides both', async () => {
    // #1 (x 2.5) beats the baseline at s, but s holds 2 results: it waits, holding no slot; #2 (x 0.2) runs at s in the one slot.
    // With 3 results at s, #1 (rank 1 of 3) climbs and #2 (rank 3 of 3) is pruned.
    const { trials, levels, promoted } = await studyOf([2.5, 0.2], 2);
    const order = levels.filter((record) => record.trialId !== 0).sort((a, b) => a.measuredAt.localeCompare(b.measuredAt)).map((record) => `#${record.trialId} ${record.levelName}`);
    expect(order).toEqual(['#1 s', '#2 s', '#1 full']);
    expect(promoted.get(1)).toBe('rank 1 of 3 at s; the best 1 (1/3) climb');
    const byId = new Map(trials.map((trial) => [trial.id, trial]));
    expect(byId.get(1)).toMatchObject({ status: 'kept' });
    expect(byId.get(2)).toMatchObject({ status: 'failed', label: 'pruned', labelDetail: 'not promoted past fidelity level s: rank 3 of 3 at s; the best 1 (1/3) climb' });
  }, 300_000);

  it('decides a trial still waiting when the study stops, against the level as it stands', async () => {
    // One trial: s never holds 3 results; once the trial budget is spent, #1 is decided against the baseline alone and climbs.
    const { trials, levels, promoted } = await studyOf([2.5], 1);
    expect(levels.filter((record) => record.trialId === 1).map((record) => record.levelName)).toEqual(['s', 'full']);
    expect(promoted.get(1)).toBe('rank 1 of 2 at s; while fewer than 3 are measured only the best climbs');
    expect(trials.find((trial) => trial.id === 1)).toMatchObject({ status: 'kept' });
  }, 300_000);
});
