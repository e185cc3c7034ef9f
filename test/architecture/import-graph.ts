/**
 * The import graph of `src/`, read with plain `fs` and regular expressions (no
 * dependency): every static import and re-export, type-only ones included, and dynamic
 * `import('…')` calls. For the boundary tests.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** A module of `src/` (path relative to the repository root, `/`-separated) and what it imports. */
export interface ModuleImports {
  file: string;
  /** Relative imports resolved to files of the repository. */
  local: string[];
  /** Everything else (`node:fs`, `zod`, ...). */
  external: string[];
}

const STATIC_IMPORT = /^(?:import|export)(?:\s+type)?\s+(?:\*(?:\s+as\s+\w+)?|\{[^}]*\}|\w+(?:\s*,\s*(?:\{[^}]*\}|\*\s+as\s+\w+))?)\s+from\s+['"]([^'"]+)['"]/gm;
const SIDE_EFFECT_IMPORT = /^import\s+['"]([^'"]+)['"]/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The specifiers a TypeScript source imports. */
export function importSpecifiers(source: string): string[] {
  const found: string[] = [];
  for (const pattern of [STATIC_IMPORT, SIDE_EFFECT_IMPORT, DYNAMIC_IMPORT]) {
    for (const match of source.matchAll(pattern)) found.push(match[1]!);
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

/** Every non-test module under `root/src` with its imports. */
export function readImportGraph(root: string): ModuleImports[] {
  return sourceFiles(join(root, 'src')).map((path) => {
    const local: string[] = [];
    const external: string[] = [];
    for (const specifier of importSpecifiers(readFileSync(path, 'utf8'))) {
      if (!specifier.startsWith('.')) {
        external.push(specifier);
        continue;
      }
      const base = resolve(dirname(path), specifier);
      const target = [base, `${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
      if (target === undefined) throw new Error(`${relative(root, path)} imports ${specifier}, which does not exist`);
      local.push(toPosix(relative(root, target)));
    }
    return { file: toPosix(relative(root, path)), local, external };
  });
}

/** The import cycles (strongly connected components of more than one module, or a module importing itself). */
export function importCycles(graph: readonly ModuleImports[]): string[][] {
  const edges = new Map(graph.map((module) => [module.file, module.local]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const connect = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter);
    counter++;
    stack.push(file);
    onStack.add(file);
    for (const next of edges.get(file) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    for (;;) {
      const member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
      if (member === file) break;
    }
    if (component.length > 1 || (edges.get(file) ?? []).includes(file)) cycles.push(component.sort());
  };
  for (const file of edges.keys()) if (!index.has(file)) connect(file);
  return cycles;
}

/** The folder of a module under `src/` (`src/evaluator/phase-env.ts` -> `evaluator`). */
export function folderOf(file: string): string {
  return file.split('/')[1] ?? '';
}

/**
 * The adapter kind a module belongs to, or null: a folder under `src/executors/` or
 * `src/specialists/` (not `shared/`), or a store driver `src/store/sqlite-*` /
 * `src/store/postgres-*`. A kind's modules import the core and their family's shared
 * code, never another kind's files (of their family or any other).
 */
export function adapterKindOf(file: string): string | null {
  const folder = /^src\/(executors|specialists)\/([^/]+)\//.exec(file);
  if (folder) return folder[2] === 'shared' ? null : `${folder[1]}/${folder[2]}`;
  const store = /^src\/store\/(sqlite|postgres)-[^/]+\.ts$/.exec(file);
  return store ? `store/${store[1]}` : null;
}

/** `from -> to` for every import from one adapter kind's module into another kind's. */
export function siblingAdapterImports(graph: readonly ModuleImports[]): string[] {
  return graph.flatMap((module) => {
    const kind = adapterKindOf(module.file);
    if (kind === null) return [];
    return module.local.filter((target) => adapterKindOf(target) !== null && adapterKindOf(target) !== kind).map((target) => `${module.file} -> ${target}`);
  });
}
