/**
 * `marker` knobs in any source file: the line carrying the comment text
 * `autolab: <marker>` holds the value as the first literal before the marker:
 *
 *     const width = 64; // autolab: width
 *     LR = -1.5e-3  # autolab: lr
 *     ACTIVATION = 'relu'  # autolab: activation   (categorical: first quoted string)
 *
 * Float and int knobs take the first numeric literal (`64`, `-0.5`, `1e-3`, `1_000`, `0.5f`
 * keeps its suffix); categorical knobs the first literal of the kind their choices have
 * (quoted strings, written back with the same quotes; numbers; booleans, keeping the
 * file's capitalisation: `True`, `true`, `TRUE`).
 */
import type { KnobSpec } from '../../core/task.ts';
import { knobError } from './knob-error.ts';
import { formatKnobNumber, type KnobValue } from './knob-value.ts';

type MarkerKnob = KnobSpec & { marker: string };

/** A literal found on a marker line: its kind, span within the line and value. */
export interface LineLiteral {
  kind: 'number' | 'string' | 'boolean';
  start: number;
  end: number;
  value: KnobValue;
  /** The quote character of a string literal. */
  quote?: string;
  /** The literal as written. */
  text: string;
}

/** Reads a `marker` knob's value from source text. Throws a KnobError naming what to fix. */
export function readMarkerKnob(text: string, knob: MarkerKnob): KnobValue {
  return findKnobLiteral(text, knob).literal.value;
}

/** Writes a `marker` knob's value into source text; only the literal's span changes. */
export function writeMarkerKnob(text: string, knob: MarkerKnob, value: KnobValue): string {
  const { lineStart, literal } = findKnobLiteral(text, knob);
  const start = lineStart + literal.start;
  let replacement = renderLiteral(knob, literal, value);
  // `n -1` rewritten as `n --0.5` would read as a decrement: keep the operators apart.
  if (replacement.startsWith('-') && /[-+]$/.test(text.slice(0, start))) replacement = ` ${replacement}`;
  return text.slice(0, start) + replacement + text.slice(lineStart + literal.end);
}

function findKnobLiteral(text: string, knob: MarkerKnob): { lineStart: number; literal: LineLiteral } {
  const pattern = new RegExp(`autolab:[ \\t]*${escapeRegExp(knob.marker)}(?![\\w.-])`);
  const hits: Array<{ lineNumber: number; lineStart: number; line: string; markerAt: number }> = [];
  let lineStart = 0;
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const found = pattern.exec(line);
    if (found !== null) hits.push({ lineNumber: index + 1, lineStart, line, markerAt: found.index });
    lineStart += line.length + 1;
  });
  const example = knob.type === 'categorical' ? `ACTIVATION = 'relu'  # autolab: ${knob.marker}` : `const width = 64; // autolab: ${knob.marker}`;
  const [hit, ...others] = hits;
  if (hit === undefined) {
    throw knobError(knob, `no line carries the comment 'autolab: ${knob.marker}'`, `add the comment at the end of the line that holds the value, e.g. \`${example}\``);
  }
  if (others.length > 0) {
    throw knobError(knob, `the marker is on several lines (${hits.map((h) => h.lineNumber).join(', ')})`, 'keep it on exactly one line, or give each line its own marker and knob');
  }
  const wanted = wantedKinds(knob);
  const literal = scanLineLiterals(hit.line.slice(0, hit.markerAt)).find((candidate) => wanted.has(candidate.kind));
  if (literal === undefined) {
    const what = [...wanted].map((kind) => (kind === 'string' ? 'quoted string' : kind)).join(' or ');
    throw knobError(knob, `line ${hit.lineNumber} (\`${hit.line.trim()}\`) has no ${what} literal before the marker`, `write the value as a literal on that line, before the comment, e.g. \`${example}\``);
  }
  return { lineStart: hit.lineStart, literal };
}

/** Which literal kinds a knob reads: numbers for float/int, the kinds of its choices otherwise. */
function wantedKinds(knob: KnobSpec): Set<LineLiteral['kind']> {
  if (knob.type !== 'categorical') return new Set(['number']);
  const kinds = new Set<LineLiteral['kind']>();
  for (const choice of knob.choices ?? []) kinds.add(typeof choice === 'string' ? 'string' : typeof choice === 'number' ? 'number' : 'boolean');
  return kinds.size === 0 ? new Set(['string']) : kinds;
}

