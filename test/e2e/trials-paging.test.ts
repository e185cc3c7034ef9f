import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStudy } from '../../src/engine/open-study.ts';
import { runCli } from '../../src/testing/cli.ts';
import { makeRecipeRepo } from '../../src/testing/recipe-repo.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');
const COUNT = 130;

describe('autolab trials on a large study', () => {
  let repo: Awaited<ReturnType<typeof makeRecipeRepo>>;
  beforeAll(async () => {
    repo = await makeRecipeRepo(FIXTURE);
    const study = await openStudy(repo.dir, { create: true });
    try {
      const id = study.record.id;
      await study.store.createTrial(id, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'baseline', seed: 0, edit: null, owner: null });
      await study.store.finishTrial(id, 0, { status: 'scored', label: null, labelDetail: null, metrics: { loss: 9 }, score: 9, timings: {}, logExcerpt: '' }, () => true);
      for (let i = 1; i <= COUNT; i++) {
        await study.store.createTrial(id, { specialist: i % 2 ? 'tuner' : 'writer', parent: 0, hypothesis: `h${i}`, seed: i, edit: null, owner: null });
        const crashed = i % 7 === 0;
        await study.store.finishTrial(id, i, crashed
          ? { status: 'failed', label: 'crash', labelDetail: 'boom', metrics: {}, score: null, timings: {}, logExcerpt: '' }
          : { status: 'scored', label: null, labelDetail: null, metrics: { loss: 9 - i / 1000 }, score: 9 - i / 1000, timings: {}, logExcerpt: '' }, () => false);
      }
    } finally {
      await study.close();
    }
  }, 120_000);
  afterAll(async () => {
    await repo?.cleanup();
  });

  const ids = async (...args: string[]) => {
    const listed = await runCli(['trials', repo.dir, '--json', ...args]);
    expect(listed.stderr).toBe('');
    return (JSON.parse(listed.stdout) as Array<{ id: number }>).map((trial) => trial.id);
  };
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('shows the newest page by default, --limit N the newest N, --all every trial (streamed)', async () => {
    expect(await ids()).toEqual(range(COUNT - 49, COUNT));
    expect(await ids('--limit', '5')).toEqual(range(COUNT - 4, COUNT));
    expect(await ids('--all')).toEqual(range(0, COUNT));
    expect(await ids('--label', 'crash', '--limit', '3')).toEqual([112, 119, 126]);
    expect(await ids('--all', '--label', 'crash')).toEqual(range(1, COUNT).filter((i) => i % 7 === 0));
    expect(await ids('--specialist', 'writer', '--status', 'discarded', '--limit', '2')).toEqual([128, 130]);
    const table = await runCli(['trials', repo.dir]);
    expect(table.stdout).toContain('#130');
    expect(table.stdout).not.toContain('#80 ');
    expect(table.stdout).toMatch(/50 shown \(the newest 50; --limit N for more, --all for every trial\) · study: 130 trials/);
    const all = await runCli(['trials', repo.dir, '--all']);
    expect(all.stdout).toMatch(/131 shown · study: 130 trials \(0 kept, 112 discarded, 18 failed: crash 18/);
  }, 300_000);
});
