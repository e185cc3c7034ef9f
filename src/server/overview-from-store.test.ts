import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../core/store.ts';
import type { StudyRecord } from '../core/study.ts';
import { openStore } from '../store/open-store.ts';
import { freshPostgresSchema, postgresTestUrl } from '../testing/postgres.ts';
import { writeSyntheticStudy } from '../testing/synthetic-study.ts';
import { buildOverview, type StudyOverview } from '../views/overview.ts';
import { StudySnapshot } from '../views/study-snapshot.ts';
import { overviewFromStore } from './overview-from-store.ts';
import { storedTask } from './study-source.ts';
import { expectSameOverview } from '../testing/same-overview.ts';

/** The overview as the full computation gives it: every trial read into a snapshot, then `buildOverview`. */
async function fullOverview(store: Store, study: StudyRecord, maxScorePoints?: number, maxScoreFailures?: number): Promise<StudyOverview> {
  const snapshot = await StudySnapshot.load(store, study, { light: true });
  return buildOverview({ study, objective: storedTask(study).objective, trials: snapshot.sorted(), slots: snapshot.slots, revision: snapshot.revision, now: Date.now() }, { timeline: false, maxScorePoints, maxScoreFailures });
}

/** A random study, with trials still running, the way the dashboard sees one while it runs. */
async function randomStudy(store: Store, name: string, trials: number, seed: number): Promise<StudyRecord> {
  const study = await writeSyntheticStudy(store, { name, trials, slots: 4, seed });
  for (let i = 0; i < 3; i++) {
    const trial = await store.createTrial(study.id, { specialist: 'tuner', parent: 0, hypothesis: `still running ${i}`, seed: 0, edit: null, owner: null });
    if (i > 0) await store.updateTrial(study.id, trial.id, { status: 'running' }, { type: 'trial.started', data: { slot: i, gpu: String(i) } });
  }
  return (await store.getStudy(name))!;
}

async function check(store: Store & Required<Pick<Store, 'aggregateTrials'>>, study: StudyRecord, maxScorePoints?: number, maxScoreFailures = maxScorePoints): Promise<StudyOverview> {
  const expected = await fullOverview(store, study, maxScorePoints, maxScoreFailures);
  const actual = await overviewFromStore({ store, study, objective: storedTask(study).objective, revision: expected.revision, maxScorePoints, maxScoreFailures });
  expectSameOverview(actual, expected);
  return actual;
}

describe('the overview from aggregate queries (SQLite)', () => {
  let dir: string;
  let file: string;
  let store: Store & Required<Pick<Store, 'aggregateTrials'>>;
  let study: StudyRecord;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autolab-overview-aggregates-'));
    file = join(dir, 'autolab.db');
    store = (await openStore(file)) as typeof store;
    study = await randomStudy(store, 'random', 700, 3);
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('equals the full computation on a random study, with the score plot thinned and not', async () => {
    const thin = await check(store, study, 60);
    expect(thin.scorePlot.thinned).toBeGreaterThan(0);
    expect(thin.scorePlot.thinnedFailures).toBeGreaterThan(0);
    expect(thin.failures.length).toBeGreaterThan(1);
    expect(thin.scorePlot.running.length).toBe(3);
    const whole = await check(store, study);
    expect(whole.scorePlot.thinned).toBeUndefined();
    for (const max of [7, 150, 400]) await check(store, study, max);
    await check(store, study, 30, 500);
    await check(store, study, 500, 30);
  });

  it('equals it for failures recorded before their signature was stored (derived from the excerpt)', async () => {
    const raw = new Database(file);
    try {
      raw.prepare(`UPDATE trials SET failure_json = NULL WHERE study_id = ? AND status = 'failed' AND id % 3 = 0`).run(study.id);
    } finally {
      raw.close();
    }
    await check(store, study, 60);
    await check(store, study);
  });

  it('equals it on a study with no trial but the baseline, and with none at all', async () => {
    const small = await writeSyntheticStudy(store, { name: 'small', trials: 0, seed: 4 });
    await check(store, (await store.getStudy(small.name))!);
    const { study: empty } = await store.openStudy({ name: 'empty', taskHash: 'x', taskJson: JSON.stringify({ objective: { metric: 'loss', direction: 'maximize' } }) });
    await check(store, empty);
  });
});

const pg = postgresTestUrl();
describe.skipIf(pg.url === null)('the overview from aggregate queries (PostgreSQL)', () => {
  let store: Store & Required<Pick<Store, 'aggregateTrials'>>;
  let drop: () => Promise<void> = async () => {};
  beforeAll(async () => {
    const schema = freshPostgresSchema(pg.url!, 'autolab_overview');
    drop = schema.drop;
    store = (await openStore(schema.url)) as typeof store;
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await drop();
  });

  it('equals the full computation on a random study, with the score plot thinned and not', async () => {
    const study = await randomStudy(store, 'random', 300, 9);
    const thin = await check(store, study, 40);
    expect(thin.scorePlot.thinned).toBeGreaterThan(0);
    expect(thin.scorePlot.thinnedFailures).toBeGreaterThan(0);
    await check(store, study);
    await check(store, study, 5);
  }, 180_000);
});
