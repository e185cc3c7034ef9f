/**
 * Writes `autolab: NAME` marker comments onto the lines that hold the values of scanned
 * knobs (Python and TOML sources), so that a `marker` knob finds each value: the marker
 * knob reads the first literal of the knob's kind on the marked line. When another
 * literal of that kind comes first (`add_argument('--act', default='relu')`: the flag
 * is a string too), the call is split before `default=` so the value leads its own line.
 * Every placement is checked by reading the knob back, and by writing another value and
 * reading that back; a knob whose value cannot be found that way is left out, with why.
 */
import type { KnobSpec } from '../core/task.ts';
import { readKnobFromText, writeKnobToText } from '../specialists/knobs/knob-io.ts';
import { knobValueEquals, normaliseKnobValue, type KnobValue } from '../specialists/knobs/knob-value.ts';
import type { FoundParameter } from './found-parameter.ts';

/** A knob to mark: the parameter found on `parameter.line`, declared as `knob` (with `marker`). */
export interface MarkerPlan {
  parameter: FoundParameter;
  knob: KnobSpec & { marker: string };
}

export interface MarkerResult {
  text: string;
  /** Knobs whose marker is in place (0-based line of the value in the new text). */
  placed: Array<{ name: string; line: number; split: boolean }>;
  failed: Array<{ name: string; reason: string }>;
}

/** The comment that starts a marker in a file of this name: `#` for Python/TOML/YAML/shell, `//` otherwise. */
export function markerComment(file: string): string {
  return /\.(py|pyi|toml|ya?ml|sh|bash|r|R|jl|rb|pl|cfg|ini|conf|mk)$|(^|\/)(Makefile|Dockerfile)$/.test(file) ? '#' : '//';
}

/** Reads the knob; null when it cannot be read. */
function tryRead(text: string, knob: KnobSpec): KnobValue | null {
  try {
    return readKnobFromText(text, knob);
  } catch {
    return null;
  }
}

/** Another value of the knob, for the write-and-read-back check. */
export function probeValue(knob: KnobSpec, value: KnobValue): KnobValue {
  if (knob.type === 'categorical') return (knob.choices ?? []).find((choice) => !knobValueEquals(choice, value)) ?? value;
  const numeric = typeof value === 'number' ? value : 0;
  const low = knob.low ?? numeric - 1;
  const high = knob.high ?? numeric + 1;
  const middle = knob.type === 'int' ? Math.round((low + high) / 2) : knob.log && low > 0 ? Math.sqrt(low * high) : (low + high) / 2;
  return knobValueEquals(middle, numeric) ? (knob.type === 'int' ? Math.round(high) : high) : middle;
}

/**
 * True when the knob reads `value` from `text`, and a write of another value reads back
 * as that value while changing only one line.
 */
export function knobRoundTrips(text: string, knob: KnobSpec, value: KnobValue): boolean {
  const read = tryRead(text, knob);
  if (read === null || !knobValueEquals(normaliseKnobValue(knob, read), normaliseKnobValue(knob, value))) return false;
  const other = probeValue(knob, value);
  try {
    const written = writeKnobToText(text, knob, other);
    const before = text.split('\n');
    const after = written.split('\n');
    const changed = after.length === before.length ? after.filter((line, index) => line !== before[index]).length : Infinity;
    return changed <= 1 && knobValueEquals(normaliseKnobValue(knob, readKnobFromText(written, knob)), normaliseKnobValue(knob, other));
  } catch {
    return false;
  }
}

function withMarker(line: string, comment: string, marker: string): string {
  return `${line.trimEnd()}  ${comment} autolab: ${marker}`;
}

/**
 * Places the markers of `plans` in `text` (a file named `file`); lines are edited from
 * the bottom up so that a split line never moves a value not yet marked.
 */
export function writeMarkers(text: string, file: string, plans: readonly MarkerPlan[]): MarkerResult {
  const comment = markerComment(file);
  let lines = text.split('\n');
  const placed: MarkerResult['placed'] = [];
  const failed: MarkerResult['failed'] = [];
  const ordered = [...plans].sort((a, b) => (b.parameter.line ?? 0) - (a.parameter.line ?? 0));
  for (const { parameter, knob } of ordered) {
    const row = parameter.line;
    if (row === undefined || lines[row] === undefined) {
      failed.push({ name: knob.name, reason: 'no line to mark' });
      continue;
    }
    const line = lines[row]!;
    const existing = /autolab:[ \t]*([A-Za-z0-9._-]+)/.exec(line);
    if (existing && existing[1] !== knob.marker) {
      failed.push({ name: knob.name, reason: `its line already carries the marker '${existing[1]}'` });
      continue;
    }
    if (/\\\s*$/.test(line)) {
      failed.push({ name: knob.name, reason: 'its line continues with a backslash: a comment cannot end it' });
      continue;
    }
    const candidates: Array<{ lines: string[]; line: number; split: boolean }> = [];
    candidates.push({ lines: [...lines.slice(0, row), existing ? line : withMarker(line, comment, knob.marker), ...lines.slice(row + 1)], line: row, split: false });
    const at = parameter.splitAt;
    if (!existing && at !== undefined && line.slice(0, at).trim() !== '' && comment === '#') {
      const indent = `${/^\s*/.exec(line)![0]}    `;
      candidates.push({ lines: [...lines.slice(0, row), line.slice(0, at).trimEnd(), withMarker(indent + line.slice(at).trimStart(), comment, knob.marker), ...lines.slice(row + 1)], line: row + 1, split: true });
    }
    const fits = candidates.find((candidate) => knobRoundTrips(candidate.lines.join('\n'), knob, parameter.value));
    if (!fits) {
      const kind = knob.type === 'categorical' ? 'literal of its kind' : 'number';
      failed.push({ name: knob.name, reason: `the value is not the first ${kind} on its line (line ${row + 1}), so a marker cannot point at it; add the knob by hand` });
      continue;
    }
    if (fits.split) for (const earlier of placed) earlier.line += 1;
    lines = fits.lines;
    placed.push({ name: knob.name, line: fits.line, split: fits.split });
  }
  return { text: lines.join('\n'), placed: placed.reverse(), failed };
}
