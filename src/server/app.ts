/**
 * The dashboard's HTTP app (Hono): a JSON API over the studies of one store, server-sent
 * events while any process runs them, and the web UI.
 *
 * API (all GET, JSON unless said otherwise):
 *   /api/studies                                   every study with its headline figures
 *   /api/studies/:study                            the overview (plots' data, specialist table, chain)
 *   /api/studies/:study/timeline                   the trials per slot over time, with utilisation
 *   /api/studies/:study/trials?sort&order&specialist&label&status&q&filter&columns&offset&limit
 *   /api/studies/:study/trials/:id                 one trial: record, diff, lineage, logs, curve
 *   /api/studies/:study/trials/:id/logs/:name      a full log (text; ?tail=BYTES)
 *   /api/studies/:study/trials/:id/diff?against=N  the change from trial N to this one
 *   /api/studies/:study/lineage?expand=ID,...&all=1 the lineage tree's nodes and the incumbent chain; past 3,000
 *                                                  trials pruned (chain, kept, newest, ancestors; `hidden` counts
 *                                                  the rest; `expand` loads a page of a trial's children; `all=1`: every node)
 *   /api/studies/:study/knobs                      knob values of the finished trials (thinned past 3,000 points), failure groups, importance
 *   /api/studies/:study/incumbent                  the incumbent's configuration and cumulative change vs the baseline
 *   /api/studies/:study/fidelity                   the fidelity funnel (trials per level, run time per level), or { funnel: null }
 *   /api/studies/:study/front                      a multi-objective study's front: every scored trial, members, hypervolume over time
 *   /api/studies/:study/events?after=ID            server-sent events (text/event-stream)
 */
import { Hono, type Context } from 'hono';
import { AutolabError } from '../core/errors.ts';
import type { StudyRecord } from '../core/study.ts';
import { countTrials } from '../core/trial-counts.ts';
import { accessControl } from './access.ts';
import { liveEvents } from './live-events.ts';
import { serveAsset, serveIndex } from './static-files.ts';
import type { StudyEntry, StudyHub } from './study-hub.ts';
import { storedTask } from './study-source.ts';
import { trialDetail } from './trial-detail.ts';
import { diffTrials } from './trial-diff.ts';
import { readTrialLog } from './trial-logs.ts';
import { incumbentOf, lineageData } from '../views/lineage-view.ts';
import { pruneLineage } from '../views/lineage-prune.ts';
import { fidelityJson } from './fidelity-view.ts';
import { canAggregate, OverviewCache } from './overview-cache.ts';
import { trackedOverviewJson } from './overview-tracked.ts';
import { trackedTimelineJson } from './timeline-tracked.ts';
import { paretoPageData } from '../views/pareto-page-view.ts';
import { columnValue, type ColumnKey } from '../views/trial-columns.ts';
import { incumbentView } from './incumbent-view.ts';
import { registerSessionRoutes } from './session-routes.ts';
import { parseTrialQuery, type ColumnLookup } from './views/trial-query.ts';
import { TrialQueryCache } from './views/trial-query-cache.ts';
import { trackedFacets, trackedRows } from './views/trial-rows-tracked.ts';

export interface DashboardAppOptions {
  /** Required on every request when set (see access.ts). */
  token: string | null;
}

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#111827"/><path d="M6 24 L12 14 L17 19 L26 7" fill="none" stroke="#f59e0b" stroke-width="3.2" stroke-linecap="round" stroke-linejoin="round"/></svg>`;

/** Builds the app; the caller owns the hub (and its store). */
export function createDashboardApp(hub: StudyHub, options: DashboardAppOptions): Hono {
  const app = new Hono();
  app.use('*', accessControl(options.token));

  app.get('/api/health', (c) => c.json({ ok: true }));
  registerSessionRoutes(app, hub); // the session archive: /api/studies/:study/sessions[/:id], /trials/:id/session
  app.get('/api/studies', async (c) => c.json({ studies: await Promise.all((await hub.listStudies()).map((record) => studyListing(hub, record))) }));

  // Until another view has loaded the study's snapshot, the overview comes from aggregate
  // queries cached on the study's last event (overview-cache.ts: no trial read or held);
  // once the snapshot is in memory, from an overview tracker fed by its trial changes
  // (overview-tracked.ts: a write costs only the trials it changed).
  const overviews = canAggregate(hub.store) ? new OverviewCache(hub.store) : null;
  app.get('/api/studies/:study', async (c) => {
    if (overviews && hub.loadedNow(c.req.param('study')) === null) return jsonText(c, await overviews.json(c.req.param('study')));
    const json = trackedOverviewJson(await hub.study(c.req.param('study')));
    return jsonText(c, json);
  });

  app.get('/api/studies/:study/timeline', async (c) => {
    return jsonText(c, await trackedTimelineJson(await hub.study(c.req.param('study'))));
  });

  addTrialRoutes(app, hub);
  addAnalysisRoutes(app, hub);

  app.get('/api/studies/:study/events', async (c) => {
    const entry = await hub.study(c.req.param('study'));
    const after = c.req.query('after') ?? c.req.header('last-event-id');
    const afterId = after === undefined || after === '' ? null : Number(after);
    return liveEvents(c, entry, afterId !== null && Number.isInteger(afterId) && afterId >= 0 ? afterId : null);
  });

  app.get('/api/*', (c) => c.json({ error: `no API route ${c.req.path}` }, 404));
  app.get('/favicon.ico', (c) => c.body(FAVICON, 200, { 'content-type': 'image/svg+xml' }));
  app.get('/assets/*', (c) => serveAsset(c, decodeURIComponent(c.req.path.slice('/assets/'.length))));
  app.get('*', (c) => serveIndex(c));

  app.onError((error, c) => {
    if (AutolabError.is(error)) {
      const status = error.name === 'NotFound' ? 404 : error.name === 'UsageError' ? 400 : 500;
      return c.json({ error: error.message, hint: error.hint ?? null }, status);
    }
    return c.json({ error: `unexpected error: ${(error as Error).message}` }, 500);
  });
  return app;
}

