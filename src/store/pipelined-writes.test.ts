/**
 * A recording write alone in its transaction ends it with its last statement
 * (`SqlSession.final`: on PostgreSQL the COMMIT pipelined behind it), an outcome's first
 * read goes with the study lock, and carried progress goes in front of the write's own
 * statements. On PostgreSQL a write whose clock is only a value it stores (a new trial,
 * progress, an event about a trial) sends its statements behind the lock without waiting
 * for its answer (`SqlDriver.deferredClock`). On both stores: what a refused write leaves
 * (its carried progress committed once, nothing of its own), a missing study, the clock
 * each write stores, and on PostgreSQL the round trips and disk waits of one trial.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AcceptanceDecision, Store } from '../core/store.ts';
import { freshPostgresSchema, postgresTestUrl } from '../testing/postgres.ts';
import { countPostgresRoundTrips } from '../testing/postgres-round-trips.ts';
import { PostgresStore } from './postgres-store.ts';
import { SqliteStore } from './sqlite-store.ts';
import { sqliteStoreFactory } from '../testing/store-factory.ts';

const owner = { host: 'here', pid: 1, token: 'tok' };
const keepIfLower: AcceptanceDecision = (candidate, incumbent) => incumbent === null || candidate.score < (incumbent.score ?? Infinity);
const started = { type: 'trial.started', data: { slot: 0, gpu: null } } as const;
const scored = (score: number) => ({ status: 'scored' as const, label: null, labelDetail: null, metrics: { loss: score }, score, timings: {}, logExcerpt: '' });

interface Fixture {
  store: SqliteStore | PostgresStore;
  /** The database's URL (PostgreSQL), for another store on it. */
  url?: string;
  cleanup: () => Promise<void>;
}

async function studyWithBaseline(store: Store): Promise<number> {
  const { study } = await store.openStudy({ name: 's', taskHash: 'h', taskJson: '{}' });
  await store.createTrial(study.id, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'b', seed: 0, edit: null, owner });
  await store.finishTrial(study.id, 0, scored(3), keepIfLower);
  return study.id;
}

