import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { islandOf } from '../../src/core/parent-strategy.ts';
import type { TrialRecord } from '../../src/core/trial.ts';
import { openScriptedStudy, type ScriptedStudy } from '../../src/testing/loopback-llm/scripted-study.ts';
import { fixtureTaskHead } from '../../src/testing/fixture-recipe-task.ts';

/**
 * Parent strategies in a full study over the fixture recipe (loss (x - 3)^2, baseline x
 * 0), with a scripted program-search agent (a `command` specialist): it reads x at the
 * parent it was given, moves it by a random step and says which starting point the
 * lineage named. Under `islands` the trials spread over the islands, each grows from the
 * baseline by its own trials, and the agent is told its parent and why.
 */
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');
const TRIALS = 9;

const STEP_AGENT = `
import { readFileSync, writeFileSync } from 'node:fs';
const lineage = readFileSync(process.env.AUTOLAB_LINEAGE_FILE, 'utf8');
const x = JSON.parse(readFileSync('config.json', 'utf8')).x;
const step = Math.round((Math.random() * 3 - 1) * 1000) / 1000 || 0.5;
writeFileSync('config.json', JSON.stringify({ x: Math.round((x + step) * 1000) / 1000 }) + '\\n');
const start = /Your starting point: trial #(\\d+)/.exec(lineage);
writeFileSync(process.env.AUTOLAB_HYPOTHESIS_FILE, JSON.stringify({ hypothesis: 'x += ' + step + ' from ' + x, notes: 'told to start at ' + (start ? '#' + start[1] : 'nothing') }));
`;

function taskYaml(agent: string, parents: string): string {
  return [
    ...fixtureTaskHead({ timeout: '30s' }),
    'surfaces:',
    '  recipe: { paths: [config.json] }',
    'specialists:',
    `  - { name: searcher, kind: command, surface: recipe, command: "node ${agent}", parents: ${parents} }`,
    'parallel: 1',
  ].join('\n');
}

/** The island's trials' parents: the baseline or trials of the same island. */
function parentsWithin(trials: readonly TrialRecord[], island: number): boolean {
  const members = new Set(trials.filter((trial) => islandOf(trial) === island).map((trial) => trial.id));
  return trials.filter((trial) => islandOf(trial) === island).every((trial) => trial.parent === 0 || members.has(trial.parent!));
}

describe('parent strategies on a scripted program-search agent', () => {
  let scripts: string;
  let islands: ScriptedStudy;

  beforeAll(async () => {
    scripts = await mkdtemp(join(tmpdir(), 'autolab-parents-'));
    await writeFile(join(scripts, 'step.mjs'), STEP_AGENT);
    islands = await openScriptedStudy(FIXTURE, () => taskYaml(join(scripts, 'step.mjs'), '{ strategy: islands, islands: 3, migration: 0 }'));
  });

  afterAll(async () => {
    await islands?.close();
    await rm(scripts, { recursive: true, force: true });
  });

  it('spreads the trials over the islands, each grown from the baseline by its own trials, and tells the agent its parent', async () => {
    await islands.drive(islands.specialists('searcher'), { trials: TRIALS });
    const trials = (await islands.trials()).filter((trial) => trial.id !== 0);
    expect(trials).toHaveLength(TRIALS);
    const counts = [0, 1, 2].map((island) => trials.filter((trial) => islandOf(trial) === island).length);
    expect(counts).toEqual([3, 3, 3]);
    for (const island of [0, 1, 2]) expect(parentsWithin(trials, island), `island ${island}`).toBe(true);
    // The first trial of every island starts from the baseline: three lineages, not one.
    expect(trials.slice(0, 3).map((trial) => trial.parent)).toEqual([0, 0, 0]);
    for (const trial of trials) {
      expect(trial.notes).toContain(`told to start at #${trial.parent}`);
      expect(trial.notes).toMatch(new RegExp(`parent #${trial.parent} by strategy islands \\[island \\d\\]: island \\d of 3`));
    }
  });
});