/** The trials table (sorted, filtered, paged, with facets), one trial, its logs and its diff against another. */
function addTrialRoutes(app: Hono, hub: StudyHub): void {
  app.get('/api/studies/:study/trials', async (c) => {
    const entry = await hub.study(c.req.param('study'));
    const params = c.req.query();
    // `columns=knobs` stands for every knob's column.
    if (params.columns !== undefined) params.columns = params.columns.split(',').flatMap((column) => (column.trim() === 'knobs' ? entry.analysis.knobs.map((knob) => `knob:${knob.column}`) : [column])).join(',');
    const query = parseTrialQuery(params);
    const rows = trackedRows(entry);
    const facets = trackedFacets(entry);
    const needsKnobs = [query.sort, ...(query.columns ?? []), ...(query.filters ?? []).map((filter) => filter.key)].some((key) => key.startsWith('knob:'));
    const knobValues = needsKnobs ? await entry.analysis.values() : null;
    const lookup: ColumnLookup = (id, key: ColumnKey | 'score') => {
      const trial = entry.snapshot.trials.get(id);
      return trial ? columnValue(key, trial, knobValues?.get(id)) : null;
    };
    return c.json({ ...trialQueryCache(entry).page(rows, query, lookup), facets, revision: entry.snapshot.revision, metric: entry.source.task.objective.metric });
  });

  app.get('/api/studies/:study/trials/:id', async (c) => {
    const entry = await hub.study(c.req.param('study'));
    const detail = await trialDetail(entry, trialIdParam(c.req.param('id')));
    if (!detail) throw notFoundTrial(entry, c.req.param('id'));
    return c.json(detail);
  });

  app.get('/api/studies/:study/trials/:id/logs/:name', async (c) => {
    const entry = await hub.study(c.req.param('study'));
    const id = trialIdParam(c.req.param('id'));
    if (!entry.snapshot.trials.has(id)) throw notFoundTrial(entry, c.req.param('id'));
    const tail = c.req.query('tail');
    const { text, omittedBytes } = await readTrialLog(entry.source.paths, id, c.req.param('name'), tail === undefined ? undefined : Math.max(0, Number(tail) || 0));
    return c.text(text, 200, { 'x-autolab-omitted-bytes': String(omittedBytes), 'cache-control': 'no-cache' });
  });

  app.get('/api/studies/:study/trials/:id/diff', async (c) => {
    const entry = await hub.study(c.req.param('study'));
    const to = entry.snapshot.trials.get(trialIdParam(c.req.param('id')));
    const againstText = c.req.query('against');
    if (againstText === undefined) throw new AutolabError('UsageError', 'name the trial to diff against with ?against=N');
    const from = entry.snapshot.trials.get(trialIdParam(againstText));
    if (!to) throw notFoundTrial(entry, c.req.param('id'));
    if (!from) throw notFoundTrial(entry, againstText);
    return c.json(await diffTrials(from, to, entry.snapshot.trials, await entry.source.workspace(), (ids) => entry.snapshot.diffs(ids)));
  });
}

/** Each study's kept orders of the trials table (per revision). */
const trialQueries = new WeakMap<StudyEntry, TrialQueryCache>();

function trialQueryCache(entry: StudyEntry): TrialQueryCache {
  let cache = trialQueries.get(entry);
  if (!cache) {
    cache = new TrialQueryCache();
    trialQueries.set(entry, cache);
  }
  return cache;
}

function jsonText(c: Context, json: string): Response {
  return c.body(json, 200, { 'content-type': 'application/json; charset=utf-8' });
}

