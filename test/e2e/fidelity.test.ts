import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summariseLadder } from '../../src/core/ladder-summary.ts';
import type { TrialLevelRecord } from '../../src/core/fidelity.ts';
import type { TrialRecord } from '../../src/core/trial.ts';
import { openStudy, type Study } from '../../src/engine/open-study.ts';
import { renderLineageMarkdown } from '../../src/core/lineage-markdown.ts';
import { runCli } from '../../src/testing/cli.ts';
import { startDashboard } from '../../src/server/serve-dashboard.ts';
import type { FidelityFunnel } from '../../src/views/fidelity-funnel.ts';
import { makePatch, makeRecipeRepo } from '../../src/testing/recipe-repo.ts';
import { patchProposal, ScriptedSpecialist } from '../../src/testing/scripted-specialist.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'ladder');

/** The recipe's loss at a scale (as train.js computes it). */
const lossAt = (x: number, trick: number, scale: number) => 1 + 0.2 * (x - 3) ** 2 + 0.5 * scale ** -0.5 + (trick ? -0.35 + 0.4 * scale : 0);

describe('a study on a fidelity ladder (s, m, full; successive halving, eta 2)', () => {
  let repo: { dir: string; cleanup: () => Promise<void> };
  let study: Study;
  let trials: TrialRecord[];
  let levels: TrialLevelRecord[];

  beforeAll(async () => {
    repo = await makeRecipeRepo(FIXTURE);
    const config = async (x: number, trick: number) => makePatch(repo.dir, { 'config.json': JSON.stringify({ x, trick }) + '\n' });
    const turns = [
      patchProposal('scripted', 0, await config(1, 1), { hypothesis: 'the trick' }), // better at s and m, worse at full
      patchProposal('scripted', 0, await config(5.5, 0), { hypothesis: 'x far off' }), // worse than the baseline at s: stops there
      patchProposal('scripted', 0, await config(2.5, 0), { hypothesis: 'x nearer 3' }), // better everywhere
      patchProposal('scripted', 0, await config(0.2, 0), { hypothesis: 'x further off' }), // worst at s
      null,
    ];
    study = await openStudy(repo.dir, { create: true });
    await study.run({ specialists: [new ScriptedSpecialist('scripted', turns)], trials: 4 });
    trials = await study.store.listTrials(study.record.id);
    levels = await study.store.listTrialLevels!(study.record.id);
  }, 600_000);

  afterAll(async () => {
    await study?.close();
    await repo?.cleanup();
  });

  it('measures the baseline at every level, each run seeing AUTOLAB_FIDELITY and the level env', () => {
    const baseline = levels.filter((record) => record.trialId === 0);
    expect(baseline.map((record) => [record.levelName, record.metrics.size])).toEqual([
      ['s', 10],
      ['m', 30],
      ['full', 100],
    ]);
    for (const record of baseline) expect(record.score).toBeCloseTo(lossAt(1, 0, record.metrics.size! / 100), 9);
    expect(trials[0]).toMatchObject({ status: 'kept' });
    expect(trials[0]!.score).toBeCloseTo(lossAt(1, 0, 1), 9);
  });

  it('keeps one id per trial and stores each level it climbed', () => {
    expect(trials.map((trial) => trial.id)).toEqual([0, 1, 2, 3, 4]);
    const climbed = (id: number) => levels.filter((record) => record.trialId === id).map((record) => record.levelName);
    expect(climbed(1)).toEqual(['s', 'm', 'full']);
    expect(climbed(2)).toEqual(['s']);
    expect(climbed(3)).toEqual(['s', 'm', 'full']);
    expect(climbed(4)).toEqual(['s']);
  });

  it("records a trial's run time as its whole climb; each level's own run time stays in its level record", () => {
    for (const trial of trials) {
      const own = levels.filter((record) => record.trialId === trial.id);
      expect(own.every((record) => record.runMs > 0)).toBe(true);
      expect(trial.timings.runMs).toBe(own.reduce((sum, record) => sum + record.runMs, 0));
      expect(trial.timings.totalMs!).toBeGreaterThanOrEqual(trial.timings.runMs!);
    }
  });

  it('records trials the rule stopped as pruned at their level, and lets only full-level scores make an incumbent', () => {
    const byId = new Map(trials.map((trial) => [trial.id, trial]));
    expect(byId.get(2)).toMatchObject({ status: 'failed', label: 'pruned', score: null });
    expect(byId.get(2)!.labelDetail).toMatch(/^not promoted past fidelity level s: rank \d of \d at s/);
    expect(byId.get(2)!.metrics.fidelity_level).toBe(0);
    expect(byId.get(4)).toMatchObject({ status: 'failed', label: 'pruned' });
    // The trick beat the baseline at s and m but not at full: discarded, never the incumbent.
    expect(byId.get(1)).toMatchObject({ status: 'discarded' });
    expect(byId.get(1)!.score).toBeCloseTo(lossAt(1, 1, 1), 9);
    expect(byId.get(3)).toMatchObject({ status: 'kept' });
    expect(byId.get(3)!.score).toBeCloseTo(lossAt(2.5, 0, 1), 9);
    for (const trial of trials.filter((t) => t.status === 'kept')) expect(levels.some((r) => r.trialId === trial.id && r.levelName === 'full')).toBe(true);
  });

  it('predicts full-level scores from lower levels and flags the trick\'s shrinking gain', () => {
    const parents = new Map(trials.map((trial) => [trial.id, trial.parent]));
    // Flagged before it reached full: from its s and m measurements alone.
    const belowFull = summariseLadder(study.task.fidelity!, 'minimize', levels.filter((record) => record.level < 2 || record.trialId === 0), parents);
    expect(belowFull.trials.get(1)!.shrinking?.message).toMatch(/^gain \+[\d.]+% at s, \+[\d.]+% at m: (likely gone at|shrinking toward) full$/);
    const summary = summariseLadder(study.task.fidelity!, 'minimize', levels, parents);
    expect(summary.trials.get(1)!.shrinking?.message).toMatch(/^gain \+9\.17% at s, \+8\.48% at m, -2\.17% at full: gone at full$/);
    expect(summary.trials.get(3)!.shrinking).toBeNull();
    const nearer = summary.trials.get(3)!;
    // The trick (linear in scale, not a power law) pulls the shared exponent a little: still far closer than the s score (0.6 off).
    expect(Math.abs(nearer.predictedFull!.mean - nearer.measuredFull!)).toBeLessThan(0.1);
  });

  it('serves the fidelity funnel to the dashboard: trials per level, stopped, climbed, run time per level', async () => {
    const dashboard = await startDashboard({ store: study.store, port: 0, pollMs: 100 });
    try {
      const response = await fetch(new URL('/api/studies/ladder/fidelity', dashboard.url));
      expect(response.status).toBe(200);
      const { funnel } = (await response.json()) as { funnel: FidelityFunnel };
      expect(funnel.levels.map(({ name, measured, stopped, climbed }) => ({ name, measured, stopped, climbed }))).toEqual([
        { name: 's', measured: 4, stopped: 2, climbed: 2 },
        { name: 'm', measured: 2, stopped: 0, climbed: 2 },
        { name: 'full', measured: 2, stopped: 0, climbed: 2 },
      ]);
      expect(funnel.levels[0]!.best).toBeCloseTo(Math.min(...levels.filter((r) => r.level === 0).map((r) => r.score!)), 9);
      for (const level of funnel.levels) expect(level.runSeconds).toBeGreaterThan(0);
      expect(funnel.fullOnlySeconds).toBeGreaterThan(0);
    } finally {
      await dashboard.close();
    }
  });

  it('shows the levels in the lineage feedback, `trials --json` and `show`', async () => {
    const markdown = renderLineageMarkdown(await study.lineage());
    expect(markdown).toMatch(/- #2: s [\d.]+; predicted full [\d.]+ ± [\d.]+/);
    expect(markdown).toMatch(/- #1: s [\d.]+ → m [\d.]+ → full [\d.]+; ⚠ shrinking gain: gain .* gone at full \(do not build on it\)/);
    await study.close();
    const listed = await runCli(['trials', '--json'], { cwd: repo.dir });
    expect(listed.code, listed.stderr).toBe(0);
    const json = JSON.parse(listed.stdout) as Array<{ id: number; fidelity: { levels: unknown[]; highestLevel: string; predictedFull: { mean: number } | null; measuredFull: number | null; shrinkingGain: string | null; scaling: { exponent: number; exponentInterval: [number, number] | null; trialsUsed: number } | null } }>;
    expect(json.find((trial) => trial.id === 2)!.fidelity).toMatchObject({ highestLevel: 's', measuredFull: null, shrinkingGain: null });
    expect(json.find((trial) => trial.id === 1)!.fidelity.levels).toHaveLength(3);
    expect(json.find((trial) => trial.id === 3)!.fidelity.predictedFull!.mean).toBeGreaterThan(0);
    // The power law fitted across the study's trials, the same for every trial.
    const scaling = json.find((trial) => trial.id === 2)!.fidelity.scaling!;
    expect(scaling.trialsUsed).toBeGreaterThanOrEqual(2);
    expect(scaling.exponent).toBeGreaterThan(0);
    expect(json.find((trial) => trial.id === 1)!.fidelity.scaling).toEqual(scaling);
    const shown = await runCli(['show', '1'], { cwd: repo.dir });
    expect(shown.stdout).toMatch(/fidelity levels: s [\d.]+ \([\d.]+s\) → m [\d.]+ \([\d.]+s\) → full [\d.]+ \([\d.]+s\) · reached full of s\/m\/full/);
    expect(shown.stdout).toMatch(/predicted at full: [\d.]+ ± [\d.]+ · measured [\d.]+ \(power law across \d+ trials, exponent [\d.]+ \((95% [\d.]+–[\d.]+|assumed: the levels cannot tell it yet)\)\)/);
    expect(shown.stdout).toMatch(/shrinking gain: gain \+9\.17% at s/);
  }, 300_000);
});
