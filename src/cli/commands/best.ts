/**
 * `autolab best`: the incumbent as a whole, not only its last step: its score against
 * the baseline, every knob's value at both (and the chain step that set it), the chain
 * of steps from the baseline, and the cumulative diff against the baseline.
 */
import { terminalText } from '../../core/terminal-text.ts';
import { formatNumber } from '../../core/gates.ts';
import { trialToJson, type TrialRecord } from '../../core/trial.ts';
import type { Study } from '../../engine/open-study.ts';
import { formatKnobValue } from '../../../web/plots/index.js';
import { diffStat, incumbentConfiguration, type IncumbentConfiguration } from '../../views/incumbent-config.ts';
import { chainTo } from '../../views/lineage-view.ts';
import { knobsOfTask } from '../../views/study-knobs.ts';
import { TrialKnobValues } from '../../views/trial-knob-values.ts';
import { formatDelta, formatScore, oneLine, palette, renderTable, useColor } from '../format.ts';

/** The cumulative diff is printed in full up to this many lines. */
const PATCH_LINES = 200;

export interface IncumbentReport {
  incumbent: TrialRecord;
  baseline: TrialRecord | null;
  chain: TrialRecord[];
  configuration: IncumbentConfiguration | null;
  /** The diff from the baseline's commit to the incumbent's (null when the private repo cannot be read). */
  patch: string | null;
  files: Array<{ path: string; added: number; removed: number }>;
}

/** Gathers what `best` shows about `incumbent`. */
export async function incumbentReport(study: Study, incumbent: TrialRecord): Promise<IncumbentReport> {
  const trials = await study.trials();
  const byId = new Map(trials.map((trial) => [trial.id, trial]));
  const chain = chainTo(byId.get(incumbent.id) ?? incumbent, byId);
  const workspace = await study.workspace().catch(() => null);
  const knobs = knobsOfTask(study.record.taskJson);
  const values = await new TrialKnobValues(knobs, workspace ? (requests, known) => workspace.readFilesAt(requests, known) : null).read(chain);
  const patch = workspace && incumbent.commit && incumbent.id !== 0 ? await workspace.exportPatch(incumbent.commit).then((exported) => exported.patch).catch(() => null) : incumbent.id === 0 ? '' : null;
  return {
    incumbent,
    baseline: byId.get(0) ?? null,
    chain,
    configuration: knobs.length > 0 ? incumbentConfiguration(knobs, chain, values) : null,
    patch,
    files: patch ? diffStat(patch) : [],
  };
}

/** The JSON of `best --json` (documented in docs/json.md). */
export function incumbentJson(report: IncumbentReport): Record<string, unknown> {
  const { incumbent, baseline } = report;
  return {
    ...trialToJson(incumbent),
    baselineScore: baseline?.score ?? null,
    chain: report.chain.map((trial, i) => ({ id: trial.id, specialist: trial.specialist, score: trial.score, delta: i > 0 && trial.score !== null && report.chain[i - 1]!.score !== null ? trial.score - report.chain[i - 1]!.score! : null, hypothesis: trial.hypothesis })),
    configuration: report.configuration?.rows ?? null,
    diffVsBaseline: report.patch === null ? null : { files: report.files, patch: report.patch },
  };
}

/** The text of `best`. */
export function renderIncumbentReport(report: IncumbentReport, metric: string, exportHint: string): string {
  const c = palette(useColor(process.stdout));
  const { incumbent, baseline, chain } = report;
  const delta = incumbent.score !== null && baseline?.score != null ? incumbent.score - baseline.score : null;
  const lines = [c.bold(`#${incumbent.id} ${metric} = ${formatScore(incumbent.score)}`) + ` (${formatDelta(delta)} vs baseline ${formatScore(baseline?.score ?? null)}) · ${chain.length - 1} steps from the baseline`];
  const config = report.configuration;
  if (config) {
    lines.push('', c.bold(`configuration: ${config.changed} of ${config.rows.length} knobs changed`));
    const rows = config.rows.map((row) => [row.knob, formatKnobValue(row.baseline), row.changed ? c.yellow(formatKnobValue(row.incumbent)) : formatKnobValue(row.incumbent), row.setBy !== null ? `#${row.setBy}` : row.changed ? '?' : '']);
    lines.push(indent(renderTable(['knob', 'baseline #0', `incumbent #${incumbent.id}`, 'set by'], rows)));
  }
  lines.push('', c.bold('chain from the baseline:'));
  const chainRows = chain.map((trial, i) => {
    const before = i > 0 ? chain[i - 1]!.score : null;
    return [`#${trial.id}`, trial.specialist, formatScore(trial.score), i > 0 && trial.score !== null && before !== null ? formatDelta(trial.score - before) : '—', oneLine(trial.hypothesis, 70)];
  });
  lines.push(indent(renderTable(['trial', 'specialist', metric, 'Δ', 'hypothesis'], chainRows)));
  lines.push('');
  if (report.patch === null) lines.push(c.dim('cumulative diff: the private repo cannot be read here; each step\'s diff is in `autolab show N`'));
  else if (report.patch === '') lines.push('cumulative diff: none (the incumbent is the baseline)');
  else {
    const added = report.files.reduce((sum, file) => sum + file.added, 0);
    const removed = report.files.reduce((sum, file) => sum + file.removed, 0);
    lines.push(c.bold(`cumulative diff against the baseline: ${report.files.length} files, +${added} −${removed}`));
    const width = Math.max(...report.files.map((file) => file.path.length));
    for (const file of report.files) lines.push(`  ${file.path.padEnd(width)}  ${c.green(`+${file.added}`)} ${c.red(`−${file.removed}`)}`);
    const patch = terminalText(report.patch).replace(/\n$/, '').split('\n');
    lines.push('', ...patch.slice(0, PATCH_LINES));
    if (patch.length > PATCH_LINES) lines.push(c.dim(`… ${patch.length - PATCH_LINES} more lines (${formatNumber(patch.length)} in all): ${exportHint}`));
  }
  lines.push('', `export it: ${exportHint}`);
  return lines.join('\n');
}

function indent(text: string): string {
  return text.split('\n').map((line) => '  ' + line).join('\n');
}
