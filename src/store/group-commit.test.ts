/**
 * Group commit (sql/commit-group.ts) on both stores: recording writes from several slots
 * at once commit together, a write that fails in a group fails alone, a group whose
 * commit fails rejects every caller in it and records nothing of it, and a process
 * killed while its groups commit (or while one slot records alone) loses no acknowledged
 * outcome or new trial.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AcceptanceDecision, Store } from '../core/store.ts';
import { freshPostgresSchema, postgresTestUrl } from '../testing/postgres.ts';
import { PostgresStore } from './postgres-store.ts';
import type { SqlDriver, SqlSession, TransactionOptions } from './sql/driver.ts';
import { SqlStore } from './sql/sql-store.ts';
import { SqliteStore } from './sqlite-store.ts';

const owner = { host: 'here', pid: 1, token: 'tok' };
const keepIfLower: AcceptanceDecision = (candidate, incumbent) => incumbent === null || candidate.score < (incumbent.score ?? Infinity);
const CHILD = join(import.meta.dirname, '..', 'testing', 'store-recorder-child.ts');

/** A real driver whose transactions are counted, and whose next transaction of several statements can be made to fail at its commit. */
class CountingDriver implements SqlDriver {
  transactions = 0;
  /** Fail the commit of the next transaction that runs more than one `changeWithEvent` statement group (a group of writes). */
  failNextGroupCommit = false;
  constructor(private readonly inner: SqlDriver) {}
  get dialect() {
    return this.inner.dialect;
  }
  get display() {
    return this.inner.display;
  }
  migrate() {
    return this.inner.migrate();
  }
  query(action: string, sql: string, params?: readonly unknown[]) {
    return this.inner.query(action, sql, params);
  }
  transaction<T>(action: string, work: (tx: SqlSession) => Promise<T>, options?: TransactionOptions): Promise<T> {
    this.transactions++;
    return this.inner.transaction(
      action,
      async (tx) => {
        const result = await work(tx);
        // After every statement of the transaction, before its COMMIT: as a commit that fails (a full disk, a lost connection).
        if (this.failNextGroupCommit && action.includes('committed together')) {
          this.failNextGroupCommit = false;
          throw new Error('the disk is full');
        }
        return result;
      },
      options,
    );
  }
  lockStudy(tx: SqlSession, studyId: number) {
    return this.inner.lockStudy(tx, studyId);
  }
  close() {
    return this.inner.close();
  }
}

/** The same SQL store over a CountingDriver. */
class CountedStore extends SqlStore {
  constructor(readonly counting: CountingDriver) {
    super(counting);
  }
}

/** Wraps an opened store's driver (its SqlStore internals) so the test can count and break its transactions. */
function counted(store: SqlStore): CountedStore {
  return new CountedStore(new CountingDriver((store as unknown as { driver: SqlDriver }).driver));
}

interface Fixture {
  store: CountedStore;
  /** Another connection to the same database. */
  other: Store;
  location: string;
  cleanup: () => Promise<void>;
}

async function studyWithBaseline(store: Store): Promise<number> {
  const { study } = await store.openStudy({ name: 's', taskHash: 'h', taskJson: '{}' });
  await store.createTrial(study.id, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'b', seed: 0, edit: null, owner });
  await store.finishTrial(study.id, 0, { status: 'scored', label: null, labelDetail: null, metrics: { loss: 3 }, score: 3, timings: {}, logExcerpt: '' }, keepIfLower);
  return study.id;
}

const scored = (score: number) => ({ status: 'scored' as const, label: null, labelDetail: null, metrics: { loss: score }, score, timings: {}, logExcerpt: '' });

/** One slot's trial, recorded as the evaluator records it. */
async function recordOne(store: Store, studyId: number, slot: number, score: number): Promise<number> {
  const trial = await store.createTrial(studyId, { specialist: 'knobs', parent: 0, hypothesis: `slot ${slot}`, seed: slot, edit: null, owner });
  await store.updateTrial(studyId, trial.id, { status: 'running', owner }, { type: 'trial.started', data: { slot, gpu: null } }, { writeBehind: true });
  await store.updateTrial(studyId, trial.id, { commit: 'c', tree: `tree-${trial.id}`, diff: 'd' }, { type: 'trial.materialised', data: { commit: 'c' } });
  return (await store.finishTrial(studyId, trial.id, scored(score), keepIfLower)).id;
}

