import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrialLevelRecord } from '../../src/core/fidelity.ts';
import type { StudyEvent } from '../../src/core/store.ts';
import type { TrialRecord } from '../../src/core/trial.ts';
import { openStudy, type Study } from '../../src/engine/open-study.ts';
import type { FidelityFunnel } from '../../src/views/fidelity-funnel.ts';
import { storedStudy } from '../../src/testing/stored-study.ts';
import { runCli, startCli, waitFor } from '../../src/testing/cli.ts';
import { gitIn, makePatch, makeRecipeRepo } from '../../src/testing/recipe-repo.ts';
import { patchProposal, ScriptedSpecialist } from '../../src/testing/scripted-specialist.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'ladder-resume');
// The sandbox is the one that makes $AUTOLAB_RESUME_FROM read-only to the run: required where the test machine has bubblewrap.
const bwrap = process.env.AUTOLAB_TEST_BWRAP === '1' || process.env.CI === 'true';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** The levels' records of one trial, in level order. */
const ofTrial = (levels: TrialLevelRecord[], id: number) => levels.filter((record) => record.trialId === id).sort((a, b) => a.level - b.level);

/** Folders a continued ladder keeps between levels, left anywhere under the study's trials. */
function keptLevelFolders(dir: string, study: string): string[] {
  const trials = join(dir, '.autolab', 'studies', study, 'trials');
  return readdirSync(trials).flatMap((id) => (existsSync(join(trials, id, 'levels')) ? readdirSync(join(trials, id, 'levels')).map((name) => `${id}/levels/${name}`) : []));
}

