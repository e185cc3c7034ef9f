import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutolabError } from '../../src/core/errors.ts';
import { GOLF_TASK_YAML } from '../../src/testing/golf-task-fixture.ts';
import { loadTaskFile } from '../../src/task/load-task.ts';
import { damageText, picker, type Picker } from './fuzz-random.ts';

/**
 * Fuzzes the task-file loader beyond src/task/load-task-fuzz.test.ts (line-level YAML
 * edits): byte-level damage (truncation, NUL, lone surrogates, BOM, huge runs), hostile
 * YAML (alias bombs, deep nesting, tags, duplicate keys, multi-document), and values of
 * the wrong type or range at random places of an otherwise valid file. Every file must
 * either load into a usable TaskSpec or fail with an AutolabError whose every line says
 * where (file:line:col) and what, within a second; never another exception.
 */

/** AUTOLAB_FUZZ_SEED and AUTOLAB_FUZZ_SCALE explore further (the defaults replay the same inputs). */
const SEED = Number(process.env.AUTOLAB_FUZZ_SEED ?? 7_000);
const SCALE = Number(process.env.AUTOLAB_FUZZ_SCALE ?? 1);

let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autolab-task-fuzz2-'));
  file = join(dir, 'autolab.yaml');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const VALUES: unknown[] = [
  null, true, false, 0, -1, 1.5, 1e308, -0, '', ' ', 'x', '10s', '-5m', '1e9h', '0s', 'NaN', '.inf', '10MB', '0B', '-1KB', '999999999999999999999GB',
  [], [null], ['a', 1], {}, { command: '' }, { command: 'x', timeout: 'forever' }, { '': 1 }, 'a'.repeat(10_000), '\u0000', '\uD800', '💥', '../../etc/passwd', '/abs/path',
];

/** The golf task as a plain object, with one value replaced by a wrong or odd one at a random path. */
function confuseTypes(p: Picker): string {
  const document = parseDocument(GOLF_TASK_YAML);
  const root = document.toJS() as Record<string, unknown>;
  const paths: Array<Array<string | number>> = [];
  const walk = (value: unknown, path: Array<string | number>) => {
    paths.push(path);
    if (Array.isArray(value)) value.forEach((item, index) => walk(item, [...path, index]));
    else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) walk(item, [...path, key]);
  };
  walk(root, []);
  const changes = 1 + p.int(3);
  for (let change = 0; change < changes; change++) {
    const path = p.pick(paths.filter((candidate) => candidate.length > 0));
    const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown>)?.[key], root) as Record<string | number, unknown> | undefined;
    if (parent === undefined || parent === null || typeof parent !== 'object') continue;
    const key = path.at(-1)!;
    if (p.chance(0.15)) delete parent[key];
    else parent[key] = structuredClone(p.pick(VALUES));
  }
  return new (document.constructor as typeof import('yaml').Document)(root).toString();
}

/** YAML that is hostile to parsers rather than to the schema. */
function hostileYaml(p: Picker): string {
  switch (p.int(8)) {
    case 0: {
      // an alias bomb ("billion laughs")
      let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
      for (let level = 1; level < 12; level++) text += `a${level}: &a${level} [${Array(10).fill(`*a${level - 1}`).join(', ')}]\n`;
      return `${GOLF_TASK_YAML}bomb: *a11\n${text}`;
    }
    case 1:
      return `${GOLF_TASK_YAML}deep: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`;
    case 2:
      return `${GOLF_TASK_YAML}deep2: ${'{a: '.repeat(2_000)}1${'}'.repeat(2_000)}\n`;
    case 3:
      return GOLF_TASK_YAML.replace('seed: 0', `seed: !!binary aGVsbG8=\nweird: !js/function 'function(){}'`);
    case 4:
      return `${GOLF_TASK_YAML}name: golf-again\nparallel: 3\n`;
    case 5:
      return `${GOLF_TASK_YAML}---\nname: second-document\n`;
    case 6:
      return `\uFEFF${GOLF_TASK_YAML.replace(/\n/g, '\r\n')}`;
    default:
      return GOLF_TASK_YAML.replace('surfaces:', `base: &base { paths: [config.json] }\nsurfaces:\n  merged: { <<: *base }`);
  }
}

function expectLoadsOrExplains(text: string, error: unknown, context: string): void {
  expect(error, `${context}\nthrew a non-autolab error: ${String((error as Error)?.stack ?? error)}`).toBeInstanceOf(AutolabError);
  const message = (error as AutolabError).message;
  expect(message, context).not.toMatch(/undefined|\[object Object\]/);
  if ((error as AutolabError).name !== 'TaskFileError') return;
  const [header, ...problems] = message.split('\n');
  expect(header, context).toMatch(/^Invalid task file .* \(\d+ problems?(, the first \d+ shown)?\):$/);
  expect(problems.length, context).toBeGreaterThan(0);
  const lineCount = text.split(/\r\n|\r|\n/).length;
  for (const problem of problems) {
    expect(problem.startsWith(`${file}:`), `${context}\nproblem without the file: ${problem}`).toBe(true);
    const match = /^:(\d+):(\d+): /.exec(problem.slice(file.length));
    expect(match, `${context}\nproblem without a position: ${problem}`).not.toBeNull();
    expect(Number(match![1]), context).toBeGreaterThanOrEqual(1);
    expect(Number(match![1]), context).toBeLessThanOrEqual(lineCount + 1);
  }
}

async function roundTrip(text: string, context: string): Promise<'loaded' | 'explained'> {
  await writeFile(file, text);
  const started = performance.now();
  try {
    const { task } = await loadTaskFile(file);
    expect(typeof task.run.command, context).toBe('string');
    expect(task.run.timeoutMs, context).toBeGreaterThan(0);
    expect(Number.isFinite(task.run.timeoutMs), context).toBe(true);
    expect(task.objective.metric.length, context).toBeGreaterThan(0);
    return 'loaded';
  } catch (error) {
    expectLoadsOrExplains(text, error, context);
    return 'explained';
  } finally {
    expect(performance.now() - started, `${context}\ntook too long`).toBeLessThan(1_500);
  }
}

describe('loadTaskFile on damaged, hostile and type-confused task files', () => {
  it('byte-level damage: loads or explains where, every time', async () => {
    const p = picker(SEED + 1);
    const seen = { loaded: 0, explained: 0 };
    for (let round = 0; round < 150 * SCALE; round++) {
      let text = GOLF_TASK_YAML;
      for (let step = 0, steps = 1 + p.int(3); step < steps; step++) text = damageText(text, p);
      seen[await roundTrip(text, `byte round ${round}:\n${text.slice(0, 2_000)}`)]++;
    }
    expect(seen.explained).toBeGreaterThan(30);
    expect(seen.loaded).toBeGreaterThan(5);
  });

  it('values of the wrong type or range anywhere: loads or explains where, every time', async () => {
    const p = picker(SEED + 2);
    const seen = { loaded: 0, explained: 0 };
    for (let round = 0; round < 150 * SCALE; round++) {
      const text = confuseTypes(p);
      seen[await roundTrip(text, `type round ${round}:\n${text.slice(0, 2_000)}`)]++;
    }
    expect(seen.explained).toBeGreaterThan(50);
  });

  it('hostile YAML (alias bombs, deep nesting, tags, duplicate keys, documents, BOM, merge keys) never hangs or crashes', async () => {
    const p = picker(SEED + 3);
    for (let round = 0; round < 24 * SCALE; round++) {
      const text = hostileYaml(p);
      await roundTrip(text, `hostile round ${round}:\n${text.slice(0, 600)}`);
    }
  });
});
