import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { AutolabError } from '../../core/errors.ts';
import type { KnobSpec } from '../../core/task.ts';
import { applyKnobValues, readKnobFromText, readKnobValues, writeKnobToText } from './knob-io.ts';

const filesOf = (files: Record<string, string>) => async (path: string): Promise<string | null> => files[path] ?? null;

/** The lines that differ between two texts with the same number of lines. */
function changedLines(before: string, after: string): Array<[string, string]> {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b.length).toBe(a.length);
  return a.flatMap((line, index) => (line === b[index] ? [] : [[line, b[index] as string] as [string, string]]));
}

function expectKnobError(action: () => unknown, ...fragments: string[]): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(AutolabError.is(caught)).toBe(true);
  const error = caught as AutolabError;
  expect(error.name).toBe('KnobError');
  for (const fragment of fragments) expect(error.message).toContain(fragment);
}

const JSON_CONFIG = `{
  "optimizer": {
    "name": "adam",
    "lr": 0.01,
    "betas": [0.9, 0.999]
  },
  "layers": [
    { "width": 64, "act": "relu" },
    { "width": 32, "act": "relu" }
  ],
  "use_amp": true,
  "model.dropout": 0.1
}
`;

const lr: KnobSpec = { name: 'lr', file: 'config.json', key: 'optimizer.lr', type: 'float', low: 1e-5, high: 1, log: true };
const width1: KnobSpec = { name: 'width1', file: 'config.json', key: 'layers.1.width', type: 'int', low: 8, high: 512 };

describe('JSON key knobs', () => {
  it('reads nested keys, array indices, booleans and keys that contain dots', () => {
    expect(readKnobFromText(JSON_CONFIG, lr)).toBe(0.01);
    expect(readKnobFromText(JSON_CONFIG, width1)).toBe(32);
    expect(readKnobFromText(JSON_CONFIG, { name: 'b2', file: 'config.json', key: 'optimizer.betas.1', type: 'float', low: 0.9, high: 1 })).toBe(0.999);
    expect(readKnobFromText(JSON_CONFIG, { name: 'amp', file: 'config.json', key: 'use_amp', type: 'categorical', choices: [true, false] })).toBe(true);
    expect(readKnobFromText(JSON_CONFIG, { name: 'drop', file: 'config.json', key: 'model.dropout', type: 'float', low: 0, high: 0.5 })).toBe(0.1);
  });

  it('changes only the value\'s line, keeping the formatting', () => {
    const after = writeKnobToText(JSON_CONFIG, lr, 0.034);
    expect(changedLines(JSON_CONFIG, after)).toEqual([['    "lr": 0.01,', '    "lr": 0.034,']]);
    const second = writeKnobToText(JSON_CONFIG, width1, 96.4);
    expect(changedLines(JSON_CONFIG, second)).toEqual([['    { "width": 32, "act": "relu" }', '    { "width": 96, "act": "relu" }']]);
    const act: KnobSpec = { name: 'act', file: 'config.json', key: 'layers.0.act', type: 'categorical', choices: ['relu', 'gelu'] };
    expect(changedLines(JSON_CONFIG, writeKnobToText(JSON_CONFIG, act, 'gelu'))).toEqual([['    { "width": 64, "act": "relu" },', '    { "width": 64, "act": "gelu" },']]);
    expect(JSON.parse(writeKnobToText(JSON_CONFIG, lr, 0.00001)).optimizer.lr).toBe(0.00001);
  });

  it('writes floats rounded to six significant digits, always as floats', () => {
    const flat: KnobSpec = { ...lr, key: 'lr' };
    expect(writeKnobToText('{"lr": 1}', flat, 0.0123456789)).toBe('{"lr": 0.0123457}');
    expect(writeKnobToText('{"lr": 1}', flat, 2)).toBe('{"lr": 2.0}');
    expect(writeKnobToText('{"lr": 1}', flat, 0.00005)).toBe('{"lr": 5.0e-05}');
    expect(writeKnobToText('{"lr": 1}', flat, -0.5)).toBe('{"lr": -0.5}');
  });

  it('names the file, knob and fix when something is wrong', () => {
    expectKnobError(() => readKnobFromText(JSON_CONFIG, { ...lr, key: 'optimizer.momentum' }), "knob 'lr'", 'config.json', "'optimizer' has no key 'momentum'", 'name, lr, betas');
    expectKnobError(() => readKnobFromText(JSON_CONFIG, { ...width1, key: 'layers.5.width' }), 'has 2 items');
    expectKnobError(() => readKnobFromText(JSON_CONFIG, { ...width1, key: 'layers.first.width' }), 'must be an index');
    expectKnobError(() => readKnobFromText(JSON_CONFIG, { ...lr, key: 'optimizer.lr.value' }), 'is a number');
    expectKnobError(() => readKnobFromText(JSON_CONFIG, { ...lr, key: 'optimizer.name' }), 'not a number');
    expectKnobError(() => readKnobFromText(JSON_CONFIG, { ...lr, key: 'optimizer' }), 'an object');
    expectKnobError(() => readKnobFromText('{"lr": 0.1,}', { ...lr, key: 'lr' }), 'not valid JSON');
    expectKnobError(() => readKnobFromText('lr = 0.1', { ...lr, file: 'config.toml', key: 'lr' }), '.json, .yaml and .yml', 'use marker');
  });
});

const YAML_CONFIG = `# training recipe
optimizer:
  lr: 0.01   # tuned by hand
  schedule: cosine
layers:
- width: 64
- width: 32
use_amp: True
act: 'relu'
`;

