/**
 * Each kind of hidden constraint learned by each knobs sampler, end to end on the small
 * real recipes of bench:failures (an int lattice, a memory ceiling on a product, failing
 * categorical pairs, a divergence edge, a size gate): every trial runs the recipe's
 * train.py as a real process through autolab's local executor and `classifyOutcome`, and
 * the specialist sees the trial records a study would store (label, detail, log excerpt).
 * From the failure signatures in the history each sampler built, the model must tell
 * value sets that violate the hidden constraint from those that satisfy it, and the rule
 * it reports must read the right knobs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_RECIPES, type FailureRecipe } from '../../bench/failures-recipes.ts';
import { runAutolabStudy } from '../../bench/failures-study.ts';
import { knobConstraintHolds } from '../../src/core/knob-constraint.ts';
import { LocalExecutor } from '../../src/executors/local/local-executor.ts';
import { compileSurfaceConstraints } from '../../src/specialists/knobs/declared-constraints.ts';
import { feasibilityGuard } from '../../src/specialists/knobs/feasibility-guard.ts';
import { createRandomSampler } from '../../src/specialists/knobs/random-sampler.ts';
import { mulberry32 } from '../../src/specialists/knobs/sampler-math.ts';

const TRIALS = 24;
let work = '';
const executor = new LocalExecutor();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'autolab-learn-failures-'));
});
afterAll(async () => rm(work, { recursive: true, force: true }));

/** What the learned rule must read (the notes line of the proposals). */
const RULES: Record<string, RegExp> = {
  lattice: /where (not \(d_model % n_heads == 0\)|d_model % n_heads != 0)/,
  memory: /oom MemoryError at .*train\.py: return bytes\(batch \* width \* SEQUENCE \* BYTES\) .* where [^;]*(batch|width)/,
  pairs: /where [^;]*(optimizer|schedule|precision)/,
  divergence: /crash FloatingPointError at .*train\.py: .* where [^;]*lr/,
  size: /gate_miss artifact_bytes <= 16000000 .* where [^;]*(depth|width|predicted artifact_bytes > 16000000)/,
};

/** The recipe as tested: the memory cap tighter than the bench's, so the ceiling is met within 24 trials. */
function recipeFor(name: string): FailureRecipe {
  const recipe = FAILURE_RECIPES.find((candidate) => candidate.name === name)!;
  return name === 'memory' ? { ...recipe, memoryBytes: 48 * 1024 * 1024, declared: ['batch * width <= 136000'] } : recipe;
}

/**
 * The learned chance to run, averaged over uniform value sets that violate the hidden
 * constraint (its `declared` form is the truth) and over those that satisfy it.
 */
function probe(recipe: FailureRecipe, chance: (values: Record<string, number | string | boolean>) => number): { violating: number; satisfying: number } {
  const truth = compileSurfaceConstraints({ name: recipe.name, knobs: recipe.knobs, constraints: recipe.declared });
  const draw = createRandomSampler({ globalProbability: 1, maxChanged: recipe.knobs.length });
  const random = mulberry32(5);
  const sums = { violating: 0, satisfying: 0 };
  const counts = { violating: 0, satisfying: 0 };
  for (let index = 0; index < 400; index += 1) {
    const values = draw.sample(recipe.knobs, [], {}, random);
    const side = truth.every((constraint) => knobConstraintHolds(constraint, values)) ? 'satisfying' : 'violating';
    sums[side] += chance(values);
    counts[side] += 1;
  }
  return { violating: sums.violating / counts.violating, satisfying: sums.satisfying / counts.satisfying };
}

const CASES = FAILURE_RECIPES.flatMap((recipe) => ['tpe', 'cmaes', 'random', 'auto'].map((sampler) => [recipe.name, sampler] as const));

describe('learning where trials fail, on real recipes', () => {
  it.each(CASES)('%s with the %s sampler', { timeout: 600_000 }, async (name, sampler) => {
    const recipe = recipeFor(name);
    const result = await runAutolabStudy(recipe, 1, TRIALS, { sampler, learn: true, declared: false, workDir: work, executor });
    expect(result.outcomes.some((outcome) => outcome !== null), 'the hidden constraint must be met, or there is nothing to learn').toBe(true);
    expect(result.learned ?? '').toMatch(RULES[name]!);
    const guard = feasibilityGuard(recipe.knobs, result.history, { direction: 'minimize' });
    const learned = probe(recipe, (values) => guard.chance(values));
    expect(learned.violating).toBeLessThan(0.75 * learned.satisfying);
    // The same history without learning tells nothing apart: the difference is learned.
    const blind = feasibilityGuard(recipe.knobs, result.history, { direction: 'minimize', learnFeasibility: false });
    expect(probe(recipe, (values) => blind.chance(values))).toEqual({ violating: 1, satisfying: 1 });
  });
});
