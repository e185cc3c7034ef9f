/**
 * One study of `bench:warmstart`, run through the knobs specialist itself (its propose,
 * history read from notes and files, edits applied to an in-memory `params.json`), each
 * trial's score measured by the recipe's own process (one per study,
 * `python3 bench/warmstart-recipes.py --serve FUNCTION`, a line of params per trial). With `priors`, the
 * specialist's context carries them as memory does (`knowledge.knobPriors`), so the
 * warm start is the same code a study with `memory: { use: true }` runs.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { StudyKnowledgeAccess } from '../src/core/specialist.ts';
import type { KnobSpec } from '../src/core/task.ts';
import type { KnobPriorObservation } from '../src/core/technique-card.ts';
import type { TrialRecord } from '../src/core/trial.ts';
import { readKnobValues } from '../src/specialists/knobs/knob-io.ts';
import { createKnobsSpecialist } from '../src/specialists/knobs/knobs-specialist.ts';
import { mulberry32 } from '../src/specialists/knobs/sampler-math.ts';
import { knobsProposalContext } from '../src/testing/knobs-context.ts';
import { knobsTask } from '../src/testing/knobs-task.ts';
import { makeSampledTrial } from '../src/testing/trial-fixture.ts';

const RECIPES = join(import.meta.dirname, 'warmstart-recipes.py');

export const WARMSTART_KNOBS: KnobSpec[] = [
  { name: 'lr', file: 'params.json', key: 'lr', type: 'float', low: 1e-4, high: 1, log: true },
  { name: 'width', file: 'params.json', key: 'width', type: 'int', low: 16, high: 512, log: true },
  { name: 'dropout', file: 'params.json', key: 'dropout', type: 'float', low: 0, high: 0.5 },
];
/** The recipe's defaults (the baseline of every study). */
export const DEFAULTS = { lr: 0.01, width: 90, dropout: 0.25 };

/** The recipe of one study as one process (`--serve`): a line of params in, a line with the value out. */
function startRecipe(fn: string, python: string): { measure(params: Record<string, unknown>): Promise<number>; close(): void } {
  const child = spawn(python, [RECIPES, '--serve', fn], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  return {
    measure: (params) =>
      new Promise((resolve) => {
        waiting.push((line) => resolve((JSON.parse(line) as { value: number }).value));
        child.stdin!.write(JSON.stringify(params) + '\n');
      }),
    close: () => child.stdin!.end(),
  };
}

export interface WarmstartStudyResult {
  /** Every trial's values and score, in order (the baseline first). */
  trials: Array<{ values: Record<string, string | number | boolean>; score: number }>;
  /** 1-based trial at which the score first came within `target` (the baseline is trial 1), or null. */
  trialsToTarget: number | null;
  /** Milliseconds per proposal. */
  proposeMs: number;
}

/**
 * A study of `trials` trials on recipe `fn`; stops early once the best score is at most `target`.
 *
 * @example
 * const source = await runWarmstartStudy('shifted_a', { seed: 0, trials: 40, target: -Infinity });
 */
export async function runWarmstartStudy(fn: string, options: { seed: number; trials: number; target: number; priors?: KnobPriorObservation[]; python: string }): Promise<WarmstartStudyResult> {
  const { task, spec } = knobsTask({ name: fn, knobs: WARMSTART_KNOBS, options: { sampler: 'tpe' }, trials: options.trials });
  const specialist = createKnobsSpecialist(spec, task);
  const random = mulberry32(0x5eed + options.seed * 7919);
  const recipe = startRecipe(fn, options.python);
  const knowledge: StudyKnowledgeAccess | undefined = options.priors
    ? { recordNote: async () => { throw new Error('not used'); }, read: async () => '', memoryCards: async () => '', knobPriors: async () => options.priors! }
    : undefined;
  try {
    const files = new Map<number, string>([[0, `${JSON.stringify(DEFAULTS, null, 2)}\n`]]);
    const baselineScore = await recipe.measure(DEFAULTS);
    const list: TrialRecord[] = [makeSampledTrial(0, { specialist: 'baseline', score: baselineScore, metrics: { value: baselineScore } })];
    const trials: WarmstartStudyResult['trials'] = [{ values: { ...DEFAULTS }, score: baselineScore }];
    let incumbent = list[0]!;
    let trialsToTarget: number | null = baselineScore <= options.target ? 1 : null;
    let proposeMs = 0;
    const abort = new AbortController();
    for (let id = 1; id < options.trials && trialsToTarget === null; id += 1) {
      const context = knobsProposalContext({ task, trials: list, incumbent, readFile: async (trialId, path) => (path === 'params.json' ? (files.get(trialId) ?? null) : null), random, signal: abort.signal, ...(knowledge ? { knowledge } : {}) });
      const t0 = performance.now();
      const proposal = await specialist.propose(context);
      proposeMs += performance.now() - t0;
      if (proposal === null || proposal.edit.kind !== 'files') throw new Error(`nothing proposed at trial ${id} of ${fn}`);
      const text = proposal.edit.files['params.json'] ?? files.get(incumbent.id)!;
      files.set(id, text);
      const values = await readKnobValues(async () => text, WARMSTART_KNOBS);
      const score = await recipe.measure(values);
      trials.push({ values, score });
      const kept = score < (incumbent.score as number);
      const trial = makeSampledTrial(id, { parent: incumbent.id, hypothesis: proposal.hypothesis, notes: proposal.notes ?? '', status: kept ? 'kept' : 'discarded', score, metrics: { value: score } });
      list.push(trial);
      if (kept) incumbent = trial;
      if (score <= options.target) trialsToTarget = id + 1;
    }
    return { trials, trialsToTarget, proposeMs: proposeMs / Math.max(1, list.length - 1) };
  } finally {
    recipe.close();
  }
}

/** The trials of a finished study as the knob observations memory would hold. */
export function asPriors(study: string, trials: WarmstartStudyResult['trials']): KnobPriorObservation[] {
  const space = Object.fromEntries(WARMSTART_KNOBS.map((knob) => [knob.name, { type: knob.type, low: knob.low!, high: knob.high!, ...(knob.log ? { log: true } : {}) }]));
  return trials.map((trial, index) => ({ study, trialId: index, fingerprint: 'bench', metric: 'value', direction: 'minimize', values: trial.values, score: trial.score, space }));
}
