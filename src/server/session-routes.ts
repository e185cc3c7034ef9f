/**
 * The session archive in the dashboard's API: every archived session of a study (llm
 * and command, those that proposed nothing included) and one session in full beside the
 * trial its proposal became, for the session replay page.
 */
import type { Hono } from 'hono';
import { AutolabError } from '../core/errors.ts';
import type { SessionArchive, SessionRecord } from '../core/session-archive.ts';
import type { StudyEntry, StudyHub } from './study-hub.ts';

/** A session without its transcript: one row of the sessions list. */
function sessionRow(session: SessionRecord) {
  const { system: _system, firstMessage: _first, messages, ...row } = session;
  return { ...row, messages: messages.length };
}

function archiveOf(hub: StudyHub, entry: StudyEntry): SessionArchive {
  const archive = hub.store.researchMemory?.();
  if (!archive) throw new AutolabError('NotFound', `the store of study '${entry.snapshot.study.name}' keeps no session archive`);
  return archive;
}

/** The session and what its proposal became (the trial's outcome and diff), for the replay page. */
async function replay(entry: StudyEntry, session: SessionRecord) {
  const trial = session.trialId === null || !entry.snapshot.trials.has(session.trialId) ? undefined : (await entry.snapshot.full([session.trialId])).get(session.trialId); // with its diff
  return {
    session,
    trial: trial ? { id: trial.id, status: trial.status, label: trial.label, score: trial.score, hypothesis: trial.hypothesis, diff: trial.diff } : null,
    objective: entry.source.task.objective,
  };
}

/**
 * Adds `GET /api/studies/:study/sessions` (every session, oldest first, without its
 * transcript; `?specialist=`), `/sessions/:id` and `/trials/:id/session` (one in full,
 * with its trial) to `app`.
 *
 * @example
 * registerSessionRoutes(app, hub); // before the app's `/api/*` catch-all
 */
export function registerSessionRoutes(app: Hono, hub: StudyHub): void {
  app.get('/api/studies/:study/sessions', async (c) => {
    const entry = await hub.study(c.req.param('study'));
    const specialist = c.req.query('specialist');
    const sessions = await archiveOf(hub, entry).listSessions(entry.snapshot.study.id, specialist ? { specialist } : {});
    return c.json({ sessions: sessions.map(sessionRow) });
  });
  app.get('/api/studies/:study/sessions/:id', async (c) => {
    const entry = await hub.study(c.req.param('study'));
    const session = await archiveOf(hub, entry).getSession(entry.snapshot.study.id, c.req.param('id'));
    if (!session) throw new AutolabError('NotFound', `study '${entry.snapshot.study.name}' has no session ${c.req.param('id')}`);
    return c.json(await replay(entry, session));
  });
  app.get('/api/studies/:study/trials/:id/session', async (c) => {
    const entry = await hub.study(c.req.param('study'));
    const trialId = Number(c.req.param('id'));
    const [session] = Number.isInteger(trialId) ? await archiveOf(hub, entry).listSessions(entry.snapshot.study.id, { trialId, limit: 1 }) : [];
    if (!session) throw new AutolabError('NotFound', `no archived session proposed trial #${c.req.param('id')} of study '${entry.snapshot.study.name}'`, { hint: 'only llm and command specialists have sessions; see the Sessions tab' });
    return c.json(await replay(entry, session));
  });
}
