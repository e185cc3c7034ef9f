/** Text views of the lineage for an agent's tools: one trial in full, the leaderboard. */
import { formatNumber } from '../../core/gates.ts';
import type { LineageFeedback } from '../../core/lineage.ts';
import type { TrialRecord } from '../../core/trial.ts';

const MAX_DIFF_CHARS = 12_000;
const MAX_LOG_CHARS = 3_000;

/** Everything recorded about one trial that helps the next proposal: outcome, metrics, detail, log, diff. */
export function showTrial(trial: TrialRecord, parent: TrialRecord | null): string {
  const outcome = trial.status === 'failed' ? `failed: ${trial.label}` : trial.status;
  const delta = trial.score !== null && parent?.score != null ? ` (${trial.score - parent.score >= 0 ? '+' : ''}${formatNumber(trial.score - parent.score)} vs parent)` : '';
  const lines = [
    `# Trial #${trial.id} [${trial.specialist}] ${outcome}`,
    `parent: ${trial.parent === null ? '—' : `#${trial.parent}`}`,
    `hypothesis: ${trial.hypothesis}`,
  ];
  if (trial.notes) lines.push(`notes: ${trial.notes}`);
  lines.push(`score: ${trial.score === null ? '—' : formatNumber(trial.score)}${delta}`);
  const metrics = Object.entries(trial.metrics);
  if (metrics.length > 0) lines.push(`metrics: ${metrics.map(([name, value]) => `${name}=${formatNumber(value)}`).join(', ')}`);
  if (trial.label) lines.push('', `label detail (${trial.label}):`, '```', (trial.labelDetail ?? '').trim(), '```');
  if (trial.logExcerpt.trim()) {
    const log = trial.logExcerpt.trim();
    lines.push('', 'log excerpt:', '```', log.length > MAX_LOG_CHARS ? '…' + log.slice(-MAX_LOG_CHARS) : log, '```');
  }
  if (trial.diff) {
    lines.push('', 'diff against its parent:', '```diff', trial.diff.length > MAX_DIFF_CHARS ? trial.diff.slice(0, MAX_DIFF_CHARS) + '\n… (diff cut)' : trial.diff.trimEnd(), '```');
  } else if (trial.id !== 0) lines.push('', 'diff: (none recorded)');
  return lines.join('\n');
}

/** The kept trials, best first, as a Markdown table. */
export function leaderboardText(lineage: LineageFeedback): string {
  const rows = lineage.leaderboard;
  const head = `Objective: ${lineage.objective.direction} ${lineage.objective.metric}. Baseline #0: ${lineage.baseline.score === null ? '—' : formatNumber(lineage.baseline.score)}. Incumbent #${lineage.incumbent.id}: ${lineage.incumbent.score === null ? '—' : formatNumber(lineage.incumbent.score)}.`;
  if (rows.length === 0) return `${head}\nNo kept trials yet besides the baseline.`;
  const table = ['| rank | trial | parent | specialist | score | delta | hypothesis |', '|---|---|---|---|---|---|---|'];
  rows.forEach((row, index) => {
    const hypothesis = row.hypothesis.replace(/\s+/g, ' ').replace(/\|/g, '\\|').slice(0, 140);
    table.push(`| ${index + 1} | #${row.id} | ${row.parent === null ? '—' : `#${row.parent}`} | ${row.specialist} | ${row.score === null ? '—' : formatNumber(row.score)} | ${row.delta === null ? '—' : formatNumber(row.delta)} | ${hypothesis} |`);
  });
  return `${head}\n\n${table.join('\n')}`;
}
