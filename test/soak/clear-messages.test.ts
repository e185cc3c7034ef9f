import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStudy } from '../../src/engine/open-study.ts';
import { CLI, runCli } from '../../src/testing/cli.ts';
import { makePatch, readText } from '../../src/testing/recipe-repo.ts';
import { useRecipeRepos } from '../../src/testing/recipe-repos.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');
const isRoot = process.getuid?.() === 0;
const repos = useRecipeRepos(FIXTURE);
const { recipe } = repos;

/** A user message: the problem and what to do, never a stack trace. */
function expectClearMessage(stderr: string): void {
  expect(stderr).toMatch(/^autolab: /);
  expect(stderr).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m);
  expect(stderr).not.toContain('unexpected error');
}

describe('machine trouble gets a clear message', () => {
  it('an unreadable task file', async () => {
    const dir = await recipe();
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'autolab.yaml'), 0o000);
    repos.defer(() => chmodSync(join(dir, 'autolab.yaml'), 0o644));
    // root reads everything: run the CLI as nobody to see what a user without the right sees
    const result = isRoot
      ? spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'run', dir], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', AUTOLAB_PLAIN: '1' } })
      : spawnSync(process.execPath, [CLI, 'run', dir], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', AUTOLAB_PLAIN: '1' } });
    expect(result.status, result.stderr).toBe(1);
    expectClearMessage(result.stderr);
    expect(result.stderr).toMatch(/Cannot read the task file .*autolab\.yaml.*(EACCES|permission denied)/);
  });

  it('git missing from PATH', async () => {
    const dir = await recipe();
    const emptyBin = mkdtempSync(join(tmpdir(), 'autolab-nogit-'));
    repos.defer(() => rmSync(emptyBin, { recursive: true, force: true }));
    const result = await runCli(['run', dir, '--trials', '1'], { env: { PATH: emptyBin } });
    expect(result.code, result.stderr).toBe(1);
    expectClearMessage(result.stderr);
    expect(result.stderr).toMatch(/git was not found on PATH/);
    expect(result.stderr).toMatch(/→ .*install git/);
  });

  it('a full artifact disk: the machine is at fault (infra_error), with where and what to do', async (context) => {
    const dir = await recipe();
    const study = await openStudy(dir, { create: true });
    repos.defer(() => study.close());
    const signal = new AbortController().signal;
    await study.prepare(signal);
    const trials = join(dir, '.autolab', 'studies', 'fixture', 'trials');
    mkdirSync(trials, { recursive: true });
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'autolab-full-disk', trials], { encoding: 'utf8' });
    if (mounted.status !== 0) {
      context.skip(`cannot mount a tiny tmpfs here (${(mounted.stderr || mounted.error?.message || '').trim()})`);
      return;
    }
    repos.defer(() => void spawnSync('umount', ['-l', trials]));
    const train = await readText(dir, 'train.js');
    const big = `${train}\nimport { writeFileSync as w } from 'node:fs';\nw(process.env.AUTOLAB_ARTIFACTS + '/weights.bin', Buffer.alloc(200_000));\n`;
    const patch = await makePatch(dir, { 'train.js': big, 'config.json': '{ "x": 1 }\n' });
    const trial = await study.submit({ specialist: 'manual', parent: 0, hypothesis: 'a run on a full disk', edit: { kind: 'patch', patch } }, signal);
    expect(trial.label, trial.labelDetail ?? '').toBe('infra_error');
    expect(trial.labelDetail).toContain(`the disk holding ${join(trials, String(trial.id), 'artifacts')} is full`);
    expect(trial.labelDetail).toContain('free some space, then resume');
  });
});
