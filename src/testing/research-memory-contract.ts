/**
 * The contract tests of the research memory (`store.researchMemory()`: the session
 * archive, study notes, technique cards and knob observations), part of
 * `describeStoreContract`, so every adapter runs them against a real database.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionArchive, SessionDraft } from '../core/session-archive.ts';
import type { Store } from '../core/store.ts';
import type { StudyRecord } from '../core/study.ts';
import type { MemoryStore, TechniqueCard } from '../core/technique-card.ts';
import type { StoreFactory } from './store-factory.ts';

const COST = { usd: 0.01, inputTokens: 100, outputTokens: 20, cachedTokens: 0 };

function draft(specialist: string, startedAt: string, overrides: Partial<SessionDraft> = {}): SessionDraft {
  return {
    kind: 'llm',
    model: 'openai:gpt-4o',
    system: 'You are a specialist.',
    firstMessage: 'Improve the loss.',
    messages: [
      { role: 'assistant', text: 'reading', toolCalls: [{ id: 'c1', name: 'read_file', arguments: { path: 'train.py' } }], atMs: 5, durationMs: 4, tokens: { input: 100, output: 20, cached: 0 } },
      { role: 'tool', toolCallId: 'c1', name: 'read_file', result: '1: x = 1', error: false, truncated: false, atMs: 6 },
    ],
    parent: 0,
    startedAt,
    durationMs: 12,
    specialist,
    outcome: 'no_proposal',
    reason: 'step limit of 1 model calls reached without submit',
    cost: COST,
    steps: 1,
    toolCalls: 1,
    retries: 0,
    ...overrides,
  };
}

function card(id: string, study: string, fingerprint: string, createdAt: string): TechniqueCard {
  return { id, study, trialId: 3, specialist: 'opt', fingerprint, metric: 'loss', direction: 'minimize', summary: 'warmup', diff: '+warmup', effect: -0.5, effectLow: -0.7, effectHigh: -0.3, parentScore: 2, score: 1.5, fidelity: null, knobs: { lr: 0.1 }, createdAt };
}

/** Registers the research-memory contract tests for one adapter (called by describeStoreContract). */
export function describeResearchMemoryContract(name: string, makeStore: StoreFactory): void {
  describe(`Research memory contract: ${name}`, () => {
    let store: Store;
    let memory: SessionArchive & MemoryStore;
    let cleanup: () => Promise<void>;
    let study: StudyRecord;
    let other: StudyRecord;

    beforeEach(async () => {
      const made = await makeStore();
      cleanup = made.cleanup;
      store = made.store;
      expect(typeof store.researchMemory, 'every built-in store keeps the research memory').toBe('function');
      memory = store.researchMemory!();
      ({ study } = await store.openStudy({ name: 'memory-a', taskHash: 'h', taskJson: '{}' }));
      ({ study: other } = await store.openStudy({ name: 'memory-b', taskHash: 'h', taskJson: '{}' }));
    });

    afterEach(async () => {
      await cleanup();
    });

    it('archives sessions whole, per study, oldest first, filtered by specialist, and links them to their trial', async () => {
      const first = await memory.recordSession(study.id, draft('opt', '2026-01-01T00:00:01.000Z'));
      const second = await memory.recordSession(study.id, draft('arch', '2026-01-01T00:00:02.000Z', { outcome: 'submitted', reason: 'submitted after 1 model call' }));
      await memory.recordSession(other.id, draft('opt', '2026-01-01T00:00:00.000Z'));
      expect(first.id).not.toBe(second.id);
      expect(first.bytes).toBeGreaterThan(100);
      expect(await memory.getSession(study.id, first.id)).toEqual(first);
      expect(await memory.getSession(other.id, first.id)).toBeNull();
      expect((await memory.listSessions(study.id)).map((s) => s.specialist)).toEqual(['opt', 'arch']);
      expect((await memory.listSessions(study.id, { specialist: 'arch' })).map((s) => s.id)).toEqual([second.id]);
      await store.createTrial(study.id, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'b', seed: 0, edit: null, owner: null });
      await memory.linkSession(study.id, second.id, 0);
      expect((await memory.getSession(study.id, second.id))!.trialId).toBe(0);
      expect((await memory.listSessions(study.id, { trialId: 0 })).map((s) => s.id)).toEqual([second.id]);
      await expect(memory.linkSession(study.id, 'no-such-session', 0)).rejects.toMatchObject({ name: 'StoreError' });
      // What was stored is what comes back: messages, tool calls with arguments, cost.
      expect((await memory.getSession(study.id, first.id))!.messages[0]).toMatchObject({ role: 'assistant', toolCalls: [{ name: 'read_file', arguments: { path: 'train.py' } }] });
    });

    it('keeps notes per study, attributed and timestamped, oldest first', async () => {
      const note = await memory.addNote(study.id, { author: 'opt', sessionId: 's-1', text: 'lr above 0.1 diverges' });
      await memory.addNote(study.id, { author: 'arch', text: 'depth 4 saturates' });
      await memory.addNote(other.id, { author: 'x', text: 'elsewhere' });
      expect(note).toMatchObject({ author: 'opt', sessionId: 's-1', text: 'lr above 0.1 diverges' });
      expect(note.at).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect((await memory.listNotes(study.id)).map((n) => [n.author, n.text, n.sessionId])).toEqual([
        ['opt', 'lr above 0.1 diverges', 's-1'],
        ['arch', 'depth 4 saturates', null],
      ]);
      await expect(memory.addNote(study.id, { author: 'opt', text: '  ' })).rejects.toMatchObject({ name: 'StoreError' });
    });

    it('keeps technique cards across studies, newest first, by recipe fingerprint, and forgets them', async () => {
      await memory.putCard(card('c1', 'a', 'fp1', '2026-01-01T00:00:00.000Z'));
      await memory.putCard(card('c2', 'b', 'fp1', '2026-01-02T00:00:00.000Z'));
      await memory.putCard(card('c3', 'b', 'fp2', '2026-01-03T00:00:00.000Z'));
      await memory.putCard(card('c1', 'a', 'fp1', '2026-01-09T00:00:00.000Z')); // written twice: kept once
      expect((await memory.listCards()).map((c) => c.id)).toEqual(['c3', 'c2', 'c1']);
      expect((await memory.listCards({ fingerprint: 'fp1' })).map((c) => c.id)).toEqual(['c2', 'c1']);
      expect((await memory.listCards({ study: 'b', limit: 1 })).map((c) => c.id)).toEqual(['c3']);
      expect(await memory.getCard('c2')).toEqual(card('c2', 'b', 'fp1', '2026-01-02T00:00:00.000Z'));
      expect(await memory.forgetCard('c2')).toBe(true);
      expect(await memory.forgetCard('c2')).toBe(false);
      expect(await memory.getCard('c2')).toBeNull();
      expect((await memory.listCards()).map((c) => c.id)).toEqual(['c3', 'c1']);
    });

    it('keeps knob observations per study and trial, found by knob name, other studies only', async () => {
      const observation = (studyName: string, trialId: number, values: Record<string, number>) => ({ study: studyName, trialId, fingerprint: 'fp', metric: 'loss', direction: 'minimize' as const, values, score: trialId, space: { lr: { type: 'float', low: 0, high: 1 } } });
      await memory.putKnobObservation(observation('a', 1, { lr: 0.1, width: 3 }));
      await memory.putKnobObservation(observation('a', 1, { lr: 0.9 })); // once per trial
      await memory.putKnobObservation(observation('a', 2, { momentum: 0.9 }));
      await memory.putKnobObservation(observation('b', 1, { lr: 0.2 }));
      expect((await memory.listKnobObservations({ excludeStudy: 'b', knobNames: ['lr'] })).map((o) => [o.study, o.trialId, o.values])).toEqual([['a', 1, { lr: 0.1, width: 3 }]]);
      expect((await memory.listKnobObservations({ knobNames: ['lr', 'momentum'] })).map((o) => `${o.study}${o.trialId}`)).toEqual(['a1', 'a2', 'b1']);
      expect(await memory.listKnobObservations({ knobNames: ['l'] })).toEqual([]);
    });
  });
}
