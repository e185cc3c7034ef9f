import { seededRandom } from '../core/random.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutolabError } from '../core/errors.ts';
import { GOLF_TASK_YAML } from '../testing/golf-task-fixture.ts';
import { loadTaskFile } from './load-task.ts';

const NOISE = [':', '{', '}', '[', ']', '-', '#', "'", '"', '&', '*', '!', '|', '>', '%', '@', '`', ',', '?', ' ', '\t', 'x', '0'];

function mutate(text: string, random: () => number): string {
  const pick = (length: number) => Math.floor(random() * length);
  const lines = text.split('\n');
  const line = pick(lines.length);
  switch (pick(6)) {
    case 0: // delete a line
      lines.splice(line, 1);
      return lines.join('\n');
    case 1: {
      // swap two adjacent characters
      const at = pick(Math.max(1, text.length - 1));
      return text.slice(0, at) + text.charAt(at + 1) + text.charAt(at) + text.slice(at + 2);
    }
    case 2: // indent a line more
      lines[line] = ' '.repeat(1 + pick(4)) + lines[line];
      return lines.join('\n');
    case 3: // indent a line less
      lines[line] = lines[line]!.replace(/^ {1,3}/, '');
      return lines.join('\n');
    case 4: {
      // insert a character that means something to YAML
      const at = pick(text.length + 1);
      return text.slice(0, at) + NOISE[pick(NOISE.length)] + text.slice(at);
    }
    default: // duplicate a line
      lines.splice(line, 0, lines[line]!);
      return lines.join('\n');
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autolab-task-fuzz-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadTaskFile on mutated task files', () => {
  it('either loads or throws a TaskFileError whose every problem has file:LINE:COL', async () => {
    const random = seededRandom(20240611);
    const file = join(dir, 'autolab.yaml');
    let failures = 0;
    for (let round = 0; round < 200; round++) {
      let text = GOLF_TASK_YAML;
      const mutations = 1 + Math.floor(random() * 3);
      for (let step = 0; step < mutations; step++) text = mutate(text, random);
      await writeFile(file, text);
      try {
        await loadTaskFile(file);
      } catch (error) {
        failures++;
        const context = `round ${round}, file:\n${text}\nerror: ${String(error)}`;
        expect(error, context).toBeInstanceOf(AutolabError);
        expect((error as AutolabError).name, context).toBe('TaskFileError');
        const [header, ...problems] = (error as AutolabError).message.split('\n');
        expect(header, context).toMatch(/^Invalid task file .* \(\d+ problems?(, the first \d+ shown)?\):$/);
        expect(problems.length, context).toBeGreaterThan(0);
        const lineCount = text.split('\n').length;
        for (const problem of problems) {
          const match = /^(.*):(\d+):(\d+): \S/.exec(problem);
          expect(match, context).not.toBeNull();
          expect(match![1], context).toBe(file);
          expect(Number(match![2]), context).toBeGreaterThanOrEqual(1);
          expect(Number(match![2]), context).toBeLessThanOrEqual(lineCount);
          expect(Number(match![3]), context).toBeGreaterThanOrEqual(1);
        }
      }
    }
    // Most mutations break the file; a fuzz that never fails would test nothing.
    expect(failures).toBeGreaterThan(50);
  });
});
