/**
 * Write-behind progress (`updateTrial(..., { writeBehind: true })`, sql/progress-queue.ts)
 * on both stores: what another process sees, when it is committed, and that no write of
 * the study is lost or reordered by it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AcceptanceDecision, Store } from '../core/store.ts';
import { freshPostgresSchema, postgresTestUrl } from '../testing/postgres.ts';
import { PostgresStore } from './postgres-store.ts';
import { SqliteStore } from './sqlite-store.ts';

const owner = { host: 'here', pid: 1, token: 'tok' };
const keepIfLower: AcceptanceDecision = (candidate, incumbent) => incumbent === null || candidate.score < (incumbent.score ?? Infinity);
const started = { type: 'trial.started', data: { slot: 0, gpu: null } } as const;

interface Pair {
  /** The store that writes behind (this process). */
  store: Store;
  /** Another connection to the same database (another process's view). */
  other: Store;
  cleanup: () => Promise<void>;
}

/** A study with a scored baseline and one pending trial, #1. */
async function studyWithTrial(store: Store): Promise<number> {
  const { study } = await store.openStudy({ name: 's', taskHash: 'h', taskJson: '{}' });
  await store.createTrial(study.id, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'b', seed: 0, edit: null, owner });
  await store.finishTrial(study.id, 0, { status: 'scored', label: null, labelDetail: null, metrics: { loss: 3 }, score: 3, timings: {}, logExcerpt: '' }, keepIfLower);
  await store.createTrial(study.id, { specialist: 'knobs', parent: 0, hypothesis: 'h', seed: 1, edit: null, owner });
  return study.id;
}

async function statusElsewhere(other: Store, studyId: number, trialId: number): Promise<string | undefined> {
  return (await other.getTrial(studyId, trialId))?.status;
}

