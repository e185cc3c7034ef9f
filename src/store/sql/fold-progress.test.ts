/**
 * Queued progress writes are committed folded (update-trial.ts, foldProgress): adjacent
 * writes about the same trial become one UPDATE carrying every write's event. On random
 * sequences of writes, on both stores, the trials and the audit log equal those of the
 * same writes made one by one, each in its own transaction; one of the trials is finished
 * among them, so folds that change nothing are covered too.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/random.ts';
import type { AcceptanceDecision, Store, TrialProgress, TrialProgressEvent } from '../../core/store.ts';
import { freshPostgresSchema, postgresTestUrl } from '../../testing/postgres.ts';
import { sqliteStoreFactory } from '../../testing/store-factory.ts';
import { PostgresStore } from '../postgres-store.ts';
import { foldProgress } from './update-trial.ts';

const owner = { host: 'here', pid: 1, token: 'tok' };
const keepAll: AcceptanceDecision = () => true;

interface Write {
  trialId: number;
  progress: TrialProgress;
  event: TrialProgressEvent | undefined;
}

/** `count` random progress writes about trials 1-3 (startedAt always given: the clock differs between the two stores). */
function randomWrites(seed: number, count: number): Write[] {
  const next = seededRandom(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const writes: Write[] = [];
  let trialId = 1;
  for (let k = 0; k < count; k++) {
    if (next() < 0.4) trialId = pick([1, 2, 3]); // runs of writes about one trial, as a slot makes them
    const progress: TrialProgress = {};
    if (next() < 0.4) progress.status = pick(['pending', 'running'] as const);
    if (next() < 0.4) progress.commit = pick(['c1', 'c2', null]);
    if (next() < 0.3) progress.tree = pick(['t1', 't2', null]);
    if (next() < 0.3) progress.diff = pick(['d1', 'd2']);
    if (next() < 0.5) progress.timings = pick([{ materialiseMs: k }, { legalityMs: k }, { materialiseMs: k, proposeMs: 2 }]);
    if (next() < 0.2) progress.owner = pick([owner, null]);
    if (next() < 0.3) progress.startedAt = `2026-01-01T00:00:0${k % 10}.000Z`;
    if (next() < 0.2) progress.logExcerpt = `log ${k}`;
    const event: TrialProgressEvent | undefined = next() < 0.5 ? undefined : pick([{ type: 'trial.started', data: { slot: k, gpu: null } }, { type: 'trial.materialised', data: { commit: `c${k}` } }] as const);
    writes.push({ trialId, progress, event });
  }
  return writes;
}

/** A study with a baseline and trials 1-3, trial 3 finished. */
async function seed(store: Store): Promise<number> {
  const { study } = await store.openStudy({ name: 's', taskHash: 'h', taskJson: '{}' });
  await store.createTrial(study.id, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'b', seed: 0, edit: null, owner });
  await store.finishTrial(study.id, 0, { status: 'scored', label: null, labelDetail: null, metrics: {}, score: 3, timings: {}, logExcerpt: '' }, keepAll);
  for (let n = 1; n <= 3; n++) await store.createTrial(study.id, { specialist: 'knobs', parent: 0, hypothesis: `h${n}`, seed: n, edit: null, owner });
  await store.finishTrial(study.id, 3, { status: 'failed', label: 'crash', labelDetail: null, metrics: {}, score: null, timings: {}, logExcerpt: '' }, keepAll);
  return study.id;
}

/** What the writes leave, without the clock's readings. */
async function recorded(store: Store, studyId: number) {
  // A start without a given time is stamped with the clock: only whether it was is compared.
  const started = (at: string | null) => (at === null || at.startsWith('2026-01-01') ? at : 'the clock');
  const trials = (await store.listTrials(studyId)).map(({ id, status, commit, tree, diff, timings, owner: trialOwner, startedAt, logExcerpt }) => ({ id, status, commit, tree, diff, timings, owner: trialOwner, startedAt: started(startedAt), logExcerpt }));
  const events = (await store.listEvents(studyId)).map(({ trialId, type, data }) => ({ trialId, type, data }));
  return { trials, events };
}

describe('foldProgress', () => {
  it('folds only adjacent writes about the same trial, and keeps every event in order', () => {
    const folds = foldProgress([
      { trialId: 1, progress: { status: 'running', timings: { proposeMs: 1 } }, event: { type: 'trial.started', data: { slot: 0, gpu: null } } },
      { trialId: 1, progress: { commit: 'c', timings: { materialiseMs: 2 } }, event: undefined },
      { trialId: 2, progress: { status: 'running' }, event: undefined },
      { trialId: 1, progress: { tree: 't' }, event: undefined },
    ]);
    expect(folds).toEqual([
      {
        trialId: 1,
        progress: { status: 'running', commit: 'c', timings: { proposeMs: 1, materialiseMs: 2 } },
        events: [
          { type: 'trial.started', data: { slot: 0, gpu: null } },
          { type: 'trial.updated', data: { fields: ['commit', 'timings'] } },
        ],
      },
      { trialId: 2, progress: { status: 'running' }, events: [{ type: 'trial.updated', data: { status: 'running', fields: ['status'] } }] },
      { trialId: 1, progress: { tree: 't' }, events: [{ type: 'trial.updated', data: { fields: ['tree'] } }] },
    ]);
  });
});

type FlushingStore = Store & { flushProgress(): Promise<void> };

function describeFolding(name: string, open: () => Promise<{ store: FlushingStore; cleanup: () => Promise<void> }>): void {
  describe(`queued progress, folded, equals the writes one by one: ${name}`, () => {
    let stores: Array<{ store: FlushingStore; cleanup: () => Promise<void> }> = [];
    beforeEach(async () => {
      stores = [await open(), await open()];
    });
    afterEach(async () => {
      for (const { cleanup } of stores) await cleanup();
    });

    it('on random sequences of writes', async () => {
      const [behind, oneByOne] = stores.map(({ store }) => store) as [FlushingStore, FlushingStore];
      for (const seedNumber of [1, 2, 3, 4, 5, 6]) {
        const [a, b] = [await seed(behind), await seed(oneByOne)];
        // The same study on both: recreated each round, under a fresh name.
        await behind.renameStudy(a, `s${seedNumber}`);
        await oneByOne.renameStudy(b, `s${seedNumber}`);
        const writes = randomWrites(seedNumber, 24);
        for (const write of writes) await behind.updateTrial(a, write.trialId, write.progress, write.event, { writeBehind: true });
        await behind.flushProgress(); // one transaction carrying all of them, folded
        for (const write of writes) await oneByOne.updateTrial(b, write.trialId, write.progress, write.event).catch(() => undefined); // trial 3 refuses
        expect(await recorded(behind, a), `seed ${seedNumber}`).toEqual(await recorded(oneByOne, b));
      }
    });
  });
}

describeFolding('SqliteStore', sqliteStoreFactory('autolab-fold-'));

const server = postgresTestUrl();
if (server.url === null) {
  describe.skip(`queued progress, folded: PostgresStore: ${server.reason}`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  const base = server.url;
  describeFolding('PostgresStore', async () => {
    const db = freshPostgresSchema(base);
    const store = await PostgresStore.open(db.url, { maxConnections: 2 });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await db.drop();
      },
    };
  });
}
