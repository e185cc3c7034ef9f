import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/testing/cli.ts';
import { makeRecipeRepo } from '../../src/testing/recipe-repo.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');

/** `status`, `trials`, `show`, `best` and `report` from a folder with no task file: the store alone (as from another host). */
describe('reading a study from its store alone', () => {
  let repo: { dir: string; cleanup: () => Promise<void> };
  let elsewhere: string;
  let store: string;

  beforeAll(async () => {
    repo = await makeRecipeRepo(FIXTURE);
    const run = await runCli(['run', repo.dir, '--trials', '2']);
    expect(run.code, run.stderr).toBe(0);
    store = join(repo.dir, '.autolab', 'autolab.db');
    elsewhere = await mkdtemp(join(tmpdir(), 'autolab-elsewhere-'));
  }, 120_000);
  afterAll(async () => {
    await repo?.cleanup();
    if (elsewhere) await rm(elsewhere, { recursive: true, force: true });
  });

  it('status, trials, show and best need only --store and --study', { timeout: 300_000 }, async () => {
    const status = await runCli(['status', '--store', store, '--study', 'fixture', '--json'], { cwd: elsewhere });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ study: 'fixture' });
    const trials = await runCli(['trials', '--store', store, '--study', 'fixture', '--json'], { cwd: elsewhere });
    expect(trials.code, trials.stderr).toBe(0);
    expect((JSON.parse(trials.stdout) as unknown[]).length).toBe(3);
    const show = await runCli(['show', '1', '--store', store, '--study', 'fixture'], { cwd: elsewhere });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('#1');
    const best = await runCli(['best', '--store', store], { cwd: elsewhere }); // the only study of the store
    expect(best.code, best.stderr).toBe(0);
  });

  it('report writes from the store alone', { timeout: 300_000 }, async () => {
    const out = join(elsewhere, 'report');
    const report = await runCli(['report', '--store', store, '--study', 'fixture', '--out', out], { cwd: elsewhere });
    expect(report.code, report.stderr).toBe(0);
    expect(await readdir(out)).toEqual(expect.arrayContaining(['report.html', 'report.md']));
  });

  it('names the studies of the store when the study is wrong', async () => {
    const wrong = await runCli(['status', '--store', store, '--study', 'nope'], { cwd: elsewhere });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain("this store holds no study named 'nope'");
    expect(wrong.stderr).toContain('fixture');
  });
});
