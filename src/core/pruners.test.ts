import { describe, expect, it } from 'vitest';
import { fitPowerLaw, pruneDecision, type FinishedCurve, type StepValue } from './pruners.ts';
import type { PrunerSpec } from './task.ts';

/** A loss curve that saturates at `floor`: floor + scale * step^-0.5. */
function curve(floor: number, scale: number, upTo: number, every = 10): StepValue[] {
  const points: StepValue[] = [];
  for (let step = every; step <= upTo; step += every) points.push({ step, value: floor + scale * Math.pow(step, -0.5) });
  return points;
}

const finished: FinishedCurve[] = [
  { trialId: 1, points: curve(1.0, 3, 200), incumbent: true },
  { trialId: 2, points: curve(1.5, 3, 200), incumbent: false },
  { trialId: 3, points: curve(1.6, 3, 200), incumbent: false },
  { trialId: 4, points: curve(1.8, 3, 200), incumbent: false },
  { trialId: 5, points: curve(2.0, 3, 200), incumbent: false },
];

const losing = curve(2.5, 3, 60);
const winning = curve(0.8, 3, 60);

describe.each([
  ['median', { kind: 'median', warmupSteps: 20, minTrials: 3 }],
  ['asha', { kind: 'asha', warmupSteps: 0, minTrials: 3, minStep: 20, reduction: 3 }],
  ['curve', { kind: 'curve', warmupSteps: 30, minTrials: 3, confidence: 0.95 }],
] as Array<[string, PrunerSpec]>)('the %s pruner', (_name, spec) => {
  it('stops a clearly losing curve', () => {
    const decision = pruneDecision(losing, finished, spec, 'minimize');
    expect(decision.prune).toBe(true);
    expect(decision.reason.length).toBeGreaterThan(10);
  });

  it('keeps a winning curve', () => {
    expect(pruneDecision(winning, finished, spec, 'minimize').prune).toBe(false);
  });

  it('respects the direction of the metric', () => {
    const negate = (points: readonly StepValue[]) => points.map((point) => ({ step: point.step, value: -point.value }));
    const flipped = finished.map((c) => ({ ...c, points: negate(c.points) }));
    expect(pruneDecision(negate(losing), flipped, spec, 'maximize').prune).toBe(true);
    expect(pruneDecision(negate(winning), flipped, spec, 'maximize').prune).toBe(false);
  });

  it('waits until enough trials have finished', () => {
    expect(pruneDecision(losing, finished.slice(0, 1), spec, 'minimize').prune).toBe(false);
  });
});

describe('fitPowerLaw', () => {
  it('recovers a saturating power law', () => {
    const fit = fitPowerLaw(curve(1.2, 4, 100))!;
    expect(fit.a).toBeCloseTo(1.2, 1);
    expect(fit.predict(10_000)).toBeCloseTo(1.2 + 4 * Math.pow(10_000, -0.5), 1);
  });
});
