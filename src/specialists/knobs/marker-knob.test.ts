import { describe, expect, it } from 'vitest';
import { AutolabError } from '../../core/errors.ts';
import type { KnobSpec } from '../../core/task.ts';
import { readKnobFromText, writeKnobToText } from './knob-io.ts';
import { scanLineLiterals } from './marker-knob.ts';

const intKnob = (marker: string, file = 'train.js'): KnobSpec => ({ name: marker, file, marker, type: 'int', low: -100, high: 1000 });
const floatKnob = (marker: string, file = 'train.py'): KnobSpec => ({ name: marker, file, marker, type: 'float', low: -10, high: 10 });
const categorical = (marker: string, choices: Array<string | number | boolean>, file = 'train.py'): KnobSpec => ({ name: marker, file, marker, type: 'categorical', choices });

function knobErrorOf(action: () => unknown): AutolabError {
  try {
    action();
  } catch (error) {
    if (AutolabError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a KnobError');
}

const JS = `import { train } from './lib.js';
const conv2d = makeLayer(3, 3);
const width = 64; // autolab: width
const widths = [16, 32]; // autolab: width2
let lr = -1.5e-3; // autolab: lr
const steps = 1_000; /* autolab: steps */
train({ width, lr, steps });
`;

const PY = `import torch
WIDTH = 64  # autolab: width
LR = 3e-4  # autolab: lr
MOMENTUM = -0.5  # autolab: momentum
ACT = 'relu'  # autolab: act
NORM = "layer"  # autolab: norm
USE_AMP = True  # autolab: amp
name = f"run-{2}"; DROP = 0.1  # autolab: drop
`;

describe('marker knobs in JavaScript', () => {
  it('reads the first numeric literal before the marker, with sign, exponent and underscores', () => {
    expect(readKnobFromText(JS, intKnob('width'))).toBe(64);
    expect(readKnobFromText(JS, intKnob('width2'))).toBe(16);
    expect(readKnobFromText(JS, floatKnob('lr', 'train.js'))).toBe(-0.0015);
    expect(readKnobFromText(JS, intKnob('steps'))).toBe(1000);
  });

  it('does not confuse a longer marker with a shorter one', () => {
    expect(readKnobFromText('a = 1 // autolab: width2\nb = 2 // autolab: width\n', intKnob('width'))).toBe(2);
  });

  it('rewrites only the literal', () => {
    const after = writeKnobToText(JS, intKnob('width'), 96);
    expect(after).toBe(JS.replace('const width = 64;', 'const width = 96;'));
    expect(writeKnobToText(JS, floatKnob('lr', 'train.js'), 0.02)).toBe(JS.replace('let lr = -1.5e-3;', 'let lr = 0.02;'));
    expect(writeKnobToText(JS, intKnob('width2'), 24)).toBe(JS.replace('[16, 32]', '[24, 32]'));
  });

  it('keeps suffixes and separates a new minus sign from a binary operator', () => {
    expect(writeKnobToText('float x = 0.5f; // autolab: x\n', floatKnob('x', 'a.c'), 0.25)).toBe('float x = 0.25f; // autolab: x\n');
    expect(writeKnobToText('y = n -1 // autolab: y\n', intKnob('y'), -3)).toBe('y = n - -3 // autolab: y\n');
    expect(readKnobFromText('y = n -1 // autolab: y\n', intKnob('y'))).toBe(1);
  });
});

describe('marker knobs in Python', () => {
  it('reads numbers, negatives and exponents', () => {
    expect(readKnobFromText(PY, intKnob('width', 'train.py'))).toBe(64);
    expect(readKnobFromText(PY, floatKnob('lr'))).toBe(0.0003);
    expect(readKnobFromText(PY, floatKnob('momentum'))).toBe(-0.5);
  });

  it('skips numbers inside identifiers and strings', () => {
    expect(readKnobFromText(PY, floatKnob('drop'))).toBe(0.1);
    expect(readKnobFromText('x2 = layer3(4)  # autolab: x\n', intKnob('x', 'a.py'))).toBe(4);
  });

  it('writes floats as Python floats', () => {
    expect(writeKnobToText(PY, floatKnob('lr'), 0.00001)).toBe(PY.replace('LR = 3e-4', 'LR = 1.0e-05'));
    expect(writeKnobToText(PY, floatKnob('momentum'), 2)).toBe(PY.replace('MOMENTUM = -0.5', 'MOMENTUM = 2.0'));
    expect(writeKnobToText(PY, floatKnob('momentum'), -0.123456789)).toBe(PY.replace('MOMENTUM = -0.5', 'MOMENTUM = -0.123457'));
  });

  it('reads and writes categorical strings with the same quotes', () => {
    expect(readKnobFromText(PY, categorical('act', ['relu', 'gelu']))).toBe('relu');
    expect(writeKnobToText(PY, categorical('act', ['relu', 'gelu']), 'gelu')).toBe(PY.replace("ACT = 'relu'", "ACT = 'gelu'"));
    expect(writeKnobToText(PY, categorical('norm', ['layer', 'rms']), 'rms')).toBe(PY.replace('NORM = "layer"', 'NORM = "rms"'));
    expect(writeKnobToText(PY, categorical('act', ['relu', "it's"]), "it's")).toContain("ACT = 'it\\'s'");
  });

  it('reads and writes categorical booleans and numbers by the kind of their choices', () => {
    expect(readKnobFromText(PY, categorical('amp', [true, false]))).toBe(true);
    expect(writeKnobToText(PY, categorical('amp', [true, false]), false)).toBe(PY.replace('USE_AMP = True', 'USE_AMP = False'));
    expect(readKnobFromText(PY, categorical('width', [32, 64, 128]))).toBe(64);
    expect(writeKnobToText(PY, categorical('width', [32, 64, 128]), 128)).toBe(PY.replace('WIDTH = 64', 'WIDTH = 128'));
  });
});

describe('marker errors', () => {
  it('reports a missing marker with an example to add', () => {
    const error = knobErrorOf(() => readKnobFromText(PY, intKnob('depth', 'train.py')));
    expect(error.name).toBe('KnobError');
    expect(error.message).toContain("knob 'depth' (train.py, marker 'autolab: depth')");
    expect(error.message).toContain("no line carries the comment 'autolab: depth'");
    expect(error.hint).toContain('autolab: depth');
  });

  it('reports a marker on several lines', () => {
    const error = knobErrorOf(() => readKnobFromText('a = 1 # autolab: w\nb = 2 # autolab: w\n', intKnob('w', 'a.py')));
    expect(error.message).toContain('several lines (1, 2)');
  });

  it('reports a line without a literal of the right kind', () => {
    expect(knobErrorOf(() => readKnobFromText('w = base_width  # autolab: w\n', intKnob('w', 'a.py'))).message).toContain('line 1 (`w = base_width  # autolab: w`) has no number literal');
    expect(knobErrorOf(() => readKnobFromText('act = 3  # autolab: act\n', categorical('act', ['relu', 'gelu']))).message).toContain('has no quoted string literal');
    // A literal after the marker does not count.
    expect(knobErrorOf(() => readKnobFromText('w = base  # autolab: w 64\n', intKnob('w', 'a.py'))).message).toContain('has no number literal');
  });
});

describe('scanLineLiterals', () => {
  it('finds literals in order with their spans', () => {
    const line = `x = f(-2, 'a"b', 0x1F, .5, 1., obj[0].size, False)`;
    const literals = scanLineLiterals(line);
    expect(literals.map((literal) => [literal.kind, literal.value, literal.text])).toEqual([
      ['number', -2, '-2'],
      ['string', 'a"b', `'a"b'`],
      ['number', 31, '0x1F'],
      ['number', 0.5, '.5'],
      ['number', 1, '1.'],
      ['number', 0, '0'],
      ['boolean', false, 'False'],
    ]);
    for (const literal of literals) expect(line.slice(literal.start, literal.end)).toBe(literal.text);
  });
});
