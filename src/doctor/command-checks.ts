/**
 * Checks of what the task's commands need: the programs they start (on PATH, or a
 * script of the recipe), the script files they name, and the Python modules those
 * scripts import.
 */
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { TaskSpec } from '../core/task.ts';
import { findExecutable } from '../executors/local/sandbox-probe.ts';
import { commandUses, isPython, pythonModuleOf, scriptOf, type CommandUse } from './command-words.ts';
import { installProgram, installPythonModule } from './debian-packages.ts';
import { check, type DoctorCheck } from './doctor-check.ts';
import { importableModules, pythonImports } from './python-imports.ts';
import { runQuiet } from './run-quiet.ts';

/** A command of the task and the phase (or specialist) it belongs to. */
interface PhaseCommand {
  phase: string;
  command: string;
}

/** The task's commands: setup, preflight, run, score, legality, and command specialists'. */
export function taskCommands(task: Pick<TaskSpec, 'setup' | 'preflight' | 'run' | 'score' | 'legality' | 'specialists'>): PhaseCommand[] {
  const commands: PhaseCommand[] = [];
  if (task.setup) commands.push({ phase: 'setup', command: task.setup.command });
  if (task.preflight) commands.push({ phase: 'preflight', command: task.preflight.command });
  commands.push({ phase: 'run', command: task.run.command });
  commands.push({ phase: 'score', command: task.score.command });
  if (task.legality) commands.push({ phase: 'legality', command: task.legality.command });
  for (const specialist of task.specialists) {
    if (specialist.kind === 'command' && typeof specialist.options.command === 'string') commands.push({ phase: `specialist ${specialist.name}`, command: specialist.options.command });
  }
  return commands;
}

async function isFile(path: string, mode = constants.R_OK): Promise<boolean> {
  return access(path, mode).then(() => true, () => false);
}

