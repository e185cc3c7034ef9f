import { taskJudgingHash } from './judging-hash.ts';
import { describe, expect, it } from 'vitest';
import { taskAtLevel } from '../core/fidelity-task.ts';
import { useTaskFiles } from '../testing/task-files.ts';
import { sbatchOptions } from '../executors/slurm/batch-script.ts';
import { resourcesOfPhase, slurmKeysForSlots, type SlurmJobOptions } from '../executors/slurm/slurm-options.ts';

const files = useTaskFiles('fidelity');

const MINIMAL = `name: tiny
objective: { metric: loss, direction: minimize }
run: { command: python train.py, timeout: 10m }
score: python score.py
`;

async function load(extra: string) {
  return files.load(MINIMAL + extra);
}

/** The problem lines of a task file that must not load. */
async function problems(extra: string): Promise<string[]> {
  const error = await load(extra).then(
    () => null,
    (thrown: unknown) => thrown as Error,
  );
  expect(error?.name).toBe('TaskFileError');
  return error!.message.split('\n').slice(1);
}

describe('fidelity: in the task file', () => {
  it('loads a ladder: timeouts, scales (defaulting to the timeout ratio), env, resources and the rule', async () => {
    const { task } = await load(`fidelity:
  levels:
    - { name: s, env: { STEPS: 100 }, timeout: 1m }
    - { name: m, env: { STEPS: "300" }, timeout: 5m, resources: { memory: 1GB } }
    - { name: full }
  promote: { rule: successive_halving, eta: 2 }
`);
    expect(task.fidelity).toEqual({
      levels: [
        { name: 's', scale: 0.1, timeoutMs: 60_000, env: { STEPS: '100' }, slots: 1 },
        { name: 'm', scale: 0.5, timeoutMs: 300_000, env: { STEPS: '300' }, resources: { memoryBytes: 1e9 }, slots: 1 },
        { name: 'full', scale: 1, timeoutMs: 600_000, env: {}, slots: 1 },
      ],
      promote: { rule: 'successive_halving', eta: 2 },
    });
    const small = taskAtLevel(task, 0);
    expect(small.run.timeoutMs).toBe(60_000);
    expect(small.envSet).toMatchObject({ STEPS: '100', AUTOLAB_FIDELITY: 's', AUTOLAB_FIDELITY_SCALE: '0.1' });
    expect(taskAtLevel(task, 1).run.memoryBytes).toBe(1e9);
  });

  it('fills in each rule\'s defaults', async () => {
    const levels = '  levels: [{ name: s, scale: 0.2 }, { name: full, scale: 1 }]\n';
    expect((await load(`fidelity:\n${levels}`)).task.fidelity!.promote).toEqual({ rule: 'successive_halving', eta: 3 });
    expect((await load(`fidelity:\n${levels}  promote: { rule: top_k }\n`)).task.fidelity!.promote).toEqual({ rule: 'top_k', k: 1 });
    expect((await load(`fidelity:\n${levels}  promote: { rule: predicted }\n`)).task.fidelity!.promote).toEqual({ rule: 'predicted', eta: 3, confidence: 0.8 });
    expect((await load(`fidelity:\n${levels}  promote: { rule: gain_per_cost }\n`)).task.fidelity!.promote).toEqual({ rule: 'gain_per_cost', eta: 3 });
    expect((await load(`fidelity:\n${levels}`)).task.fidelity!.continueRuns).toBeUndefined();
    expect((await load(`fidelity:\n${levels}  continue: true\n`)).task.fidelity!.continueRuns).toBe(true);
    // A continued ladder measures other scores than one that starts over: it is part of what judges a trial.
    const hashes = await Promise.all([`fidelity:\n${levels}`, `fidelity:\n${levels}  continue: false\n`, `fidelity:\n${levels}  continue: true\n`].map(async (text) => taskJudgingHash((await load(text)).task)));
    expect(hashes[1]).toBe(hashes[0]);
    expect(hashes[2]).not.toBe(hashes[0]);
  });

  it('reports every ladder problem at its line: one level, duplicate names, scales that do not grow, keys of another rule, a misspelt rule', async () => {
    expect(await problems('fidelity:\n  levels: [{ name: full }]\n')).toEqual([expect.stringMatching(/autolab\.yaml:6:\d+: fidelity\.levels: a ladder needs at least two levels/)]);
    const lines = await problems(`fidelity:
  levels:
    - { name: s, timeout: 5m }
    - { name: s, timeout: 2m }
    - { name: full, scale: 0.1 }
  promote: { rule: top_k, eta: 3 }
`);
    expect(lines).toEqual([
      expect.stringMatching(/:8:\d+: fidelity\.levels\[1\]\.name: duplicate level name "s" \(also levels\[0\]\)/),
      expect.stringMatching(/:8:\d+: fidelity\.levels\[1\]\.timeout: levels must grow: this level's scale \(0\.2\) is not above the previous level's \(0\.5\); .*explicit scale/),
      expect.stringMatching(/:9:\d+: fidelity\.levels\[2\]\.scale: levels must grow: this level's scale \(0\.1\) is not above the previous level's \(0\.2\)$/),
      expect.stringMatching(/:10:\d+: fidelity\.promote\.eta: eta applies to rule successive_halving, predicted or gain_per_cost, not top_k/),
    ]);
    expect(await problems('fidelity:\n  levels: [{ name: s, scale: 0.1 }, { name: full, scale: 1 }]\n  promote: { rule: sucessive_halving }\n')).toEqual([
      expect.stringMatching(/:7:\d+: fidelity\.promote\.rule: expected successive_halving, top_k, predicted or gain_per_cost \(did you mean "successive_halving"\?\)/),
    ]);
    expect(await problems('fidelity:\n  levels: [{ name: s, scale: -1, envv: {} }, { name: full }]\n')).toEqual([
      expect.stringMatching(/fidelity\.levels\[0\]\.scale: expected a scale > 0/),
      expect.stringMatching(/fidelity\.levels\[0\]\.envv/),
    ]);
  });

  it('loads per-level resources: slots, and executor keys laid over the task\'s executor (the same kind)', async () => {
    const { task } = await load(`parallel: 4
gpus: ["0", "1", "2", "3"]
executor: { kind: slurm, partition: debug, mem: 8GB, gpus: 1 }
fidelity:
  levels:
    - { name: s, timeout: 1m }
    - { name: full, slots: 4, executor: { gpus: 4, mem: 64GB, time_limit: 2h } }
`);
    const [small, full] = task.fidelity!.levels;
    expect(small).toMatchObject({ slots: 1 });
    expect(small!.executor).toBeUndefined();
    expect(full).toMatchObject({ slots: 4, executor: { kind: 'slurm', options: { partition: 'debug', gpus: '4', memoryBytes: 64e9, timeLimitMs: 7_200_000 } } });
    expect(taskAtLevel(task, 1).executor).toEqual(full!.executor);
    expect(taskAtLevel(task, 0).executor).toEqual(task.executor);
  });

  it("asks Slurm for a level's slots: the run job's --gres GPU count times slots, other phases and levels unchanged", async () => {
    const { task } = await load(`parallel: 4
executor: { kind: slurm, partition: debug, gpus: a100:1, phases: [run, score] }
fidelity:
  levels:
    - { name: s, timeout: 1m }
    - { name: m, timeout: 3m, slots: 2 }
    - { name: full, slots: 4, executor: { mem: 64GB, by_phase: { score: { gpus: 0 } } } }
`);
    const runOptions = (level: number) => sbatchOptions({ ...resourcesOfPhase(taskAtLevel(task, level).executor!.options as Partial<SlurmJobOptions>, 'run'), timeLimitMs: 60_000 });
    const scoreOptions = (level: number) => sbatchOptions({ ...resourcesOfPhase(taskAtLevel(task, level).executor!.options as Partial<SlurmJobOptions>, 'score'), timeLimitMs: 60_000 });
    expect(runOptions(0)).toEqual(['--partition=debug', '--gres=gpu:a100:1', '--time=1']);
    expect(runOptions(1)).toEqual(['--partition=debug', '--gres=gpu:a100:2', '--time=1']);
    expect(scoreOptions(1)).toEqual(['--partition=debug', '--gres=gpu:a100:1', '--time=1']);
    expect(runOptions(2)).toEqual(['--partition=debug', '--gres=gpu:a100:4', `--mem=${Math.ceil(64e9 / 1024 ** 2)}M`, '--time=1']);
    expect(scoreOptions(2)).toEqual(['--partition=debug', `--mem=${Math.ceil(64e9 / 1024 ** 2)}M`, '--time=1']);
    // A level that names its GPUs keeps them; CPU-only jobs (no gpus) ask for none, whatever the slots.
    expect(slurmKeysForSlots({ gpus: 2 }, 3)).toEqual({ gpus: 2, by_phase: { run: { gpus: '6' } } });
    expect(slurmKeysForSlots({ partition: 'cpu' }, 3)).toEqual({ partition: 'cpu' });
    const own = await load(`parallel: 2
executor: { kind: slurm, partition: debug, gpus: 1 }
fidelity:
  levels:
    - { name: s, timeout: 1m }
    - { name: full, slots: 2, executor: { gpus: 1 } }
`);
    expect(sbatchOptions({ ...resourcesOfPhase(taskAtLevel(own.task, 1).executor!.options as Partial<SlurmJobOptions>, 'run'), timeLimitMs: 60_000 })).toContain('--gres=gpu:1');
  });

  it('reports per-level resources that cannot work: more slots than parallel, keys the executor refuses, another kind', async () => {
    const lines = await problems(`parallel: 2
executor: { kind: slurm, partition: debug }
fidelity:
  levels:
    - { name: s, scale: 0.1, executor: { kind: local } }
    - { name: full, scale: 1, slots: 3, executor: { gpuz: 2, mem: lots } }
`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/:9:\d+: fidelity\.levels\[0\]\.executor\.kind: a level runs on the task's executor \(slurm\): leave kind out/),
        expect.stringMatching(/:10:\d+: fidelity\.levels\[1\]\.slots: this level holds 3 slots at once, but parallel is 2: raise parallel to at least 3/),
        expect.stringMatching(/:10:\d+: fidelity\.levels\[1\]\.executor\.gpuz: unknown key "gpuz"; did you mean "gpus"\?/),
        expect.stringMatching(/:10:\d+: fidelity\.levels\[1\]\.executor\.mem: expected a size/),
      ]),
    );
  });
});
