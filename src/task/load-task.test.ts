import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutolabError } from '../core/errors.ts';
import type { TaskSpec } from '../core/task.ts';
import { GOLF_TASK_YAML } from '../testing/golf-task-fixture.ts';
import { loadTaskFile, taskJudgingHash } from './load-task.ts';

let base: string;
let counter = 0;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'autolab-task-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

/** Writes `text` as autolab.yaml in a fresh folder; returns the file path. */
async function writeTask(text: string, name = 'autolab.yaml'): Promise<string> {
  const dir = join(base, `t${counter++}`);
  await mkdir(dir);
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

/** Loads `text` expecting a TaskFileError; returns its problem lines. */
async function problems(text: string): Promise<{ file: string; lines: string[] }> {
  const file = await writeTask(text);
  const error = await loadTaskFile(file).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AutolabError);
  expect((error as AutolabError).name).toBe('TaskFileError');
  const lines = (error as AutolabError).message.split('\n').slice(1);
  return { file, lines };
}

const MINIMAL = `name: tiny
objective: { metric: loss, direction: minimize }
run: { command: python train.py, timeout: 10m }
score: python score.py
`;

describe('loadTaskFile', () => {
  it('loads the golf-shaped file into the expected TaskSpec', async () => {
    const file = await writeTask(GOLF_TASK_YAML);
    const dir = join(file, '..');
    const { task, warnings } = await loadTaskFile(dir);
    const expected: TaskSpec = {
      name: 'golf',
      taskFile: file,
      root: dir,
      repo: dir,
      baseline: 'HEAD',
      setup: { command: 'node prepare.js', timeoutMs: 600_000 },
      objective: { metric: 'val_bpb', direction: 'minimize' },
      preflight: { command: 'node --check train.js', timeoutMs: 10_000 },
      run: { command: 'node train.js', timeoutMs: 90_000, outputCapBytes: 10_000_000, memoryBytes: 4_000_000_000 },
      score: { command: 'node score.js', timeoutMs: 30_000 },
      legality: { command: 'node legal.js', timeoutMs: 60_000 },
      protected: ['score.js', 'prepare.js'],
      gates: [
        { metric: 'artifact_bytes', op: '<=', value: 65536, source: 'artifact_bytes <= 65536' },
        { metric: 'accuracy', op: '>=', value: 0.96, source: 'accuracy >= 0.96' },
      ],
      surfaces: {
        hyper: {
          name: 'hyper',
          paths: ['config.json', 'train.js'],
          knobs: [
            { name: 'lr', file: 'config.json', key: 'lr', type: 'float', low: 1e-4, high: 1, log: true },
            { name: 'width', file: 'train.js', marker: 'width', type: 'int', low: 8, high: 256 },
            { name: 'act', file: 'config.json', key: 'model.act', type: 'categorical', choices: ['relu', 'tanh'] },
          ],
        },
      },
      specialists: [
        { name: 'tuner', kind: 'knobs', surface: 'hyper', options: {} },
        { name: 'agent', kind: 'llm', surface: 'hyper', role: 'optimizer', options: { model: 'gpt-x', max_steps: 12 } },
      ],
      parallel: 2,
      gpus: ['0', '1'],
      budget: { trials: 40, hours: 8, patience: 20 },
      limits: { maxDiffBytes: 1_000_000, maxFileBytes: 5_000_000, maxArtifactBytes: 1_000_000_000 },
      acceptance: { rule: 'better', margin: 0, verify: 0 },
      repeats: 1,
      calibration: 1,
      seed: 0,
      envPass: ['HF_HOME'],
      envSet: { OMP_NUM_THREADS: '1' },
    };
    expect(task).toEqual(expected);
    expect(warnings).toEqual([]);
  });

  it('fills in defaults for a minimal file and warns about what is missing', async () => {
    const file = await writeTask(MINIMAL);
    const { task, warnings } = await loadTaskFile(file);
    expect(task).toMatchObject({
      repo: join(file, '..'),
      baseline: 'HEAD',
      run: { command: 'python train.py', timeoutMs: 600_000, outputCapBytes: 10 * 1024 * 1024 },
      score: { command: 'python score.py', timeoutMs: 600_000 },
      protected: [],
      gates: [],
      surfaces: {},
      specialists: [],
      parallel: 1,
      gpus: [],
      budget: {},
      limits: { maxDiffBytes: 1_000_000, maxFileBytes: 5_000_000, maxArtifactBytes: 1_000_000_000 },
      acceptance: { rule: 'better', margin: 0 },
      seed: 0,
      envPass: [],
      envSet: {},
    });
    expect(task.setup).toBeUndefined();
    expect(task.preflight).toBeUndefined();
    expect(task.legality).toBeUndefined();
    expect(task.run.memoryBytes).toBeUndefined();
    expect(warnings.map((warning) => warning.code).sort()).toEqual(['no_budget', 'no_specialists']);
  });

  it('finds autolab.yml in a folder and resolves repo relative to the task file', async () => {
    const file = await writeTask(`${MINIMAL}repo: ../recipe\nenv: { set: { THREADS: 4, DEBUG: true } }\n`, 'autolab.yml');
    await mkdir(join(file, '..', '..', 'recipe'), { recursive: true });
    const { task } = await loadTaskFile(join(file, '..'));
    expect(task.taskFile).toBe(file);
    expect(task.repo).toBe(join(file, '..', '..', 'recipe'));
    expect(task.envSet).toEqual({ THREADS: '4', DEBUG: 'true' });
  });

  it('warns about shared GPUs, unused surfaces and protected surface paths', async () => {
    const file = await writeTask(`${MINIMAL}parallel: 3
gpus: [0]
protected: [data/**]
surfaces:
  a: { paths: [train.py] }
  b: { paths: [data/x.bin] }
specialists: [{ name: s, kind: llm, surface: a }]
budget: { trials: 1 }
`);
    const { warnings } = await loadTaskFile(file);
    expect(warnings.map((warning) => warning.code).sort()).toEqual(['gpus_shared', 'surface_protected', 'unused_surface']);
  });

  it('explains a missing file or folder once, and suggests autolab init in the hint', async () => {
    const missing = (await loadTaskFile(join(base, 'nowhere')).then(() => null, (error: unknown) => error)) as AutolabError;
    expect(missing.message).toMatch(/^No task file at .*nowhere: the path does not exist\.$/);
    expect(missing.hint).toMatch(/autolab init DIR/);
    const empty = join(base, 'empty-folder');
    await mkdir(empty);
    const none = (await loadTaskFile(empty).then(() => null, (error: unknown) => error)) as AutolabError;
    expect(none.message).toMatch(/^No task file in .*: expected autolab\.yaml or autolab\.yml there\.$/);
    expect(none.message).not.toMatch(/init/);
    expect(none.hint).toMatch(/--task PATH.*autolab init DIR/);
  });
});

