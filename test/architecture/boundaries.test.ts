import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isContractSuite, srcFunctionLengths } from './function-lengths.ts';
import { adapterKindOf, folderOf, importCycles, importSpecifiers, readImportGraph, siblingAdapterImports, type ModuleImports } from './import-graph.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const graph = readImportGraph(ROOT);

/** The folder graph of `src/` (which folder imports which), as modules for `importCycles`. */
function folderGraph(modules: readonly ModuleImports[]): ModuleImports[] {
  const folders = new Map<string, Set<string>>();
  for (const module of modules) {
    const from = folderOf(module.file);
    if (module.file.split('/').length < 3) continue; // src/index.ts: the facade re-exports every folder
    for (const target of module.local) {
      if (!target.startsWith('src/') || folderOf(target) === from) continue;
      folders.set(from, (folders.get(from) ?? new Set()).add(folderOf(target)));
    }
  }
  return [...folders].map(([folder, targets]) => ({ file: folder, local: [...targets], external: [] }));
}

describe('architecture boundaries of src/', () => {
  it('reads imports of every kind, type-only and multi-line included', () => {
    const source = ["import type { A } from './a.ts';", 'import {', '  b,', "} from '../b.ts';", "export { c } from './c.ts';", "export * from './d.ts';", "import './e.ts';", "const f = await import('./f.ts');", "import g, { h } from 'g';"].join('\n');
    expect(importSpecifiers(source)).toEqual(['./a.ts', '../b.ts', './c.ts', './d.ts', 'g', './e.ts', './f.ts']);
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    const planted = [
      { file: 'a', local: ['b'], external: [] },
      { file: 'b', local: ['c'], external: [] },
      { file: 'c', local: ['a'], external: [] },
      { file: 'd', local: ['a', 'd'], external: [] },
    ];
    expect(importCycles(planted)).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('has no import cycles between modules (type-only imports count)', () => {
    expect(graph.length).toBeGreaterThan(100);
    expect(importCycles(graph)).toEqual([]);
  });

  it('has no import cycles between folders', () => {
    expect(importCycles(folderGraph(graph))).toEqual([]);
  });

  it('keeps src/core free of I/O and third-party imports: it imports only itself', () => {
    const outside = graph
      .filter((module) => folderOf(module.file) === 'core')
      .flatMap((module) => [...module.external, ...module.local.filter((target) => folderOf(target) !== 'core')].map((target) => `${module.file} -> ${target}`));
    expect(outside).toEqual([]);
  });

  it('knows an adapter kind by its folder or driver file, and finds a planted sibling import (the check can fail)', () => {
    expect(adapterKindOf('src/executors/slurm/slurm-executor.ts')).toBe('executors/slurm');
    expect(adapterKindOf('src/executors/shared/ulimit.ts')).toBeNull();
    expect(adapterKindOf('src/specialists/command/command-specialist.ts')).toBe('specialists/command');
    expect(adapterKindOf('src/specialists/shared/repair.ts')).toBeNull();
    expect(adapterKindOf('src/specialists/registry.ts')).toBeNull();
    expect(adapterKindOf('src/store/postgres-store.ts')).toBe('store/postgres');
    expect(adapterKindOf('src/store/sql/events.ts')).toBeNull();
    const planted = [
      { file: 'src/specialists/command/a.ts', local: ['src/specialists/llm/repair.ts', 'src/specialists/shared/roles.ts', 'src/core/task.ts'], external: [] },
      { file: 'src/store/sqlite-store.ts', local: ['src/store/postgres-dialect.ts', 'src/store/sql/sql-store.ts'], external: [] },
      { file: 'src/specialists/command/b.ts', local: ['src/executors/local/local-executor.ts'], external: [] },
    ];
    expect(siblingAdapterImports(planted)).toEqual([
      'src/specialists/command/a.ts -> src/specialists/llm/repair.ts',
      'src/store/sqlite-store.ts -> src/store/postgres-dialect.ts',
      'src/specialists/command/b.ts -> src/executors/local/local-executor.ts',
    ]);
  });

  it('has no sibling-adapter imports: an executor, store or specialist kind never imports another kind (shared code has its own folder)', () => {
    expect(siblingAdapterImports(graph)).toEqual([]);
  });

  it('keeps the evaluator below the loop: it imports nothing from the scheduler, the engine, the worker or the shells', () => {
    const upward = graph
      .filter((module) => folderOf(module.file) === 'evaluator')
      .flatMap((module) => module.local.filter((target) => ['scheduler', 'engine', 'worker', 'cli', 'server'].includes(folderOf(target))).map((target) => `${module.file} -> ${target}`));
    expect(upward).toEqual([]);
  });
});
