import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { taskFileSchema } from './schema.ts';
import { semanticIssues } from './semantic-checks.ts';
import { renderTaskFileDocs, taskFileKeyDocs } from './task-file-docs.ts';
import { MINIMAL_TASK_YAML, TASK_FILE_EXAMPLES } from './task-file-examples.ts';

const PAGE = join(import.meta.dirname, '..', '..', 'docs', 'task-file.md');

describe('docs/task-file.md', () => {
  it('is the page generated from the schema (run `npm run docs:task-file` after changing the schema)', async () => {
    expect(await readFile(PAGE, 'utf8')).toBe(renderTaskFileDocs());
  });

  it('lists every key with a type, and every top-level key has an example', () => {
    const rows = taskFileKeyDocs();
    expect(rows.length).toBeGreaterThan(80);
    for (const row of rows) expect(row.type, row.key).not.toMatch(/undefined|any/);
    const topLevel = rows.filter((row) => !/[.[]/.test(row.key)).map((row) => row.key);
    expect(Object.keys(TASK_FILE_EXAMPLES).sort()).toEqual([...topLevel].sort());
  });

  it('shows every key in an example of its section', () => {
    for (const row of taskFileKeyDocs()) {
      const section = row.key.split(/[.[]/)[0]!;
      const name = row.key.split('.').filter((part) => part !== '<name>').at(-1)!.replace('[]', '');
      const text = (TASK_FILE_EXAMPLES[section] ?? []).join('\n');
      expect(new RegExp(`(^|[\\s{,"])${name.replace(/\$/g, '\\$')}:`, 'm').test(text), `${row.key} in an example of ${section}`).toBe(true);
    }
  });

  it('has examples that the task file schema accepts', () => {
    const base = parse(MINIMAL_TASK_YAML) as Record<string, unknown>;
    for (const [key, examples] of Object.entries(TASK_FILE_EXAMPLES)) {
      for (const example of examples) {
        const raw = { ...base, ...(parse(example) as Record<string, unknown>) };
        const parsed = taskFileSchema.safeParse(raw);
        expect(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`), `${key}: ${example}`).toEqual([]);
        expect(semanticIssues(raw).map((issue) => issue.message), `${key}: ${example}`).toEqual([]);
      }
    }
  });
});
