import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand } from '../../src/cli/commands/export.ts';
import { openStudy } from '../../src/engine/open-study.ts';
import { runCli, startCli, waitFor } from '../../src/testing/cli.ts';
import { makePatch, makeRecipeRepo } from '../../src/testing/recipe-repo.ts';

/** `autolab report`, `autolab export --format` and `autolab serve` as a user runs them, on a real study. */
describe('dashboard commands', () => {
  let repo: { dir: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    repo = await makeRecipeRepo(join(import.meta.dirname, '..', 'fixtures', 'recipe'));
    const study = await openStudy(repo.dir, { create: true });
    const signal = new AbortController().signal;
    try {
      await study.prepare(signal);
      await study.submit({ specialist: 'manual', parent: 0, hypothesis: 'move x towards 3', edit: { kind: 'patch', patch: await makePatch(repo.dir, { 'config.json': '{ "x": 2.5 }\n' }) } }, signal);
      await study.submit({ specialist: 'tuner', parent: 0, hypothesis: 'overshoot', edit: { kind: 'patch', patch: await makePatch(repo.dir, { 'config.json': '{ "x": 4.5 }\n' }) } }, signal);
    } finally {
      await study.close();
    }
  });
  afterAll(async () => {
    await repo?.cleanup();
  });

  it('writes the report, the trajectory and the edit pairs; export TRIAL --patch still works', async () => {
    const cwd = repo.dir;
    const [report, edits] = await Promise.all([runCli(['report', '--out', 'out/report'], { cwd }), runCli(['export', '--format', 'edits'], { cwd })]);
    // The rest in this process (each CLI start costs seconds on a busy machine).
    const quiet = { write: process.stdout.write };
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      expect(await exportCommand(undefined, { task: cwd, format: 'jsonl', out: join(cwd, 'out', 'trajectory.jsonl') })).toBe(0);
      expect(await exportCommand('1', { task: cwd, patch: join(cwd, 'out', 'best.patch') })).toBe(0);
    } finally {
      process.stdout.write = quiet.write;
    }
    await expect(exportCommand(undefined, { task: cwd, format: 'csv' })).rejects.toThrow("unknown export format 'csv'");
    await expect(exportCommand(undefined, { task: cwd })).rejects.toThrow(/needs a trial number/);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain('report.html');
    const html = await readFile(join(cwd, 'out', 'report', 'report.html'), 'utf8');
    expect(html).toContain('move x towards 3');
    expect(html).toContain('{ &quot;x&quot;: 2.5 }'); // the incumbent's change, from the workspace
    expect(await readFile(join(cwd, 'out', 'report', 'report.md'), 'utf8')).toContain('![Score against trial number](score.svg)');

    const records = (await readFile(join(cwd, 'out', 'trajectory.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(records.filter((r) => r.type === 'trial').map((r) => [r.id, r.status])).toEqual([
      [0, 'kept'],
      [1, 'kept'],
      [2, 'discarded'],
    ]);
    expect(records.some((r) => r.type === 'event' && r.event === 'trial.started')).toBe(true);

    expect(edits.code, edits.stderr).toBe(0);
    const pairs = edits.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(pairs.map((p) => [p.trial, p.kept])).toEqual([
      [1, true],
      [2, false], // beat its parent (the baseline's 9), not the incumbent
    ]);
    expect(pairs[0]).toMatchObject({ parent: 0, parentScore: 9, score: 0.25, delta: -8.75, kept: true, files: [{ path: 'config.json', after: '{ "x": 2.5 }\n' }] });
    expect(pairs[0].files[0].before).toMatch(/"x": 0/);

    expect(await readFile(join(cwd, 'out', 'best.patch'), 'utf8')).toContain('+{ "x": 2.5 }');
  });

  it('serve prints the URL, answers, and stops on Ctrl-C', async () => {
    const { child, done } = startCli(['serve', '--port', '0'], { cwd: repo.dir });
    let out = '';
    child.stdout!.on('data', (chunk) => (out += chunk));
    const url = await waitFor(() => /autolab dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1], 20_000, 'the URL');
    const studies = (await (await fetch(new URL('/api/studies', url))).json()) as { studies: Array<{ name: string; counts: { total: number } }> };
    expect(studies.studies).toEqual([expect.objectContaining({ name: 'fixture', counts: expect.objectContaining({ total: 2 }) })]);
    const trial = (await (await fetch(new URL('/api/studies/fixture/trials/1', url))).json()) as { logs: Array<{ name: string }> };
    expect(trial.logs.map((log) => log.name)).toContain('run.log');
    child.kill('SIGINT');
    expect((await done).code).toBe(0);
  });
});