function describePipelined(name: string, open: () => Promise<Fixture>, postgres: boolean): void {
  describe(`writes that end their transaction: ${name}`, () => {
    let fixture: Fixture;
    beforeEach(async () => {
      fixture = await open();
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('a refused progress write commits the start it carried once, and nothing of its own', async () => {
      const { store } = fixture;
      const studyId = await studyWithBaseline(store);
      const finished = await store.createTrial(studyId, { specialist: 'knobs', parent: 0, hypothesis: 'done', seed: 1, edit: null, owner });
      await store.finishTrial(studyId, finished.id, scored(4), keepIfLower);
      const running = await store.createTrial(studyId, { specialist: 'knobs', parent: 0, hypothesis: 'runs', seed: 2, edit: null, owner });
      await store.updateTrial(studyId, running.id, { status: 'running', owner }, started, { writeBehind: true });
      // The queued start rides in this write's transaction; the write itself is refused (a finished trial is immutable).
      await expect(store.updateTrial(studyId, finished.id, { commit: 'c', tree: 't', diff: 'd' }, { type: 'trial.materialised', data: { commit: 'c' } })).rejects.toThrow(/already discarded/);
      await store.flushProgress();
      const events = await store.listEvents(studyId, { trialId: running.id });
      expect(events.map((event) => event.type)).toEqual(['trial.created', 'trial.started']);
      expect((await store.getTrial(studyId, running.id))?.status).toBe('running');
      const refused = await store.getTrial(studyId, finished.id);
      expect([refused?.status, refused?.commit]).toEqual(['discarded', null]);
      expect((await store.listEvents(studyId, { trialId: finished.id })).map((event) => event.type)).toEqual(['trial.created', 'trial.finished']);
    });

    it('a trial naming a missing parent is refused and leaves nothing; the next one takes the next number', async () => {
      const { store } = fixture;
      const studyId = await studyWithBaseline(store);
      await expect(store.createTrial(studyId, { specialist: 'knobs', parent: 42, hypothesis: 'orphan', seed: 1, edit: null, owner, cost: { usd: 1, inputTokens: 1, outputTokens: 1, cachedTokens: 0 } })).rejects.toThrow(
        /names parent 42, which does not exist/,
      );
      expect((await store.listTrials(studyId)).map((trial) => trial.id)).toEqual([0]);
      expect((await store.summarizeTrials(studyId)).spentUsd).toBe(0);
      const next = await store.createTrial(studyId, { specialist: 'knobs', parent: 0, hypothesis: 'h', seed: 1, edit: null, owner });
      expect(next.id).toBe(1);
      expect((await store.listEvents(studyId)).filter((event) => event.type === 'trial.created').map((event) => event.trialId)).toEqual([0, 1]);
    });

    it('outcomes read the state and the incumbent under the lock: failed, scored, missing and finished trials', async () => {
      const { store } = fixture;
      const studyId = await studyWithBaseline(store);
      const a = await store.createTrial(studyId, { specialist: 'knobs', parent: 0, hypothesis: 'a', seed: 1, edit: null, owner, cost: { usd: 0.5, inputTokens: 1, outputTokens: 1, cachedTokens: 0 } });
      const b = await store.createTrial(studyId, { specialist: 'knobs', parent: 0, hypothesis: 'b', seed: 2, edit: null, owner });
      const failed = await store.finishTrial(studyId, a.id, { status: 'failed', label: 'crash', labelDetail: 'exit 1', metrics: {}, score: null, timings: { runMs: 5 }, logExcerpt: 'boom', cost: { usd: 0.25, inputTokens: 1, outputTokens: 1, cachedTokens: 0 } }, () => {
        throw new Error('decide is not asked about a failed outcome');
      });
      expect([failed.status, failed.cost?.usd]).toEqual(['failed', 0.75]);
      const kept = await store.finishTrial(studyId, b.id, scored(2), keepIfLower);
      expect(kept.status).toBe('kept');
      expect((await store.getIncumbent(studyId))?.id).toBe(b.id);
      await expect(store.finishTrial(studyId, b.id, scored(1), keepIfLower)).rejects.toThrow(/already kept/);
      await expect(store.finishTrial(studyId, 99, scored(1), keepIfLower)).rejects.toThrow(/Trial 99 does not exist/);
      expect((await store.summarizeTrials(studyId)).spentUsd).toBeCloseTo(0.75);
      expect((await store.listEvents(studyId)).filter((event) => event.type === 'trial.finished').map((event) => event.trialId)).toEqual([0, a.id, b.id]);
    });

    it('writes to a study that does not exist are refused as such and record nothing', async () => {
      const { store } = fixture;
      const studyId = await studyWithBaseline(store);
      const missing = studyId + 1000;
      await expect(store.createTrial(missing, { specialist: 'knobs', parent: null, hypothesis: 'h', seed: 1, edit: null, owner })).rejects.toThrow(`Study ${missing} does not exist`);
      await expect(store.updateTrial(missing, 0, { commit: 'c' }, { type: 'trial.materialised', data: { commit: 'c' } })).rejects.toThrow(`Study ${missing} does not exist`);
      await expect(store.appendEvent(missing, 0, 'trial.cost_predicted', { levels: [], factor: 1, terms: [], fittedOn: 0, usd: null })).rejects.toThrow(`Study ${missing} does not exist`);
      // Progress queued for the real study is not touched by the refused writes.
      const trial = await store.createTrial(studyId, { specialist: 'knobs', parent: 0, hypothesis: 'h', seed: 1, edit: null, owner });
      await store.updateTrial(studyId, trial.id, { status: 'running', owner }, started, { writeBehind: true });
      await expect(store.createTrial(missing, { specialist: 'knobs', parent: null, hypothesis: 'h', seed: 1, edit: null, owner })).rejects.toThrow(`Study ${missing} does not exist`);
      await store.flushProgress();
      expect((await store.listEvents(studyId, { trialId: trial.id })).map((event) => event.type)).toEqual(['trial.created', 'trial.started']);
      expect((await store.listTrials(studyId)).map((row) => [row.id, row.status])).toEqual([
        [0, 'kept'],
        [trial.id, 'running'],
      ]);
    });

    it('each write stores the clock read under its lock: a trial and its event share it, and it never goes back', async () => {
      const { store } = fixture;
      const studyId = await studyWithBaseline(store);
      let last = '';
      for (let n = 1; n <= 4; n++) {
        const trial = await store.createTrial(studyId, { specialist: 'knobs', parent: 0, hypothesis: `t${n}`, seed: n, edit: null, owner, cost: { usd: 0.01, inputTokens: 1, outputTokens: 1, cachedTokens: 0 } });
        await store.updateTrial(studyId, trial.id, { status: 'running', owner }, started, { writeBehind: true });
        await store.updateTrial(studyId, trial.id, { commit: 'c', tree: `t${n}`, diff: 'd' }, { type: 'trial.materialised', data: { commit: 'c' } }, { writeBehind: n % 2 === 0 });
        await store.finishTrial(studyId, trial.id, scored(3 - n / 10), keepIfLower);
        const stored = (await store.getTrial(studyId, trial.id))!;
        const events = await store.listEvents(studyId, { trialId: trial.id });
        const at = Object.fromEntries(events.map((event) => [event.type, event.at]));
        expect(at['trial.created']).toBe(stored.createdAt);
        expect(at['trial.started']).toBe(stored.startedAt);
        expect(at['trial.finished']).toBe(stored.finishedAt);
        for (const value of [stored.createdAt, stored.startedAt, at['trial.materialised'], stored.finishedAt]) {
          expect(value).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
          expect(value! >= last).toBe(true);
          last = value!;
        }
      }
    });

    if (postgres) {
      it('one trial recorded as the engine records it: 3 round trips, one commit that waits for the disk', async () => {
        const { store } = fixture;
        const studyId = await studyWithBaseline(store);
        const wire = countPostgresRoundTrips();
        const record = async (n: number, materialisedBehind: boolean) => {
          const trial = await store.createTrial(studyId, { specialist: 'knobs', parent: 0, hypothesis: `t${n}`, seed: n, edit: null, owner, cost: { usd: 0.01, inputTokens: 1, outputTokens: 1, cachedTokens: 0 } });
          await store.updateTrial(studyId, trial.id, { status: 'running', owner }, started, { writeBehind: true });
          await store.updateTrial(studyId, trial.id, { commit: 'c', tree: `t${trial.id}`, diff: 'd' }, { type: 'trial.materialised', data: { commit: 'c' } }, { writeBehind: materialisedBehind });
          await store.finishTrial(studyId, trial.id, { ...scored(3 - n / 10), cost: { usd: 0.01, inputTokens: 1, outputTokens: 1, cachedTokens: 0 } }, keepIfLower);
        };
        await record(0, true); // connections opened, statements prepared
        await record(11, false);
        let before = wire.snapshot();
        for (let n = 1; n <= 5; n++) await record(n, true);
        // As the engine writes (MATERIALISED_WRITE): create: BEGIN, lock, insert, COMMIT; outcome: BEGIN, lock, the start and
        // what was materialised in one UPDATE (foldProgress), read | update, COMMIT. The settings ride in the lock's statement.
        expect(wire.since(before, 5)).toEqual({ roundTrips: 3, statements: 10, durableCommits: 1, asyncCommits: 1 });
        before = wire.snapshot();
        for (let n = 6; n <= 10; n++) await record(n, false);
        // The materialised write at once: BEGIN, lock, start, update, COMMIT in one round trip of its own.
        expect(wire.since(before, 5)).toEqual({ roundTrips: 4, statements: 14, durableCommits: 1, asyncCommits: 2 });
        const events = await store.listEvents(studyId, { trialId: 3 });
        expect(events.map((event) => event.type)).toEqual(['trial.created', 'trial.started', 'trial.materialised', 'trial.finished']);
      });

      it('an outcome without a charge, decided against the incumbent last seen: 2 round trips, one commit that waits for the disk', async () => {
        const { store } = fixture;
        const studyId = await studyWithBaseline(store);
        const wire = countPostgresRoundTrips();
        const record = async (n: number, failed: boolean) => {
          const trial = await store.createTrial(studyId, { specialist: 'knobs', parent: 0, hypothesis: `t${n}`, seed: n, edit: null, owner });
          await store.updateTrial(studyId, trial.id, { status: 'running', owner }, started, { writeBehind: true });
          await store.updateTrial(studyId, trial.id, { commit: 'c', tree: `t${trial.id}`, diff: 'd', timings: { materialiseMs: 3 } }, { type: 'trial.materialised', data: { commit: 'c' } }, { writeBehind: true });
          const outcome = failed ? { status: 'failed' as const, label: 'crash' as const, labelDetail: 'exit 1', metrics: {}, score: null, timings: { runMs: 5 }, logExcerpt: 'boom' } : { ...scored(3 - n / 10), timings: { runMs: 5 } };
          return store.finishTrial(studyId, trial.id, outcome, keepIfLower);
        };
        await record(0, false); // connections opened, statements prepared, the incumbent seen
        const before = wire.snapshot();
        for (let n = 1; n <= 6; n++) await record(n, n % 3 === 0);
        // create: BEGIN, lock, insert, COMMIT; outcome: BEGIN, lock, the start and what was materialised, update, COMMIT.
        expect(wire.since(before, 6)).toEqual({ roundTrips: 2, statements: 9, durableCommits: 1, asyncCommits: 1 });
        // Trials 2-7 are n = 1-6: trial 5 (n = 4) is kept, trial 4 (n = 3) failed.
        const trial = (await store.getTrial(studyId, 5))!;
        expect([trial.status, trial.commit, trial.timings, trial.score]).toEqual(['kept', 'c', { materialiseMs: 3, runMs: 5 }, 2.6]);
        expect((await store.listEvents(studyId, { trialId: 5 })).map((event) => event.type)).toEqual(['trial.created', 'trial.started', 'trial.materialised', 'trial.finished']);
        const failed = (await store.getTrial(studyId, 4))!;
        expect([failed.status, failed.label, failed.labelDetail, failed.score]).toEqual(['failed', 'crash', 'exit 1', null]);
        expect(failed.failure?.signature).toEqual(expect.any(String));
        expect((await store.getIncumbent(studyId))?.id).toBe(6); // n = 5; trial 7 (n = 6) failed
      });

      it('an outcome is decided against the incumbent of that instant, though another process crowned one since this store last saw it', async () => {
        const { store } = fixture;
        const studyId = await studyWithBaseline(store);
        const other = await PostgresStore.open(fixture.url!, { maxConnections: 2 });
        try {
          const judged: Array<number | null> = [];
          const judging: AcceptanceDecision = (candidate, incumbent) => (judged.push(incumbent?.id ?? null), keepIfLower(candidate, incumbent));
          const create = (on: Store, n: number) => on.createTrial(studyId, { specialist: 'knobs', parent: 0, hypothesis: `t${n}`, seed: n, edit: null, owner });
          const first = await create(store, 1);
          expect((await store.finishTrial(studyId, first.id, scored(2.5), judging)).status).toBe('kept'); // this store now has seen trial 1 crowned
          const crowned = await create(other, 2);
          expect((await other.finishTrial(studyId, crowned.id, scored(1), keepIfLower)).status).toBe('kept');
          const late = await create(store, 3);
          // Better than trial 1 (2.5), worse than trial 2 (1): decided against trial 2.
          expect((await store.finishTrial(studyId, late.id, scored(2), judging)).status).toBe('discarded');
          const best = await create(store, 4);
          expect((await store.finishTrial(studyId, best.id, scored(0.5), judging)).status).toBe('kept');
          // Trial 3 was first judged against trial 1, the incumbent last seen: that statement changed nothing (trial 1 no
          // longer was the incumbent), and it was judged again against trial 2, read under the lock. Only that verdict counts.
          expect(judged).toEqual([0, 1, 2, 2]);
          expect((await other.getIncumbent(studyId))?.id).toBe(best.id);
          const kept = (await other.listTrials(studyId, { status: ['kept'] })).map((trial) => trial.id);
          expect(kept).toEqual([0, 1, 2, 4]);
          // A finished trial, whichever way it would be recorded, is refused as before.
          await expect(store.finishTrial(studyId, late.id, scored(0.1), judging)).rejects.toThrow(/already discarded/);
          await expect(store.finishTrial(studyId, best.id, { status: 'failed', label: 'crash', labelDetail: null, metrics: {}, score: null, timings: {}, logExcerpt: '' }, judging)).rejects.toThrow(/already kept/);
          await expect(store.finishTrial(studyId, 99, scored(0.1), judging)).rejects.toThrow(/Trial 99 does not exist/);
          // The refused scored outcomes (trials 3 and 99) were judged against trial 4 by a statement that changed nothing.
          expect(judged).toEqual([0, 1, 2, 2, 4, 4]);
          expect((await other.getTrial(studyId, late.id))?.score).toBe(2);
        } finally {
          await other.close();
        }
      });
    }
  });
}

describePipelined(
  'SqliteStore',
  sqliteStoreFactory('autolab-pipelined-'),
  false,
);

const server = postgresTestUrl();
if (server.url === null) {
  describe.skip(`writes that end their transaction: PostgresStore: ${server.reason}`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  const base = server.url;
  describePipelined(
    'PostgresStore',
    async () => {
      const db = freshPostgresSchema(base);
      const store = await PostgresStore.open(db.url, { maxConnections: 2 });
      return {
        store,
        url: db.url,
        cleanup: async () => {
          await store.close();
          await db.drop();
        },
      };
    },
    true,
  );
}
