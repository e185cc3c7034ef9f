/**
 * The memory of one rewrite of the study's knowledge base at a study's size, for `npm run
 * bench:driver-memory` (not run by itself): a fresh process opens the SQLite file and
 * renders the knowledge base as the research memory hook does after a finished trial
 * (`renderStudyKnowledge`, src/knowledge/study-knowledge.ts: the first rewrite of a
 * driver or worker); sends back its RSS and heap before, at the peak (sampled) and after
 * garbage collection, and the size of README.md. Run with `--expose-gc`. Runs unchanged
 * on any checkout whose `renderStudyKnowledge` takes `{ store, studyId, studyName, task }`.
 */
import { renderStudyKnowledge } from '../src/knowledge/study-knowledge.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';

const [file, studyText] = process.argv.slice(2);
const store = await SqliteStore.open(file!);
const studyId = Number(studyText);
const collect = () => (globalThis as { gc?: () => void }).gc?.();
const megabytes = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
collect();
const before = process.memoryUsage();
let peak = before.rss;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const startedAt = performance.now();
const files = await renderStudyKnowledge({ store, studyId, studyName: 'bench', task: { objective: { metric: 'val_loss', direction: 'minimize' } } });
const renderMs = Math.round(performance.now() - startedAt);
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
const readmeKB = Math.round(Buffer.byteLength(files['README.md']) / 1024);
collect();
const after = process.memoryUsage();
await store.close();
process.send!({ rssBeforeMB: megabytes(before.rss), peakRssMB: megabytes(peak), rssMB: megabytes(after.rss), heapMB: megabytes(after.heapUsed), readmeKB, renderMs }, () => process.exit(0));
