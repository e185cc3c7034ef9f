import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asSchema, type ToolSet } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLineageFeedback } from '../../src/core/lineage-feedback.ts';
import { trialHistoryOf } from '../../src/core/trial-history.ts';
import type { ProposalContext } from '../../src/core/specialist.ts';
import { agentTools, type ToolCounters } from '../../src/specialists/llm/agent-tools.ts';
import type { AgentWorkspace } from '../../src/specialists/llm/agent-workspace.ts';
import { EditPolicy } from '../../src/specialists/shared/edit-policy.ts';
import { ToolFailure } from '../../src/specialists/llm/recipe-files.ts';
import { makeTrial } from '../../src/testing/trial-fixture.ts';
import { damageText, picker, type Picker } from './fuzz-random.ts';

/**
 * Fuzzes the tools of the llm specialist the way a model calls them: argument JSON text
 * (well-formed, type-confused or damaged) is parsed and validated against the tool's
 * schema as the AI SDK does (a failure goes back to the model as an error), then the
 * tool runs on a scratch recipe. Every call must end in text or a ToolFailure whose
 * message the model can act on, quickly, and nothing outside the recipe (nor git's own
 * files) may change.
 */

const PATHS = [
  'train.py', 'config.json', 'lib/util.py', 'lib/new.py', 'lib/deep/er/new.py', 'score.py', 'data/holdout.csv', '', '.', './train.py', 'lib//util.py',
  'lib/../train.py', '../outside/secret.txt', '../../etc/passwd', '/etc/passwd', '/tmp/x', 'lib/escape', 'lib/escape/secret.txt', 'lib/escape/new.py',
  '.git/config', '.git/../train.py', 'lib\\..\\..\\outside\\secret.txt', '~/x', 'C:\\x', 'train.py\n', ' train.py ', 'binary.bin', 'lib', 'lib/',
  'ünïcödé.py', 'a'.repeat(300), '\u0000', 'lib/\u0000x', 'nope/nope.py',
];
const TEXTS = ['import os', 'x = 1', 'x = 2', 'def f():', '\n', '', ' ', 'a', '\u0000', 'ünïcödé', '{"x": 1}', '"x"', 'lib', 'aaaa', 'x'.repeat(5000)];
const SAFE_REGEX = ['^x', 'x\\s*=\\s*\\d+', '[a-z]+', '(', '[', '\\', '.*', 'def (\\w+)', '(?<n>x)', 'a{2,3}', '\\bimport\\b', '$'];
const NUMBERS = [0, 1, 2, 3, -1, 1.5, 400, 401, 100000, 1e308, -1e308, 2 ** 53 + 1];

/** The argument keys of each tool and what a plausible value looks like. */
const SHAPES: Record<string, Record<string, (p: Picker) => unknown>> = {
  list_files: { path: (p) => p.pick(PATHS) },
  read_file: { path: (p) => p.pick(PATHS), start_line: (p) => p.pick(NUMBERS), end_line: (p) => p.pick(NUMBERS) },
  grep: { pattern: (p) => p.pick(TEXTS), regex: (p) => p.chance(0.5), path: (p) => p.pick(PATHS), glob: (p) => p.pick(['*.py', '**', 'lib/**', '[', '*', '']) },
  edit_file: { path: (p) => p.pick(PATHS), old_text: (p) => p.pick(TEXTS), new_text: (p) => p.pick(TEXTS), replace_all: (p) => p.chance(0.5) },
  write_file: { path: (p) => p.pick(PATHS), content: (p) => p.pick(TEXTS), overwrite: (p) => p.chance(0.5) },
  read_lineage: {},
  leaderboard: {},
  show_trial: { trial: (p) => p.pick(NUMBERS) },
  rebase: { trial: (p) => p.pick(NUMBERS), keep_edits: (p) => p.chance(0.5) },
  submit: { hypothesis: (p) => p.pick(TEXTS), expected_delta: (p) => p.pick(NUMBERS), notes: (p) => p.pick(TEXTS), parent: (p) => p.pick(NUMBERS) },
};
const WRONG = [null, true, 'text', 7, -3.5, [], {}, ['train.py'], { path: 'train.py' }];

