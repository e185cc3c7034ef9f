import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TypedEmitter, type StudyEventMap } from '../core/events.ts';
import type { TrialOutcome } from '../core/store.ts';
import { PostgresStore } from '../store/postgres-store.ts';
import { freshPostgresSchema, postgresTestUrl } from '../testing/postgres.ts';
import { remoteTrials } from './await-remote-trial.ts';
import { leasedStore } from './leased-store.ts';

const server = postgresTestUrl();
const WORKER = { host: 'h', pid: 1, token: 'w1' };
const CRASH: TrialOutcome = { status: 'failed', label: 'crash', labelDetail: 'exit 1', metrics: {}, score: null, timings: {}, logExcerpt: '' };
const queued = (seed: number) => ({ specialist: 's', parent: null, hypothesis: `t${seed}`, seed, edit: null, owner: null });

describe.skipIf(server.url === null)(`worker leases and remote trials${server.reason ? ` (${server.reason})` : ''}`, () => {
  let db: ReturnType<typeof freshPostgresSchema>;
  let store: PostgresStore;
  let studyId: number;
  beforeEach(async () => {
    db = freshPostgresSchema(server.url!);
    store = await PostgresStore.open(db.url, { maxConnections: 4 });
    studyId = (await store.openStudy({ name: 's', taskHash: 'h', taskJson: '{}' })).study.id;
  });
  afterEach(async () => {
    await store.close();
    await db.drop();
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
    events.on('trial:finished', ({ trial }) => finished.push(trial.id));
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
