/**
 * `autolab export --format sessions`: each archived session as one chat-format record
 * (the messages with tool calls, as the major fine-tuning formats read them: OpenAI chat
 * `messages` with `tool_calls` and `tool` results) with the measured outcome of the trial
 * it made as the reward. The schema is `SESSION_EXPORT_SCHEMA` (docs/export.md).
 */
import { z } from 'zod';
import { improvement } from '../core/acceptance.ts';
import type { ArchivedMessage, SessionRecord } from '../core/session-archive.ts';
import type { Objective } from '../core/task.ts';
import type { TrialRecord } from '../core/trial.ts';

const toolCallSchema = z.strictObject({ id: z.string(), type: z.literal('function'), function: z.strictObject({ name: z.string(), arguments: z.string() }) });

/** One exported session (one JSON line). */
export const SESSION_EXPORT_SCHEMA = z.strictObject({
  messages: z.array(
    z.discriminatedUnion('role', [
      z.strictObject({ role: z.literal('system'), content: z.string() }),
      z.strictObject({ role: z.literal('user'), content: z.string() }),
      z.strictObject({ role: z.literal('assistant'), content: z.string().nullable(), tool_calls: z.array(toolCallSchema).optional(), reasoning: z.string().optional() }),
      z.strictObject({ role: z.literal('tool'), tool_call_id: z.string(), name: z.string(), content: z.string() }),
    ]),
  ),
  /** The measured improvement of the trial over its parent (positive is better), or null when it has none. */
  reward: z.number().nullable(),
  metadata: z.strictObject({
    study: z.string(),
    session: z.string(),
    specialist: z.string(),
    kind: z.enum(['llm', 'command']),
    model: z.string(),
    outcome: z.enum(['kept', 'discarded', 'failed', 'pending', 'running', 'no_trial']),
    session_outcome: z.enum(['submitted', 'no_proposal', 'failed']),
    reason: z.string(),
    trial: z.number().int().nullable(),
    parent: z.number().int().nullable(),
    label: z.string().nullable(),
    objective: z.strictObject({ metric: z.string(), direction: z.enum(['minimize', 'maximize']) }),
    score: z.number().nullable(),
    parent_score: z.number().nullable(),
    delta: z.number().nullable(),
    hypothesis: z.string().nullable(),
    retries: z.number().int(),
    usd: z.number(),
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    duration_ms: z.number(),
    started_at: z.string(),
  }),
});

export type SessionExportRecord = z.infer<typeof SESSION_EXPORT_SCHEMA>;

export interface SessionExportFilter {
  /** Only sessions whose trial was kept. */
  keptOnly?: boolean;
  /** Only sessions whose trial improved on its parent by at least this much (positive is better). */
  minDelta?: number;
  specialist?: string;
}

function chatMessages(session: SessionRecord): SessionExportRecord['messages'] {
  const out: SessionExportRecord['messages'] = [
    { role: 'system', content: session.system },
    { role: 'user', content: session.firstMessage },
  ];
  for (const message of session.messages as ArchivedMessage[]) {
    if (message.role === 'assistant') {
      out.push({
        role: 'assistant',
        content: message.text === '' ? null : message.text,
        ...(message.toolCalls.length > 0 ? { tool_calls: message.toolCalls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: JSON.stringify(call.arguments ?? {}) } })) } : {}),
        ...(message.reasoning ? { reasoning: message.reasoning } : {}),
      });
    } else if (message.role === 'tool') {
      out.push({ role: 'tool', tool_call_id: message.toolCallId, name: message.name, content: message.result });
    } else if (message.role === 'user') {
      out.push({ role: 'user', content: message.text });
    }
    // Retries are not part of the conversation the model saw.
  }
  return out;
}

/**
 * The export records of `sessions`, filtered, oldest first.
 *
 * @example
 * for (const record of sessionExportRecords('golf', objective, sessions, trials, { keptOnly: true })) console.log(JSON.stringify(record));
 */
export function sessionExportRecords(study: string, objective: Objective, sessions: readonly SessionRecord[], trials: readonly TrialRecord[], filter: SessionExportFilter = {}): SessionExportRecord[] {
  const byId = new Map(trials.map((trial) => [trial.id, trial]));
  const records: SessionExportRecord[] = [];
  for (const session of sessions) {
    if (filter.specialist !== undefined && session.specialist !== filter.specialist) continue;
    const trial = session.trialId === null ? undefined : byId.get(session.trialId);
    const parent = trial?.parent === null || trial?.parent === undefined ? undefined : byId.get(trial.parent);
    const scored = trial?.score !== null && trial?.score !== undefined && parent?.score !== null && parent?.score !== undefined;
    const delta = scored ? trial!.score! - parent!.score! : null;
    const reward = scored ? improvement(objective, trial!.score!, parent!.score!) : null;
    if (filter.keptOnly && trial?.status !== 'kept') continue;
    if (filter.minDelta !== undefined && (reward === null || reward < filter.minDelta)) continue;
    records.push({
      messages: chatMessages(session),
      reward,
      metadata: {
        study,
        session: session.id,
        specialist: session.specialist,
        kind: session.kind,
        model: session.model,
        outcome: trial ? trial.status : 'no_trial',
        session_outcome: session.outcome,
        reason: session.reason,
        trial: trial?.id ?? null,
        parent: trial?.parent ?? session.parent,
        label: trial?.label ?? null,
        objective: { metric: objective.metric, direction: objective.direction },
        score: trial?.score ?? null,
        parent_score: parent?.score ?? null,
        delta,
        hypothesis: trial?.hypothesis ?? null,
        retries: session.retries,
        usd: session.cost.usd,
        input_tokens: session.cost.inputTokens,
        output_tokens: session.cost.outputTokens,
        duration_ms: session.durationMs,
        started_at: session.startedAt,
      },
    });
  }
  return records;
}
