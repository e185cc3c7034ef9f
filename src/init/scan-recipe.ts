/**
 * `autolab init --scan FILE...`: reads the recipe's script or config files, proposes
 * knobs (names, types, defaults, ranges), places `autolab: NAME` markers in Python and
 * TOML sources (JSON and YAML knobs use `key:` paths, which need no edit), guesses the
 * run, score and setup commands, and renders a commented task file. Nothing is written
 * here: the caller writes `edits` and `taskYaml` once everything checked out.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join, relative } from 'node:path';
import { AutolabError } from '../core/errors.ts';
import type { KnobSpec } from '../core/task.ts';
import { findExecutable } from '../executors/local/sandbox-probe.ts';
import { runQuiet } from '../doctor/run-quiet.ts';
import { NAME_PATTERN } from '../task/schema.ts';
import type { FileScan, FoundParameter } from './found-parameter.ts';
import { guessCommands, type GuessedCommands } from './guess-commands.ts';
import { proposeKnob } from './propose-knob.ts';
import { renderScanTask, type ScannedKnob } from './render-scan-task.ts';
import { scanJsonConfig, scanTomlConfig, scanYamlConfig } from './scan-config.ts';
import { scanPython } from './scan-python.ts';
import { knobRoundTrips, writeMarkers, type MarkerPlan } from './write-markers.ts';

export interface ScanRecipeInput {
  /** The recipe folder (absolute): where autolab.yaml goes. */
  dir: string;
  /** The files to scan (absolute), inside `dir`. */
  files: string[];
  /** The task's name. */
  name: string;
  /** Check edited Python files with `python3 -m py_compile` when python3 is on PATH (default true). */
  compileCheck?: boolean;
}

/** A recipe file with markers added. */
export interface ScanEdit {
  file: string;
  text: string;
  /** 1-based lines that received a marker. */
  lines: number[];
}

export interface ScanRecipeResult {
  taskYaml: string;
  edits: ScanEdit[];
  knobs: ScannedKnob[];
  skipped: Array<{ name: string; origin: string; reason: string }>;
  commands: GuessedCommands;
  /** Per file: what it held (`argparse: 4, constants: 2`). */
  summary: Array<{ file: string; found: string }>;
}

type Kind = 'python' | 'json' | 'yaml' | 'toml';

function kindOf(file: string): Kind {
  const extension = extname(file).toLowerCase();
  if (extension === '.py') return 'python';
  if (extension === '.json') return 'json';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  if (extension === '.toml') return 'toml';
  throw new AutolabError('UsageError', `--scan reads Python (.py), JSON, YAML and TOML files, not ${basename(file)}`, {
    hint: 'scan the script or config file that holds the parameters; for other languages, mark values by hand with `autolab: NAME` comments (docs/task-file.md#surfaces)',
  });
}

function scanFile(kind: Kind, text: string, file: string): FileScan {
  try {
    if (kind === 'python') return scanPython(text);
    if (kind === 'json') return scanJsonConfig(text);
    if (kind === 'yaml') return scanYamlConfig(text);
    return scanTomlConfig(text);
  } catch (error) {
    throw new AutolabError('UsageError', `cannot read ${file} as ${kind.toUpperCase()}: ${(error as Error).message}`, { cause: error, hint: 'fix the file, or scan another one' });
  }
}

/** `argparse: 4, constant: 2` */
function describeFound(scan: FileScan): string {
  const counts = new Map<string, number>();
  for (const parameter of scan.found) counts.set(parameter.source, (counts.get(parameter.source) ?? 0) + 1);
  const parts = [...counts].map(([source, count]) => `${source}: ${count}`);
  return parts.length === 0 ? 'no parameters' : parts.join(', ');
}

function originOf(file: string, parameter: FoundParameter): string {
  const shown = typeof parameter.value === 'string' ? JSON.stringify(parameter.value) : String(parameter.text ?? parameter.value);
  const where = parameter.source === 'argparse' ? `argparse --${parameter.name.replace(/_/g, '-')}` : parameter.source === 'json' || parameter.source === 'yaml' ? `key ${parameter.keyPath}` : `${parameter.source} ${parameter.name}`;
  return `${file}, ${where} = ${shown}`;
}

/** Knob names: the last key segment, lowercased; the full path (then the file) where two collide. */
function knobNames(entries: ReadonlyArray<{ file: string; parameter: FoundParameter }>): string[] {
  const short = (entry: { parameter: FoundParameter }) => entry.parameter.name.split('.').at(-1)!.toLowerCase().replace(/[^a-z0-9._-]/g, '_');
  const long = (entry: { parameter: FoundParameter }) => entry.parameter.name.toLowerCase().replace(/[^a-z0-9._-]/g, '_');
  const count = (names: string[]) => names.reduce((map, name) => map.set(name, (map.get(name) ?? 0) + 1), new Map<string, number>());
  const first = entries.map(short);
  const firstCounts = count(first);
  const second = entries.map((entry, index) => (firstCounts.get(first[index]!)! > 1 ? long(entry) : first[index]!));
  const secondCounts = count(second);
  const used = new Set<string>();
  return entries.map((entry, index) => {
    const base = secondCounts.get(second[index]!)! > 1 ? `${basename(entry.file, extname(entry.file))}.${second[index]}` : second[index]!;
    let name = NAME_PATTERN.test(base) ? base : `knob${index}`;
    for (let suffix = 2; used.has(name); suffix++) name = `${base}-${suffix}`;
    used.add(name);
    return name;
  });
}

