import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import type { Store } from '../core/store.ts';
import { storedTask } from '../server/study-source.ts';
import { openStore } from '../store/open-store.ts';
import { freshPostgresSchema, postgresTestUrl } from '../testing/postgres.ts';
import { randomWrites } from '../testing/random-study-writes.ts';
import { writeSyntheticStudy } from '../testing/synthetic-study.ts';
import { buildOverview } from './overview.ts';
import { OverviewTracker } from './overview-tracker.ts';
import { StudySnapshot } from './study-snapshot.ts';
import { expectSameOverview } from '../testing/same-overview.ts';

async function checkRounds(store: Store, name: string, seed: number, rounds: number): Promise<void> {
  const written = await writeSyntheticStudy(store, { name, trials: 250, slots: 4, seed });
  const study = (await store.getStudy(written.name))!;
  const objective = storedTask(study).objective;
  const snapshot = await StudySnapshot.load(store, study, { light: true });
  const tracker = new OverviewTracker(objective, snapshot.sorted(), snapshot.trials);
  snapshot.onTrialChange((previous, next) => tracker.change(previous, next, snapshot.trials));
  const random = seededRandom(seed);
  const open: number[] = [];
  const known = [...snapshot.trials.keys()].sort((a, b) => a - b).slice(0, 60);
  for (let round = 0; round <= rounds; round++) {
    if (round > 0) {
      await randomWrites(store, study.id, random, open, known);
      await snapshot.refresh();
    }
    for (const [points, failures] of [[undefined, undefined], [40, 40], [7, 300], [300, 9]] as const) {
      const expected = buildOverview({ study: snapshot.study, objective, trials: snapshot.sorted(), slots: snapshot.slots, revision: snapshot.revision, now: Date.now() }, { timeline: false, maxScorePoints: points, maxScoreFailures: failures });
      const actual = tracker.overview({ study: snapshot.study, revision: snapshot.revision, trials: snapshot.trials }, { maxScorePoints: points, maxScoreFailures: failures });
      expectSameOverview(actual, expected);
    }
  }
  const last = tracker.overview({ study: snapshot.study, revision: snapshot.revision, trials: snapshot.trials }, { maxScorePoints: 40, maxScoreFailures: 40 });
  expect(last.scorePlot.thinned).toBeGreaterThan(0);
  expect(last.failures.length).toBeGreaterThan(1);
}

describe('the overview kept current trial by trial (SQLite)', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autolab-overview-tracker-'));
    store = await openStore(join(dir, 'autolab.db'));
  });
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('equals the full computation after every round of random writes, on random studies', async () => {
    for (const seed of [1, 2, 3]) await checkRounds(store, `random-${seed}`, seed, 12);
  }, 180_000);

  it('equals it from an empty study on', async () => {
    const { study } = await store.openStudy({ name: 'empty', taskHash: 'x', taskJson: JSON.stringify({ objective: { metric: 'loss', direction: 'maximize' } }) });
    const snapshot = await StudySnapshot.load(store, study, { light: true });
    const objective = storedTask(study).objective;
    const tracker = new OverviewTracker(objective, snapshot.sorted(), snapshot.trials);
    snapshot.onTrialChange((previous, next) => tracker.change(previous, next, snapshot.trials));
    const expected = () => buildOverview({ study: snapshot.study, objective, trials: snapshot.sorted(), slots: snapshot.slots, revision: snapshot.revision, now: 0 }, { timeline: false });
    expectSameOverview(tracker.overview({ study: snapshot.study, revision: snapshot.revision, trials: snapshot.trials }), expected());
    const random = seededRandom(5);
    const open: number[] = [];
    const known: number[] = [];
    for (let round = 0; round < 4; round++) {
      await randomWrites(store, study.id, random, open, known);
      await snapshot.refresh();
      expectSameOverview(tracker.overview({ study: snapshot.study, revision: snapshot.revision, trials: snapshot.trials }), expected());
    }
  }, 60_000);
});

const pg = postgresTestUrl();
describe.skipIf(pg.url === null)('the overview kept current trial by trial (PostgreSQL)', () => {
  let store: Store;
  let drop: () => Promise<void> = async () => {};
  beforeAll(async () => {
    const schema = freshPostgresSchema(pg.url!, 'autolab_tracker');
    drop = schema.drop;
    store = await openStore(schema.url);
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await drop();
  });

  it('equals the full computation after every round of random writes', async () => {
    await checkRounds(store, 'random', 11, 8);
  }, 240_000);
});