describe('loadTaskFile errors name file:line:col, key path and expectation', () => {
  it('wrong type', async () => {
    const { file, lines } = await problems(MINIMAL.replace('name: tiny', 'name: tiny\nparallel: two'));
    expect(lines).toEqual([`${file}:2:11: parallel: expected a number, got the string "two"`]);
  });

  it('missing objective', async () => {
    const { file, lines } = await problems(MINIMAL.replace('objective: { metric: loss, direction: minimize }\n', ''));
    expect(lines).toEqual([`${file}:1:1: objective: required: what to optimise, e.g. objective: { metric: val_loss, direction: minimize }`]);
  });

  it('missing nested key points at its parent key; bad enum suggests the intended value', async () => {
    const { file, lines } = await problems(`name: tiny
objective:
  metric: loss
  direction: minimise
run:
  command: python train.py
score: python score.py
`);
    expect(lines).toEqual([
      `${file}:4:14: objective.direction: expected minimize or maximize`,
      `${file}:5:1: run.timeout: required: the wall-clock budget of the run, e.g. timeout: 10m`,
    ]);
  });

  it('bad duration and bad size', async () => {
    const { file, lines } = await problems(MINIMAL.replace('timeout: 10m', 'timeout: 10 minutes') + 'limits: { max_file_bytes: 5XB }\n');
    expect(lines).toEqual([
      `${file}:3:43: run.timeout: expected a duration such as 90s, 10m, 1.5h, 1h30m, 500ms or a number of seconds`,
      `${file}:5:27: limits.max_file_bytes: expected a size such as 10MB, 512KiB, 1GB (KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024) or a number of bytes`,
    ]);
  });

  it('zero duration', async () => {
    const { file, lines } = await problems(MINIMAL.replace('timeout: 10m', 'timeout: 0s'));
    expect(lines).toEqual([`${file}:3:43: run.timeout: expected a duration such as 90s, 10m, 1.5h, 1h30m, 500ms or a number of seconds; it must be more than zero`]);
  });

  it('bad gate', async () => {
    const { file, lines } = await problems(`${MINIMAL}gates:\n  - "accuracy >= 0.9"\n  - "accuracy => 0.9"\n  - 65536\n`);
    expect(lines).toEqual([
      `${file}:7:5: gates[1]: expected a gate "<metric> <op> <number>" with op one of <=, <, >=, >, ==, != (e.g. "accuracy >= 0.96"), got "accuracy => 0.9"`,
      `${file}:8:5: gates[2]: expected a gate such as "artifact_bytes <= 65536" (quote it in YAML)`,
    ]);
  });

  it('unknown keys, at top level and nested, with a suggestion', async () => {
    const { file, lines } = await problems(`${MINIMAL}paralel: 2\nbudget: { trails: 3 }\nfrobnicate: 1\n`);
    expect(lines[0]).toBe(`${file}:5:1: paralel: unknown key "paralel"; did you mean "parallel"?`);
    expect(lines[1]).toBe(`${file}:6:11: budget.trails: unknown key "trails"; did you mean "trials"?`);
    expect(lines[2]).toMatch(new RegExp(`^${file}:7:1: frobnicate: unknown key "frobnicate"; expected one of: name, repo, baseline, .*seed, env$`));
  });

  it('unknown key inside a command object', async () => {
    const { file, lines } = await problems(MINIMAL.replace('score: python score.py', 'score: { command: python score.py, timout: 5m }'));
    expect(lines).toEqual([`${file}:4:36: score.timout: unknown key "timout"; did you mean "timeout"?`]);
  });

  it('knob with both key and marker, and a file outside its surface', async () => {
    const { file, lines } = await problems(`${MINIMAL}surfaces:
  hyper:
    paths: [config.json]
    knobs:
      lr: { file: config.json, key: lr, marker: lr, type: float, low: 0.001, high: 1 }
      w:  { file: train.py, marker: w, type: int, low: 1, high: 8 }
specialists: [{ name: tuner, kind: knobs, surface: hyper }]
`);
    expect(lines).toEqual([
      `${file}:9:49: surfaces.hyper.knobs.lr.marker: use either key (a dotted key path into a JSON or YAML file) or marker (the literal on the line commented \`autolab: <marker>\`), not both`,
      `${file}:10:19: surfaces.hyper.knobs.w.file: "train.py" is not inside the paths of surface "hyper" (config.json); add it to surfaces.hyper.paths`,
    ]);
  });

  it('specialist naming a missing surface, and duplicate specialist names', async () => {
    const { file, lines } = await problems(`${MINIMAL}surfaces:
  model: { paths: [src/] }
specialists:
  - name: a
    kind: llm
    surface: modle
  - { name: a, kind: ablate, surface: nothing }
`);
    expect(lines).toEqual([
      `${file}:10:14: specialists[0].surface: no surface named "modle"; did you mean "model"?`,
      `${file}:11:13: specialists[1].name: duplicate specialist name "a" (also specialists[0]); names must be unique`,
      `${file}:11:39: specialists[1].surface: no surface named "nothing"; defined surfaces: model`,
    ]);
  });

  it('bad surface and knob names point at the key', async () => {
    const { file, lines } = await problems(`${MINIMAL}surfaces:\n  my surface: { paths: [a] }\n`);
    expect(lines).toEqual([`${file}:6:3: surfaces.my surface: bad key "my surface": expected a name made of letters, digits, \`.\`, \`_\` and \`-\``]);
  });

  it('a repo folder that does not exist', async () => {
    const { file, lines } = await problems(`${MINIMAL}repo: ./missing-recipe\n`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${file}:5:7: repo: expected the recipe folder, but .*missing-recipe does not exist$`));
  });

  it('YAML syntax errors', async () => {
    const { file, lines } = await problems(`name: tiny\nobjective: { metric: loss, direction: minimize\nrun: [\n`);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(new RegExp(`^${file}:\\d+:\\d+: YAML syntax error: `));
    expect(lines[0]).toMatch(new RegExp(`^${file}:[23]:`));
  });

  it('lists only the first few of a cascade of syntax errors', async () => {
    const file = await writeTask(`  ${GOLF_TASK_YAML}`);
    const message = await loadTaskFile(file).then(() => '', (error: Error) => error.message);
    const [header, ...lines] = message.split('\n');
    expect(header).toMatch(/\(\d+ problems, the first 5 shown\):$/);
    expect(lines).toHaveLength(5);
  });

  it('duplicate keys are reported at the duplicate', async () => {
    const { file, lines } = await problems(`${MINIMAL}name: again\n`);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^${file}:5:1: YAML syntax error: .*unique`))]);
  });

  it('lists every problem at once, sorted by position', async () => {
    const { lines } = await problems(`name: "bad name"
objective: { metric: "", direction: up }
run: python train.py
score: { timeout: 5m }
parallel: 0
`);
    const positions = lines.map((line) => line.split(':').slice(-4, -2).map(Number));
    expect(lines.map((line) => line.split(': ')[1])).toEqual(['name', 'objective.metric', 'objective.direction', 'run', 'score.command', 'parallel']);
    expect(positions).toEqual([...positions].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
    expect(lines.find((line) => line.includes(': run: '))).toMatch(/run: expected \{ command, timeout \}: the run phase needs a timeout/);
  });

  it('empty file and a top level that is not a mapping', async () => {
    expect((await problems('')).lines[0]).toMatch(/:1:1: \(top level\): the file is empty/);
    expect((await problems('- a\n- b\n')).lines[0]).toMatch(/:1:1: \(top level\): expected a mapping/);
  });
});

