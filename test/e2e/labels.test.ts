import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStudy, type Study } from '../../src/engine/open-study.ts';
import type { TrialRecord } from '../../src/core/trial.ts';
import { gitIn, makePatch, makeRecipeRepo, readText } from '../../src/testing/recipe-repo.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');

/**
 * A real study over the fixture recipe (objective: (x - 3)^2), driven through every
 * failure label reachable without an LLM. Assertions are on recorded trials.
 */
describe('every failure label, on a real study', () => {
  let repo: { dir: string; cleanup: () => Promise<void> };
  let study: Study;
  let headBefore: string;
  const signal = new AbortController().signal;
  let train: string;

  const submit = async (changes: Parameters<typeof makePatch>[1], hypothesis: string, extra: { specialist?: string; parent?: number } = {}): Promise<TrialRecord> => {
    const patch = await makePatch(repo.dir, changes);
    return study.submit({ specialist: extra.specialist ?? 'manual', parent: extra.parent ?? 0, hypothesis, edit: { kind: 'patch', patch } }, signal);
  };

  beforeAll(async () => {
    repo = await makeRecipeRepo(FIXTURE);
    headBefore = gitIn(repo.dir, ['rev-parse', 'HEAD']).trim();
    study = await openStudy(repo.dir, { create: true });
    train = await readText(repo.dir, 'train.js');
  });

  afterAll(async () => {
    await study?.close();
    await repo?.cleanup();
  });

  it('measures the baseline first', async () => {
    const { baseline } = await study.prepare(signal);
    expect(baseline).toMatchObject({ id: 0, status: 'kept', score: 9, label: null });
  });

  it('scores a legal improvement and keeps it', async () => {
    const trial = await submit({ 'config.json': '{ "x": 2.5 }\n' }, 'move x towards 3');
    expect(trial).toMatchObject({ status: 'kept', score: 0.25, label: null, parent: 0 });
    expect(trial.diff).toContain('+{ "x": 2.5 }');
    expect(trial.metrics.run_seconds).toBeGreaterThan(0);
  });

  it('apply_failed: a patch that does not apply', async () => {
    const trial = await study.submit({ specialist: 'manual', parent: 0, hypothesis: 'bad patch', edit: { kind: 'patch', patch: '--- a/nope.js\n+++ b/nope.js\n@@ -1 +1 @@\n-a\n+b\n' } }, signal);
    expect(trial).toMatchObject({ status: 'failed', label: 'apply_failed', commit: null });
    expect(trial.labelDetail).toMatch(/nope\.js/);
  });

  it('illegal_edit: touching a protected file', async () => {
    const trial = await submit({ 'score.js': 'console.log(JSON.stringify({ loss: 0, size: 1 }));\n' }, 'rewrite the evaluator');
    expect(trial).toMatchObject({ status: 'failed', label: 'illegal_edit' });
    expect(trial.labelDetail).toContain('score.js: protected path');
    expect(trial.timings.runMs).toBeUndefined();
  });

  it('illegal_edit: outside the specialist surface', async () => {
    const trial = await submit({ 'notes.txt': 'hi\n' }, 'a file outside the surface', { specialist: 'tuner' });
    expect(trial).toMatchObject({ status: 'failed', label: 'illegal_edit' });
    expect(trial.labelDetail).toContain("outside surface 'recipe'");
  });

  it('illegal_edit: a symlink escaping the worktree', async () => {
    const trial = await submit({ 'lib/escape': { symlink: '../../../../../../etc/passwd' } }, 'read the host through a link');
    expect(trial).toMatchObject({ status: 'failed', label: 'illegal_edit' });
    expect(trial.labelDetail).toContain('lib/escape');
  });

  it('duplicate: the same tree as an earlier trial', async () => {
    const trial = await submit({ 'config.json': '{ "x": 2.5 }\n' }, 'the same edit again');
    expect(trial).toMatchObject({ status: 'failed', label: 'duplicate' });
    expect(trial.labelDetail).toContain('#1');
  });

  it('preflight_failed: a syntax error', async () => {
    const trial = await submit({ 'train.js': train + '\nconst = ;\n' }, 'break the syntax');
    expect(trial).toMatchObject({ status: 'failed', label: 'preflight_failed' });
    expect(trial.timings.runMs).toBeUndefined();
  });

  it('crash: the run throws, with its last lines in the detail', async () => {
    const trial = await submit({ 'train.js': train + '\nthrow new Error("diverged at step 7");\n' }, 'crash');
    expect(trial).toMatchObject({ status: 'failed', label: 'crash' });
    expect(trial.labelDetail).toContain('exited with code 1');
    expect(trial.labelDetail).toContain('diverged at step 7');
  });

  it('run_timeout: killed at the budget even with a grandchild holding the pipe', async () => {
    const hang = `${train}\nimport { spawn } from 'node:child_process';\nspawn('sh', ['-c', 'sleep 30'], { stdio: 'inherit' });\nsetTimeout(() => {}, 60_000);\n`;
    const started = Date.now();
    const trial = await submit({ 'train.js': hang }, 'hang with a grandchild');
    const elapsed = Date.now() - started;
    expect(trial).toMatchObject({ status: 'failed', label: 'run_timeout' });
    expect(trial.timings.runMs!).toBeGreaterThanOrEqual(2900);
    expect(trial.timings.runMs!).toBeLessThan(3000 + 1500);
    // The grandchild sleeps 30 s: a trial that waited for the pipe it holds would take that long.
    expect(elapsed).toBeLessThan(3000 + 20_000);
    expect(findProcesses('sleep 30')).toEqual([]);
  });

  it('score_timeout: the evaluator takes too long on this artifact', async () => {
    const trial = await submit({ 'config.json': '{ "x": 2, "work": 20000 }\n' }, 'an artifact that is slow to evaluate');
    expect(trial).toMatchObject({ status: 'failed', label: 'score_timeout' });
  });

  it('size_exceeded: a file over the limit (before any run)', async () => {
    const trial = await submit({ 'lib/big.js': '// ' + 'x'.repeat(60_000) + '\n' }, 'a huge file');
    expect(trial).toMatchObject({ status: 'failed', label: 'size_exceeded' });
    expect(trial.timings.runMs).toBeUndefined();
  });

  it('size_exceeded: artifacts over the limit (after the run)', async () => {
    const big = `${train}\nimport { writeFileSync as w } from 'node:fs';\nw(process.env.AUTOLAB_ARTIFACTS + '/blob.bin', Buffer.alloc(200_000));\n`;
    const trial = await submit({ 'train.js': big }, 'leave a large artifact');
    expect(trial).toMatchObject({ status: 'failed', label: 'size_exceeded' });
    expect(trial.labelDetail).toContain('artifacts are');
  });

  it('gate_miss: says which gate missed and by how much', async () => {
    const trial = await submit({ 'config.json': JSON.stringify({ x: 3, padding: 'p'.repeat(5000) }) }, 'a large model');
    expect(trial).toMatchObject({ status: 'failed', label: 'gate_miss' });
    expect(trial.labelDetail).toMatch(/size = \d+, gate <= 4096 \(missed by \d+/);
    expect(trial.metrics.loss).toBe(0);
  });

  it('metric_missing: the score prints no objective', async () => {
    const trial = await submit({ 'config.json': '{ "x": "three" }\n' }, 'a non-numeric parameter');
    expect(trial).toMatchObject({ status: 'failed', label: 'metric_missing' });
    expect(trial.labelDetail).toContain("'loss'");
  });

  it('a run that prints a fake score gets the score the evaluator measured', async () => {
    const liar = `${train}\nconsole.log(JSON.stringify({ loss: 0, size: 1 }));\n`;
    const trial = await submit({ 'train.js': liar, 'config.json': '{ "x": 1 }\n' }, 'claim a perfect score');
    expect(trial).toMatchObject({ status: 'discarded', score: 4 });
  });

  it('a run that rewrites the score script in its worktree cannot change its score', async () => {
    const tamper = `${train}\nimport { writeFileSync as w } from 'node:fs';\nw('score.js', 'console.log(JSON.stringify({ loss: 0, size: 1 }))');\n`;
    const trial = await submit({ 'train.js': tamper, 'config.json': '{ "x": 0.5 }\n' }, 'tamper with the evaluator at run time');
    expect(trial).toMatchObject({ status: 'discarded', score: 6.25 });
  });

  it("leaves the user's repository untouched and records every trial once", async () => {
    expect(gitIn(repo.dir, ['rev-parse', 'HEAD']).trim()).toBe(headBefore);
    expect(gitIn(repo.dir, ['status', '--porcelain']).trim()).toBe('');
    const trials = await study.trials();
    expect(trials.map((trial) => trial.id)).toEqual([...Array(trials.length).keys()]);
    expect(trials.every((trial) => trial.status !== 'pending' && trial.status !== 'running')).toBe(true);
    const incumbent = await study.incumbent();
    expect(incumbent).toMatchObject({ id: 1, score: 0.25 });
  });
});

function findProcesses(pattern: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (cmdline === pattern && state !== 'Z') found.push(entry);
    } catch {
      // gone
    }
  }
  return found;
}
