/**
 * `autolab failures [PATH] [--json]`: the study's failed trials grouped by cause (failure
 * signature), most frequent first: count, label, first and last trial, an example summary,
 * the recipe frame and which specialists hit it. `autolab status` shows the top of the same list.
 */
import { terminalText } from '../../core/terminal-text.ts';
import { causeSpan, failuresByCause, type FailureCause } from '../../views/failures-by-cause.ts';
import { hintCommand, withStudy, type StudyCommandOptions } from '../context.ts';
import { oneLine, palette, renderTable, useColor, type Palette } from '../format.ts';

export interface FailuresOptions extends StudyCommandOptions {
  json?: boolean;
  /** Only causes with this failure label. */
  label?: string;
}

function write(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

/** The failures-by-cause table (the `autolab status` section and `autolab failures`). */
export function renderFailureCauses(causes: readonly FailureCause[], colors: Palette, summaryWidth = 100): string {
  const rows = causes.map((cause) => [
    String(cause.count),
    colors.red(cause.label),
    causeSpan(cause),
    oneLine(cause.summary.startsWith(cause.label) ? cause.summary.slice(cause.label.length).trim() : cause.summary, summaryWidth),
  ]);
  return renderTable(['trials', 'label', 'first … last', 'example (latest)'], rows);
}

/** `autolab failures`: every cause of failure, with its trials. */
export async function failuresCommand(path: string, options: FailuresOptions): Promise<number> {
  return withStudy(path, options, {}, async (study) => {
    let causes = failuresByCause(await study.trials());
    if (options.label !== undefined) causes = causes.filter((cause) => cause.label === options.label);
    if (options.json) {
      write(JSON.stringify(causes, null, 2));
      return 0;
    }
    const c = palette(useColor(process.stdout));
    if (causes.length === 0) {
      write(`study '${study.name}': no failed trial${options.label !== undefined ? ` with label ${options.label}` : ''}`);
      return 0;
    }
    const failed = causes.reduce((sum, cause) => sum + cause.count, 0);
    write(c.bold(`study '${study.name}': ${failed} failed trial${failed === 1 ? '' : 's'}, ${causes.length} cause${causes.length === 1 ? '' : 's'}`));
    for (const cause of causes) {
      write('');
      write(`${c.bold(String(cause.count))} × ${c.red(cause.label)} ${terminalText(cause.summary.startsWith(cause.label) ? cause.summary.slice(cause.label.length).trim() : cause.summary)}`);
      write(c.dim(`  signature: ${terminalText(cause.signature)}`));
      if (cause.frame !== null) write(`  at ${terminalText(cause.frame.file)}:${cause.frame.line}${cause.frame.source !== null ? `  ${terminalText(cause.frame.source)}` : ''}`);
      write(`  trials: ${listIds(cause.trials)} · ${Object.entries(cause.specialists).map(([name, n]) => `${name} ${n}`).join(', ')}`);
    }
    write('');
    write(c.dim(`the latest of a cause in full: ${hintCommand(options, 'show', [String(causes[0]!.lastTrial)])}`));
    return 0;
  });
}

/** `#1 #4 #5`, or the first 5 and the last 5 with a count between. */
function listIds(ids: readonly number[]): string {
  if (ids.length <= 12) return ids.map((id) => `#${id}`).join(' ');
  return `${ids.slice(0, 5).map((id) => `#${id}`).join(' ')} … (${ids.length - 10} more) … ${ids.slice(-5).map((id) => `#${id}`).join(' ')}`;
}
