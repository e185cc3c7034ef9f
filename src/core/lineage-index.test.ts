import { describe, expect, it } from 'vitest';
import { makeTrial } from '../testing/trial-fixture.ts';
import { buildLineageFeedback, type LineageOptions } from './lineage-feedback.ts';
import { EvictedTrials, LineageIndex } from './lineage-index.ts';
import { seededRandom } from './random.ts';
import type { FailureLabel, TrialRecord } from './trial.ts';

const SPECIALISTS = ['tuner', 'writer', 'porter'];
const LABELS: FailureLabel[] = ['crash', 'gate_miss', 'illegal_edit', 'not_significant', 'run_timeout'];

/**
 * A random study played forward: each step creates trials on random parents, starts
 * some, finishes others (kept, discarded, failed with labels, at increasing times),
 * and hands back what changed in that step, in a random order.
 */
function* randomStudy(seed: number, steps: number): Generator<{ changed: TrialRecord[]; all: TrialRecord[] }> {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const trials = new Map<number, TrialRecord>();
  let clock = 0;
  const at = () => new Date(Date.UTC(2026, 0, 1) + (clock += 1 + Math.floor(random() * 3)) * 1000).toISOString();
  const baseline = makeTrial({ id: 0, specialist: 'baseline', parent: null, status: 'kept', score: 10, finishedAt: at(), metrics: random() < 0.5 ? { loss: 10, loss_std: 0.05 } : { loss: 10 } });
  trials.set(0, baseline);
  yield { changed: [baseline], all: [baseline] };
  let next = 1;
  for (let step = 0; step < steps; step++) {
    const changed: TrialRecord[] = [];
    for (let k = Math.floor(random() * 4); k > 0; k--) {
      const ids = [...trials.keys()];
      const specialist = pick(SPECIALISTS);
      // The tuner notes knob values (what the failure blocks contrast), on a small grid so values repeat.
      const notes = specialist === 'tuner' ? `tried\n${JSON.stringify({ knobs: { lr: Math.round(random() * 8) / 100, heads: 1 + Math.floor(random() * 6) } })}` : '';
      const trial = makeTrial({ id: next++, specialist, parent: pick(ids), status: 'pending', hypothesis: `h${next}`, score: null, notes });
      trials.set(trial.id, trial);
      changed.push(trial);
    }
    for (const trial of [...trials.values()]) {
      if (trial.status === 'pending' && random() < 0.5) changed.push(trials.set(trial.id, { ...trial, status: 'running' }).get(trial.id)!);
      else if (trial.status === 'running' && random() < 0.5) {
        const roll = random();
        const raw = roll < 0.7 ? 10 - random() * 3 + (random() < 0.3 ? 0.001 : 0) : null;
        // Seeds past 2: scores on a coarse grid, so the leaderboard has ties (both directions).
        const score = raw !== null && seed > 2 ? Math.round(raw * 2) / 2 : raw;
        // Many heads always crash: a cause the failure blocks can contrast with the scored values.
        const manyHeads = /"heads":[56]/.test(trial.notes);
        const status = score === null || manyHeads ? 'failed' : roll < 0.25 ? 'kept' : 'discarded';
        const label = manyHeads ? 'crash' : status === 'failed' || (status === 'discarded' && random() < 0.2) ? pick(LABELS) : null;
        const finished = { ...trial, status, score: status === 'failed' ? null : score, label, labelDetail: label ? `line 1\nwhy ${trial.id}` : null, logExcerpt: 'a\nb', finishedAt: at() } as TrialRecord;
        changed.push(trials.set(trial.id, finished).get(trial.id)!);
      }
    }
    // What a store read returns: each changed trial once, as it is now, in any order.
    const current = [...new Set(changed.map((trial) => trial.id))].map((id) => trials.get(id)!).sort(() => random() - 0.5);
    yield { changed: current, all: [...trials.values()].sort((a, b) => a.id - b.id) };
  }
}