function describeWriteBehind(name: string, open: () => Promise<Pair>): void {
  describe(`write-behind progress: ${name}`, () => {
    let pair: Pair;
    beforeEach(async () => {
      pair = await open();
    });
    afterEach(async () => {
      await pair.cleanup();
    });

    it('rides in the next write of the study: the start and what was materialised land in one commit, in order', async () => {
      const { store, other } = pair;
      const studyId = await studyWithTrial(store);
      await store.updateTrial(studyId, 1, { status: 'running', owner }, started, { writeBehind: true });
      // Reads that cannot see it do not commit it: the parent, the incumbent, the chain, a tree no trial has.
      expect((await store.getTrial(studyId, 0))?.status).toBe('kept');
      expect((await store.getIncumbent(studyId))?.id).toBe(0);
      expect((await store.listAncestors(studyId, 0)).map((link) => link.id)).toEqual([0]);
      expect(await store.listTrials(studyId, { tree: 'none' })).toEqual([]);
      expect(await statusElsewhere(other, studyId, 1)).toBe('pending');
      await store.updateTrial(studyId, 1, { commit: 'c1', tree: 't1', diff: 'd' }, { type: 'trial.materialised', data: { commit: 'c1' } });
      const seen = await other.getTrial(studyId, 1);
      expect(seen).toMatchObject({ status: 'running', commit: 'c1', owner });
      expect(seen?.startedAt).not.toBeNull();
      const events = (await other.listEvents(studyId)).filter((event) => event.trialId === 1).map((event) => event.type);
      expect(events).toEqual(['trial.created', 'trial.started', 'trial.materialised']);
    });

    it('is committed before a read of this process that could see it', async () => {
      const { store, other } = pair;
      const studyId = await studyWithTrial(store);
      await store.updateTrial(studyId, 1, { status: 'running', owner }, started, { writeBehind: true });
      expect((await store.listTrials(studyId, { status: ['running'] })).map((trial) => trial.id)).toEqual([1]);
      expect(await statusElsewhere(other, studyId, 1)).toBe('running');

      await store.createTrial(studyId, { specialist: 'knobs', parent: 0, hypothesis: 'h2', seed: 2, edit: null, owner });
      await store.updateTrial(studyId, 2, { status: 'running', owner }, started, { writeBehind: true });
      expect((await store.getTrial(studyId, 2))?.status).toBe('running');
      expect(await statusElsewhere(other, studyId, 2)).toBe('running');

      await store.createTrial(studyId, { specialist: 'knobs', parent: 0, hypothesis: 'h3', seed: 3, edit: null, owner });
      await store.updateTrial(studyId, 3, { status: 'running', owner }, started, { writeBehind: true });
      expect((await store.listEvents(studyId)).at(-1)).toMatchObject({ type: 'trial.started', trialId: 3 });
      // A list whose rows a queued write is about is read again once it is committed.
      await store.updateTrial(studyId, 3, { timings: { proposeMs: 5 } }, undefined, { writeBehind: true });
      expect((await store.listTrials(studyId)).find((trial) => trial.id === 3)?.timings.proposeMs).toBe(5);
    });

    it('is committed on its own a moment later when nothing else comes, and when the store closes', async () => {
      const { store, other } = pair;
      const studyId = await studyWithTrial(store);
      await store.updateTrial(studyId, 1, { status: 'running', owner }, started, { writeBehind: true });
      const deadline = Date.now() + 30_000;
      while ((await statusElsewhere(other, studyId, 1)) !== 'running' && Date.now() < deadline) await sleep(20);
      expect(await statusElsewhere(other, studyId, 1)).toBe('running');

      await store.createTrial(studyId, { specialist: 'knobs', parent: 0, hypothesis: 'h2', seed: 2, edit: null, owner });
      await store.updateTrial(studyId, 2, { status: 'running', owner }, started, { writeBehind: true });
      await store.close();
      expect(await statusElsewhere(other, studyId, 2)).toBe('running');
      await expect(store.updateTrial(studyId, 2, { status: 'running' }, undefined, { writeBehind: true })).rejects.toThrow(/closed/);
    });

    it('changes nothing on a finished trial and never fails the write it rides in', async () => {
      const { store, other } = pair;
      const studyId = await studyWithTrial(store);
      await store.finishTrial(studyId, 1, { status: 'failed', label: 'crash', labelDetail: 'x', metrics: {}, score: null, timings: {}, logExcerpt: '' }, keepIfLower);
      await store.updateTrial(studyId, 1, { status: 'running', owner }, started, { writeBehind: true });
      const next = await store.createTrial(studyId, { specialist: 'knobs', parent: 0, hypothesis: 'h2', seed: 2, edit: null, owner });
      expect(next.id).toBe(2);
      expect(await statusElsewhere(other, studyId, 1)).toBe('failed');
      expect((await other.listEvents(studyId)).filter((event) => event.trialId === 1).map((event) => event.type)).toEqual(['trial.created', 'trial.finished']);
    });

    it('lands before a write made after it, even while another connection is committing it', async () => {
      const { store, other } = pair;
      const studyId = await studyWithTrial(store);
      await store.updateTrial(studyId, 1, { status: 'running', owner }, started, { writeBehind: true });
      const flushing = (store as SqliteStore | PostgresStore).flushProgress(); // as the queue's timer does
      const recorded = await store.finishTrial(studyId, 1, { status: 'failed', label: 'crash', labelDetail: 'x', metrics: {}, score: null, timings: {}, logExcerpt: '' }, keepIfLower);
      await flushing;
      expect(recorded.startedAt).not.toBeNull();
      expect((await other.listEvents(studyId)).filter((event) => event.trialId === 1).map((event) => event.type)).toEqual(['trial.created', 'trial.started', 'trial.finished']);
    });

    it('survives a write that fails: it goes back in the queue and rides in the next one', async () => {
      const { store, other } = pair;
      const studyId = await studyWithTrial(store);
      await store.updateTrial(studyId, 1, { status: 'running', owner }, started, { writeBehind: true });
      const refusing: AcceptanceDecision = () => {
        throw new Error('the rule failed');
      };
      await expect(store.finishTrial(studyId, 1, { status: 'scored', label: null, labelDetail: null, metrics: { loss: 2 }, score: 2, timings: {}, logExcerpt: '' }, refusing)).rejects.toThrow(/the rule failed/);
      const recorded = await store.finishTrial(studyId, 1, { status: 'scored', label: null, labelDetail: null, metrics: { loss: 2 }, score: 2, timings: {}, logExcerpt: '' }, keepIfLower);
      expect(recorded).toMatchObject({ status: 'kept', owner });
      expect(recorded.startedAt).not.toBeNull();
      expect((await other.listEvents(studyId)).filter((event) => event.trialId === 1).map((event) => event.type)).toEqual(['trial.created', 'trial.started', 'trial.finished']);
    });
  });
}

describeWriteBehind('SqliteStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'autolab-write-behind-'));
  const file = join(dir, 'study.db');
  const store = await SqliteStore.open(file);
  const other = await SqliteStore.open(file);
  return {
    store,
    other,
    cleanup: async () => {
      await store.close();
      await other.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

const server = postgresTestUrl();
if (server.url === null) {
  describe.skip(`write-behind progress: PostgresStore: ${server.reason}`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  const base = server.url;
  describeWriteBehind('PostgresStore', async () => {
    const db = freshPostgresSchema(base);
    const store = await PostgresStore.open(db.url, { maxConnections: 2 });
    const other = await PostgresStore.open(db.url, { maxConnections: 2 });
    return {
      store,
      other,
      cleanup: async () => {
        await store.close();
        await other.close();
        await db.drop();
      },
    };
  });
}
