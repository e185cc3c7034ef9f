/**
 * The longest functions of src/ (contract suites aside), overall and per folder, read
 * by the same parser as the boundary test (test/architecture/function-lengths.ts).
 * Ends with one JSON line: { over80, longest, perFolder }.
 *
 *   npm run -s report:long-functions
 */
import { join } from 'node:path';
import { isContractSuite, srcFunctionLengths, type FunctionLength } from '../test/architecture/function-lengths.ts';

const ROOT = join(import.meta.dirname, '..');
const all = srcFunctionLengths(ROOT, isContractSuite);
const where = (f: FunctionLength) => `${f.file}:${f.line} ${f.name}`;

const perFolder = new Map<string, FunctionLength>();
for (const f of all) {
  const folder = f.file.split('/')[1]!;
  if (!perFolder.has(folder)) perFolder.set(folder, f);
}
const over80 = all.filter((f) => f.lines > 80);

console.log(`functions in src/: ${all.length}; above 80 lines: ${over80.length}`);
for (const f of all.slice(0, 15)) console.log(`${String(f.lines).padStart(5)}  ${where(f)}`);
console.log('\nthe longest per folder:');
for (const [folder, f] of [...perFolder].sort((a, b) => b[1].lines - a[1].lines)) console.log(`${String(f.lines).padStart(5)}  ${folder.padEnd(12)} ${where(f)}`);
console.log(JSON.stringify({ functions: all.length, over80: over80.length, longest: { where: where(all[0]!), lines: all[0]!.lines }, perFolder: Object.fromEntries([...perFolder].map(([folder, f]) => [folder, { where: where(f), lines: f.lines }])) }));