describe('LineageIndex', () => {
  it('gives the same feedback as the full computation after every change, on random studies', () => {
    let withPasses = 0;
    let withContrast = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const index = new LineageIndex();
      for (const { changed, all } of randomStudy(seed, 40)) {
        index.apply(changed);
        expect(index.trials()).toEqual(all);
        for (const viewer of [undefined, ...SPECIALISTS]) {
          for (const extra of [{}, { controlArm: true }, { recentCount: 3, ownCount: 2, leaderboardCount: 4, saturationRun: 2 }, { noise: 0.5 }]) {
            const options: LineageOptions = { study: 's', objective: { metric: 'loss', direction: seed % 2 ? 'minimize' : 'maximize' }, ...(viewer ? { viewer } : {}), ...extra };
            const feedback = index.feedback(options);
            expect(feedback).toEqual(buildLineageFeedback(all, options));
            withPasses += feedback.failures.filter((cause) => cause.passes.length > 0).length;
            withContrast += feedback.failures.filter((cause) => cause.contrast.length > 0).length;
          }
        }
      }
    }
    // The failure blocks were not trivially empty.
    expect(withPasses).toBeGreaterThan(0);
    expect(withContrast).toBeGreaterThan(0);
  });

  it('bounded (retainRecent) gives the same feedback, holding only its newest and unfinished trials, the baseline and those it loaded', async () => {
    let loads = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const full = new LineageIndex();
      const retain = 2 + (seed % 4);
      const bounded = new LineageIndex({ retainRecent: retain });
      let store = new Map<number, TrialRecord>();
      for (const { changed, all } of randomStudy(seed, 60)) {
        store = new Map(all.map((trial) => [trial.id, trial]));
        full.apply(changed);
        bounded.apply(changed);
        expect(bounded.size).toBe(all.length);
        expect(bounded.recentTrials(retain)).toEqual(all.slice(-retain));
        expect(bounded.lastId).toBe(full.lastId);
        expect(bounded.unfinishedIds()).toEqual(full.unfinishedIds());
        const mustHold = all.filter((trial, at) => at >= all.length - retain || trial.id === 0 || trial.status === 'pending' || trial.status === 'running');
        for (const viewer of [undefined, ...SPECIALISTS]) {
          const options: LineageOptions = { study: 's', objective: { metric: 'loss', direction: seed % 2 ? 'minimize' : 'maximize' }, ...(viewer ? { viewer } : {}) };
          const feedback = await bounded.feedbackLoading(options, async (ids) => {
            loads++;
            return ids.map((id) => store.get(id)!);
          });
          expect(feedback).toEqual(full.feedback(options));
        }
        // Only what the window needs, plus the records loaded for the feedback (at most 2,000 before they are forgotten).
        expect(bounded.held).toBeLessThanOrEqual(mustHold.length + 2000);
        expect(bounded.held - mustHold.length).toBeLessThanOrEqual(Math.min(2000, all.length));
      }
      expect(() => bounded.trials()).toThrow(/bounded/);
    }
    expect(loads).toBeGreaterThan(0);
  });

  it('bounded, applied again with a dropped finished trial, changes nothing', () => {
    const index = new LineageIndex({ retainRecent: 1 });
    const first = makeTrial({ id: 1, status: 'failed', label: 'crash' });
    index.apply([makeTrial({ id: 0, status: 'kept' }), first, makeTrial({ id: 2, status: 'discarded', score: 3 })]);
    expect(index.held).toBe(2);
    expect(() => index.byId(1)).toThrow(EvictedTrials);
    expect(index.peek(1)).toBeUndefined();
    index.apply([first]);
    expect(index.size).toBe(3);
    expect(index.counts()).toEqual({ total: 2, kept: 0, discarded: 1, failed: 1, running: 0, byLabel: { crash: 1 } });
  });

  it('knows the trials that can still change and the last id, so a caller reads only those', () => {
    const index = new LineageIndex();
    expect(index.lastId).toBe(-1);
    index.apply([makeTrial({ id: 0, status: 'kept' }), makeTrial({ id: 1, status: 'running' }), makeTrial({ id: 2, status: 'pending' })]);
    expect(index.lastId).toBe(2);
    expect(index.unfinishedIds()).toEqual([1, 2]);
    index.apply([makeTrial({ id: 1, status: 'failed', label: 'crash' })]);
    expect(index.unfinishedIds()).toEqual([2]);
    expect(index.counts()).toEqual({ total: 2, kept: 0, discarded: 0, failed: 1, running: 1, byLabel: { crash: 1 } });
    const handedOut = index.trials();
    handedOut.pop();
    expect(index.trials()).toHaveLength(3);
  });
});