function argumentText(tool: string, p: Picker): string {
  const args: Record<string, unknown> = {};
  for (const [key, plausible] of Object.entries(SHAPES[tool]!)) {
    const roll = p.random();
    if (roll < 0.75) args[key] = plausible(p);
    else if (roll < 0.9) args[key] = p.pick(WRONG);
  }
  if (p.chance(0.1)) args[p.pick(['extra', '__proto__', 'constructor', 'path'])] = p.pick(WRONG);
  if (tool === 'grep' && args.regex === true && typeof args.pattern === 'string') args.pattern = p.pick(SAFE_REGEX);
  let text = JSON.stringify(args);
  if (p.chance(0.15)) text = damageText(text, p);
  if (p.chance(0.03)) text = p.pick(['', 'null', '[]', '"train.py"', '{', '{"path":', 'undefined', 'NaN']);
  return text;
}

/** As the AI SDK parses a tool call: empty input is `{}`, otherwise JSON, then the schema. */
async function parseArguments(tools: ToolSet, name: string, text: string): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `invalid JSON: ${(error as Error).message}` };
  }
  const schema = asSchema(tools[name]!.inputSchema);
  const result = await schema.validate!(value);
  return result.success ? { ok: true, value: result.value } : { ok: false, message: result.error.message };
}

/** Failures that were not a ToolFailure (a raw error of the file system or the runtime). */
const rawErrors: string[] = [];
let root: string;
let recipe: string;
const outsideBefore = new Map<string, string>();

function snapshotOutside(): Map<string, string> {
  const files = new Map<string, string>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (path === recipe) continue;
      if (entry.isDirectory()) visit(path);
      else if (entry.isFile()) files.set(path, readFileSync(path, 'utf8'));
    }
  };
  visit(root);
  files.set(join(recipe, '.git', 'config'), readFileSync(join(recipe, '.git', 'config'), 'utf8'));
  return files;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'autolab-tool-fuzz-'));
  recipe = join(root, 'recipe');
  mkdirSync(join(root, 'outside'), { recursive: true });
  writeFileSync(join(root, 'outside', 'secret.txt'), 'the held-out target is 3\n');
  mkdirSync(join(recipe, 'lib'), { recursive: true });
  mkdirSync(join(recipe, '.git'), { recursive: true });
  writeFileSync(join(recipe, '.git', 'config'), '[core]\n');
  writeFileSync(join(recipe, 'train.py'), Array.from({ length: 900 }, (_, i) => (i % 7 === 0 ? `x = ${i}` : `import os  # line ${i}`)).join('\n') + '\n');
  writeFileSync(join(recipe, 'config.json'), '{"x": 1}\n');
  writeFileSync(join(recipe, 'score.py'), 'print(1)\n');
  writeFileSync(join(recipe, 'lib', 'util.py'), 'def f():\n    return 1\n');
  writeFileSync(join(recipe, 'binary.bin'), Buffer.from([0, 1, 2, 0, 255]));
  symlinkSync(join(root, 'outside'), join(recipe, 'lib', 'escape'));
  for (const [path, text] of snapshotOutside()) outsideBefore.set(path, text);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function toolSet(counters: ToolCounters): ToolSet {
  const trials = [makeTrial({ id: 0, status: 'kept', score: 9, commit: 'c0' }), makeTrial({ id: 1, status: 'failed', label: 'crash', commit: 'c1' })];
  const context = {
    history: trialHistoryOf(trials),
    lineage: buildLineageFeedback(trials, { study: 'fuzz', objective: { metric: 'loss', direction: 'minimize' } }),
    signal: new AbortController().signal,
  } as unknown as ProposalContext;
  const session = {
    dir: recipe,
    parent: 0,
    submission: null,
    scratch: {
      dir: recipe,
      parent: 0,
      diff: async () => '--- a/train.py\n+++ b/train.py\n@@ -1 +1 @@\n-x = 0\n+x = 1\n',
      changedPaths: async () => ['train.py'],
      runPreflight: async () => ({ ok: true, output: 'ok' }),
    },
    rebase: async (trial: number) => {
      throw new ToolFailure(`there is no scratch copy for trial #${trial} in this fuzz`);
    },
  } as unknown as AgentWorkspace;
  const policy = new EditPolicy({ name: 'recipe', paths: ['train.py', 'config.json', 'lib/'], knobs: [] }, ['score.py', 'data/**']);
  return agentTools({ context, session, policy, counters });
}

