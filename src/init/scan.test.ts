import { describe, expect, it } from 'vitest';
import { readKnobFromText, writeKnobToText } from '../specialists/knobs/knob-io.ts';
import { proposeKnob } from './propose-knob.ts';
import { scanJsonConfig, scanTomlConfig, scanYamlConfig } from './scan-config.ts';
import { scanPython } from './scan-python.ts';
import { knobRoundTrips, writeMarkers } from './write-markers.ts';

const SCRIPT = `"""Train.
LR = 5
"""
import argparse
from dataclasses import dataclass, field

BATCH_SIZE = 64  # per step
DROPOUT: float = 0.1
__version__ = "1"
x = foo(3)

@dataclass
class Config:
    hidden: int = 128
    lr: float = field(default=3e-4, metadata={"help": "x"})
    act: str = 'relu'

    def scaled(self):
        y = 3
        return y

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--learning-rate', type=float, default=1e-3, help='the lr')
    parser.add_argument('--optimizer', default='adam', choices=['adam', 'sgd'])
    parser.add_argument(
        '--layers',
        type=int,
        default=2,
        choices=range(1, 5),
    )
    parser.add_argument('--amp', action='store_true')
    parser.add_argument('--data', default=None)
`;

describe('init --scan: finding parameters', () => {
  it('reads argparse options, dataclass fields and module constants (not docstrings or expressions)', () => {
    const scan = scanPython(SCRIPT);
    expect(scan.found.map((p) => [p.source, p.name, p.value, p.declaredType ?? null, p.line])).toEqual([
      ['constant', 'BATCH_SIZE', 64, null, 6],
      ['constant', 'DROPOUT', 0.1, 'float', 7],
      ['dataclass', 'hidden', 128, 'int', 13],
      ['dataclass', 'lr', 0.0003, 'float', 14],
      ['dataclass', 'act', 'relu', 'str', 15],
      ['argparse', 'learning_rate', 0.001, 'float', 23],
      ['argparse', 'optimizer', 'adam', null, 24],
      ['argparse', 'layers', 2, 'int', 28],
    ]);
    expect(scan.found.find((p) => p.name === 'layers')!.choices).toEqual([1, 2, 3, 4]);
    expect(scan.skipped).toEqual([
      { name: 'amp', reason: "a switch (action='store_true'): no value to search" },
      { name: 'data', reason: 'its default (None) is not a plain literal' },
    ]);
    expect(scan.isScript).toBe(true);
  });

  it('reads every scalar of JSON and YAML by key path, and TOML key = value lines by table', () => {
    expect(scanJsonConfig('{"optim": {"lr": 0.01, "name": "adam"}, "sizes": [1, 2], "steps": 100}').found.map((p) => [p.keyPath, p.value, p.text ?? null])).toEqual([
      ['optim.lr', 0.01, '0.01'],
      ['optim.name', 'adam', null],
      ['steps', 100, '100'],
    ]);
    expect(scanYamlConfig('model:\n  width: 64   # units\n  act: gelu\nlr: 3.0e-4\nlayers: [1, 2]\n').found.map((p) => [p.keyPath, p.value, p.text])).toEqual([
      ['model.width', 64, '64'],
      ['model.act', 'gelu', 'gelu'],
      ['lr', 0.0003, '3.0e-4'],
    ]);
    expect(scanTomlConfig('title = "x"\n[optim]\nlr = 3e-4  # peak\nwarm = true\n[[runs]]\nn = 1\ndoc = """\nk = 1\n"""\n').found.map((p) => [p.name, p.value, p.line])).toEqual([
      ['title', 'x', 0],
      ['optim.lr', 0.0003, 2],
      ['optim.warm', true, 3],
    ]);
  });
});

