import { describe, expect, it } from 'vitest';
import { makeTrial } from '../testing/trial-fixture.ts';
import { buildLineageFeedback } from './lineage-feedback.ts';
import { renderLineageMarkdown } from './lineage-markdown.ts';

const objective = { metric: 'loss', direction: 'minimize' as const };

const trials = [
  makeTrial({ id: 0, specialist: 'baseline', status: 'kept', score: 3 }),
  makeTrial({ id: 1, status: 'kept', score: 2.5, hypothesis: 'raise lr' }),
  makeTrial({ id: 2, parent: 1, status: 'failed', label: 'crash', labelDetail: 'exited with code 1\nTraceback\nValueError: boom' }),
  makeTrial({ id: 3, parent: 1, status: 'kept', score: 2.2, hypothesis: 'wider' }),
  makeTrial({ id: 4, parent: 3, status: 'failed', label: 'gate_miss', labelDetail: 'size = 150, gate <= 100 (missed by 50, 50.0%)', specialist: 'other' }),
  makeTrial({ id: 5, parent: 3, status: 'discarded', score: 2.3 }),
];

describe('lineage feedback', () => {
  it('finds the incumbent, the chain and the leaderboard', () => {
    const feedback = buildLineageFeedback(trials, { study: 's', objective, viewer: 'tuner' });
    expect(feedback.incumbent).toEqual({ id: 3, score: 2.2, deltaVsBaseline: 2.2 - 3 });
    expect(feedback.chain.map((entry) => entry.id)).toEqual([0, 1, 3]);
    expect(feedback.chain[2]!.delta).toBeCloseTo(-0.3);
    expect(feedback.leaderboard.map((entry) => entry.id)).toEqual([3, 1, 0]);
    expect(feedback.recent[0]!.id).toBe(5);
    expect(feedback.counts).toMatchObject({ total: 5, kept: 2, failed: 2, discarded: 1, byLabel: { crash: 1, gate_miss: 1 } });
    expect(feedback.own!.recent.map((entry) => entry.id)).toEqual([5, 3, 2, 1]);
  });

  it('carries a crash excerpt and the gate miss into the Markdown', () => {
    const markdown = renderLineageMarkdown(buildLineageFeedback(trials, { study: 's', objective, viewer: 'tuner' }));
    expect(markdown).toContain('ValueError: boom');
    expect(markdown).toContain('missed by 50');
    expect(markdown).toContain('Incumbent #3: 2.2');
  });

  it('warns a saturated specialist', () => {
    const flat = [
      makeTrial({ id: 0, specialist: 'baseline', status: 'kept', score: 3 }),
      ...[1, 2, 3, 4].map((id) => makeTrial({ id, status: 'discarded', score: 3.000001 })),
    ];
    const feedback = buildLineageFeedback(flat, { study: 's', objective, viewer: 'tuner' });
    expect(feedback.own!.saturated).toBe(true);
    expect(renderLineageMarkdown(feedback)).toContain('Saturation warning');
    const fresh = buildLineageFeedback(flat.slice(0, 3), { study: 's', objective, viewer: 'tuner' });
    expect(fresh.own!.saturated).toBe(false);
  });

  it('shows only the incumbent score in the control arm', () => {
    const feedback = buildLineageFeedback(trials, { study: 's', objective, controlArm: true });
    expect(feedback.recent).toEqual([]);
    expect(renderLineageMarkdown(feedback)).not.toContain('raise lr');
  });
});
