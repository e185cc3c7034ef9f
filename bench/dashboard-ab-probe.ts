/**
 * Two checkouts' dashboard servers side by side on one study, for A/B figures on a busy
 * machine: `npx tsx bench/dashboard-ab-probe.ts DB OTHER_ROOT [ROUNDS]` copies the store
 * file DB (e.g. one bench:dashboard filled), starts this checkout's server and OTHER_ROOT's
 * each in a process of its own (bench/dashboard-server-child.ts), and asks both for every
 * endpoint in alternating order (ABBA), ROUNDS times; then another connection records a
 * trial and both are asked for the overview, the timeline, a trials page and the knobs
 * view, again alternating who goes first. Prints p50/p95 per endpoint and server, each
 * server's RSS after a full collection, and one JSON line. Load hits both alike.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { openStore } from '../src/store/open-store.ts';

const [source, otherRoot, roundsText = '20'] = process.argv.slice(2);
if (!source || !otherRoot) throw new Error('usage: dashboard-ab-probe.ts DB OTHER_ROOT [ROUNDS]');
const ROUNDS = Number(roundsText);
const WRITES = 12;

interface Server {
  name: string;
  child: ChildProcess;
  base: string;
  next: () => Promise<Record<string, unknown>>;
}

async function startServer(name: string, dbFile: string, root: string): Promise<Server> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, 'dashboard-server-child.ts'), dbFile, root], { stdio: ['pipe', 'pipe', 'inherit'], cwd: root });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error(`${name}: the server process ended early`);
    return JSON.parse(line.value) as Record<string, unknown>;
  };
  const { url } = (await next()) as { url: string };
  return { name, child, base: url.replace(/\/$/, ''), next };
}

async function timed(server: Server, path: string): Promise<number> {
  const t = performance.now();
  const response = await fetch(server.base + path).catch(() => fetch(server.base + path));
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${server.name} ${path}: ${response.status}`);
  return performance.now() - t;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)] ?? NaN) * 10) / 10;
}

const dir = await mkdtemp(join(tmpdir(), 'autolab-dashboard-ab-'));
const dbFile = join(dir, 'autolab.db');
await copyFile(source, dbFile);
const writer = await openStore(dbFile);
const study = (await writer.getStudy('bench'))!;
const trials = await writer.countTrials(study.id);
const servers = [await startServer('this', dbFile, resolve(import.meta.dirname, '..')), await startServer('other', dbFile, resolve(otherRoot))];
const times = new Map<string, number[]>();
const note = (server: Server, key: string, ms: number) => {
  const list = times.get(`${server.name}\t${key}`) ?? [];
  list.push(ms);
  times.set(`${server.name}\t${key}`, list);
};
/** ABBA: who goes first alternates with `turn`. */
const inTurn = (turn: number) => (turn % 2 === 0 ? servers : [...servers].reverse());

let seed = 11;
const randomId = () => {
  seed = (seed * 48271) % 2147483647;
  return seed % trials;
};
const endpoints: Array<[string, () => string]> = [
  ['studies', () => '/api/studies'],
  ['overview', () => '/api/studies/bench'],
  ['timeline', () => '/api/studies/bench/timeline'],
  ['trials page', () => `/api/studies/bench/trials?limit=50&offset=${randomId() % 1000}`],
  ['trials by score', () => '/api/studies/bench/trials?sort=score&order=asc&limit=50'],
  ['trials filtered', () => '/api/studies/bench/trials?label=crash&specialist=optimizer&limit=50'],
  ['trials searched', () => '/api/studies/bench/trials?q=warmup&limit=50'],
  ['trial', () => `/api/studies/bench/trials/${randomId()}`],
  ['diff', () => `/api/studies/bench/trials/${randomId()}/diff?against=${randomId()}`],
  ['lineage', () => '/api/studies/bench/lineage'],
  ['knobs', () => '/api/studies/bench/knobs'],
  ['trials by knob', () => '/api/studies/bench/trials?columns=knobs&sort=knob:lr&limit=50'],
  ['incumbent', () => '/api/studies/bench/incumbent'],
];
try {
  for (const [i, [name, path]] of endpoints.entries()) for (const server of inTurn(i)) note(server, `first ${name}`, await timed(server, path()));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, path] of endpoints) {
      const p = path();
      for (const server of inTurn(round)) note(server, name, await timed(server, p));
    }
  }
  for (let i = 0; i < WRITES; i++) {
    const trial = await writer.createTrial(study.id, { specialist: 'tuner', parent: 0, hypothesis: `ab ${i}`, seed: 0, edit: null, owner: null });
    await writer.updateTrial(study.id, trial.id, { status: 'running' }, { type: 'trial.started', data: { slot: i % 8, gpu: String(i % 8) } });
    await writer.finishTrial(study.id, trial.id, { status: 'scored', label: null, labelDetail: null, metrics: { val_bpb: 1.6 }, score: 1.6, timings: { totalMs: 1000 }, logExcerpt: '' }, () => false);
    for (const server of inTurn(i)) {
      for (const [name, path] of [['overview', '/api/studies/bench'], ['timeline', '/api/studies/bench/timeline'], ['trials page', '/api/studies/bench/trials?limit=50'], ['knobs', '/api/studies/bench/knobs']] as const) {
        note(server, `after a write: ${name}`, await timed(server, path));
      }
    }
  }
  const rss: Record<string, number> = {};
  const heap: Record<string, unknown> = {};
  for (const server of servers) {
    server.child.stdin!.write('rss\n');
    const answer = await server.next();
    rss[server.name] = answer.rssMB as number;
    heap[server.name] = { usedMB: answer.heapUsedMB, totalMB: answer.heapTotalMB };
  }
  const keys = [...new Set([...times.keys()].map((key) => key.split('\t')[1]!))];
  const figures: Record<string, Record<string, { p50: number; p95: number }>> = {};
  console.log(`${trials} trials; ${ROUNDS} rounds; this = ${resolve(import.meta.dirname, '..')}, other = ${resolve(otherRoot)}`);
  console.log(`${'endpoint'.padEnd(30)} ${'this p50/p95'.padStart(18)} ${'other p50/p95'.padStart(18)}`);
  for (const key of keys) {
    const row = servers.map((server) => {
      const list = times.get(`${server.name}\t${key}`)!;
      (figures[key] ??= {})[server.name] = { p50: percentile(list, 0.5), p95: percentile(list, 0.95) };
      return `${percentile(list, 0.5)} / ${percentile(list, 0.95)}`.padStart(18);
    });
    console.log(`${key.padEnd(30)} ${row.join(' ')}`);
  }
  console.log(`RSS after every endpoint and ${WRITES} writes: this ${rss.this} MB, other ${rss.other} MB; heap used / total: this ${JSON.stringify(heap.this)}, other ${JSON.stringify(heap.other)}`);
  console.log(JSON.stringify({ trials, rounds: ROUNDS, rssMB: rss, heap, figures }));
} finally {
  for (const server of servers) server.child.stdin!.end();
  await Promise.all(servers.map((server) => new Promise((done) => server.child.once('exit', done))));
  await writer.close();
  await rm(dir, { recursive: true, force: true });
}
