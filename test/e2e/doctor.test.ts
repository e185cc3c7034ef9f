/**
 * `autolab doctor` on this machine, with and without bubblewrap on PATH (a PATH of
 * symlinks to everything the fixture needs except bwrap), and on a Python recipe that
 * imports a module nobody has.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable, probeBwrap } from '../../src/executors/local/sandbox-probe.ts';
import { runCli } from '../../src/testing/cli.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');
let dir: string;
let bin: string;
let recipe: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autolab-doctor-'));
  recipe = join(dir, 'recipe');
  await cp(FIXTURE, recipe, { recursive: true });
  bin = join(dir, 'bin');
  await mkdir(bin);
  // Everything the fixture's commands and autolab itself need, but no bwrap.
  await symlink(process.execPath, join(bin, 'node'));
  for (const name of ['git', 'python3', 'sh']) {
    const found = findExecutable(name);
    if (found !== null) await symlink(found, join(bin, name));
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('autolab doctor', () => {
  it('without bubblewrap on PATH: warns and names the Debian package; a task that requires it fails', { timeout: 120_000 }, async () => {
    const result = await runCli(['doctor', recipe], { env: { PATH: bin } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/! sandbox +bubblewrap +trials would run WITHOUT a sandbox: bwrap \(bubblewrap\) is not installed/);
    expect(result.stdout).toContain('→ apt-get install bubblewrap');
    expect(result.stdout).toContain('sudo apt-get install bubblewrap');
    expect(result.stdout).toMatch(/✓ commands node \(setup, preflight, run, score\)/);
    expect(result.stdout).toMatch(/✓ store +SQLite/);

    const required = join(dir, 'required');
    await cp(recipe, required, { recursive: true });
    execFileSync('sh', ['-c', `echo 'sandbox: bwrap' >> ${join(required, 'autolab.yaml')}`]);
    const refused = await runCli(['doctor', required, '--json'], { env: { PATH: bin } });
    expect(refused.code).toBe(1);
    const report = JSON.parse(refused.stdout) as { ready: boolean; findings: Array<{ area: string; status: string; fix?: string }> };
    expect(report.ready).toBe(false);
    expect(report.findings.find((finding) => finding.area === 'sandbox')).toMatchObject({ status: 'fail', fix: 'apt-get install bubblewrap' });
  });

  it('with bubblewrap: the sandbox is ready', { timeout: 120_000 }, async (context) => {
    const probe = await probeBwrap();
    if (!probe.available) {
      if (process.env.AUTOLAB_TEST_BWRAP !== undefined || process.env.CI === 'true') throw new Error(`bubblewrap must work here: ${probe.reason}`);
      context.skip();
    }
    const result = await runCli(['doctor', recipe]);
    expect(result.stdout).toMatch(/✓ sandbox +bubblewrap +builds a sandbox/);
    expect(result.code).toBe(0);
  });

  it('names a Python module the recipe imports that cannot be imported, and a script that is missing', { timeout: 120_000 }, async (context) => {
    if (findExecutable('python3') === null) context.skip();
    const python = join(dir, 'python-recipe');
    await mkdir(python);
    await writeFile(join(python, 'train.py'), 'import json\nimport autolab_doctor_surely_missing_module\nfrom helpers import x\n');
    await writeFile(join(python, 'helpers.py'), 'x = 1\n');
    await writeFile(
      join(python, 'autolab.yaml'),
      'name: py\nobjective: { metric: loss, direction: minimize }\nrun: { command: python3 train.py, timeout: 1m }\nscore: python3 score.py\n',
    );
    const result = await runCli(['doctor', python]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ python +autolab_doctor_surely_missing_module +train\.py imports autolab_doctor_surely_missing_module, which python3 cannot import/);
    expect(result.stdout).toContain('pip install autolab_doctor_surely_missing_module');
    expect(result.stdout).toMatch(/✗ commands score\.py +`python3 score\.py` names a file that is not in the recipe folder/);
    expect(result.stdout).toMatch(/✓ python +python3 modules +json, helpers/);
    expect(result.stdout).toContain('2 problems to fix');
  });
});