/** Scans the files, proposes knobs and commands, places markers; see the module comment. */
export async function scanRecipe(input: ScanRecipeInput): Promise<ScanRecipeResult> {
  const scans: Array<{ file: string; kind: Kind; text: string; scan: FileScan }> = [];
  for (const absolute of input.files) {
    const file = relative(input.dir, absolute);
    if (file.startsWith('..')) throw new AutolabError('UsageError', `${absolute} is outside the recipe folder ${input.dir}`, { hint: 'scan files of the recipe (init DIR --scan DIR/train.py), or init in the folder that holds them' });
    const kind = kindOf(file);
    const text = await readFile(absolute, 'utf8').catch((error: Error) => {
      throw new AutolabError('UsageError', `cannot read ${absolute}: ${error.message}`, { hint: 'check the path (relative to the folder you are in)' });
    });
    scans.push({ file, kind, text, scan: scanFile(kind, text, file) });
  }

  const entries = scans.flatMap(({ file, scan }) => scan.found.map((parameter) => ({ file, parameter })));
  const names = knobNames(entries);
  const knobs: ScannedKnob[] = [];
  const skipped: ScanRecipeResult['skipped'] = scans.flatMap(({ file, scan }) => scan.skipped.map((skip) => ({ name: skip.name, origin: file, reason: skip.reason })));
  const plans = new Map<string, MarkerPlan[]>();
  const sklearn = scans.some(({ kind, text }) => kind === 'python' && /^\s*(?:from|import)\s+sklearn\b/m.test(text));
  entries.forEach(({ file, parameter }, index) => {
    const proposal = proposeKnob(parameter, { sklearn });
    const origin = originOf(file, parameter);
    if ('skip' in proposal) {
      skipped.push({ name: parameter.name, origin, reason: proposal.skip });
      return;
    }
    const name = names[index]!;
    const located: KnobSpec = parameter.keyPath !== undefined ? { name, file, key: parameter.keyPath, ...proposal.shape } : { name, file, marker: name, ...proposal.shape };
    if (located.marker !== undefined) plans.set(file, [...(plans.get(file) ?? []), { parameter, knob: located as MarkerPlan['knob'] }]);
    knobs.push({ knob: located, origin, why: proposal.why });
  });

  const edits: ScanEdit[] = [];
  const dropped = new Set<string>();
  for (const { file, text, kind } of scans) {
    const filePlans = plans.get(file) ?? [];
    if (filePlans.length === 0) {
      // key knobs: the file is not edited, but the knob must still read and write back.
      for (const scanned of knobs.filter((entry) => entry.knob.file === file)) {
        const parameter = entries.find((entry) => entry.file === file && entry.parameter.keyPath === scanned.knob.key)!.parameter;
        if (!knobRoundTrips(text, scanned.knob, parameter.value)) {
          dropped.add(scanned.knob.name);
          skipped.push({ name: scanned.knob.name, origin: scanned.origin, reason: `its ${kind.toUpperCase()} value does not read back as written` });
        }
      }
      continue;
    }
    const result = writeMarkers(text, file, filePlans);
    for (const failure of result.failed) {
      dropped.add(failure.name);
      skipped.push({ name: failure.name, origin: knobs.find((entry) => entry.knob.name === failure.name)!.origin, reason: failure.reason });
    }
    if (result.placed.length > 0 && result.text !== text) {
      if (kind === 'python' && input.compileCheck !== false) await checkPythonCompiles(file, result.text);
      edits.push({ file, text: result.text, lines: result.placed.map((placed) => placed.line + 1).sort((a, b) => a - b) });
    }
  }
  const kept = knobs.filter((entry) => !dropped.has(entry.knob.name));

  const scripts = scans.filter(({ kind, scan }) => kind === 'python' && scan.isScript).map(({ file }) => file);
  const commands = await guessCommands(input.dir, scripts);
  const protectedPaths = [commands.scoreScript, commands.setupScript, 'autolab.yaml'].filter((path): path is string => path !== null);
  const paths = [...new Set([...(commands.runScript ? [commands.runScript] : []), ...scans.map(({ file }) => file)])].filter((path) => !protectedPaths.includes(path));
  const taskYaml = renderScanTask({ name: input.name, commands, paths: paths.length > 0 ? paths : ['.'], protected: protectedPaths, knobs: kept, skipped, scanned: scans.map(({ file }) => file) });
  return { taskYaml, edits, knobs: kept, skipped, commands, summary: scans.map(({ file, scan }) => ({ file, found: describeFound(scan) })) };
}

/** Refuses edits that break a Python file (checked with python3 -m py_compile, where python3 exists). */
async function checkPythonCompiles(file: string, text: string): Promise<void> {
  const python = findExecutable('python3');
  if (python === null) return;
  const dir = await mkdtemp(join(tmpdir(), 'autolab-scan-'));
  try {
    const path = join(dir, basename(file));
    await writeFile(path, text);
    const result = await runQuiet(python, ['-m', 'py_compile', path], { timeoutMs: 30_000 });
    if (result.started && result.code !== 0) {
      throw new AutolabError('ScanError', `placing the markers would break ${file}: ${result.stderr.trim().split('\n').at(-1)}`, { hint: 'please report it; meanwhile declare the knobs by hand (docs/task-file.md#surfaces)' });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
