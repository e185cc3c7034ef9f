/**
 * The multi-process contract tests of the stores: several processes race on one real
 * database (children started at the same instant by a barrier). Every adapter runs
 * them; `raceChildren` also serves each adapter's own races (migrations).
 *
 * @example
 * describeStoreProcessContract('SqliteStore', async () => {
 *   const dir = await mkdtemp(join(tmpdir(), 'autolab-store-'));
 *   return { location: join(dir, 'study.db'), cleanup: () => rm(dir, { recursive: true, force: true }) };
 * });
 */
import { auditEventsOf } from '../core/audit-events.ts';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrialDraft, TrialOutcome } from '../core/store.ts';
import { openStore } from '../store/open-store.ts';

const CHILD = fileURLToPath(new URL('./store-child.ts', import.meta.url));
const BASELINE: TrialDraft = { id: 0, specialist: 'baseline', parent: null, hypothesis: 'baseline', seed: 0, edit: null, owner: null };
const SCORED = (score: number): TrialOutcome => ({ status: 'scored', label: null, labelDetail: null, metrics: { loss: score }, score, timings: {}, logExcerpt: '' });

export interface ChildResult {
  ok: boolean;
  ids?: number[];
  error?: string;
  stderr: string;
}

function runChild(args: string[]): Promise<ChildResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CHILD, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      try {
        resolve({ ...(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { ok: boolean }), stderr });
      } catch {
        resolve({ ok: false, error: `no result line (${error?.message ?? 'exit 0'})`, stderr });
      }
    });
  });
}

/**
 * Runs `count` children of testing/store-child.ts with `args(barrierDir)`; says go once
 * all are ready (or after 40 s), so they race.
 */
export async function raceChildren(dir: string, count: number, args: (barrierDir: string) => string[]): Promise<ChildResult[]> {
  const barrierDir = join(dir, 'barrier');
  await mkdir(barrierDir, { recursive: true });
  const children = Array.from({ length: count }, () => runChild(args(barrierDir)));
  let settled = false;
  void Promise.all(children).then(() => (settled = true));
  const deadline = Date.now() + 40_000;
  while (!settled && Date.now() < deadline && (await readdir(barrierDir)).filter((f) => f.startsWith('ready-')).length < count) await sleep(10);
  await writeFile(join(barrierDir, 'go'), '');
  return Promise.all(children);
}

/** A fresh, empty store location (a SQLite file path or a postgres:// URL), and how to dispose of it. */
export type StoreLocationFactory = () => Promise<{ location: string; cleanup: () => Promise<void> }>;

/** Registers the multi-process tests for one adapter: `processes` children, each writing `trialsEach` trials. */
export function describeStoreProcessContract(name: string, makeLocation: StoreLocationFactory, options: { processes: number; trialsEach: number }): void {
  const { processes, trialsEach } = options;
  const total = processes * trialsEach;

  describe(`Store contract across processes: ${name}`, () => {
    let dir: string;
    let location: string;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'autolab-race-'));
      ({ location, cleanup } = await makeLocation());
    });
    afterEach(async () => {
      await cleanup();
      await rm(dir, { recursive: true, force: true });
    });

    it(`${processes} processes creating and finishing ${trialsEach} trials each get ids 1..${total}, and every crowning beat the incumbent of its instant`, async () => {
      const setup = await openStore(location);
      const { study } = await setup.openStudy({ name: 'race', taskHash: 'h', taskJson: '{}' });
      await setup.createTrial(study.id, BASELINE);
      await setup.finishTrial(study.id, 0, SCORED(1), () => true);
      await setup.close();

      const results = await raceChildren(dir, processes, (barrierDir) => ['trials', location, barrierDir, String(trialsEach), 'race']);
      for (const result of results) expect(result, result.stderr).toMatchObject({ ok: true });
      expect(results.map((r) => r.ids!.length)).toEqual(results.map(() => trialsEach));
      const ids = results.flatMap((r) => r.ids ?? []);
      expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i + 1));

      const store = await openStore(location);
      try {
        expect(await store.countTrials(study.id, { status: ['kept', 'discarded'] })).toBe(total + 1);
        const events = await store.listEvents(study.id);
        // Event ids follow commit order: replaying the log, each crowning beat every earlier one.
        const kept = auditEventsOf(events, 'trial.finished').filter((e) => e.data.status === 'kept');
        const keptScores = kept.map((e) => e.data.score as number);
        for (let i = 1; i < keptScores.length; i++) expect(keptScores[i]).toBeLessThan(keptScores[i - 1]!);
        const incumbent = await store.getIncumbent(study.id);
        expect(incumbent!.id).toBe(kept.at(-1)!.trialId);
        expect(incumbent!.score).toBe(Math.min(...(await store.listTrials(study.id)).map((t) => t.score ?? Infinity)));
        for (const id of ids) expect(events.filter((e) => e.trialId === id).map((e) => e.type)).toEqual(['trial.created', 'trial.finished']);
      } finally {
        await store.close();
      }
    });

    it(`${processes} processes claiming from one queue never claim a trial twice`, async () => {
      const setup = await openStore(location);
      const { study } = await setup.openStudy({ name: 'queue', taskHash: 'h', taskJson: '{}' });
      await setup.createTrial(study.id, BASELINE);
      for (let i = 1; i < total; i++) await setup.createTrial(study.id, { specialist: 's', parent: 0, hypothesis: `t${i}`, seed: i, edit: null, owner: null });
      await setup.close();

      const results = await raceChildren(dir, processes, (barrierDir) => ['claim', location, barrierDir, 'queue']);
      for (const result of results) expect(result, result.stderr).toMatchObject({ ok: true });
      const ids = results.flatMap((r) => r.ids ?? []);
      expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));

      const store = await openStore(location);
      try {
        const claims = (await store.listEvents(study.id)).filter((e) => e.type === 'trial.claimed');
        expect(claims).toHaveLength(total);
        expect(new Set(claims.map((e) => e.trialId)).size).toBe(total);
        expect(await store.countTrials(study.id, { status: ['failed'] })).toBe(total);
      } finally {
        await store.close();
      }
    });
  });
}
