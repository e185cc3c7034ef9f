import { describe, expect, it } from 'vitest';
import { classifyOutcome, type PhaseFacts } from './outcome.ts';
import { parseGate } from './gates.ts';
import type { Objective } from './task.ts';

const objective: Objective = { metric: 'loss', direction: 'minimize' };
const gates = [parseGate('size <= 100')!];
const ok: PhaseFacts = { exitCode: 0, signal: null, timedOut: false, aborted: false, spawnError: null, oomSuspected: false, tail: '' };

describe('classifyOutcome', () => {
  it('scores a clean trial', () => {
    const outcome = classifyOutcome({ run: ok, score: ok, metrics: { loss: 1.5, size: 10 } }, objective, gates);
    expect(outcome).toEqual({ kind: 'scored', score: 1.5, metrics: { loss: 1.5, size: 10 } });
  });

  it('follows the documented precedence when several things went wrong', () => {
    const all = {
      interrupted: 'x',
      infraError: 'disk',
      applyError: 'no',
      illegal: ['p'],
      duplicateOf: 3,
      preflight: { ...ok, exitCode: 1 },
      smoke: { ...ok, exitCode: 1 },
      run: { ...ok, timedOut: true },
    };
    const order = ['interrupted', 'infra_error', 'apply_failed', 'illegal_edit', 'duplicate', 'preflight_failed', 'smoke_failed', 'run_timeout'];
    const facts: Record<string, unknown> = { ...all };
    const keys = ['interrupted', 'infraError', 'applyError', 'illegal', 'duplicateOf', 'preflight', 'smoke', 'run'];
    for (let index = 0; index < order.length; index++) {
      const outcome = classifyOutcome(facts as never, objective, gates);
      expect(outcome.kind === 'failed' && outcome.label).toBe(order[index]);
      delete facts[keys[index]!];
    }
  });

  it('labels a failed smoke run smoke_failed (timeouts and OOMs included); a stopped or unstartable one is not the edit\'s', () => {
    const smoke = (facts: Partial<PhaseFacts>) => classifyOutcome({ smoke: { ...ok, ...facts } }, objective, gates);
    expect(smoke({ exitCode: 1, tail: 'AssertionError' })).toMatchObject({ kind: 'failed', label: 'smoke_failed', detail: 'smoke run exited with code 1\nAssertionError' });
    expect(smoke({ exitCode: 137, oomSuspected: true })).toMatchObject({ label: 'smoke_failed', detail: 'smoke run exited with code 137 (out of memory suspected)' });
    expect(smoke({ exitCode: null, signal: 'SIGKILL', timedOut: true })).toMatchObject({ label: 'smoke_failed', detail: 'smoke run killed at its budget' });
    expect(smoke({ aborted: true })).toMatchObject({ label: 'interrupted' });
    expect(smoke({ spawnError: 'ENOENT' })).toMatchObject({ label: 'infra_error' });
  });

  it('labels a smoke run whose artifacts miss a smoke gate or the artifact limit smoke_failed, before any run', () => {
    const gateMiss = 'gate missed: weights_bytes = 65536, gate <= 40000 (missed by 25536, 63.8%)';
    expect(classifyOutcome({ smoke: ok, smokeOutput: gateMiss }, objective, gates)).toMatchObject({ kind: 'failed', label: 'smoke_failed', detail: `smoke run's artifacts: ${gateMiss}` });
    expect(classifyOutcome({ smoke: { ...ok, exitCode: 1 }, smokeOutput: gateMiss }, objective, gates)).toMatchObject({ detail: 'smoke run exited with code 1' });
  });

  it('maps run results to labels', () => {
    const label = (run: Partial<PhaseFacts>) => {
      const outcome = classifyOutcome({ run: { ...ok, ...run } }, objective, gates);
      return outcome.kind === 'failed' ? outcome.label : 'scored';
    };
    expect(label({ timedOut: true, exitCode: null, signal: 'SIGKILL' })).toBe('run_timeout');
    expect(label({ exitCode: 1, oomSuspected: true })).toBe('oom');
    expect(label({ exitCode: 2 })).toBe('crash');
    expect(label({ exitCode: null, signal: 'SIGSEGV' })).toBe('crash');
    expect(label({ aborted: true, exitCode: null })).toBe('interrupted');
    expect(label({ spawnError: 'ENOENT' })).toBe('infra_error');
  });

  it('labels score problems', () => {
    const scoreLabel = (facts: object) => {
      const outcome = classifyOutcome({ run: ok, ...facts }, objective, gates);
      return outcome.kind === 'failed' ? outcome.label : 'scored';
    };
    expect(scoreLabel({ score: { ...ok, timedOut: true } })).toBe('score_timeout');
    expect(scoreLabel({ score: { ...ok, exitCode: 3 } })).toBe('metric_missing');
    expect(scoreLabel({ score: ok, metricsError: 'not json' })).toBe('metric_missing');
    expect(scoreLabel({ score: ok, metrics: { other: 1 } })).toBe('metric_missing');
    expect(scoreLabel({ score: ok, metrics: { loss: Number.NaN } })).toBe('metric_missing');
  });

  it('reports how far a gate was missed', () => {
    const outcome = classifyOutcome({ run: ok, score: ok, metrics: { loss: 1, size: 150 } }, objective, gates);
    expect(outcome.kind).toBe('failed');
    if (outcome.kind === 'failed') {
      expect(outcome.label).toBe('gate_miss');
      expect(outcome.detail).toContain('size = 150, gate <= 100 (missed by 50, 50.0%)');
    }
  });

  it('labels artifacts over the limit after the run as size_exceeded', () => {
    const outcome = classifyOutcome({ run: ok, sizeExceeded: ['artifacts are 9 bytes'] }, objective, gates);
    expect(outcome.kind === 'failed' && outcome.label).toBe('size_exceeded');
  });
});