describe('a continued ladder (`continue: true`): promoted runs resume from the level below', () => {
  let repo: { dir: string; cleanup: () => Promise<void> };
  let study: Study;
  let trials: TrialRecord[];
  let levels: TrialLevelRecord[];
  let events: StudyEvent[];

  beforeAll(async () => {
    repo = await makeRecipeRepo(FIXTURE);
    cleanups.push(repo.cleanup);
    if (bwrap) {
      writeFileSync(join(repo.dir, 'autolab.yaml'), readFileSync(join(repo.dir, 'autolab.yaml'), 'utf8').replace('sandbox: none', 'sandbox: bwrap'));
      gitIn(repo.dir, ['commit', '-qam', 'sandboxed']);
    }
    const config = (body: Record<string, unknown>) => makePatch(repo.dir, { 'config.json': JSON.stringify(body) + '\n' });
    const turns = [
      patchProposal('scripted', 0, await config({ x: 2.5 }), { hypothesis: 'x nearer 3' }),
      patchProposal('scripted', 0, await config({ x: 2.9, hostile: 'symlink' }), { hypothesis: 'a checkpoint that links to the held-out labels' }),
      patchProposal('scripted', 0, await config({ x: 2.8, hostile: 'huge' }), { hypothesis: 'a checkpoint over max_artifact_bytes' }),
      null,
    ];
    study = await openStudy(repo.dir, { create: true });
    await study.run({ specialists: [new ScriptedSpecialist('scripted', turns)], trials: 3 });
    trials = await study.store.listTrials(study.record.id);
    levels = await study.store.listTrialLevels!(study.record.id);
    events = await study.store.listEvents(study.record.id);
  }, 600_000);

  afterAll(async () => {
    await study?.close();
  });

  it('hands each promoted run the checkpoint it left a level below, so it trains only the increment', () => {
    for (const id of [0, 1]) {
      const own = ofTrial(levels, id);
      expect(own.map((record) => record.levelName), `trial #${id}`).toEqual(['s', 'm', 'full']);
      expect(own.map((record) => record.status)).toEqual(['scored', 'scored', 'scored']);
      expect(own.map((record) => record.metrics.resumed_from)).toEqual([0, 10, 30]);
      expect(own.map((record) => record.metrics.steps)).toEqual([10, 20, 70]);
      const resumed = events.filter((event) => event.trialId === id && event.type === 'trial.level_resumed').map((event) => event.data);
      expect(resumed).toEqual([
        { level: 1, levelName: 'm', from: 's', problem: null },
        { level: 2, levelName: 'full', from: 'm', problem: null },
      ]);
    }
    expect(trials.find((trial) => trial.id === 1)?.status).toBe('kept');
  });

  it('gives the checkpoint read-only in the sandbox, and whatever the run does to it, only its own artifacts are scored', () => {
    const writable = ofTrial(levels, 1).slice(1).map((record) => record.metrics.resume_writable);
    // Without a sandbox the run may scribble on its own kept checkpoint (size: 1000); the score never reads it.
    expect(writable).toEqual(bwrap ? [0, 0] : [1, 1]);
    expect(ofTrial(levels, 1).map((record) => record.metrics.size)).toEqual([10, 30, 100]);
  });

  it('stops a hostile checkpoint at the level that wrote it: a link to the held-out labels, a file over max_artifact_bytes', () => {
    const symlink = trials.find((trial) => trial.id === 2)!;
    expect(symlink.label).toBe('illegal_edit');
    expect(symlink.labelDetail).toMatch(/checkpoint\.json: a symbolic link/);
    const huge = trials.find((trial) => trial.id === 3)!;
    expect(huge.label).toBe('size_exceeded');
    for (const id of [2, 3]) {
      expect(ofTrial(levels, id).map((record) => record.levelName)).toEqual(['s']);
      expect(events.some((event) => event.trialId === id && (event.type === 'trial.promoted' || event.type === 'trial.level_resumed'))).toBe(false);
    }
  });

  it('keeps no level below once the level above is recorded', () => {
    expect(keptLevelFolders(repo.dir, 'ladder-resume')).toEqual([]);
  });

  it('shows the funnel in `autolab status`, a full run from scratch costed as every level together', async () => {
    const json = await runCli(['status', repo.dir, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const funnel = JSON.parse(json.stdout).fidelity as FidelityFunnel;
    expect(funnel.levels.map((level) => [level.name, level.measured, level.climbed, level.failed])).toEqual([
      ['s', 3, 1, 2],
      ['m', 1, 1, 0],
      ['full', 1, 1, 0],
    ]);
    const perRun = funnel.levels.reduce((sum, level) => sum + level.meanRunSeconds!, 0);
    expect(funnel.fullOnlySeconds).toBeCloseTo(3 * perRun, 6);
    const text = await runCli(['status', repo.dir]);
    expect(text.stdout).toMatch(/fidelity levels\n.*level\s+scale\s+measured/);
    expect(text.stdout).toMatch(/run time on the ladder: [\d.]+s · every screened trial at the full level alone: ~[\d.]+s/);
  });

  it('shows the levels in `autolab report` (Markdown and HTML)', async () => {
    const out = join(repo.dir, '..', `${repo.dir.split('/').at(-1)}-report`);
    const written = await runCli(['report', repo.dir, '--out', out]);
    expect(written.code, written.stderr).toBe(0);
    const markdown = readFileSync(join(out, 'report.md'), 'utf8');
    expect(markdown).toMatch(/## Fidelity levels\n\n\| level \| scale \| measured \| stopped \| failed \| waiting \| climbed \| best \| run time \| per run \|/);
    expect(markdown).toMatch(/\| s \| 0\.1 \| 3 \| 0 \| 2 \| 0 \| 1 \|/);
    expect(markdown).toMatch(/\| full \| 1 \| 1 \| 0 \| 0 \| 0 \| 1 \|/);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<h2>Fidelity levels <span class="note">the promotion funnel</span></h2>');
    await rm(out, { recursive: true, force: true });
  });
});

const stored = (dir: string) => storedStudy(dir, 'ladder-resume');

describe('a continued ladder whose driver is killed while a promoted run resumes', () => {
  it('resumes that level from the same checkpoint after the restart, charging only the increment', async () => {
    const repo = await makeRecipeRepo(FIXTURE);
    cleanups.push(repo.cleanup);
    const dir = repo.dir;
    // Slow steps (40 ms each: 0.4 s at s, 0.8 s more at m, 2.8 s more at full), so the kill lands inside a resumed run.
    // Unsandboxed, a run killed mid-level could have scribbled on its kept checkpoint (the
    // first test's probe): this one does not probe, as a well-behaved recipe would not.
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ x: 1, step_ms: 40, probe: false }, null, 2) + '\n');
    gitIn(dir, ['commit', '-qam', 'slow steps']);

    const { child, done } = startCli(['run', dir, '--trials', '4']);
    const before = await waitFor(async () => {
      const now = await stored(dir);
      // A trial whose run at a promoted level started from its checkpoint and is not measured yet.
      const resuming = now.events.filter((event) => event.type === 'trial.level_resumed' && event.trialId !== null && event.trialId > 0 && !now.levels.some((record) => record.trialId === event.trialId && record.level === (event.data as { level: number }).level));
      return resuming.length > 0 && { ...now, resuming };
    }, 240_000, 'a promoted run resuming from its checkpoint');
    child.kill('SIGKILL');
    await done;
    const killed = before.resuming.map((event) => ({ trialId: event.trialId!, level: (event.data as { level: number }).level }));

    const resumed = await runCli(['run', dir, '--trials', '1']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = await stored(dir);
    expect(after.trials.filter((trial) => trial.finishedAt === null)).toEqual([]);
    const size = [10, 30, 100];
    for (const { trialId, level } of killed) {
      expect(after.trials.find((trial) => trial.id === trialId)?.label, `trial #${trialId}`).not.toBe('interrupted');
      const record = after.levels.find((candidate) => candidate.trialId === trialId && candidate.level === level)!;
      expect(record.status).toBe('scored');
      // Resumed from the checkpoint of the level below, kept across the kill: only the increment ran.
      expect(record.metrics.resumed_from).toBe(size[level - 1]);
      expect(record.metrics.steps).toBe(size[level]! - size[level - 1]!);
    }
    expect(keptLevelFolders(dir, 'ladder-resume')).toEqual([]);
  }, 600_000);
});
