import { formatNumber } from '../core/gates.ts';
import { terminalText } from '../core/terminal-text.ts';
import { failureLine } from '../core/trial-failure.ts';
import type { TrialRecord } from '../core/trial.ts';

/** Colours only on a terminal and when NO_COLOR is not set. */
export function palette(enabled: boolean) {
  const wrap = (code: number) => (text: string) => (enabled ? `\u001b[${code}m${text}\u001b[0m` : text);
  return { bold: wrap(1), dim: wrap(2), red: wrap(31), green: wrap(32), yellow: wrap(33), cyan: wrap(36) };
}

export type Palette = ReturnType<typeof palette>;

export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && process.env.NO_COLOR === undefined;
}

/** A plain text table with aligned columns. */
export function renderTable(headers: string[], rows: string[][]): string {
  const width = headers.map((header, column) => Math.max(visibleLength(header), ...rows.map((row) => visibleLength(row[column] ?? ''))));
  const line = (cells: string[]) => cells.map((cell, column) => cell + ' '.repeat(width[column]! - visibleLength(cell))).join('  ').trimEnd();
  return [line(headers), line(width.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

export function formatScore(score: number | null): string {
  return score === null ? '—' : formatNumber(score);
}

export function formatDelta(delta: number | null): string {
  if (delta === null) return '—';
  return (delta > 0 ? '+' : '') + formatNumber(delta);
}

/** `kept`, `discarded`, or the failure label. */
export function outcomeText(trial: TrialRecord, colors: Palette): string {
  switch (trial.status) {
    case 'kept':
      return colors.green('kept');
    case 'discarded':
      return colors.dim(trial.label ? `discarded (${trial.label})` : 'discarded');
    case 'failed':
      return colors.red(trial.label ?? 'failed');
    default:
      return colors.cyan(trial.status);
  }
}

/** `text` on one line of at most `max` characters, without terminal control sequences (it may come from a trial or a model). */
export function oneLine(text: string, max: number): string {
  const flat = terminalText(text).replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

/**
 * A failed trial's outcome with its cause on one line (`crash AssertionError at model.py:66
 * assert d_model % n_heads == 0`, the label coloured), at most `max` characters; other
 * trials as `outcomeText`.
 */
export function outcomeWithCause(trial: TrialRecord, colors: Palette, max = 120): string {
  const summary = failureLine(trial);
  if (summary === null) return outcomeText(trial, colors);
  const label = trial.label ?? 'failed';
  const text = oneLine(summary, max);
  return text.startsWith(label) ? colors.red(label) + text.slice(label.length) : `${colors.red(label)} ${text}`;
}
