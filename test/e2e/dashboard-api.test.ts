import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/store.ts';
import type { StudyRecord } from '../../src/core/study.ts';
import { startDashboard, type RunningDashboard } from '../../src/server/serve-dashboard.ts';
import { writeSyntheticStudy } from '../../src/testing/synthetic-study.ts';
import { openStore } from '../../src/store/open-store.ts';
import { runCli } from '../../src/testing/cli.ts';

/**
 * The dashboard's JSON API and event stream, without a browser, over a synthetic study
 * written through the Store port. A second store connection plays the other process
 * that runs the study while the dashboard serves it.
 */
describe('dashboard API', () => {
  let dir: string;
  let dbFile: string;
  let served: Store;
  let writer: Store;
  let study: StudyRecord;
  let dashboard: RunningDashboard;
  const TRIALS = 150;
  const api = async (path: string, init?: RequestInit) => fetch(new URL(path, dashboard.url), init);
  const json = async (path: string) => {
    const response = await api(path);
    expect(response.status, `${path}: ${response.status}`).toBe(200);
    return (await response.json()) as any;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autolab-dashboard-api-'));
    dbFile = join(dir, 'autolab.db');
    writer = await openStore(dbFile);
    study = await writeSyntheticStudy(writer, { name: 'synthetic', trials: TRIALS, slots: 3 });
    // A study whose task folder is on this machine, with a log file.
    const { study: logged } = await writer.openStudy({ name: 'with-logs', taskHash: 'h', taskJson: JSON.stringify({ name: 'with-logs', root: dir, objective: { metric: 'acc', direction: 'maximize' } }) });
    await writer.createTrial(logged.id, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'baseline', seed: 0, edit: null, owner: null });
    await mkdir(join(dir, '.autolab', 'studies', 'with-logs', 'trials', '0'), { recursive: true });
    await writeFile(join(dir, '.autolab', 'studies', 'with-logs', 'trials', '0', 'run.log'), 'line one\nline two\nthe end\n');
    served = await openStore(dbFile);
    dashboard = await startDashboard({ store: served, port: 0, pollMs: 100 });
  });

  afterAll(async () => {
    await dashboard?.close();
    await served?.close();
    await writer?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('binds 127.0.0.1 and prints a plain URL', () => {
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('lists the studies with their headline figures', async () => {
    const { studies } = await json('/api/studies');
    expect(studies.map((s: { name: string }) => s.name)).toEqual(['synthetic', 'with-logs']);
    expect(studies[0]).toMatchObject({ objective: { metric: 'val_bpb', direction: 'minimize' }, counts: { total: TRIALS }, baselineScore: 1.5 });
    expect(studies[0].incumbent.score).toBeLessThan(1.5);
  });

  it('gives the overview: every trial in the score plot, slots in the timeline, labels, specialists, chain', async () => {
    const overview = await json('/api/studies/synthetic');
    expect(overview.counts.total).toBe(TRIALS); // the baseline is not counted (src/core/trial-counts.ts)
    const plot = overview.scorePlot;
    expect(plot.points.length + plot.failed.length + plot.running.length).toBe(TRIALS + 1);
    expect(plot.failed.length).toBe(overview.counts.failed);
    expect(overview.timeline).toBeNull();
    const timeline = await json('/api/studies/synthetic/timeline');
    expect(timeline.lanes.map((lane: { name: string }) => lane.name)).toEqual(['slot 0 gpu 0', 'slot 1 gpu 1', 'slot 2 gpu 2']);
    expect(timeline.bars).toHaveLength(TRIALS + 1);
    expect(timeline.utilisation).toBeGreaterThan(0.9);
    const labelled = overview.outcomes.rows.filter((row: { kind: string }) => row.kind === 'label');
    expect(labelled.reduce((sum: number, row: { count: number }) => sum + row.count, 0)).toBe(overview.counts.failed);
    const shares = overview.specialists.reduce((sum: number, row: { share: number | null }) => sum + (row.share ?? 0), 0);
    expect(shares).toBeCloseTo(1);
    expect(overview.chain[0].id).toBe(0);
    expect(overview.chain.at(-1).id).toBe(overview.incumbent.id);
    // Failures by cause: the most frequent first, each with its first and last trial and an example summary.
    expect(overview.failures.length).toBeGreaterThan(0);
    const counts = overview.failures.map((cause: { count: number }) => cause.count);
    expect(counts).toEqual([...counts].sort((a: number, b: number) => b - a));
    if (overview.failures.length < 12) expect(counts.reduce((sum: number, n: number) => sum + n, 0)).toBe(overview.counts.failed);
    for (const cause of overview.failures) {
      expect(cause.summary.startsWith(cause.label)).toBe(true);
      expect(cause.firstTrial).toBeLessThanOrEqual(cause.lastTrial);
    }
  });

  it('sorts, filters and pages the trials table', async () => {
    const crashes = await json('/api/studies/synthetic/trials?label=crash&limit=500');
    expect(crashes.total).toBeGreaterThan(0);
    expect(crashes.rows.every((row: { label: string }) => row.label === 'crash')).toBe(true);
    // Each failed row names its cause on one line (its failure signature's summary).
    expect(crashes.rows.every((row: { cause: string | null }) => row.cause !== null && row.cause.startsWith('crash'))).toBe(true);
    const best = await json('/api/studies/synthetic/trials?sort=score&order=asc&limit=1');
    const overview = await json('/api/studies/synthetic');
    expect(best.rows[0].score).toBe(overview.incumbent.score);
    const page2 = await json('/api/studies/synthetic/trials?limit=20&offset=20');
    expect(page2.rows.map((row: { id: number }) => row.id)).toEqual(Array.from({ length: 20 }, (_, i) => TRIALS - 20 - i));
    const tuner = await json('/api/studies/synthetic/trials?specialist=tuner&status=kept,discarded');
    expect(tuner.rows.every((row: { specialist: string; status: string }) => row.specialist === 'tuner' && row.status !== 'failed')).toBe(true);
    expect(tuner.facets.specialists).toEqual(['architecture', 'baseline', 'data', 'optimizer', 'tuner']);
    const bad = await api('/api/studies/synthetic/trials?sort=colour');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain("unknown sort 'colour'");
  });

  it('gives one trial with its diff, lineage, events and learning curve; 404 for an unknown one', async () => {
    const { rows } = await json('/api/studies/synthetic/trials?status=kept&sort=id&order=asc&limit=5');
    const kept = rows.find((row: { id: number }) => row.id > 0);
    const detail = await json(`/api/studies/synthetic/trials/${kept.id}`);
    expect(detail.trial).toMatchObject({ id: kept.id, status: 'kept' });
    expect(detail.trial.diff).toContain('diff --git');
    expect(detail.parent.id).toBe(kept.parent);
    expect(detail.events.map((event: { type: string }) => event.type)).toEqual(['trial.created', 'trial.started', 'trial.materialised', 'trial.finished']);
    expect(detail.slot).toMatchObject({ slot: expect.any(Number) });
    expect(detail.curve.series[0].name).toBe('val_bpb');
    expect(detail.logs).toEqual([]);
    for (const child of detail.children) expect(child.parent).toBe(kept.id);
    const missing = await api('/api/studies/synthetic/trials/99999');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toContain('no trial #99999');
    expect((await api('/api/studies/nope')).status).toBe(404);
  });

  it('diffs any two trials (from the stored diffs when the private repo is not here)', async () => {
    const diff = await json('/api/studies/synthetic/trials/7/diff?against=3');
    expect(diff).toMatchObject({ from: 3, to: 7, source: 'stored' });
    expect(diff.steps.length).toBeGreaterThan(0);
    expect((await api('/api/studies/synthetic/trials/7/diff')).status).toBe(400);
  });

  it('serves full logs from the study folder, only by log name', async () => {
    const detail = await json('/api/studies/with-logs/trials/0');
    expect(detail.logs).toEqual([{ name: 'run.log', bytes: 26 }]);
    const full = await api('/api/studies/with-logs/trials/0/logs/run.log');
    expect(await full.text()).toBe('line one\nline two\nthe end\n');
    const tail = await api('/api/studies/with-logs/trials/0/logs/run.log?tail=8');
    expect(await tail.text()).toBe('the end\n');
    expect(tail.headers.get('x-autolab-omitted-bytes')).toBe('18');
    expect((await api('/api/studies/with-logs/trials/0/logs/..%2F..%2Fautolab.db')).status).toBe(400);
    expect((await api('/api/studies/with-logs/trials/0/logs/score.log')).status).toBe(404);
  });

  it('gives the lineage tree nodes', async () => {
    const lineage = await json('/api/studies/synthetic/lineage');
    expect(lineage.nodes).toHaveLength(TRIALS + 1);
    expect(lineage.chain.at(-1)).toBe(lineage.incumbent);
    expect(lineage.direction).toBe('minimize');
    expect(lineage.hypotheses.map((entry: [number, string]) => entry[0])).toEqual(lineage.chain.length < TRIALS ? expect.arrayContaining(lineage.chain) : expect.any(Array));
  });

  it('gives the knob views: values per trial, failure groups, importance, the incumbent against the baseline', async () => {
    const knobs = await json('/api/studies/synthetic/knobs');
    expect(knobs.knobs.map((knob: { name: string }) => knob.name)).toEqual(['lr', 'warmup_steps', 'activation', 'batch']);
    expect(knobs.knobs[0]).toMatchObject({ type: 'float', log: true, low: 1e-4, high: 0.1 });
    // The tuner's trials (and the baseline) carry their values in their notes; the others have none here (no private repo).
    const tuner = await json('/api/studies/synthetic/trials?specialist=tuner&limit=500');
    const finished = tuner.rows.filter((row: { status: string }) => row.status !== 'running' && row.status !== 'pending').length;
    expect(knobs.points.length).toBe(finished + 1);
    expect(knobs.unknown).toBe(TRIALS + 1 - knobs.points.length);
    expect(knobs.groups.reduce((sum: number, group: { count: number }) => sum + group.count, 0)).toBeGreaterThan(0);
    if ('rows' in knobs.importance) expect(knobs.importance.rows.map((row: { knob: string }) => row.knob).sort()).toEqual(['activation', 'batch', 'lr', 'warmup_steps']);
    else expect(knobs.importance.unavailable).toMatch(/needs \d+ scored trials/);

    const sorted = await json('/api/studies/synthetic/trials?columns=knobs,metric:artifact_bytes&sort=knob:lr&limit=500');
    expect(sorted.columns).toEqual(['knob:lr', 'knob:warmup_steps', 'knob:activation', 'knob:batch', 'metric:artifact_bytes']);
    const lrs = sorted.rows.map((row: { values: unknown[] }) => row.values[0]).filter((value: unknown) => value !== null);
    expect(lrs.length).toBe(knobs.points.length);
    expect(lrs).toEqual([...lrs].sort((a: number, b: number) => a - b));
    expect(sorted.facets.knobs).toHaveLength(4);
    expect(sorted.facets.metrics).toEqual(expect.arrayContaining(['artifact_bytes', 'run_seconds']));
    const filtered = await json('/api/studies/synthetic/trials?columns=knob:lr&filter=knob:lr:0.001..0.01&limit=500');
    expect(filtered.rows.every((row: { values: number[] }) => row.values[0]! >= 0.001 && row.values[0]! <= 0.01)).toBe(true);
    const bad = await api('/api/studies/synthetic/trials?filter=knob:lr:low..high');
    expect(bad.status).toBe(400);

    const incumbent = await json('/api/studies/synthetic/incumbent');
    expect(incumbent.incumbent.id).toBe(incumbent.chain.at(-1).id);
    expect(incumbent.configuration.rows.map((row: { knob: string }) => row.knob)).toEqual(['lr', 'warmup_steps', 'activation', 'batch']);
    expect(incumbent.configuration.rows[0].baseline).toBe(0.001);
    expect(incumbent.diff.source).toBe('stored'); // no private repo: the stored diffs along the chain
    expect(incumbent.files.length).toBeGreaterThan(0);
  });

  it('streams the events another process appends, and the API reflects them at once', async () => {
    const controller = new AbortController();
    const response = await api('/api/studies/synthetic/events', { signal: controller.signal });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      const deadline = Date.now() + 10_000;
      while (!pattern.test(text)) {
        if (Date.now() > deadline) throw new Error(`no ${pattern} in ${text}`);
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += decoder.decode(value);
      }
    };
    await readUntil(/event: hello/);
    const trial = await writer.createTrial(study.id, { specialist: 'optimizer', parent: 0, hypothesis: 'live one', seed: 0, edit: null, owner: null });
    await writer.updateTrial(study.id, trial.id, { status: 'running' }, { type: 'trial.started', data: { slot: 1, gpu: '1' } });
    await writer.finishTrial(study.id, trial.id, { status: 'failed', label: 'oom', labelDetail: 'CUDA out of memory', metrics: {}, score: null, timings: { totalMs: 5 }, logExcerpt: '' }, () => false);
    await readUntil(new RegExp(`"type":"trial.finished","trialId":${trial.id}`));
    expect(text).toMatch(/id: \d+\n/);
    controller.abort();
    const overview = await json('/api/studies/synthetic');
    expect(overview.counts.total).toBe(TRIALS + 1);
    expect(overview.scorePlot.failed).toContainEqual([trial.id, 'oom']);
    const caughtUp = await api(`/api/studies/synthetic/events?after=${overview.revision - 1}`);
    const first = await caughtUp.body!.getReader().read();
    expect(new TextDecoder().decode(first.value)).toContain('event: hello');
    await caughtUp.body!.cancel().catch(() => undefined);
  });
});

describe('dashboard access', () => {
  let dir: string;
  let store: Store;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autolab-dashboard-token-'));
    store = await openStore(join(dir, 'autolab.db'));
    await writeSyntheticStudy(store, { name: 's', trials: 3 });
  });
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses to listen beyond this machine without a token', async () => {
    await expect(startDashboard({ store, host: '0.0.0.0', port: 0 })).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without a token/);
  });

  it('with a token, checks it on every request', async () => {
    const token = 'a-long-enough-token-1234';
    const dashboard = await startDashboard({ store, host: '0.0.0.0', port: 0, token });
    try {
      expect(dashboard.url).toContain(`?token=${token}`);
      const base = `http://127.0.0.1:${dashboard.port}`;
      expect((await fetch(`${base}/api/studies`)).status).toBe(401);
      expect((await fetch(`${base}/`)).status).toBe(401);
      expect((await fetch(`${base}/api/studies/s/events`)).status).toBe(401);
      expect((await fetch(`${base}/api/studies`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      const page = await fetch(`${base}/?token=${token}`);
      expect(page.status).toBe(200);
      const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
      expect((await fetch(`${base}/api/studies/s`, { headers: { cookie } })).status).toBe(200);
    } finally {
      await dashboard.close();
    }
  });

  it('the CLI says how to pass a token', async () => {
    const result = await runCli(['serve', '--store', join(dir, 'autolab.db'), '--host', '0.0.0.0', '--port', '0'], { env: { AUTOLAB_TOKEN: '' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('refusing to listen on 0.0.0.0 without a token');
    expect(result.stderr).toContain('--token');
  });
});
