import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/testing/cli.ts';
import { gitIn, makeRecipeRepo } from '../../src/testing/recipe-repo.ts';

/**
 * A task file with two objectives (loss and params, traded off by the model's width) run
 * by `autolab run` with a knobs specialist: the study ends with a front, not one
 * incumbent, and `status`, `best`, `show`, `trials`, `export` and their `--json` speak
 * fronts; a resumed run keeps the front it had.
 */
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'pareto-recipe');
const TRIALS = 10;

interface FrontJson {
  objectives: Array<{ metric: string; direction: string }>;
  members: Array<{ id: number; values: Record<string, number> }>;
  recommended: number | null;
  reference: Record<string, number>;
  hypervolume: number;
  hypervolumeOverTime: Array<{ trial: number; hypervolume: number }>;
}

interface TrialJson {
  id: number;
  status: string;
  score: number | null;
  metrics: Record<string, number>;
}

/** Whether `a` is at least as good as `b` in both objectives (both minimised) and better in one. */
const dominates = (a: TrialJson, b: TrialJson) =>
  a.metrics.loss! <= b.metrics.loss! && a.metrics.params! <= b.metrics.params! && (a.metrics.loss! < b.metrics.loss! || a.metrics.params! < b.metrics.params!);

describe('a study with two objectives through the CLI', () => {
  let repo: { dir: string; cleanup: () => Promise<void> };
  let run: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    repo = await makeRecipeRepo(FIXTURE);
    run = await runCli(['run', repo.dir, '--trials', String(TRIALS)]);
  }, 600_000);

  afterAll(async () => {
    await repo?.cleanup();
  });

  it('ends `autolab run` with the front, the recommended member marked', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/front: \d+ trials? · hypervolume [\d.e+]+ against \(loss [\d.]+, params 60000\) · recommended #\d+/);
    expect(run.stdout).toMatch(/★ #\d+/);
    expect(run.stdout).not.toMatch(/incumbent #\d+: loss =/);
  });

  it('keeps exactly the non-dominated scored trials on the front (status --json)', async () => {
    const status = JSON.parse((await runCli(['status', repo.dir, '--json'])).stdout) as { objectives: unknown[]; front: FrontJson };
    expect(status.objectives).toHaveLength(2);
    const trials = JSON.parse((await runCli(['trials', repo.dir, '--json'])).stdout) as TrialJson[];
    const scored = trials.filter((trial) => trial.status === 'kept' || trial.status === 'discarded');
    const expected = scored.filter((trial) => !scored.some((other) => dominates(other, trial))).map((trial) => trial.id);
    const members = status.front.members.map((member) => member.id);
    expect(members.sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
    expect(members.length).toBeGreaterThanOrEqual(2);
    // Every front member is a kept trial; a discarded trial was dominated when it finished.
    for (const id of members) expect(trials.find((trial) => trial.id === id)!.status).toBe('kept');
    for (const member of status.front.members) {
      const trial = trials.find((candidate) => candidate.id === member.id)!;
      expect(member.values).toEqual({ loss: trial.metrics.loss, params: trial.metrics.params });
    }
    expect(status.front.reference.params).toBe(60000);
    expect(status.front.hypervolume).toBeGreaterThan(0);
    // The hypervolume over time never falls and ends at the front's.
    const overTime = status.front.hypervolumeOverTime.map((point) => point.hypervolume);
    for (let i = 1; i < overTime.length; i += 1) expect(overTime[i]!).toBeGreaterThanOrEqual(overTime[i - 1]!);
    expect(overTime.at(-1)).toBeCloseTo(status.front.hypervolume, 6);
    expect(members).toContain(status.front.recommended);
  });

  it('shows the front and the recommended trade-off in `best`, and each trial\'s standing in `show`', async () => {
    const best = await runCli(['best', repo.dir]);
    expect(best.code).toBe(0);
    expect(best.stdout).toMatch(/front: \d+ trials?/);
    expect(best.stdout).toContain('the recommended trade-off (preference: {"weights":{"loss":1,"params":1}})');
    const bestJson = JSON.parse((await runCli(['best', repo.dir, '--json'])).stdout) as { id: number; front: FrontJson };
    expect(bestJson.id).toBe(bestJson.front.recommended);

    const trials = JSON.parse((await runCli(['trials', repo.dir, '--json'])).stdout) as TrialJson[];
    const recommended = await runCli(['show', String(bestJson.id), '--task', repo.dir]);
    expect(recommended.stdout).toContain('front: member, the recommended trade-off');
    const dominated = trials.find((trial) => trial.status === 'discarded');
    if (dominated) {
      const shown = JSON.parse((await runCli(['show', String(dominated.id), '--task', repo.dir, '--json'])).stdout) as { front: { member: boolean; dominatedBy: number | null } };
      expect(shown.front.member).toBe(false);
      const by = trials.find((trial) => trial.id === shown.front.dominatedBy)!;
      expect(dominates(by, dominated)).toBe(true);
    }
  });

  it('exports any front member as a patch', async () => {
    const status = JSON.parse((await runCli(['status', repo.dir, '--json'])).stdout) as { front: FrontJson };
    const member = status.front.members.find((entry) => entry.id !== 0)!;
    const folder = await mkdtemp(join(tmpdir(), 'autolab-front-'));
    try {
      const patch = join(folder, 'member.patch');
      const exported = await runCli(['export', String(member.id), '--task', repo.dir, '--patch', patch]);
      expect(exported.code, exported.stderr).toBe(0);
      gitIn(repo.dir, ['apply', '--check', patch]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('resumes with the front it had: no member is lost, the hypervolume does not fall', async () => {
    const before = JSON.parse((await runCli(['status', repo.dir, '--json'])).stdout) as { front: FrontJson };
    const resumed = await runCli(['run', repo.dir, '--trials', '3']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`resuming (${TRIALS} trials so far)`);
    const after = JSON.parse((await runCli(['status', repo.dir, '--json'])).stdout) as { front: FrontJson };
    expect(after.front.hypervolume).toBeGreaterThanOrEqual(before.front.hypervolume);
    const trials = JSON.parse((await runCli(['trials', repo.dir, '--json'])).stdout) as TrialJson[];
    for (const member of before.front.members) {
      // A member leaves the front only when a later trial dominates it.
      if (!after.front.members.some((entry) => entry.id === member.id)) {
        const old = trials.find((trial) => trial.id === member.id)!;
        expect(trials.some((trial) => trial.id > TRIALS && trial.status === 'kept' && dominates(trial, old))).toBe(true);
      }
    }
  });
});
