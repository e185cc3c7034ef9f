/**
 * Units of a diff for ablation: each hunk of a modified text file is one unit; a new,
 * deleted or binary file, or one whose mode changes, is one unit as a whole. From a
 * diff and a choice of units this file builds (a) the diff with only those units
 * (`selectUnits`, forward) and (b) the patch that removes them again from the diff's
 * new side (`removalPatch`), with hunk positions re-numbered so git applies them exactly.
 */
import { createHash } from 'node:crypto';
import { formatFileLines, formatHunkHeader, type FilePatch, type Hunk, type ParsedDiff } from '../shared/unified-diff.ts';

/** One removable part of a diff. */
export interface DiffUnit {
  /** Position among all units of the diff (0-based). */
  index: number;
  /** Position of its file in `ParsedDiff.files`. */
  file: number;
  path: string;
  /** The hunk's position in its file (0-based); null for a whole-file unit. */
  hunk: number | null;
  /** Hunks in the file (1 for a whole-file unit). */
  hunksInFile: number;
  /** Why the file is one unit, when it is: `new file`, `deleted file`, `binary`, `mode change`. */
  wholeFile: string | null;
  /**
   * Stable identity of the change, independent of line numbers and context (a hash of
   * the path and the changed lines), so that a unit is recognised after other units
   * were removed from the recipe.
   */
  key: string;
  /** The first changed line (added, else removed), trimmed, for people. */
  firstChangedLine: string;
  /** False when no removal patch can be built (a binary diff without its reverse data). */
  reversible: boolean;
}

/**
 * The units of a parsed diff, in diff order.
 *
 * @example
 * diffUnits(parseUnifiedDiff(diff)).map(describeUnit);
 * // ['hunk 1/2 of train.py (lr = 0.1)', 'hunk 2/2 of train.py (…)', 'all of data/new.bin (binary)']
 */
export function diffUnits(parsed: ParsedDiff): DiffUnit[] {
  const units: DiffUnit[] = [];
  parsed.files.forEach((file, fileIndex) => {
    const whole = wholeFileReason(file);
    if (whole !== null) {
      const changed = [...file.headerLines.filter((line) => !line.startsWith('index ')), ...(file.binaryLines ?? []), ...file.hunks.flatMap((hunk) => hunk.lines.filter(isChange))];
      units.push({
        index: units.length,
        file: fileIndex,
        path: file.path,
        hunk: null,
        hunksInFile: 1,
        wholeFile: whole,
        key: keyOf(file.path, changed),
        firstChangedLine: firstChanged(file.hunks),
        reversible: file.binaryLines === null || binaryBlocks(file.binaryLines) !== null,
      });
      return;
    }
    file.hunks.forEach((hunk, hunkIndex) => {
      units.push({
        index: units.length,
        file: fileIndex,
        path: file.path,
        hunk: hunkIndex,
        hunksInFile: file.hunks.length,
        wholeFile: null,
        key: keyOf(file.path, hunk.lines.filter(isChange)),
        firstChangedLine: firstChanged([hunk]),
        reversible: true,
      });
    });
  });
  return units;
}

/** `hunk 2/5 of train.py (lr = 0.1)` or `all of lib/new.js (new file)`. */
export function describeUnit(unit: DiffUnit): string {
  const line = unit.firstChangedLine ? ` (${unit.firstChangedLine})` : '';
  if (unit.hunk === null) return `all of ${unit.path} (${unit.wholeFile}${unit.firstChangedLine ? `: ${unit.firstChangedLine}` : ''})`;
  return `hunk ${unit.hunk + 1}/${unit.hunksInFile} of ${unit.path}${line}`;
}

/**
 * The diff with only `keep` of its units (the others left out), hunk positions
 * re-numbered against the same old side. Selecting every unit gives the input back.
 */
