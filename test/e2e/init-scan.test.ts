/**
 * `autolab init --scan` on a real Python recipe whose parameters live in every supported
 * form (argparse, a dataclass, module constants, JSON, YAML and TOML config files), then a
 * real study: the knobs it declared must be found and changed by the knobs specialist,
 * and the changed values must reach the run (the loss moves).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findExecutable } from '../../src/executors/local/sandbox-probe.ts';
import { runCli } from '../../src/testing/cli.ts';
import { gitIn } from '../../src/testing/recipe-repo.ts';

const python = findExecutable('python3');
if (python === null && process.env.CI === 'true') throw new Error('python3 is needed for the init --scan round trip (CI installs it: .ci/services/python.sh)');

const TRAIN = `"""A toy recipe: the loss is a known function of parameters written in every form autolab init --scan reads."""
import argparse
import json
import math
import os
import tomllib
from dataclasses import dataclass

WIDTH = 64  # hidden units


@dataclass
class Optim:
    momentum: float = 0.9
    act: str = 'relu'


def yaml_value(path, key):
    for line in open(path):
        name, _, value = line.partition(':')
        if name.strip() == key:
            return float(value.split('#')[0])
    raise KeyError(key)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--lr', type=float, default=0.001, help='learning rate')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    batch = json.load(open('config.json'))['train']['batch']
    dropout = yaml_value('config.yaml', 'dropout')
    weight_decay = tomllib.load(open('config.toml', 'rb'))['optim']['weight_decay']
    optim = Optim()
    loss = ((math.log10(args.lr) + 2) ** 2 + (WIDTH - 100) ** 2 / 1e4 + (optim.momentum - 0.8) ** 2
            + (batch - 50) ** 2 / 1e4 + (dropout - 0.3) ** 2 + weight_decay + (0 if optim.act == 'tanh' else 0.1))
    out = os.environ['AUTOLAB_ARTIFACTS']
    with open(os.path.join(out, 'result.json'), 'w') as f:
        json.dump({'loss': loss, 'seen': [args.lr, WIDTH, optim.momentum, optim.act, batch, dropout, weight_decay]}, f)


if __name__ == '__main__':
    main()
`;

const SCORE = `import json, os
result = json.load(open(os.path.join(os.environ['AUTOLAB_ARTIFACTS'], 'result.json')))
print(json.dumps({"loss": result['loss']}))
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autolab-init-scan-'));
  await writeFile(join(dir, 'train.py'), TRAIN);
  await writeFile(join(dir, 'score.py'), SCORE);
  await writeFile(join(dir, 'config.json'), '{\n  "train": { "batch": 32, "data_dir": "data/" }\n}\n');
  await writeFile(join(dir, 'config.yaml'), 'dropout: 0.1   # before the head\n');
  await writeFile(join(dir, 'config.toml'), '[optim]\nweight_decay = 0.01\n');
  gitIn(dir, ['init', '-q', '-b', 'main']);
  gitIn(dir, ['add', '-A']);
  gitIn(dir, ['commit', '-q', '-m', 'recipe']);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface KnobEntry {
  file: string;
  key?: string;
  marker?: string;
  type: string;
  low?: number;
  high?: number;
  log?: boolean;
  choices?: unknown[];
}

describe.skipIf(python === null)('autolab init --scan, then a real study', () => {
  it('declares knobs in every form, and a study finds and changes them all', { timeout: 300_000 }, async () => {
    const init = await runCli(['init', '--scan', 'train.py', '--scan', 'config.json', '--scan', 'config.yaml', '--scan', 'config.toml'], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('git add train.py config.toml && git commit');
    execFileSync(python!, ['-m', 'py_compile', join(dir, 'train.py')]);

    const task = parse(await readFile(join(dir, 'autolab.yaml'), 'utf8')) as {
      run: { command: string };
      score: { command: string };
      objective: { metric: string; direction: string };
      protected: string[];
      surfaces: { recipe: { paths: string[]; knobs: Record<string, KnobEntry> } };
    };
    expect(task.run.command).toBe('python3 train.py');
    expect(task.score.command).toBe('python3 score.py');
    expect(task.objective).toEqual({ metric: 'loss', direction: 'minimize' });
    expect(task.protected).toEqual(['score.py', 'autolab.yaml']);
    const knobs = task.surfaces.recipe.knobs;
    expect(knobs).toEqual({
      lr: { file: 'train.py', marker: 'lr', type: 'float', low: 0.0001, high: 0.01, log: true },
      width: { file: 'train.py', marker: 'width', type: 'int', low: 16, high: 256, log: true },
      momentum: { file: 'train.py', marker: 'momentum', type: 'float', low: 0.5, high: 0.999 },
      act: { file: 'train.py', marker: 'act', type: 'categorical', choices: ['relu', 'gelu', 'silu', 'tanh'] },
      batch: { file: 'config.json', key: 'train.batch', type: 'int', low: 8, high: 128, log: true },
      dropout: { file: 'config.yaml', key: 'dropout', type: 'float', low: 0, high: 0.5 },
      weight_decay: { file: 'config.toml', marker: 'weight_decay', type: 'float', low: 0.001, high: 0.1, log: true },
    });
    const yaml = await readFile(join(dir, 'autolab.yaml'), 'utf8');
    expect(yaml).toMatch(/# {3}seed \(train\.py, argparse --seed = 0\): a seed/);
    expect(yaml).toMatch(/# {3}train\.data_dir \(config\.json, key train\.data_dir = "data\/"\): a location/);
    const source = await readFile(join(dir, 'train.py'), 'utf8');
    expect(source).toContain("parser.add_argument('--lr', type=float, default=0.001, help='learning rate')  # autolab: lr");
    expect(source).toContain('WIDTH = 64  # hidden units  # autolab: width');
    expect(await readFile(join(dir, 'config.toml'), 'utf8')).toBe('[optim]\nweight_decay = 0.01  # autolab: weight_decay\n');

    gitIn(dir, ['add', 'train.py', 'config.toml']);
    gitIn(dir, ['commit', '-q', '-m', 'autolab knob markers']);
    const run = await runCli(['run', '--trials', '4'], { cwd: dir });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const trials = JSON.parse((await runCli(['trials', '--json'], { cwd: dir })).stdout) as Array<{ id: number; status: string; label: string | null; score: number | null }>;
    expect(trials).toHaveLength(5);
    expect(trials.filter((trial) => trial.status === 'failed')).toEqual([]);
    const scores = new Set(trials.map((trial) => trial.score));
    expect(scores.size).toBeGreaterThan(1); // the changed values reached the run

    // Every knob was changed by some trial: its line is in a trial's diff.
    const diffs = await Promise.all(trials.slice(1).map(async (trial) => ((await runCli(['show', String(trial.id), '--json'], { cwd: dir })).stdout)));
    const changed = diffs.map((text) => (JSON.parse(text) as { diff: string }).diff).join('\n');
    for (const needle of ['# autolab: lr', '# autolab: width', '# autolab: momentum', '# autolab: weight_decay', '"batch":', 'dropout:']) {
      expect(changed, needle).toMatch(new RegExp(`^\\+.*${needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
    }
  });
});
