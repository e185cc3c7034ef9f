import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { TrialLevelRecord } from '../../src/core/fidelity.ts';
import type { StudyEvent } from '../../src/core/store.ts';
import type { TrialRecord } from '../../src/core/trial.ts';
import { openStudy } from '../../src/engine/open-study.ts';
import { openStore } from '../../src/store/open-store.ts';
import { waitFor } from '../../src/testing/cli.ts';
import { freshPostgresSchema, postgresTestUrl } from '../../src/testing/postgres.ts';
import { makePatch, makeRecipeRepo } from '../../src/testing/recipe-repo.ts';
import { patchProposal, ScriptedSpecialist } from '../../src/testing/scripted-specialist.ts';

// Remote workers climb a continued fidelity ladder (`fidelity: { continue: true }`, three
// levels s/m/full, every trial promoted): the driver (this process) proposes and decides
// promotions; real worker processes (src/testing/worker-child.ts) measure the levels.
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'ladder-resume');
const CHILD = fileURLToPath(new URL('../../src/testing/worker-child.ts', import.meta.url));
const server = postgresTestUrl();

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Child {
  pid: number;
  kill(): void;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function startWorker(dir: string, store: string, leaseMs: number, idleExitMs: number): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, store, String(leaseMs), String(idleExitMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  cleanups.push(async () => void child.kill('SIGKILL'));
  return { pid: child.pid!, kill: () => child.kill('SIGKILL'), done };
}

const STORES = [
  {
    name: 'SQLite',
    skip: null as string | null,
    location: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'autolab-worker-ladder-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      return join(dir, 'study.db');
    },
  },
  {
    name: 'PostgreSQL',
    skip: server.reason,
    location: async () => {
      const db = freshPostgresSchema(server.url!, 'autolab_wladder');
      cleanups.push(db.drop);
      return db.url;
    },
  },
];

async function snapshot(location: string): Promise<{ trials: TrialRecord[]; levels: TrialLevelRecord[]; events: StudyEvent[] }> {
  const store = await openStore(location);
  try {
    const study = await store.getStudy('ladder-resume');
    if (study === null) return { trials: [], levels: [], events: [] };
    return { trials: await store.listTrials(study.id), levels: await store.listTrialLevels!(study.id), events: await store.listEvents(study.id) };
  } finally {
    await store.close();
  }
}

const ofTrial = (levels: TrialLevelRecord[], id: number) => levels.filter((record) => record.trialId === id).sort((a, b) => a.level - b.level);
const eventsOf = (events: StudyEvent[], id: number, type: string) => events.filter((event) => event.trialId === id && event.type === type);

async function recipe(): Promise<{ dir: string; config: (body: Record<string, unknown>) => Promise<string> }> {
  const repo = await makeRecipeRepo(FIXTURE);
  cleanups.push(repo.cleanup);
  return { dir: repo.dir, config: (body) => makePatch(repo.dir, { 'config.json': JSON.stringify(body) + '\n' }) };
}

