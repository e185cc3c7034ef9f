import { describe, expect, it } from 'vitest';
import type { TrialRecord } from '../core/trial.ts';
import { makeTrial } from '../testing/trial-fixture.ts';
import { groupFailures } from './failure-groups.ts';
import { buildKnobAnalysis, scoredObservations } from './knob-analysis.ts';
import { knobImportance, unitOf } from './knob-importance.ts';
import { diffStat, incumbentConfiguration } from './incumbent-config.ts';
import { chainTo, incumbentOf } from './lineage-view.ts';
import { seededRandom } from '../core/random.ts';
import type { StudyKnob } from './study-knobs.ts';

const knob = (spec: Partial<StudyKnob> & Pick<StudyKnob, 'name' | 'type'>): StudyKnob => ({ file: 'c.json', key: spec.name, surface: 'hyper', column: spec.name, ...spec });
const lr = knob({ name: 'lr', type: 'float', low: 1e-4, high: 1, log: true });
const width = knob({ name: 'width', type: 'int', low: 16, high: 512 });
const act = knob({ name: 'act', type: 'categorical', choices: ['relu', 'gelu', 'silu'] });

describe('knob importance (fANOVA)', () => {
  it('places values in the unit interval the samplers search', () => {
    expect(unitOf(lr, 0.01)).toBeCloseTo(0.5);
    expect(unitOf(act, 'gelu')).toBeCloseTo(0.5);
    expect(unitOf(act, 'tanh')).toBeNull();
    expect(unitOf(width, 'wide')).toBeNull();
  });

  it('ranks the knob that drives the score first and calls the noise knobs unimportant', () => {
    const random = seededRandom(4);
    const observations = Array.from({ length: 150 }, () => {
      const values = { lr: 10 ** (-4 + 4 * random()), width: 16 + Math.floor(random() * 497), act: ['relu', 'gelu', 'silu'][Math.floor(random() * 3)]! };
      return { score: (Math.log10(values.lr) + 2) ** 2 + 0.01 * random(), values };
    });
    const importance = knobImportance([lr, width, act], observations, { trees: 24 });
    if (!('rows' in importance)) throw new Error(importance.unavailable);
    expect(importance.rows.map((row) => row.knob)[0]).toBe('lr');
    expect(importance.rows[0]!.fraction).toBeGreaterThan(0.85);
    expect(importance.rows[0]!.share).toBeGreaterThan(0.9);
    for (const row of importance.rows.slice(1)) expect(row.fraction).toBeLessThan(0.05);
    expect(importance.rows.reduce((sum, row) => sum + row.share, 0)).toBeCloseTo(1);
    expect(importance.description).toMatch(/^fANOVA .*24 regression trees/);
    expect(importance.trials).toBe(150);
  });

  it('finds a categorical knob that matters', () => {
    const random = seededRandom(8);
    const effect: Record<string, number> = { relu: 1, gelu: 0, silu: 0.5 };
    const observations = Array.from({ length: 90 }, () => {
      const values = { lr: 10 ** (-4 + 4 * random()), act: ['relu', 'gelu', 'silu'][Math.floor(random() * 3)]! };
      return { score: effect[values.act]! + 0.02 * random(), values };
    });
    const importance = knobImportance([lr, act], observations, { trees: 16 });
    if (!('rows' in importance)) throw new Error(importance.unavailable);
    expect(importance.rows[0]).toMatchObject({ knob: 'act' });
    expect(importance.rows[0]!.fraction).toBeGreaterThan(0.9);
  });

  it('says why when it cannot estimate', () => {
    expect(knobImportance([], [])).toEqual({ unavailable: 'the task declares no knobs' });
    const few = Array.from({ length: 5 }, (_, i) => ({ score: i, values: { lr: 0.01 * (i + 1) } }));
    expect(knobImportance([lr], few)).toEqual({ unavailable: 'needs 8 scored trials with every knob\'s value known, has 5' });
    const flat = Array.from({ length: 10 }, (_, i) => ({ score: 1, values: { lr: 0.01 * (i + 1) } }));
    expect(knobImportance([lr], flat)).toEqual({ unavailable: 'all 10 scored trials have the same score' });
    // Trials missing a knob's value are left out.
    expect(knobImportance([lr, width], flat)).toMatchObject({ unavailable: expect.stringContaining('has 0') });
  });
});

