/**
 * Each kind of hidden constraint learned by each knobs sampler, end to end on the small
 * real recipes of bench:failures: every trial runs the recipe's train.py as a real
 * process through autolab's local executor and `classifyOutcome`; the specialist sees the
 * trial records a study would store (label, detail, log excerpt) and must learn, from the
 * failure signatures, where each cause strikes: the last half of the study fails rarely,
 * and the rule it reports reads the right knobs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_RECIPES } from '../../bench/failures-recipes.ts';
import { runAutolabStudy } from '../../bench/failures-study.ts';
import { LocalExecutor } from '../../src/executors/local/local-executor.ts';

const TRIALS = 24;
let work = '';
const executor = new LocalExecutor();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'autolab-learn-failures-'));
});
afterAll(async () => rm(work, { recursive: true, force: true }));

/** What the learned rule of each recipe must read (the notes line of the last proposal). */
const RULES: Record<string, RegExp> = {
  lattice: /where not \(d_model % n_heads == 0\)|where d_model % n_heads != 0/,
  memory: /oom MemoryError at .*train\.py: return bytes\(batch \* width \* SEQUENCE \* BYTES\) .* where (batch|width|\(batch, width\))/,
  pairs: /(optimizer|schedule|precision)/,
  divergence: /crash FloatingPointError at .*train\.py: .* where .*lr/,
  size: /gate_miss artifact_bytes <= 16000000 .* where .*(depth|width)/,
};

const CASES = FAILURE_RECIPES.flatMap((recipe) => ['tpe', 'cmaes', 'random', 'auto'].map((sampler) => [recipe.name, sampler] as const));

describe('learning where trials fail, on real recipes', () => {
  it.each(CASES)('%s with the %s sampler', { timeout: 600_000 }, async (name, sampler) => {
    const recipe = FAILURE_RECIPES.find((candidate) => candidate.name === name)!;
    const result = await runAutolabStudy(recipe, 1, TRIALS, { sampler, learn: true, declared: false, workDir: work, executor });
    const late = result.outcomes.slice(TRIALS / 2).filter((outcome) => outcome !== null).length;
    expect(result.learned ?? '').toMatch(RULES[name]!);
    expect(late).toBeLessThanOrEqual(3);
  });
});
