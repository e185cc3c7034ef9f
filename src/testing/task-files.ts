import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { loadTaskFile } from '../task/load-task.ts';

/** Task files written for one test file: each in its own folder under a temporary base removed after the file's tests. */
export interface TaskFiles {
  /** Writes `text` as a fresh folder's autolab.yaml; returns the file's path. */
  write(text: string): Promise<string>;
  /** Writes `text` as a fresh task file and loads it. */
  load(text: string): ReturnType<typeof loadTaskFile>;
}

/**
 * Registers the temporary base of a test file's task files (created before its tests, removed after).
 *
 * @example
 * const files = useTaskFiles('fidelity');
 * it('reads a ladder', async () => { const { task } = await files.load(`${MINIMAL}fidelity: ...`); });
 */
export function useTaskFiles(prefix: string): TaskFiles {
  let base = '';
  let counter = 0;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), `autolab-${prefix}-`));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });
  const write = async (text: string): Promise<string> => {
    const dir = join(base, `t${counter++}`);
    await mkdir(dir);
    const file = join(dir, 'autolab.yaml');
    await writeFile(file, text);
    return file;
  };
  return { write, load: async (text) => loadTaskFile(await write(text)) };
}
