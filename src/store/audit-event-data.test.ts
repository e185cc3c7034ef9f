import { describe, expect, it } from 'vitest';
import { AUDIT_EVENT_TYPES, auditEventsOf, auditEventTypeOf, storedTypeOf, type AuditEventMap, type AuditEventType } from '../core/audit-events.ts';
import { auditEventFromStored, type StoredAuditLine } from './audit-event-data.ts';

const AT = '2026-01-01T00:00:00.000Z';
const line = (type: string, data: Record<string, unknown>, trialId: number | null = null): StoredAuditLine => ({ id: 7, studyId: 1, trialId, at: AT, type, data });
const COST = { usd: 0.1, inputTokens: 10, outputTokens: 2, cachedTokens: 0 };

/** One payload per event of the vocabulary, as today's writers store it. */
const SAMPLES: { [K in AuditEventType]: AuditEventMap[K] } = {
  'study.created': { name: 'demo', taskHash: 'h' },
  'study.baseline_commit': { commit: 'c0' },
  'study.task_changed': { previousTaskHash: 'h', taskHash: 'h2' },
  'study.elapsed': { addedMs: 10, elapsedMs: 20 },
  'study.renamed': { previousName: 'demo', name: 'demo-archived' },
  'study.budget_extended': { trials: 5 },
  'study.stopped': { reason: 'budget' },
  'trial.created': { specialist: 'knobs', parent: 0 },
  'trial.started': { slot: 1, gpu: '0' },
  'trial.materialised': { commit: 'c1' },
  'trial.phase': { phase: 'score' },
  'trial.updated': { status: 'running', fields: ['status'] },
  'trial.claimed': { worker: 'w:1', token: 't', leaseMs: 60_000 },
  'trial.requeued': { reason: 'the lease expired' },
  'trial.retry': { of: 3, reason: 'runner vanished' },
  'trial.adopted': { from: 'login1:4242' },
  'trial.reopened': { label: 'infra_error', detail: 'no such partition' },
  'trial.level_measured': { level: 0, levelName: 's', status: 'scored', label: null, score: 2.5, runMs: 1200 },
  'trial.promoted': { from: 's', to: 'm', reason: 'rank 1 of 3 at s; the best 1 (1/3) climb', expectedRunMs: 3500 },
  'trial.level_resumed': { level: 1, levelName: 'm', from: 's', problem: null },
  'trial.level_queued': { level: 1, levelName: 'm' },
  'trial.cost_predicted': { levels: [{ level: 0, levelName: 's', expectedRunMs: 1200 }, { level: 1, levelName: 'full', expectedRunMs: null }], factor: 1.9, terms: [{ feature: 'width', value: 0.69, coefficient: 0.93 }], fittedOn: 12, usd: null },
  'trial.finished': { status: 'failed', label: 'crash', score: null },
  'trial.feedback': { files: [{ path: 'profile.txt', text: 'forward 80%', chars: 11, truncated: false }], missing: ['warnings.log'], profile: { command: 'py-spy top', text: 'train.py:12 60%', truncated: false, exitCode: 0, timedOut: false, durationMs: 1200 } },
  'proposal.none': { specialist: 'agent', outcome: 'failed', reason: 'rate limit', cost: COST, steps: 0, toolCalls: 0, retries: 3 },
  'proposal.dropped': { specialist: 'agent', hypothesis: 'x', cost: null, reason: null },
};

describe('the audit log read back into the vocabulary', () => {
  it('reads every event of the vocabulary as written, under its own type', () => {
    for (const type of AUDIT_EVENT_TYPES) {
      const event = auditEventFromStored(line(type, SAMPLES[type]));
      expect(event).toEqual({ id: 7, studyId: 1, trialId: null, at: AT, type, data: SAMPLES[type] });
    }
  });

  it('reads names older versions stored under their current name', () => {
    expect(auditEventTypeOf('budget_extended')).toBe('study.budget_extended');
    const event = auditEventFromStored(line('budget_extended', { trials: 4 }));
    expect(event).toMatchObject({ type: 'study.budget_extended', data: { trials: 4 } });
    expect(storedTypeOf(event)).toBe('study.budget_extended');
  });

  it('keeps a line outside the vocabulary as unrecognised, with what was stored', () => {
    const event = auditEventFromStored(line('trial.teleported', { to: 'mars' }, 2));
    expect(event).toMatchObject({ type: 'unrecognised', storedType: 'trial.teleported', trialId: 2, data: { to: 'mars' } });
    expect(event.type === 'unrecognised' && event.problem).toMatch(/not an event autolab knows/);
    expect(storedTypeOf(event)).toBe('trial.teleported');
  });

  it('keeps a line whose data lacks its type\'s shape as unrecognised, naming the field', () => {
    const event = auditEventFromStored(line('trial.finished', { status: 'exploded', score: 'high' }, 1));
    expect(event).toMatchObject({ type: 'unrecognised', storedType: 'trial.finished', data: { status: 'exploded', score: 'high' } });
    expect(event.type === 'unrecognised' && event.problem).toMatch(/shape of 'trial.finished'.*status/s);
  });

  it('keeps keys a newer version added, and reads a numeric GPU as text', () => {
    expect(auditEventFromStored(line('trial.finished', { status: 'kept', label: null, score: 1, margin: 0.1 })).data).toEqual({ status: 'kept', label: null, score: 1, margin: 0.1 });
    expect(auditEventFromStored(line('trial.started', { slot: 0, gpu: 1 })).data).toEqual({ slot: 0, gpu: '1' });
    expect(auditEventFromStored(line('trial.started', {})).data).toEqual({});
  });

  it('filters events by type with their data typed', () => {
    const events = [auditEventFromStored(line('proposal.none', SAMPLES['proposal.none'])), auditEventFromStored(line('study.stopped', { reason: 'patience' }))];
    expect(auditEventsOf(events, 'study.stopped').map((event) => event.data.reason)).toEqual(['patience']);
  });
});
