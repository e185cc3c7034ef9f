import { describe, expect, it } from 'vitest';
import { LABEL_COLORS, SIGNATURE_COLORS, brushedTrials, failureGroupColor, importanceBarsSvg, knobScale, parallelCoordinatesSvg, parallelLayout, sliceGridSvg, type KnobPlotData } from '../../web/plots/index.js';

const data: KnobPlotData = {
  objective: { metric: 'loss', direction: 'minimize' },
  knobs: [
    { name: 'lr', surface: 's', type: 'float', log: true, low: 1e-4, high: 1, choices: null },
    { name: 'act', surface: 's', type: 'categorical', log: false, low: null, high: null, choices: ['relu', 'gelu'] },
  ],
  points: [
    [0, 'kept', 3, -1, [0.001, 'relu']],
    [1, 'kept', 2, -1, [0.01, 'gelu']],
    [2, 'discarded', 2.5, -1, [0.1, 'relu']],
    [3, 'failed', null, 0, [0.5, 'gelu']],
    [4, 'failed', null, 1, [0.9, 'relu']],
  ],
  groups: [
    { kind: 'signature', key: 'RuntimeError: loss is NaN at step <n>', label: 'crash', summary: 'loss is NaN', count: 1 },
    { kind: 'label', key: 'oom', label: 'oom', summary: 'oom', count: 1 },
  ],
  baseline: 0,
  incumbent: 1,
  importance: { method: 'fANOVA', trees: 8, trials: 3, explained: 0.9, rows: [{ knob: 'act', fraction: 0.6, std: 0.1, share: 0.67 }, { knob: 'lr', fraction: 0.3, std: 0.1, share: 0.33 }] },
};

describe('knob axes', () => {
  it('puts a log knob on a log axis and a categorical knob in bands', () => {
    const log = knobScale(data.knobs[0]!, [0.001, 0.01], 0, 400);
    expect(log.log).toBe(true);
    expect(log.at(0.01)).toBeCloseTo(200);
    expect(log.invert(200)).toBeCloseTo(0.01);
    expect(log.ticks.map((t) => t.value)).toEqual([0.0001, 0.001, 0.01, 0.1, 1]);
    const bands = knobScale(data.knobs[1]!, ['relu', 'tanh'], 0, 300);
    expect(bands.choices).toEqual(['relu', 'gelu', 'tanh']); // an undeclared value gets a band too
    expect(bands.at('gelu')).toBe(150);
    expect(bands.invert(260)).toBe('tanh');
  });
});

describe('slice plots', () => {
  it('draws every trial against every knob, the baseline, the incumbent, and failures by signature or label', () => {
    const svg = sliceGridSvg(data);
    expect(svg).toContain('lr (log)');
    expect(svg).toContain('>relu<');
    for (const id of [0, 1, 2, 3, 4]) expect(svg.match(new RegExp(`data-trial="${id}"`, 'g'))!.length).toBeGreaterThanOrEqual(2);
    expect(svg).toContain(`stroke="${SIGNATURE_COLORS[0]}"`); // the signature group
    expect(svg).toContain(`stroke="${LABEL_COLORS.oom}"`); // the label group
    expect(failureGroupColor(data.groups[1], 1)).toBe(LABEL_COLORS.oom);
    expect(svg).toContain('loss is NaN 1');
    expect(svg).toMatch(/<circle class="pt" data-trial="1" [^>]*r="7" fill="none" stroke="#f59e0b"/);
  });

  it('draws a dense study as paths and says when there is nothing to draw', () => {
    const many: KnobPlotData = { ...data, points: Array.from({ length: 3000 }, (_, i) => [i, 'discarded', 1 + (i % 97) / 100, -1, [10 ** (-4 + (i % 400) / 100), i % 2 ? 'relu' : 'gelu']] as KnobPlotData['points'][number]) };
    const svg = sliceGridSvg(many);
    expect(svg).not.toMatch(/data-trial="(?![01]")/); // only the baseline and the incumbent stay clickable
    expect(svg.length).toBeLessThan(300_000);
    expect(sliceGridSvg({ ...data, knobs: [] })).toContain('The task declares no knobs');
    expect(sliceGridSvg({ ...data, points: [] })).toContain('No finished trial with knob values yet');
  });
});

describe('parallel coordinates', () => {
  it('orders the axes by importance, the objective last, and brushes select trials', () => {
    const layout = parallelLayout(data);
    expect(layout.axes.map((axis) => axis.name)).toEqual(['act', 'lr', 'loss']);
    expect(brushedTrials(data, { lr: { min: 0.005, max: 0.6 } })).toEqual([1, 2, 3]);
    expect(brushedTrials(data, { lr: { min: 0.005, max: 0.6 }, act: { values: ['gelu'] } })).toEqual([1, 3]);
    expect(brushedTrials(data, { __objective: { min: 0, max: 2.6 } })).toEqual([1, 2]);
    const svg = parallelCoordinatesSvg(data, { brushes: { act: { values: ['gelu'] } } });
    expect(svg).toContain('data-axis="act"');
    expect(svg).toContain('class="pc-brush"');
    expect(svg).toContain('2 of 5 trials in the brushes');
    expect(svg).toContain('stroke="#d1d5db"'); // the trials outside the brush, greyed out
  });
});

describe('importance bars', () => {
  it('draws one bar per knob with its share and variance fraction, or says why there are none', () => {
    const svg = importanceBarsSvg(data.importance);
    expect(svg.indexOf('data-knob="act"')).toBeLessThan(svg.indexOf('data-knob="lr"'));
    expect(svg).toContain('67%');
    expect(svg).toContain('(60% ± 10%)');
    expect(svg).toContain('the knobs alone explain 90%');
    expect(importanceBarsSvg({ unavailable: 'needs 8 scored trials' })).toContain('Importance unavailable: needs 8 scored trials');
  });
});
