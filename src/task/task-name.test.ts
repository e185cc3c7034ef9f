import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTaskFile } from './load-task.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function load(name: string): Promise<unknown> {
  const dir = await mkdtemp(join(tmpdir(), 'autolab-task-name-'));
  dirs.push(dir);
  await writeFile(join(dir, 'autolab.yaml'), `name: ${JSON.stringify(name)}\nobjective: { metric: loss, direction: minimize }\nrun: { command: node train.js, timeout: 1m }\nscore: node score.js\n`);
  return loadTaskFile(dir).then(
    (loaded) => loaded.task.name,
    (error: unknown) => error,
  );
}

describe("the task file's name: (its study's default name)", () => {
  it('accepts an ordinary name', async () => {
    expect(await load('golf-2.x')).toBe('golf-2.x');
  });

  it.each([
    ['..', /1:7: name: a study name cannot be `\.\.`.*the task's name is its study's name/],
    ['.', /a study name cannot be `\.`/],
    ['-golf', /cannot start with `-`/],
    ['x'.repeat(101), /at most 100 bytes long/],
  ])('rejects %j with file:line and the rule', async (name, rule) => {
    const error = await load(name);
    expect(error).toMatchObject({ name: 'TaskFileError', message: expect.stringMatching(rule) });
  });
});
