import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AutolabError } from '../core/errors.ts';
import { useTaskFiles } from '../testing/task-files.ts';

const files = useTaskFiles('parents');

const TASK = [
  'name: parents',
  'objective: { metric: loss, direction: minimize }',
  'run: { command: python train.py, timeout: 10m }',
  'score: python score.py',
  'surfaces:',
  '  model: { paths: [model.py], knobs: { lr: { file: model.py, marker: lr, type: float, low: 0.001, high: 1 } } }',
  'specialists:',
].join('\n');

async function load(specialists: string) {
  return files.load(`${TASK}\n${specialists}\n`);
}

describe('parents: in the task file', () => {
  it('reads each strategy with its defaults, and keeps it out of the kind\'s options', async () => {
    const { task } = await load(
      [
        '  - { name: a, kind: command, surface: model, command: "agent", parents: { strategy: islands } }',
        '  - { name: b, kind: command, surface: model, command: "agent", parents: { strategy: tournament, size: 5 } }',
        '  - { name: c, kind: combine, surface: model, parents: { strategy: front } }',
        '  - { name: d, kind: command, surface: model, command: "agent" }',
      ].join('\n'),
    );
    expect(task.specialists.map((spec) => spec.parents)).toEqual([{ strategy: 'islands', islands: 4, migration: 5 }, { strategy: 'tournament', size: 5 }, { strategy: 'front' }, undefined]);
    expect(task.specialists[0]!.options).not.toHaveProperty('parents');
  });

  it('refuses parents: on a kind that chooses its own starting point, and an unknown strategy', async () => {
    const refused = await load('  - { name: k, kind: knobs, surface: model, parents: { strategy: front } }').then(() => null, (error: unknown) => error);
    expect(refused).toBeInstanceOf(AutolabError);
    expect((refused as Error).message).toMatch(/specialists\[0\]\.parents|:\d+:\d+/);
    expect((refused as Error).message).toContain('a knobs specialist chooses its own starting point; parents: applies to llm, command, combine specialists');
    const unknown = await load('  - { name: a, kind: command, surface: model, command: "agent", parents: { strategy: best } }').then(() => null, (error: unknown) => error);
    expect((unknown as Error).message).toContain('expected incumbent, front, tournament, islands or map_elites');
  });

  it('reads map_elites with its feature bins and refuses it without bins or with edges out of order', async () => {
    const { task } = await load('  - { name: a, kind: command, surface: model, command: "agent", parents: { strategy: map_elites, bins: { run_seconds: [10, 30], artifact_bytes: [16000] } } }');
    expect(task.specialists[0]!.parents).toEqual({ strategy: 'map_elites', bins: { run_seconds: [10, 30], artifact_bytes: [16000] } });
    const bare = await load('  - { name: a, kind: command, surface: model, command: "agent", parents: { strategy: map_elites } }').then(() => null, (error: unknown) => error);
    expect((bare as Error).message).toContain('map_elites needs bins');
    const unordered = await load('  - { name: a, kind: command, surface: model, command: "agent", parents: { strategy: map_elites, bins: { run_seconds: [30, 10] } } }').then(() => null, (error: unknown) => error);
    expect((unordered as Error).message).toContain('the edges of run_seconds must be strictly ascending');
    const stray = await load('  - { name: a, kind: command, surface: model, command: "agent", parents: { strategy: front, bins: { run_seconds: [1] } } }').then(() => null, (error: unknown) => error);
    expect((stray as Error).message).toContain('bins: applies to strategy map_elites only');
  });
});
