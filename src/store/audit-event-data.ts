/**
 * The boundary of the audit log: each stored event's data validated against its type in
 * the vocabulary (`AuditEventMap`, src/core/audit-events.ts). Names older versions wrote
 * are read under their current name; a line outside the vocabulary, or whose data lacks
 * its type's shape, is returned `unrecognised` with what was stored (an audit log is
 * never made unreadable, nor shortened, by one odd line). Extra keys are kept.
 */
import { z } from 'zod';
import { auditEventTypeOf, type AuditEventMap, type AuditEventType, type StudyEvent } from '../core/audit-events.ts';
import { FAILURE_LABELS } from '../core/trial.ts';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const integer = z.number().int();
const cost = z.looseObject({ usd: finite, inputTokens: finite, outputTokens: finite, cachedTokens: finite });
const trialStatus = z.enum(['pending', 'running', 'kept', 'discarded', 'failed']);
const phase = z.enum(['propose', 'materialise', 'legality', 'preflight', 'run', 'score', 'verify', 'gates', 'accept', 'record']);

type DataSchemas = { [K in AuditEventType]: z.ZodType<AuditEventMap[K], unknown> };

/** The shape of each event's data, as every version of autolab wrote it. */
const AUDIT_EVENT_DATA: DataSchemas = {
  'study.created': z.looseObject({ name: z.string(), taskHash: z.string() }),
  'study.baseline_commit': z.looseObject({ commit: z.string() }),
  'study.task_changed': z.looseObject({ previousTaskHash: z.string(), taskHash: z.string() }),
  'study.elapsed': z.looseObject({ addedMs: finite, elapsedMs: finite }),
  'study.renamed': z.looseObject({ previousName: z.string(), name: z.string() }),
  'study.budget_extended': z.looseObject({ trials: integer.positive() }),
  'study.stopped': z.looseObject({ reason: z.string() }),
  'trial.created': z.looseObject({ specialist: z.string(), parent: integer.nullable() }),
  'trial.started': z.looseObject({ slot: integer.optional(), gpu: z.union([z.string(), finite.transform(String)]).nullable().optional() }),
  'trial.materialised': z.looseObject({ commit: z.string().nullable() }),
  'trial.phase': z.looseObject({ phase }),
  'trial.updated': z.looseObject({ status: trialStatus.optional(), fields: z.array(z.string()) }),
  'trial.claimed': z.looseObject({ worker: z.string(), token: z.string(), leaseMs: finite }),
  'trial.requeued': z.looseObject({ reason: z.string() }),
  'trial.retry': z.looseObject({ of: integer, reason: z.string().nullable() }),
  'trial.adopted': z.looseObject({ from: z.string() }),
  'trial.reopened': z.looseObject({ label: z.string().nullable(), detail: z.string().nullable() }),
  'trial.level_measured': z.looseObject({
    level: integer.nonnegative(),
    levelName: z.string(),
    status: z.enum(['scored', 'failed']),
    label: z.enum(FAILURE_LABELS).nullable(),
    score: finite.nullable(),
    runMs: finite,
  }),
  'trial.promoted': z.looseObject({ from: z.string(), to: z.string(), reason: z.string(), expectedRunMs: finite.nullable().optional(), expectedGain: finite.optional(), chance: finite.optional(), expectedClimbMs: finite.optional() }),
  'trial.level_resumed': z.looseObject({ level: integer.nonnegative(), levelName: z.string(), from: z.string(), problem: z.string().nullable() }),
  'trial.level_queued': z.looseObject({ level: integer.nonnegative(), levelName: z.string() }),
  'trial.cost_predicted': z.looseObject({
    levels: z.array(z.looseObject({ level: integer.nonnegative(), levelName: z.string(), expectedRunMs: finite.nullable() })),
    factor: finite,
    terms: z.array(z.looseObject({ feature: z.string(), value: finite, coefficient: finite })),
    fittedOn: integer.nonnegative(),
    usd: finite.nullable(),
  }),
  'trial.finished': z.looseObject({ status: z.enum(['kept', 'discarded', 'failed']), label: z.enum(FAILURE_LABELS).nullable(), score: finite.nullable() }),
  'trial.feedback': z.looseObject({
    files: z.array(z.looseObject({ path: z.string(), text: z.string(), chars: finite, truncated: z.boolean() })),
    missing: z.array(z.string()),
    profile: z.looseObject({ command: z.string(), text: z.string(), truncated: z.boolean(), exitCode: integer.nullable(), timedOut: z.boolean(), durationMs: finite }).nullable(),
  }),
  'proposal.none': z.looseObject({
    specialist: z.string(),
    outcome: z.enum(['submitted', 'no_proposal', 'failed']),
    reason: z.string(),
    cost,
    steps: finite,
    toolCalls: finite,
    retries: finite,
  }),
  'proposal.dropped': z.looseObject({ specialist: z.string(), hypothesis: z.string(), cost: cost.nullable(), reason: z.string().nullable() }),
};

/** Where a stored line sits in the log and what it was stored as. */
export interface StoredAuditLine {
  id: number;
  studyId: number;
  trialId: number | null;
  at: string;
  type: string;
  data: Record<string, unknown>;
}

/**
 * Reads one stored line into the vocabulary.
 *
 * @example auditEventFromStored({ id: 3, studyId: 1, trialId: null, at, type: 'budget_extended', data: { trials: 5 } })
 * // { ..., type: 'study.budget_extended', data: { trials: 5 } }
 */
export function auditEventFromStored(line: StoredAuditLine): StudyEvent {
  const { id, studyId, trialId, at } = line;
  const type = auditEventTypeOf(line.type);
  if (type === null) return { id, studyId, trialId, at, type: 'unrecognised', storedType: line.type, data: line.data, problem: `'${line.type}' is not an event autolab knows` };
  const parsed = AUDIT_EVENT_DATA[type].safeParse(line.data);
  if (!parsed.success) {
    const problem = `its data does not have the shape of '${type}': ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`;
    return { id, studyId, trialId, at, type: 'unrecognised', storedType: line.type, data: line.data, problem };
  }
  return { id, studyId, trialId, at, type, data: parsed.data } as StudyEvent;
}
