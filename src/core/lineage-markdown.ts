import { formatNumber } from './gates.ts';
import type { LineageEntry, LineageFeedback } from './lineage.ts';

function signed(value: number | null): string {
  if (value === null) return '—';
  return (value > 0 ? '+' : '') + formatNumber(value);
}

function outcome(entry: LineageEntry): string {
  if (entry.status === 'failed') return entry.label ?? 'failed';
  return entry.status;
}

function oneLine(text: string, max = 140): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

function table(entries: readonly LineageEntry[], withExcerpt: boolean): string[] {
  const lines = ['| trial | parent | specialist | outcome | score | delta | hypothesis |', '|---|---|---|---|---|---|---|'];
  for (const entry of entries) {
    lines.push(
      `| #${entry.id} | ${entry.parent === null ? '—' : '#' + entry.parent} | ${entry.specialist} | ${outcome(entry)} | ${entry.score === null ? '—' : formatNumber(entry.score)} | ${signed(entry.delta)} | ${oneLine(entry.hypothesis).replace(/\|/g, '\\|')} |`,
    );
  }
  if (withExcerpt) {
    const failing = entries.filter((entry) => entry.excerpt);
    for (const entry of failing) {
      lines.push('', `#${entry.id} ${outcome(entry)}:`, '```', entry.excerpt, '```');
    }
    const laddered = entries.filter((entry) => entry.fidelity);
    if (laddered.length > 0) lines.push('', 'Fidelity levels (scores by level; only the last level makes incumbents):', ...laddered.map((entry) => `- #${entry.id}: ${entry.fidelity}`));
  }
  return lines;
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
  if (feedback.controlArm) {
    out.push('', '_Control arm: only the incumbent score is shown._');
    return out.join('\n') + '\n';
  }
  const c = feedback.counts;
  const labels = Object.entries(c.byLabel).map(([label, n]) => `${label} ${n}`).join(', ');
  out.push(`Trials after the baseline: ${c.total} (${c.kept} kept, ${c.discarded} discarded, ${c.failed} failed, ${c.running} in flight)${labels ? `; failures: ${labels}` : ''}.`);

  out.push('', '## Path from baseline to incumbent', '');
  out.push(...table(feedback.chain, false));
  out.push('', '## Leaderboard (kept trials, best first)', '');
  out.push(...table(feedback.leaderboard, false));
  out.push('', '## Recent trials (all specialists, newest first)', '');
  out.push(...table(feedback.recent, true));
  if (feedback.own) {
    out.push('', `## Your recent trials (${feedback.own.specialist})`, '');
    out.push(...(feedback.own.recent.length > 0 ? table(feedback.own.recent, false) : ['None yet.']));
    if (feedback.own.saturationNote) out.push('', `**Saturation warning:** ${feedback.own.saturationNote}`);
  }
  return out.join('\n') + '\n';
}
