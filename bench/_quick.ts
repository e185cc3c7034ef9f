import { hypervolume } from '../src/core/hypervolume.ts';
import { seededRandom } from '../src/core/random.ts';
import type { KnobObservation } from '../src/specialists/knobs/knob-sampler.ts';
import { createNsga2Sampler } from '../src/specialists/knobs/nsga2-sampler.ts';
import { withParetoRanking } from '../src/specialists/knobs/pareto-ranking.ts';
import { createTpeSampler } from '../src/specialists/knobs/tpe-sampler.ts';
import { PARETO_PROBLEMS } from '../bench/pareto-problems.ts';
const which = process.argv[2] ?? 'tpe';
const trials = 100;
for (const problem of PARETO_PROBLEMS) {
  const hvs: number[] = [];
  const t0 = Date.now();
  for (let seed = 0; seed < 5; seed++) {
    const sampler = which === 'nsga2' ? createNsga2Sampler() : withParetoRanking(createTpeSampler());
    const random = seededRandom(seed + 1);
    const objectives = Array.from({ length: problem.objectives }, (_, k) => ({ metric: `f${k}`, direction: 'minimize' as const }));
    const history: KnobObservation[] = [];
    const incumbent = Object.fromEntries(problem.knobs.map((k) => [k.name, 0.5]));
    const losses: number[][] = [];
    for (let t = 0; t < trials; t++) {
      const values = sampler.sample(problem.knobs, history, incumbent, random, { direction: 'minimize', objectives, primaryMetric: 'f0' });
      const x = problem.knobs.map((k) => values[k.name] as number);
      const f = problem.evaluate(x);
      losses.push(f);
      history.push({ trialId: t + 1, values, status: 'kept', score: f[0]!, metrics: Object.fromEntries(f.map((v, k) => [`f${k}`, v])) });
    }
    hvs.push(hypervolume(losses, problem.reference));
  }
  hvs.sort((a, b) => a - b);
  console.log(problem.name, which, 'median', hvs[2]!.toFixed(4), hvs.map((h) => h.toFixed(3)).join(' '), `${((Date.now() - t0) / 5000).toFixed(1)}s/run`);
}
