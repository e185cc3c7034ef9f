import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDrift, findRecipeDrift, setupFiles } from './drift-check.ts';

let dir: string;
let commit: string;
const gitIn = (args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, encoding: 'utf8' });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autolab-drift-'));
  for (const [file, text] of Object.entries({ 'score.py': 'print(1)\n', 'prepare.py': 'pass\n', 'train.py': 'x = 1\n', 'autolab.yaml': 'name: t\n' })) await writeFile(join(dir, file), text);
  gitIn(['init', '-q']);
  gitIn(['add', '-A']);
  gitIn(['commit', '-qm', 'baseline']);
  commit = gitIn(['rev-parse', 'HEAD']).trim();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const task = () => ({ repo: dir, taskFile: join(dir, 'autolab.yaml'), protected: ['score.py', 'autolab.yaml'], setup: { command: 'python3 ./prepare.py --fast', timeoutMs: 1000 } });

describe('drift of evaluator-owned files', () => {
  it('finds the files the setup command names', () => {
    expect(setupFiles('python3 prepare.py --out data && bash "get.sh"', new Set(['prepare.py', 'get.sh', 'train.py']))).toEqual(['prepare.py', 'get.sh']);
  });

  it('reports modified and deleted protected and setup files, never the task file or the surface', async () => {
    expect(await findRecipeDrift({ task: task(), gitDir: join(dir, '.git'), baselineCommit: commit, source: 'git' })).toEqual([]);
    await writeFile(join(dir, 'score.py'), 'print(2)\n');
    await unlink(join(dir, 'prepare.py'));
    await writeFile(join(dir, 'train.py'), 'x = 2\n');
    await writeFile(join(dir, 'autolab.yaml'), 'name: t\nbudget: { trials: 9 }\n');
    for (const source of ['git', 'folder'] as const) {
      const drift = await findRecipeDrift({ task: task(), gitDir: join(dir, '.git'), baselineCommit: commit, source });
      expect(drift).toEqual([
        { path: 'prepare.py', change: 'deleted', role: 'setup' },
        { path: 'score.py', change: 'modified', role: 'protected' },
      ]);
      expect(checkDrift(drift, commit, { strict: false, freshCommand: 'autolab run --fresh' })).toMatch(/prepare\.py \(named by setup, deleted\), score\.py \(modified\)\. The study keeps using the baseline copies/);
      expect(() => checkDrift(drift, commit, { strict: true, freshCommand: 'autolab run --fresh' })).toThrow(/--strict refuses to resume/);
    }
  });
});
