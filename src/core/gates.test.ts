import { describe, expect, it } from 'vitest';
import { evaluateGates, formatNumber, parseGate } from './gates.ts';
import { accepts, improvement } from './acceptance.ts';
import { shouldStop } from './stop-rules.ts';

describe('gates', () => {
  it('parses operators and numbers', () => {
    expect(parseGate('artifact_bytes <= 16e6')).toMatchObject({ metric: 'artifact_bytes', op: '<=', value: 16e6 });
    expect(parseGate(' acc>=0.96 ')).toMatchObject({ metric: 'acc', op: '>=', value: 0.96 });
    expect(parseGate('x != -1.5')).toMatchObject({ op: '!=', value: -1.5 });
    expect(parseGate('x <= y')).toBeNull();
    expect(parseGate('<= 3')).toBeNull();
  });

  it('fails gates whose metric is missing', () => {
    const [result] = evaluateGates([parseGate('acc >= 0.9')!], {});
    expect(result!.passed).toBe(false);
  });

  it('formats numbers compactly', () => {
    expect(formatNumber(65536)).toBe('65536');
    expect(formatNumber(2.3456789)).toBe('2.34568');
    expect(formatNumber(0.00001234)).toBe('1.234e-5');
  });
});

describe('acceptance', () => {
  it('respects the direction and the margin', () => {
    expect(improvement({ metric: 'l', direction: 'minimize' }, 1, 2)).toBe(1);
    expect(improvement({ metric: 'a', direction: 'maximize' }, 1, 2)).toBe(-1);
    const rule = { rule: 'better' as const, margin: 0.1 };
    expect(accepts(rule, { metric: 'l', direction: 'minimize' }, 1.95, 2)).toBe(false);
    expect(accepts(rule, { metric: 'l', direction: 'minimize' }, 1.8, 2)).toBe(true);
    expect(accepts(rule, { metric: 'l', direction: 'minimize' }, 5, null)).toBe(true);
    expect(accepts(rule, { metric: 'l', direction: 'minimize' }, Number.NaN, null)).toBe(false);
  });
});

describe('stop rules', () => {
  const state = { studyTrials: 0, sessionTrials: 0, trialsSinceImprovement: 0, studyElapsedMs: 0, sessionElapsedMs: 0 };
  it('fires on each limit', () => {
    expect(shouldStop(state, {}, {})).toBeNull();
    expect(shouldStop({ ...state, sessionTrials: 3 }, {}, { trials: 3 })).toContain('--trials 3');
    expect(shouldStop({ ...state, studyTrials: 40 }, { trials: 40 }, {})).toContain('40 trials');
    expect(shouldStop({ ...state, sessionElapsedMs: 3_600_000 }, {}, { hours: 1 })).toContain('--hours');
    expect(shouldStop({ ...state, studyElapsedMs: 7_200_000 }, { hours: 2 }, {})).toContain('2 hours');
    expect(shouldStop({ ...state, trialsSinceImprovement: 5 }, { patience: 5 }, {})).toContain('patience');
    expect(shouldStop({ ...state, trialsSinceImprovement: 5 }, { patience: 5 }, { patience: 9 })).toBeNull();
  });
});
