import { isCollection, isMap, isNode, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import type { TaskFileIssue } from './task-file-issue.ts';

/** A 1-based line and column in the task file. */
export interface SourcePosition {
  line: number;
  col: number;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  if (typeof key === 'string' || typeof key === 'number') return String(key);
  return undefined;
}

function startOf(node: unknown): number | undefined {
  return isNode(node) && node.range ? node.range[0] : undefined;
}

/**
 * Where an issue lies in the YAML source. The path is followed as far as the document
 * goes: a missing key is reported at the key of its nearest existing parent (or the
 * start of the document). Values are pointed at directly when they are scalars or flow
 * collections (`{ ... }`, `[ ... ]`); block collections are pointed at by their key.
 */
export function locateIssue(document: Document, lineCounter: LineCounter, issue: TaskFileIssue): SourcePosition {
  let node: unknown = document.contents;
  let lastPair: Pair | undefined;
  let resolved = 0;
  for (const segment of issue.path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && keyText(item.key) === String(segment));
      if (!pair) break;
      lastPair = pair;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      lastPair = undefined;
      node = node.items[segment];
    } else break;
    resolved++;
  }
  const complete = resolved === issue.path.length;
  let offset: number | undefined;
  if (complete) {
    const keyStart = lastPair ? startOf(lastPair.key) : undefined;
    const valueStart = startOf(node);
    const blockCollection = isCollection(node) && !(node as Node & { flow?: boolean }).flow;
    const emptyValue = isScalar(node) && node.range != null && node.range[0] === node.range[1];
    if (issue.at === 'key' || blockCollection || emptyValue || valueStart === undefined) offset = keyStart ?? valueStart;
    else offset = valueStart;
  } else {
    offset = (lastPair ? startOf(lastPair.key) : undefined) ?? startOf(node);
  }
  if (offset === undefined) offset = startOf(document.contents) ?? 0;
  return lineCounter.linePos(offset);
}
