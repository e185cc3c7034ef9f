import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTemplate } from './init-template.ts';
import { loadTaskFile } from './load-task.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autolab-task-init-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('initTemplate', () => {
  it('loads without errors as written', async () => {
    await writeFile(join(dir, 'autolab.yaml'), initTemplate({ name: 'my-recipe' }));
    const { task, warnings } = await loadTaskFile(dir);
    expect(task.name).toBe('my-recipe');
    expect(task.run).toEqual({ command: 'python train.py', timeoutMs: 600_000, outputCapBytes: 10 * 1024 * 1024 });
    expect(task.score).toEqual({ command: 'python score.py', timeoutMs: 300_000 });
    expect(task.surfaces.train?.paths).toEqual(['train.py']);
    expect(warnings.map((warning) => warning.code)).toEqual(['no_specialists']);
  });

  it('still loads when its commented examples are uncommented', async () => {
    const uncommented = initTemplate({ name: 'x' })
      .replace(/^# (setup|preflight|smoke|legality): /gm, '$1: ')
      .replace('gates: []\n#  - "artifact_bytes <= 16e6"\n#  - "accuracy >= 0.96"', 'gates:\n  - "artifact_bytes <= 16e6"\n  - "accuracy >= 0.96"')
      .replace('knobs: {}\n    #  lr:', 'knobs:\n      lr:')
      .replace(/\n {4}# {2}(width|act):/g, '\n      $1:')
      .replace('specialists: []\n#  - {', 'specialists:\n  - {')
      .replace('\n#  - { name: optimizer-agent', '\n  - { name: optimizer-agent')
      .replace('# memory: 16GB', 'memory: 16GB');
    await writeFile(join(dir, 'autolab.yaml'), uncommented);
    const { task } = await loadTaskFile(dir);
    expect(task.setup?.command).toBe('python prepare.py');
    expect(task.preflight).toBeDefined();
    expect(task.smoke).toEqual({ command: 'python train.py', timeoutMs: 30_000, ownCommand: false, gates: [{ metric: 'artifact_bytes', op: '<=', value: 16e6, source: 'artifact_bytes <= 16e6' }] });
    expect(task.legality).toBeDefined();
    expect(task.gates).toHaveLength(2);
    expect(task.surfaces.train?.knobs.map((knob) => knob.name)).toEqual(['lr', 'width', 'act']);
    expect(task.specialists.map((specialist) => specialist.name)).toEqual(['tuner', 'optimizer-agent']);
    expect(task.run.memoryBytes).toBe(16e9);
  });

  it('explains every top-level key in a comment and cleans up the name', () => {
    const text = initTemplate({ name: 'My Project!', schemaUrl: './autolab.schema.json' });
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./autolab.schema.json');
    expect(text).toContain('name: My-Project\n');
    const lines = text.split('\n');
    for (const key of ['name', 'repo', 'baseline', 'setup', 'objective', 'preflight', 'run', 'score', 'legality', 'protected', 'gates', 'surfaces', 'specialists', 'parallel', 'gpus', 'budget', 'limits', 'acceptance', 'seed', 'env']) {
      const index = lines.findIndex((line) => line.startsWith(`${key}:`) || line.startsWith(`# ${key}:`));
      expect(index, key).toBeGreaterThan(0);
      expect(lines.slice(Math.max(0, index - 3), index).some((line) => line.startsWith('# ') && !line.startsWith(`# ${key}:`)), key).toBe(true);
    }
  });
});
