import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import type { Store } from '../core/store.ts';
import type { FailureLabel, TrialRecord } from '../core/trial.ts';
import { openStore } from '../store/open-store.ts';
import { freshPostgresSchema, postgresTestUrl } from '../testing/postgres.ts';
import { writeSyntheticStudy } from '../testing/synthetic-study.ts';
import { makeTrial } from '../testing/trial-fixture.ts';
import { StudySnapshot, type TrialSlot } from './study-snapshot.ts';
import { thinTimeline } from './timeline-thinning.ts';
import { TimelineTracker } from './timeline-tracker.ts';
import { timelineData } from './timeline-view.ts';

const LABELS: FailureLabel[] = ['crash', 'oom', 'run_timeout'];
const BUDGETS: Array<[number, number]> = [
  [6000, 1500],
  [50, 10],
  [200, 30],
  [15, 3],
];

function expectSame(tracker: TimelineTracker, trials: readonly TrialRecord[], slots: ReadonlyMap<number, TrialSlot>, now: number): void {
  for (const [maxBars, buckets] of BUDGETS) {
    expect(tracker.timeline(now, maxBars, buckets)).toEqual(thinTimeline(timelineData(trials, slots, now), maxBars, buckets));
  }
}

/** A random trial: started or not, running or finished (with or without its total time), in a random slot, sometimes after a long idle gap. */
function randomTrial(id: number, random: () => number, clock: { at: number }): { trial: TrialRecord; slot: TrialSlot | null } {
  clock.at += random() < 0.03 ? 3_600_000 * (1 + random() * 5) : random() * 20_000;
  const start = clock.at - (random() < 0.2 ? random() * 60_000 : 0);
  const roll = random();
  const status: TrialRecord['status'] = roll < 0.1 ? 'pending' : roll < 0.25 ? 'running' : roll < 0.4 ? 'kept' : roll < 0.75 ? 'discarded' : 'failed';
  const started = status !== 'pending' || random() < 0.2;
  const finished = status === 'kept' || status === 'discarded' || status === 'failed';
  const total = Math.floor(random() * 90_000);
  const trial = makeTrial({
    id,
    status,
    label: status === 'failed' ? LABELS[Math.floor(random() * LABELS.length)]! : null,
    startedAt: started ? new Date(start).toISOString() : null,
    finishedAt: finished ? new Date(start + total + (random() < 0.3 ? 500 : 0)).toISOString() : null,
    timings: finished && random() < 0.8 ? { totalMs: total } : {},
  });
  const slot = started && random() < 0.9 ? { slot: random() < 0.1 ? null : Math.floor(random() * 5), gpu: random() < 0.5 ? String(Math.floor(random() * 2)) : null } : null;
  return { trial, slot };
}

describe('the timeline kept current trial by trial', () => {
  it('equals the full computation (thinned and not) after every change, on random studies', () => {
    for (const seed of [1, 2, 3, 4]) {
      const random = seededRandom(seed);
      const trials = new Map<number, TrialRecord>();
      const slots = new Map<number, TrialSlot>();
      const clock = { at: Date.UTC(2026, 0, 1) };
      const tracker = new TimelineTracker([], slots);
      const put = (trial: TrialRecord, slot: TrialSlot | null) => {
        trials.set(trial.id, trial);
        if (slot) slots.set(trial.id, slot);
        tracker.change(trial, slots);
      };
      for (let id = 0; id < 400; id++) {
        const { trial, slot } = randomTrial(id, random, clock);
        put(trial, slot);
        // A trial seen before changes: started, finished, moved to another slot.
        if (random() < 0.3 && id > 0) {
          const other = Math.floor(random() * id);
          const { trial: next, slot: nextSlot } = randomTrial(other, random, { at: clock.at - random() * 200_000 });
          put(next, nextSlot);
        }
        if (id % 37 === 0 || id === 399) expectSame(tracker, [...trials.values()].sort((a, b) => a.id - b.id), slots, clock.at + 5000);
      }
    }
  });

  it('equals the full computation when a finish time does not parse, and when trials arrive out of id order', () => {
    const start = Date.UTC(2026, 0, 1);
    const trials = [
      makeTrial({ id: 200, status: 'kept', startedAt: new Date(start).toISOString(), finishedAt: 'not a time', timings: {} }),
      makeTrial({ id: 3, status: 'running', startedAt: new Date(start + 1000).toISOString(), finishedAt: null, timings: {} }),
      makeTrial({ id: 70, status: 'failed', label: 'crash', startedAt: new Date(start + 500).toISOString(), finishedAt: new Date(start + 9000).toISOString(), timings: {} }),
    ];
    const slots = new Map<number, TrialSlot>([[200, { slot: 0, gpu: null }], [3, { slot: 0, gpu: null }], [70, { slot: 1, gpu: '0' }]]);
    const tracker = new TimelineTracker(trials, slots);
    expectSame(tracker, [...trials].sort((a, b) => a.id - b.id), slots, start + 20_000);
  });

  it('gives an empty timeline before any trial started', () => {
    const tracker = new TimelineTracker([makeTrial({ id: 0, status: 'pending', startedAt: null })], new Map());
    expect(tracker.timeline(0)).toEqual(timelineData([], new Map(), 0));
  });
});

/** Rounds of writes by "another process" into a synthetic study, the snapshot refreshed after each; the tracker fed by its trial changes. */
async function checkStore(store: Store, seed: number): Promise<void> {
  const written = await writeSyntheticStudy(store, { name: `timeline-${seed}`, trials: 200, slots: 3, seed });
  const study = (await store.getStudy(written.name))!;
  const snapshot = await StudySnapshot.load(store, study, { light: true });
  await snapshot.loadSlots();
  const tracker = new TimelineTracker(snapshot.sorted(), snapshot.slots);
  snapshot.onTrialChange((_, next) => tracker.change(next, snapshot.slots));
  const random = seededRandom(seed);
  const open: number[] = [];
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < 3; i++) open.push((await store.createTrial(study.id, { specialist: 'tuner', parent: 0, hypothesis: `round ${round}`, seed: 0, edit: null, owner: null })).id);
    for (const id of [...open]) {
      if (random() < 0.5) {
        await store.updateTrial(study.id, id, { status: 'running', startedAt: new Date().toISOString() }, { type: 'trial.started', data: { slot: Math.floor(random() * 4), gpu: null } }).catch(() => undefined);
      } else if (random() < 0.5) {
        open.splice(open.indexOf(id), 1);
        await store.finishTrial(study.id, id, { status: 'scored', label: null, labelDetail: null, metrics: { val_bpb: 2 }, score: 2 + random(), timings: { totalMs: Math.floor(random() * 3000) }, logExcerpt: '' }, () => random() < 0.3);
      }
    }
    await snapshot.refresh();
    expectSame(tracker, snapshot.sorted(), snapshot.slots, Date.now());
  }
}

describe('the timeline kept current from a store', () => {
  let dir: string | null = null;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('equals the full computation after rounds of writes (SQLite)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'autolab-timeline-tracker-'));
    const store = await openStore(join(dir, 'autolab.db'));
    try {
      await checkStore(store, 7);
    } finally {
      await store.close();
    }
  }, 120_000);

  const pg = postgresTestUrl();
  it.skipIf(pg.url === null)('equals the full computation after rounds of writes (PostgreSQL)', async () => {
    const schema = freshPostgresSchema(pg.url!, 'autolab_timeline');
    const store = await openStore(schema.url);
    try {
      await checkStore(store, 8);
    } finally {
      await store.close();
      await schema.drop();
    }
  }, 180_000);
});
