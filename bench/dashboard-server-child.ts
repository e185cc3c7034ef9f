/**
 * bench:dashboard's server in a process of its own, so its memory is measured alone:
 * `node --expose-gc --import tsx bench/dashboard-server-child.ts DB [ROOT]` opens the store
 * DB and starts the dashboard of the checkout at ROOT (default this one: a second
 * checkout, e.g. main's, is measured the same way), prints `{"url":…}`, then answers each
 * `rss` line on stdin with `{"rssMB":…,"heapUsedMB":…,"heapTotalMB":…}` after a full garbage collection. Ends when
 * stdin closes.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';

const [dbFile, root = resolve(import.meta.dirname, '..')] = process.argv.slice(2);
if (!dbFile) throw new Error('usage: dashboard-server-child.ts DB [ROOT]');
const { openStore } = (await import(pathToFileURL(join(root, 'src/store/open-store.ts')).href)) as typeof import('../src/store/open-store.ts');
const { startDashboard } = (await import(pathToFileURL(join(root, 'src/server/serve-dashboard.ts')).href)) as typeof import('../src/server/serve-dashboard.ts');
const store = await openStore(dbFile);
const dashboard = await startDashboard({ store, port: 0 });
const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const settledRssMB = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return mb(process.memoryUsage().rss);
};
process.stdout.write(`${JSON.stringify({ url: dashboard.url, rssMB: settledRssMB() })}\n`);
/** Resident memory by kind (Linux): anonymous (heaps, malloc) and file-backed (code, mapped files), in MB. */
function residentKinds(): { anonMB?: number; fileMB?: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { anonMB: Math.round(kib('RssAnon') / 102.4) / 10, fileMB: Math.round(kib('RssFile') / 102.4) / 10 };
  } catch {
    return {};
  }
}
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === 'rss') {
    const rssMB = settledRssMB();
    const { heapUsed, heapTotal } = process.memoryUsage();
    process.stdout.write(`${JSON.stringify({ rssMB, heapUsedMB: mb(heapUsed), heapTotalMB: mb(heapTotal), ...residentKinds() })}\n`);
  }
});
lines.on('close', () => {
  void dashboard.close().then(() => store.close()).then(() => process.exit(0));
});
