import { describe, expect, it } from 'vitest';
import { AutolabError } from '../core/errors.ts';
import type { SpecialistSpec, TaskSpec } from '../core/task.ts';
import type { SpecialistKind } from './specialist-kinds.ts';
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

  it.each<SpecialistKind>(['combine', 'ablate'])('builds %s specialists', (kind) => {
    const specialist = createSpecialist({ name: kind, kind, surface: 'hyper', options: {} }, task);
    expect(specialist.spec.kind).toBe(kind);
  });

  it('refuses unknown options of combine and ablate', () => {
    expect(() => createSpecialist({ name: 'a', kind: 'ablate', surface: 'hyper', options: { granularity: 'line' } }, task)).toThrow(/options.granularity/);
    expect(() => createSpecialist({ name: 'c', kind: 'combine', surface: 'hyper', options: { sources: 2 } }, task)).toThrow(/combine specialists accept|Unrecognized/);
  });

  it('builds llm and command specialists, and names a missing key', () => {
    expect(() => createSpecialist({ name: 'agent', kind: 'llm', surface: 'hyper', options: {} }, task)).toThrow(/model/);
    expect(() => createSpecialist({ name: 'cli', kind: 'command', surface: 'hyper', options: {} }, task)).toThrow(/command/);
    const llm = createSpecialist({ name: 'agent', kind: 'llm', surface: 'hyper', options: { model: 'openai-compatible:m', base_url: 'http://127.0.0.1:9/v1' } }, task);
    expect(llm.spec.kind).toBe('llm');
    expect(createSpecialist({ name: 'cli', kind: 'command', surface: 'hyper', options: { command: 'true' } }, task).spec.kind).toBe('command');
  });
});