function renderLiteral(knob: MarkerKnob, literal: LineLiteral, value: KnobValue): string {
  if (typeof value === 'number') return formatKnobNumber(value, knob.type);
  if (typeof value === 'boolean') {
    const word = String(value);
    if (/^[A-Z]+$/.test(literal.text)) return word.toUpperCase();
    if (/^[A-Z]/.test(literal.text)) return word[0]!.toUpperCase() + word.slice(1);
    return word;
  }
  const quote = literal.quote ?? '"';
  return quote + value.replace(/\\/g, '\\\\').split(quote).join(`\\${quote}`) + quote;
}

const NUMBER = /(?:0[xX][0-9a-fA-F][0-9a-fA-F_]*|0[bB][01][01_]*|0[oO][0-7][0-7_]*|(?:\d[\d_]*(?:\.(?:\d[\d_]*|(?![A-Za-z_$])))?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?)/y;
const IDENTIFIER = /[A-Za-z_$][\w$]*/y;
const BOOLEAN_WORDS = new Set(['true', 'false', 'True', 'False', 'TRUE', 'FALSE']);

/**
 * The literals of one line of code, left to right: numbers (with a unary minus when one
 * directly precedes them in operand position), quoted strings, boolean words. Identifiers
 * are skipped whole, so `conv2d` or `x1` hold no number; numbers inside strings are not
 * numbers.
 */
export function scanLineLiterals(line: string): LineLiteral[] {
  const literals: LineLiteral[] = [];
  /** True after something a binary operator could follow (identifier, literal, `)`, `]`). */
  let afterOperand = false;
  let position = 0;
  while (position < line.length) {
    const char = line[position] as string;
    if (char === ' ' || char === '\t' || char === '\r') {
      position += 1;
      continue;
    }
    if (char === '"' || char === "'" || char === '`') {
      const end = findClosingQuote(line, position);
      if (end < 0) {
        position += 1;
        afterOperand = false;
        continue;
      }
      const raw = line.slice(position + 1, end);
      literals.push({ kind: 'string', start: position, end: end + 1, value: raw.replace(/\\(.)/g, '$1'), quote: char, text: line.slice(position, end + 1) });
      position = end + 1;
      afterOperand = true;
      continue;
    }
    IDENTIFIER.lastIndex = position;
    const word = IDENTIFIER.exec(line);
    if (word !== null) {
      if (BOOLEAN_WORDS.has(word[0])) {
        literals.push({ kind: 'boolean', start: position, end: IDENTIFIER.lastIndex, value: word[0].toLowerCase() === 'true', text: word[0] });
      }
      position = IDENTIFIER.lastIndex;
      afterOperand = true;
      continue;
    }
    NUMBER.lastIndex = position;
    const number = /[\d.]/.test(char) ? NUMBER.exec(line) : null;
    if (number !== null) {
      const negative = !afterOperand && line[position - 1] === '-' && !isOperandBefore(line, position - 1);
      const start = negative ? position - 1 : position;
      const digits = number[0].replace(/_/g, '');
      const magnitude = /^0[bBoOxX]/.test(digits) ? Number(digits) : Number(digits.endsWith('.') ? `${digits}0` : digits);
      literals.push({ kind: 'number', start, end: NUMBER.lastIndex, value: negative ? -magnitude : magnitude, text: line.slice(start, NUMBER.lastIndex) });
      position = NUMBER.lastIndex;
      afterOperand = true;
      continue;
    }
    afterOperand = char === ')' || char === ']' || char === '}';
    position += 1;
  }
  return literals;
}

/** Whether the text before `index` ends (ignoring spaces) in an operand, making `-` binary. */
function isOperandBefore(line: string, index: number): boolean {
  const before = line.slice(0, index).trimEnd();
  return /[\w$)\]'"`]$/.test(before);
}

function findClosingQuote(line: string, open: number): number {
  const quote = line[open];
  for (let index = open + 1; index < line.length; index += 1) {
    if (line[index] === '\\') index += 1;
    else if (line[index] === quote) return index;
  }
  return -1;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
