/**
 * Groups trials by idea, for the hypothesis tree: a knobs trial by the knobs it changed,
 * any other by the first technique its hypothesis names (a fixed vocabulary of
 * training-recipe ideas), else by the files its diff touched. Pure.
 */
import type { TrialRecord } from '../core/trial.ts';

/** Technique words, each with the idea it names (first match wins). */
const IDEAS: ReadonlyArray<[RegExp, string]> = [
  [/\bwarm-?up\b/i, 'warmup'],
  [/\b(?:lr|learning[ -]rate)\b/i, 'learning rate'],
  [/\b(?:schedule|cosine|decay to|annealing|one-?cycle)\b/i, 'schedule'],
  [/\bweight[ _-]decay\b/i, 'weight decay'],
  [/\b(?:adam\w*|sgd|momentum|muon|lion|optimi[sz]er)\b/i, 'optimizer'],
  [/\bbatch(?:[ _-]size)?\b/i, 'batch size'],
  [/\b(?:dropout|regulari[sz]\w*)\b/i, 'regularisation'],
  [/\b(?:fp16|bf16|mixed precision|precision|amp)\b/i, 'precision'],
  [/\b(?:width|depth|layers?|heads?|d_model|hidden|architecture)\b/i, 'architecture'],
  [/\b(?:norm|layernorm|rmsnorm|batchnorm)\b/i, 'normalisation'],
  [/\b(?:init\w*)\b/i, 'initialisation'],
  [/\b(?:augment\w*|data|shuffle|curriculum|tokeni[sz]\w*)\b/i, 'data'],
  [/\b(?:compile|kernel|fus\w+|cache|threads?|throughput)\b/i, 'systems'],
];

/** The changed knobs of a knobs specialist's hypothesis (`knobs: lr 0.1 -> 0.2, width 8 -> 16 (...)`). */
function knobNames(hypothesis: string): string[] | null {
  const match = /^knobs: (.*?)(?: \(|$)/.exec(hypothesis);
  if (!match) return null;
  return match[1]!.split(', ').map((change) => change.split(' ')[0]!).filter((name) => name !== '').sort();
}

/** Paths a unified diff touches. */
export function diffPaths(diff: string | null): string[] {
  if (!diff) return [];
  const paths = new Set<string>();
  for (const match of diff.matchAll(/^\+\+\+ b\/(.+)$/gm)) paths.add(match[1]!.trim());
  return [...paths].sort();
}

/**
 * The idea a trial tried.
 *
 * @example
 * ideaOf({ hypothesis: 'knobs: lr 0.1 -> 0.2 (tpe search ...)', diff }); // 'knobs: lr'
 * ideaOf({ hypothesis: 'add a linear warmup of 200 steps', diff });       // 'warmup'
 */
export function ideaOf(trial: Pick<TrialRecord, 'hypothesis' | 'diff'>): string {
  const knobs = knobNames(trial.hypothesis);
  if (knobs && knobs.length > 0) return `knobs: ${knobs.join(', ')}`;
  for (const [pattern, idea] of IDEAS) if (pattern.test(trial.hypothesis)) return idea;
  const paths = diffPaths(trial.diff);
  return paths.length > 0 ? `edits to ${paths.slice(0, 3).join(', ')}${paths.length > 3 ? ', …' : ''}` : 'other';
}