export function selectUnits(parsed: ParsedDiff, keep: readonly DiffUnit[]): string {
  const chosen = new Set(keep.map((unit) => unit.index));
  const lines: string[] = [];
  for (const [fileIndex, file] of parsed.files.entries()) {
    const units = unitsOfFile(parsed, fileIndex);
    const kept = units.filter((unit) => chosen.has(unit.index));
    if (kept.length === 0) continue;
    if (kept.length === units.length) {
      lines.push(...formatFileLines(file));
      continue;
    }
    lines.push(...file.headerLines.filter((line) => !line.startsWith('index ')));
    let shift = 0; // lines the kept hunks so far add to the new side
    for (const unit of kept) {
      const hunk = file.hunks[unit.hunk!]!;
      const newStart = startAfter(before(hunk.oldStart, hunk.oldCount) + shift, hunk.newCount);
      lines.push(newStart === hunk.newStart ? hunk.header : formatHunkHeader(hunk.oldStart, hunk.oldCount, newStart, hunk.newCount, hunk.section), ...hunk.lines);
      shift += hunk.newCount - hunk.oldCount;
    }
  }
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

/**
 * A patch against the diff's new side that removes `remove` (and leaves every other
 * unit in place): the reverse of those units, positioned exactly. Whole-file units are
 * reversed whole (a new file is deleted, a deleted one restored, binary data swapped).
 * Returns '' when nothing is to be removed; skips units that are not reversible.
 */
export function removalPatch(parsed: ParsedDiff, remove: readonly DiffUnit[]): string {
  const chosen = new Set(remove.filter((unit) => unit.reversible).map((unit) => unit.index));
  const lines: string[] = [];
  for (const [fileIndex, file] of parsed.files.entries()) {
    const units = unitsOfFile(parsed, fileIndex);
    const removed = units.filter((unit) => chosen.has(unit.index));
    if (removed.length === 0) continue;
    if (units[0]!.hunk === null) {
      lines.push(...reverseWholeFile(file));
      continue;
    }
    // A modified file keeps its path: the `---`/`+++` lines stay as they are.
    lines.push(...file.headerLines.filter((line) => !line.startsWith('index ')));
    let shift = 0; // lines the removals so far take out of (or add back to) the file
    for (const unit of removed) {
      const hunk = file.hunks[unit.hunk!]!;
      const resultStart = startAfter(before(hunk.newStart, hunk.newCount) + shift, hunk.oldCount);
      lines.push(formatHunkHeader(hunk.newStart, hunk.newCount, resultStart, hunk.oldCount, hunk.section), ...reverseHunkLines(hunk.lines));
      shift += hunk.oldCount - hunk.newCount;
    }
  }
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

function unitsOfFile(parsed: ParsedDiff, fileIndex: number): DiffUnit[] {
  const cache = unitCache.get(parsed) ?? diffUnits(parsed);
  unitCache.set(parsed, cache);
  return cache.filter((unit) => unit.file === fileIndex);
}

const unitCache = new WeakMap<ParsedDiff, DiffUnit[]>();

function wholeFileReason(file: FilePatch): string | null {
  if (file.change === 'add') return file.binaryLines ? 'new binary file' : 'new file';
  if (file.change === 'delete') return file.binaryLines ? 'deleted binary file' : 'deleted file';
  if (file.binaryLines) return 'binary';
  if (file.modeChange) return 'mode change';
  if (file.hunks.length === 0) return 'header only';
  return null;
}

/** Unified-diff convention: the line before a range (its start when the count is 0). */
function before(start: number, count: number): number {
  return count === 0 ? start : start - 1;
}

function startAfter(lineBefore: number, count: number): number {
  return count === 0 ? lineBefore : lineBefore + 1;
}

function isChange(line: string): boolean {
  return line.startsWith('+') || line.startsWith('-');
}

function keyOf(path: string, changed: readonly string[]): string {
  return createHash('sha256').update(path).update('\0').update(changed.join('\n')).digest('hex').slice(0, 16);
}

function firstChanged(hunks: readonly Hunk[]): string {
  const all = hunks.flatMap((hunk) => hunk.lines);
  const line = all.find((candidate) => candidate.startsWith('+') && candidate.slice(1).trim() !== '') ?? all.find((candidate) => candidate.startsWith('-') && candidate.slice(1).trim() !== '');
  if (line === undefined) return '';
  const text = line.slice(1).trim();
  return text.length > 60 ? text.slice(0, 59) + '…' : text;
}

/**
 * A hunk's body reversed: '+' and '-' swap, each run of changes lists its removals
 * first, and a no-newline marker stays with the line it follows.
 */
export function reverseHunkLines(lines: readonly string[]): string[] {
  const out: string[] = [];
  let removals: string[] = [];
  let additions: string[] = [];
  let last: string[] | null = null;
  const flush = () => {
    out.push(...removals, ...additions);
    removals = [];
    additions = [];
  };
  for (const line of lines) {
    const kind = line[0] ?? ' ';
    if (kind === '\\') {
      (last ?? out).push(line);
      continue;
    }
    if (kind === '+') {
      removals.push('-' + line.slice(1));
      last = removals;
    } else if (kind === '-') {
      additions.push('+' + line.slice(1));
      last = additions;
    } else {
      flush();
      out.push(line);
      last = out;
    }
  }
  flush();
  return out;
}

/** A whole file patch reversed: headers swapped (modes, index, paths), hunks reversed, binary data swapped. */
function reverseWholeFile(file: FilePatch): string[] {
  const header = file.headerLines.map((line) => {
    if (line.startsWith('new file mode ')) return 'deleted file mode ' + line.slice('new file mode '.length);
    if (line.startsWith('deleted file mode ')) return 'new file mode ' + line.slice('deleted file mode '.length);
    if (line.startsWith('index ')) {
      const match = /^index ([0-9a-f]+)\.\.([0-9a-f]+)(.*)$/.exec(line);
      return match ? `index ${match[2]}..${match[1]}${match[3]}` : line;
    }
    return swapFileLine(line);
  });
  const oldMode = header.findIndex((line) => line.startsWith('old mode '));
  const newMode = header.findIndex((line) => line.startsWith('new mode '));
  if (oldMode >= 0 && newMode >= 0) {
    const was = header[oldMode]!.slice('old mode '.length);
    header[oldMode] = 'old mode ' + header[newMode]!.slice('new mode '.length);
    header[newMode] = 'new mode ' + was;
  }
  // `---` must come before `+++`: swapFileLine turned them around.
  const plusFirst = header.findIndex((line) => line.startsWith('+++ '));
  const minusAfter = header.findIndex((line) => line.startsWith('--- '));
  if (plusFirst >= 0 && minusAfter > plusFirst) [header[plusFirst], header[minusAfter]] = [header[minusAfter]!, header[plusFirst]!];
  const lines = [...header];
  if (file.binaryLines) {
    const blocks = binaryBlocks(file.binaryLines)!;
    lines.push(file.binaryLines[0]!, ...blocks.reverse, ...blocks.forward);
  }
  for (const hunk of file.hunks) {
    lines.push(formatHunkHeader(hunk.newStart, hunk.newCount, hunk.oldStart, hunk.oldCount, hunk.section), ...reverseHunkLines(hunk.lines));
  }
  return lines;
}

/** `--- a/x` <-> `+++ b/x` (the prefixes follow the side); other lines unchanged. */
function swapFileLine(line: string): string {
  const swap = (rest: string, from: string, to: string) => {
    if (rest.startsWith(`"${from}`)) return `"${to}${rest.slice(from.length + 1)}`;
    if (rest.startsWith(from)) return to + rest.slice(from.length);
    return rest;
  };
  if (line.startsWith('--- ')) return '+++ ' + swap(line.slice(4), 'a/', 'b/');
  if (line.startsWith('+++ ')) return '--- ' + swap(line.slice(4), 'b/', 'a/');
  return line;
}

/** The forward and reverse data blocks of a `GIT binary patch` section (each ending in its blank line). */
function binaryBlocks(binaryLines: readonly string[]): { forward: string[]; reverse: string[] } | null {
  if (!binaryLines[0]?.startsWith('GIT binary patch')) return null;
  const body = binaryLines.slice(1);
  const second = body.findIndex((line, index) => index > 0 && /^(literal|delta) \d+$/.test(line));
  if (second < 0) return null;
  const forward = body.slice(0, second);
  const reverse = body.slice(second);
  if (reverse[reverse.length - 1] !== '') reverse.push('');
  return { forward, reverse };
}
