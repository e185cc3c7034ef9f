import { describe, expect, it } from 'vitest';
import { AutolabError } from '../core/errors.ts';
import { taskFileJsonSchema } from './json-schema.ts';
import { taskJudgingHash } from './load-task.ts';
import { useTaskFiles } from '../testing/task-files.ts';

const files = useTaskFiles('executor-key');

const MINIMAL = `name: tiny
objective: { metric: loss, direction: minimize }
run: { command: python train.py, timeout: 10m }
score: python score.py
`;

async function load(executorLine: string) {
  return files.load(`${MINIMAL}${executorLine}\n`);
}

/** The problem lines of a task file that must not load. */
async function problems(executorLine: string): Promise<string[]> {
  const error = await load(executorLine).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AutolabError);
  expect((error as AutolabError).name).toBe('TaskFileError');
  return (error as AutolabError).message.split('\n').slice(1).map((line) => line.replace(/^.*autolab\.yaml:/, ''));
}

describe('the executor: key', () => {
  it('loads the Slurm keys as written today into { kind, options }', async () => {
    const { task } = await load('executor: { kind: slurm, partition: debug, cpus_per_trial: 1, mem: 512MB, poll_interval: 250ms, extra_args: ["--qos=high"] }');
    expect(task.executor).toEqual({ kind: 'slurm', options: { partition: 'debug', cpusPerTrial: 1, memoryBytes: 512e6, extraArgs: ['--qos=high'], pollIntervalMs: 250, phases: ['run'], byPhase: {}, prologue: [], requeue: false, launch: 'direct', arrayRepeats: true } });
  });

  it('leaves the default kind out of the task (local), as before', async () => {
    expect((await load('executor: { kind: local }')).task.executor).toBeUndefined();
    expect((await load('')).task.executor).toBeUndefined();
    expect((await load('executor: { kind: local, container: { image: localhost/recipe:1 } }')).task.executor).toMatchObject({ kind: 'local', options: { container: { engine: 'podman' } } });
  });

  it('names an unknown kind at file:line:col with a did-you-mean', async () => {
    expect(await problems('executor: { kind: slurmm, partition: debug }')).toEqual(['5:19: executor.kind: unknown executor kind "slurmm" (did you mean slurm?); expected one of local, slurm']);
    expect(await problems('executor: { partition: debug }')).toEqual(['5:1: executor.kind: required: the executor kind, one of local, slurm']);
    expect(await problems('executor: slurm')).toEqual(['5:11: executor: expected a mapping: write executor: { kind: slurm }']);
  });

  it("suggests the kind's own keys for a misspelt one, and checks their values", async () => {
    expect(await problems('executor: { kind: slurm, partiton: debug }')).toEqual(['5:26: executor.partiton: unknown key "partiton"; did you mean "partition"?']);
    expect(await problems('executor: { kind: local, partition: debug }')).toEqual(['5:26: executor.partition: unknown key "partition"; expected one of: kind, container']);
    expect(await problems('executor: { kind: slurm, mem: lots, phases: [scoring] }')).toEqual([
      expect.stringMatching(/^5:31: executor\.mem: expected a size/),
      expect.stringMatching(/^5:46: executor\.phases\[0\]: expected one of setup, legality, preflight, run, score, got the string "scoring"/),
    ]);
  });

  it('does not change how trials are judged: a study started locally resumes on Slurm', async () => {
    const local = (await load('')).task;
    const slurm = (await load('executor: { kind: slurm, partition: gpu }')).task;
    expect(taskJudgingHash({ ...slurm, taskFile: local.taskFile, root: local.root, repo: local.repo })).toBe(taskJudgingHash(local));
  });

  it("documents every kind's keys in the task file's JSON Schema", () => {
    const executor = (taskFileJsonSchema().properties as Record<string, { anyOf?: Array<{ properties: Record<string, { description?: string }> }>; oneOf?: Array<{ properties: Record<string, { description?: string }> }> }>).executor!;
    const branches = executor.oneOf ?? executor.anyOf ?? [];
    const slurm = branches.find((branch) => Object.keys(branch.properties).includes('partition'))!;
    expect(Object.keys(slurm.properties).sort()).toEqual([
      'account', 'array_repeats', 'by_phase', 'container', 'cpus_per_trial', 'extra_args', 'gpus', 'gpus_per_trial', 'kind', 'launch', 'mem', 'nodes', 'ntasks', 'ntasks_per_node',
      'partition', 'phases', 'poll_interval', 'prologue', 'requeue', 'scratch', 'shared_dir', 'signal', 'time_limit',
    ]);
    for (const [key, property] of Object.entries(slurm.properties)) expect(property.description, key).toMatch(/\w/);
  });
});
