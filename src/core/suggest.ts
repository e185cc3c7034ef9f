/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

const normalise = (word: string): string => word.toLowerCase().replace(/-/g, '_');

/**
 * The candidate closest to `word` when it is close enough to be a likely typo, else undefined.
 * Case and `-`/`_` differences are ignored.
 *
 * @example closestMatch('objectiv', ['objective', 'run']) // 'objective'
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const target = normalise(word);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(target, normalise(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = target.length <= 3 ? 1 : Math.max(2, Math.floor(target.length / 3));
  return bestDistance <= tolerance ? best : undefined;
}
