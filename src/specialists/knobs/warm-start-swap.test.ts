import { describe, expect, it } from 'vitest';
import type { KnobSpec } from '../../core/task.ts';
import { encodeSpace } from './knob-encoding.ts';
import { createTpeSampler } from './tpe-sampler.ts';
import { mulberry32 } from './sampler-math.ts';
import { knobValuesKey } from './knob-value.ts';
import { createWarmStartSampler } from './warm-start-sampler.ts';
import { fitAdditive, swapProposal } from './warm-start-swap.ts';
import type { KnobObservation } from './knob-sampler.ts';

const SPACE: KnobSpec[] = ['a', 'b', 'c'].map((name) => ({ name, file: 'p.json', key: name, type: 'float' as const, low: 0, high: 1 }));
const SPACE_JSON = Object.fromEntries(SPACE.map((knob) => [knob.name, { type: 'float', low: 0, high: 1 }]));
const encoded = encodeSpace(SPACE);

/** A separable bowl with a ripple (period 1/3), as bench:warmstart's recipes: its optimum at `centre`. */
function rippled(centre: readonly number[]) {
  return (p: readonly number[]) => p.reduce((sum, x, i) => sum + [1, 0.6, 0.4][i]! * (x - centre[i]!) ** 2 + 0.02 * (1 - Math.cos(6 * Math.PI * (x - centre[i]!))), 0);
}

/**
 * This study's trials where the optimum moved to c = 0.15 from the earlier c = 0.5: the best
 * polishes the earlier optimum, one broad draw met c = 0.1 with a off (0.82), another shows
 * that a = 0.85 alone costs.
 */
const MOVED_POINTS = [[0.7, 0.3, 0.5], [0.72, 0.31, 0.52], [0.2, 0.3, 0.5], [0.82, 0.3, 0.1], [0.7, 0.9, 0.5], [0.1, 0.8, 0.9], [0.85, 0.3, 0.5]];

describe('warm-start swap', () => {
  it('credits a knob value that did well although another knob was off', () => {
    const f = rippled([0.7, 0.3, 0.15]);
    // This study's best polishes the earlier optimum (c = 0.5); one broad draw met c = 0.1 with a off.
    const points = MOVED_POINTS;
    const measured = points.map((point) => ({ point, loss: f(point) }));
    const model = fitAdditive(encoded, measured);
    expect(model.effect(2, 0.1)).toBeLessThan(model.effect(2, 0.5));
    expect(model.effect(1, 0.9)).toBeGreaterThan(model.effect(1, 0.3));
    const values = swapProposal(SPACE, encoded, measured, new Set());
    expect(values).not.toBeNull();
    expect(values!.c).toBeCloseTo(0.1, 6);
    expect([values!.a, values!.b]).toEqual([0.7, 0.3]);
    expect(f([values!.a as number, values!.b as number, values!.c as number])).toBeLessThan(Math.min(...measured.map((entry) => entry.loss)));
  });

  it('proposes nothing before five trials, nothing already tried, nothing the trials do not support', () => {
    const f = rippled([0.5, 0.5, 0.5]);
    const few = [[0.5, 0.5, 0.5], [0.1, 0.5, 0.5], [0.5, 0.9, 0.5], [0.5, 0.5, 0.1]].map((point) => ({ point, loss: f(point) }));
    expect(swapProposal(SPACE, encoded, few, new Set())).toBeNull();
    // Every value away from the best is worse: no knob of another trial is credited.
    const bowlOnly = [...few, { point: [0.9, 0.1, 0.9], loss: f([0.9, 0.1, 0.9]) }];
    expect(swapProposal(SPACE, encoded, bowlOnly, new Set())).toBeNull();
    const f2 = rippled([0.7, 0.3, 0.15]);
    const measured = MOVED_POINTS.map((point) => ({ point, loss: f2(point) }));
    const first = swapProposal(SPACE, encoded, measured, new Set())!;
    const second = swapProposal(SPACE, encoded, measured, new Set([knobValuesKey(SPACE, first)]));
    expect(second === null || knobValuesKey(SPACE, second) !== knobValuesKey(SPACE, first)).toBe(true);
  });

  it('is what the warm-start sampler proposes once the earlier optimum is polished and a trial met the moved value', () => {
    const earlier = rippled([0.7, 0.3, 0.5]);
    const later = rippled([0.7, 0.3, 0.15]);
    const random = mulberry32(11);
    // The earlier study's best two are this study's first two trials (enqueued, already tried).
    const priors = Array.from({ length: 30 }, (_, trialId) => {
      const p = trialId < 2 ? MOVED_POINTS[trialId]! : [random(), random(), random()];
      return { study: 'earlier', trialId, fingerprint: 'fp', metric: 'loss', direction: 'minimize' as const, values: { a: p[0]!, b: p[1]!, c: p[2]! }, score: earlier(p), space: SPACE_JSON };
    });
    const history: KnobObservation[] = MOVED_POINTS.map((p, trialId) => ({ trialId, values: { a: p[0]!, b: p[1]!, c: p[2]! }, status: 'discarded', score: later(p) }));
    const withSwap = createWarmStartSampler(createTpeSampler(), priors).sample(SPACE, history, history[0]!.values, mulberry32(3));
    expect(withSwap).toEqual({ a: 0.7, b: 0.3, c: 0.1 });
    const without = createWarmStartSampler(createTpeSampler(), priors, { swap: false }).sample(SPACE, history, history[0]!.values, mulberry32(3));
    expect(without).not.toEqual({ a: 0.7, b: 0.3, c: 0.1 });
  });
});
