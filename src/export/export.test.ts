import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../core/store.ts';
import type { StudyRecord } from '../core/study.ts';
import { writeSyntheticStudy } from '../testing/synthetic-study.ts';
import { openStore } from '../store/open-store.ts';
import { makeTrial } from '../testing/trial-fixture.ts';
import { changedPathsOf, improvingEditPairs } from './edit-pairs.ts';
import { trajectoryRecords, type TrajectoryRecord } from './trajectory.ts';
import { writeJsonLines } from './write-jsonl.ts';

describe('the trajectory as JSON lines', () => {
  let dir: string;
  let store: Store;
  let study: StudyRecord;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autolab-export-'));
    store = await openStore(join(dir, 'autolab.db'));
    study = await writeSyntheticStudy(store, { name: 'synthetic', trials: 60 });
  });
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('holds the study, every trial with its diff, label, metrics and cost, then every event', async () => {
    const out = join(dir, 'trajectory.jsonl');
    const count = await writeJsonLines(trajectoryRecords(store, study), out);
    const records = (await readFile(out, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as TrajectoryRecord);
    expect(records).toHaveLength(count);
    expect(records[0]).toMatchObject({ type: 'study', format: 'autolab.trajectory/1', name: 'synthetic', task: { objective: { metric: 'val_bpb' } } });
    const trials = records.filter((r) => r.type === 'trial');
    expect(trials.map((t) => t.id)).toEqual(Array.from({ length: 61 }, (_, i) => i));
    const failed = trials.find((t) => t.status === 'failed')!;
    expect(failed.label).not.toBeNull();
    expect(failed.labelDetail).toBeTruthy();
    const scored = trials.find((t) => t.id > 0 && t.score !== null)!;
    expect(scored.diff).toContain('diff --git');
    expect(scored.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(scored.metrics.val_bpb).toBe(scored.score);
    expect(scored.curve.length).toBeGreaterThan(0);
    expect(trials.some((t) => t.cost !== null && t.cost.usd > 0)).toBe(true);
    const events = records.filter((r) => r.type === 'event');
    expect(events.length).toBe((await store.listEvents(study.id)).length);
    expect(events.map((e) => e.event)).toContain('trial.started');
    expect(records.indexOf(events[0]!)).toBeGreaterThan(records.indexOf(trials[trials.length - 1]!));
  });
});

describe('improving edit pairs', () => {
  it('keeps only trials that beat their parent, with the parent code of each changed file', async () => {
    const diff = 'diff --git a/train.py b/train.py\n--- a/train.py\n+++ b/train.py\n@@ -1 +1 @@\n-lr = 0.1\n+lr = 0.2\ndiff --git a/blob.bin b/blob.bin\nBinary files differ\n';
    const trials = [
      makeTrial({ id: 0, parent: null, status: 'kept', score: 2, commit: 'c0', diff: null }),
      makeTrial({ id: 1, parent: 0, status: 'kept', score: 1.5, commit: 'c1', diff, hypothesis: 'double the learning rate' }),
      makeTrial({ id: 2, parent: 0, status: 'discarded', score: 2.5, commit: 'c2', diff }),
      makeTrial({ id: 3, parent: 0, status: 'failed', label: 'crash', commit: 'c3', diff }),
      makeTrial({ id: 4, parent: 1, status: 'discarded', score: 1.4, commit: 'c4', diff }),
    ];
    const files: Record<string, string> = { 'c0:train.py': 'lr = 0.1\n', 'c1:train.py': 'lr = 0.2\n', 'c1:blob.bin': 'a\u0000b', 'c4:train.py': 'lr = 0.3\n' };
    const pairs = [];
    for await (const pair of improvingEditPairs('s', { metric: 'loss', direction: 'minimize' }, trials, async (commit, path) => files[`${commit}:${path}`] ?? null)) pairs.push(pair);
    expect(pairs.map((p) => [p.trial, p.parent, p.kept])).toEqual([
      [1, 0, true],
      [4, 1, false],
    ]);
    expect(pairs[0]).toMatchObject({ hypothesis: 'double the learning rate', parentScore: 2, score: 1.5, delta: -0.5, improvement: 0.5, diff });
    expect(pairs[0]!.files).toEqual([
      { path: 'train.py', before: 'lr = 0.1\n', after: 'lr = 0.2\n', binary: false },
      { path: 'blob.bin', before: null, after: null, binary: true },
    ]);
    expect(pairs[1]!.delta).toBeCloseTo(-0.1);
    expect(changedPathsOf('diff --git a/old name.txt b/new name.txt\n')).toEqual(['old name.txt', 'new name.txt']);
  });
});
