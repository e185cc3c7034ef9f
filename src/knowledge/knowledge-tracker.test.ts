import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import type { AcceptanceDecision, Store, TrialListFilter } from '../core/store.ts';
import type { Objective } from '../core/task.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { renderKnowledgeBase } from './knowledge-base.ts';
import { IDEA_TRIAL_LINES, LEADERBOARD_ROWS, renderKnowledgeFiles } from './knowledge-render.ts';
import { KnowledgeTracker } from './knowledge-tracker.ts';

/**
 * The knowledge base kept up to date trial by trial (`KnowledgeTracker`) renders what
 * `renderKnowledgeBase` renders from every trial, on random studies: trials finishing
 * out of order, some in flight, repeats, ties, failures of several causes, ideas past
 * the lines they list, kept trials past the leaderboard's rows; and each refresh reads
 * only what changed.
 */
const HYPOTHESES = ['add a warmup of 100 steps', 'raise the learning rate', 'cosine schedule', 'knobs: lr 0.1 -> 0.2 (tpe)', 'knobs: lr 0.1 -> 0.3, width 8 -> 16 (tpe)', 'try something', 'bigger batch size', 'dropout 0.1'];
const LOGS = ['Traceback (most recent call last):\n  File "train.py", line 3, in <module>\nZeroDivisionError: division by zero', 'RuntimeError: CUDA out of memory', 'ValueError: nan loss', ''];

let dir: string;
let store: SqliteStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'autolab-knowledge-'));
  store = await SqliteStore.open(join(dir, 'store.db'));
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The store, counting the rows it returned. */
function counting(): { store: Pick<Store, 'listTrials'>; rows: () => number } {
  let rows = 0;
  return {
    store: {
      listTrials: async (studyId: number, filter?: TrialListFilter) => {
        const found = await store.listTrials(studyId, filter);
        rows += found.length;
        return found;
      },
    },
    rows: () => rows,
  };
}

describe('KnowledgeTracker', () => {
  for (const seed of [1, 2, 3]) {
    it(`renders what every trial renders, as the study goes on (seed ${seed})`, async () => {
      const random = seededRandom(seed);
      const pick = <T,>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
      const objective: Objective = { metric: 'loss', direction: seed === 2 ? 'maximize' : 'minimize' };
      // Seed 3 keeps every scored trial: more kept trials than the leaderboard shows.
      const keep: AcceptanceDecision = (candidate, incumbent) => seed === 3 || incumbent === null || (objective.direction === 'minimize' ? candidate.score < (incumbent.score ?? Infinity) : candidate.score > (incumbent.score ?? -Infinity));
      const studyId = (await store.openStudy({ name: `k${seed}`, taskHash: 'h', taskJson: '{}' })).study.id;
      const runs = (value: number) => Array.from({ length: 3 }, (_, repeat) => ({ repeat, seed: repeat, metrics: { loss: value + (random() - 0.5) / 10 }, runMs: 1, verification: false }));
      await store.createTrial(studyId, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'baseline', seed: 0, edit: null, owner: null });
      await store.finishTrial(studyId, 0, { status: 'scored', label: null, labelDetail: null, metrics: { loss: 5 }, score: 5, timings: {}, logExcerpt: '', repeats: runs(5) }, keep);
      const tracker = new KnowledgeTracker(objective);
      const finished = [0];
      const inFlight: number[] = [];
      const finish = async (id: number) => {
        const fails = random() < 0.25;
        // Scores on a coarse grid: ties in the leaderboard and in ideas' best effects.
        const score = Math.round((4 + random() * 2) * 4) / 4;
        await store.finishTrial(
          studyId,
          id,
          fails
            ? { status: 'failed', label: pick(['crash', 'oom'] as const), labelDetail: pick(['exit code 1', 'killed', null]), metrics: {}, score: null, timings: {}, logExcerpt: pick(LOGS) }
            : { status: 'scored', label: null, labelDetail: null, metrics: { loss: score }, score, timings: {}, logExcerpt: 'ok', ...(random() < 0.3 ? { repeats: runs(score) } : {}) },
          keep,
        );
        finished.push(id);
      };
      for (let round = 0; round < 8; round++) {
        const changed = inFlight.length;
        const created = Math.floor(random() * 60);
        for (let n = created; n > 0; n--) {
          const parent = pick(finished);
          const diff = random() < 0.5 ? `diff --git a/${pick(['a.py', 'b.py'])} b/x\n--- a/x\n+++ b/${pick(['a.py', 'b.py', 'c/d.py'])}\n+x\n` : null;
          const { id } = await store.createTrial(studyId, { specialist: pick(['tuner', 'agent', 'fixer']), parent, hypothesis: pick(HYPOTHESES), seed: 1, edit: null, owner: null });
          if (diff !== null) await store.updateTrial(studyId, id, { status: 'running', diff });
          inFlight.push(id);
        }
        // Some of those in flight finish, in any order.
        for (let n = Math.floor(random() * inFlight.length); n > 0; n--) await finish(inFlight.splice(Math.floor(random() * inFlight.length), 1)[0]!);
        const spy = counting();
        const { baseline, unfinished } = await tracker.refresh(spy.store, studyId);
        const notes = [{ id: 1, studyId, author: 'agent', sessionId: null, text: 'a note', at: '2026-01-01T00:00:00Z' }];
        const incremental = renderKnowledgeFiles(tracker.state.summaries({ study: 's', baseline, unfinished, notes }));
        const all = await store.listTrials(studyId);
        expect(incremental).toEqual(renderKnowledgeBase({ study: 's', objective, trials: all, notes }));
        // What changed (new trials, those that were in flight), the parents of those and of those in flight now: not the study.
        if (round > 0) expect(spy.rows()).toBeLessThanOrEqual(2 * (changed + created) + inFlight.length);
      }
      const all = await store.listTrials(studyId);
      // The bounds were reached: kept trials beyond the leaderboard, ideas beyond their lines.
      if (seed === 3) expect(all.filter((trial) => trial.status === 'kept').length).toBeGreaterThan(LEADERBOARD_ROWS);
      expect(all.length).toBeGreaterThan(IDEA_TRIAL_LINES * 3);
      expect(renderKnowledgeBase({ study: 's', objective, trials: all, notes: [] })['hypotheses.md']).toContain('earlier trials');
    }, 120_000);
  }
});