describe('YAML key knobs', () => {
  const yamlLr: KnobSpec = { name: 'lr', file: 'train.yaml', key: 'optimizer.lr', type: 'float', low: 1e-5, high: 1, log: true };

  it('reads nested keys and list indices', () => {
    expect(readKnobFromText(YAML_CONFIG, yamlLr)).toBe(0.01);
    expect(readKnobFromText(YAML_CONFIG, { name: 'w', file: 'train.yml', key: 'layers.1.width', type: 'int', low: 1, high: 99 })).toBe(32);
  });

  it('keeps comments and changes one line', () => {
    const after = writeKnobToText(YAML_CONFIG, yamlLr, 0.00002);
    expect(changedLines(YAML_CONFIG, after)).toEqual([['  lr: 0.01   # tuned by hand', '  lr: 2.0e-05   # tuned by hand']]);
    expect(parseYaml(after).optimizer.lr).toBe(0.00002);
    const width = writeKnobToText(YAML_CONFIG, { name: 'w', file: 'train.yml', key: 'layers.1.width', type: 'int', low: 1, high: 99 }, 48);
    expect(changedLines(YAML_CONFIG, width)).toEqual([['- width: 32', '- width: 48']]);
  });

  it('keeps quoting and boolean style for categorical values', () => {
    const act: KnobSpec = { name: 'act', file: 'train.yaml', key: 'act', type: 'categorical', choices: ['relu', "it's"] };
    expect(changedLines(YAML_CONFIG, writeKnobToText(YAML_CONFIG, act, 'gelu'))).toEqual([["act: 'relu'", "act: 'gelu'"]]);
    expect(parseYaml(writeKnobToText(YAML_CONFIG, act, "it's")).act).toBe("it's");
    const amp: KnobSpec = { name: 'amp', file: 'train.yaml', key: 'use_amp', type: 'categorical', choices: [true, false] };
    expect(changedLines(YAML_CONFIG, writeKnobToText(YAML_CONFIG, amp, false))).toEqual([['use_amp: True', 'use_amp: False']]);
    const schedule: KnobSpec = { name: 's', file: 'train.yaml', key: 'optimizer.schedule', type: 'categorical', choices: ['cosine', 'yes'] };
    const quoted = writeKnobToText(YAML_CONFIG, schedule, 'yes');
    expect(changedLines(YAML_CONFIG, quoted)).toEqual([['  schedule: cosine', '  schedule: "yes"']]);
  });

  it('falls back to the Document API for block scalars, keeping comments', () => {
    const text = '# head\nname: |\n  relu\nother: 1 # keep\n';
    const knob: KnobSpec = { name: 'name', file: 'a.yaml', key: 'name', type: 'categorical', choices: ['relu\n', 'gelu'] };
    const after = writeKnobToText(text, knob, 'gelu');
    expect(parseYaml(after)).toEqual({ name: 'gelu', other: 1 });
    expect(after).toContain('# head');
    expect(after).toContain('# keep');
  });

  it('reports missing keys and bad YAML', () => {
    expectKnobError(() => readKnobFromText(YAML_CONFIG, { ...yamlLr, key: 'optimizer.wd' }), 'train.yaml', "'optimizer' has no key 'wd'", 'lr, schedule');
    expectKnobError(() => readKnobFromText(YAML_CONFIG, { ...yamlLr, key: 'layers.9.width' }), 'has 2 items');
    expectKnobError(() => readKnobFromText('a: [1, 2\n', { ...yamlLr, key: 'a' }), 'not valid YAML');
    expectKnobError(() => readKnobFromText('lr:\n', { ...yamlLr, key: 'lr' }), 'not a number');
  });
});

describe('readKnobValues / applyKnobValues', () => {
  const files = {
    'config.json': JSON_CONFIG,
    'train.py': 'import torch\nWIDTH = 64  # autolab: width\nACT = "relu"  # autolab: act\n',
  };
  const knobs: KnobSpec[] = [
    lr,
    width1,
    { name: 'width', file: 'train.py', marker: 'width', type: 'int', low: 8, high: 512 },
    { name: 'act', file: 'train.py', marker: 'act', type: 'categorical', choices: ['relu', 'gelu'] },
  ];

  it('reads every knob, each file once', async () => {
    const reads: string[] = [];
    const values = await readKnobValues(async (path) => {
      reads.push(path);
      return files[path as keyof typeof files] ?? null;
    }, knobs);
    expect(values).toEqual({ lr: 0.01, width1: 32, width: 64, act: 'relu' });
    expect(reads.sort()).toEqual(['config.json', 'train.py']);
  });

  it('returns only the files that changed, with every requested knob applied', async () => {
    const changed = await applyKnobValues(filesOf(files), knobs, { width: 128, act: 'gelu' });
    expect(Object.keys(changed)).toEqual(['train.py']);
    expect(changed['train.py']).toBe('import torch\nWIDTH = 128  # autolab: width\nACT = "gelu"  # autolab: act\n');
    const both = await applyKnobValues(filesOf(files), knobs, { lr: 0.5, width1: 16, width: 64 });
    expect(Object.keys(both)).toEqual(['config.json']);
    expect(await readKnobValues(filesOf({ ...files, ...both }), knobs)).toEqual({ lr: 0.5, width1: 16, width: 64, act: 'relu' });
  });

  it('fails clearly on a missing file, an unknown knob name or a value of the wrong type', async () => {
    await expect(readKnobValues(filesOf({}), [lr])).rejects.toThrow(/knob 'lr' \(config\.json.*the file does not exist/);
    await expect(applyKnobValues(filesOf(files), knobs, { momentum: 0.9 })).rejects.toThrow(/no knob named 'momentum'/);
    await expect(applyKnobValues(filesOf(files), knobs, { lr: 'fast' })).rejects.toThrow(/float knob cannot take "fast"/);
  });
});
