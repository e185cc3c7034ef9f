/**
 * The study's knowledge base, regenerated from the lineage after every trial: what a
 * researcher (or a specialist, through `read_knowledge`) reads to know where the study
 * stands. Pure: trials and notes in, Markdown files out.
 *
 * - `leaderboard.md`: the kept trials, best first, with their effect on the baseline;
 * - `hypotheses.md`: the hypothesis tree: every idea tried, its trials under it (each
 *   with its parent, effect and confidence), how many failed and why, what is saturated;
 * - `failures.md`: failed trials grouped by failure signature (their cause);
 * - `notes.md`: the notes specialists recorded, attributed and timestamped;
 * - `README.md`: all of the above in one file (what `read_knowledge` returns).
 */
import { extractFailureSignature } from '../core/failure-signature.ts';
import type { StudyNote } from '../core/session-archive.ts';
import type { Objective } from '../core/task.ts';
import type { TrialRecord } from '../core/trial.ts';
import { ideaOf } from './idea-groups.ts';
import { formatEffect, formatNumber, trialEffect, type TrialEffect } from '../core/trial-effect.ts';

export interface KnowledgeInput {
  study: string;
  objective: Objective;
  trials: readonly TrialRecord[];
  notes: readonly StudyNote[];
}

export type KnowledgeFiles = Record<'README.md' | 'leaderboard.md' | 'hypotheses.md' | 'failures.md' | 'notes.md', string>;

/** Tries in a row within the noise (or worse) after which an idea counts as saturated. */
const SATURATION_TRIES = 3;
const MAX_HYPOTHESIS_CHARS = 160;

function short(text: string): string {
  const line = text.split('\n')[0]!.trim();
  return line.length > MAX_HYPOTHESIS_CHARS ? line.slice(0, MAX_HYPOTHESIS_CHARS - 1) + '…' : line;
}

function better(objective: Objective, a: number, b: number): boolean {
  return objective.direction === 'minimize' ? a < b : a > b;
}

function leaderboard(input: KnowledgeInput, byId: Map<number, TrialRecord>): string {
  const baseline = byId.get(0);
  const kept = input.trials.filter((trial) => trial.status === 'kept' && trial.score !== null).sort((a, b) => (better(input.objective, a.score!, b.score!) ? -1 : better(input.objective, b.score!, a.score!) ? 1 : a.id - b.id));
  const lines = [`# Leaderboard of study '${input.study}'`, '', `Objective: ${input.objective.direction} \`${input.objective.metric}\`. Baseline #0: ${baseline?.score !== null && baseline?.score !== undefined ? formatNumber(baseline.score) : 'not measured'}.`, ''];
  if (kept.length === 0) return [...lines, '_Nothing kept yet._', ''].join('\n');
  lines.push('| rank | trial | score | vs baseline | vs parent | specialist | hypothesis |', '|---|---|---|---|---|---|---|');
  kept.forEach((trial, index) => {
    const vsBaseline = baseline?.score !== null && baseline?.score !== undefined ? formatNumber(trial.score! - baseline.score, true) : 'n/a';
    const vsParent = trial.parent === null ? '' : formatEffect(trialEffect(trial, byId.get(trial.parent), input.objective));
    lines.push(`| ${index + 1} | #${trial.id} | ${formatNumber(trial.score!)} | ${vsBaseline} | ${vsParent} | ${trial.specialist} | ${short(trial.hypothesis).replace(/\|/g, '\\|')} |`);
  });
  return [...lines, ''].join('\n');
}

function outcomeOf(trial: TrialRecord, effect: TrialEffect | null): string {
  if (trial.status === 'failed') return `failed: ${trial.label ?? 'unknown'}`;
  if (trial.status === 'pending' || trial.status === 'running') return trial.status;
  return `${trial.status}, ${formatEffect(effect)}`;
}

