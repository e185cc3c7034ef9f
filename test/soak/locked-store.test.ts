import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStudy } from '../../src/engine/open-study.ts';
import { runCli } from '../../src/testing/cli.ts';
import { makeRecipeRepo } from '../../src/testing/recipe-repo.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');
const BETTER_SQLITE3 = createRequire(import.meta.url).resolve('better-sqlite3');

describe('a store locked by another process', () => {
  it('fails after the busy timeout with a clear message, and works again once the lock is gone', async () => {
    const repo = await makeRecipeRepo(FIXTURE);
    const study = await openStudy(repo.dir, { create: true });
    await study.close();
    const db = join(repo.dir, '.autolab', 'autolab.db');
    const script = `const D = require(${JSON.stringify(BETTER_SQLITE3)}); const db = new D(process.argv[1]); db.exec('BEGIN EXCLUSIVE'); console.log('locked'); setInterval(() => {}, 1000);`;
    const locker = spawn(process.execPath, ['-e', script, db], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        locker.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
        locker.on('exit', (code) => reject(new Error(`the locking process exited (${code})`)));
      });
      // Reading commands write nothing and read through the lock (WAL); a run must write.
      const started = Date.now();
      const result = await runCli(['run', repo.dir, '--trials', '1']);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/^autolab: .*database is locked/);
      expect(result.stderr).toMatch(/→ another process held the study database longer than \d+ s/);
      expect(result.stderr).not.toContain('unexpected error');
      expect(Date.now() - started).toBeGreaterThan(5_000); // it waited for the lock first
    } finally {
      locker.kill('SIGKILL');
    }
    const after = await runCli(['run', repo.dir, '--trials', '1']);
    expect(after.code, after.stderr).toBe(0);
    await repo.cleanup();
  });
});
