/**
 * Technique cards and knob observations made from a study's trials, and the cards an llm
 * specialist of a later study is shown. Pure, apart from the knob values read by the
 * caller.
 */
import type { KnobSpec, TaskSpec } from '../core/task.ts';
import type { KnobPriorObservation, TechniqueCard } from '../core/technique-card.ts';
import type { TrialRecord } from '../core/trial.ts';
import { trialEffect, formatEffect, formatNumber } from '../core/trial-effect.ts';

const MAX_CARD_DIFF_CHARS = 6_000;
/** Cards shown in a first message, and the characters of diff each shows. */
const CARDS_SHOWN = 6;
const DIFF_SHOWN_CHARS = 1_200;

/**
 * The card of a kept trial that improved on its parent, or null (the baseline, a kept
 * trial without a measured parent, or one that did not move the objective the right way).
 *
 * @example
 * const card = cardFromTrial(trial, parent, task, { study: 'golf', fingerprint, knobs: { lr: 0.02 }, now });
 */
export function cardFromTrial(trial: TrialRecord, parent: TrialRecord | undefined, task: Pick<TaskSpec, 'objective'>, where: { study: string; fingerprint: string; knobs: TechniqueCard['knobs']; now: string; fidelity?: string | null }): TechniqueCard | null {
  if (trial.status !== 'kept' || trial.id === 0 || trial.score === null) return null;
  const effect = trialEffect(trial, parent, task.objective);
  if (effect === null || !effect.improves) return null;
  const diff = trial.diff ?? '';
  return {
    id: `${where.study}-${trial.id}`.replace(/[^A-Za-z0-9_.-]/g, '_'),
    study: where.study,
    trialId: trial.id,
    specialist: trial.specialist,
    fingerprint: where.fingerprint,
    metric: task.objective.metric,
    direction: task.objective.direction,
    summary: trial.hypothesis.split('\n')[0]!.slice(0, 500),
    diff: diff.length > MAX_CARD_DIFF_CHARS ? diff.slice(0, MAX_CARD_DIFF_CHARS) + '\n… (cut)' : diff,
    effect: effect.delta,
    effectLow: effect.low,
    effectHigh: effect.high,
    parentScore: parent!.score!,
    score: trial.score,
    fidelity: where.fidelity ?? null,
    knobs: where.knobs,
    createdAt: where.now,
  };
}

/** The knob observation of a measured trial (scored or failed), or null. */
export function knobObservationOf(trial: TrialRecord, knobs: readonly KnobSpec[], values: Record<string, string | number | boolean> | null, where: { study: string; fingerprint: string; task: Pick<TaskSpec, 'objective'> }): KnobPriorObservation | null {
  if (values === null || knobs.length === 0 || Object.keys(values).length === 0) return null;
  if (trial.status !== 'kept' && trial.status !== 'discarded' && trial.status !== 'failed') return null;
  if (trial.status === 'failed' && trial.label === 'infra_error') return null;
  const space: KnobPriorObservation['space'] = {};
  for (const knob of knobs) {
    space[knob.name] = { type: knob.type, ...(knob.low !== undefined ? { low: knob.low } : {}), ...(knob.high !== undefined ? { high: knob.high } : {}), ...(knob.log ? { log: true } : {}), ...(knob.choices ? { choices: knob.choices } : {}) };
  }
  return { study: where.study, trialId: trial.id, fingerprint: where.fingerprint, metric: where.task.objective.metric, direction: where.task.objective.direction, values, score: trial.status === 'failed' ? null : trial.score, space };
}

/**
 * The cards worth showing a study: those of its recipe family first, then those on the
 * same metric, best effect first within each; never its own.
 */
export function relevantCards(cards: readonly TechniqueCard[], where: { fingerprint: string; metric: string; study: string }): TechniqueCard[] {
  const relative = (card: TechniqueCard): number => Math.abs(card.effect) / Math.max(Math.abs(card.parentScore), 1e-12);
  return cards
    .filter((card) => card.study !== where.study && (card.fingerprint === where.fingerprint || card.metric === where.metric))
    .sort((a, b) => Number(b.fingerprint === where.fingerprint) - Number(a.fingerprint === where.fingerprint) || relative(b) - relative(a))
    .slice(0, CARDS_SHOWN);
}

/** The cards as a Markdown section for an llm specialist's first message ('' when none). */
export function renderCards(cards: readonly TechniqueCard[], fingerprint: string): string {
  if (cards.length === 0) return '';
  const lines = ['## Memory: what earlier studies measured', '', 'Technique cards from earlier studies (kept changes with their measured effect). They were measured elsewhere: a hint, not a result for this study.', ''];
  for (const card of cards) {
    const effect = formatEffect({ delta: card.effect, low: card.effectLow, high: card.effectHigh, improves: true });
    lines.push(`### ${card.id}: ${card.summary}`, '', `Study '${card.study}' trial #${card.trialId}${card.fingerprint === fingerprint ? ' (same recipe family)' : ''}: ${card.metric} ${formatNumber(card.parentScore)} → ${formatNumber(card.score)}, effect ${effect}.${card.knobs ? ` Knobs: ${JSON.stringify(card.knobs)}.` : ''}`, '');
    if (card.diff.trim() !== '') lines.push('```diff', card.diff.length > DIFF_SHOWN_CHARS ? card.diff.slice(0, DIFF_SHOWN_CHARS) + '\n… (cut)' : card.diff.trimEnd(), '```', '');
  }
  return lines.join('\n');
}
