/**
 * The knowledge base's Markdown, from its summaries: the best kept trials, each idea's
 * counts, best effect, saturation and newest trials, each failure signature's count and
 * newest trials. Whether the summaries come from every trial (`renderKnowledgeBase`) or
 * were kept up to date trial by trial (`KnowledgeState`), the text is made here. Pure.
 */
import { extractFailureSignature, type FailureSignature } from '../core/failure-signature.ts';
import type { StudyNote } from '../core/session-archive.ts';
import type { Objective } from '../core/task.ts';
import type { TrialRecord } from '../core/trial.ts';
import { formatEffect, formatNumber, type TrialEffect } from '../core/trial-effect.ts';

export type KnowledgeFiles = Record<'README.md' | 'leaderboard.md' | 'hypotheses.md' | 'failures.md' | 'notes.md', string>;

/** Tries in a row within the noise (or worse) after which an idea counts as saturated. */
export const SATURATION_TRIES = 3;
/** Kept trials the leaderboard shows (the best; the others are counted). */
export const LEADERBOARD_ROWS = 50;
/** Trials listed under an idea (its newest; the older ones are counted). */
export const IDEA_TRIAL_LINES = 20;
/** Trials listed under a failure signature (its newest). */
export const FAILURE_TRIAL_LINES = 5;
const MAX_HYPOTHESIS_CHARS = 160;

/** A leaderboard row: a kept trial and its effect against its parent (undefined: it has none). */
export interface LeaderboardRow {
  id: number;
  score: number;
  specialist: string;
  hypothesis: string;
  effect: TrialEffect | null | undefined;
}

/** One idea of the hypothesis tree. */
export interface IdeaSummary {
  idea: string;
  tried: number;
  kept: number;
  failed: number;
  best: { id: number; effect: TrialEffect } | null;
  saturated: boolean;
  /** The newest `IDEA_TRIAL_LINES` trials' lines, oldest first. */
  lines: string[];
}

/** One failure signature: its first trial's summary and label, its count, its newest trials' lines. */
export interface FailureSummary {
  signature: string;
  summary: string;
  label: string;
  count: number;
  lines: string[];
}

/** What the files are rendered from; `ideas` and `failures` in order of their first trial. */
export interface KnowledgeSummaries {
  study: string;
  objective: Objective;
  baselineScore: number | null;
  noise: number | null;
  leaderboard: { rows: LeaderboardRow[]; kept: number };
  ideas: IdeaSummary[];
  failures: FailureSummary[];
  notes: readonly StudyNote[];
}

export function short(text: string): string {
  const line = text.split('\n')[0]!.trim();
  return line.length > MAX_HYPOTHESIS_CHARS ? line.slice(0, MAX_HYPOTHESIS_CHARS - 1) + '…' : line;
}

export function better(objective: Objective, a: number, b: number): boolean {
  return objective.direction === 'minimize' ? a < b : a > b;
}

/** The noise of the baseline's repeats (their standard deviation), or null after fewer than two. */
export function baselineNoise(baseline: Pick<TrialRecord, 'repeats'> | undefined, metric: string): number | null {
  const values = (baseline?.repeats ?? []).map((repeat) => repeat.metrics[metric]).filter((value): value is number => typeof value === 'number');
  if (values.length < 2) return null;
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1));
}

/** True when the idea's newest measured effects (`SATURATION_TRIES` of them) did not improve beyond the noise. */
export function isSaturated(newest: readonly TrialEffect[], noise: number | null): boolean {
  return newest.length >= SATURATION_TRIES && newest.every((effect) => !effect.improves || Math.abs(effect.delta) <= (noise ?? 0));
}

function outcomeOf(trial: TrialRecord, effect: TrialEffect | null): string {
  if (trial.status === 'failed') return `failed: ${trial.label ?? 'unknown'}`;
  if (trial.status === 'pending' || trial.status === 'running') return trial.status;
  return `${trial.status}, ${formatEffect(effect)}`;
}

/** A trial's line under its idea. */
export function hypothesisTrialLine(trial: TrialRecord, effect: TrialEffect | null): string {
  const why = trial.status === 'failed' && trial.labelDetail ? ` — ${short(trial.labelDetail)}` : '';
  return `- #${trial.parent ?? '-'} → #${trial.id} (${trial.specialist}): ${short(trial.hypothesis)} — ${outcomeOf(trial, effect)}${why}`;
}

/** A failed trial's signature as the failures file groups it (from its label, detail and log), null when it did not fail or has no label. */
export function failureSignatureOf(trial: TrialRecord): FailureSignature | null {
  if (trial.status !== 'failed' || trial.label === null) return null;
  return extractFailureSignature({ label: trial.label, detail: trial.labelDetail, output: trial.logExcerpt });
}

