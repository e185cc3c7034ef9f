import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTemplate } from '../../task/init-template.ts';
import { loadTaskFile } from '../../task/load-task.ts';
import { createSpecialist } from '../registry.ts';
import { withStarterSpecialists } from './starter-specialists.ts';

describe('starter specialists for autolab init', () => {
  let dir: string;
  const key = process.env.ANTHROPIC_API_KEY;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autolab-starter-'));
    process.env.ANTHROPIC_API_KEY = 'test-only';
  });
  afterAll(async () => {
    if (key === undefined) delete process.env.ANTHROPIC_API_KEY;
    else process.env.ANTHROPIC_API_KEY = key;
    await rm(dir, { recursive: true, force: true });
  });

  it('writes four llm specialists for a training recipe that load and build', async () => {
    await writeFile(join(dir, 'autolab.yaml'), withStarterSpecialists(initTemplate({ name: 'r' }), 'training'));
    const { task, warnings } = await loadTaskFile(dir);
    expect(task.specialists.map((spec) => [spec.name, spec.kind, spec.role, spec.options.model])).toEqual([
      ['optimizer', 'llm', 'optimizer', 'anthropic:claude-sonnet-4-5'],
      ['architecture', 'llm', 'architecture', 'anthropic:claude-sonnet-4-5'],
      ['data', 'llm', 'data', 'anthropic:claude-sonnet-4-5'],
      ['systems', 'llm', 'systems', 'anthropic:claude-sonnet-4-5'],
    ]);
    expect(task.budget.usd).toBe(20);
    expect(warnings.map((warning) => warning.code)).not.toContain('no_specialists');
    expect(task.specialists.map((spec) => createSpecialist(spec, task).spec.kind)).toEqual(['llm', 'llm', 'llm', 'llm']);
  });

  it('writes one generalist over everything not protected', async () => {
    await writeFile(join(dir, 'autolab.yaml'), withStarterSpecialists(initTemplate({ name: 'r' }), 'generalist'));
    const { task } = await loadTaskFile(dir);
    expect(task.specialists).toMatchObject([{ name: 'generalist', kind: 'llm', surface: 'everything', role: 'generalist' }]);
    expect(task.surfaces.everything?.paths).toEqual(['.']);
    expect(createSpecialist(task.specialists[0]!, task).spec.name).toBe('generalist');
  });
});
