import { describe, expect, it } from 'vitest';
import { AutolabError } from '../core/errors.ts';
import { loadTaskFile } from './load-task.ts';
import { useTaskFiles } from '../testing/task-files.ts';

const files = useTaskFiles('constraints');

async function writeTask(text: string): Promise<string> {
  return files.write(text);
}

const HEAD = `name: tiny
objective: { metric: loss, direction: minimize }
run: { command: python train.py, timeout: 10m }
score: python score.py
specialists: [{ name: tuner, kind: knobs, surface: model }]
surfaces:
  model:
    paths: [config.json]
    knobs:
      d_model: { file: config.json, key: d_model, type: int, low: 64, high: 512, step: 8 }
      n_heads: { file: config.json, key: n_heads, type: int, low: 1, high: 16 }
      lr: { file: config.json, key: lr, type: float, low: 0.0001, high: 0.1, log: true }
      act: { file: config.json, key: act, type: categorical, choices: [relu, gelu] }
`;

async function problems(text: string): Promise<{ file: string; lines: string[] }> {
  const file = await writeTask(text);
  const error = await loadTaskFile(file).then(() => undefined, (thrown: unknown) => thrown);
  expect(AutolabError.is(error)).toBe(true);
  return { file, lines: (error as AutolabError).message.split('\n').slice(1) };
}

describe('knob steps and constraints in the task file', () => {
  it('loads step and constraints into the surface', async () => {
    const file = await writeTask(`${HEAD}    constraints:\n      - d_model % n_heads == 0\n      - "act == 'gelu' or lr <= 0.01"\n`);
    const { task } = await loadTaskFile(file);
    expect(task.surfaces.model?.knobs.find((knob) => knob.name === 'd_model')?.step).toBe(8);
    expect(task.surfaces.model?.constraints).toEqual(['d_model % n_heads == 0', "act == 'gelu' or lr <= 0.01"]);
  });

  it('reports a syntax error, an unknown knob and a type error at file:line with the column in the expression', async () => {
    const { file, lines } = await problems(`${HEAD}    constraints:\n      - d_model % n_heads = 0\n      - d_model % heads == 0\n      - "act > 1"\n`);
    expect(lines).toEqual([
      `${file}:15:9: surfaces.model.constraints[0]: "d_model % n_heads = 0", column 19: unexpected character "=" (use == to compare)`,
      `${file}:16:9: surfaces.model.constraints[1]: "d_model % heads == 0", column 11: unknown knob 'heads' (knobs of this surface: d_model, n_heads, lr, act)`,
      `${file}:17:9: surfaces.model.constraints[2]: "act > 1", column 1: '>' compares numbers, got a string`,
    ]);
  });

  it('refuses a step on a log knob, a fractional step on an int knob and a step wider than the range', async () => {
    const text = HEAD.replace('high: 0.1, log: true }', 'high: 0.1, log: true, step: 0.001 }').replace('low: 1, high: 16 }', 'low: 1, high: 16, step: 1.5 }').replace('step: 8 }', 'step: 1000 }');
    const { lines } = await problems(text);
    expect(lines.map((line) => line.replace(/^.*?autolab\.yaml:\d+:\d+: /, ''))).toEqual([
      'surfaces.model.knobs.d_model.step: step (1000) is larger than high - low (448): the knob would have a single value',
      'surfaces.model.knobs.n_heads.step: expected a whole number step for an int knob, got 1.5',
      'surfaces.model.knobs.lr.step: step cannot be combined with log: true (a log scale has no even steps); drop one of them',
    ]);
  });
});
