import { feedbackMarkdown } from './trial-feedback.ts';
import { formatNumber } from './gates.ts';
import type { LineageFailureCause } from './lineage-failures.ts';
import type { LineageEntry, LineageFeedback } from './lineage.ts';

function signed(value: number | null): string {
  if (value === null) return '—';
  return (value > 0 ? '+' : '') + formatNumber(value);
}

function outcome(entry: LineageEntry): string {
  if (entry.status === 'failed') return entry.label ?? 'failed';
  return entry.status;
}

/** A failed entry's cause (its summary, which starts with the label), else its outcome. */
function outcomeWithCause(entry: LineageEntry): string {
  if (entry.status === 'failed' && entry.cause) return oneLine(entry.cause, 110).replace(/\|/g, '\\|');
  return outcome(entry);
}

function oneLine(text: string, max = 140): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

/**
 * A table of entries; with `excerptsUnless`, the excerpt of each failing entry whose cause
 * has no block of its own (a cause with a block shows its traceback once, there).
 */
function table(entries: readonly LineageEntry[], excerptsUnless?: ReadonlySet<string>): string[] {
  const lines = ['| trial | parent | specialist | outcome | score | delta | hypothesis |', '|---|---|---|---|---|---|---|'];
  for (const entry of entries) {
    lines.push(
      `| #${entry.id} | ${entry.parent === null ? '—' : '#' + entry.parent} | ${entry.specialist} | ${outcomeWithCause(entry)} | ${entry.score === null ? '—' : formatNumber(entry.score)} | ${signed(entry.delta)} | ${oneLine(entry.hypothesis).replace(/\|/g, '\\|')} |`,
    );
  }
  if (excerptsUnless !== undefined) {
    const failing = entries.filter((entry) => entry.excerpt && (entry.signature === null || !excerptsUnless.has(entry.signature)));
    for (const entry of failing) {
      lines.push('', `#${entry.id} ${outcome(entry)}:`, '```', entry.excerpt, '```');
    }
    const laddered = entries.filter((entry) => entry.fidelity);
    if (laddered.length > 0) lines.push('', 'Fidelity levels (scores by level; only the last level makes incumbents):', ...laddered.map((entry) => `- #${entry.id}: ${entry.fidelity}`));
  }
  return lines;
}

function trialIds(ids: readonly number[], count: number): string {
  const shown = ids.map((id) => `#${id}`).join(' ');
  return count > ids.length ? `${shown} (the last ${ids.length} of ${count})` : shown;
}

/** One block per cause: count, trials, what hit it against the nearest trials that did not, the traceback once. */
function failureBlocks(failures: readonly LineageFailureCause[]): string[] {
  const out: string[] = [];
  for (const cause of failures) {
    const who = Object.entries(cause.specialists).map(([name, n]) => `${name} ${n}`).join(', ');
    out.push('', `### ${cause.count} × ${oneLine(cause.summary, 200)}`, '');
    out.push(`Trials: ${trialIds(cause.trials, cause.count)} (${who}). Signature: \`${cause.signature}\`.`);
    if (cause.hits.length > 0) {
      out.push('', 'Trials that hit it (newest first):');
      for (const hit of cause.hits) out.push(`- #${hit.id} ${hit.specialist}: ${hit.change}`);
    }
    if (cause.passes.length > 0) {
      out.push('', 'The nearest trials that did not (scored):');
      for (const pass of cause.passes) out.push(`- #${pass.id} ${pass.specialist} (${pass.status}, ${pass.score === null ? '—' : formatNumber(pass.score)}): ${pass.change}`);
    }
    if (cause.contrast.length > 0) {
      out.push('', 'Knob values that tell them apart:');
      for (const line of cause.contrast) out.push(`- ${line}`);
    }
    if (cause.excerpt) out.push('', `Latest output (#${cause.trials.at(-1)}):`, '```', cause.excerpt, '```');
  }
  return out;
}

/**
 * Renders the lineage feedback as Markdown, for agents and people. `autolab lineage`
 * prints exactly this.
 */
export function renderLineageMarkdown(feedback: LineageFeedback): string {
  const { objective } = feedback;
  const better = objective.direction === 'minimize' ? 'lower is better' : 'higher is better';
  const out: string[] = [];
  out.push(`# Lineage of study '${feedback.study}'`, '');
  out.push(`Objective: ${objective.direction} \`${objective.metric}\` (${better}).`);
  out.push(
    `Baseline #0: ${feedback.baseline.score === null ? 'not measured yet' : formatNumber(feedback.baseline.score)}${feedback.baseline.noise !== undefined ? ` (noise σ = ${formatNumber(feedback.baseline.noise)} over ${feedback.baseline.repeats} repeats)` : ''}. ` +
      `Incumbent #${feedback.incumbent.id}: ${feedback.incumbent.score === null ? '—' : formatNumber(feedback.incumbent.score)}` +
      (feedback.incumbent.deltaVsBaseline === null ? '' : ` (${signed(feedback.incumbent.deltaVsBaseline)} vs baseline)`) +
      '.',
  );
  if (feedback.parent) {
    const parent = feedback.parent;
    out.push(`Your starting point: trial #${parent.id} (${parent.score === null ? '—' : formatNumber(parent.score)}), chosen by the parent strategy \`${parent.strategy}\`${parent.island !== undefined ? ` for island ${parent.island}` : ''}: ${parent.reason}. Build on it.`);
  }
  if (feedback.controlArm) {
    out.push('', '_Control arm: only the incumbent score is shown._');
    return out.join('\n') + '\n';
  }
  const c = feedback.counts;
  const labels = Object.entries(c.byLabel).map(([label, n]) => `${label} ${n}`).join(', ');
  out.push(`Trials after the baseline: ${c.total} (${c.kept} kept, ${c.discarded} discarded, ${c.failed} failed, ${c.running} in flight)${labels ? `; failures: ${labels}` : ''}.`);

  out.push('', '## Path from baseline to incumbent', '');
  out.push(...table(feedback.chain));
  out.push('', '## Leaderboard (kept trials, best first)', '');
  out.push(...table(feedback.leaderboard));
  out.push('', '## Recent trials (all specialists, newest first)', '');
  const blocked = new Set(feedback.failures.map((cause) => cause.signature));
  out.push(...table(feedback.recent, blocked));
  if (feedback.failures.length > 0) {
    out.push('', '## Failures by cause (most frequent first)');
    out.push(...failureBlocks(feedback.failures));
  }
  if (feedback.own) {
    out.push('', `## Your recent trials (${feedback.own.specialist})`, '');
    out.push(...(feedback.own.recent.length > 0 ? table(feedback.own.recent) : ['None yet.']));
    if (feedback.own.saturationNote) out.push('', `**Saturation warning:** ${feedback.own.saturationNote}`);
  }
  if (feedback.runFeedback && feedback.runFeedback.length > 0) {
    out.push('', '## Run feedback (what the runs left beyond their score)', '');
    out.push(feedback.runFeedback.map((entry) => feedbackMarkdown(entry.trialId, entry.feedback)).join('\n\n'));
  }
  return out.join('\n') + '\n';
}
