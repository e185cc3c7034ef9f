import { describe, expect, it } from 'vitest';
import { AutolabError } from '../core/errors.ts';
import type { SpecialistKind, SpecialistSpec, TaskSpec } from '../core/task.ts';
import { createSpecialist } from './registry.ts';

const knobsSurface = {
  name: 'hyper',
  paths: ['config.json'],
  knobs: [{ name: 'lr', file: 'config.json', key: 'lr', type: 'float' as const, low: 1e-4, high: 1, log: true }],
};
const task = { surfaces: { hyper: knobsSurface } } as unknown as TaskSpec;

describe('createSpecialist', () => {
  it('builds knobs specialists', () => {
    const spec: SpecialistSpec = { name: 'tuner', kind: 'knobs', surface: 'hyper', options: {} };
    const specialist = createSpecialist(spec, task);
    expect(specialist.spec).toBe(spec);
    expect(typeof specialist.propose).toBe('function');
  });

  it.each<SpecialistKind>(['llm', 'command', 'combine', 'ablate'])('refuses kind %s with a TaskFileError', (kind) => {
    let caught: unknown;
    try {
      createSpecialist({ name: 'agent', kind, surface: 'hyper', options: {} }, task);
    } catch (error) {
      caught = error;
    }
    expect(AutolabError.is(caught)).toBe(true);
    expect((caught as AutolabError).name).toBe('TaskFileError');
    expect((caught as AutolabError).message).toBe(`specialist 'agent': kind '${kind}' is not available in this version of autolab; use kind: knobs`);
  });
});
