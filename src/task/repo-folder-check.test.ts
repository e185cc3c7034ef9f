import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutolabError } from '../core/errors.ts';
import { GOLF_TASK_YAML } from '../testing/golf-task-fixture.ts';
import { loadTaskFile, MAX_TASK_FILE_BYTES } from './load-task.ts';
import { recipeFolderProblem } from './repo-folder-check.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autolab-repo-check-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function loadError(yaml: string): Promise<AutolabError> {
  await writeFile(join(dir, 'autolab.yaml'), yaml);
  const error = await loadTaskFile(dir).then(() => null, (thrown: unknown) => thrown);
  expect(AutolabError.is(error, 'TaskFileError'), String(error)).toBe(true);
  return error as AutolabError;
}

describe('the recipe folder (repo:)', () => {
  const owner = { isDirectory: () => true, uid: 1000 };

  it('refuses the file system root, system folders and the home folder', () => {
    expect(recipeFolderProblem('/', owner, { uid: 1000 })).toMatch(/root of the file system/);
    expect(recipeFolderProblem('/etc', owner, { uid: 1000 })).toMatch(/system folder \(\/etc\)/);
    expect(recipeFolderProblem('/usr/lib/python3', owner, { uid: 1000 })).toMatch(/system folder \(\/usr\/lib\)/);
    expect(recipeFolderProblem('/home/me', owner, { uid: 1000, home: '/home/me' })).toMatch(/your home folder/);
    expect(recipeFolderProblem('/home/me/golf', owner, { uid: 1000, home: '/home/me' })).toBeNull();
  });

  it("refuses another user's folder (root may use any)", () => {
    expect(recipeFolderProblem('/srv/golf', { isDirectory: () => true, uid: 33 }, { uid: 1000, home: '/home/me' })).toMatch(/owned by another user/);
    expect(recipeFolderProblem('/srv/golf', { isDirectory: () => true, uid: 33 }, { uid: 0, home: '/root' })).toBeNull();
  });

  it('is checked when the task file loads: `repo: /` and `repo: /etc` are task file errors at their line', async () => {
    for (const repo of ['/', '/etc']) {
      const error = await loadError(GOLF_TASK_YAML.replace(/^repo: .*$/m, `repo: ${repo}`));
      expect(error.message).toMatch(/autolab\.yaml:\d+:\d+: repo: /);
      expect(error.message).toMatch(repo === '/' ? /root of the file system/ : /system folder/);
    }
  });

  it('refuses a task file over the size limit at once, without parsing it', async () => {
    const error = await loadError(`${GOLF_TASK_YAML}\n# ${'x'.repeat(MAX_TASK_FILE_BYTES)}\n`);
    expect(error.message).toMatch(/a task file is at most 1048576 bytes/);
  });
});
