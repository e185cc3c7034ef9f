/**
 * Path globs for surfaces and protected paths. Paths and globs are POSIX paths relative
 * to the recipe root, anchored at that root (`*.py` matches `train.py`, not `src/x.py`;
 * write `**\/*.py` for any depth).
 *
 * - `*` matches any run of characters except `/`; `?` one character except `/`;
 * - `**` matches any number of whole path segments (`a/**\/b` matches `a/b`, `a/x/y/b`);
 * - anything else is literal, so a plain path matches exactly that path;
 * - a glob also matches everything beneath what it matches, so a folder (`src` or
 *   `src/`) covers every file under it, as in `.gitignore`.
 *
 * A leading `./` or `/` and a trailing `/` are ignored; `.` (or an empty glob) matches
 * every path.
 */

const compiled = new Map<string, RegExp>();

/**
 * True when `path` matches at least one glob.
 *
 * @example
 * matchesAny('src/model/layers.py', ['src/']);        // true
 * matchesAny('train.py', ['*.py']);                   // true
 * matchesAny('src/a/b/c.ts', ['src/**\/*.ts']);      // true
 * matchesAny('data/val.bin', ['data/train.bin']);     // false
 */
export function matchesAny(path: string, globs: readonly string[]): boolean {
  const normalised = normalisePath(path);
  for (const glob of globs) {
    if (globToRegExp(glob).test(normalised)) return true;
  }
  return false;
}

/** The anchored regular expression of one glob (cached). */
export function globToRegExp(glob: string): RegExp {
  let regex = compiled.get(glob);
  if (!regex) {
    regex = compile(glob);
    compiled.set(glob, regex);
  }
  return regex;
}

function normalisePath(path: string): string {
  let result = path;
  while (result.startsWith('./')) result = result.slice(2);
  return result;
}

function normaliseGlob(glob: string): string {
  let result = glob.trim();
  for (;;) {
    if (result.startsWith('./')) result = result.slice(2);
    else if (result.startsWith('/')) result = result.slice(1);
    else break;
  }
  while (result.endsWith('/')) result = result.slice(0, -1);
  return result === '.' ? '' : result;
}

function compile(rawGlob: string): RegExp {
  const glob = normaliseGlob(rawGlob);
  if (glob === '') return /^/;
  let source = '';
  let index = 0;
  while (index < glob.length) {
    const char = glob[index] as string;
    if (char === '*' && glob[index + 1] === '*') {
      const atSegmentStart = index === 0 || glob[index - 1] === '/';
      const next = glob[index + 2];
      if (atSegmentStart && next === '/') {
        // `**/`: zero or more whole segments.
        source += '(?:[^/]+/)*';
        index += 3;
        continue;
      }
      if (atSegmentStart && next === undefined) {
        // Trailing `**`: everything beneath (the folder rule covers the folder itself).
        source += '.*';
        index += 2;
        continue;
      }
      // `**` inside a segment (`a**b`) behaves like `*`.
      source += '[^/]*';
      index += 2;
      while (glob[index] === '*') index += 1;
      continue;
    }
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += escapeRegExp(char);
    index += 1;
  }
  return new RegExp(`^${source}(?:/.*)?$`, 's');
}

function escapeRegExp(char: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char;
}