describe.each(STORES)('remote workers climb a continued fidelity ladder on $name', ({ skip, location }) => {
  it.skipIf(skip !== null)('two worker processes measure every level; the driver promotes; runs resume across workers', async () => {
    const { dir, config } = await recipe();
    const store = await location();
    const study = await openStudy(dir, { store, create: true });
    cleanups.push(() => study.close());
    const workers = [startWorker(dir, store, 20_000, 3_000), startWorker(dir, store, 20_000, 3_000)];
    const turns = [patchProposal('scripted', 0, await config({ x: 2.5, probe: false }), { hypothesis: 'x nearer 3' }), patchProposal('scripted', 0, await config({ x: 4, probe: false }), { hypothesis: 'x at 4' }), null];
    const summary = await study.run({ specialists: [new ScriptedSpecialist('scripted', turns)], trials: 2, remote: true, sameHost: true });
    expect(summary.stopReason).toMatch(/--trials 2 reached|trials/);
    const done = await Promise.all(workers.map((worker) => worker.done));
    for (const result of done) expect(result.code, result.stderr + result.stdout).toBe(0);

    const { trials, levels, events } = await snapshot(store);
    expect(trials.map((trial) => trial.id)).toEqual([0, 1, 2]);
    const pids = new Set(workers.map((worker) => worker.pid));
    for (const id of [0, 1, 2]) {
      const own = ofTrial(levels, id);
      expect(own.map((record) => [record.levelName, record.status]), `trial #${id}`).toEqual([['s', 'scored'], ['m', 'scored'], ['full', 'scored']]);
      expect(pids.has(trials[id]!.owner?.pid ?? -1), `trial #${id} recorded by a worker`).toBe(true);
      if (id === 0) continue;
      // Each level resumed from the checkpoint the level below left (possibly on the other worker).
      expect(own.map((record) => record.metrics.resumed_from)).toEqual([0, 10, 30]);
      expect(eventsOf(events, id, 'trial.level_queued').map((event) => event.data)).toEqual([{ level: 1, levelName: 'm' }, { level: 2, levelName: 'full' }]);
      expect(eventsOf(events, id, 'trial.claimed')).toHaveLength(3);
      expect(eventsOf(events, id, 'trial.promoted')).toHaveLength(2);
      expect(eventsOf(events, id, 'trial.finished')).toHaveLength(1);
      // The cost model's prediction was recorded before any worker claimed the trial.
      const predicted = eventsOf(events, id, 'trial.cost_predicted');
      expect(predicted).toHaveLength(1);
      expect(predicted[0]!.id).toBeLessThan(eventsOf(events, id, 'trial.claimed')[0]!.id);
      // Only the full level's score is the trial's.
      expect(trials[id]!.score).toBe(own[2]!.score);
    }
    expect(trials[1]!.status).toBe('kept');
    const measured = done.map((result) => JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { levelsMeasured: number });
    expect(measured.reduce((sum, worker) => sum + worker.levelsMeasured, 0)).toBe(4); // s and m of trials 1 and 2
  }, 300_000);

  it.skipIf(skip !== null)('a worker killed mid-level loses no recorded level; another resumes the level from the kept checkpoint', async () => {
    const { dir, config } = await recipe();
    const store = await location();
    const study = await openStudy(dir, { store, create: true });
    cleanups.push(() => study.close());
    // Leases long enough for a loaded machine (a starved worker must not lose its lease), short enough to wait out.
    const doomed = startWorker(dir, store, 20_000, 600_000);
    const turns = [patchProposal('scripted', 0, await config({ x: 2.5, probe: false, step_ms: 60 }), { hypothesis: 'slow steps' }), null];
    const driving = study.run({ specialists: [new ScriptedSpecialist('scripted', turns)], trials: 1, remote: true, sameHost: true });
    // The doomed worker measured s and m; it is killed while it runs the full level (resumed from m).
    const before = await waitFor(async () => {
      const seen = await snapshot(store);
      const resumed = eventsOf(seen.events, 1, 'trial.level_resumed').some((event) => (event.data as { level?: number }).level === 2);
      return resumed && seen.trials[1]?.status === 'running' && seen.trials[1].owner?.pid === doomed.pid ? seen : false;
    }, 180_000, 'the doomed worker to run trial #1 at the full level');
    doomed.kill();
    await doomed.done;
    // A claim judges other workers' leases by its own lease length: the rescuer's short lease
    // re-queues the dead worker's trial a few seconds after its last heartbeat (not 20 s).
    const rescuer = startWorker(dir, store, 4_000, 2_000);
    await driving;
    const result = await rescuer.done;
    expect(result.code, result.stderr + result.stdout).toBe(0);

    const { trials, levels, events } = await snapshot(store);
    const own = ofTrial(levels, 1);
    expect(own.map((record) => [record.levelName, record.status])).toEqual([['s', 'scored'], ['m', 'scored'], ['full', 'scored']]);
    // The levels the killed worker recorded are kept as they were.
    expect(own.slice(0, 2)).toEqual(ofTrial(before.levels, 1));
    expect(own[2]!.metrics.resumed_from).toBe(30); // the rescuer resumed from the checkpoint of m
    expect(['kept', 'discarded']).toContain(trials[1]!.status);
    expect(trials[1]!.owner?.pid).toBe(rescuer.pid);
    expect(eventsOf(events, 1, 'trial.requeued')).toHaveLength(1);
    expect(eventsOf(events, 1, 'trial.finished')).toHaveLength(1);
    expect(result.stdout).toMatch(/claimed #1/);
  }, 300_000);
});
