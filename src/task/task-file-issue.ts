/** One problem found in a task file, before it is placed at a line and column. */
export interface TaskFileIssue {
  /** Key path into the YAML document (`['surfaces', 'hyper', 'knobs', 'lr', 'low']`); empty: the whole file. */
  path: ReadonlyArray<string | number>;
  /** What is expected, phrased for the user. */
  message: string;
  /** Point at the key itself (unknown or badly named keys) rather than at its value. */
  at?: 'key' | 'value';
}

/**
 * Renders a key path as users read it: `specialists[0].surface`, `(top level)` when empty.
 *
 * @example formatKeyPath(['surfaces', 'hyper', 'knobs', 'lr']) // 'surfaces.hyper.knobs.lr'
 */
export function formatKeyPath(path: ReadonlyArray<string | number>): string {
  if (path.length === 0) return '(top level)';
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? segment : `.${segment}`;
  }
  return text;
}
