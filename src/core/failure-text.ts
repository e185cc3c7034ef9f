/**
 * Text helpers of failure signatures: abstracting what differs between two trials that
 * failed for the same reason (numbers, hex, addresses, absolute paths, temporary names),
 * recognising library files, and finding the last meaningful line of a run's output.
 * Pure: no I/O.
 */

/** How a path is shown and whether it is the recipe's own code. */
export interface RecipePaths {
  /** Absolute folders holding the recipe (the trial's worktree, the evaluator checkout). */
  roots?: readonly string[];
  /** Overrides the default rule of what is the recipe's own file (given the path as printed). */
  isRecipeFile?: (path: string) => boolean;
}

/** Folders of installed libraries and runtimes: never the recipe's own code. */
const LIBRARY_PATTERNS: readonly RegExp[] = [
  /(^|\/)(site|dist)-packages\//,
  /(^|\/)node_modules\//,
  /(^|\/)lib\/python\d+(\.\d+)?\//,
  /(^|\/)lib64\/python\d+(\.\d+)?\//,
  /^node:/,
  /^internal\//,
  /^<frozen /,
  /^<(string|stdin|module|unknown)>$/,
  /^\/usr\/(lib|local\/lib|share)\//,
  /(^|\/)\.pyenv\/versions\//,
  /(^|\/)conda\/(pkgs|envs)\//,
];

/** An autolab worktree or evaluator checkout inside the private repo: `<root>/.autolab/worktrees/<name>/`. */
const AUTOLAB_CHECKOUT = /^.*?\/\.autolab\/(?:worktrees\/[^/]+|evaluators\/[^/]+|evaluator)\//;

/** A `file://` URL as Node prints it, turned into a path. */
export function pathFromUrl(file: string): string {
  if (!file.startsWith('file://')) return file;
  const path = file.slice('file://'.length);
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * A frame's file as it is shown and grouped: relative to the recipe root when it lies in
 * one (or in an autolab worktree), the part after `site-packages/` or `node_modules/`
 * for a library file, else as printed.
 *
 * @example displayPath('/repo/.autolab/worktrees/t17/model.py') // 'model.py'
 */
export function displayPath(printed: string, paths: RecipePaths = {}): string {
  const file = pathFromUrl(printed);
  for (const root of paths.roots ?? []) {
    const prefix = root.endsWith('/') ? root : `${root}/`;
    if (file.startsWith(prefix)) return file.slice(prefix.length);
  }
  const checkout = AUTOLAB_CHECKOUT.exec(file);
  if (checkout !== null) return file.slice(checkout[0].length);
  const library = /(?:site-packages|dist-packages|node_modules)\/(.+)$/.exec(file) ?? /\/lib\/python\d+(?:\.\d+)?\/(.+)$/.exec(file);
  if (library !== null) return library[1] as string;
  return file;
}

/**
 * Whether a printed frame file is the recipe's own code: under a recipe root (outside any
 * library folder inside it, such as a `.venv`), or, without roots, anything that is not a
 * library, runtime-internal or generated file.
 */
export function isRecipeFile(printed: string, paths: RecipePaths = {}): boolean {
  if (paths.isRecipeFile !== undefined) return paths.isRecipeFile(printed);
  const file = pathFromUrl(printed);
  if (LIBRARY_PATTERNS.some((pattern) => pattern.test(file))) return false;
  const roots = paths.roots ?? [];
  if (roots.length === 0) return true;
  if (AUTOLAB_CHECKOUT.test(file)) return true;
  if (!file.startsWith('/')) return true;
  return roots.some((root) => file.startsWith(root.endsWith('/') ? root : `${root}/`));
}

/**
 * Abstracts what differs between two occurrences of one cause, so that equal causes give
 * equal text: recipe roots removed, `file://` URLs and absolute paths as `<path>`, hex
 * numbers and addresses as `<hex>`, UUIDs as `<id>`, temporary names as `<tmp>`, numbers
 * (not glued to a letter, so `float64` and `fc1` stay) as `<n>`; whitespace collapsed.
 *
 * @example abstractText('Unable to allocate 7.28 TiB for an array with shape (1000,)') // 'Unable to allocate <n> TiB for an array with shape (<n>,)'
 */
export function abstractText(text: string, paths: RecipePaths = {}): string {
  let out = text;
  for (const root of paths.roots ?? []) {
    if (root.length > 1) out = out.split(root.endsWith('/') ? root : `${root}/`).join('');
  }
  out = out
    .replace(/file:\/\/\/?[^\s'"`,;)\]]+/g, '<path>')
    .replace(/(^|[\s'"`(=[:,])\/(?=[\w.~@+-])[^\s'"`:,;()[\]]*/g, '$1<path>')
    .replace(/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/g, '<id>')
    .replace(/0x[0-9a-fA-F]+/g, '<hex>')
    .replace(/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/g, '<hex>')
    .replace(/\b(?:tmp|temp)[-_]?[A-Za-z0-9_]{4,}\b/gi, '<tmp>')
    .replace(/(?<![A-Za-z<])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![A-Za-z>])/g, '<n>')
    .replace(/(?<![A-Za-z<])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?=[A-Za-z])/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim();
  return out;
}

/** Shortens `text` to `max` characters with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** Lines a runtime prints after the cause that say nothing about it. */
const NOISE_LINES: readonly RegExp[] = [
  /^Node\.js v\d/,
  /^\(Use `node --trace-/,
  /^\(node:\d+\) /,
  /^Killed$/,
  /^Aborted( \(core dumped\))?$/,
  /^Segmentation fault( \(core dumped\))?$/,
  /^[\s^~]*$/,
  /^-+$/,
  /^={3,}$/,
  /^\s*at .+:\d+:\d+\)?$/,
  /^\s*\d+: 0x[0-9a-f]+ /,
  /^<--- .* --->$/,
  /^----- Native stack trace -----$/,
];

/**
 * The last line of the output that says something: not blank, not a runtime's footer
 * (`Node.js v20`), not a stack frame or caret line. Null when there is none.
 */
export function lastMeaningfulLine(output: string): string | null {
  const lines = output.split(/\r?\n/);
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const line = stripAnsi(lines[index] as string).trim();
    if (line === '' || NOISE_LINES.some((pattern) => pattern.test(line))) continue;
    return line;
  }
  return null;
}

/** Removes ANSI colour and cursor codes (progress bars, coloured logs). */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r(?!\n)/g, '\n');
}
