import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AutolabError } from '../core/errors.ts';
import { taskJudgingHash } from './load-task.ts';
import { useTaskFiles } from '../testing/task-files.ts';

const files = useTaskFiles('objectives');

const COMMANDS = 'run: { command: python train.py, timeout: 10m }\nscore: python score.py\n';
const TWO = 'objectives:\n  - { metric: bpb, direction: minimize, margin: 0.01, reference: 2 }\n  - { metric: bytes, direction: minimize }\n';

async function load(text: string) {
  return files.load(`name: multi\n${text}${COMMANDS}`);
}

async function problemsOf(text: string): Promise<string[]> {
  const error = await load(text).then(() => undefined, (thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(AutolabError);
  return (error as AutolabError).message.split('\n').slice(1).map((line) => line.replace(/^.*?:\d+:\d+: /, ''));
}

describe('objectives in the task file', () => {
  it('loads several objectives; the first is the primary one', async () => {
    const { task } = await load(TWO);
    expect(task.objective).toEqual({ metric: 'bpb', direction: 'minimize' });
    expect(task.objectives).toEqual([{ metric: 'bpb', direction: 'minimize', margin: 0.01, reference: 2 }, { metric: 'bytes', direction: 'minimize' }]);
  });

  it('takes objective as the primary one and a preference', async () => {
    const { task } = await load(`objective: { metric: bytes, direction: minimize }\n${TWO}preference: { target: { bpb: 1.2 } }\n`);
    expect(task.objective.metric).toBe('bytes');
    expect(task.preference).toEqual({ target: { bpb: 1.2 } });
  });

  it('changes the judging hash only of multi-objective tasks', async () => {
    const single = await load('objective: { metric: bpb, direction: minimize }\n');
    const multi = await load(TWO);
    expect(taskJudgingHash(single.task)).not.toBe(taskJudgingHash(multi.task));
    expect(single.task.objectives).toBeUndefined();
  });

  it('refuses one objective, duplicates, a primary not among them, and a preference over unknown metrics', async () => {
    expect(await problemsOf('objectives:\n  - { metric: bpb, direction: minimize }\n')).toEqual([
      'objectives: objectives needs at least two metrics; for one, write objective: { metric: ..., direction: ... }',
    ]);
    expect(await problemsOf('objectives:\n  - { metric: bpb, direction: minimize }\n  - { metric: bpb, direction: maximize }\n')).toEqual(['objectives[1].metric: metric bpb is listed twice']);
    expect(await problemsOf(`objective: { metric: loss, direction: minimize }\n${TWO}`)).toEqual(['objective.metric: objective (the primary one) must be one of objectives: bpb, bytes']);
    expect(await problemsOf(`objective: { metric: bpb, direction: maximize }\n${TWO}`)).toEqual(['objective.direction: objective bpb is minimize in objectives']);
    expect(await problemsOf(`${TWO}preference: { weights: { bbp: 1 } }\n`)).toEqual(['preference.weights.bbp: bbp is not one of the objectives (bpb, bytes)']);
    expect(await problemsOf(`${TWO}preference: { weights: { bpb: 0, bytes: 0 } }\n`)).toEqual(['preference.weights: at least one weight must be above 0']);
    expect(await problemsOf('objective: { metric: bpb, direction: minimize }\npreference: { weights: { bpb: 1 } }\n')).toEqual(['preference: preference chooses among a front: it needs objectives: [...]']);
  });

  it('refuses a preference with both weights and target', async () => {
    const lines = await problemsOf(`${TWO}preference: { weights: { bpb: 1 }, target: { bpb: 1 } }\n`);
    expect(lines.join('\n')).toMatch(/preference/);
  });
});