/** The folders a command's relative paths may be relative to: the recipe root, and any `cd DIR` in it. */
function candidateFolders(recipe: string, command: string): string[] {
  const folders = [recipe];
  for (const match of command.matchAll(/(?:^|[;&|]\s*)cd\s+([^\s;&|]+)/g)) folders.push(resolve(recipe, match[1]!.replace(/^['"]|['"]$/g, '')));
  return folders;
}

interface ProgramUse {
  phases: Set<string>;
  uses: Array<{ use: CommandUse; folders: string[] }>;
}

async function versionOf(path: string, program: string): Promise<string> {
  if (!isPython(program) && program !== 'node') return '';
  const result = await runQuiet(path, ['--version'], { timeoutMs: 10_000 });
  return `${result.stdout}${result.stderr}`.trim().split('\n')[0] ?? '';
}

/**
 * Checks every program, script and Python module the task's commands need.
 *
 * @example for (const finding of await checkCommands(task, process.env.PATH ?? '')) console.log(finding.name, finding.status);
 */
export async function checkCommands(task: Pick<TaskSpec, 'repo' | 'setup' | 'preflight' | 'run' | 'score' | 'legality' | 'specialists'>, searchPath: string): Promise<DoctorCheck[]> {
  const programs = new Map<string, ProgramUse>();
  for (const { phase, command } of taskCommands(task)) {
    const folders = candidateFolders(task.repo, command);
    for (const use of commandUses(command)) {
      const entry = programs.get(use.program) ?? { phases: new Set<string>(), uses: [] };
      entry.phases.add(phase);
      entry.uses.push({ use, folders });
      programs.set(use.program, entry);
    }
  }
  const checks: DoctorCheck[] = [];
  for (const [program, entry] of programs) {
    const label = `${program} (${[...entry.phases].join(', ')})`;
    const path = program.includes('/') ? (isAbsolute(program) ? program : await firstExisting(entry.uses[0]!.folders.map((folder) => join(folder, program)))) : findExecutable(program, searchPath);
    if (path === null || !(await isFile(path, constants.X_OK))) {
      const fix = program.includes('/') ? `make ${program} exist in the recipe and executable (chmod +x ${program}), or run it through its interpreter (bash ${program})` : installProgram(program);
      checks.push(check('commands', label, 'fail', program.includes('/') ? `${program} is not an executable file of the recipe` : 'not found on PATH', fix));
      continue;
    }
    const version = await versionOf(path, program);
    checks.push(check('commands', label, 'ok', version ? `${version} (${path})` : path));
    checks.push(...(await checkScripts(program, path, entry)));
  }
  checks.push(...(await checkWrappedPython(programs, searchPath)));
  return checks;
}

/**
 * Python scripts run through a wrapper (`sh py.sh train.py`): their imports are checked
 * with the python3 on PATH, as warnings (the wrapper may choose another interpreter).
 */
async function checkWrappedPython(programs: ReadonlyMap<string, ProgramUse>, searchPath: string): Promise<DoctorCheck[]> {
  const wrapped: ProgramUse = { phases: new Set(), uses: [] };
  const wrappers = new Set<string>();
  for (const [program, entry] of programs) {
    if (isPython(program)) continue;
    for (const { use, folders } of entry.uses) {
      for (const arg of use.args.filter((word) => word.endsWith('.py') && !word.includes('$'))) {
        wrapped.uses.push({ use: { program: 'python3', args: [arg] }, folders });
        wrappers.add(`${program} ${use.args[0] ?? ''}`.trim());
      }
    }
  }
  const python = findExecutable('python3', searchPath);
  if (wrapped.uses.length === 0 || python === null) return [];
  const through = `run through ${[...wrappers].join(', ')}; checked with ${python}`;
  return (await checkScripts('python3', python, wrapped)).map((finding) =>
    finding.status === 'fail' && finding.area === 'python' ? { ...finding, status: 'warn' as const, detail: `${finding.detail} (${through})` } : finding.status === 'ok' ? { ...finding, detail: `${finding.detail} (${through})` } : finding,
  );
}

async function firstExisting(paths: string[]): Promise<string | null> {
  for (const path of paths) if (await isFile(path)) return path;
  return null;
}

/** The scripts an interpreter runs exist; a Python interpreter can import what they import. */
async function checkScripts(program: string, interpreter: string, entry: ProgramUse): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const modules = new Map<string, { optional: boolean; by: Set<string>; folder: string }>();
  for (const { use, folders } of entry.uses) {
    const script = scriptOf(use);
    if (script !== null && !script.includes('$')) {
      const path = await firstExisting(folders.map((folder) => resolve(folder, script)));
      if (path === null) {
        checks.push(check('commands', script, 'fail', `\`${program} ${script}\` names a file that is not in the recipe folder (${folders[0]})`, 'fix the command in the task file, or add the file to the recipe'));
        continue;
      }
      if (isPython(program)) {
        for (const found of pythonImports(await readFile(path, 'utf8'))) {
          const known = modules.get(found.module) ?? { optional: true, by: new Set<string>(), folder: dirname(path) };
          known.optional &&= found.optional;
          known.by.add(script);
          modules.set(found.module, known);
        }
      }
    }
    const module = isPython(program) ? pythonModuleOf(use) : null;
    if (module !== null) modules.set(module, { optional: false, by: new Set([`-m ${module}`]), folder: folders[0]! });
  }
  if (modules.size === 0) return checks;
  const folder = [...modules.values()][0]!.folder;
  const importable = await importableModules(interpreter, folder, [...modules.keys()]);
  if (importable === null) return [...checks, check('python', `${program} modules`, 'warn', `could not ask ${interpreter} which modules it has`)];
  const missing = [...modules].filter(([name]) => importable[name] === false);
  for (const [name, use] of missing) {
    checks.push(check('python', name, use.optional ? 'warn' : 'fail', `${[...use.by].join(', ')} import${use.by.size === 1 ? 's' : ''} ${name}${use.optional ? ' (inside a block: maybe optional)' : ''}, which ${program} cannot import`, installPythonModule(name)));
  }
  const present = [...modules.keys()].filter((name) => importable[name] === true);
  if (present.length > 0) checks.push(check('python', `${program} modules`, 'ok', present.join(', ')));
  return checks;
}
