/**
 * One sequential search of `bench:samplers`, run through the knobs specialist itself:
 * each proposal goes through `createKnobsSpecialist(...).propose` over an in-memory recipe
 * (a `params.json` holding the knobs) and an in-memory trial list, exactly as in a study
 * (history read from notes and files, the incumbent as parent, the files edit applied).
 * Only git, the evaluator and the scheduler are left out: the score is the analytic
 * function of the knob values the edited recipe holds.
 */
import type { TrialRecord } from '../src/core/trial.ts';
import { readKnobValues } from '../src/specialists/knobs/knob-io.ts';
import { createKnobsSpecialist } from '../src/specialists/knobs/knobs-specialist.ts';
import { createRandomSampler } from '../src/specialists/knobs/random-sampler.ts';
import { mulberry32 } from '../src/specialists/knobs/sampler-math.ts';
import type { BenchFunction } from './samplers-functions.ts';
import { knobsProposalContext } from '../src/testing/knobs-context.ts';
import { knobsTask } from '../src/testing/knobs-task.ts';
import { makeSampledTrial } from '../src/testing/trial-fixture.ts';

export interface StudyResult {
  best: number;
  regret: number;
  /** Mean milliseconds per proposal (the specialist's whole propose call). */
  proposeMs: number;
}

/**
 * Runs `trials` evaluations (the baseline, a uniform random point drawn from `seed`, counts
 * as the first) with the named sampler; returns the best value found and its regret.
 */
export async function runSamplerStudy(fn: BenchFunction, sampler: string, seed: number, trials: number): Promise<StudyResult> {
  const { task, spec } = knobsTask({ name: `bench-${fn.name}`, knobs: fn.knobs, options: { sampler }, trials });
  const specialist = createKnobsSpecialist(spec, task);
  const random = mulberry32(0x5eed + seed * 7919);
  // The baseline recipe: a uniform random point (the same for every sampler of this seed).
  const start = createRandomSampler({ globalProbability: 1, maxChanged: fn.knobs.length }).sample(fn.knobs, [], {}, mulberry32(0xba5e + seed));
  const files = new Map<number, Record<string, string>>([[0, { 'params.json': `${JSON.stringify(start, null, 2)}\n` }]]);
  const baselineScore = fn.evaluate(start);
  const trialList: TrialRecord[] = [makeSampledTrial(0, { specialist: 'baseline', score: baselineScore, metrics: { value: baselineScore } })];
  let incumbent = trialList[0]!;
  let proposeMs = 0;
  const abort = new AbortController();
  for (let id = 1; id < trials; id += 1) {
    const context = knobsProposalContext({ task, trials: trialList, incumbent, readFile: async (trialId, path) => files.get(trialId)?.[path] ?? null, random, signal: abort.signal });
    const t0 = performance.now();
    const proposal = await specialist.propose(context);
    proposeMs += performance.now() - t0;
    if (proposal === null || proposal.edit.kind !== 'files') throw new Error(`${sampler} proposed nothing at trial ${id} of ${fn.name}`);
    const next = { ...files.get(incumbent.id)! };
    for (const [path, text] of Object.entries(proposal.edit.files)) if (text !== null) next[path] = text;
    files.set(id, next);
    const values = await readKnobValues(async (path) => next[path] ?? null, fn.knobs);
    const value = fn.evaluate(values);
    const kept = value < (incumbent.score as number);
    const trial = makeSampledTrial(id, { parent: incumbent.id, hypothesis: proposal.hypothesis, notes: proposal.notes ?? '', status: kept ? 'kept' : 'discarded', score: value, metrics: { value } });
    trialList.push(trial);
    if (kept) incumbent = trial;
  }
  const best = incumbent.score as number;
  return { best, regret: best - fn.optimum, proposeMs: proposeMs / (trials - 1) };
}