function describeGroupCommit(name: string, open: () => Promise<Fixture>): void {
  describe(`group commit: ${name}`, () => {
    let fixture: Fixture;
    beforeEach(async () => {
      fixture = await open();
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('writes of slots recording at once commit together: every trial whole, numbered once, its events in order, one incumbent', async () => {
      const { store, other } = fixture;
      const studyId = await studyWithBaseline(store);
      const before = store.counting.transactions;
      const slots = 8;
      const ids = await Promise.all(Array.from({ length: slots * 3 }, (_, n) => recordOne(store, studyId, n % slots, 2 - n / 100)));
      expect(new Set(ids).size).toBe(slots * 3);
      // 24 trials of 3 transactions each alone; fewer when writes share commits.
      expect(store.counting.transactions - before).toBeLessThan(slots * 3 * 3);
      const trials = await other.listTrials(studyId);
      expect(trials).toHaveLength(slots * 3 + 1);
      for (const trial of trials.slice(1)) {
        expect(trial).toMatchObject({ status: expect.stringMatching(/kept|discarded/), commit: 'c', tree: `tree-${trial.id}`, owner });
        expect(trial.startedAt).not.toBeNull();
      }
      const events = await other.listEvents(studyId);
      for (const id of ids) {
        expect(events.filter((event) => event.trialId === id).map((event) => event.type)).toEqual(['trial.created', 'trial.started', 'trial.materialised', 'trial.finished']);
      }
      // Each kept trial beat the incumbent of its instant (also inside a group): the incumbent is the lowest kept score.
      const kept = trials.filter((trial) => trial.status === 'kept').sort((a, b) => a.score! - b.score!);
      expect((await other.getIncumbent(studyId))?.id).toBe(kept[0]!.id);
    });

    it('a write that fails in a group fails alone: the others are recorded', async () => {
      const { store, other } = fixture;
      const studyId = await studyWithBaseline(store);
      const trials = [];
      for (let n = 0; n < 4; n++) trials.push(await store.createTrial(studyId, { specialist: 'knobs', parent: 0, hypothesis: `t${n}`, seed: n, edit: null, owner }));
      await store.finishTrial(studyId, trials[1]!.id, scored(5), keepIfLower);
      const before = store.counting.transactions;
      // One write starts a transaction; the four that arrive meanwhile share the next one, where finishing trial 2 again fails.
      const first = store.updateTrial(studyId, trials[0]!.id, { status: 'running' });
      const grouped = [
        store.finishTrial(studyId, trials[0]!.id, scored(1), keepIfLower),
        store.finishTrial(studyId, trials[1]!.id, scored(0.5), keepIfLower),
        store.finishTrial(studyId, trials[2]!.id, scored(2), keepIfLower),
        store.createTrial(studyId, { specialist: 'knobs', parent: 0, hypothesis: 'late', seed: 9, edit: null, owner }),
      ];
      await first;
      const results = await Promise.allSettled(grouped);
      expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/already discarded.*immutable/);
      expect((await other.getTrial(studyId, trials[1]!.id))?.score).toBe(5);
      expect((await other.getTrial(studyId, trials[0]!.id))?.status).toBe('kept');
      expect((await other.getTrial(studyId, trials[2]!.id))?.status).toBe('discarded');
      expect(await other.countTrials(studyId)).toBe(6);
      // The first alone, the four together (rolled back), then each of the four alone.
      expect(store.counting.transactions - before).toBe(6);
    });

    it('a group whose commit fails rejects every caller in it and records nothing of it', async () => {
      const { store, other } = fixture;
      const studyId = await studyWithBaseline(store);
      const trials = [];
      for (let n = 0; n < 3; n++) trials.push(await store.createTrial(studyId, { specialist: 'knobs', parent: 0, hypothesis: `t${n}`, seed: n, edit: null, owner }));
      const eventsBefore = (await other.listEvents(studyId)).length;
      const before = store.counting.transactions;
      store.counting.failNextGroupCommit = true;
      const first = store.updateTrial(studyId, trials[0]!.id, { status: 'running' });
      const grouped = [
        store.finishTrial(studyId, trials[0]!.id, scored(1), keepIfLower),
        store.finishTrial(studyId, trials[1]!.id, scored(2), keepIfLower),
        store.createTrial(studyId, { specialist: 'knobs', parent: 0, hypothesis: 'late', seed: 9, edit: null, owner }),
        store.updateTrial(studyId, trials[2]!.id, { commit: 'c2' }),
      ];
      await first;
      const results = await Promise.allSettled(grouped);
      expect(results.map((result) => (result.status === 'rejected' ? String(result.reason) : 'recorded'))).toEqual(Array(4).fill('Error: the disk is full'));
      expect(store.counting.transactions - before).toBe(2); // the first alone, the four in one transaction
      // Nothing half: no outcome, no new trial, no progress, no event of the group.
      expect((await other.listTrials(studyId)).map((trial) => [trial.id, trial.status, trial.commit])).toEqual([
        [0, 'kept', null],
        [trials[0]!.id, 'running', null],
        [trials[1]!.id, 'pending', null],
        [trials[2]!.id, 'pending', null],
      ]);
      expect((await other.listEvents(studyId)).length).toBe(eventsBefore + 1); // the running mark's alone
      // The store goes on: the same writes again are recorded.
      await Promise.all([store.finishTrial(studyId, trials[0]!.id, scored(1), keepIfLower), store.finishTrial(studyId, trials[1]!.id, scored(2), keepIfLower)]);
      expect((await other.getIncumbent(studyId))?.id).toBe(trials[0]!.id);
    });

    // 8 slots: writes committed in groups; one slot: each write alone, ending its transaction with its last statement.
    it.each([8, 1])('a process killed while it records from %i slots loses no acknowledged outcome or new trial', async (slots) => {
      const { store, other, location } = fixture;
      const studyId = await studyWithBaseline(store);
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, location, String(studyId), String(slots)], { stdio: ['ignore', 'pipe', 'pipe'] });
      const acknowledged: number[] = [];
      const created: number[] = [];
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await new Promise<void>((resolve, reject) => {
        let buffered = '';
        const timer = setTimeout(() => reject(new Error(`the recorder acknowledged ${acknowledged.length} outcomes in 120 s: ${stderr}`)), 120_000);
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          for (const line of lines) {
            if (line.startsWith('recorded ')) acknowledged.push(Number(line.slice('recorded '.length)));
            if (line.startsWith('created ')) created.push(Number(line.slice('created '.length)));
          }
          // Killed mid-stream: groups are committing in the child at any instant now.
          if (acknowledged.length >= 40 && child.exitCode === null && !child.killed) {
            child.kill('SIGKILL');
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => (acknowledged.length < 40 ? reject(new Error(`the recorder exited with ${code}: ${stderr}`)) : undefined));
      });
      await exited;
      const finished = new Map((await other.listTrials(studyId)).map((trial) => [trial.id, trial.status]));
      for (const id of acknowledged) expect([id, finished.get(id)]).toEqual([id, expect.stringMatching(/kept|discarded/)]);
      // A new trial commits without waiting for the disk (PostgreSQL): still committed, so a killed process cannot lose it.
      for (const id of created) expect([id, finished.has(id)]).toEqual([id, true]);
      // Every trial in the store is whole: finished with its events, or left unfinished (recovered later as interrupted).
      const events = await other.listEvents(studyId);
      for (const [id, status] of finished) {
        if (status === 'kept' || status === 'discarded') expect(events.some((event) => event.trialId === id && event.type === 'trial.finished')).toBe(true);
      }
    }, 180_000);
  });
}

describeGroupCommit('SqliteStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'autolab-group-commit-'));
  const file = join(dir, 'study.db');
  const store = counted(await SqliteStore.open(file));
  const other = await SqliteStore.open(file);
  return {
    store,
    other,
    location: file,
    cleanup: async () => {
      await store.close();
      await other.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

const server = postgresTestUrl();
if (server.url === null) {
  describe.skip(`group commit: PostgresStore: ${server.reason}`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  const base = server.url;
  describeGroupCommit('PostgresStore', async () => {
    const db = freshPostgresSchema(base);
    const store = counted(await PostgresStore.open(db.url, { maxConnections: 2 }));
    const other = await PostgresStore.open(db.url, { maxConnections: 2 });
    return {
      store,
      other,
      location: db.url,
      cleanup: async () => {
        await store.close();
        await other.close();
        await db.drop();
      },
    };
  });
}
