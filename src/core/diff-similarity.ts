/**
 * How alike two edits are, from their unified diffs, with no model: each changed line
 * (not the context, not the headers) is normalised (whitespace collapsed, trailing
 * comments kept: they are part of the edit) and split into tokens tagged with the file
 * and the side (`+` or `-`); the similarity is the Dice coefficient of the two token
 * multisets (1: the same change up to whitespace; 0: nothing in common). A near-duplicate
 * is an earlier edit at or above a threshold.
 */

/** The tagged tokens of a diff's changed lines, with their counts. */
export function diffTokens(diff: string): Map<string, number> {
  const tokens = new Map<string, number>();
  let file = '';
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++ ')) {
      file = line.slice(4).replace(/^b\//, '').trim();
      continue;
    }
    if (line.startsWith('--- ') || line.startsWith('diff ') || line.startsWith('index ') || line.startsWith('@@')) continue;
    const side = line[0];
    if (side !== '+' && side !== '-') continue;
    const text = line.slice(1).replace(/\s+/g, ' ').trim();
    if (text === '') continue;
    for (const token of text.match(/[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?(?:e[+-]?\d+)?|\S/g) ?? []) {
      const key = `${file}\u0000${side}${token}`;
      tokens.set(key, (tokens.get(key) ?? 0) + 1);
    }
  }
  return tokens;
}

/**
 * The similarity of two diffs in [0, 1] (Dice coefficient of their tagged tokens).
 *
 * @example
 * diffSimilarity(a, a.replace(/ {4}/g, '  ')); // 1: only whitespace differs
 */
export function diffSimilarity(a: string, b: string): number {
  return tokenSimilarity(diffTokens(a), diffTokens(b));
}

function tokenSimilarity(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  let sizeA = 0;
  let sizeB = 0;
  let shared = 0;
  for (const count of a.values()) sizeA += count;
  for (const count of b.values()) sizeB += count;
  if (sizeA === 0 && sizeB === 0) return 1;
  for (const [token, count] of a) shared += Math.min(count, b.get(token) ?? 0);
  return (2 * shared) / (sizeA + sizeB);
}

/**
 * The earlier edit most like `diff` when it reaches `threshold` (the first of equals), or null.
 *
 * @example
 * nearestDuplicate(trial.diff, earlier.map((t) => ({ id: t.id, diff: t.diff })), 0.95); // { id: 12, similarity: 0.97 }
 */
export function nearestDuplicate(diff: string, earlier: ReadonlyArray<{ id: number; diff: string }>, threshold: number): { id: number; similarity: number } | null {
  const search = new NearestDuplicateSearch(diff, threshold);
  search.consider(earlier);
  return search.best;
}

/**
 * `nearestDuplicate` over earlier edits given a batch at a time (a page of the study's
 * trials), in order: only the best so far is kept.
 *
 * @example
 * const search = new NearestDuplicateSearch(diff, 0.95);
 * for (const page of pages) search.consider(page);
 * search.best; // { id: 12, similarity: 0.97 } or null
 */
export class NearestDuplicateSearch {
  private readonly mine: Map<string, number>;
  best: { id: number; similarity: number } | null = null;

  constructor(
    diff: string,
    private readonly threshold: number,
  ) {
    this.mine = diffTokens(diff);
  }

  consider(earlier: ReadonlyArray<{ id: number; diff: string }>): void {
    for (const other of earlier) {
      const similarity = tokenSimilarity(this.mine, diffTokens(other.diff));
      if (similarity >= this.threshold && (this.best === null || similarity > this.best.similarity)) this.best = { id: other.id, similarity };
    }
  }
}
