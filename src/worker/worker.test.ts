import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TypedEmitter, type StudyEventMap } from '../core/events.ts';
import type { TrialOutcome } from '../core/store.ts';
import { PostgresStore } from '../store/postgres-store.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { freshPostgresSchema, postgresTestUrl } from '../testing/postgres.ts';
import { remoteTrials } from './await-remote-trial.ts';
import { isQueueStore, leasedStore, type QueueStore } from './leased-store.ts';

const server = postgresTestUrl();
const WORKER = { host: 'h', pid: 1, token: 'w1' };
const CRASH: TrialOutcome = { status: 'failed', label: 'crash', labelDetail: 'exit 1', metrics: {}, score: null, timings: {}, logExcerpt: '' };
const queued = (seed: number) => ({ specialist: 's', parent: null, hypothesis: `t${seed}`, seed, edit: null, owner: null });

/** Each store with a work queue: a fresh one, and how to dispose of it. */
const STORES: Array<{ name: string; skip: string | null; open: () => Promise<{ store: SqliteStore | PostgresStore; dispose: () => Promise<void> }> }> = [
  {
    name: 'SQLite',
    skip: null,
    open: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'autolab-lease-'));
      return { store: await SqliteStore.open(join(dir, 'study.db')), dispose: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgreSQL',
    skip: server.reason,
    open: async () => {
      const db = freshPostgresSchema(server.url!);
      return { store: await PostgresStore.open(db.url, { maxConnections: 4 }), dispose: db.drop };
    },
  },
];

describe('isQueueStore', () => {
  it('is true only for a store with a work queue that hosts share', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autolab-lease-'));
    const sqlite = await SqliteStore.open(join(dir, 'study.db'));
    try {
      expect(typeof sqlite.claimTrial).toBe('function');
      expect(isQueueStore(sqlite)).toBe(false); // a SQLite file: the processes of one host only
    } finally {
      await sqlite.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(server.url === null)('accepts PostgreSQL', async () => {
    const db = freshPostgresSchema(server.url!);
    const postgres = await PostgresStore.open(db.url, { maxConnections: 1 });
    try {
      expect(isQueueStore(postgres)).toBe(true);
    } finally {
      await postgres.close();
      await db.drop();
    }
  });
});

describe.each(STORES)('worker leases and remote trials on $name', ({ skip, open }) => {
  let store: QueueStore;
  let dispose: () => Promise<void>;
  let studyId: number;
  beforeEach(async (context) => {
    if (skip !== null) context.skip(skip);
    const opened = await open();
    store = opened.store;
    dispose = async () => {
      await opened.store.close();
      await opened.dispose();
    };
    studyId = (await store.openStudy({ name: 's', taskHash: 'h', taskJson: '{}' })).study.id;
  });
  afterEach(async () => {
    await dispose?.();
  });

  it('a worker whose lease was lost cannot record over the trial; one that holds it can', async () => {
    const trial = await store.createTrial(studyId, queued(1));
    await store.claimTrial(studyId, WORKER, 60_000);
    const held = new Set([trial.id]);
    const mine = leasedStore(store, WORKER, (id) => held.has(id));
    const impostor = leasedStore(store, { ...WORKER, token: 'w2' }, () => true);
    await expect(impostor.finishTrial(studyId, trial.id, CRASH, () => false)).rejects.toMatchObject({ name: 'LeaseLost' });
    await expect(impostor.updateTrial(studyId, trial.id, { commit: 'x' })).rejects.toMatchObject({ name: 'LeaseLost' });
    await mine.updateTrial(studyId, trial.id, { commit: 'c' });
    expect(await mine.countTrials(studyId)).toBe(1); // everything else passes through
    expect((await mine.finishTrial(studyId, trial.id, CRASH, () => false)).status).toBe('failed');
  });

  it('the driver waits for a worker’s record, and on kill records its queued trials interrupted', async () => {
    const events = new TypedEmitter<StudyEventMap>();
    const finished: number[] = [];
    events.on('trial.finished', ({ trial }) => finished.push(trial.id));
    const remote = remoteTrials({ store, studyId, events }, 20);
    const first = await store.createTrial(studyId, queued(1));
    const never = new AbortController();
    const waiting = remote.awaitTrial(first, never.signal);
    await store.claimTrial(studyId, WORKER, 60_000);
    await store.finishTrial(studyId, first.id, CRASH, () => false);
    expect((await waiting).label).toBe('crash');

    const second = await store.createTrial(studyId, queued(2));
    const kill = new AbortController();
    const stopped = remote.awaitTrial(second, kill.signal);
    kill.abort();
    const recorded = await stopped;
    expect(recorded).toMatchObject({ status: 'failed', label: 'interrupted' });
    expect(recorded.labelDetail).toMatch(/before any worker claimed it/);
    expect(await store.claimTrial(studyId, WORKER, 60_000)).toBeNull();
    expect(finished).toEqual([first.id, second.id]);
  });
});
