/**
 * The modules a Python script imports, and whether they can be imported here: read from
 * the script's `import` lines (never by running it), checked with one `importlib.util.find_spec`
 * call per interpreter, with the script's folder first on `sys.path` (so the recipe's own
 * modules count as present).
 */
import { runQuiet } from './run-quiet.ts';

/** A module a script imports; `optional` when the import is indented (inside try:, a function, an if). */
export interface PythonImport {
  module: string;
  optional: boolean;
}

/**
 * The top-level modules a Python source imports, in order, once each; relative imports
 * (`from . import x`) and `__future__` are left out.
 *
 * @example pythonImports('import numpy as np\nfrom sklearn.datasets import load_digits\ntry:\n    import torch\nexcept ImportError:\n    pass\n')
 * // [{ module: 'numpy', optional: false }, { module: 'sklearn', optional: false }, { module: 'torch', optional: true }]
 */
export function pythonImports(source: string): PythonImport[] {
  const found = new Map<string, PythonImport>();
  const add = (module: string, optional: boolean) => {
    if (module === '' || module === '__future__') return;
    const known = found.get(module);
    if (!known) found.set(module, { module, optional });
    else if (!optional) known.optional = false;
  };
  let inString: string | null = null;
  for (const line of source.split('\n')) {
    const quotes = line.match(/"""|'''/g) ?? [];
    if (inString !== null) {
      if (quotes.includes(inString as never) && quotes.length % 2 === 1) inString = null;
      continue;
    }
    if (quotes.length % 2 === 1) {
      inString = quotes[0]!;
      continue;
    }
    const optional = /^\s+/.test(line);
    const plain = /^\s*import\s+(.+?)\s*(?:#.*)?$/.exec(line);
    if (plain) {
      for (const part of plain[1]!.split(',')) add(part.trim().split(/\s+/)[0]!.split('.')[0]!, optional);
      continue;
    }
    const from = /^\s*from\s+([A-Za-z_][\w.]*)\s+import\b/.exec(line);
    if (from) add(from[1]!.split('.')[0]!, optional);
  }
  return [...found.values()];
}

const FIND_SPECS = [
  'import importlib.util, json, sys',
  'sys.path.insert(0, sys.argv[1])',
  'out = {}',
  'for name in sys.argv[2:]:',
  '    try:',
  '        out[name] = importlib.util.find_spec(name) is not None',
  '    except Exception:',
  '        out[name] = False',
  'print(json.dumps(out))',
].join('\n');

/**
 * Which of `modules` the interpreter can import, with `folder` first on its path; null
 * when the interpreter could not be run.
 *
 * @example await importableModules('python3', '/recipe', ['numpy', 'nope']) // { numpy: true, nope: false }
 */
export async function importableModules(python: string, folder: string, modules: readonly string[]): Promise<Record<string, boolean> | null> {
  if (modules.length === 0) return {};
  const result = await runQuiet(python, ['-c', FIND_SPECS, folder, ...modules], { cwd: folder, timeoutMs: 30_000 });
  if (!result.started || result.code !== 0) return null;
  try {
    return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as Record<string, boolean>;
  } catch {
    return null;
  }
}
