import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import type { Store } from '../core/store.ts';
import { storedTask } from '../server/study-source.ts';
import { openStore } from '../store/open-store.ts';
import { freshPostgresSchema, postgresTestUrl } from '../testing/postgres.ts';
import { randomWrites } from '../testing/random-study-writes.ts';
import { writeSyntheticStudy } from '../testing/synthetic-study.ts';
import { StudySnapshot } from './study-snapshot.ts';
import { TrialRowsTracker } from './trial-rows-tracker.ts';
import { summarizeTrial } from './trial-summary.ts';

/** A child scored before its parent: its delta appears when the parent is scored (the refresh in between when `round` is even). */
async function childBeforeParent(store: Store, studyId: number, snapshot: StudySnapshot, round: number): Promise<void> {
  const draft = { specialist: 'tuner', hypothesis: 'child first', seed: 0, edit: null, owner: null };
  const outcome = (score: number) => ({ status: 'scored' as const, label: null, labelDetail: null, metrics: { val_bpb: score }, score, timings: { totalMs: 10 }, logExcerpt: '' });
  const parent = await store.createTrial(studyId, { ...draft, parent: 0 });
  const child = await store.createTrial(studyId, { ...draft, parent: parent.id });
  await store.finishTrial(studyId, child.id, outcome(2.5), () => false);
  if (round % 2 === 0) await snapshot.refresh();
  await store.finishTrial(studyId, parent.id, outcome(2.75), () => false);
}

/** Rounds of random writes; after each, the rows and facets equal those summarised from every trial. */
async function checkRounds(store: Store, seed: number): Promise<void> {
  const written = await writeSyntheticStudy(store, { name: `rows-${seed}`, trials: 200, slots: 4, seed });
  const study = (await store.getStudy(written.name))!;
  const objective = storedTask(study).objective;
  const snapshot = await StudySnapshot.load(store, study, { light: true });
  const tracker = new TrialRowsTracker(objective, snapshot.sorted(), snapshot.trials);
  snapshot.onTrialChange((previous, next) => tracker.change(previous, next, snapshot.trials));
  const random = seededRandom(seed);
  const open: number[] = [];
  const known = [...snapshot.trials.keys()].sort((a, b) => a - b).slice(-30);
  for (let round = 0; round < 14; round++) {
    await randomWrites(store, study.id, random, open, known);
    if (round % 3 === 0) await childBeforeParent(store, study.id, snapshot, round);
    await snapshot.refresh();
    const trials = snapshot.sorted();
    const expected = trials.map((trial) => summarizeTrial(trial, snapshot.trials, objective));
    expect(tracker.rows()).toEqual(expected);
    expect(tracker.facets()).toEqual({ specialists: [...new Set(expected.map((row) => row.specialist))].sort(), labels: [...new Set(expected.flatMap((row) => (row.label ? [row.label] : [])))].sort() });
    expect([...tracker.metricNames].sort()).toEqual([...new Set(trials.flatMap((trial) => Object.keys(trial.metrics)))].sort());
  }
  // Children recorded before their parent finished were there to update.
  const waitedOn = snapshot.sorted().filter((trial) => {
    const parent = trial.parent === null ? undefined : snapshot.trials.get(trial.parent);
    return parent?.finishedAt != null && trial.createdAt < parent.finishedAt && parent.score !== null;
  }).length;
  expect(waitedOn).toBeGreaterThan(0);
}

describe('the trials table rows kept current trial by trial', () => {
  let dir: string | null = null;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('equal the rows summarised from every trial after rounds of random writes (SQLite)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'autolab-rows-tracker-'));
    const store = await openStore(join(dir, 'autolab.db'));
    try {
      for (const seed of [1, 2]) await checkRounds(store, seed);
    } finally {
      await store.close();
    }
  }, 120_000);

  const pg = postgresTestUrl();
  it.skipIf(pg.url === null)('equal them on PostgreSQL', async () => {
    const schema = freshPostgresSchema(pg.url!, 'autolab_rows');
    const store = await openStore(schema.url);
    try {
      await checkRounds(store, 3);
    } finally {
      await store.close();
      await schema.drop();
    }
  }, 180_000);
});