describe('taskJudgingHash', () => {
  it('changes with what judges trials and ignores the rest', async () => {
    const load = async (text: string) => (await loadTaskFile(await writeTask(text))).task;
    const golf = await load(GOLF_TASK_YAML);
    const hash = taskJudgingHash(golf);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(taskJudgingHash(await load(GOLF_TASK_YAML))).toBe(hash);

    const same = [
      GOLF_TASK_YAML.replace('parallel: 2', 'parallel: 4'),
      GOLF_TASK_YAML.replace('trials: 40', 'trials: 400'),
      GOLF_TASK_YAML.replace('timeout: 90s', 'timeout: 2h'),
      GOLF_TASK_YAML.replace('"artifact_bytes <= 65536"', '"artifact_bytes<=65536"'),
      GOLF_TASK_YAML.replace('- { name: tuner, kind: knobs, surface: hyper }\n', ''),
    ];
    for (const text of same) expect(taskJudgingHash(await load(text))).toBe(hash);

    const different = [
      GOLF_TASK_YAML.replace('direction: minimize', 'direction: maximize'),
      GOLF_TASK_YAML.replace('node score.js', 'node score2.js'),
      GOLF_TASK_YAML.replace('<= 65536', '<= 65537'),
      GOLF_TASK_YAML.replace('protected: [score.js, prepare.js]', 'protected: [score.js]'),
      GOLF_TASK_YAML.replace('node train.js, timeout', 'node train.js --fast, timeout'),
      GOLF_TASK_YAML.replace('max_diff_bytes: 1MB', 'max_diff_bytes: 2MB'),
      GOLF_TASK_YAML.replace('margin: 0', 'margin: 0.01'),
      GOLF_TASK_YAML.replace('baseline: HEAD', 'baseline: main'),
      GOLF_TASK_YAML.replace('setup: node prepare.js', 'setup: node prepare.js --big'),
    ];
    for (const text of different) expect(taskJudgingHash(await load(text))).not.toBe(hash);
  });
});
