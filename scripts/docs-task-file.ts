/**
 * `npm run docs:task-file`: writes docs/task-file.md from the task file's schema
 * (src/task/task-file-docs.ts). `--check` exits 1 when the committed page differs.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderTaskFileDocs } from '../src/task/task-file-docs.ts';

const page = join(import.meta.dirname, '..', 'docs', 'task-file.md');
const generated = renderTaskFileDocs();
if (process.argv.includes('--check')) {
  const committed = await readFile(page, 'utf8').catch(() => '');
  if (committed !== generated) {
    process.stderr.write('docs/task-file.md differs from the schema: run `npm run docs:task-file` and commit the page\n');
    process.exit(1);
  }
  process.stdout.write('docs/task-file.md matches the schema\n');
} else {
  await writeFile(page, generated);
  process.stdout.write(`wrote ${page}\n`);
}