describe('init --scan: proposing knobs', () => {
  const propose = (name: string, value: number | string | boolean, extra: object = {}) => proposeKnob({ name, source: 'constant', value, ...extra });
  it('gives rates a log range of 10x, sizes 4x, small counts a linear range', () => {
    expect(propose('learning_rate', 0.001, { declaredType: 'float' })).toMatchObject({ shape: { type: 'float', low: 0.0001, high: 0.01, log: true } });
    expect(propose('BATCH_SIZE', 64, { text: '64' })).toMatchObject({ shape: { type: 'int', low: 16, high: 256, log: true } });
    expect(propose('n_layers', 2, { text: '2' })).toMatchObject({ shape: { type: 'int', low: 1, high: 4 } });
    expect(propose('weight_decay', 0, { text: '0.0' })).toMatchObject({ shape: { type: 'float', low: 1e-6, high: 0.1, log: true } });
    expect(propose('dropout', 0.1, { text: '0.1' })).toMatchObject({ shape: { type: 'float', low: 0, high: 0.5 } });
  });

  it('offers known alternatives for strings and both settings for switches, and leaves out seeds and paths', () => {
    expect(propose('activation', 'relu')).toMatchObject({ shape: { type: 'categorical', choices: ['relu', 'gelu', 'silu', 'tanh'] } });
    expect(proposeKnob({ name: 'activation', source: 'argparse', value: 'relu' }, { sklearn: true })).toMatchObject({ shape: { type: 'categorical', choices: ['relu', 'tanh', 'logistic', 'identity'] } });
    expect(propose('use_bias', true)).toMatchObject({ shape: { type: 'categorical', choices: [true, false] } });
    expect(propose('seed', 0)).toEqual({ skip: expect.stringContaining('AUTOLAB_SEED') });
    expect(propose('data_dir', 'data/')).toEqual({ skip: expect.stringContaining('location') });
    expect(propose('title', 'my run')).toEqual({ skip: expect.stringContaining('no known alternatives') });
  });
});

describe('init --scan: markers', () => {
  it('marks the value line, splitting a call where a string flag comes first, and every knob reads and writes back', () => {
    const text = "p.add_argument('--lr', type=float, default=1e-3)\np.add_argument('--act', default='relu', choices=['relu', 'gelu'])\n";
    const found = scanPython(text).found;
    const lr = { name: 'lr', file: 'train.py', marker: 'lr', type: 'float' as const, low: 1e-4, high: 1e-2, log: true };
    const act = { name: 'act', file: 'train.py', marker: 'act', type: 'categorical' as const, choices: ['relu', 'gelu'] };
    const result = writeMarkers(text, 'train.py', [
      { parameter: found[0]!, knob: lr },
      { parameter: found[1]!, knob: act },
    ]);
    expect(result.failed).toEqual([]);
    expect(result.text).toBe("p.add_argument('--lr', type=float, default=1e-3)  # autolab: lr\np.add_argument('--act',\n    default='relu', choices=['relu', 'gelu'])  # autolab: act\n");
    expect(result.placed).toEqual([
      { name: 'lr', line: 0, split: false },
      { name: 'act', line: 2, split: true },
    ]);
    expect(readKnobFromText(writeKnobToText(result.text, act, 'gelu'), act)).toBe('gelu');
    expect(knobRoundTrips(result.text, lr, 0.001)).toBe(true);
    // Scanning the marked file again changes nothing.
    expect(writeMarkers(result.text, 'train.py', scanPython(result.text).found.map((parameter, index) => ({ parameter, knob: [lr, act][index]! }))).text).toBe(result.text);
  });

  it('refuses a value that a marker cannot point at, and a line continued with a backslash', () => {
    const text = 'SIZES = 3\nWIDTH = \\\n  64\n';
    const knob = { name: 'sizes', file: 'c.py', marker: 'sizes', type: 'int' as const, low: 1, high: 9 };
    const ok = writeMarkers(text, 'c.py', [{ parameter: { name: 'SIZES', source: 'constant', value: 3, line: 0 }, knob }]);
    expect(ok.placed).toHaveLength(1);
    const continued = writeMarkers(text, 'c.py', [{ parameter: { name: 'WIDTH', source: 'constant', value: 64, line: 1 }, knob: { ...knob, name: 'width', marker: 'width' } }]);
    expect(continued.failed[0]!.reason).toContain('backslash');
    const wrong = writeMarkers('x = f(2, 3)\n', 'c.py', [{ parameter: { name: 'x', source: 'constant', value: 3, line: 0 }, knob }]);
    expect(wrong.failed[0]!.reason).toContain('not the first number on its line');
  });
});