function hypotheses(input: KnowledgeInput, byId: Map<number, TrialRecord>): string {
  const groups = new Map<string, TrialRecord[]>();
  for (const trial of input.trials) {
    if (trial.id === 0) continue;
    const idea = ideaOf(trial);
    groups.set(idea, [...(groups.get(idea) ?? []), trial]);
  }
  const noise = baselineNoise(byId.get(0), input.objective.metric);
  const lines = [`# Hypothesis tree of study '${input.study}'`, '', `Ideas tried, each with its trials (parent → trial, effect on the objective vs the parent with a 95% interval when repeats allow). Noise of the baseline: ${noise === null ? 'unknown (single runs)' : `±${formatNumber(noise)}`}.`, ''];
  if (groups.size === 0) return [...lines, '_No trial yet._', ''].join('\n');
  const summaries = [...groups.entries()].map(([idea, trials]) => {
    const effects = trials.map((trial) => ({ trial, effect: trial.parent === null ? null : trialEffect(trial, byId.get(trial.parent), input.objective) }));
    const measured = effects.filter((entry) => entry.effect !== null);
    const best = measured.reduce<(typeof measured)[number] | null>((top, entry) => (top === null || better(input.objective, entry.effect!.delta, top.effect!.delta) ? entry : top), null);
    const last = measured.slice(-SATURATION_TRIES);
    const saturated = last.length >= SATURATION_TRIES && last.every((entry) => !entry.effect!.improves || Math.abs(entry.effect!.delta) <= (noise ?? 0));
    return { idea, trials, effects, best, saturated, kept: trials.filter((trial) => trial.status === 'kept').length, failed: trials.filter((trial) => trial.status === 'failed').length };
  });
  summaries.sort((a, b) => b.kept - a.kept || (a.best && b.best ? (better(input.objective, a.best.effect!.delta, b.best.effect!.delta) ? -1 : 1) : a.best ? -1 : b.best ? 1 : 0));
  for (const group of summaries) {
    const facts = [`${group.trials.length} tried`, `${group.kept} kept`, `${group.failed} failed`];
    if (group.best) facts.push(`best ${formatEffect(group.best.effect)} (#${group.best.trial.id})`);
    if (group.saturated) facts.push(`**saturated**: the last ${SATURATION_TRIES} tries did not improve beyond the noise`);
    lines.push(`## ${group.idea}`, '', facts.join(' · '), '');
    for (const { trial, effect } of group.effects) {
      const why = trial.status === 'failed' && trial.labelDetail ? ` — ${short(trial.labelDetail)}` : '';
      lines.push(`- #${trial.parent ?? '-'} → #${trial.id} (${trial.specialist}): ${short(trial.hypothesis)} — ${outcomeOf(trial, effect)}${why}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

function baselineNoise(baseline: TrialRecord | undefined, metric: string): number | null {
  const values = (baseline?.repeats ?? []).map((repeat) => repeat.metrics[metric]).filter((value): value is number => typeof value === 'number');
  if (values.length < 2) return null;
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1));
}

function failures(input: KnowledgeInput): string {
  const groups = new Map<string, { summary: string; label: string; trials: TrialRecord[] }>();
  for (const trial of input.trials) {
    if (trial.status !== 'failed' || trial.label === null) continue;
    const signature = extractFailureSignature({ label: trial.label, detail: trial.labelDetail, output: trial.logExcerpt });
    const group = groups.get(signature.signature) ?? { summary: signature.summary, label: trial.label, trials: [] };
    group.trials.push(trial);
    groups.set(signature.signature, group);
  }
  const lines = [`# Failures of study '${input.study}'`, '', 'Failed trials grouped by cause (failure signature), most frequent first.', ''];
  if (groups.size === 0) return [...lines, '_No trial failed._', ''].join('\n');
  for (const [signature, group] of [...groups.entries()].sort((a, b) => b[1].trials.length - a[1].trials.length)) {
    lines.push(`## ${group.label} × ${group.trials.length}: ${short(group.summary)}`, '', `Signature: \`${signature}\``, '');
    for (const trial of group.trials.slice(-5)) lines.push(`- #${trial.id} (${trial.specialist}): ${short(trial.hypothesis)}`);
    lines.push('');
  }
  return lines.join('\n');
}

function notes(input: KnowledgeInput): string {
  const lines = [`# Notes of study '${input.study}'`, '', 'Lessons specialists recorded (record_note), oldest first.', ''];
  if (input.notes.length === 0) return [...lines, '_No notes yet._', ''].join('\n');
  for (const note of input.notes) lines.push(`- ${note.at} **${note.author}**: ${note.text.replace(/\n+/g, ' ')}`);
  return [...lines, ''].join('\n');
}

/**
 * The knowledge base's files.
 *
 * @example
 * const files = renderKnowledgeBase({ study: 'golf', objective, trials, notes });
 * files['hypotheses.md']; // '# Hypothesis tree of study \'golf\'\n…## warmup\n\n3 tried · 1 kept …'
 */
export function renderKnowledgeBase(input: KnowledgeInput): KnowledgeFiles {
  const byId = new Map(input.trials.map((trial) => [trial.id, trial]));
  const files = { 'leaderboard.md': leaderboard(input, byId), 'hypotheses.md': hypotheses(input, byId), 'failures.md': failures(input), 'notes.md': notes(input) };
  const readme = [files['leaderboard.md'], files['hypotheses.md'], files['failures.md'], files['notes.md']].map((text) => text.replace(/^# /, '## ').replace(/\n## /g, '\n### ')).join('\n');
  return { 'README.md': `# Knowledge base of study '${input.study}'\n\nRegenerated after every trial from the lineage.\n\n${readme}`, ...files };
}