describe('llm specialist tools on random and damaged arguments', () => {
  it('answer with text or an error message, quickly, and touch nothing outside the recipe', async () => {
    const p = picker(Number(process.env.AUTOLAB_FUZZ_SEED ?? 20_260_601));
    const counters: ToolCounters = { calls: 0, failures: 0, refusals: 0 };
    const tools = toolSet(counters);
    const outcomes = { invalid: 0, text: 0, failure: 0 };
    rawErrors.length = 0;
    for (let round = 0; round < Number(process.env.AUTOLAB_FUZZ_ROUNDS ?? 600); round++) {
      const name = p.pick(Object.keys(SHAPES).filter((tool) => tool in tools && tool !== 'run_preflight'));
      const text = argumentText(name, p);
      const where = `round ${round}: ${name}(${text.slice(0, 300)})`;
      const parsed = await parseArguments(tools, name, text);
      if (!parsed.ok) {
        expect(parsed.message.length, where).toBeGreaterThan(0);
        outcomes.invalid++;
        continue;
      }
      const started = performance.now();
      try {
        const output = await tools[name]!.execute!(parsed.value as never, { toolCallId: `call-${round}`, messages: [] });
        expect(typeof output, where).toBe('string');
        outcomes.text++;
      } catch (error) {
        expect(error, `${where}\nthrew ${String(error)}`).toBeInstanceOf(Error);
        expect((error as Error).message.length, where).toBeGreaterThan(0);
        if (!(error instanceof ToolFailure)) rawErrors.push(`${where}\n  -> ${(error as Error).message}`);
        outcomes.failure++;
      }
      expect(performance.now() - started, where).toBeLessThan(2_000);
    }
    // A fuzz that never reaches the tools, or never fails, tests nothing.
    expect(outcomes.invalid).toBeGreaterThan(30);
    expect(outcomes.text).toBeGreaterThan(100);
    expect(outcomes.failure).toBeGreaterThan(100);
    expect(counters.refusals).toBeGreaterThan(10);
    const after = snapshotOutside();
    expect([...after.keys()].sort()).toEqual([...outsideBefore.keys()].sort());
    for (const [path, text] of outsideBefore) expect(after.get(path), path).toBe(text);
    if (process.env.AUTOLAB_FUZZ_VERBOSE) console.log(rawErrors.join('\n'));
  });

  // Every failure, including raw runtime errors (EISDIR for edit_file on a folder, a NUL
  // byte in a path, ENAMETOOLONG), reaches the model as a ToolFailure saying what to do.
  it('every failure is a ToolFailure the model can act on', () => {
    expect(rawErrors).toEqual([]);
  });

  // A regular expression from the model runs in a worker thread under a time limit, so
  // catastrophic backtracking cannot freeze the driver, its heartbeats or trial budgets.
  it('grep with a catastrophically backtracking regex returns within 2 s', async () => {
    const script = [
      `import { grepFiles } from ${JSON.stringify(join(import.meta.dirname, '..', '..', 'src', 'specialists', 'llm', 'recipe-files.ts'))};`,
      "import { mkdirSync, writeFileSync } from 'node:fs';",
      `const dir = ${JSON.stringify(join(root, 'redos'))};`,
      "mkdirSync(dir, { recursive: true }); writeFileSync(dir + '/a.txt', 'a'.repeat(40) + 'b\\n');",
      "console.log('ready');",
      "await grepFiles(dir, '^(a+)+$', { regex: true }).catch(() => undefined);",
      "console.log('returned');",
    ].join('\n');
    const file = join(root, 'redos.mts');
    writeFileSync(file, script);
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: join(import.meta.dirname, '..', '..'), detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    const returned = await new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('ready') && timer === undefined) timer = setTimeout(() => resolve(false), 2_000); // the grep alone, start-up excluded
        if (output.includes('returned')) resolve(true);
      });
      child.on('exit', () => resolve(output.includes('returned')));
    });
    try {
      process.kill(-child.pid!, 'SIGKILL'); // the whole group: a stuck regex never ends by itself
    } catch {
      // already gone
    }
    expect(output).toContain('ready');
    expect(returned).toBe(true);
  });
});
