import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SpecialistSpec, TaskSpec } from '../../core/task.ts';
import { BUILTIN_LIBRARY, listLibrary, readLibraryNote } from './knowledge.ts';
import { parseLlmOptions } from './llm-options.ts';

describe('the builtin technique library', () => {
  it('is what `library: builtin` names; any other value stays a path beside the task file', () => {
    const spec = (library: string) => ({ name: 'agent', kind: 'llm', surface: 'recipe', options: { model: 'openai-compatible:m', base_url: 'http://127.0.0.1:1/v1', library } }) as unknown as SpecialistSpec;
    const task = { root: '/recipes/one' } as TaskSpec;
    expect(parseLlmOptions(spec('builtin'), task).library).toBe(BUILTIN_LIBRARY);
    expect(parseLlmOptions(spec('notes'), task).library).toBe('/recipes/one/notes');
  });

  it('ships concise notes, each with its mechanism, when it helps, a cheap test and a reference', async () => {
    const names = (await readdir(BUILTIN_LIBRARY)).filter((name) => name.endsWith('.md')).sort();
    expect(names.length).toBeGreaterThanOrEqual(12);
    for (const name of names.filter((entry) => entry !== 'README.md')) {
      const text = await readFile(join(BUILTIN_LIBRARY, name), 'utf8');
      expect(text, name).toMatch(/^# \S/);
      for (const section of ['**Mechanism.**', '**When it helps.**', '**When it does not.**', '**How to test it cheaply.**', '**Reference.**']) expect(text, `${name}: ${section}`).toContain(section);
      expect(text.length, `${name} is a concise note`).toBeLessThan(3_500);
    }
  });

  it('is listed with titles and read by name through the library tools, never outside its folder', async () => {
    const listing = await listLibrary(BUILTIN_LIBRARY);
    expect(listing).toContain('batch-size.md — Batch size, the critical batch size');
    expect(listing).toContain('mixed-precision.md — Mixed precision');
    expect(await readLibraryNote(BUILTIN_LIBRARY, 'warm-starting.md')).toContain('Ash & Adams');
    await expect(readLibraryNote(BUILTIN_LIBRARY, '../knowledge.ts')).rejects.toThrow(/no note named/);
  });
});
