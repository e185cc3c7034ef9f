/**
 * The dashboard server's resident memory at a study size, measured in a process of its
 * own (bench/dashboard-server-child.ts): after it started, and after every endpoint was
 * asked for a few times (overview, timeline, trials pages sorted, filtered and searched,
 * trial pages, diffs, lineage, knobs, the incumbent), each after a full garbage
 * collection. `root` picks the checkout whose server runs (to compare with another).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

export interface ServerRss {
  startMB: number;
  afterEndpointsMB: number;
  /** What the endpoints added. */
  growthMB: number;
  /** After every endpoint: the V8 heap's live objects and its committed size, and the anonymous resident memory (Linux), MB. */
  heapUsedMB?: number;
  heapTotalMB?: number;
  anonMB?: number;
  seconds: number;
}

/**
 * @example const figures = await measureServerRss('/tmp/x/autolab.db', 1000, process.cwd());
 */
export async function measureServerRss(dbFile: string, trials: number, root: string, rounds = 3): Promise<ServerRss> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, 'dashboard-server-child.ts'), dbFile, root], { stdio: ['pipe', 'pipe', 'inherit'], cwd: root });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const line = await lines.next();
    if (line.done) throw new Error('the dashboard server process ended early');
    return JSON.parse(line.value) as Record<string, unknown>;
  };
  try {
    const { url } = (await next()) as { url: string };
    child.stdin!.write('rss\n');
    const startMB = (await next()).rssMB as number;
    const base = url.replace(/\/$/, '');
    const get = async (path: string) => {
      const response = await fetch(base + path);
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`${path}: ${response.status}`);
    };
    let seed = 7;
    const randomId = () => {
      seed = (seed * 48271) % 2147483647;
      return seed % (trials + 1);
    };
    const paths = () => [
      '/api/studies',
      '/api/studies/bench',
      '/api/studies/bench/timeline',
      `/api/studies/bench/trials?limit=50&offset=${randomId() % 1000}`,
      '/api/studies/bench/trials?sort=score&order=asc&limit=50',
      '/api/studies/bench/trials?label=crash&specialist=optimizer&limit=50',
      '/api/studies/bench/trials?q=warmup&limit=50',
      `/api/studies/bench/trials/${randomId()}`,
      `/api/studies/bench/trials/${randomId()}/diff?against=${randomId()}`,
      '/api/studies/bench/lineage',
      '/api/studies/bench/knobs',
      '/api/studies/bench/trials?columns=knobs&sort=knob:lr&limit=50',
      '/api/studies/bench/incumbent',
    ];
    for (let round = 0; round < rounds; round++) for (const path of paths()) await get(path);
    child.stdin!.write('rss\n');
    const after = (await next()) as { rssMB: number; heapUsedMB?: number; heapTotalMB?: number; anonMB?: number };
    const afterEndpointsMB = after.rssMB;
    return { heapUsedMB: after.heapUsedMB, heapTotalMB: after.heapTotalMB, anonMB: after.anonMB, startMB, afterEndpointsMB, growthMB: Math.round((afterEndpointsMB - startMB) * 10) / 10, seconds: Math.round((performance.now() - started) / 100) / 10 };
  } finally {
    child.stdin!.end();
    await new Promise((done) => child.once('exit', done));
  }
}
