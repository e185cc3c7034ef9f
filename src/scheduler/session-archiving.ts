/**
 * Archiving what a specialist's session did (src/core/session-archive.ts): the
 * transcript its report carries, how it ended, what it cost, whether it proposed or not;
 * and, once its proposal became a trial, the link to that trial. Archiving never stops a
 * study: a store without a research memory archives nothing, and a failed write becomes
 * a warning.
 */
import { coerceError } from '../core/errors.ts';
import type { SessionReport } from '../core/specialist.ts';
import type { StudyRuntime } from '../evaluator/study-runtime.ts';

/** Archives the session of `specialist` described by `report`; returns its id, or null when nothing was archived. */
export async function archiveSession(runtime: Pick<StudyRuntime, 'store' | 'studyId' | 'events'>, specialist: string, report: SessionReport | null): Promise<string | null> {
  if (!report?.transcript || !runtime.store.researchMemory) return null;
  try {
    const record = await runtime.store.researchMemory().recordSession(runtime.studyId, {
      ...report.transcript,
      ...(report.sessionId ? { id: report.sessionId } : {}),
      specialist,
      outcome: report.outcome,
      reason: report.reason,
      cost: report.cost,
      steps: report.steps,
      toolCalls: report.toolCalls,
      retries: report.retries,
    });
    return record.id;
  } catch (error) {
    runtime.events.emit('warning', { code: 'session_not_archived', message: `the session of specialist '${specialist}' could not be archived: ${coerceError(error).message}` });
    return null;
  }
}

/** Names the trial an archived session's proposal became. */
export async function linkSessionToTrial(runtime: Pick<StudyRuntime, 'store' | 'studyId' | 'events'>, sessionId: string | undefined, trialId: number): Promise<void> {
  if (sessionId === undefined || !runtime.store.researchMemory) return;
  await runtime.store
    .researchMemory()
    .linkSession(runtime.studyId, sessionId, trialId)
    .catch((error: unknown) => runtime.events.emit('warning', { code: 'session_not_archived', message: `session ${sessionId} could not be linked to trial #${trialId}: ${coerceError(error).message}` }));
}