describe('the knobs view', () => {
  const trials: TrialRecord[] = [
    makeTrial({ id: 0, parent: null, status: 'kept', score: 3, specialist: 'baseline' }),
    makeTrial({ id: 1, status: 'kept', score: 2.5, finishedAt: '2026-01-01T00:01:00.000Z' }),
    makeTrial({ id: 2, parent: 1, status: 'failed', label: 'crash' }),
    makeTrial({ id: 3, parent: 1, status: 'failed', label: 'crash' }),
    Object.assign(makeTrial({ id: 4, parent: 1, status: 'failed', label: 'crash' }), { failure: { signature: 'RuntimeError: loss is NaN at step <n>', summary: 'loss is NaN', frame: 'train.py:40' } }),
    makeTrial({ id: 5, parent: 1, status: 'kept', score: 2, finishedAt: '2026-01-01T00:02:00.000Z' }),
    makeTrial({ id: 6, parent: 5, status: 'running', score: null }),
    makeTrial({ id: 7, parent: 5, status: 'discarded', score: 2.2 }),
    makeTrial({ id: 8, parent: 5, status: 'failed', label: 'not_significant', score: 1.99 }),
  ];
  const values = new Map<number, Record<string, number | string>>([
    [0, { lr: 0.001, width: 48, act: 'relu' }],
    [1, { lr: 0.01, width: 48, act: 'relu' }],
    [2, { lr: 0.9, width: 48, act: 'relu' }],
    [3, { lr: 0.8, width: 48, act: 'relu' }],
    [4, { lr: 0.7, width: 48, act: 'relu' }],
    [5, { lr: 0.01, width: 96, act: 'gelu' }],
    [6, { lr: 0.02, width: 96, act: 'gelu' }],
    [8, { lr: 0.01, width: 97, act: 'gelu' }],
  ]);

  it('groups failures by signature when trials carry one, else by label', () => {
    const { groups, groupOf } = groupFailures(trials);
    expect(groups).toEqual([
      { kind: 'label', key: 'crash', label: 'crash', summary: 'crash', count: 2 },
      { kind: 'label', key: 'not_significant', label: 'not_significant', summary: 'not_significant', count: 1 },
      { kind: 'signature', key: 'RuntimeError: loss is NaN at step <n>', label: 'crash', summary: 'loss is NaN', count: 1 },
    ]);
    expect([2, 3, 4, 8].map((id) => groupOf.get(id))).toEqual([0, 0, 2, 1]);
  });

  it('gives every finished trial with knob values a point, its failure group, and the incumbent', () => {
    const view = buildKnobAnalysis({ objective: { metric: 'loss', direction: 'minimize' }, knobs: [lr, width, act], trials, values, importance: { unavailable: 'test' } });
    expect(view.knobs.map((axis) => [axis.name, axis.type, axis.log])).toEqual([['lr', 'float', true], ['width', 'int', false], ['act', 'categorical', false]]);
    expect(view.points.map((point) => point[0])).toEqual([0, 1, 2, 3, 4, 5, 8]);
    expect(view.points[2]).toEqual([2, 'failed', null, 0, [0.9, 48, 'relu']]);
    expect(view.points[4]![3]).toBe(2);
    expect(view).toMatchObject({ baseline: 0, incumbent: 5, unknown: 1 });
    expect(scoredObservations(trials, values).map((o) => o.score)).toEqual([3, 2.5, 2, 2.2, 1.99]);
  });

  it("shows the incumbent's whole configuration against the baseline, and the step that set each knob", () => {
    const byId = new Map(trials.map((t) => [t.id, t]));
    const chain = chainTo(incumbentOf(trials), byId);
    expect(chain.map((t) => t.id)).toEqual([0, 1, 5]);
    const config = incumbentConfiguration([lr, width, act], chain, values)!;
    expect(config).toMatchObject({ incumbent: 5, steps: 2, changed: 3 });
    expect(config.rows.map((row) => [row.knob, row.baseline, row.incumbent, row.changed, row.setBy])).toEqual([
      ['lr', 0.001, 0.01, true, 1],
      ['width', 48, 96, true, 5],
      ['act', 'relu', 'gelu', true, 5],
    ]);
    expect(incumbentConfiguration([lr], [], values)).toBeNull();
  });

  it('counts the lines a patch adds and removes per file', () => {
    const patch = 'diff --git a/c.json b/c.json\nindex 1..2 100644\n--- a/c.json\n+++ b/c.json\n@@ -1,2 +1,2 @@\n-{"lr": 0.001,\n+{"lr": 0.01,\n "x": 1}\ndiff --git a/new.py b/new.py\nnew file mode 100644\n--- /dev/null\n+++ b/new.py\n@@ -0,0 +1,2 @@\n+a\n+b\n';
    expect(diffStat(patch)).toEqual([
      { path: 'c.json', added: 1, removed: 1 },
      { path: 'new.py', added: 2, removed: 0 },
    ]);
  });
});