/** `?expand=12,12,40`: the trials whose left-out children to load, a page per mention (at most 200 mentions). */
function lineageExpandParam(text: string | undefined): number[] {
  if (text === undefined || text === '') return [];
  return text.split(',').slice(0, 200).map((part) => trialIdParam(part.trim()));
}

function trialIdParam(text: string): number {
  const id = Number(text.replace(/^#/, ''));
  if (!Number.isInteger(id) || id < 0) throw new AutolabError('UsageError', `'${text}' is not a trial number`);
  return id;
}

function notFoundTrial(entry: StudyEntry, id: string): AutolabError {
  return new AutolabError('NotFound', `study '${entry.snapshot.study.name}' has no trial #${id}`);
}

/** A study's row on the studies page (from its snapshot when loaded, else a few counts). */
/** The routes of the analysis pages: lineage, knobs, the incumbent's configuration, the front. */
function addAnalysisRoutes(app: Hono, hub: StudyHub): void {
  app.get('/api/studies/:study/lineage', async (c) => {
    const entry = await hub.study(c.req.param('study'));
    // Only the answers' text is kept per revision, not the tree of every trial (a node per
    // trial): an expanded or whole tree is built again for its request.
    const full = () => lineageData(entry.snapshot.sorted(), entry.snapshot.trials, entry.source.task.objective.direction);
    if (c.req.query('all') === '1') {
      const tree = full();
      return jsonText(c, JSON.stringify({ ...tree, total: tree.nodes.length, revision: entry.snapshot.revision }));
    }
    const expand = lineageExpandParam(c.req.query('expand'));
    const pruned = () => JSON.stringify({ ...pruneLineage(full(), { expand }), revision: entry.snapshot.revision });
    return jsonText(c, expand.length === 0 ? entry.snapshot.cached('lineage.json', pruned) : pruned());
  });

  app.get('/api/studies/:study/knobs', async (c) => {
    const entry = await hub.study(c.req.param('study'));
    return jsonText(c, await entry.analysis.knobViewJson());
  });

  app.get('/api/studies/:study/incumbent', async (c) => {
    const entry = await hub.study(c.req.param('study'));
    return c.json(await incumbentView(entry));
  });

  app.get('/api/studies/:study/fidelity', async (c) => jsonText(c, await fidelityJson(hub, await hub.study(c.req.param('study')))));

  app.get('/api/studies/:study/front', async (c) => {
    const entry = await hub.study(c.req.param('study'));
    return jsonText(c, entry.snapshot.cached('front.json', () => JSON.stringify({ ...paretoPageData(entry.source.task, entry.snapshot.sorted()), revision: entry.snapshot.revision })));
  });
}

async function studyListing(hub: StudyHub, record: StudyRecord) {
  const task = storedTask(record);
  const loaded = await hub.loaded(record.name);
  let counts: { total: number; kept: number; failed: number; running: number };
  let incumbent: { id: number; score: number | null } | null;
  let baselineScore: number | null;
  let lastEventAt: string | null = null;
  if (loaded) {
    await loaded.snapshot.refresh();
    const trials = loaded.snapshot.sorted();
    counts = loaded.snapshot.cached('listing-counts', () => {
      const { total, kept, failed, running } = countTrials(trials);
      return { total, kept, failed, running };
    });
    const best = loaded.snapshot.cached('incumbent-record', () => incumbentOf(trials));
    incumbent = best ? { id: best.id, score: best.score } : null;
    baselineScore = loaded.snapshot.trials.get(0)?.score ?? null;
    lastEventAt = loaded.snapshot.lastEventAt;
  } else {
    const [total, kept, failed, running, best, baseline] = await Promise.all([
      hub.store.countTrials(record.id),
      hub.store.countTrials(record.id, { status: ['kept'] }),
      hub.store.countTrials(record.id, { status: ['failed'] }),
      hub.store.countTrials(record.id, { status: ['running', 'pending'] }),
      hub.store.getIncumbent(record.id),
      hub.store.getTrial(record.id, 0),
    ]);
    // counted as everywhere else: the baseline (trial 0) is not a trial of the count (core/trial-counts.ts)
    const status = baseline?.status;
    counts = {
      total: total - (baseline ? 1 : 0),
      kept: kept - (status === 'kept' ? 1 : 0),
      failed: failed - (status === 'failed' ? 1 : 0),
      running: running - (status === 'running' || status === 'pending' ? 1 : 0),
    };
    incumbent = best ? { id: best.id, score: best.score } : null;
    baselineScore = baseline?.score ?? null;
  }
  return { id: record.id, name: record.name, createdAt: record.createdAt, elapsedMs: record.elapsedMs, objective: task.objective, counts, baselineScore, incumbent, lastEventAt };
}