/** A failed trial's line under its signature. */
export function failureTrialLine(trial: Pick<TrialRecord, 'id' | 'specialist' | 'hypothesis'>): string {
  return `- #${trial.id} (${trial.specialist}): ${short(trial.hypothesis)}`;
}

function leaderboard(input: KnowledgeSummaries): string {
  const { baselineScore: base, objective } = input;
  const lines = [`# Leaderboard of study '${input.study}'`, '', `Objective: ${objective.direction} \`${objective.metric}\`. Baseline #0: ${base !== null ? formatNumber(base) : 'not measured'}.`, ''];
  const { rows, kept } = input.leaderboard;
  if (rows.length === 0) return [...lines, '_Nothing kept yet._', ''].join('\n');
  lines.push('| rank | trial | score | vs baseline | vs parent | specialist | hypothesis |', '|---|---|---|---|---|---|---|');
  rows.forEach((row, index) => {
    const vsBaseline = base !== null ? formatNumber(row.score - base, true) : 'n/a';
    const vsParent = row.effect === undefined ? '' : formatEffect(row.effect);
    lines.push(`| ${index + 1} | #${row.id} | ${formatNumber(row.score)} | ${vsBaseline} | ${vsParent} | ${row.specialist} | ${short(row.hypothesis).replace(/\|/g, '\\|')} |`);
  });
  if (kept > rows.length) lines.push('', `_${kept - rows.length} more kept trials: \`autolab trials --status kept\`._`);
  return [...lines, ''].join('\n');
}

function hypotheses(input: KnowledgeSummaries): string {
  const { noise, objective } = input;
  const lines = [`# Hypothesis tree of study '${input.study}'`, '', `Ideas tried, each with its newest ${IDEA_TRIAL_LINES} trials (parent → trial, effect on the objective vs the parent with a 95% interval when repeats allow). Noise of the baseline: ${noise === null ? 'unknown (single runs)' : `±${formatNumber(noise)}`}.`, ''];
  if (input.ideas.length === 0) return [...lines, '_No trial yet._', ''].join('\n');
  const summaries = input.ideas.slice();
  summaries.sort((a, b) => b.kept - a.kept || (a.best && b.best ? (better(objective, a.best.effect.delta, b.best.effect.delta) ? -1 : 1) : a.best ? -1 : b.best ? 1 : 0));
  for (const group of summaries) {
    const facts = [`${group.tried} tried`, `${group.kept} kept`, `${group.failed} failed`];
    if (group.best) facts.push(`best ${formatEffect(group.best.effect)} (#${group.best.id})`);
    if (group.saturated) facts.push(`**saturated**: the last ${SATURATION_TRIES} tries did not improve beyond the noise`);
    lines.push(`## ${group.idea}`, '', facts.join(' · '), '');
    if (group.tried > group.lines.length) lines.push(`- … ${group.tried - group.lines.length} earlier trials`);
    lines.push(...group.lines, '');
  }
  return lines.join('\n');
}

function failures(input: KnowledgeSummaries): string {
  const lines = [`# Failures of study '${input.study}'`, '', 'Failed trials grouped by cause (failure signature), most frequent first.', ''];
  if (input.failures.length === 0) return [...lines, '_No trial failed._', ''].join('\n');
  for (const group of input.failures.slice().sort((a, b) => b.count - a.count)) {
    lines.push(`## ${group.label} × ${group.count}: ${short(group.summary)}`, '', `Signature: \`${group.signature}\``, '', ...group.lines, '');
  }
  return lines.join('\n');
}

function notes(input: KnowledgeSummaries): string {
  const lines = [`# Notes of study '${input.study}'`, '', 'Lessons specialists recorded (record_note), oldest first.', ''];
  if (input.notes.length === 0) return [...lines, '_No notes yet._', ''].join('\n');
  for (const note of input.notes) lines.push(`- ${note.at} **${note.author}**: ${note.text.replace(/\n+/g, ' ')}`);
  return [...lines, ''].join('\n');
}

/**
 * The knowledge base's files from its summaries.
 *
 * @example
 * const files = renderKnowledgeFiles(state.summaries({ study: 'golf', objective, baseline, unfinished, notes }));
 * files['README.md']; // '# Knowledge base of study \'golf\'\n…'
 */
export function renderKnowledgeFiles(input: KnowledgeSummaries): KnowledgeFiles {
  const files = { 'leaderboard.md': leaderboard(input), 'hypotheses.md': hypotheses(input), 'failures.md': failures(input), 'notes.md': notes(input) };
  const readme = [files['leaderboard.md'], files['hypotheses.md'], files['failures.md'], files['notes.md']].map((text) => text.replace(/^# /, '## ').replace(/\n## /g, '\n### ')).join('\n');
  return { 'README.md': `# Knowledge base of study '${input.study}'\n\nRegenerated after every trial from the lineage.\n\n${readme}`, ...files };
}
