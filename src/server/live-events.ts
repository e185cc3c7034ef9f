/**
 * Server-sent events: a study's audit-log events as they are appended, by any process.
 * A client passes the last event id it saw (`?after=ID`, or the `Last-Event-ID` header
 * EventSource sends when it reconnects) and first gets what it missed.
 */
import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { StudyEvent } from '../core/store.ts';
import type { StudyEntry } from './study-hub.ts';

/**
 * The wire shape of one event (`event: study`, `id: <event id>`): the audit-log event
 * (`StudyEvent`, typed by `AuditEventMap`; docs/events.md) without its study id, plus
 * `revision`: the snapshot revision after this batch (refetch views older than it).
 */
export type LiveEvent = { [T in StudyEvent['type']]: Omit<Extract<StudyEvent, { type: T }>, 'studyId'> & { revision: number } }[StudyEvent['type']];

/** The wire form of `event` at `revision`, its keys in the documented order (`id, type, trialId, at, data, ...`). */
export function liveEventOf(event: StudyEvent, revision: number): LiveEvent {
  const { id, type, trialId, at, data } = event;
  const unrecognised = event.type === 'unrecognised' ? { storedType: event.storedType, problem: event.problem } : {};
  return { id, type, trialId, at, data, ...unrecognised, revision } as LiveEvent;
}

const CATCH_UP_LIMIT = 2_000;
const KEEPALIVE_MS = 15_000;

/** Open streams, so a closing server can end them. */
const openStreams = new Set<SSEStreamingApi>();

/** Ends every open event stream (the server is closing). */
export function closeLiveStreams(): void {
  for (const stream of [...openStreams]) stream.abort();
  openStreams.clear();
}

/** Streams the events of `entry`'s study after `afterId` (default: from now on). */
export function liveEvents(c: Context, entry: StudyEntry, afterId: number | null): Response {
  return streamSSE(c, async (stream) => {
    openStreams.add(stream);
    let lastSent = afterId ?? entry.snapshot.revision;
    let queue: Promise<void> = Promise.resolve();
    const send = (events: StudyEvent[]) => {
      queue = queue.then(async () => {
        for (const event of events) {
          if (event.id <= lastSent || stream.aborted || stream.closed) continue;
          lastSent = event.id;
          const payload = liveEventOf(event, entry.snapshot.revision);
          await stream.writeSSE({ event: 'study', id: String(event.id), data: JSON.stringify(payload) });
        }
      });
    };
    const unsubscribe = entry.snapshot.subscribe(send);
    let wake: (() => void) | null = null;
    stream.onAbort(() => {
      unsubscribe();
      openStreams.delete(stream);
      wake?.();
    });
    await stream.writeSSE({ event: 'hello', data: JSON.stringify({ revision: entry.snapshot.revision, study: entry.snapshot.study.name }), retry: 2000 });
    if (afterId !== null && afterId < entry.snapshot.revision) {
      send(await entry.snapshot.store.listEvents(entry.snapshot.study.id, { afterId, limit: CATCH_UP_LIMIT }));
    }
    while (!stream.aborted && !stream.closed) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, KEEPALIVE_MS).unref();
      });
      if (stream.aborted || stream.closed) break;
      await queue;
      await stream.write(': keepalive\n\n');
    }
    unsubscribe();
    openStreams.delete(stream);
  });
}
